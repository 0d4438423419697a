"""The rules of ``quality_report``: each a small pure function from a frame to report rows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from nanogpt_frame.schema import CAPABILITIES, canonical_equals_subscription, listing_ids

__all__ = ("SEVERITIES", "Row", "invalid_entries", "row")

Row = dict[str, Any]
SEVERITIES = ("error", "warning", "info")
_VERSION = re.compile(r"(?<![\d.])(\d+(?:\.\d+)+)(?![\d.])")


def row(rule: str, severity: str, message: str, model_id: Any = None, endpoint: Any = None) -> Row:
    return {
        "rule": rule,
        "severity": severity,
        "id": model_id,
        "source_endpoint": endpoint,
        "message": message,
    }


def invalid_entries(models: pd.DataFrame) -> Iterator[tuple[str, dict[str, Any]]]:
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
        yield row(
            "output_exceeds_context",
            "warning",
            f"max_output_tokens {out:,} exceeds context_length {ctx:,}",
            model_id,
        )


def case_only_ids(models: pd.DataFrame) -> Iterator[Row]:
    """Ids that differ only by case (distinct models to the API; easy to mix up)."""
    lowered = models["id"].str.lower()
    clash = models[lowered.duplicated(keep=False)]
    for _, group in clash.groupby(lowered[clash.index]):
        ids = sorted(group["id"])
        for model_id in ids:
            others = ", ".join(i for i in ids if i != model_id)
            yield row("id_case_pair", "warning", f"differs only by case from {others}", model_id)


def duplicate_ids(df: pd.DataFrame) -> Iterator[Row]:
    """The same id twice in one listing of one load."""
    keys = ["snapshot_at", "source_endpoint", "id"]
    dup = df[df.duplicated(keys, keep="first")]
    for (_, endpoint, model_id), group in dup.groupby(keys, sort=True):
        yield row(
            "duplicate_id",
            "error",
            f"listed {len(group) + 1} times in the {endpoint} listing",
            model_id,
            endpoint,
        )


def listing_disagreements(df: pd.DataFrame) -> Iterator[Row]:
    """Ids in both subscription and paid, missing from canonical, or canonical ids in neither."""
    from nanogpt_frame.analysis.subscription import listing_consistency

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
        yield row(problem, severity.get(problem, "warning"), text[problem], model_id)


def capability_coverage(models: pd.DataFrame) -> Iterator[Row]:
    """Capability flags the catalog leaves unknown for some models."""
    for cap in CAPABILITIES:
        unknown = models[f"cap_{cap}"].isna().mean() if len(models) else 0.0
        if unknown > 0:
            yield row(
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
            yield row(
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
            yield row(
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
            yield row(
                "unknown_fields",
                "info",
                f"fields outside the contract: {', '.join(names)}",
                model_id,
            )


def load_problems(df: pd.DataFrame) -> Iterator[Row]:
    """What load() noticed: skipped items, canonical restricted to the subscription."""
    for endpoint, count in (df.attrs.get("skipped_items") or {}).items():
        yield row(
            "malformed_items_skipped",
            "error",
            f"{count} malformed item(s) skipped in the {endpoint} listing",
            endpoint=endpoint,
        )
    restricted = df.attrs.get("canonical_restricted")
    if restricted is None and df.attrs.get("authenticated"):
        restricted = canonical_equals_subscription(listing_ids(df))
    if restricted:
        yield row(
            "canonical_equals_subscription",
            "warning",
            "with this API key the canonical listing equals the subscription listing; "
            "paid models are hidden from it",
            endpoint="canonical",
        )
