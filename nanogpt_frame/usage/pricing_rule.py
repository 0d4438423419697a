"""Usage costing: every usage row priced at the prices in force when it happened. Pure.

The join is vectorised: each (model, time) becomes one integer key and a single
``numpy.searchsorted`` over the sorted (model, snapshot) keys finds, for every row at once, the
last snapshot at or before it that lists the model. No Python loop runs per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nanogpt_frame.analysis.candidates import per_snapshot_models
from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import require_columns

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

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
    if pd.api.types.is_integer_dtype(raw.dtype) and not raw.hasnans:
        values = raw.to_numpy(dtype=np.int64)
        if len(values) == 0 or values.min() >= 0:  # the common case: checked in one pass
            return values
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    numbers = np.array(numbers, dtype=np.float64)  # a writable copy
    given = raw.notna().to_numpy()
    if not pd.api.types.is_numeric_dtype(raw.dtype):  # text: an empty cell counts as 0
        given = given & (raw.astype("string").str.strip() != "").fillna(False).to_numpy(bool)
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
    narrow = prices[["snapshot_at", "id", "source_endpoint", *_PRICES, "in_subscription"]]
    narrow = narrow[narrow["snapshot_at"].notna() & narrow["id"].notna()]
    return per_snapshot_models(narrow).drop(columns="source_endpoint")


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
    # Rows grouped by model (a stable radix sort of small codes), then one searchsorted per
    # model over its own few snapshots: cache-friendly, unlike one search over every snapshot.
    pos = np.full(len(codes_left), -1, dtype=np.int64)
    fits = int(codes_right.max()) < 2**15
    small = codes_left.astype(np.int16) if fits else codes_left  # int16: a radix sort
    order = np.argsort(small, kind="stable")
    ordered = codes_left[order]
    present = np.unique(ordered[ordered >= 0]) if len(ordered) else ordered
    starts = np.searchsorted(ordered, present, side="left")
    stops = np.searchsorted(ordered, present, side="right")
    right_lo = np.searchsorted(codes_right, present, side="left")
    right_hi = np.searchsorted(codes_right, present, side="right")
    for start, stop, lo, hi in zip(starts, stops, right_lo, right_hi, strict=True):
        rows = order[start:stop]
        pos[rows] = lo + np.searchsorted(times_right[lo:hi], times_left[rows], "right") - 1
    known = codes_left >= 0
    same = known & (pos >= 0)
    same[same] = codes_right[pos[same]] == codes_left[same]
    found[same] = pos[same]
    first_of = np.searchsorted(codes_right, np.arange(int(codes_right.max()) + 1), side="left")
    first = np.where(known, first_of[np.clip(codes_left, 0, len(first_of) - 1)], n)
    listed = known & ~same & (first < n)
    listed[listed] = codes_right[first[listed]] == codes_left[listed]
    found[listed] = first[listed]
    early[listed] = True
    return found, early


def _lookup(ids: pd.Series, times: np.ndarray, table: pd.DataFrame, key: list[str]):
    """Row of ``table`` (sorted by key, snapshot_at) in force for each usage row, and flags."""
    labels = (
        table[key[0]].astype(object)
        if len(key) == 1
        else (table[key[0]].astype(str) + "\x00" + table[key[1]].astype(str)).astype(object)
    )
    right_codes, categories = pd.factorize(labels, sort=True)
    right_times = table["snapshot_at"].astype("int64[pyarrow]").to_numpy(na_value=0)
    order = np.lexsort((right_times, right_codes))  # by model, then time
    table = table.iloc[order].reset_index(drop=True)
    right_codes, right_times = right_codes[order], right_times[order]
    uniques_codes, uniques = pd.factorize(ids, use_na_sentinel=False)  # few distinct models
    left_codes = pd.Index(categories).get_indexer(uniques)[uniques_codes]
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
    # basis and reason as small integer codes into _BASES / _REASONS (texts made once, at the end)
    basis = np.where(found < 0, -1, np.where(early, 1, 0)).astype(np.int8)
    if single:
        basis[found >= 0] = 2
    reason = np.where(found < 0, 0, -1).astype(np.int8)
    provider_col = names["provider"]
    chosen: npt.NDArray[np.bool_] = np.zeros(len(usage), dtype=bool)
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
        rbasis = np.where(rfound < 0, -1, np.where(rearly, 1, 0))
        basis = np.where(chosen, rbasis, basis).astype(np.int8)
        reason = np.where(chosen & (rfound < 0), 1, reason).astype(np.int8)
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
    reasons = ["unknown model", "unknown route", "subscription coverage unknown"] + [
        "price missing: " + ", ".join(sorted({parts[b][2] for b in range(4) if pattern >> b & 1}))
        for pattern in range(1, 16)
    ]  # code 3 + pattern - 1: one text per pattern of missing prices
    unpriced = (reason < 0) & (gap_bits > 0)
    reason[unpriced] = (2 + gap_bits[unpriced]).astype(np.int8)
    priced = reason < 0
    list_cost = np.where(priced, total / 1e6, np.nan)
    applies = ~chosen & subscription
    cost = np.where(applies & (in_sub == 1.0), 0.0, list_cost)
    unknown = applies & np.isnan(in_sub) & priced
    cost[unknown] = np.nan
    reason[unknown] = 2

    def floats(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
        return pd.arrays.ArrowExtensionArray(pa.array(values, mask=np.isnan(values)))

    def texts_of(codes: np.ndarray, words: list[str]) -> pd.api.extensions.ExtensionArray:
        """Codes into a few texts: a dictionary array, cast to plain Arrow strings."""
        indices = pa.array(codes.astype(np.int32), mask=codes < 0)
        dictionary = pa.DictionaryArray.from_arrays(indices, pa.array(words, type=pa.string()))
        return pd.arrays.ArrowExtensionArray(dictionary.cast(pa.string()))

    added = {
        "price_snapshot_at": pd.arrays.ArrowExtensionArray(
            pa.array(np.nan_to_num(stamp).astype(np.int64), mask=np.isnan(stamp)).cast(
                pa.timestamp("us", tz="UTC")
            )
        ),
        "price_basis": texts_of(basis, ["as_of", "before_history", "catalog"]),
        **{column: floats(got[column]) for column in _PRICES},
        "cache_price_assumed": assumed,
        "in_subscription": pd.arrays.ArrowExtensionArray(
            pa.array(in_sub == 1.0, mask=np.isnan(in_sub))
        ),
        "list_cost": floats(list_cost),
        "cost": floats(cost),
        "unpriced_reason": texts_of(reason, reasons),
    }
    out = pd.concat([usage, pd.DataFrame(added, index=usage.index)], axis=1)
    out.attrs = {**usage.attrs, "usage_columns": names}
    return out
