"""Every HTTP path of the loader, on httpx.MockTransport (no sockets)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

import nanogpt_frame as nf
from nanogpt_frame._http import client as http
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
