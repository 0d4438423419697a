"""Usage costing: every usage row priced at the prices in force when it happened. Pure.

The join is vectorised: each (model, time) becomes one integer key and a single
``numpy.searchsorted`` over the sorted (model, snapshot) keys finds, for every row at once, the
last snapshot at or before it that lists the model. No Python loop runs per row.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..frame.catalog import per_snapshot_models, require_columns

__all__ = ("OUTPUT_COLUMNS", "TOKEN_COLUMNS", "USAGE_COLUMNS", "cost_usage_frame", "usage_names")

TOKEN_COLUMNS = ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens")
USAGE_COLUMNS = ("timestamp", "model", *TOKEN_COLUMNS, "provider")
OUTPUT_COLUMNS = (
    "price_snapshot_at",
    "price_basis",
    "price_prompt",
    "price_completion",
    "price_cache_read",
    "price_cache_write",
    "cache_price_assumed",
    "in_subscription",
    "list_cost",
    "cost",
    "unpriced_reason",
)
_PRICES = ("price_prompt", "price_completion", "price_cache_read", "price_cache_write")


def usage_names(columns: Mapping[str, str] | None) -> dict[str, str]:
    """Contract name -> the caller's column name (unmapped names stand for themselves)."""
    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(USAGE_COLUMNS))
    if unknown:
        raise ConfigError(f"columns= maps unknown names {unknown}; known: {list(USAGE_COLUMNS)}")
    return {name: mapping.get(name, name) for name in USAGE_COLUMNS}


def _tokens(usage: pd.DataFrame, column: str | None, name: str) -> np.ndarray:
    """A token column as int64: empty cells count as 0; anything else must be a whole count."""
    if column is None or column not in usage.columns:
        return np.zeros(len(usage), dtype=np.int64)
    raw = usage[column]
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    given = raw.notna().to_numpy() & (raw.astype("string").str.strip() != "").fillna(False)
    bad = given & ~(np.isfinite(numbers) & (numbers >= 0) & (numbers == np.floor(numbers)))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ConfigError(
            f"usage row {usage.index[row]!r}: {column} ({name}) must be a whole, non-negative "
            f"number of tokens, not {raw.iloc[row]!r}"
        )
    return np.where(given, np.nan_to_num(numbers), 0).astype(np.int64)


def _times(usage: pd.DataFrame, column: str) -> np.ndarray:
    """The timestamp column as UTC microseconds (naive means UTC; aware: any zone)."""
    raw = usage[column]
    if isinstance(raw.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(raw):
        stamps = pd.to_datetime(raw, utc=True)
    else:
        try:
            stamps = pd.to_datetime(raw, utc=True, format="ISO8601")
        except (ValueError, TypeError):
            stamps = pd.to_datetime(raw, utc=True, errors="coerce", format="mixed")
    missing = stamps.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise ConfigError(
            f"usage row {usage.index[row]!r}: {column} {raw.iloc[row]!r} is not a time"
        )
    naive = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return naive.to_numpy(dtype="datetime64[us]").view("int64")


def _price_table(prices: pd.DataFrame) -> pd.DataFrame:
    """One row per (snapshot, model): the canonical row of each model in each snapshot."""
    require_columns(
        prices,
        ("snapshot_at", "id", "source_endpoint", *_PRICES, "in_subscription"),
        what="cost_usage",
    )
    table = per_snapshot_models(prices)[["snapshot_at", "id", *_PRICES, "in_subscription"]]
    return table.dropna(subset=["snapshot_at", "id"])


def _asof(
    codes_left: np.ndarray, times_left: np.ndarray, codes_right: np.ndarray, times_right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row in the right table or -1, before_history flag) for each left row.

    The right table is sorted by (code, time). A left row takes the last right row of its code
    at or before its time; before the first, that first row (flagged); a code with no right
    rows (``-1`` or absent) gets -1.
    """
    n = len(codes_right)
    found = np.full(len(codes_left), -1, dtype=np.int64)
    early = np.zeros(len(codes_left), dtype=bool)
    if n == 0:
        return found, early
    t0 = min(times_left.min(initial=0), times_right.min())
    span = int(max(times_left.max(initial=0), times_right.max()) - t0) + 1
    if span * (int(codes_right.max()) + 2) < 2**62:  # one integer key: a single searchsorted
        right = codes_right.astype(np.int64) * span + (times_right - t0)
        left = codes_left.astype(np.int64) * span + (times_left - t0)
        pos = np.searchsorted(right, left, side="right") - 1
    else:  # a time span too wide for one key: search per code
        pos = np.full(len(codes_left), -1, dtype=np.int64)
        for code in np.unique(codes_left[codes_left >= 0]):
            rows = codes_left == code
            lo, hi = np.searchsorted(codes_right, [code, code + 1])
            pos[rows] = lo + np.searchsorted(times_right[lo:hi], times_left[rows], "right") - 1
    known = codes_left >= 0
    same = known & (pos >= 0)
    same[same] = codes_right[pos[same]] == codes_left[same]
    found[same] = pos[same]
    first = np.searchsorted(codes_right, codes_left, side="left")
    listed = known & ~same & (first < n)
    listed[listed] = codes_right[first[listed]] == codes_left[listed]
    found[listed] = first[listed]
    early[listed] = True
    return found, early


def _lookup(ids: pd.Series, times: np.ndarray, table: pd.DataFrame, key: list[str]):
    """Row of ``table`` (sorted by key, snapshot_at) in force for each usage row, and flags."""
    table = table.sort_values([*key, "snapshot_at"], kind="stable").reset_index(drop=True)
    labels = (
        table[key[0]].astype(str)
        if len(key) == 1
        else (table[key[0]].astype(str) + "\x00" + table[key[1]].astype(str))
    )
    categories = pd.Index(labels.unique())
    right_codes = categories.get_indexer(labels)
    uniques_codes, uniques = pd.factorize(ids, use_na_sentinel=False)  # few distinct models
    left_codes = categories.get_indexer(uniques)[uniques_codes]
    right_times = table["snapshot_at"].astype("int64[pyarrow]").to_numpy()
    found, early = _asof(left_codes, times, right_codes, right_times)
    return table, found, early


def _take(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``column`` (numbers or booleans) as float64 at ``rows``; NaN where unknown or ``-1``."""
    values = column.astype("float64[pyarrow]").to_numpy(dtype="float64", na_value=np.nan)
    out = np.full(len(rows), np.nan)
    hit = rows >= 0
    out[hit] = values[rows[hit]]
    return out


def cost_usage_frame(
    usage: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    routes: pd.DataFrame | None = None,
    columns: Mapping[str, str] | None = None,
    subscription: bool = True,
    input_includes_cached: bool = False,
) -> pd.DataFrame:
    """Price usage rows from frames (see ``nanogpt_frame.cost_usage`` for the whole contract)."""
    names = usage_names(columns)
    for required in ("timestamp", "model"):
        if names[required] not in usage.columns:
            raise ConfigError(
                f"usage has no {required!r} column ({names[required]!r}); map it "
                f"with columns={{'{required}': 'your column'}}"
            )
    clash = sorted(set(OUTPUT_COLUMNS) & set(usage.columns))
    if clash:
        raise ConfigError(f"usage already has columns named {clash}; rename them first")
    tokens = {n: _tokens(usage, names[n], n) for n in TOKEN_COLUMNS}
    if input_includes_cached:
        tokens["input_tokens"] = tokens["input_tokens"] - tokens["cached_tokens"]
        if (tokens["input_tokens"] < 0).any():
            row = int(np.flatnonzero(tokens["input_tokens"] < 0)[0])
            raise ConfigError(
                f"usage row {usage.index[row]!r}: cached tokens exceed the input "
                "tokens that should include them"
            )
    times = _times(usage, names["timestamp"])
    models = usage[names["model"]].astype("string").fillna("")
    table, found, early = _lookup(models, times, _price_table(prices), ["id"])
    single = table["snapshot_at"].nunique() <= 1
    got = {c: _take(table[c], found) for c in _PRICES}
    in_sub = _take(table["in_subscription"], found)  # 1.0, 0.0 or NaN (unknown)
    stamp = _take(table["snapshot_at"].astype("int64[pyarrow]"), found)
    basis = np.where(found < 0, None, np.where(early, "before_history", "as_of")).astype(object)
    if single:
        basis[found >= 0] = "catalog"
    reason = np.where(found < 0, "unknown model", None).astype(object)
    provider_col = names["provider"]
    chosen = np.zeros(len(usage), dtype=bool)
    if provider_col in usage.columns:
        provider = usage[provider_col].astype("string").fillna("").str.strip()
        chosen = (provider != "").to_numpy()
    if chosen.any() and routes is not None:
        route_table = routes.dropna(subset=["provider"])[
            ["snapshot_at", "model_id", "provider", "price_prompt", "price_completion"]
        ]
        route_ids = models.where(pd.Series(chosen, index=usage.index), "") + "\x00" + provider
        rt, rfound, rearly = _lookup(route_ids, times, route_table, ["model_id", "provider"])
        rfound = np.where(chosen, rfound, -1)
        for column in ("price_prompt", "price_completion"):
            got[column] = np.where(chosen, _take(rt[column], rfound), got[column])
        for column in ("price_cache_read", "price_cache_write"):  # routes list no cache prices
            got[column] = np.where(chosen, np.nan, got[column])
        stamp = np.where(chosen, _take(rt["snapshot_at"].astype("int64[pyarrow]"), rfound), stamp)
        rbasis = np.where(rfound < 0, None, np.where(rearly, "before_history", "as_of"))
        basis = np.where(chosen, rbasis, basis).astype(object)
        reason = np.where(chosen & (rfound < 0), "unknown route", reason).astype(object)
    return _costs(usage, tokens, got, in_sub, stamp, basis, reason, chosen, subscription, names)


def _costs(usage, tokens, got, in_sub, stamp, basis, reason, chosen, subscription, names):
    import pyarrow as pa

    prompt, completion = got["price_prompt"], got["price_completion"]
    cache_read = got["price_cache_read"]
    assumed = (tokens["cached_tokens"] > 0) & np.isnan(cache_read) & ~np.isnan(prompt)
    cache_price = np.where(np.isnan(cache_read), prompt, cache_read)
    parts = (
        ("input_tokens", prompt, "price_prompt"),
        ("output_tokens", completion, "price_completion"),
        ("cached_tokens", cache_price, "price_prompt"),
        ("cache_write_tokens", got["price_cache_write"], "price_cache_write"),
    )
    total = np.zeros(len(usage))
    gap_bits = np.zeros(len(usage), dtype=np.int64)
    for bit, (name, price, _) in enumerate(parts):
        need = tokens[name] > 0
        gap = need & np.isnan(price)
        gap_bits |= gap.astype(np.int64) << bit
        total += np.where(need & ~gap, tokens[name] * np.nan_to_num(price), 0.0)
    texts = np.array(
        [None]
        + [
            "price missing: "
            + ", ".join(sorted({parts[b][2] for b in range(4) if pattern >> b & 1}))
            for pattern in range(1, 16)
        ],
        dtype=object,
    )  # one text per pattern of missing prices
    unpriced = np.equal(reason, None) & (gap_bits > 0)
    reason[unpriced] = texts[gap_bits[unpriced]]
    priced = np.equal(reason, None)
    list_cost = np.where(priced, total / 1e6, np.nan)
    applies = ~chosen & subscription
    cost = np.where(applies & (in_sub == 1.0), 0.0, list_cost)
    unknown = applies & np.isnan(in_sub) & priced
    cost[unknown] = np.nan
    reason[unknown] = "subscription coverage unknown"
    out = usage.copy()
    f64 = pd.ArrowDtype(pa.float64())
    stamps = (
        pa.array(stamp, mask=np.isnan(stamp)).cast(pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    )
    out["price_snapshot_at"] = pd.arrays.ArrowExtensionArray(stamps)
    out["price_basis"] = pd.array(basis, dtype="string[pyarrow]")
    for column in ("price_prompt", "price_completion", "price_cache_read", "price_cache_write"):
        out[column] = pd.array(np.where(np.isnan(got[column]), None, got[column]), dtype=f64)
    out["cache_price_assumed"] = assumed
    out["in_subscription"] = pd.arrays.ArrowExtensionArray(
        pa.array(in_sub == 1.0, mask=np.isnan(in_sub))
    )
    for column, values in (("list_cost", list_cost), ("cost", cost)):
        out[column] = pd.array(np.where(np.isnan(values), None, values), dtype=f64)
    out["unpriced_reason"] = pd.array(reason, dtype="string[pyarrow]")
    out.attrs = {**usage.attrs, "usage_columns": names}
    return out
