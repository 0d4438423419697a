"""What changed between two media catalogs, per price line. Pure (``diff`` dispatches here)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nanogpt_frame.analysis.media_price_lines import media_prices
from nanogpt_frame.schema import normal_resolution

__all__ = ("MEDIA_DIFF_FIELDS", "line_label", "media_diff")

#: Fields compared per price line.
MEDIA_DIFF_FIELDS: tuple[str, ...] = ("price_usd", "minimum_usd", "unit_size")
_KEY = ("billable", "shape", "price_key", "variant", "resolution", "duration_seconds")
_OUT = ["change", "feed", "id", "line", "field", "old", "new", "relative_change", "review"]
#: A price move larger than this share (50%) is flagged for review.
REVIEW_THRESHOLD = 0.5


def line_label(row: pd.Series) -> str:
    """A price line's name: its shape and served key, then what else selects it.

    >>> line_label(pd.Series({"shape": "per_image", "price_key": "1024*1024", "variant": None,
    ...                       "resolution": "1024x1024", "duration_seconds": None}))
    'per_image 1024*1024'
    """
    shape, key = row["shape"], row["price_key"]
    parts = [shape if key == shape else f"{shape} {key}"]
    variant, resolution, duration = row["variant"], row["resolution"], row["duration_seconds"]
    if isinstance(variant, str):
        parts.append(variant)
    if isinstance(resolution, str) and resolution != normal_resolution(key):
        parts.append(resolution)
    if duration is not None and not pd.isna(duration) and row["price_key"] != f"{duration:g}":
        parts.append(f"{duration:g}s")
    return " ".join(parts)


def _lines(media: pd.DataFrame) -> pd.DataFrame:
    lines = media_prices(media)
    if lines["snapshot_at"].nunique() > 1:  # a history: each model's latest snapshot
        latest = lines.groupby(["feed", "id"])["snapshot_at"].transform("max")
        lines = lines[lines["snapshot_at"] == latest]
    labels = [line_label(row) for _, row in lines.iterrows()]
    out = pd.DataFrame(
        {"feed": lines["feed"].astype(object), "id": lines["id"].astype(object), "line": labels}
    )
    for field in MEDIA_DIFF_FIELDS:
        out[field] = lines[field].to_numpy(dtype="float64", na_value=np.nan)
    return out.drop_duplicates(["feed", "id", "line"]).reset_index(drop=True)


def _text(value: float) -> str | None:
    return None if value != value else f"{value:.9g}"


def media_diff(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Added, removed and changed price lines per (feed, id, line) between two media frames.

    >>> import nanogpt_frame as nf
    >>> media_diff(nf.load_media(source="sample"), nf.load_media(source="sample")).empty
    True
    """
    both = _lines(old).merge(
        _lines(new),
        on=["feed", "id", "line"],
        how="outer",
        suffixes=("_old", "_new"),
        indicator=True,
    )
    parts = []
    for change, side in (("added", "right_only"), ("removed", "left_only")):
        parts.append(both.loc[both["_merge"] == side, ["feed", "id", "line"]].assign(change=change))
    common = both[both["_merge"] == "both"]
    for field in MEDIA_DIFF_FIELDS:
        a, b = common[f"{field}_old"].to_numpy(), common[f"{field}_new"].to_numpy()
        moved = (a != b) & ~(np.isnan(a) & np.isnan(b))
        if not moved.any():
            continue
        a, b = a[moved], b[moved]
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = (b - a) / a
        with_base = ~(np.isnan(a) | np.isnan(b)) & (a != 0)
        relative[~with_base] = np.nan
        review = ~with_base | (np.abs(np.nan_to_num(relative)) > REVIEW_THRESHOLD)
        parts.append(
            common.loc[moved, ["feed", "id", "line"]].assign(
                change="changed",
                field=field,
                old=[_text(v) for v in a],
                new=[_text(v) for v in b],
                relative_change=relative,
                review=review,
            )
        )
    out = pd.concat([p for p in parts if len(p)] or [pd.DataFrame(columns=_OUT)], ignore_index=True)
    out = out.reindex(columns=_OUT)
    out["review"] = out["review"].eq(True)
    out["relative_change"] = out["relative_change"].astype("float64")
    rank = out["change"].map({"added": 0, "removed": 1, "changed": 2})
    out = out.assign(_rank=rank).sort_values(
        ["_rank", "feed", "id", "line", "field"], kind="stable"
    )
    text = ("change", "feed", "id", "line", "field", "old", "new")
    return out[_OUT].astype(dict.fromkeys(text, "string[pyarrow]")).reset_index(drop=True)
