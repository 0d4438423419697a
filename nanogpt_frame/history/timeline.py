"""Price history from snapshots, and the catalog as of a moment. Pure."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from ..errors import SnapshotError
from ..frame.catalog import per_snapshot_models, require_columns
from ..frame.schema import PRICE_COLUMNS

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
    models = per_snapshot_models(history)
    if ids is not None:
        models = models[models["id"].isin([ids] if isinstance(ids, str) else list(ids))]
    latest = history["snapshot_at"].max() if len(history) else None
    models = models.sort_values(["id", "snapshot_at"], kind="stable")
    values = models[list(fields)]
    previous = values.groupby(models["id"], sort=False).shift(1)
    first = ~models["id"].duplicated()
    changed = first.copy()
    for field in fields:
        now, before = values[field], previous[field]
        differs = (now != before).fillna(False).astype(bool) | (now.isna() != before.isna())
        changed |= differs
    period = changed.astype(int).cumsum().rename("_period")
    grouped = models.groupby(period, sort=False)
    out = grouped.first()[["id", "snapshot_at", *fields]].rename(
        columns={"snapshot_at": "valid_from"}
    )
    out["last_seen"] = grouped["snapshot_at"].max().array
    out = out.reset_index(drop=True)
    starts = changed[changed]
    prev_rows = previous.loc[starts.index]
    for field in fields:
        out[f"previous_{field}"] = prev_rows[field].array
    next_start = out.groupby("id", sort=False)["valid_from"].shift(-1)
    out["valid_to"] = next_start
    out["current"] = out["valid_to"].isna() & (out["last_seen"] == latest)
    columns = [
        "id",
        "valid_from",
        "valid_to",
        "last_seen",
        "current",
        *fields,
        *(f"previous_{f}" for f in fields),
    ]
    out = out[columns].reset_index(drop=True)
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
