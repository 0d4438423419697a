"""``media_quality``: the data problems of a media catalog, one row per problem. Pure."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from nanogpt_frame.analysis.media_price_lines import media_prices
from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import MEDIA_SHAPES, table_kind

__all__ = ("media_quality",)

_OUT = ["feed", "id", "problem", "detail"]


def media_quality(media: pd.DataFrame) -> pd.DataFrame:
    """One row per data problem of a media frame (``load_media``).

    Problems: ``unknown pricing shape`` (kept as an unpriced line, never guessed),
    ``unreadable price`` (a known shape whose value is not a price), ``no pricing`` (no pricing
    object served), ``conflicting prices`` (two served keys for one resolution disagree),
    ``unpriced resolution`` (listed in ``resolutions`` but with no price and no ``default`` or
    ``auto`` line), ``unreadable field`` (a served value that did not fit its column).

    >>> import nanogpt_frame as nf
    >>> problems = media_quality(nf.load_media(source="sample"))
    >>> sorted(set(problems["problem"]))[:2]
    ['unknown pricing shape', 'unpriced resolution']
    """
    if not isinstance(media, pd.DataFrame) or table_kind(media.columns) != "media":
        raise ConfigError("media_quality needs a media frame (from load_media)")
    rows: list[tuple[Any, ...]] = []
    lines = media_prices(media)
    line: Any
    for line in lines.itertuples(index=False):
        if line.shape not in MEDIA_SHAPES:
            rows.append(
                (
                    line.feed,
                    line.id,
                    "unknown pricing shape",
                    f"{line.shape} (key {line.price_key})",
                )
            )
        elif pd.isna(line.price_usd):
            rows.append(
                (line.feed, line.id, "unreadable price", f"{line.shape} key {line.price_key}")
            )
    for feed, model in media.loc[media["pricing_json"].isna(), ["feed", "id"]].itertuples(
        index=False
    ):
        rows.append((feed, model, "no pricing", "no pricing object served"))
    known = lines[lines["resolution"].notna() & lines["price_usd"].notna()]
    keys = ["feed", "id", "resolution", "variant", "duration_seconds"]
    spread = known.groupby(keys, dropna=False)["price_usd"].agg(["min", "max"]).reset_index()
    row: Any
    for row in spread[spread["min"] != spread["max"]].itertuples(index=False):
        rows.append(
            (row.feed, row.id, "conflicting prices", f"{row.resolution}: {row.min} vs {row.max}")
        )
    priced = {(f, m): set(r) for (f, m), r in known.groupby(["feed", "id"])["resolution"]}
    listed = media[media["resolutions"].notna()]
    for feed, model, resolutions in listed[["feed", "id", "resolutions"]].itertuples(index=False):
        have = priced.get((feed, model), set())
        if not have or have & {"default", "auto"}:
            continue
        missing = [r for r in resolutions.split(",") if r not in have]
        if missing:
            rows.append((feed, model, "unpriced resolution", ", ".join(missing)))
    extra = media[media["extra_json"].notna()]
    for feed, model, text in extra[["feed", "id", "extra_json"]].itertuples(index=False):
        invalid = json.loads(text).get("_invalid")
        if invalid:
            rows.append((feed, model, "unreadable field", ", ".join(sorted(invalid))))
    out = pd.DataFrame(rows, columns=_OUT).sort_values(["feed", "id", "problem"], kind="stable")
    return out.reset_index(drop=True).astype("string[pyarrow]")
