"""What changed: price history from snapshots, the catalog as of a moment, and diffs. Pure."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from .catalog import endpoint_rank, require_columns, unique_models
from .errors import SnapshotError
from .schema import CAPABILITIES, PRICE_COLUMNS

__all__ = ("DIFF_FIELDS", "as_of", "diff", "price_history")

#: Fields ``diff`` compares, in report order.
DIFF_FIELDS: tuple[str, ...] = (
    *PRICE_COLUMNS,
    "context_length",
    "max_output_tokens",
    *(f"cap_{c}" for c in CAPABILITIES),
    "distillation_status",
    "in_subscription",
)
_NUMERIC = frozenset((*PRICE_COLUMNS, "context_length", "max_output_tokens"))
#: A numeric change larger than this share (50%) is flagged for review.
REVIEW_THRESHOLD = 0.5


def _per_snapshot_models(history: pd.DataFrame) -> pd.DataFrame:
    """One row per (snapshot, model id): canonical row first, as ``unique_models`` does."""
    require_columns(history, ("snapshot_at", "id", "source_endpoint"), what="history")
    ordered = history.assign(_rank=endpoint_rank(history)).sort_values(
        ["snapshot_at", "id", "_rank"], kind="stable"
    )
    return ordered.drop_duplicates(["snapshot_at", "id"]).drop(columns="_rank")


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
    models = _per_snapshot_models(history)
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


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:g}" if abs(value) < 1e6 else str(int(value))
    return str(value)


def diff(old: pd.DataFrame | str, new: pd.DataFrame | str) -> pd.DataFrame:
    """What changed between two catalogs, one row per change.

    ``change`` is ``added``, ``removed`` or ``changed``; for ``changed`` rows ``field`` names the
    field (prices, limits, capabilities, distillation status, subscription membership; see
    ``DIFF_FIELDS``), ``old`` and ``new`` hold the values as text, ``relative_change`` is
    ``(new - old) / old`` for numbers, and ``review`` flags large moves (more than 50%, or a price
    appearing or disappearing). Each model counts once per catalog; ids are compared exactly.

    Args:
        old, new: models frames, or paths to snapshot files.

    >>> import nanogpt_frame as nf
    >>> diff(nf.load("sample"), nf.load("sample")).empty
    True
    """
    if not isinstance(old, pd.DataFrame):
        from .snapshots import read_snapshot_file

        old = read_snapshot_file(old)
    if not isinstance(new, pd.DataFrame):
        from .snapshots import read_snapshot_file

        new = read_snapshot_file(new)
    require_columns(old, ("id", *DIFF_FIELDS), what="diff")
    require_columns(new, ("id", *DIFF_FIELDS), what="diff")
    before = unique_models(old).set_index("id")
    after = unique_models(new).set_index("id")
    rows: list[dict[str, Any]] = []
    for model_id in sorted(set(after.index) - set(before.index)):
        rows.append({"change": "added", "id": model_id})
    for model_id in sorted(set(before.index) - set(after.index)):
        rows.append({"change": "removed", "id": model_id})
    common = sorted(set(before.index) & set(after.index))
    # Positional alignment: the two frames' id dtypes need not match (str, string, object).
    a = before.loc[common, list(DIFF_FIELDS)].reset_index(drop=True)
    b = after.loc[common, list(DIFF_FIELDS)].reset_index(drop=True)
    for field in DIFF_FIELDS:
        x, y = a[field], b[field]
        moved = ((x != y).fillna(False).astype(bool)) | (x.isna() != y.isna())
        for i in moved.to_numpy().nonzero()[0]:
            model_id, ov, nv = common[i], x.iat[i], y.iat[i]
            ov = None if pd.isna(ov) else ov
            nv = None if pd.isna(nv) else nv
            relative = None
            review = False
            if field in _NUMERIC:
                if ov is not None and nv is not None and ov != 0:
                    relative = (float(nv) - float(ov)) / float(ov)
                    review = abs(relative) > REVIEW_THRESHOLD
                elif field in PRICE_COLUMNS:
                    review = True  # a price appeared, disappeared or left zero
            rows.append(
                {
                    "change": "changed",
                    "id": model_id,
                    "field": field,
                    "old": _text(ov),
                    "new": _text(nv),
                    "relative_change": relative,
                    "review": review,
                }
            )
    out = pd.DataFrame(
        rows, columns=["change", "id", "field", "old", "new", "relative_change", "review"]
    )
    out["review"] = out["review"].fillna(False).astype(bool)
    out["relative_change"] = out["relative_change"].astype("float64")
    order = {"added": 0, "removed": 1, "changed": 2}
    out = out.sort_values(
        ["change", "id", "field"],
        key=lambda s: s.map(order) if s.name == "change" else s,
        kind="stable",
    )
    return out.astype(
        {c: "string[pyarrow]" for c in ("change", "id", "field", "old", "new")}
    ).reset_index(drop=True)
