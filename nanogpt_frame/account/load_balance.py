"""``load_balance()``: the account's balance (``POST /check-balance``, numbers served as text)."""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from nanogpt_frame.account.keyed_request import (
    account_settings,
    fetch_account_json,
    saved_payload,
)
from nanogpt_frame.values import number_or_none

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("BALANCE_PATH", "balance_frame", "load_balance")

BALANCE_PATH = "/check-balance"
_NUMBERS = ("usd_balance", "nano_balance")


def balance_frame(payload: dict[str, Any], received_at: Any = None) -> pd.DataFrame:
    """One row: ``usd_balance`` and ``nano_balance`` as numbers (``<NA>`` when unreadable,
    named in ``attrs["problems"]``), then ``received_at``. Pure.

    >>> balance_frame({"usd_balance": "129.46956147", "nano_balance": "26.71801147"})[
    ...     "usd_balance"].iloc[0]
    129.46956147
    """
    import pyarrow as pa

    problems = []
    values: dict[str, Any] = {}
    for name in _NUMBERS:
        number = number_or_none(payload.get(name))
        if number is None or not math.isfinite(number):
            problems.append(f"{name} {payload.get(name)!r} is not a number")
            number = None
        values[name] = [number]
    stamp = pd.Timestamp(received_at or datetime.now(UTC))
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    table = pa.table(
        {**values, "received_at": [stamp.floor("us").to_pydatetime()]},
        schema=pa.schema(
            [
                ("usd_balance", pa.float64()),
                ("nano_balance", pa.float64()),
                ("received_at", pa.timestamp("us", tz="UTC")),
            ]
        ),
    )
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    df.attrs = {"table": "balance", "problems": problems}
    return df


def load_balance(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    source: str | os.PathLike[str] = "live",
    timeout: float = 30.0,
    deadline: float | None = None,
    retries: int = 4,
    client: httpx.Client | None = None,
) -> pd.DataFrame:
    """The account's balance now, with the key (required; never cached).

    Args:
        source: ``"live"``, ``"sample"`` (a synthetic answer) or a saved response's path.
        Others: as for ``load_account_usage``.

    Returns:
        One row: ``usd_balance``, ``nano_balance`` (float64; served as text, read exactly),
        ``received_at``.

    Raises:
        ConfigError: no key. FetchError: the request failed. PayloadError: not a balance.

    >>> load_balance(source="sample")["usd_balance"].iloc[0]
    129.46956147
    """
    text = os.fspath(source)
    if text != "live":
        payload, _ = saved_payload(text, "balance.json")
        df = balance_frame(payload, payload.get("_received_at"))
        df.attrs["source"] = text
        return df
    settings = account_settings(api_key, base_url, "the balance (POST /check-balance)")
    reply = fetch_account_json(
        settings,
        BALANCE_PATH,
        method="POST",
        timeout=timeout,
        deadline=deadline,
        retries=retries,
        client=client,
        max_age=0,
    )
    df = balance_frame(reply.payload, reply.received_at)
    df.attrs["source"] = "live"
    return df
