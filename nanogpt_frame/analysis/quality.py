"""``quality_report``: one row per data problem found in a catalog. Pure.

Each rule is a small function returning rows (``quality_rules``); ``RULES`` lists them with what
they read, so the report can be explained (``nanogpt-frame quality`` prints the same rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from nanogpt_frame.analysis.quality_prices import (
    invalid_values,
    missing_prices,
    price_jumps,
    price_unit_slips,
)
from nanogpt_frame.analysis.quality_rules import (
    SEVERITIES,
    Row,
    capability_coverage,
    case_only_ids,
    created_not_release_date,
    duplicate_ids,
    listing_disagreements,
    load_problems,
    name_version_mismatch,
    output_exceeds_context,
    unknown_fields,
)
from nanogpt_frame.schema import PRICE_COLUMNS, require_columns, unique_models

__all__ = ("RULES", "quality_report")

# (rule function, whether it reads each model once (True) or every row of every listing)
RULES: tuple[tuple[Callable[[pd.DataFrame], Iterator[Row]], bool], ...] = (
    (load_problems, False),
    (duplicate_ids, False),
    (listing_disagreements, False),
    (invalid_values, True),
    (missing_prices, True),
    (price_unit_slips, True),
    (price_jumps, False),
    (output_exceeds_context, True),
    (case_only_ids, True),
    (name_version_mismatch, True),
    (unknown_fields, True),
    (capability_coverage, True),
    (created_not_release_date, True),
)


def quality_report(df: pd.DataFrame) -> pd.DataFrame:
    """One row per data problem found in a catalog.

    Columns: ``severity`` (``error``, ``warning``, ``info``), ``rule``, ``id`` (``<NA>`` for
    catalog-wide findings), ``source_endpoint`` (for listing-level findings) and ``message``.
    Model-level rules look at each model once (the latest snapshot; see ``unique_models``).
    Rules: negative or unreadable prices, missing prices and 0 prices on non-routers (routers and
    utilities such as ``auto-model`` or ``nano-gpt-help`` list 0 on purpose), prices that vary
    by modality (info), unit slips (cache read above prompt, completion 1000x prompt, 100x off
    the model's own family, a 1000x move since the previous snapshot when the frame holds a
    history), output limit above context, case-only id pairs, duplicate ids within a listing,
    disagreements between the listings, unknown capability coverage, names that disagree with
    the id's version, one ``created`` for most models, fields outside the contract, skipped items
    and a canonical listing restricted to the subscription.

    >>> import nanogpt_frame as nf
    >>> report = quality_report(nf.load("sample"))
    >>> "id_case_pair" in set(report["rule"])
    True
    """
    require_columns(
        df,
        ("id", "base_id", "snapshot_at", "source_endpoint", "extra_json", *PRICE_COLUMNS),
        what="quality_report",
    )
    models = unique_models(df) if len(df) else df
    rows: list[Row] = []
    for rule, per_model in RULES:
        rows.extend(rule(models if per_model else df))
    report = pd.DataFrame(rows, columns=["rule", "severity", "id", "source_endpoint", "message"])
    report["severity"] = pd.Categorical(report["severity"], categories=SEVERITIES, ordered=True)
    report = report.sort_values(["severity", "rule", "id"], kind="stable", na_position="first")
    report = report[["severity", "rule", "id", "source_endpoint", "message"]]
    return report.astype(
        {c: "string[pyarrow]" for c in ("rule", "id", "source_endpoint", "message")}
    ).reset_index(drop=True)
