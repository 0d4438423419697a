"""Subscription versus paid: the split, a per-provider comparison, listing consistency. Pure."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from nanogpt_frame.analysis.candidates import capability_count, is_router
from nanogpt_frame.analysis.pricing import blended_price
from nanogpt_frame.errors import CatalogWarning, ConfigError
from nanogpt_frame.schema import CAPABILITIES, require_columns, unique_models

__all__ = (
    "listing_consistency",
    "split_subscription",
    "subscription_coverage",
    "subscription_summary",
)


def _membership(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Each model once, and whether it is in the subscription (True), paid (False) or unknown."""
    require_columns(df, ("id", "source_endpoint", "in_subscription"), what="split_subscription")
    endpoint = df["source_endpoint"]
    sub_ids = set(df.loc[endpoint == "subscription", "id"])
    paid_ids = set(df.loc[endpoint == "paid", "id"])
    models = unique_models(df)
    member = models["in_subscription"].astype("boolean")
    if sub_ids or paid_ids:
        ids = models["id"]
        member = member.mask(ids.isin(paid_ids), False).mask(ids.isin(sub_ids), True)
    return models, member


def split_subscription(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the catalog into (subscription, paid) models, each model once.

    Membership comes from the listings loaded (an id in the subscription listing is in the
    subscription; in the paid listing, paid), else from ``in_subscription`` (canonical only, or a
    keyed response's per-model flag). Models nobody can place are left out with a warning.

    Raises:
        ConfigError: no row can be placed (load the subscription and paid listings).

    >>> import nanogpt_frame as nf
    >>> sub, paid = split_subscription(nf.load("sample"))
    >>> bool(set(sub["id"]).isdisjoint(paid["id"]))
    True
    """
    models, member = _membership(df)
    unknown = member.isna()
    if len(models) and unknown.all():
        raise ConfigError(
            "cannot tell subscription from paid models: load the 'subscription' and 'paid' "
            "listings (load(endpoints=('canonical', 'subscription', 'paid')))"
        )
    if unknown.any():
        warnings.warn(
            f"{int(unknown.sum())} model(s) are in neither listing and carry no subscription "
            "flag; left out of both sides",
            CatalogWarning,
            stacklevel=2,
        )
    known = member.fillna(False).astype(bool)
    paid = (member == False).fillna(False).astype(bool)  # noqa: E712
    return models[known].reset_index(drop=True), models[paid].reset_index(drop=True)


def subscription_summary(
    df: pd.DataFrame,
    *,
    by: str = "owned_by",
    input_weight: float = 3.0,
    output_weight: float = 1.0,
) -> pd.DataFrame:
    """Per group (``owned_by`` by default): what the subscription includes versus paid.

    Columns: ``models_subscription``, ``models_paid``, ``share_in_subscription``; the mean number
    of capabilities of each side (``capabilities_subscription``/``_paid``); the share of each side
    with vision, reasoning and tool calling; ``median_blended_subscription``/``_paid`` (USD per
    1M, 3:1 by default); and ``list_value_subscription``: the sum of the included models' blended
    list prices (what one 1M-token blended run on each included model would cost at list price).
    A final ``(all)`` row covers the whole catalog. Routers are left out of the prices.

    >>> import nanogpt_frame as nf
    >>> table = subscription_summary(nf.load("sample"))
    >>> table.iloc[-1]["owned_by"]
    '(all)'
    """
    sub, paid = split_subscription(df)
    if by not in sub.columns:
        raise ConfigError(f"cannot group by {by!r}: not a column of the models frame")
    sides = pd.concat(
        [sub.assign(_side="subscription"), paid.assign(_side="paid")], ignore_index=True
    )
    price = blended_price(sides, input_weight=input_weight, output_weight=output_weight)
    sides = sides.assign(
        _price=price.where(~is_router(sides)).astype(float),
        _caps=capability_count(sides),
        _group=sides[by].astype(object).where(sides[by].notna(), "(unknown)"),
    )
    for cap in ("vision", "reasoning", "tool_calling"):
        sides[f"_{cap}"] = (sides[f"cap_{cap}"] == True).fillna(False).astype(float)  # noqa: E712

    def summarise(frame: pd.DataFrame) -> dict:
        row: dict[str, Any] = {}
        for side in ("subscription", "paid"):
            part = frame[frame["_side"] == side]
            row[f"models_{side}"] = len(part)
            row[f"capabilities_{side}"] = part["_caps"].mean() if len(part) else None
            for cap in ("vision", "reasoning", "tool_calling"):
                row[f"{cap}_share_{side}"] = part[f"_{cap}"].mean() if len(part) else None
            row[f"median_blended_{side}"] = part["_price"].median() if len(part) else None
        total = row["models_subscription"] + row["models_paid"]
        row["share_in_subscription"] = row["models_subscription"] / total if total else None
        row["list_value_subscription"] = frame.loc[frame["_side"] == "subscription", "_price"].sum()
        return row

    rows = [{by: group, **summarise(part)} for group, part in sides.groupby("_group", sort=True)]
    rows.sort(key=lambda r: (-(r["models_subscription"] + r["models_paid"]), str(r[by])))
    rows.append({by: "(all)", **summarise(sides)})
    table = pd.DataFrame(rows)
    first = [by, "models_subscription", "models_paid", "share_in_subscription"]
    return table[first + [c for c in table.columns if c not in first]]


def subscription_coverage(df: pd.DataFrame) -> pd.DataFrame:
    """One row per capability: the share of subscription and of paid models that have it.

    >>> import nanogpt_frame as nf
    >>> len(subscription_coverage(nf.load("sample"))) == 8
    True
    """
    sub, paid = split_subscription(df)
    rows = []
    for cap in CAPABILITIES:
        column = f"cap_{cap}"
        row: dict[str, Any] = {"capability": cap}
        for name, side in (("subscription", sub), ("paid", paid)):
            has = (side[column] == True).fillna(False).astype(bool)  # noqa: E712
            row[f"share_{name}"] = float(has.mean()) if len(side) else None
            row[f"unknown_{name}"] = int(side[column].isna().sum())
        rows.append(row)
    return pd.DataFrame(rows)


def listing_consistency(df: pd.DataFrame) -> pd.DataFrame:
    """Disagreements between the listings of each load, one row per (snapshot, id, problem).

    Problems: ``in_subscription_and_paid``, ``subscription_not_in_canonical``,
    ``paid_not_in_canonical``, ``canonical_in_neither``. Only listings present in a load are
    compared (a load of canonical alone has nothing to disagree with).

    >>> import nanogpt_frame as nf
    >>> listing_consistency(nf.load("sample")).empty
    True
    """
    require_columns(df, ("id", "source_endpoint", "snapshot_at"), what="listing_consistency")
    rows = []
    for stamp, load in df.groupby("snapshot_at", sort=True):
        ids = {e: set(part) for e, part in load.groupby("source_endpoint")["id"]}
        canonical, sub, paid = (ids.get(e) for e in ("canonical", "subscription", "paid"))
        checks = []
        if sub is not None and paid is not None:
            checks.append(("in_subscription_and_paid", sub & paid))
        if canonical is not None and sub is not None:
            checks.append(("subscription_not_in_canonical", sub - canonical))
        if canonical is not None and paid is not None:
            checks.append(("paid_not_in_canonical", paid - canonical))
        if canonical is not None and sub is not None and paid is not None:
            checks.append(("canonical_in_neither", canonical - sub - paid))
        rows += [
            {"snapshot_at": stamp, "id": model_id, "problem": problem}
            for problem, found in checks
            for model_id in sorted(found)
        ]
    out = pd.DataFrame(rows, columns=["snapshot_at", "id", "problem"])
    return out.astype({"id": "string[pyarrow]", "problem": "string[pyarrow]"})
