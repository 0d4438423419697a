"""Price history from snapshots, and the catalog as of a moment. Pure."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from nanogpt_frame.errors import SnapshotError
from nanogpt_frame.schema import PRICE_COLUMNS, endpoint_rank, require_columns

__all__ = ("as_of", "price_history")


def price_history(
    history: pd.DataFrame,
    ids: list[str] | tuple[str, ...] | str | None = None,
    *,
    fields: tuple[str, ...] = PRICE_COLUMNS,
) -> pd.DataFrame:
    """One row per model and price period (not per snapshot).

    A period starts at the first snapshot where a model's prices (``fields``) take new values and
    ends where they change again. Columns: ``id``, ``valid_from``, ``valid_to`` (the snapshot
    where the next period starts; ``<NA>`` while current or once the model is gone),
    ``last_seen`` (the last snapshot in the period that listed the model), ``current`` (listed in
    the newest snapshot with these prices), the prices, and ``previous_<field>`` for each.
    Models that disappear keep their last period, with ``last_seen`` telling when.

    >>> import nanogpt_frame as nf
    >>> history = nf.load("sample")
    >>> price_history(history, "openai/gpt-5.2")[["id", "price_prompt"]].values.tolist()
    [['openai/gpt-5.2', 1.75]]
    """
    import pyarrow as pa

    require_columns(history, ("snapshot_at", "id", "source_endpoint", *fields), what="history")
    narrow = history[["snapshot_at", "id", "source_endpoint", *fields]]  # only what is read
    latest = narrow["snapshot_at"].max() if len(narrow) else None
    if ids is not None:
        narrow = narrow[narrow["id"].isin([ids] if isinstance(ids, str) else list(ids))]
    codes, names = pd.factorize(narrow["id"].astype(object), sort=True)  # id order, as sorted
    snap = narrow["snapshot_at"].astype("int64[pyarrow]").to_numpy(na_value=0)
    rank = endpoint_rank(narrow).to_numpy()
    order = np.lexsort((rank, snap, codes))  # by id, then time, canonical row first
    codes, snap = codes[order], snap[order]
    keep = np.ones(len(order), dtype=bool)  # one row per (snapshot, model)
    keep[1:] = (codes[1:] != codes[:-1]) | (snap[1:] != snap[:-1])
    order, codes, snap = order[keep], codes[keep], snap[keep]
    values = {f: narrow[f].to_numpy(dtype="float64", na_value=np.nan)[order] for f in fields}
    first = np.ones(len(order), dtype=bool)
    first[1:] = codes[1:] != codes[:-1]
    changed = first.copy()
    for v in values.values():
        before = np.roll(v, 1)
        changed[1:] |= ((v != before) & ~(np.isnan(v) & np.isnan(before)))[1:]
    starts = np.flatnonzero(changed)
    ends = np.append(starts[1:], len(order)) - 1  # last row of each period
    same_model_next = np.append(codes[starts[1:]] == codes[starts[:-1]], False)
    has_previous = ~first[starts]

    def timestamps(micros: np.ndarray, valid: np.ndarray | None = None):
        array = pa.array(micros, type=pa.int64(), mask=None if valid is None else ~valid)
        return pd.arrays.ArrowExtensionArray(array.cast(pa.timestamp("us", tz="UTC")))

    def floats(numbers: np.ndarray, valid: np.ndarray | None = None):
        mask = np.isnan(numbers) if valid is None else (~valid | np.isnan(numbers))
        return pd.arrays.ArrowExtensionArray(pa.array(numbers, type=pa.float64(), mask=mask))

    next_from = np.append(snap[starts[1:]], 0)
    last_seen = snap[ends]
    out = pd.DataFrame(
        {
            "id": pd.arrays.ArrowExtensionArray(pa.array(names[codes[starts]], type=pa.string())),
            "valid_from": timestamps(snap[starts]),
            "valid_to": timestamps(next_from, same_model_next),
        }
    )
    out["last_seen"] = timestamps(last_seen)
    latest_micros = latest.value // 1000 if latest is not None else None
    current = ~same_model_next & (last_seen == latest_micros)
    out["current"] = pd.arrays.ArrowExtensionArray(pa.array(current, type=pa.bool_()))
    for f in fields:
        out[f] = floats(values[f][starts])
    previous_rows = np.maximum(starts - 1, 0)
    for f in fields:
        out[f"previous_{f}"] = floats(values[f][previous_rows], has_previous)
    return out


def as_of(history: pd.DataFrame, when: date | datetime | str | pd.Timestamp) -> pd.DataFrame:
    """The catalog as it stood at ``when``: the newest snapshot taken at or before it.

    Raises:
        SnapshotError: no snapshot is that old.

    >>> import nanogpt_frame as nf
    >>> df = nf.load("sample")
    >>> len(as_of(df, df["snapshot_at"].iloc[0])) == len(df)
    True
    """
    require_columns(history, ("snapshot_at",), what="as_of")
    stamp = pd.Timestamp(when)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if (isinstance(when, date) and not isinstance(when, datetime)) or (
        isinstance(when, str) and len(when) == 10
    ):
        stamp = stamp + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)  # end of that day
    taken = history["snapshot_at"]
    earlier = taken[taken <= stamp]
    if earlier.empty:
        first = taken.min() if len(taken) else None
        raise SnapshotError(f"no snapshot at or before {stamp.isoformat()} (first: {first})")
    out = history[taken == earlier.max()].reset_index(drop=True)
    out.attrs = dict(history.attrs)
    return out
