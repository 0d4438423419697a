"""``reconcile()``: what the catalog says the traffic cost against what NanoGPT billed. Pure.

Two sources of "billed": the bill of each logged response (``billed_usd`` from
``x_nanogpt_pricing``, read by ``read_responses``) or the usage API's daily spend per model
label (``load_account_usage``), matched to catalog ids by name. One row per group, a status,
and for every mismatch the likeliest explanation the data supports (``reconcile_explain``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import unique_models
from nanogpt_frame.usage.match_labels import label_key, match_labels
from nanogpt_frame.usage.reconcile_explain import Group, close, explain, unpriced_reason

__all__ = ("RECONCILE_OUTPUT", "reconcile")

#: The columns after the group keys, in order.
RECONCILE_OUTPUT = (
    "requests",
    "expected_usd",
    "billed_usd",
    "difference_usd",
    "relative_difference",
    "status",
    "explanation",
    "list_usd",
    "unpriced_requests",
    "unbilled_requests",
    "billed_requests",
    "refunded_usd",
)
_TOKENS = ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens")
_SHORT = {"input_tokens": "input", "output_tokens": "output", "cached_tokens": "cached",
          "cache_write_tokens": "cache_write"}  # fmt: skip


def _floats(series: pd.Series | None, n: int) -> np.ndarray:
    if series is None:
        return np.full(n, np.nan)
    values = pd.to_numeric(series.astype(object), errors="coerce")
    return np.asarray(values, dtype=np.float64)


def _rows(costed: pd.DataFrame) -> pd.DataFrame:
    """The costed frame narrowed to what reconciling reads, under fixed names."""
    if not {"cost", "list_cost", "unpriced_reason"} <= set(costed.columns):
        raise ConfigError("reconcile needs a costed frame (from nanogpt_frame.cost_usage)")
    names = costed.attrs.get("usage_columns")
    names = names if isinstance(names, dict) else {}
    n = len(costed)

    def column(name: str) -> pd.Series | None:
        real = names.get(name, name)
        return costed[real] if real in costed.columns else None  # type: ignore[return-value]

    stamps = pd.to_datetime(costed[names.get("timestamp", "timestamp")], utc=True)
    rows = pd.DataFrame(
        {
            "day": stamps.dt.date.to_numpy(),
            "model": column("model").astype(str).to_numpy(),  # type: ignore[union-attr]
            "expected": _floats(costed["cost"], n),
            "list": _floats(costed["list_cost"], n),
            "billed": _floats(column("billed_usd"), n),
            "reason": costed["unpriced_reason"].astype(object).to_numpy(),
            "basis": costed["price_basis"].astype(object).to_numpy()
            if "price_basis" in costed.columns
            else None,
            "in_sub": _floats(costed.get("in_subscription"), n),
            "snapshot": pd.to_datetime(costed["price_snapshot_at"], utc=True).to_numpy()
            if "price_snapshot_at" in costed.columns
            else np.full(n, np.datetime64("NaT")),
            "p_prompt": _floats(costed.get("price_prompt"), n),
            "p_completion": _floats(costed.get("price_completion"), n),
            "p_cache_read": _floats(costed.get("price_cache_read"), n),
            "p_cache_write": _floats(costed.get("price_cache_write"), n),
        }
    )
    for name in _TOKENS:
        rows[_SHORT[name]] = np.nan_to_num(_floats(column(name), n))
    for name in ("provider", "payment_source", "request_id"):
        values = column(name)
        rows[name] = (
            values.astype(object).where(values.notna(), None).to_numpy()
            if values is not None
            else None
        )
    rows["provider"] = rows["provider"].where(rows["provider"].astype(str).str.strip() != "", None)
    rows.loc[rows["reason"].isna() & np.isnan(rows["expected"]), "reason"] = "unpriced"
    rows.loc[rows["reason"].notna(), "expected"] = np.nan
    return rows


def _keys(by: Iterable[str] | str) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by)
    if len(set(keys)) != len(keys):
        raise ConfigError(f"by {keys!r} names a column twice")
    return keys


def _sum_known(values: pd.Series, unknown: pd.Series) -> float:
    return math.nan if unknown.any() else float(values.sum())


def _status(expected: float, billed: float, tolerance: float) -> str:
    if close(expected, billed, tolerance):
        return "match"
    return "over" if billed > expected else "under"


def _group(rows: pd.DataFrame, keys: list[str]) -> dict[tuple[Any, ...], pd.DataFrame]:
    if not keys:
        return {(): rows}
    grouped = rows.groupby(keys, sort=True, dropna=False)
    return {(k if isinstance(k, tuple) else (k,)): part for k, part in grouped}


def reconcile(
    costed: pd.DataFrame,
    billed: pd.DataFrame | None = None,
    *,
    by: Iterable[str] | str = ("day", "model"),
    tolerance: float = 0.01,
    models: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expected (catalog) against billed (NanoGPT) per group, with a status and the likeliest
    explanation the data supports.

    Args:
        costed: a ``cost_usage`` result; with ``billed=None`` it must carry ``billed_usd``
            (``read_responses`` logs do).
        billed: ``None`` (each row's own ``billed_usd``) or an account-usage frame
            (``load_account_usage``), matched to the log by model label: each catalog id's
            ``name`` from ``models``, compared as ``match_labels`` does.
        by: group keys: ``day`` (UTC), ``model``, or (``billed=None``) any costed column.
        tolerance: the relative difference still called a ``match`` (1% by default);
            differences of at most 1e-6 USD always match.
        models: the catalog or history whose names label the ids (needed with ``billed``).

    Returns:
        One row per group: the keys, ``requests`` (logged), ``expected_usd`` (the ``cost``
        column: 0 where the subscription covered the model; ``<NA>`` when any request is
        unpriced), ``billed_usd`` (``<NA>`` when any request's bill is unknown),
        ``difference_usd`` (billed - expected), ``relative_difference`` (of expected),
        ``status`` (``match``, ``over``, ``under``, ``unpriced``, ``unbilled``, ``unmatched``),
        ``explanation`` (``likely:``/``possible:``/``unexplained:`` with the reasoning), then
        ``list_usd``, ``unpriced_requests``, ``unbilled_requests``, ``billed_requests`` and
        ``refunded_usd`` (the usage API's counts). ``attrs["totals"]`` adds the rows up:
        ``difference_usd`` = ``compared_billed_usd`` - ``compared_expected_usd``.

    Raises:
        ConfigError: not a costed frame, no ``billed_usd`` and no ``billed``, an unknown key,
            a bad tolerance, or ``billed`` without ``models``.

    >>> import nanogpt_frame as nf
    >>> from nanogpt_frame.sample import sample_responses_path
    >>> costed = nf.cost_usage(nf.read_responses(sample_responses_path()), "sample")
    >>> sorted(set(reconcile(costed)["status"]))
    ['match', 'over', 'unbilled', 'under', 'unpriced']
    """
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance >= 0):
        raise ConfigError(f"tolerance must be a finite number >= 0, not {tolerance!r}")
    keys = _keys(by)
    rows = _rows(costed)
    if billed is None:
        names = costed.attrs.get("usage_columns") or {}
        if names.get("billed_usd", "billed_usd") not in costed.columns:
            raise ConfigError(
                "costed has no billed_usd column: cost a read_responses() log, or pass "
                "billed= (an account-usage frame from load_account_usage)"
            )
        for key in keys:
            if key not in rows.columns and key not in costed.columns:
                raise ConfigError(f"cannot group by {key!r}: no such column")
            if key not in rows.columns:
                rows[key] = costed[key].astype(object).to_numpy()
        out = _per_row(rows, keys, tolerance)
    else:
        if models is None:
            raise ConfigError(
                "reconciling against the usage API needs models= (a catalog or history): "
                "its labels are model names, not ids"
            )
        unknown = [k for k in keys if k not in ("day", "model")]
        if unknown:
            raise ConfigError(
                f"against account usage, by may hold day and model only, not {unknown}"
            )
        out = _against_spend(rows, billed, models, keys, tolerance)
    return _finish(out, keys)


def _per_row(rows: pd.DataFrame, keys: list[str], tolerance: float) -> list[dict[str, Any]]:
    out = []
    for key, part in _group(rows, keys).items():
        unpriced = part["reason"].notna()
        unbilled = np.isnan(part["billed"].to_numpy())
        expected = _sum_known(part["expected"], unpriced)
        bill = math.nan if unbilled.any() else float(part["billed"].sum())
        record: dict[str, Any] = dict(zip(keys, key, strict=True))
        record.update(
            requests=len(part),
            expected_usd=expected,
            billed_usd=bill,
            list_usd=_sum_known(part["list"], unpriced),
            unpriced_requests=int(unpriced.sum()),
            unbilled_requests=int(unbilled.sum()),
        )
        if unpriced.any():
            record["status"] = "unpriced"
            record["explanation"] = unpriced_reason(part, row_billed=True, tolerance=tolerance)
        elif unbilled.any():
            record["status"] = "unbilled"
            record["explanation"] = (
                f"{int(unbilled.sum())} of {len(part)} logged response(s) carry no "
                "x_nanogpt_pricing cost or amount: billed unknown (log whole responses, or "
                "reconcile against load_account_usage)"
            )
        else:
            record["status"] = _status(expected, bill, tolerance)
            record["explanation"] = (
                "billed matches the catalog price within the tolerance"
                if record["status"] == "match"
                else explain(Group(part, expected, bill, row_billed=True), tolerance)
            )
        out.append(record)
    return out


def _names_of(models: pd.DataFrame) -> dict[str, str]:
    """Each id's latest name (its name in the newest snapshot)."""
    latest = unique_models(models[[c for c in ("snapshot_at", "source_endpoint", "id", "name")
                                   if c in models.columns]])  # fmt: skip
    return dict(zip(latest["id"].astype(str), latest["name"].astype(str), strict=True))


def _against_spend(
    rows: pd.DataFrame,
    billed: pd.DataFrame,
    models: pd.DataFrame,
    keys: list[str],
    tolerance: float,
) -> list[dict[str, Any]]:
    if not {"model", "cost_usd"} <= set(billed.columns) or ("day" in keys and "day" not in billed):
        raise ConfigError(
            "billed must be an account-usage frame (load_account_usage, grouped by day,model)"
        )
    names = _names_of(models)
    labels = match_labels(billed, models)
    verdict = dict(zip(labels["label"], labels["match"], strict=True))
    rows = rows.assign(label=[names.get(m, m) for m in rows["model"]])
    rows["key"] = rows["label"].map(label_key)
    spend = pd.DataFrame(
        {
            "day": billed["day"].astype(object).to_numpy() if "day" in billed else None,
            "label": billed["model"].astype(str).to_numpy(),
            "cost": _floats(billed["cost_usd"], len(billed)),
            "refunded": _floats(billed.get("refunded_usd"), len(billed)),
            "requests": _floats(billed.get("requests"), len(billed)),
        }
    )
    spend["key"] = spend["label"].map(label_key)
    group_keys = [{"model": "key"}.get(k, k) for k in keys]
    mine = _group(rows, group_keys)
    theirs = _group(spend, group_keys)
    missing_days = set(billed.attrs.get("missing_rollup_days") or [])
    out = []
    for key in sorted(set(mine) | set(theirs), key=lambda k: tuple(map(str, k))):
        part, bill_part = mine.get(key), theirs.get(key)
        record: dict[str, Any] = dict(zip(keys, key, strict=True))
        if "model" in keys:
            either = bill_part if bill_part is not None else part
            record["model"] = either["label"].iloc[0]  # type: ignore[index]
        if bill_part is not None:
            record["billed_usd"] = float(bill_part["cost"].sum())
            record["refunded_usd"] = float(np.nansum(bill_part["refunded"]))
            record["billed_requests"] = float(bill_part["requests"].sum())
        if part is None:
            label = record.get("model", "")
            how = verdict.get(label, "none")
            record.update(requests=0, status="unmatched", expected_usd=math.nan)
            record["explanation"] = (
                "no logged request matches this usage label, and no catalog model is named so "
                "(match_labels: none)"
                if how == "none"
                else f"the catalog names this label ({how} match), but the log holds no "
                "request for it here"
            ) + "; traffic from another client of this key, or a gap in the log"
            out.append(record)
            continue
        unpriced = part["reason"].notna()
        expected = _sum_known(part["expected"], unpriced)
        record.update(
            requests=len(part),
            expected_usd=expected,
            list_usd=_sum_known(part["list"], unpriced),
            unpriced_requests=int(unpriced.sum()),
        )
        day = key[keys.index("day")] if "day" in keys else None
        if unpriced.any():
            record["status"] = "unpriced"
            record["explanation"] = unpriced_reason(part, row_billed=False, tolerance=tolerance)
        elif bill_part is None:
            record["status"] = "unbilled"
            record["unbilled_requests"] = len(part)
            gap = day is not None and str(day) in missing_days
            record["explanation"] = (
                f"the usage API counts none of these {len(part)} logged request(s)"
                + (
                    ": likely because this day is a missing rollup day (the API could not count "
                    "it yet); try again later"
                    if gap
                    else ": sent with another key, or not yet counted"
                )
            )
        else:
            bill = record["billed_usd"]
            record["status"] = _status(expected, bill, tolerance)
            group = Group(
                part,
                expected,
                bill,
                row_billed=False,
                refunded=record["refunded_usd"],
                billed_requests=record["billed_requests"],
            )
            record["explanation"] = (
                "billed matches the catalog price within the tolerance"
                if record["status"] == "match"
                else explain(group, tolerance)
            )
        out.append(record)
    return out


def _finish(records: list[dict[str, Any]], keys: list[str]) -> pd.DataFrame:
    import pyarrow as pa

    df = pd.DataFrame(records, columns=[*keys, *RECONCILE_OUTPUT])
    money = ("expected_usd", "billed_usd", "list_usd", "refunded_usd")
    for column in money:
        df[column] = np.round(pd.to_numeric(df[column], errors="coerce").astype(float), 12)
    df["difference_usd"] = np.round(df["billed_usd"] - df["expected_usd"], 12)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = df["difference_usd"] / df["expected_usd"]
    df["relative_difference"] = relative.where(df["expected_usd"] != 0)
    compared = df["status"].isin(["match", "over", "under"])
    totals = {
        "groups": len(df),
        "requests": int(df["requests"].sum()),
        "expected_usd": float(np.round(df["expected_usd"].sum(), 12)),
        "billed_usd": float(np.round(df["billed_usd"].sum(), 12)),
        "compared_expected_usd": float(np.round(df.loc[compared, "expected_usd"].sum(), 12)),
        "compared_billed_usd": float(np.round(df.loc[compared, "billed_usd"].sum(), 12)),
        "difference_usd": float(np.round(df.loc[compared, "difference_usd"].sum(), 12)),
        "by_status": {s: int(n) for s, n in df["status"].value_counts().sort_index().items()},
    }
    types: dict[str, Any] = {
        "requests": pa.int64(),
        "unpriced_requests": pa.int64(),
        "unbilled_requests": pa.int64(),
        "billed_requests": pa.int64(),
        "status": pa.string(),
        "explanation": pa.string(),
        **{c: pa.float64() for c in (*money, "difference_usd", "relative_difference")},
    }
    if "model" in keys:
        types["model"] = pa.string()
    if "day" in keys:
        types["day"] = pa.date32()
    for column, kind in types.items():
        values = df[column].astype(object).where(df[column].notna(), None)
        if pa.types.is_floating(kind):
            values = values.where(~df[column].astype(float).isna(), None)
        df[column] = pd.arrays.ArrowExtensionArray(pa.array(values.tolist(), type=kind))
    df.attrs = {"table": "reconciliation", "by": keys, "totals": totals}
    return df
