"""``load_account_usage()``: what NanoGPT counted for this key, per UTC day and model label."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from nanogpt_frame.account.keyed_request import (
    account_settings,
    fetch_account_json,
    saved_payload,
)
from nanogpt_frame.account.usage_dates import DateLike, group_by_text, usage_range
from nanogpt_frame.account.usage_frame import account_usage_frame

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("USAGE_PATH", "load_account_usage")

USAGE_PATH = "/v1/usage"


def load_account_usage(
    start: DateLike | None = None,
    end: DateLike | None = None,
    *,
    group_by: str | Iterable[str] = "day,model",
    api_key: str | None = None,
    base_url: str | None = None,
    source: str | os.PathLike[str] = "live",
    max_age: float | None = None,
    timeout: float = 30.0,
    deadline: float | None = 90.0,
    retries: int = 6,
    client: httpx.Client | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """The account's spend as NanoGPT counted it: ``GET <base>/v1/usage``, one row per bucket.

    Args:
        start, end: UTC days (``YYYY-MM-DD``, dates or datetimes), ``end`` inclusive, at most
            366 days, not in the future; checked before any request. Neither: the last 30
            days; only ``start``: up to today; only ``end``: the 30 days ending there.
        group_by: ``"day,model"`` (default), ``"day"`` or ``"model"``.
        api_key: the key (else ``NANOGPT_API_KEY``); required. Sent only in a header.
        source: ``"live"``, ``"sample"`` (the bundled synthetic response, filtered to the
            range when one is given) or the path of a saved response.
        max_age: reuse a cached response younger than this many seconds (default 300; 0:
            never). The cache is scoped by the key's fingerprint and the query.
        timeout, deadline, retries: per request, for the whole load (a ``503
            usage_not_ready`` is retried until it), retries per request.
        today: the current UTC day (for tests; default: now).

    Returns:
        Columns ``day`` (date32), ``model`` (the label as served), ``requests``, ``cost_usd``,
        ``refunded_usd``, ``net_cost_usd``, ``input_tokens``, ``output_tokens``,
        ``reasoning_tokens``, ``total_tokens``. ``attrs``: ``from``, ``to``, ``as_of``,
        ``totals`` (as served: bucket sums can differ slightly, since ``netCostUsd`` is
        floored at 0 per bucket), ``missing_rollup_days`` (also warned), ``problems``.

    Raises:
        ConfigError: no key, or a bad range or grouping (no request is made).
        FetchError: the request failed, or the rollup was still not ready at the deadline.
        PayloadError: the answer is not a usage response.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as said:  # the sample has a missing rollup day
    ...     warnings.simplefilter("always")
    ...     spend = load_account_usage(source="sample")
    >>> spend.attrs["from"], spend.attrs["missing_rollup_days"], "rollup" in str(said[0].message)
    ('2026-07-01', ['2026-07-31'], True)
    """
    grouping = group_by_text(group_by)
    text = os.fspath(source)
    if text != "live":
        first_last = usage_range(start, end, today=today) if (start or end) else None
        payload, where = saved_payload(text, "usage.json")
        df = account_usage_frame(payload, group_by=grouping, source=where, within=first_last)
        df.attrs.update({"source": "sample" if text == "sample" else text, "from_cache": False})
        return df
    first, last = usage_range(start, end, today=today)  # before the key: nothing is sent
    settings = account_settings(api_key, base_url, "the usage API (GET /v1/usage)")
    params = {"from": first.isoformat(), "to": last.isoformat(), "group_by": grouping}
    reply = fetch_account_json(
        settings,
        USAGE_PATH,
        params,
        timeout=timeout,
        deadline=deadline,
        retries=retries,
        client=client,
        max_age=max_age,
        not_ready="usage_not_ready",
    )
    df = account_usage_frame(reply.payload, group_by=grouping, source=reply.url)
    df.attrs.update(
        {
            "source": "live",
            "base_url": settings.base_url,
            "from": df.attrs.get("from") or params["from"],
            "to": df.attrs.get("to") or params["to"],
            "received_at": reply.received_at.isoformat(),
            "from_cache": reply.from_cache,
        }
    )
    return df
