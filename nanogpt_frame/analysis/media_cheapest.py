"""``cheapest_media``: the cheapest models of a media feed for a need. Pure."""

from __future__ import annotations

from typing import Any

import pandas as pd

from nanogpt_frame.analysis.media_jobs import pick_resolution, price_table
from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import MEDIA_FEEDS, normal_resolution

__all__ = ("cheapest_media",)


def cheapest_media(
    prices: pd.DataFrame,
    *,
    feed: str,
    billable: str | None = None,
    resolution: str | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """The cheapest models for a need: per model its cheapest matching priced line, ranked.

    Args:
        prices: a media frame, a media history, or its ``media_prices`` table.
        feed: ``image``, ``video``, ``audio`` or ``embedding``.
        billable: only lines of this unit (``image``, ``second``, ``minute``, ...).
        resolution: the resolution needed (normalised: ``1024*1024`` is ``1024x1024``); a
            model without that line uses its ``default`` line, else its ``auto`` line.
        filters: more equalities on price-line columns, e.g. ``variant="with_audio"``,
            ``duration_seconds=5``.

    Returns:
        One row per model: the price-line columns plus ``rank`` (1 is cheapest; ties share a
        rank), ordered by unit and price. Ranks count within each ``billable``.

    >>> import nanogpt_frame as nf
    >>> best = cheapest_media(nf.load_media(source="sample"), feed="embedding")
    >>> best[["id", "price_usd", "rank"]].head(1).values.tolist()
    [['BAAI/bge-m3', 0.005, 1]]
    """
    if feed not in MEDIA_FEEDS:
        raise ConfigError(f"feed must be one of {MEDIA_FEEDS}, not {feed!r}")
    table = price_table(prices)
    lines = table[(table["feed"] == feed) & table["price_usd"].notna()]
    if billable is not None:
        lines = lines[lines["billable"] == billable]
    for name, value in filters.items():
        if name not in lines.columns:
            raise ConfigError(f"unknown price-line column {name!r} in filters")
        lines = lines[lines[name].isna()] if value is None else lines[lines[name] == value]
    if resolution is not None:
        wanted = normal_resolution(resolution)
        parts = []
        for _, part in lines.groupby("id", sort=False):
            picked, _ = pick_resolution(part, wanted, None)
            if picked is not None and picked["resolution"].notna().any():
                parts.append(picked)
        lines = pd.concat(parts) if parts else lines.iloc[:0]
    lines = lines.sort_values(["billable", "price_usd", "id"], kind="stable")
    best = lines.drop_duplicates(["billable", "id"]).reset_index(drop=True)
    best["rank"] = best.groupby("billable")["price_usd"].rank(method="min").astype("int64[pyarrow]")
    return best
