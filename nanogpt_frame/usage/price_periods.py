"""``price_periods()``: the half-open validity table of every model's prices. Pure.

The pricing rule of ``cost_usage`` as data: one row per model and period, where a period starts
at a snapshot that lists the model and ends at the next snapshot that lists it (``<NA>`` for the
current one). A delisted model keeps its last price (its period stays open until it is listed
again); a row before the model's first listing takes that first listing (``first_listed``).
Every engine (DuckDB, Spark, a BI tool) joins usage to this table with
``timestamp >= valid_from AND (timestamp < valid_to OR valid_to IS NULL)``.

``join_table`` adds what the engines need to make that an equi-join that scales: the first period
of a key reaches back to the beginning of time, the last one forward to its end, and each period
is repeated once per time bucket it overlaps, so the join is on (key, bucket) plus the interval.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nanogpt_frame.analysis.candidates import per_snapshot_models
from nanogpt_frame.errors import SnapshotError
from nanogpt_frame.schema import require_columns

__all__ = (
    "PERIOD_PRICES",
    "JoinTable",
    "join_table",
    "prefixed",
    "price_periods",
    "route_periods",
)

PERIOD_PRICES = ("price_prompt", "price_completion", "price_cache_read", "price_cache_write")
#: Below and above every timestamp an engine can hold (microseconds since the epoch).
_NEVER_BEFORE, _NEVER_AFTER = -(2**62), 2**62
#: Cap on (keys x buckets): the bucketed table stays small enough to broadcast.
_MAX_CELLS = 2_000_000


def _utc_micros(values: pd.Series) -> np.ndarray:
    """Any datetime column (any unit; naive means UTC) as int64 microseconds since the epoch."""
    stamps = pd.to_datetime(values, utc=True)
    return stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]").view("int64")


def _stamps(micros: np.ndarray, mask: np.ndarray | None = None) -> pd.api.extensions.ExtensionArray:
    import pyarrow as pa

    return pd.arrays.ArrowExtensionArray(
        pa.array(micros, type=pa.int64(), mask=mask).cast(pa.timestamp("us", tz="UTC"))
    )


def _floats(values: pd.Series) -> pd.api.extensions.ExtensionArray:
    import pyarrow as pa

    numbers = values.astype("float64[pyarrow]").to_numpy(dtype="float64", na_value=np.nan)
    return pd.arrays.ArrowExtensionArray(pa.array(numbers, mask=np.isnan(numbers)))


def _periods(table: pd.DataFrame, keys: list[str], values: tuple[str, ...]) -> pd.DataFrame:
    """One row per key and listing: valid_from, valid_to (next listing), first_listed."""
    import pyarrow as pa

    micros = _utc_micros(table["snapshot_at"])
    frame = pd.DataFrame({k: table[k].astype("string").to_numpy(object) for k in keys})
    frame["_at"] = micros
    for column in values:
        frame[column] = table[column].to_numpy(object)
    # one row per (key, instant): the last given wins, as the pandas lookup's stable sort does
    frame = frame.iloc[
        np.lexsort((np.arange(len(frame)), micros, *reversed([frame[k] for k in keys])))
    ]
    frame = frame.drop_duplicates([*keys, "_at"], keep="last").reset_index(drop=True)
    same = np.ones(len(frame), dtype=bool)
    for k in keys:
        ids = frame[k].to_numpy(object)
        same[1:] &= ids[1:] == ids[:-1]
    same[:1] = False  # row i continues the key of row i - 1
    starts = frame["_at"].to_numpy()
    nxt = np.empty(len(frame), dtype=np.int64)
    nxt[:-1], nxt[-1:] = starts[1:], 0
    last = np.ones(len(frame), dtype=bool)
    last[:-1] = ~same[1:]
    group = np.cumsum(~same) - 1
    first = starts[np.flatnonzero(~same)][group] if len(frame) else starts
    out = pd.DataFrame(
        {k: pd.arrays.ArrowExtensionArray(pa.array(frame[k], type=pa.string())) for k in keys}
    )
    out["valid_from"] = _stamps(starts)
    out["valid_to"] = _stamps(np.where(last, 0, nxt), mask=last)
    for column in values:
        if column == "in_subscription":
            flags = [None if pd.isna(v) else bool(v) for v in frame[column]]  # few: periods
            out[column] = pd.arrays.ArrowExtensionArray(pa.array(flags, type=pa.bool_()))
        else:
            out[column] = _floats(pd.Series(frame[column]))
    out["first_listed"] = _stamps(first)
    return out


def price_periods(history: pd.DataFrame | str | os.PathLike[str]) -> pd.DataFrame:
    """The half-open validity table of each model's prices: what ``cost_usage`` joins against.

    One row per (model, period): ``id``, ``valid_from`` (the snapshot that listed the model),
    ``valid_to`` (the next snapshot that lists it; ``<NA>`` for the current period), the four
    prices, ``in_subscription`` and ``first_listed``. A delisted model keeps its last price; a
    usage row before ``first_listed`` takes the first period. Join usage to it with
    ``timestamp >= valid_from AND (timestamp < valid_to OR valid_to IS NULL)``.

    Args:
        history: a history (``read_snapshots``), one catalog (``load``), a snapshot root, or
            ``"sample"`` (the bundled sample history).

    Raises:
        SnapshotError: the history holds no snapshot.

    >>> import nanogpt_frame as nf
    >>> periods = nf.price_periods(nf.sample_history())
    >>> list(periods.columns[:3])
    ['id', 'valid_from', 'valid_to']
    >>> bool(periods.groupby("id")["valid_to"].apply(lambda s: s.isna().sum() == 1).all())
    True
    """
    if not isinstance(history, pd.DataFrame):
        from nanogpt_frame.usage.cost_usage import price_source

        history = price_source(history)
    require_columns(
        history,
        ("snapshot_at", "id", "source_endpoint", *PERIOD_PRICES, "in_subscription"),
        what="price_periods",
    )
    narrow = history[["snapshot_at", "id", "source_endpoint", *PERIOD_PRICES, "in_subscription"]]
    narrow = narrow[narrow["snapshot_at"].notna() & narrow["id"].notna()]
    if narrow.empty:
        raise SnapshotError("the price history holds no snapshot: nothing to price usage with")
    canonical = per_snapshot_models(narrow).drop(columns="source_endpoint")
    return _periods(canonical, ["id"], (*PERIOD_PRICES, "in_subscription"))


def route_periods(routes: pd.DataFrame) -> pd.DataFrame:
    """The same table for provider routes: one row per (model_id, provider, period)."""
    require_columns(
        routes,
        ("snapshot_at", "model_id", "provider", "price_prompt", "price_completion"),
        what="route prices",
    )
    table = routes[routes["provider"].notna() & routes["snapshot_at"].notna()]
    table = table[table["model_id"].notna()]
    return _periods(table, ["model_id", "provider"], ("price_prompt", "price_completion"))


@dataclass(frozen=True)
class JoinTable:
    """Periods repeated per time bucket, and how a timestamp finds its bucket.

    A usage row's bucket is -1 before ``origin``, ``buckets`` at or after
    ``origin + buckets * width``, else ``(t - origin) // width`` (t in microseconds). Its key
    (model, or model and provider) has a small integer ``code`` in ``keys``; its ``slot`` is
    ``code * (buckets + 2) + bucket + 1``. Joining on the slot (one integer) and then
    ``join_from <= t < join_to`` finds exactly one period per listed key: the periods of a key
    partition the whole time line.
    """

    table: pd.DataFrame
    keys: pd.DataFrame
    origin: int
    width: int
    buckets: int


def join_table(periods: pd.DataFrame, keys: list[str]) -> JoinTable:
    """``periods`` with ``join_from``, ``join_to`` (microseconds) and ``bucket``, one row per
    period and bucket it overlaps (``periods`` sorted by key, then ``valid_from``)."""
    starts = periods["valid_from"].astype("int64[pyarrow]").to_numpy("int64")
    first = (periods["valid_from"] == periods["first_listed"]).to_numpy(bool)
    ends = periods["valid_to"].astype("int64[pyarrow]").to_numpy("int64", na_value=_NEVER_AFTER)
    join_from = np.where(first, _NEVER_BEFORE, starts)
    instants = np.unique(starts)
    origin = int(instants[0]) if len(instants) else 0
    span = int(instants[-1]) - origin if len(instants) else 0
    n_keys = max(1, len(periods.drop_duplicates(keys))) if len(periods) else 1
    buckets = int(max(1, min(len(instants), 4096, _MAX_CELLS // n_keys)))
    width = max(1, -(-span // buckets)) if span else 1

    def bucket(t: np.ndarray) -> np.ndarray:
        inside = (np.clip(t, origin, origin + buckets * width - 1) - origin) // width
        return np.where(t < origin, -1, np.where(t >= origin + buckets * width, buckets, inside))

    lo = bucket(join_from)
    hi = bucket(ends - 1)  # the last instant of the half-open period
    counts = (hi - lo + 1).astype(np.int64)
    rows = np.repeat(np.arange(len(periods)), counts)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    table = periods.iloc[rows].reset_index(drop=True)
    table["join_from"] = join_from[rows]
    table["join_to"] = ends[rows]
    table["bucket"] = (lo[rows] + offsets).astype(np.int64)
    codes, _ = pd.factorize(
        pd.MultiIndex.from_frame(periods[keys].astype(object))
        if len(keys) > 1
        else periods[keys[0]]
    )
    table["slot"] = codes[rows].astype(np.int64) * (buckets + 2) + table["bucket"] + 1
    distinct = periods[keys].assign(code=codes.astype(np.int64)).drop_duplicates("code")
    return JoinTable(
        table=table,
        keys=distinct.reset_index(drop=True),
        origin=origin,
        width=int(width),
        buckets=buckets,
    )


def prefixed(joined: JoinTable, prefix: str) -> pd.DataFrame:
    """The join table as the engines take it: every column under ``prefix`` (``_p_``, ``_r_``),
    plus ``from_us`` (``valid_from`` in microseconds, to tell before-history rows)."""
    table = joined.table.drop(columns=["valid_to", "first_listed", "bucket"])
    table["from_us"] = table["valid_from"].astype("int64[pyarrow]").to_numpy("int64")
    table["found"] = True
    return table.add_prefix(prefix)
