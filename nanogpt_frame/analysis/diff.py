"""``diff``: what changed between two catalogs (or two routes frames), one row per change. Pure.

Vectorised: the two sides are joined once on their key, and each field is compared and read in
bulk, so two 20,000-model catalogs whose prices all changed diff in a fraction of a second.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import (
    CAPABILITIES,
    PRICE_COLUMNS,
    require_columns,
    table_kind,
    unique_models,
)

__all__ = ("DIFF_FIELDS", "ROUTE_DIFF_FIELDS", "diff")

#: Fields ``diff`` compares in models frames, in report order.
DIFF_FIELDS: tuple[str, ...] = (
    *PRICE_COLUMNS,
    "context_length",
    "max_output_tokens",
    *(f"cap_{c}" for c in CAPABILITIES),
    "distillation_status",
    "in_subscription",
)
#: Fields ``diff`` compares in routes frames (per model and provider).
ROUTE_DIFF_FIELDS: tuple[str, ...] = (
    "price_prompt",
    "price_completion",
    "default_price_prompt",
    "default_price_completion",
    "available",
    "supports_provider_selection",
    "quantization",
    "supports_prompt_caching",
    "distillation_status",
    "effective_distillation_status",
)
_PRICES = frozenset((*PRICE_COLUMNS, "default_price_prompt", "default_price_completion"))
_NUMERIC = frozenset((*_PRICES, "context_length", "max_output_tokens"))
#: A numeric change larger than this share (50%) is flagged for review.
REVIEW_THRESHOLD = 0.5
_OUT = ["change", "id", "provider", "field", "old", "new", "relative_change", "review"]
_NO_PROVIDER = "\x00"  # stands for <NA> in the join key of a model without provider rows


def _text(value: Any) -> str | None:
    """A changed value as text: ``None`` for unknown, ``true``/``false``, ``2`` for ``2.0``."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def _number_text(value: float) -> str | None:
    """``_text`` of a float (NaN is unknown); the bulk path calls it directly."""
    if value != value:
        return None
    if value.is_integer() and -1e15 < value < 1e15:
        return f"{value:g}" if -1e6 < value < 1e6 else str(int(value))
    return repr(value)


def _side(frame: pd.DataFrame, kind: str | None) -> tuple[pd.DataFrame, str]:
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(
            f"diff compares two frames, not a {type(frame).__name__}: read a snapshot file "
            "first, e.g. nf.diff(nf.read_snapshot_file(old_path), nf.read_snapshot_file(new_path))"
        )
    found = table_kind(frame.columns)
    if found is None or (kind is not None and found != kind):
        raise ConfigError("diff compares two models, two routes or two media frames")
    return frame, found


def _keyed(frame: pd.DataFrame, kind: str, fields: tuple[str, ...]) -> pd.DataFrame:
    if kind == "models":
        require_columns(frame, ("id", *fields), what="diff")
        one = unique_models(frame)
        keyed = pd.DataFrame({"id": one["id"].astype(object), "provider": None})
    else:
        from nanogpt_frame.analysis.route_prices import latest_routes

        require_columns(frame, ("model_id", "provider", *fields), what="diff")
        one = latest_routes(frame)
        provider = one["provider"].astype(object).where(one["provider"].notna(), _NO_PROVIDER)
        keyed = pd.DataFrame({"id": one["model_id"].astype(object), "provider": provider})
        keyed = keyed[~keyed.duplicated()]
        one = one.loc[keyed.index]
    for field in fields:
        keyed[field] = one[field].array
    return keyed.reset_index(drop=True)


def diff(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """What changed between two catalogs, one row per change.

    ``change`` is ``added``, ``removed`` or ``changed``; for ``changed`` rows ``field`` names the
    field (prices, limits, capabilities, distillation status, subscription membership; see
    ``DIFF_FIELDS``), ``old`` and ``new`` hold the values as text, ``relative_change`` is
    ``(new - old) / old`` for numbers, and ``review`` flags large moves (more than 50%, or a price
    appearing or disappearing). Each model counts once per catalog; ids are compared exactly.

    Two routes frames (``load_routes``) diff per model and provider (``provider`` names the
    route; ``<NA>`` elsewhere): a route added or removed, repriced, or its policy changed
    (``ROUTE_DIFF_FIELDS``). Two media frames (``load_media``) diff per price line: columns
    ``change``, ``feed``, ``id``, ``line``, ``field``, ``old``, ``new``, ``relative_change``,
    ``review`` (``media_diff``).

    Args:
        old, new: two models frames or two routes frames (``read_snapshot_file`` reads one
            from a snapshot file: ``diff`` is pure and reads no files).

    >>> import nanogpt_frame as nf
    >>> diff(nf.load("sample"), nf.load("sample")).empty
    True
    """
    old, kind = _side(old, None)
    new, _ = _side(new, kind)
    if kind == "media":  # per price line: added, removed, repriced
        from nanogpt_frame.analysis.media_diff import media_diff

        return media_diff(old, new)
    fields = DIFF_FIELDS if kind == "models" else ROUTE_DIFF_FIELDS
    both = _keyed(old, kind, fields).merge(
        _keyed(new, kind, fields),
        on=["id", "provider"],
        how="outer",
        suffixes=("_old", "_new"),
        indicator=True,
    )
    parts = []
    for change, side in (("added", "right_only"), ("removed", "left_only")):
        gone = both.loc[both["_merge"] == side, ["id", "provider"]]
        parts.append(gone.assign(change=change))
    common = both[both["_merge"] == "both"]
    for field in fields:
        x, y = common[f"{field}_old"], common[f"{field}_new"]
        moved = ((x != y).fillna(False).astype(bool) | (x.isna() != y.isna())).to_numpy()
        if not moved.any():
            continue
        if field in _NUMERIC:  # numbers: read in bulk once, texts from the float arrays
            a = pd.to_numeric(x[moved], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
            b = pd.to_numeric(y[moved], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
            old_text = list(map(_number_text, a.tolist()))
            new_text = list(map(_number_text, b.tolist()))
        else:
            old_text = [_text(v) for v in x[moved].astype(object).tolist()]
            new_text = [_text(v) for v in y[moved].astype(object).tolist()]
        # None is a missing text; pandas-stubs accept no None in a list column, hence the casts
        part = common.loc[moved, ["id", "provider"]].assign(
            change="changed",
            field=field,
            old=cast("list[Any]", old_text),
            new=cast("list[Any]", new_text),
        )
        if field in _NUMERIC:
            with_base = ~(np.isnan(a) | np.isnan(b)) & (a != 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                relative = (b - a) / a
            relative[~with_base] = np.nan
            review = with_base & (np.abs(relative) > REVIEW_THRESHOLD)
            if field in _PRICES:
                review |= ~with_base  # a price appeared, disappeared or left zero
            part = part.assign(relative_change=relative, review=review)
        parts.append(part)
    out = pd.concat([p for p in parts if len(p)] or [pd.DataFrame(columns=_OUT)], ignore_index=True)
    out = out.reindex(columns=_OUT)
    out["provider"] = out["provider"].where(out["provider"] != _NO_PROVIDER)
    out["review"] = out["review"].eq(True)  # a change without a number to compare: False
    out["relative_change"] = out["relative_change"].astype("float64")
    rank = out["change"].map({"added": 0, "removed": 1, "changed": 2})
    out = out.assign(_rank=rank).sort_values(
        ["_rank", "id", "provider", "field"], kind="stable", na_position="first"
    )
    columns = _OUT if kind == "routes" else [c for c in _OUT if c != "provider"]
    text = ("change", "id", "provider", "field", "old", "new")
    return (
        out[columns]
        .astype({c: "string[pyarrow]" for c in text if c in columns})
        .reset_index(drop=True)
    )
