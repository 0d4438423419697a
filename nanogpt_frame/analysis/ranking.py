"""Rankings: the cheapest model that can do X, what a capability costs, value for money. Pure."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd

from nanogpt_frame.analysis.candidates import candidates, capability_count, is_router
from nanogpt_frame.analysis.pricing import Workload, blended_price, ranking_price
from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import CAPABILITIES, unique_models

__all__ = ("price_per_capability", "rank_models", "value_ranking")

_SHOWN = (
    "id",
    "name",
    "owned_by",
    "in_subscription",
    "price_prompt",
    "price_completion",
    "price_cache_read",
    "context_length",
    "max_output_tokens",
)


def rank_models(
    df: pd.DataFrame,
    *,
    require: Iterable[str] | str = (),
    min_context: int | None = None,
    workload: Workload | dict[str, Any] | None = None,
    input_weight: float = 3.0,
    output_weight: float = 1.0,
    max_price: float | None = None,
    unknown_price: str = "last",
    include_routers: bool = False,
) -> pd.DataFrame:
    """Models that have every required capability, cheapest first, each model once.

    Args:
        df: a models frame (one listing or several; each model id counts once).
        require: capability names without the ``cap_`` prefix (``"vision"``, ``"tool_calling"``);
            a model whose flag is ``<NA>`` does not qualify.
        min_context: minimum context length in tokens (unknown context does not qualify).
        workload: rank by the cost of this workload (``Workload`` or dict) instead of the blended
            price per 1M tokens.
        input_weight, output_weight: the blended price's token mix (default 3:1).
        max_price: drop models whose ranking price is above this.
        unknown_price: ``"last"`` (keep them, unranked, at the end) or ``"drop"``.
        include_routers: keep ``auto-model*`` routers (their 0 price is not what you pay).

    Returns:
        ``rank`` (1 = cheapest; ties share a rank; ``<NA>`` for unknown price), the ranking price
        (``blended_price`` or ``workload_cost_usd``), then the model's columns.

    >>> import nanogpt_frame as nf
    >>> top = rank_models(nf.load("sample"), require="vision,tool_calling", min_context=200_000)
    >>> top["id"].head(3).tolist()
    ['amazon/nova-lite-v1', 'meta-llama/llama-4-scout', 'openai/gpt-5-nano']
    """
    if unknown_price not in ("last", "drop"):
        raise ConfigError("unknown_price must be 'last' or 'drop'")
    models = candidates(df, require, min_context, include_routers=include_routers)
    price = ranking_price(models, workload, input_weight=input_weight, output_weight=output_weight)
    if max_price is not None:
        keep = (price <= max_price).fillna(unknown_price == "last").astype(bool)
        models, price = models[keep], price[keep]
    if unknown_price == "drop":
        models, price = models[price.notna()], price[price.notna()]
    name = cast(str, price.name)  # "blended_price" or "workload_cost_usd"
    out = models.assign(**{name: price})
    out = out.sort_values([name, "id"], na_position="last", kind="stable")
    rank = out[name].rank(method="min")
    out.insert(0, "rank", rank.astype("int64[pyarrow]"))
    columns = ["rank", name, *[c for c in out.columns if c not in ("rank", name)]]
    return out[columns].reset_index(drop=True)


def price_per_capability(
    df: pd.DataFrame, *, input_weight: float = 3.0, output_weight: float = 1.0
) -> pd.DataFrame:
    """One row per capability: how many models have it, and what it costs (blended USD per 1M).

    Columns: ``capability``, ``models_with``, ``models_without``, ``models_unknown``,
    ``cheapest_id``, ``cheapest_price``, ``q1_price``, ``median_price``, ``q3_price`` (of models
    with it and a known price), ``median_price_without`` and ``premium`` (median with over median
    without; above 1 means the capability costs extra). Routers and unknown prices are left out of
    the price statistics; each model counts once.

    >>> import nanogpt_frame as nf
    >>> table = price_per_capability(nf.load("sample"))
    >>> table["capability"].tolist()[:3]
    ['vision', 'reasoning', 'tool_calling']
    """
    models = unique_models(df)
    price = blended_price(models, input_weight=input_weight, output_weight=output_weight)
    priced = price.notna() & ~is_router(models)
    rows = []
    for cap in CAPABILITIES:
        flag = models[f"cap_{cap}"]
        has = (flag == True).fillna(False).astype(bool)  # noqa: E712
        lacks = (flag == False).fillna(False).astype(bool)  # noqa: E712
        with_price = price[has & priced].astype(float)
        without_price = price[lacks & priced].astype(float)
        cheapest = with_price.idxmin() if len(with_price) else None
        median_with = with_price.median() if len(with_price) else math.nan
        median_without = without_price.median() if len(without_price) else math.nan
        rows.append(
            {
                "capability": cap,
                "models_with": int(has.sum()),
                "models_without": int(lacks.sum()),
                "models_unknown": int(flag.isna().sum()),
                "cheapest_id": models.at[cheapest, "id"] if cheapest is not None else None,
                "cheapest_price": with_price.min() if len(with_price) else math.nan,
                "q1_price": with_price.quantile(0.25) if len(with_price) else math.nan,
                "median_price": median_with,
                "q3_price": with_price.quantile(0.75) if len(with_price) else math.nan,
                "median_price_without": median_without,
                "premium": median_with / median_without if median_without else math.nan,
            }
        )
    table = pd.DataFrame(rows)
    table["cheapest_id"] = table["cheapest_id"].astype("string[pyarrow]")
    return table


def value_ranking(
    df: pd.DataFrame,
    *,
    require: Iterable[str] | str = (),
    min_context: int | None = None,
    input_weight: float = 3.0,
    output_weight: float = 1.0,
) -> pd.DataFrame:
    """Models ranked by price per point of what you get (lower is better value).

    Definition: ``points = capabilities + context_points``, where ``capabilities`` counts the
    True flags (of the 8 capability columns) and ``context_points = clip(log2(context / 8192),
    0, 8)`` (8K tokens scores 0, 32K 2, 1M about 7, 2M and more 8; unknown context 0).
    ``price_per_point = blended_price / points``; models with no points or unknown price are
    left out. Each model counts once; routers are left out.

    >>> import nanogpt_frame as nf
    >>> value_ranking(nf.load("sample")).columns[:4].tolist()
    ['rank', 'price_per_point', 'points', 'blended_price']
    """
    models = candidates(df, require, min_context)
    price = blended_price(models, input_weight=input_weight, output_weight=output_weight)
    context = models["context_length"].astype("float64").fillna(0).to_numpy()
    with np.errstate(divide="ignore"):
        context_points = np.clip(np.log2(np.where(context > 0, context, 1) / 8192), 0, 8)
    points = capability_count(models).to_numpy() + context_points
    out = models.assign(
        blended_price=price,
        points=np.round(points, 3),
        price_per_point=(price.astype(float) / np.where(points > 0, points, np.nan)),
    )
    out = out[out["price_per_point"].notna()]
    out = out.sort_values(["price_per_point", "id"], kind="stable")
    out.insert(0, "rank", out["price_per_point"].rank(method="min").astype("int64[pyarrow]"))
    lead = ["rank", "price_per_point", "points", "blended_price"]
    return out[lead + [c for c in out.columns if c not in lead]].reset_index(drop=True)
