"""The account endpoints against real loopback servers: usage, balance, subscription quota.

Every endpoint: success, 503 then success, 429 with Retry-After, a key echoed in an error body
(scrubbed), and invalid date ranges that are never requested (the server sees nothing).
"""

from __future__ import annotations

import json
import warnings
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

import nanogpt_frame as nf
from nanogpt_frame._http import client as http_client
from nanogpt_frame.errors import CatalogWarning, ConfigError, FetchError, PayloadError
from tests.conftest import send_json

KEY = "sk-nano-test-5f3a9c"
TODAY = date(2026, 8, 1)


def bucket(day="2026-07-01", model="GPT-5.2", **over):
    row = {"date": day, "model": model, "requests": 3, "costUsd": 0.1 + 0.2,
           "refundedUsd": 0, "netCostUsd": 0.3, "inputTokens": 1000, "outputTokens": 200,
           "reasoningTokens": 50, "totalTokens": 1200}  # fmt: skip
    row.update(over)
    return row


def usage_body(rows=None, missing=(), **top):
    rows = [bucket()] if rows is None else rows
    body = {"object": "usage", "scope": "apiKey", "apiKey": {"id": 7}, "from": "2026-07-01",
            "to": "2026-07-02", "timezone": "UTC", "groupBy": "day,model",
            "asOf": "2026-07-02T12:00:00.000Z",
            "source": {"rollupDays": ["2026-07-01"], "liveDays": ["2026-07-02"],
                       "missingRollupDays": list(missing)},
            "totals": {"requests": 3, "costUsd": 0.3, "refundedUsd": 0, "netCostUsd": 0.3,
                       "inputTokens": 1000, "outputTokens": 200, "reasoningTokens": 50,
                       "totalTokens": 1200},
            "byDay": [{k: v for k, v in bucket().items() if k != "model"}],
            "byModel": [{k: v for k, v in bucket().items() if k != "date"}],
            "byDayModel": rows}  # fmt: skip
    body.update(top)
    return body


@pytest.fixture
def no_sleep(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http_client, "_sleep", waits.append)
    return waits


@pytest.fixture
def serve(loopback_server):
    """A loopback server answering GET and POST from a script of (status, body, headers)."""

    def start(*answers):
        script = list(answers)

        def respond(handler):
            status, body, headers = script.pop(0) if len(script) > 1 else script[0]
            send_json(handler, status, body, headers)

        server = loopback_server(respond)
        server.httpd.RequestHandlerClass.do_POST = server.httpd.RequestHandlerClass.do_GET
        return server

    return start


def usage(server, **kw):
    kw.setdefault("max_age", 0)
    return nf.load_account_usage(
        "2026-07-01", "2026-07-02", api_key=KEY, base_url=server.base_url, today=TODAY, **kw
    )


def assert_key_nowhere(exc: BaseException) -> None:
    seen = exc
    while seen is not None:
        assert KEY not in str(seen) and KEY not in repr(seen) and KEY not in repr(seen.args)
        assert KEY not in (getattr(seen, "detail", None) or "")
        assert KEY not in (getattr(seen, "url", None) or "")
        seen = seen.__cause__ or seen.__context__


# ---- GET /v1/usage -----------------------------------------------------------------------------


def test_usage_query_typed_columns_and_the_key_only_in_a_header(serve):
    server = serve((200, usage_body(), None))
    df = usage(server)
    ((path, headers),) = server.requests
    split = urlsplit(path)
    assert split.path == "/api/v1/usage"
    assert parse_qs(split.query) == {
        "from": ["2026-07-01"], "to": ["2026-07-02"], "group_by": ["day,model"]}  # fmt: skip
    assert KEY not in path and headers["Authorization"] == f"Bearer {KEY}"
    assert [str(t) for t in df.dtypes] == [
        "date32[day][pyarrow]", "string[pyarrow]", "int64[pyarrow]", "double[pyarrow]",
        "double[pyarrow]", "double[pyarrow]", "int64[pyarrow]", "int64[pyarrow]",
        "int64[pyarrow]", "int64[pyarrow]"]  # fmt: skip
    row = df.iloc[0]
    assert row["day"] == date(2026, 7, 1) and row["model"] == "GPT-5.2"
    assert row["cost_usd"] == 0.3  # 0.1 + 0.2 served: no binary noise
    assert df.attrs["from"] == "2026-07-01" and df.attrs["as_of"] == "2026-07-02T12:00:00.000Z"
    assert df.attrs["totals"]["net_cost_usd"] == 0.3 and df.attrs["missing_rollup_days"] == []
    assert KEY not in json.dumps(df.attrs, default=str) and KEY not in df.to_csv()


def test_missing_rollup_days_are_warned_and_recorded(serve):
    server = serve((200, usage_body(missing=["2026-07-02"]), None))
    with pytest.warns(CatalogWarning, match="missing rollup days: 2026-07-02"):
        df = usage(server)
    assert df.attrs["missing_rollup_days"] == ["2026-07-02"]


def test_503_usage_not_ready_is_retried_then_succeeds(serve, no_sleep):
    not_ready = {"error": {"message": "Usage rollup is being built", "code": "usage_not_ready"}}
    server = serve((503, not_ready, None), (503, not_ready, None), (200, usage_body(), None))
    df = usage(server)
    assert len(server.requests) == 3 and len(df) == 1 and len(no_sleep) == 2


def test_503_usage_not_ready_past_the_retries_says_so(serve, no_sleep, caplog):
    caplog.set_level("DEBUG")
    not_ready = {"error": {"message": f"Usage rollup is being built for {KEY}",
                           "code": "usage_not_ready"}}  # fmt: skip
    server = serve((503, not_ready, None))
    with pytest.raises(FetchError, match="usage_not_ready") as info:
        usage(server, retries=2)
    assert info.value.status == 503 and "still being built" in str(info.value)
    assert len(server.requests) == 3 and "retrying" in caplog.text
    assert_key_nowhere(info.value)
    assert KEY not in caplog.text  # the retries' log lines are scrubbed too
    plain = serve((503, {"error": "Service Unavailable"}, None))
    with pytest.raises(FetchError, match="while a rollup is being built"):
        usage(plain, retries=0)


def test_429_waits_the_retry_after_then_succeeds(serve, no_sleep):
    limited = {"code": "rate_limited", "message": "Rate limit exceeded"}
    server = serve((429, limited, {"Retry-After": "3"}), (200, usage_body(), None))
    assert len(usage(server)) == 1
    assert len(server.requests) == 2 and no_sleep[0] >= 3


def test_429_past_the_retries_is_a_rate_limit_error(serve, no_sleep):
    server = serve((429, {"code": "rate_limited", "message": "slow down"}, {"Retry-After": "1"}))
    with pytest.raises(nf.RateLimitError) as info:
        usage(server, retries=1)
    assert info.value.retry_after == 1.0


def test_a_key_echoed_in_an_error_body_is_scrubbed(serve):
    echo = {"error": {"message": f"Invalid API key {KEY} (Bearer {KEY})", "type": "auth"}}
    server = serve((401, echo, None))
    with pytest.raises(FetchError) as info:
        usage(server)
    assert info.value.status == 401 and "Invalid API key ***" in str(info.value)
    assert_key_nowhere(info.value)


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        ("2026-07-01", "2026-08-02", "in the future"),
        ("2025-07-01", "2026-07-02", "367 days"),
        ("2026-07-05", "2026-07-01", "after end"),
        ("July 1st", "2026-07-02", "not a UTC day"),
        ("2026-02-30", "2026-07-02", "not a UTC day"),
    ],
)
def test_invalid_ranges_are_never_requested(serve, start, end, said):
    server = serve((200, usage_body(), None))
    with pytest.raises(ConfigError, match=said):
        nf.load_account_usage(start, end, api_key=KEY, base_url=server.base_url, today=TODAY)
    assert server.requests == []


def test_366_days_is_the_longest_range_asked():
    from nanogpt_frame.account.usage_dates import usage_range

    first, last = usage_range("2025-08-01", "2026-08-01", today=TODAY)
    assert (last - first).days + 1 == 366
    assert usage_range(None, None, today=TODAY) == (date(2026, 7, 3), TODAY)


def test_no_key_is_a_config_error_before_any_request(serve):
    server = serve((200, usage_body(), None))
    for load in (
        lambda: nf.load_account_usage(base_url=server.base_url, today=TODAY),
        lambda: nf.load_balance(base_url=server.base_url),
        lambda: nf.load_subscription_usage(base_url=server.base_url),
    ):
        with pytest.raises(ConfigError, match="NANOGPT_API_KEY"):
            load()
    assert server.requests == []


def test_bad_group_by_is_refused_before_any_request(serve):
    server = serve((200, usage_body(), None))
    with pytest.raises(ConfigError, match="group_by"):
        usage(server, group_by="week")
    assert server.requests == []


def test_usage_is_cached_per_key_fingerprint_and_query(serve):
    server = serve((200, usage_body(), None))
    first = usage(server, max_age=300)
    again = usage(server, max_age=300)
    assert len(server.requests) == 1 and again.attrs["from_cache"] and not first.attrs["from_cache"]
    pd.testing.assert_frame_equal(first, again)
    nf.load_account_usage("2026-07-01", "2026-07-02", api_key=KEY + "x", base_url=server.base_url,
                          today=TODAY, max_age=300)  # fmt: skip
    assert len(server.requests) == 2  # another key: never served the first key's answer
    usage(server, max_age=300, group_by="day")
    assert len(server.requests) == 3  # another query
    import os
    from pathlib import Path

    for file in Path(os.environ["NANOGPT_CACHE_DIR"]).rglob("*"):
        assert KEY.encode() not in file.read_bytes()


def test_group_by_day_and_by_model(serve):
    server = serve((200, usage_body(), None))
    by_day = usage(server, group_by="day")
    assert by_day["model"].isna().all() and by_day["day"].iloc[0] == date(2026, 7, 1)
    by_model = usage(server, group_by=("model",))
    assert by_model["day"].isna().all() and by_model["model"].iloc[0] == "GPT-5.2"
    assert parse_qs(urlsplit(server.requests[-1][0]).query)["group_by"] == ["model"]


def test_unreadable_counters_are_na_and_said_never_zero(serve):
    rows = [bucket(costUsd="lots", requests=2.5), {k: v for k, v in bucket().items()
                                                    if k != "outputTokens"}]  # fmt: skip
    server = serve((200, usage_body(rows), None))
    with pytest.warns(CatalogWarning, match="unreadable"):
        df = usage(server)
    assert df["cost_usd"].isna().iloc[0] and df["requests"].isna().iloc[0]
    assert df["output_tokens"].isna().iloc[1] and len(df.attrs["problems"]) == 3


@pytest.mark.parametrize(
    "body", [{"object": "usage", "byDay": []}, [1, 2], b"<html>nope</html>", b'{"trunc']
)
def test_a_body_that_is_not_usage_is_a_payload_error(serve, body):
    server = serve((200, body if isinstance(body, bytes) else json.dumps(body).encode(), None))
    with pytest.raises(PayloadError):
        usage(server)


def test_sample_usage_response_and_its_range_filter():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)
        whole = nf.load_account_usage(source="sample")
    week = nf.load_account_usage("2026-07-01", "2026-07-07", source="sample", today=TODAY)
    assert week.attrs["missing_rollup_days"] == []  # 07-31 is outside: not warned
    assert whole.attrs["missing_rollup_days"] == ["2026-07-31"]
    assert week["day"].max() == date(2026, 7, 7) and week.attrs["to"] == "2026-07-07"
    with pytest.raises(ConfigError):
        nf.load_account_usage("2026-07-01", "2027-01-01", source="sample", today=TODAY)


# ---- POST /check-balance -----------------------------------------------------------------------


def test_balance_numbers_served_as_text(serve):
    body = {"usd_balance": "129.46956147", "nano_balance": "26.71801147", "earned": "0"}
    server = serve((200, body, None))
    df = nf.load_balance(api_key=KEY, base_url=server.base_url)
    assert df["usd_balance"].iloc[0] == 129.46956147 and df["nano_balance"].iloc[0] == 26.71801147
    ((path, headers),) = server.requests
    assert path == "/api/check-balance" and headers["Authorization"] == f"Bearer {KEY}"
    assert str(df.dtypes["received_at"]) == "timestamp[us, tz=UTC][pyarrow]"


def test_balance_503_then_success_and_429_then_success(serve, no_sleep):
    server = serve((503, {"error": "busy"}, None), (429, {"message": "slow"}, {"Retry-After": "2"}),
                   (200, {"usd_balance": "1.5", "nano_balance": "bad"}, None))  # fmt: skip
    df = nf.load_balance(api_key=KEY, base_url=server.base_url)
    assert len(server.requests) == 3 and no_sleep[1] >= 2
    assert df["usd_balance"].iloc[0] == 1.5 and pd.isna(df["nano_balance"].iloc[0])
    assert df.attrs["problems"] == ["nano_balance 'bad' is not a number"]


def test_balance_key_echo_is_scrubbed(serve):
    server = serve((403, {"error": f"key {KEY} is disabled", "status": 403}, None))
    with pytest.raises(FetchError) as info:
        nf.load_balance(api_key=KEY, base_url=server.base_url)
    assert_key_nowhere(info.value)


# ---- GET /subscription/v1/usage ----------------------------------------------------------------

NAMED = {"active": True, "allowOverage": False, "limits": {"weeklyInputTokens": 60_000_000},
         "weeklyInputTokens": {"used": 41_234_567, "remaining": 18_765_433,
                               "percentUsed": 0.6872, "resetAt": 1785801600000},
         "state": "active"}  # fmt: skip
DAILY_MONTHLY = {"active": True, "limits": {"daily": 5000, "monthly": 60000},
                 "enforceDailyLimit": True,
                 "daily": {"used": 5, "remaining": 4995, "percentUsed": 0.001,
                           "resetAt": 1738540800000},
                 "monthly": {"used": 45, "remaining": 59955, "percentUsed": 0.00075,
                             "resetAt": 1739404800000},
                 "period": {"currentPeriodEnd": "2025-02-13T23:59:59.000Z"},
                 "state": "active", "graceUntil": None}  # fmt: skip


@pytest.mark.parametrize(("body", "shape", "quotas"), [
    (NAMED, "named", ["weeklyInputTokens"]),
    (DAILY_MONTHLY, "daily_monthly", ["daily", "monthly"])])  # fmt: skip
def test_subscription_usage_in_both_shapes(serve, no_sleep, body, shape, quotas):
    server = serve((503, {"error": "busy"}, None), (200, body, None))
    df = nf.load_subscription_usage(api_key=KEY, base_url=server.base_url)
    assert server.requests[-1][0] == "/api/subscription/v1/usage" and len(server.requests) == 2
    assert df["quota"].tolist() == quotas and df.attrs["shape"] == shape
    first = df.iloc[0]
    assert first["used"] + first["remaining"] == first["limit"]
    assert first["reset_at"] == pd.Timestamp(body[quotas[0]]["resetAt"], unit="ms", tz="UTC")


def test_subscription_usage_429_and_key_echo(serve, no_sleep):
    server = serve((429, {"message": "slow"}, {"Retry-After": "1"}), (200, NAMED, None))
    assert len(nf.load_subscription_usage(api_key=KEY, base_url=server.base_url)) == 1
    assert no_sleep[0] >= 1
    server = serve((401, {"error": {"message": f"bad key {KEY}"}}, None))
    with pytest.raises(FetchError) as info:
        nf.load_subscription_usage(api_key=KEY, base_url=server.base_url)
    assert_key_nowhere(info.value)


def test_subscription_usage_without_a_quota_is_a_payload_error(serve):
    server = serve((200, {"active": False}, None))
    with pytest.raises(PayloadError, match="no quota"):
        nf.load_subscription_usage(api_key=KEY, base_url=server.base_url)


def test_samples_of_balance_and_quota():
    assert nf.load_balance(source="sample")["usd_balance"].iloc[0] == 129.46956147
    quota = nf.load_subscription_usage(source="sample")
    assert quota["percent_used"].iloc[0] == 0.6872
