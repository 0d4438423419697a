"""``load_subscription_usage()``: the subscription's quotas (``GET /subscription/v1/usage``).

Two response shapes are served: the current one names each quota (``weeklyInputTokens:
{used, remaining, percentUsed, resetAt}`` with ``limits.weeklyInputTokens``), the documented
older one has ``daily`` and ``monthly`` windows (``limits.daily``, ``limits.monthly``). Both
become one row per quota. ``resetAt`` is epoch milliseconds.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any

import pandas as pd

from nanogpt_frame.account.keyed_request import (
    account_settings,
    fetch_account_json,
    saved_payload,
)
from nanogpt_frame.errors import PayloadError
from nanogpt_frame.values import number_or_none

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("SUBSCRIPTION_USAGE_PATH", "load_subscription_usage", "subscription_frame")

SUBSCRIPTION_USAGE_PATH = "/subscription/v1/usage"
_WINDOW_FIELDS = ("used", "remaining", "percentUsed", "resetAt")


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    number = number_or_none(value)
    return number if number is not None and math.isfinite(number) else None


def subscription_frame(payload: dict[str, Any]) -> pd.DataFrame:
    """One row per quota: ``quota``, ``limit``, ``used``, ``remaining``, ``percent_used`` (as
    served: a fraction in [0, 1] in the documented shape), ``reset_at`` (UTC). Pure.

    ``attrs`` keeps ``active``, ``state``, ``allow_overage``, ``period_end`` and ``shape``
    (``"named"`` or ``"daily_monthly"``).

    Raises:
        PayloadError: no quota object in the body.

    >>> subscription_frame({"active": True, "limits": {"daily": 5000},
    ...     "daily": {"used": 5, "remaining": 4995, "percentUsed": 0.001,
    ...               "resetAt": 1738540800000}})[["quota", "used", "remaining"]].to_dict("records")
    [{'quota': 'daily', 'used': 5.0, 'remaining': 4995.0}]
    """
    import pyarrow as pa

    limits: dict[str, Any] = _object(payload.get("limits"))
    quotas = [
        name
        for name, value in payload.items()
        if isinstance(value, dict) and name != "limits" and {"used", "remaining"} & set(value)
    ]
    if not quotas:
        raise PayloadError(
            "the subscription usage answer holds no quota (an object with used/remaining); "
            f"keys: {sorted(map(str, payload))[:8]}"
        )
    rows: dict[str, list[Any]] = {
        k: [] for k in ("quota", "limit", "used", "remaining", "percent_used", "reset_at")
    }
    for name in quotas:
        window = payload[name]
        rows["quota"].append(name)
        rows["limit"].append(_number(limits.get(name)))
        rows["used"].append(_number(window.get("used")))
        rows["remaining"].append(_number(window.get("remaining")))
        rows["percent_used"].append(_number(window.get("percentUsed")))
        reset = _number(window.get("resetAt"))
        rows["reset_at"].append(None if reset is None else int(reset * 1000))  # ms -> us
    schema = pa.schema(
        [
            ("quota", pa.string()),
            ("limit", pa.float64()),
            ("used", pa.float64()),
            ("remaining", pa.float64()),
            ("percent_used", pa.float64()),
            ("reset_at", pa.timestamp("us", tz="UTC")),
        ]
    )
    df = pa.table(rows, schema=schema).to_pandas(types_mapper=pd.ArrowDtype)
    period: dict[str, Any] = _object(payload.get("period"))
    df.attrs = {
        "table": "subscription_usage",
        "shape": "daily_monthly" if set(quotas) <= {"daily", "monthly"} else "named",
        "active": payload.get("active"),
        "state": payload.get("state"),
        "allow_overage": payload.get("allowOverage"),
        "period_end": period.get("currentPeriodEnd"),
    }
    return df


def load_subscription_usage(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    source: str | os.PathLike[str] = "live",
    timeout: float = 30.0,
    deadline: float | None = None,
    retries: int = 4,
    client: httpx.Client | None = None,
) -> pd.DataFrame:
    """How much of the subscription's quotas is used, with the key (required; never cached).

    Args:
        source: ``"live"``, ``"sample"`` (a synthetic answer) or a saved response's path.
        Others: as for ``load_account_usage``.

    Returns:
        One row per quota (see ``subscription_frame``), whichever response shape was served.

    >>> quota = load_subscription_usage(source="sample")
    >>> quota["quota"].tolist()
    ['weeklyInputTokens']
    """
    text = os.fspath(source)
    if text != "live":
        df = subscription_frame(saved_payload(text, "subscription_usage.json")[0])
        df.attrs["source"] = text
        return df
    settings = account_settings(api_key, base_url, "the subscription usage API")
    reply = fetch_account_json(
        settings,
        SUBSCRIPTION_USAGE_PATH,
        timeout=timeout,
        deadline=deadline,
        retries=retries,
        client=client,
        max_age=0,
    )
    df = subscription_frame(reply.payload)
    df.attrs.update({"source": "live", "received_at": reply.received_at.isoformat()})
    return df
