"""A ``GET /v1/usage`` body as the typed account-usage frame. Pure: no I/O.

One row per bucket of the chosen grouping (``byDayModel``, ``byDay`` or ``byModel``), the model
label kept as served (a public label such as "GPT-4.1 mini", not a catalog id). Counters the
bucket lacks or that are unreadable are ``<NA>``, never 0, and recorded in ``attrs["problems"]``.
"""

from __future__ import annotations

import math
import warnings
from datetime import date
from typing import Any

import pandas as pd

from nanogpt_frame.errors import CatalogWarning, PayloadError
from nanogpt_frame.schema import (
    ACCOUNT_USAGE_COLUMNS,
    ACCOUNT_USAGE_FIELDS,
    ACCOUNT_USAGE_GROUPS,
    SCHEMA_VERSION,
    account_arrow_schema,
)
from nanogpt_frame.values import number_or_none

__all__ = ("account_usage_frame", "money")

_INTEGER_COLUMNS = {name for name, kind in ACCOUNT_USAGE_COLUMNS if kind == "int64"}


def money(value: float | None) -> float | None:
    """USD rounded to 1e-12 (no binary noise); ``None`` stays ``None``.

    >>> money(0.1 + 0.2)
    0.3
    """
    if value is None or not math.isfinite(value):
        return None
    return round(value, 12) + 0.0


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _days(values: Any) -> list[str]:
    """A served list of days as sorted ISO dates (unreadable entries dropped)."""
    if not isinstance(values, list):
        return []
    return sorted({d.isoformat() for d in map(_day, values) if d is not None})


def _counter(bucket: dict[str, Any], column: str, problems: list[str], where: str) -> Any:
    field = ACCOUNT_USAGE_FIELDS[column]
    if field not in bucket:
        problems.append(f"{where}: no {field}")
        return None
    number = number_or_none(bucket[field])
    if number is None or not math.isfinite(number) or number < 0:
        problems.append(f"{where}: {field} {bucket[field]!r} is not a number")
        return None
    if column in _INTEGER_COLUMNS:
        if number != math.floor(number) or number > 2**63 - 1:
            problems.append(f"{where}: {field} {bucket[field]!r} is not a whole count")
            return None
        return int(number)
    return money(number)


def account_usage_frame(
    payload: dict[str, Any],
    *,
    group_by: str = "day,model",
    source: str = "usage API",
    within: tuple[date, date] | None = None,
) -> pd.DataFrame:
    """The account-usage frame of one ``GET /v1/usage`` response (a parsed JSON object).

    Missing rollup days (``source.missingRollupDays``: days the API could not count yet) are
    warned (``CatalogWarning``) and listed in ``attrs["missing_rollup_days"]``. ``within``
    (first, last day) keeps only the buckets and missing days of that range (a saved answer
    read for part of its range).

    Raises:
        PayloadError: the body holds no list of buckets for ``group_by``.

    >>> body = {"object": "usage", "from": "2026-08-01", "to": "2026-08-01", "groupBy": "day,model",
    ...         "byDayModel": [{"date": "2026-08-01", "model": "GPT-4.1 mini", "requests": 2,
    ...                         "costUsd": 0.5, "refundedUsd": 0, "netCostUsd": 0.5,
    ...                         "inputTokens": 10, "outputTokens": 5, "reasoningTokens": 0,
    ...                         "totalTokens": 15}]}
    >>> account_usage_frame(body)[["day", "model", "cost_usd"]].to_dict("records")
    [{'day': datetime.date(2026, 8, 1), 'model': 'GPT-4.1 mini', 'cost_usd': 0.5}]
    """
    import pyarrow as pa

    key = ACCOUNT_USAGE_GROUPS[group_by]
    buckets = payload.get(key)
    if not isinstance(buckets, list):
        served = sorted(
            k for k in ACCOUNT_USAGE_GROUPS.values() if isinstance(payload.get(k), list)
        )
        raise PayloadError(
            f"{source} holds no {key!r} list for group_by={group_by!r}"
            + (f" (it has {served})" if served else "")
        )
    problems: list[str] = []
    rows: dict[str, list[Any]] = {name: [] for name, _ in ACCOUNT_USAGE_COLUMNS}
    for i, bucket in enumerate(buckets):
        where = f"{key}[{i}]"
        if not isinstance(bucket, dict):
            problems.append(f"{where} is not an object; skipped")
            continue
        day = _day(bucket.get("date", bucket.get("day"))) if "day" in group_by else None
        if "day" in group_by and day is None:
            problems.append(f"{where}: date {bucket.get('date')!r} is not a day")
        label = bucket.get("model") if "model" in group_by else None
        if "model" in group_by and not isinstance(label, str):
            problems.append(f"{where}: model {label!r} is not a label")
            label = None
        rows["day"].append(day)
        rows["model"].append(label)
        for column in ACCOUNT_USAGE_FIELDS:
            rows[column].append(_counter(bucket, column, problems, where))
    table = pa.table(rows, schema=account_arrow_schema(ACCOUNT_USAGE_COLUMNS))
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    info: dict[str, Any] = _object(payload.get("source"))
    missing = _days(info.get("missingRollupDays"))
    if within is not None:
        first, last = within
        if "day" in group_by:
            keep = ((df["day"] >= first) & (df["day"] <= last)).fillna(False).astype(bool)
            df = df[keep].reset_index(drop=True)
        missing = [d for d in missing if first.isoformat() <= d <= last.isoformat()]
    totals = _object(payload.get("totals"))
    df.attrs = {
        "table": "account_usage",
        "schema_version": SCHEMA_VERSION,
        "group_by": group_by,
        "from": within[0].isoformat() if within else payload.get("from"),
        "to": within[1].isoformat() if within else payload.get("to"),
        "as_of": payload.get("asOf"),
        "timezone": payload.get("timezone", "UTC"),
        "totals": {
            column: _counter(totals, column, [], "totals") for column in ACCOUNT_USAGE_FIELDS
        },
        "rollup_days": _days(info.get("rollupDays")),
        "live_days": _days(info.get("liveDays")),
        "missing_rollup_days": missing,
        "problems": problems,
    }
    if missing:
        warnings.warn(
            f"the usage API could not count {len(missing)} day(s) yet (missing rollup days: "
            f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}); their spend is "
            "absent or partial, see attrs['missing_rollup_days']",
            CatalogWarning,
            stacklevel=3,
        )
    if problems:
        warnings.warn(
            f"{source}: {len(problems)} unreadable value(s), kept as <NA> (first: "
            f"{problems[0]}); see attrs['problems']",
            CatalogWarning,
            stacklevel=3,
        )
    return df
