"""The price rules of ``quality_report``: unreadable, missing and zero prices, and unit slips."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, cast

import pandas as pd

from nanogpt_frame.analysis.candidates import is_router
from nanogpt_frame.analysis.quality_rules import Row, invalid_entries, row
from nanogpt_frame.values import number_or_none

__all__ = ("invalid_values", "missing_prices", "price_jumps", "price_unit_slips")

_SLIP_FACTOR = 1000.0  # per 1K versus per 1M
_FAMILY_FACTOR = 100.0


def invalid_values(models: pd.DataFrame) -> Iterator[Row]:
    """Served values that could not be read (kept in ``extra_json["_invalid"]``)."""
    for model_id, bad in invalid_entries(models):
        for path, value in bad.items():
            is_price = path.startswith("pricing.")
            number = number_or_none(value)
            negative = number is not None and number < 0
            if is_price and negative:
                yield row(
                    "price_negative",
                    "error",
                    f"{path} is negative ({value}); read as unknown",
                    model_id,
                )
            elif is_price:
                huge = number is not None and math.isfinite(number) and abs(number) > 1e300
                what = "too large to be a price" if huge else "not a price"
                yield row(
                    "price_unreadable",
                    "error",
                    f"{path} is {what} ({value!r}); read as unknown",
                    model_id,
                )
            else:
                yield row(
                    "value_unreadable",
                    "warning",
                    f"{path} could not be read ({value!r}); read as unknown",
                    model_id,
                )


def missing_prices(models: pd.DataFrame) -> Iterator[Row]:
    """No prompt or completion price (missing or null), and 0 prices on non-routers.

    A model whose pricing says ``note: varies_by_modality`` and lists no token price is an
    ``info`` row (its price depends on the input), not a missing price.
    """
    invalid = {
        model_id
        for model_id, bad in invalid_entries(models)
        if any(k in bad for k in ("pricing.prompt", "pricing.completion"))
    }
    note = models["price_note"] if "price_note" in models.columns else None
    varies = (note == "varies_by_modality").fillna(False) if note is not None else None
    if varies is not None:
        unpriced = models["price_prompt"].isna() & models["price_completion"].isna()
        for model_id in models.loc[varies & unpriced, "id"]:
            yield row(
                "price_varies_by_modality",
                "info",
                "no token price: the price varies by modality (pricing.note)",
                model_id,
            )
        models = models[~(varies & unpriced)]
    routers = is_router(models)
    for column in ("price_prompt", "price_completion"):
        missing = models[models[column].isna() & ~models["id"].isin(invalid)]
        for model_id in missing["id"]:
            yield row("price_missing", "warning", f"{column} is not served", model_id)
        zero = models[(models[column] == 0).fillna(False) & ~routers]
        for model_id in zero["id"]:
            yield row(
                "price_zero", "warning", f"{column} is 0 on a model that is not a router", model_id
            )


def price_unit_slips(models: pd.DataFrame) -> Iterator[Row]:
    """A price out of line with the model's own prices or its family's: a per-1K/per-1M slip.

    Genuinely expensive models exist (research tiers list 787.5 or 1312.5 per 1M), so distance
    from the catalog median proves nothing. A slip shows as a cache-read price above the
    model's own prompt price, a completion price 1000x its prompt price (or the reverse), or a
    prompt price over 100x the median of the other models with the same ``base_id``.
    """
    prompt = models["price_prompt"].astype(float)
    completion = models["price_completion"].astype(float)
    cache = models["price_cache_read"].astype(float)
    ids = models["id"]
    for index in models.index[(cache > prompt).fillna(False)]:
        yield row(
            "price_unit_slip",
            "error",
            f"price_cache_read {cache[index]:g} is above price_prompt {prompt[index]:g} "
            "(a per-1K value read as per-1M?)",
            ids[index],
        )
    both = (prompt > 0) & (completion > 0)
    lopsided = both & (
        (completion >= _SLIP_FACTOR * prompt) | (prompt >= _SLIP_FACTOR * completion)
    )
    for index in models.index[lopsided.fillna(False)]:
        yield row(
            "price_unit_slip",
            "error",
            f"price_completion {completion[index]:g} and price_prompt {prompt[index]:g} "
            f"are {_SLIP_FACTOR:g}x apart (one in the wrong unit?)",
            ids[index],
        )
    priced = models.assign(_p=prompt)[prompt > 0]
    for _, family in priced.groupby("base_id", sort=False):
        if len(family) < 3:
            continue
        for index, value in family["_p"].items():
            others = family["_p"].drop(index).median()
            if value >= _FAMILY_FACTOR * others or value * _FAMILY_FACTOR <= others:
                yield row(
                    "price_unit_slip",
                    "error",
                    f"price_prompt {value:g} is over {_FAMILY_FACTOR:g}x off the rest of "
                    f"its family ({family['id'].size - 1} variants, median {others:g})",
                    ids[cast(Any, index)],  # an index label (pandas-stubs: Hashable)
                )


def price_jumps(df: pd.DataFrame) -> Iterator[Row]:
    """A price that moved 1000x (up or down) since the previous snapshot in the frame."""
    if "snapshot_at" not in df.columns or df["snapshot_at"].nunique() < 2:
        return
    from nanogpt_frame.analysis.candidates import per_snapshot_models

    models = per_snapshot_models(df).sort_values(["id", "snapshot_at"], kind="stable")
    for column in ("price_prompt", "price_completion", "price_cache_read"):
        now = models[column].astype(float)
        before = now.groupby(models["id"], sort=False).shift(1)
        latest = models["snapshot_at"] == models.groupby("id")["snapshot_at"].transform("max")
        moved = (
            latest
            & (before > 0)
            & (now > 0)
            & ((now >= _SLIP_FACTOR * before) | (now * _SLIP_FACTOR <= before))
        )
        for index in models.index[moved.fillna(False)]:
            yield row(
                "price_jump",
                "error",
                f"{column} moved from {before[index]:g} to {now[index]:g} since the "
                "previous snapshot (1000x: a unit slip?)",
                models.at[index, "id"],
            )
