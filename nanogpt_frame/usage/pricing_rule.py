"""Usage costing: every usage row priced at the prices in force when it happened. Pure.

The join is vectorised: each (model, time) becomes one integer key and a single
``numpy.searchsorted`` over the sorted (model, snapshot) keys finds, for every row at once, the
last snapshot at or before it that lists the model. No Python loop runs per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nanogpt_frame.analysis.candidates import per_snapshot_models
from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import (
    COSTED_COLUMNS,
    USAGE_COLUMNS,
    USAGE_TOKEN_COLUMNS,
    require_columns,
    table_kind,
)
from nanogpt_frame.usage.column_names import UsageColumns, resolve_usage
from nanogpt_frame.usage.reason_texts import (
    CACHED_EXCEED_INPUT,
    NO_ROUTES,
    PRICE_MISSING,
    REASON_CODES,
    TOKEN_RULE,
)
from nanogpt_frame.usage.time_units import utc_microseconds
from nanogpt_frame.usage.token_counts import shown, token_counts

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

__all__ = ("OUTPUT_COLUMNS", "TOKEN_COLUMNS", "USAGE_COLUMNS", "checked_rows", "cost_usage_frame")

TOKEN_COLUMNS = USAGE_TOKEN_COLUMNS
OUTPUT_COLUMNS = COSTED_COLUMNS
_PRICES = ("price_prompt", "price_completion", "price_cache_read", "price_cache_write")
_ROUTE_PRICES = ("snapshot_at", "model_id", "provider", "price_prompt", "price_completion")
#: unpriced_reason codes before the "price missing: ..." patterns (code 5 + pattern - 1).
_REASONS = REASON_CODES
_UNKNOWN_MODEL, _UNKNOWN_ROUTE, _COVERAGE, _NO_ROUTES, _TOKENS_MISSING = range(5)
assert _REASONS[_NO_ROUTES] == NO_ROUTES


def _row_namer(usage: pd.DataFrame, source: str | None) -> Callable[[int], str]:
    """Position -> how a message names the row: the file's 1-based row, or the index label."""
    if source is not None:
        return lambda pos: f"row {pos + 1} of {source!r}"
    labels = usage.index
    return lambda pos: f"row {shown(labels[pos])}"  # numpy scalars as plain Python values


def _tokens(
    usage: pd.DataFrame, column: str | None, name: str, row_name: Callable[[int], str]
) -> tuple[np.ndarray, np.ndarray]:
    """(counts as int64, missing) of one token column; an absent column is all 0, none missing."""
    if column is None:
        return np.zeros(len(usage), dtype=np.int64), np.zeros(len(usage), dtype=bool)
    raw = usage[column]
    counts, missing, bad = token_counts(raw)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ConfigError(
            f"usage {row_name(row)}: {column} ({name}) {TOKEN_RULE}, not {shown(raw.iloc[row])}"
        )
    return counts, missing


def _snapshot_times(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """``frame`` with ``snapshot_at`` as timestamp[us, UTC] whatever unit it came in; no NaT."""
    import pyarrow as pa

    frame = frame[frame["snapshot_at"].notna()]
    stamps = frame["snapshot_at"]
    if stamps.dtype == pd.ArrowDtype(pa.timestamp("us", tz="UTC")):
        return frame
    micros = utc_microseconds(
        stamps, column="snapshot_at", row_name=lambda pos: f"row {frame.index[pos]!r}", what=what
    )
    stamp = pd.arrays.ArrowExtensionArray(pa.array(micros).cast(pa.timestamp("us", tz="UTC")))
    return frame.assign(snapshot_at=pd.Series(stamp, index=frame.index))


def _unique_columns(frame: pd.DataFrame, what: str) -> None:
    if frame.columns.duplicated().any():
        twice = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise ConfigError(f"{what} has several columns named {twice}; rename them first")


def _price_table(prices: pd.DataFrame) -> pd.DataFrame:
    """One row per (snapshot, model): the canonical row of each model in each snapshot."""
    _unique_columns(prices, "prices")
    require_columns(
        prices,
        ("snapshot_at", "id", "source_endpoint", *_PRICES, "in_subscription"),
        what="cost_usage",
    )
    narrow = prices[["snapshot_at", "id", "source_endpoint", *_PRICES, "in_subscription"]]
    narrow = _snapshot_times(narrow[narrow["id"].notna()], "prices")
    return per_snapshot_models(narrow).drop(columns="source_endpoint")


def _route_table(routes: pd.DataFrame) -> pd.DataFrame:
    """The priced routes (rows with a provider), checked to be a routes frame."""
    _unique_columns(routes, "routes")
    if table_kind(routes.columns) == "models":
        raise ConfigError(
            "routes= got a models frame (from nanogpt_frame.load); pass a routes frame "
            "(nanogpt_frame.load_routes), a routes history or a routes root"
        )
    missing = [c for c in _ROUTE_PRICES if c not in routes.columns]
    if missing:
        raise ConfigError(
            f"routes= needs a routes frame (from nanogpt_frame.load_routes); missing columns: "
            f"{missing}"
        )
    table = routes.dropna(subset=["provider"])[list(_ROUTE_PRICES)]
    return _snapshot_times(table, "routes")


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
    input_includes_cached: bool | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Price usage rows from frames (see ``nanogpt_frame.cost_usage`` for the whole contract).

    ``source`` names the file the usage was read from: messages then name its 1-based rows.
    """
    cols = resolve_usage(list(usage.columns), columns, input_includes_cached=input_includes_cached)
    names = cols.names
    clash = sorted(set(OUTPUT_COLUMNS) & set(usage.columns))
    if clash:
        raise ConfigError(f"usage already has columns named {clash}; rename them first")
    times, tokens, missing_tokens = checked_rows(usage, cols, source)
    models = usage[names["model"]].astype("string").fillna("")
    table, found, early = _lookup(models, times, _price_table(prices), ["id"])
    single = table["snapshot_at"].nunique() <= 1
    got = {c: _take(table[c], found) for c in _PRICES}
    in_sub = _take(table["in_subscription"], found)  # 1.0, 0.0 or NaN (unknown)
    stamp = _take(table["snapshot_at"].astype("int64[pyarrow]"), found)
    # basis and reason as small integer codes into the texts (texts made once, at the end)
    basis = np.where(found < 0, -1, np.where(early, 1, 0)).astype(np.int8)
    if single:
        basis[found >= 0] = 2
    reason = np.where(found < 0, _UNKNOWN_MODEL, -1).astype(np.int8)
    chosen: npt.NDArray[np.bool_] = np.zeros(len(usage), dtype=bool)
    provider = pd.Series("", index=usage.index, dtype="string")
    if names["provider"] is not None:
        provider = usage[names["provider"]].astype("string").fillna("").str.strip()
        chosen = (provider != "").to_numpy()
    if chosen.any():  # a chosen route: its price or none, never the catalog's
        for column in _PRICES:
            got[column] = np.where(chosen, np.nan, got[column])
        stamp = np.where(chosen, np.nan, stamp)
        basis = np.where(chosen, -1, basis).astype(np.int8)
        reason = np.where(chosen, _NO_ROUTES, reason).astype(np.int8)
    if chosen.any() and routes is not None:
        route_ids = models.where(pd.Series(chosen, index=usage.index), "") + "\x00" + provider
        rt, rfound, rearly = _lookup(
            route_ids, times, _route_table(routes), ["model_id", "provider"]
        )
        rfound = np.where(chosen, rfound, -1)
        for column in ("price_prompt", "price_completion"):  # routes list no cache prices
            got[column] = np.where(chosen, _take(rt[column], rfound), got[column])
        stamp = np.where(chosen, _take(rt["snapshot_at"].astype("int64[pyarrow]"), rfound), stamp)
        rbasis = np.where(rfound < 0, -1, np.where(rearly, 1, 0))
        basis = np.where(chosen, rbasis, basis).astype(np.int8)
        rreason = np.where(rfound < 0, _UNKNOWN_ROUTE, -1)
        reason = np.where(chosen, rreason, reason).astype(np.int8)
    elif routes is not None:
        _route_table(routes)  # a wrong frame is refused even when no row needs it
    reason = np.where((reason < 0) & missing_tokens, _TOKENS_MISSING, reason).astype(np.int8)
    out = _costs(usage, tokens, got, in_sub, stamp, basis, reason, chosen, subscription, names)
    out.attrs["input_includes_cached"] = cols.input_includes_cached
    return out


def checked_rows(
    usage: pd.DataFrame, cols: UsageColumns, source: str | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """(UTC microseconds, uncached token counts by usage name, token-missing flags) of the rows.

    The one time rule (``time_units``) and token rule (``token_counts``) of every engine, for
    usage in memory: a bad value is a ``ConfigError`` naming the row (``source``: the file's
    1-based rows). The cached tokens are taken off an input that includes them.

    >>> import pandas as pd
    >>> from nanogpt_frame.usage.column_names import resolve_usage
    >>> log = pd.DataFrame({"timestamp": [1785542400], "model": ["m"], "prompt_tokens": [9],
    ...                     "completion_tokens": [""], "cached_tokens": [4]})
    >>> times, tokens, missing = checked_rows(log, resolve_usage(log.columns))
    >>> int(tokens["input_tokens"][0]), bool(missing[0])
    (5, True)
    """
    names = cols.names
    row_name = _row_namer(usage, source)
    read = {n: _tokens(usage, names[n], n, row_name) for n in TOKEN_COLUMNS}
    tokens = {n: counts for n, (counts, _) in read.items()}
    missing_tokens = np.logical_or.reduce([gap for _, gap in read.values()])
    if cols.input_includes_cached:  # e.g. OpenAI's prompt_tokens counts the cached tokens too
        tokens["input_tokens"] = tokens["input_tokens"] - tokens["cached_tokens"]
        over = (tokens["input_tokens"] < 0) & ~missing_tokens
        if over.any():
            row = int(np.flatnonzero(over)[0])
            raise ConfigError(f"usage {row_name(row)}: {CACHED_EXCEED_INPUT}")
        tokens["input_tokens"] = np.maximum(tokens["input_tokens"], 0)
    times = utc_microseconds(usage[names["timestamp"]], column="timestamp", row_name=row_name)
    return times, tokens, missing_tokens


def _costs(usage, tokens, got, in_sub, stamp, basis, reason, chosen, subscription, names):
    import pyarrow as pa

    prompt, completion = got["price_prompt"], got["price_completion"]
    cache_read = got["price_cache_read"]
    no_price_row = np.isnan(stamp)  # unknown model or route: nothing is known about its prices
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
        with np.errstate(invalid="ignore"):  # NaN prices are masked out by the where
            total += np.where(need & ~gap, tokens[name] * price, 0.0)
    first_gap = len(_REASONS) - 1  # code first_gap + pattern: one text per missing-price pattern
    reasons = [*_REASONS] + [
        PRICE_MISSING + ", ".join(sorted({parts[b][2] for b in range(4) if pattern >> b & 1}))
        for pattern in range(1, 16)
    ]
    unpriced = (reason < 0) & (gap_bits > 0)
    reason[unpriced] = (first_gap + gap_bits[unpriced]).astype(np.int8)
    applies = ~chosen & subscription
    unknown = applies & np.isnan(in_sub) & (reason < 0)
    reason[unknown] = _COVERAGE
    priced = reason < 0
    list_cost = np.where(priced, total / 1e6, np.nan)
    cost = np.where(priced & applies & (in_sub == 1.0), 0.0, list_cost)  # unpriced: <NA>

    def floats(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
        return pd.arrays.ArrowExtensionArray(pa.array(values, mask=np.isnan(values)))

    def flags(values: np.ndarray, unknown: np.ndarray) -> pd.api.extensions.ExtensionArray:
        return pd.arrays.ArrowExtensionArray(pa.array(values, type=pa.bool_(), mask=unknown))

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
        "cache_price_assumed": flags(assumed, no_price_row),
        "in_subscription": flags(in_sub == 1.0, np.isnan(in_sub)),
        "list_cost": floats(list_cost),
        "cost": floats(cost),
        "unpriced_reason": texts_of(reason, reasons),
    }
    out = pd.concat([usage, pd.DataFrame(added, index=usage.index)], axis=1)
    fed = {name: column for name, column in names.items()}
    out.attrs = {
        **usage.attrs,
        "usage_columns": {name: column or name for name, column in names.items()},
        "columns": fed,
    }
    return out
