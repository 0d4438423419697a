"""Every HTTP path of the loader, on httpx.MockTransport (no sockets)."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame._http import client as http
from nanogpt_frame._http.options import MAX_SECONDS, MIN_RATE, MIN_SECONDS
from nanogpt_frame.errors import CatalogWarning
from nanogpt_frame.settings import Settings, normalize_base_url
from tests.conftest import listing

KEY = "sk-nano-7f3a9c2b1e0d4f5a6b7c8d9e"
BASE = "https://nano-gpt.example/api"


def catalog_for(path: str) -> dict:
    ids = {
        "/api/v1/models": ["a", "b", "c"],
        "/api/subscription/v1/models": ["a"],
        "/api/paid/v1/models": ["b", "c"],
    }[path]
    return listing(*({"id": i, "pricing": {"prompt": 1, "completion": 2}} for i in ids))


class Recorder:
    """A MockTransport handler that records requests and plays scripted responses."""

    def __init__(self, *script):
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            if callable(step):
                return step(request)
            return step
        return httpx.Response(200, json=catalog_for(request.url.path))

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


@pytest.fixture
def sleeps(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(http, "_sleep", waited.append)
    return waited


def load(recorder: Recorder, **kwargs):
    kwargs.setdefault("base_url", BASE)
    kwargs.setdefault("max_age", 0)
    with recorder.client() as client:
        return nf.load(client=client, **kwargs)


def test_fetches_three_detailed_listings_without_auth_header():
    rec = Recorder()
    df = load(rec)
    paths = sorted(r.url.path for r in rec.requests)
    assert paths == ["/api/paid/v1/models", "/api/subscription/v1/models", "/api/v1/models"]
    assert all(r.url.params["detailed"] == "true" for r in rec.requests)
    assert all("authorization" not in r.headers for r in rec.requests)
    assert all("sort" not in r.url.params for r in rec.requests)
    assert df.groupby("source_endpoint").size().to_dict() == {
        "canonical": 3, "paid": 2, "subscription": 1}  # fmt: skip
    assert df.attrs["source"] == "live" and df.attrs["authenticated"] is False
    assert df.attrs["base_url"] == BASE


def test_endpoint_subset_and_sort_passthrough():
    rec = Recorder()
    df = load(rec, endpoints=("paid",), sort="mostused")
    assert [r.url.path for r in rec.requests] == ["/api/paid/v1/models"]
    assert rec.requests[0].url.params["sort"] == "mostused"
    assert df["position"].tolist() == [0, 1]


def test_key_sent_as_bearer_from_argument_or_environment(monkeypatch):
    rec = Recorder()
    load(rec, api_key=KEY, endpoints="canonical")
    assert rec.requests[-1].headers["authorization"] == f"Bearer {KEY}"
    monkeypatch.setenv("NANOGPT_API_KEY", KEY)
    load(rec, endpoints="canonical")
    assert rec.requests[-1].headers["authorization"] == f"Bearer {KEY}"


def test_base_url_from_environment(monkeypatch):
    monkeypatch.setenv("NANOGPT_BASE_URL", "https://other.example/api/")
    rec = Recorder()
    with rec.client() as client:
        nf.load(endpoints="canonical", client=client, max_age=0)
    assert str(rec.requests[0].url).startswith("https://other.example/api/v1/models?")


@pytest.mark.parametrize(
    "mistake",
    [
        "https://nano-gpt.com/api/v1/chat/completions",
        "https://nano-gpt.com/api/v1",
        "https://nano-gpt.com/api/v1/",
        "https://nano-gpt.com/api/chat/completions",
    ],
)
def test_mistaken_base_url_is_corrected_with_a_warning(mistake):
    with pytest.warns(UserWarning, match="not the API root"):
        assert normalize_base_url(mistake) == "https://nano-gpt.com/api"


@pytest.mark.parametrize("bad", ["nano-gpt.com/api", "ftp://x/api", "https://", "http://h/api?x=1"])
def test_unusable_base_url_is_rejected(bad):
    with pytest.raises(nf.ConfigError):
        normalize_base_url(bad)


def test_retries_5xx_then_succeeds(sleeps):
    rec = Recorder(httpx.Response(503), httpx.Response(502), httpx.Response(200, json=listing()))
    df = load(rec, endpoints="canonical")
    assert len(rec.requests) == 3 and len(df) == 0
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0  # exponential with jitter


def test_backoff_is_capped():
    assert all(http._backoff(n) <= 8.0 for n in range(20))
    assert http._backoff(10) >= 4.0


def test_429_honours_retry_after_seconds(sleeps):
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "3"},
                       json={"code": "rate_limited", "message": "Rate limit exceeded"}),
        httpx.Response(200, json=listing({"id": "a"})),
    )  # fmt: skip
    df = load(rec, endpoints="canonical", timeout=30)
    assert sleeps == [3.0] and df["id"].tolist() == ["a"]


def test_429_honours_retry_after_http_date(sleeps):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json=listing())
    )
    load(rec, endpoints="canonical")
    assert len(sleeps) == 1 and 3.0 <= sleeps[0] <= 5.0


def test_429_that_persists_raises_rate_limit_error(sleeps):
    limited = httpx.Response(
        429,
        headers={"Retry-After": "2"},
        json={"code": "rate_limited", "message": "Rate limit exceeded"},
    )
    rec = Recorder(*[limited] * 10)
    with pytest.raises(nf.RateLimitError) as info:
        load(rec, endpoints="canonical", deadline=100)
    assert info.value.retry_after == 2.0 and info.value.status == 429
    assert "Rate limit exceeded" in str(info.value)
    assert len(rec.requests) == 5  # the first try and four retries


def test_retry_after_beyond_the_deadline_fails_at_once(sleeps):
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(nf.RateLimitError):
        load(rec, endpoints="canonical", deadline=10)
    assert sleeps == [] and len(rec.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 405, 422])
def test_other_4xx_never_retried(status, sleeps):
    rec = Recorder(httpx.Response(status, json={"error": {"message": "nope", "type": "x"}}))
    with pytest.raises(nf.FetchError) as info:
        load(rec, endpoints="canonical")
    assert len(rec.requests) == 1 and sleeps == []
    assert info.value.status == status and "nope" in str(info.value)
    assert info.value.url == f"{BASE}/v1/models"
    assert not isinstance(info.value, nf.RateLimitError)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"code": "rate_limited", "message": "Rate limit exceeded"}, "Rate limit exceeded"),
        ({"error": {"message": "Invalid model", "type": "invalid_request_error", "code": "x",
                    "param": None}}, "Invalid model"),
        ({"error": 404, "message": "Model list not found"}, "Model list not found"),
        ({"error": "Insufficient balance", "status": 402}, "Insufficient balance"),
    ],
)  # fmt: skip
def test_server_message_from_every_error_shape(body, said):
    rec = Recorder(httpx.Response(404, json=body))
    with pytest.raises(nf.FetchError, match=said):
        load(rec, endpoints="canonical")


def test_405_from_a_chat_url_says_to_fix_the_base_url():
    rec = Recorder(httpx.Response(405, text="Method Not Allowed"))
    with pytest.raises(nf.FetchError, match="check the base URL"):
        load(rec, endpoints="canonical")


def test_html_error_page_is_summarised():
    rec = Recorder(httpx.Response(404, text="<html><body>" + "x" * 5000 + "</body></html>"))
    with pytest.raises(nf.FetchError) as info:
        load(rec, endpoints="canonical")
    assert "an HTML page" in str(info.value) and len(str(info.value)) < 300


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"object":"list","data":[{"id":"a"},', "truncated"),
        (b"<html>maintenance</html>", "HTML page"),
        (b'{"object":"list"}', "no 'data' list"),
    ],
)
def test_200_that_is_not_a_catalog_raises_payload_error(body, message):
    rec = Recorder(httpx.Response(200, content=body))
    with pytest.raises(nf.PayloadError, match=message):
        load(rec, endpoints="canonical")


def test_timeout_retried_then_reported_with_offline_hint(sleeps):
    rec = Recorder(*[httpx.ReadTimeout("slow")] * 3)
    with pytest.raises(nf.FetchError, match=r"timed out.*sample") as info:
        load(rec, endpoints="canonical", retries=2)
    assert len(rec.requests) == 3 and info.value.status is None


def test_connect_error_not_retried(sleeps):
    rec = Recorder(httpx.ConnectError("Name or service not known"))
    with pytest.raises(nf.FetchError, match=r"could not connect.*sample"):
        load(rec, endpoints="canonical")
    assert len(rec.requests) == 1


def test_injected_client_is_used_and_left_open():
    rec = Recorder()
    with rec.client() as client:
        nf.load(client=client, base_url=BASE, max_age=0, endpoints="paid")
        assert not client.is_closed


def test_canonical_equal_to_subscription_with_a_key_warns_once():
    def restricted(request):
        path = request.url.path.replace("/api/v1/", "/api/subscription/v1/")
        return httpx.Response(200, json=catalog_for(path))

    with (
        httpx.Client(transport=httpx.MockTransport(restricted)) as client,
        pytest.warns(CatalogWarning, match="canonical listing equals the subscription") as got,
    ):
        df = nf.load(client=client, base_url=BASE, api_key=KEY, max_age=0)
    assert len([w for w in got if issubclass(w.category, CatalogWarning)]) == 1
    assert df.attrs["canonical_restricted"] is True
    assert KEY not in str(got[0].message)


def test_no_warning_without_a_key_even_if_listings_match(recwarn):
    def same(request):
        return httpx.Response(200, json=listing({"id": "a"}))

    with httpx.Client(transport=httpx.MockTransport(same)) as client:
        df = nf.load(client=client, base_url=BASE, max_age=0)
    assert "canonical_restricted" not in df.attrs
    assert not [w for w in recwarn if issubclass(w.category, CatalogWarning)]


# ---- the key never leaks ---------------------------------------------------------------------


def test_key_in_no_frame_attrs_export_repr_or_log(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    rec = Recorder(httpx.Response(503))  # one retry, so the retry path logs too
    df = load(rec, api_key=KEY, max_age=300)
    assert rec.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert df.attrs["authenticated"] is True
    assert KEY not in json.dumps(df.attrs, default=str)
    assert KEY not in df.to_csv() and KEY not in repr(df)
    df.to_csv(tmp_path / "x.csv")
    df.astype(str).to_parquet(tmp_path / "x.parquet")
    for path in tmp_path.iterdir():
        assert KEY.encode() not in path.read_bytes()
    assert KEY not in caplog.text
    assert KEY not in repr(Settings.from_env(api_key=KEY))
    for path in (tmp_path / "..").glob("**/*.listing"):
        assert KEY.encode() not in path.read_bytes()


def test_key_echoed_by_the_server_is_scrubbed_from_errors():
    rec = Recorder(httpx.Response(401, json={"error": {"message": f"Invalid API key {KEY}"}}))
    with pytest.raises(nf.FetchError) as info:
        load(rec, api_key=KEY, endpoints="canonical")
    assert KEY not in str(info.value) and "***" in str(info.value)
    assert KEY not in repr(info.value.args)


def test_key_not_in_payload_error_even_if_echoed():
    rec = Recorder(httpx.Response(200, text=f"<html>{KEY}</html>"))
    with pytest.raises(nf.PayloadError) as info:
        load(rec, api_key=KEY, endpoints="canonical")
    assert KEY not in str(info.value)


# ---- issue 17: fetch numbers; issue 18: FetchOptions --------------------------------------------

BAD_NUMBERS = [math.inf, -math.inf, math.nan, 0, 0.0, -1, -0.5, 1e-300, 1e300, True, False,
               "5", b"5", [5]]  # fmt: skip


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize("name", ["timeout", "deadline", "rate"])
def test_17_bad_timeout_deadline_or_rate_is_a_config_error(name, value):
    rec = Recorder()
    with pytest.raises(nf.ConfigError, match=name):
        nf.FetchOptions(**{name: value})
    with pytest.raises(nf.ConfigError, match=name), rec.client() as client:
        nf.load_routes(["a"], client=client, base_url=BASE, max_age=0, **{name: value})
    if name != "rate":
        with pytest.raises(nf.ConfigError, match=name):
            load(rec, endpoints="canonical", **{name: value})
        with pytest.raises(nf.ConfigError, match=name):
            http.Requester(Settings(), **{name: value})
    assert rec.requests == []  # refused before any request


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(["timeout", "deadline", "rate"]),
    value=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10, 10**9),
)
def test_17_any_float_is_accepted_in_range_or_refused_never_overflows(name, value):
    low, high = (MIN_RATE, 25) if name == "rate" else (MIN_SECONDS, MAX_SECONDS)
    try:
        options = nf.FetchOptions(**{name: value})
    except nf.ConfigError:
        assert not low <= value <= high  # NaN included
        return
    assert low <= getattr(options, name) <= high and math.isfinite(getattr(options, name))
    if name != "rate":  # a usable value really runs: no OverflowError from a sleep or socket
        with Recorder().client() as client:
            df = nf.load(client=client, base_url=BASE, endpoints="canonical", max_age=0,
                         **{name: value})  # fmt: skip
        assert len(df) == 3


def test_18_fetch_options_is_public_frozen_and_validated():
    assert "FetchOptions" in nf.__all__ and "FetchOptions" in dir(nf)
    options = nf.FetchOptions(timeout=5, retries=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.timeout = 1  # type: ignore[misc]
    assert options.replace(retries=0).retries == 0 and options.retries == 1
    assert options.replace(retries=None) is options  # None means "not given"
    for bad in ({"retries": -1}, {"retries": 1.5}, {"retries": True}, {"max_bytes": 0},
                {"max_age": -1}, {"max_age": math.nan}, {"client": "a client"}):  # fmt: skip
        with pytest.raises(nf.ConfigError):
            nf.FetchOptions(**bad)
    with pytest.raises(nf.ConfigError, match="FetchOptions"):
        nf.load("sample", options={"timeout": 5})


def test_18_options_are_used_and_an_explicit_keyword_wins(sleeps):
    failing = [httpx.Response(503)] * 3
    rec = Recorder(*failing)
    with rec.client() as client:
        options = nf.FetchOptions(retries=0, client=client, max_age=0)
        with pytest.raises(nf.FetchError, match="503"):
            nf.load(base_url=BASE, endpoints="canonical", options=options)
        assert len(rec.requests) == 1  # retries=0 from the options, and their client
        df = nf.load(base_url=BASE, endpoints="canonical", options=options, retries=3)
        assert len(rec.requests) == 4 and len(df) == 3  # the keyword won: 2 retries, then 200


def test_18_load_routes_takes_the_same_options():
    def api(request):
        return httpx.Response(200, json={"canonicalId": "a", "providers": []})

    with httpx.Client(transport=httpx.MockTransport(api)) as client:
        options = nf.FetchOptions(client=client, max_age=0, rate=25, timeout=5)
        df = nf.load_routes(["a"], base_url=BASE, options=options)
        assert df.attrs["failed"] == {}
        with pytest.raises(nf.ConfigError, match="rate"):
            nf.load_routes(["a"], base_url=BASE, options=options, rate=26)
