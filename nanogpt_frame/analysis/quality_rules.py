"""The rules of ``quality_report``: each a small pure function from a frame to report rows."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from ..frame._readers import number_or_none
from ..frame.catalog import (
    canonical_equals_subscription,
    is_router,
    listing_ids,
)
from ..frame.schema import CAPABILITIES

__all__ = ("SEVERITIES", "Row")

Row = dict[str, Any]
SEVERITIES = ("error", "warning", "info")
_SLIP_FACTOR = 1000.0  # per 1K versus per 1M
_FAMILY_FACTOR = 100.0
_VERSION = re.compile(r"(?<![\d.])(\d+(?:\.\d+)+)(?![\d.])")


def _row(rule: str, severity: str, message: str, model_id: Any = None, endpoint: Any = None) -> Row:
    return {
        "rule": rule,
        "severity": severity,
        "id": model_id,
        "source_endpoint": endpoint,
        "message": message,
    }


def _invalid(models: pd.DataFrame) -> Iterator[tuple[str, dict[str, Any]]]:
    extra = models["extra_json"].dropna()
    for model_id, raw in zip(models.loc[extra.index, "id"], extra, strict=True):
        try:
            bad = json.loads(raw).get("_invalid")
        except (ValueError, AttributeError):
            continue
        if bad:
            yield model_id, bad


def output_exceeds_context(models: pd.DataFrame) -> Iterator[Row]:
    """``max_output_tokens`` greater than ``context_length``."""
    over = models[(models["max_output_tokens"] > models["context_length"]).fillna(False)]
    for model_id, out, ctx in over[["id", "max_output_tokens", "context_length"]].itertuples(
        index=False
    ):
        yield _row(
            "output_exceeds_context",
            "warning",
            f"max_output_tokens {out:,} exceeds context_length {ctx:,}",
            model_id,
        )


def invalid_values(models: pd.DataFrame) -> Iterator[Row]:
    """Served values that could not be read (kept in ``extra_json["_invalid"]``)."""
    for model_id, bad in _invalid(models):
        for path, value in bad.items():
            is_price = path.startswith("pricing.")
            number = number_or_none(value)
            negative = number is not None and number < 0
            if is_price and negative:
                yield _row(
                    "price_negative",
                    "error",
                    f"{path} is negative ({value}); read as unknown",
                    model_id,
                )
            elif is_price:
                huge = number is not None and math.isfinite(number) and abs(number) > 1e300
                what = "too large to be a price" if huge else "not a price"
                yield _row(
                    "price_unreadable",
                    "error",
                    f"{path} is {what} ({value!r}); read as unknown",
                    model_id,
                )
            else:
                yield _row(
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
        for model_id, bad in _invalid(models)
        if any(k in bad for k in ("pricing.prompt", "pricing.completion"))
    }
    note = models["price_note"] if "price_note" in models.columns else None
    varies = (note == "varies_by_modality").fillna(False) if note is not None else None
    if varies is not None:
        unpriced = models["price_prompt"].isna() & models["price_completion"].isna()
        for model_id in models.loc[varies & unpriced, "id"]:
            yield _row(
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
            yield _row("price_missing", "warning", f"{column} is not served", model_id)
        zero = models[(models[column] == 0).fillna(False) & ~routers]
        for model_id in zero["id"]:
            yield _row(
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
        yield _row(
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
        yield _row(
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
                yield _row(
                    "price_unit_slip",
                    "error",
                    f"price_prompt {value:g} is over {_FAMILY_FACTOR:g}x off the rest of "
                    f"its family ({family['id'].size - 1} variants, median {others:g})",
                    ids[index],
                )


def price_jumps(df: pd.DataFrame) -> Iterator[Row]:
    """A price that moved 1000x (up or down) since the previous snapshot in the frame."""
    if "snapshot_at" not in df.columns or df["snapshot_at"].nunique() < 2:
        return
    from ..frame.catalog import per_snapshot_models

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
            yield _row(
                "price_jump",
                "error",
                f"{column} moved from {before[index]:g} to {now[index]:g} since the "
                "previous snapshot (1000x: a unit slip?)",
                models.at[index, "id"],
            )


def case_only_ids(models: pd.DataFrame) -> Iterator[Row]:
    """Ids that differ only by case (distinct models to the API; easy to mix up)."""
    lowered = models["id"].str.lower()
    clash = models[lowered.duplicated(keep=False)]
    for _, group in clash.groupby(lowered[clash.index]):
        ids = sorted(group["id"])
        for model_id in ids:
            others = ", ".join(i for i in ids if i != model_id)
            yield _row("id_case_pair", "warning", f"differs only by case from {others}", model_id)


def duplicate_ids(df: pd.DataFrame) -> Iterator[Row]:
    """The same id twice in one listing of one load."""
    keys = ["snapshot_at", "source_endpoint", "id"]
    dup = df[df.duplicated(keys, keep="first")]
    for (_, endpoint, model_id), group in dup.groupby(keys, sort=True):
        yield _row(
            "duplicate_id",
            "error",
            f"listed {len(group) + 1} times in the {endpoint} listing",
            model_id,
            endpoint,
        )


def listing_disagreements(df: pd.DataFrame) -> Iterator[Row]:
    """Ids in both subscription and paid, missing from canonical, or canonical ids in neither."""
    from .subscription import listing_consistency

    severity = {"in_subscription_and_paid": "error"}
    text = {
        "in_subscription_and_paid": "listed in both the subscription and the paid listing",
        "subscription_not_in_canonical": "in the subscription listing but not in canonical",
        "paid_not_in_canonical": "in the paid listing but not in canonical",
        "canonical_in_neither": "in canonical but in neither the subscription nor the paid listing",
    }
    for model_id, problem in (
        listing_consistency(df)[["id", "problem"]].drop_duplicates().itertuples(index=False)
    ):
        yield _row(problem, severity.get(problem, "warning"), text[problem], model_id)


def capability_coverage(models: pd.DataFrame) -> Iterator[Row]:
    """Capability flags the catalog leaves unknown for some models."""
    for cap in CAPABILITIES:
        unknown = models[f"cap_{cap}"].isna().mean() if len(models) else 0.0
        if unknown > 0:
            yield _row(
                "capability_unknown",
                "info",
                f"cap_{cap} is unknown for {unknown:.0%} of models "
                "(a missing key means unknown, not false)",
            )


def name_version_mismatch(models: pd.DataFrame) -> Iterator[Row]:
    """A display name whose version number disagrees with the id's (e.g. 4.6 named 4.5)."""
    named = models[models["name"].notna()]
    for model_id, name in named[["id", "name"]].itertuples(index=False):
        in_id = set(_VERSION.findall(model_id.rsplit("/", 1)[-1]))
        in_name = set(_VERSION.findall(name))
        if in_id and in_name and in_id.isdisjoint(in_name):
            yield _row(
                "name_version_mismatch",
                "warning",
                f"name {name!r} says {', '.join(sorted(in_name))} but the id says "
                f"{', '.join(sorted(in_id))}",
                model_id,
            )


def created_not_release_date(models: pd.DataFrame) -> Iterator[Row]:
    """``created`` shared by most models: it is not a release date."""
    created = models["created"].dropna()
    if len(created) >= 5:
        share = created.value_counts().iloc[0] / len(created)
        if share > 0.5:
            yield _row(
                "created_not_release_date",
                "info",
                f"{share:.0%} of models share one 'created' value "
                f"({created.mode().iloc[0]:%Y-%m-%d}); do not read it as a release date",
            )


def unknown_fields(models: pd.DataFrame) -> Iterator[Row]:
    """Fields the contract does not map (kept in ``extra_json``)."""
    extra = models["extra_json"].dropna()
    for model_id, raw in zip(models.loc[extra.index, "id"], extra, strict=True):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        names = []
        for key, value in sorted(data.items()):
            if key == "_invalid":
                continue
            if isinstance(value, dict) and key in (
                "capabilities",
                "pricing",
                "architecture",
                "distillationPolicy",
                "subscription",
            ):
                names += [f"{key}.{k}" for k in sorted(value)]
            else:
                names.append(key)
        if names:
            yield _row(
                "unknown_fields",
                "info",
                f"fields outside the contract: {', '.join(names)}",
                model_id,
            )


def load_problems(df: pd.DataFrame) -> Iterator[Row]:
    """What the loader noticed: skipped items, canonical restricted to the subscription."""
    for endpoint, count in (df.attrs.get("skipped_items") or {}).items():
        yield _row(
            "malformed_items_skipped",
            "error",
            f"{count} malformed item(s) skipped in the {endpoint} listing",
            endpoint=endpoint,
        )
    restricted = df.attrs.get("canonical_restricted")
    if restricted is None and df.attrs.get("authenticated"):
        restricted = canonical_equals_subscription(listing_ids(df))
    if restricted:
        yield _row(
            "canonical_equals_subscription",
            "warning",
            "with this API key the canonical listing equals the subscription listing; "
            "paid models are hidden from it",
            endpoint="canonical",
        )
