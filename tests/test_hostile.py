"""Hostile servers, bodies, files and inputs: no key leak, no hang, no lying history.

Each test names the point of issue 10 it covers. Misbehaving servers are raw sockets on
127.0.0.1 (``http.server`` is too polite to drip, reset or lie).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame._http import client as http
from tests.conftest import listing, send_json

KEY = "sk-hostile-5e6f7a8b9c0d1e2f3a4b"


class RawServer:
    """A TCP server on 127.0.0.1 whose connections a test handles byte by byte."""

    def __init__(self, handle: Callable[[socket.socket, bytes], None]):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.handle = handle
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/api"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(10)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            self.requests.append(request)
            self.handle(conn, request)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket, bytes], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(handle):
        server = RawServer(handle)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def body_of(payload) -> bytes:
    return json.dumps(payload).encode()


def chain(exc: BaseException) -> list[BaseException]:
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def assert_no_key_anywhere(exc: BaseException) -> None:
    for link in chain(exc):
        assert KEY not in str(link) and KEY not in repr(link), type(link)
    assert KEY not in "".join(traceback.format_exception(exc))


# ---- 1. the key never appears in an error -------------------------------------------------------


def test_1_reason_phrase_echoing_the_key_is_scrubbed(raw_server, caplog):
    caplog.set_level(logging.DEBUG)  # httpx logs the status line at INFO, httpcore at DEBUG

    def echo(conn, request):
        conn.sendall(f"HTTP/1.1 401 Bearer {KEY}\r\nContent-Length: 0\r\n\r\n".encode())

    server = raw_server(echo)
    with pytest.raises(nf.FetchError) as info:
        nf.load(base_url=server.base_url, api_key=KEY, endpoints="canonical", max_age=0)
    assert info.value.status == 401 and "***" in str(info.value)
    assert_no_key_anywhere(info.value)
    assert "HTTP/1.1 401" in caplog.text and KEY not in caplog.text


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("bad")],
)
def test_1_no_httpx_exception_is_chained(failure, monkeypatch):
    monkeypatch.setattr(http, "_sleep", lambda s: None)

    def fail(request):
        raise type(failure)(f"{failure} for {request.headers['authorization']}", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(fail)) as client,
        pytest.raises(nf.FetchError) as info,
    ):
        nf.load(client=client, base_url="http://h.example/api", api_key=KEY,
                endpoints="canonical", max_age=0, retries=1)  # fmt: skip
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert_no_key_anywhere(info.value)


def test_1_payload_error_echoing_the_key_has_no_chain():
    def page(request):
        return httpx.Response(200, content=b'{"data": [' + KEY.encode())

    with (
        httpx.Client(transport=httpx.MockTransport(page)) as client,
        pytest.raises(nf.PayloadError) as info,
    ):
        nf.load(client=client, base_url="http://h.example/api", api_key=KEY,
                endpoints="canonical", max_age=0)  # fmt: skip
    assert_no_key_anywhere(info.value)


# ---- 3, 4, 5. time ------------------------------------------------------------------------------


def test_3_deadline_bounds_a_slow_drip_body(raw_server):
    stop = threading.Event()

    def drip(conn, request):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{")
        for _ in range(120):  # would take a minute
            if stop.wait(0.5):
                return
            conn.sendall(b" ")

    server = raw_server(drip)
    started = time.monotonic()
    try:
        with pytest.raises(nf.FetchError, match="deadline"):
            nf.load(base_url=server.base_url, endpoints="canonical", max_age=0, timeout=2,
                    deadline=3)  # fmt: skip
    finally:
        stop.set()
    assert time.monotonic() - started < 6  # the deadline (3 s) plus scheduling slack, not 60 s


def test_4_a_fast_failure_is_raised_without_waiting_for_a_slow_listing(loopback_server):
    release = threading.Event()

    def respond(handler):
        if handler.path.startswith("/api/paid/"):
            send_json(handler, 404, {"error": {"message": "no such listing"}})
        else:
            release.wait(20)
            send_json(handler, 200, listing())

    server = loopback_server(respond)
    started = time.monotonic()
    try:
        with pytest.raises(nf.FetchError, match="no such listing"):
            nf.load(base_url=server.base_url, max_age=0, timeout=30)
        assert time.monotonic() - started < 5  # not the 20 s of the slow listings
    finally:
        release.set()


@pytest.mark.parametrize("header", ["0", "Thu, 01 Jan 1970 00:00:00 GMT", "soon", "-3", "nan"])
def test_5_retry_after_never_shortens_the_backoff(header, monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(http, "_sleep", waited.append)
    calls = []

    def limited(request):
        calls.append(request)
        if len(calls) < 4:
            return httpx.Response(429, headers={"Retry-After": header})
        return httpx.Response(200, json=listing())

    with httpx.Client(transport=httpx.MockTransport(limited)) as client:
        nf.load(client=client, base_url="http://h.example/api", endpoints="canonical",
                max_age=0, deadline=100)  # fmt: skip
    assert len(waited) == 3
    for attempt, delay in enumerate(waited):  # at least the jittered backoff: 0.25, 0.5, 1 s
        assert delay >= 0.5 * 2**attempt * 0.5


# ---- 6 to 9. hostile bodies ---------------------------------------------------------------------


def strict_json(text: str):
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": [{"id": "m", "name": "bad \\ud800 text", "pricing": {"currency": "\\udfff"}}]}',
        b'{"data": [{"id": "m\\ud800", "capabilities": {"\\ud800": true}}]}',
    ],
)
def test_6_lone_surrogates_are_replaced_and_recorded(body):
    with pytest.warns(nf.CatalogWarning, match="not valid Unicode"):
        df = nf.frame_from_payload(body, source_endpoint="canonical")
    extra = strict_json(df["extra_json"].iloc[0])
    assert extra["_invalid"]
    assert all("\\u" in v for v in extra["_invalid"].values())
    import pyarrow as pa

    pa.Table.from_pandas(df)  # would raise UnicodeEncodeError on a lone surrogate


def test_6_deep_nesting_is_a_payload_error_and_never_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(tmp_path / "cache"))
    deep = b'{"data": [{"id": "m", "x": ' + b"[" * 3000 + b"]" * 3000 + b"}]}"
    requests = []

    def api(request):
        requests.append(request)
        return httpx.Response(200, content=deep)

    for _ in range(2):
        with (
            httpx.Client(transport=httpx.MockTransport(api)) as client,
            pytest.raises(nf.PayloadError, match="nested too deeply"),
        ):
            nf.load(client=client, base_url="http://h.example/api", endpoints="canonical")
    assert len(requests) == 2  # the bad body was not cached: the second load asked again
    assert not list((tmp_path / "cache").glob("*.listing"))
    nested: dict = {}
    for _ in range(3000):  # the same as a dict handed in directly
        nested = {"x": nested}
    with pytest.raises(nf.PayloadError):
        nf.frame_from_payload({"data": [{"id": "m", "deep": nested}]}, source_endpoint="paid")


def test_6_a_surrogate_key_inside_an_unreadable_value_stays_valid_json():
    # found by hypothesis: a dict where a string belongs, with a lone surrogate as its key
    df = nf.frame_from_payload(
        {"data": [{"id": "0", "name": {"\udc80": None}}]}, source_endpoint="canonical"
    )
    extra = strict_json(df["extra_json"].iloc[0])
    assert extra == {"_invalid": {"name": {"\udc80": None}}}


def test_7_invalid_utf8_is_reported_not_silently_replaced():
    body = b'{"data": [{"id": "ok"}, {"id": "m", "description": "caf\xe9 \xff"}]}'
    with pytest.warns(nf.CatalogWarning, match="not valid UTF-8.*1 item"):
        df = nf.frame_from_payload(body, source_endpoint="canonical")
    row = df[df["id"] == "m"].iloc[0]
    assert "\ufffd" not in row["description"] and "\\xe9" in row["description"]
    assert strict_json(row["extra_json"])["_invalid"]["description"] == "caf\\xe9 \\xff"


def test_8_a_price_that_overflows_when_scaled_is_na_and_reported():
    payload = listing({"id": "m", "pricing": {"prompt": 1, "completion": 2,
                                              "cacheReadInputPer1kTokens": 1e306}})  # fmt: skip
    df = nf.frame_from_payload(payload, source_endpoint="canonical", snapshot_at="2026-01-01")
    assert df["price_cache_read"].isna().all()
    assert strict_json(df["extra_json"].iloc[0])["_invalid"] == {
        "pricing.cacheReadInputPer1kTokens": 1e306}  # fmt: skip
    report = nf.quality_report(df)
    named = report[(report["id"] == "m") & (report["rule"] == "price_unreadable")]
    assert len(named) == 1 and "cacheReadInputPer1kTokens is too large" in named["message"].iloc[0]
    assert named["severity"].iloc[0] == "error"


def test_9_extra_json_and_cost_estimate_are_standard_json():
    body = (b'{"data": [{"id": "m", "cost_estimate": NaN, "weird": [Infinity, -Infinity],'
            b' "pricing": {"prompt": NaN, "extra": 1e999}}]}')  # fmt: skip
    df = nf.frame_from_payload(body, source_endpoint="canonical")
    row = df.iloc[0]
    extra = strict_json(row["extra_json"])
    assert extra["weird"] == ["Infinity", "-Infinity"] and extra["pricing"]["extra"] == "Infinity"
    assert extra["_invalid"] == {"pricing.prompt": "NaN"}
    assert strict_json(row["cost_estimate"]) == "NaN"


# ---- 11. files that are not catalogs ------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_11_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "canonical.json"
    os.mkfifo(fifo)
    with pytest.raises(nf.PayloadError, match="not a regular file"):
        nf.load(fifo)
    with pytest.raises(nf.PayloadError, match="not a regular file"):
        nf.load("/dev/zero")


def test_11_a_file_over_the_size_limit_is_refused(tmp_path):
    big = tmp_path / "canonical.json"
    big.write_bytes(b'{"data": [' + b" " * 5000 + b"]}")
    with pytest.raises(nf.PayloadError, match="limit"):
        nf.load(big, max_bytes=1000)
    assert len(nf.load(big, max_bytes=10_000)) == 0


def test_11_a_body_over_the_size_limit_is_refused():
    def huge(request):
        return httpx.Response(200, content=b'{"data": [' + b" " * 5000 + b"]}")

    with (
        httpx.Client(transport=httpx.MockTransport(huge)) as client,
        pytest.raises(nf.FetchError, match="1,000"),
    ):
        nf.load(client=client, base_url="http://h.example/api", endpoints="canonical",
                max_age=0, max_bytes=1000)  # fmt: skip


def test_11_a_lying_content_length_fails_cleanly(raw_server):
    def liar(conn, request):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + body_of(listing()))

    server = raw_server(liar)
    with pytest.raises(nf.FetchError):
        nf.load(base_url=server.base_url, endpoints="canonical", max_age=0, retries=1,
                timeout=2, deadline=6)  # fmt: skip


def test_reset_connections_are_retried_then_reported(raw_server, monkeypatch):
    monkeypatch.setattr(http, "_sleep", lambda s: None)

    def reset(conn, request):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    server = raw_server(reset)
    with pytest.raises(nf.FetchError, match="transport error"):
        nf.load(base_url=server.base_url, endpoints="canonical", max_age=0, retries=2)
    assert len(server.requests) == 3


def test_redirect_to_another_host_does_not_carry_the_key(loopback_server):
    seen: list[dict] = []

    def target(handler):
        seen.append(dict(handler.headers))
        send_json(handler, 200, listing())

    other = loopback_server(target)

    def redirect(handler):
        handler.send_response(302)
        location = other.base_url.replace("127.0.0.1", "localhost") + "/v1/models?detailed=true"
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    first = loopback_server(redirect)
    nf.load(base_url=first.base_url, api_key=KEY, endpoints="canonical", max_age=0)
    assert seen and all("Authorization" not in h and "authorization" not in h for h in seen)


# ---- issue 17, "Keys, hangs, crashes" ------------------------------------------------------------


def escaped(text: str) -> str:
    """``text`` as a JSON string body with every character written as a ``\\uXXXX`` escape."""
    return "".join(f"\\u{ord(c):04X}" for c in text)


def echoing_body(payload: dict) -> bytes:
    """``payload`` as JSON plus one field spelling the key in escapes (what json.dumps won't)."""
    text = json.dumps(payload)
    return (text[:-1] + f', "sneaky": "{escaped(KEY)}"}}').encode()


def assert_key_nowhere_on_disk(*folders) -> None:
    from nanogpt_frame._http.client import scrub_body

    files = [p for folder in folders for p in folder.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert KEY.encode() not in data and scrub_body(data, KEY) == data, path


def assert_key_not_in_frame(df) -> None:
    text = df.to_csv() + json.dumps(df.attrs, default=str) + repr(df)
    assert KEY not in text and escaped(KEY) not in text


def test_17_a_key_echoed_in_a_listing_body_reaches_no_frame_snapshot_or_cache(
    loopback_server, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(cache))
    model = {
        "id": "m/echo",
        "name": KEY,
        "description": f"made for {KEY}!",
        "pricing": {"prompt": 1, "completion": 2, "note": [{"deep": KEY}]},
        KEY: {"as": "a key name"},
    }

    def echo(handler):
        send_json(handler, 200, echoing_body(listing(model)), {"ETag": f'"{KEY}"'})

    server = loopback_server(echo)
    df = nf.load(base_url=server.base_url, api_key=KEY, endpoints="canonical", max_age=300)
    assert df["name"].iloc[0] == "***" and "made for ***!" in df["description"].iloc[0]
    assert_key_not_in_frame(df)
    again = nf.load(base_url=server.base_url, api_key=KEY, endpoints="canonical", max_age=300)
    assert again.attrs["from_cache"] == ["canonical"]
    assert_key_not_in_frame(again)
    nf.write_snapshot(df, tmp_path / "snapshots")
    assert_key_nowhere_on_disk(cache, tmp_path / "snapshots")


def test_17_a_key_echoed_in_a_routes_body_reaches_no_frame_snapshot_or_cache(
    loopback_server, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(cache))
    body = {
        "canonicalId": "m/echo",
        "displayName": f"hello {KEY}",
        "defaultPrice": {"inputPer1kTokens": 0.0004, "outputPer1kTokens": 0.00175},
        "providers": [
            {
                "provider": KEY,
                "available": True,
                "pricing": {"inputPer1kTokens": 0.00042, "outputPer1kTokens": 0.0018375},
                "extra": {"nested": [KEY]},
            }
        ],
    }

    def echo(handler):
        send_json(handler, 200, echoing_body(body))

    server = loopback_server(echo)
    df = nf.load_routes(["m/echo"], base_url=server.base_url, api_key=KEY, max_age=300)
    assert df["provider"].tolist() == ["***"] and df["display_name"].iloc[0] == "hello ***"
    assert_key_not_in_frame(df)
    nf.write_snapshot(df, tmp_path / "snapshots")
    assert_key_nowhere_on_disk(cache, tmp_path / "snapshots")


@contextlib.contextmanager
def no_thread_left_and_no_traceback() -> Iterator[list]:
    """Records every exception a thread lets out; after the block, no package thread is alive."""
    raised: list = []
    previous = threading.excepthook
    threading.excepthook = raised.append
    try:
        yield raised
        alive = [t.name for t in threading.enumerate() if t.name.startswith("nanogpt")]
        assert alive == [], f"threads outlived the call: {alive}"
        time.sleep(0.3)  # a late worker would raise now
        assert raised == [], [str(r.exc_value) for r in raised]
    finally:
        threading.excepthook = previous


def dripping_headers(stop: threading.Event):
    def drip(conn, request):
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(600):  # a byte every 0.1 s: each read succeeds, the headers never end
            if stop.wait(0.1):
                return
            conn.sendall(b"a")

    return drip


@pytest.mark.parametrize("endpoints", ["canonical", ("canonical", "subscription", "paid")])
def test_17_the_deadline_bounds_dripped_response_headers(raw_server, endpoints, capfd):
    stop = threading.Event()
    server = raw_server(dripping_headers(stop))
    started = time.monotonic()
    try:
        with no_thread_left_and_no_traceback(), pytest.raises(nf.FetchError, match="deadline"):
            nf.load(base_url=server.base_url, endpoints=endpoints, max_age=0, deadline=2)
        waited = time.monotonic() - started
    finally:
        stop.set()
    assert waited < 2 + 3  # the deadline plus generous slack; it used to wait for the server
    assert "Traceback" not in capfd.readouterr().err


def test_17_load_routes_returns_by_its_deadline_with_no_thread_left(raw_server, capfd):
    stop = threading.Event()
    server = raw_server(dripping_headers(stop))
    ids = [f"org/model-{i}" for i in range(8)]
    started = time.monotonic()
    try:
        with no_thread_left_and_no_traceback(), pytest.raises(nf.FetchError, match="deadline"):
            nf.load_routes(ids, base_url=server.base_url, max_age=0, timeout=30, deadline=2)
        waited = time.monotonic() - started
    finally:
        stop.set()
    assert waited < 2 + 3  # not deadline + workers x timeout (2 + 8 x 30 s)
    assert "Traceback" not in capfd.readouterr().err


def test_17_the_pacer_never_sleeps_past_the_deadline(loopback_server, capfd):
    from tests.test_routes import response

    def answer(handler):
        send_json(handler, 200, response("m"))

    server = loopback_server(answer)
    ids = [f"org/model-{i}" for i in range(40)]
    started = time.monotonic()
    with (
        no_thread_left_and_no_traceback(),
        pytest.warns(nf.CatalogWarning, match="no routes for"),
    ):
        df = nf.load_routes(ids, base_url=server.base_url, max_age=0, rate=0.1, deadline=2)
    waited = time.monotonic() - started
    assert waited < 2 + 3  # the second turn at 0.1/s is due after 10.5 s: never slept for
    fetched = set(df["model_id"])
    assert 1 <= len(fetched) <= 4 and len(df.attrs["failed"]) == 40 - len(fetched)
    assert all("deadline" in why for why in df.attrs["failed"].values())
    assert "Traceback" not in capfd.readouterr().err


def test_17_ctrl_c_leaves_no_worker_and_no_traceback(loopback_server, capfd):
    import signal

    from tests.test_routes import response

    main = threading.main_thread().ident
    count = [0]
    lock = threading.Lock()

    def answer(handler):
        with lock:
            count[0] += 1
            now = count[0]
        if now == 3:  # the user presses Ctrl-C while workers sleep and wait on the server
            signal.pthread_kill(main, signal.SIGINT)
        time.sleep(0.2)
        send_json(handler, 200, response("m"))

    server = loopback_server(answer)
    ids = [f"org/model-{i}" for i in range(60)]
    with no_thread_left_and_no_traceback(), pytest.raises(KeyboardInterrupt):
        nf.load_routes(ids, base_url=server.base_url, max_age=0, rate=5, deadline=60)
    assert "Traceback" not in capfd.readouterr().err


def silent(conn, request):
    time.sleep(30)  # accepts, never answers


def test_17_a_timeout_error_says_the_real_wait_and_that_the_timeout_ended_it(
    raw_server, monkeypatch
):
    import re

    monkeypatch.setattr(http, "_sleep", lambda s: None)
    server = raw_server(silent)
    started = time.monotonic()
    with pytest.raises(nf.FetchError) as info:
        nf.load(base_url=server.base_url, endpoints="canonical", max_age=0, timeout=0.5,
                retries=2, deadline=30)  # fmt: skip
    waited = time.monotonic() - started
    message = str(info.value)
    assert "0.5s per-request timeout (timeout=)" in message and "3 attempt(s)" in message
    said = float(re.search(r"([\d.]+)s in all", message).group(1))
    assert 1.4 <= said <= waited + 0.05  # three 0.5 s attempts, not "timed out after 0.5s"


def test_17_a_deadline_error_says_the_real_wait_and_that_the_deadline_ended_it(raw_server):
    import re

    server = raw_server(silent)
    started = time.monotonic()
    with pytest.raises(nf.FetchError) as info:
        nf.load(base_url=server.base_url, endpoints="canonical", max_age=0, timeout=20,
                deadline=1.5)  # fmt: skip
    waited = time.monotonic() - started
    message = str(info.value)
    assert "the deadline of 1.5s for the whole load ended it (deadline=)" in message
    said = float(re.search(r"after ([\d.]+)s", message).group(1))
    assert 1.4 <= said <= waited + 0.05


@settings(max_examples=150, deadline=None)
@given(
    key=st.text(
        st.characters(min_codepoint=33, max_codepoint=0x1F600, exclude_categories=("Cs",)),
        min_size=6,
        max_size=40,
    ),
    escape=st.lists(st.booleans(), min_size=40, max_size=40),
    upper=st.booleans(),
    around=st.text(max_size=20),
)
def test_17_the_key_is_scrubbed_in_every_json_spelling(key, escape, upper, around):
    from nanogpt_frame._http.client import scrub_body

    spelled = json.dumps(key, ensure_ascii=False)[1:-1]  # the key as JSON text, plainly
    if any(escape):  # some characters as \uXXXX escapes instead
        parts = []
        for char, wanted in zip(key, escape, strict=False):
            plain = json.dumps(char, ensure_ascii=False)[1:-1]
            hexed = json.dumps(char, ensure_ascii=True)[1:-1]
            if wanted and not hexed.startswith("\\u"):
                hexed = f"\\u{ord(char):04x}"
            form = hexed if wanted else plain
            parts.append(form.upper().replace("\\U", "\\u") if upper and wanted else form)
        spelled = "".join(parts) + json.dumps(key[40:], ensure_ascii=False)[1:-1]
    body = json.dumps({"name": around, "x": [{"k": "@@"}]}).replace("@@", spelled).encode()
    assert json.loads(body)["x"][0]["k"] == key  # the body really spells the key
    clean = scrub_body(body, key)
    parsed = json.loads(clean)  # still valid JSON
    assert key not in json.dumps(parsed, ensure_ascii=False)
