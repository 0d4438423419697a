"""The price/capability frontier: models no other model beats on price and capability. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from nanogpt_frame.analysis.candidates import candidates, capability_count
from nanogpt_frame.analysis.pricing import Workload, ranking_price

__all__ = ("pareto_frontier",)

_CHUNK = 512  # rows compared at once: bounds memory to _CHUNK x n booleans


def pareto_frontier(
    df: pd.DataFrame,
    *,
    require: Iterable[str] | str = (),
    min_context: int | None = None,
    workload: Workload | dict[str, Any] | None = None,
    input_weight: float = 3.0,
    output_weight: float = 1.0,
    keep_dominated: bool = False,
) -> pd.DataFrame:
    """Models that no other model beats on price while matching it on capability.

    Dominance rule. Among models with a known price (blended, or the workload's cost) that have
    every ``require``-d capability and at least ``min_context`` tokens, model B *dominates* model
    A when all three hold, with at least one strictly:

    - B's price is lower than or equal to A's;
    - B has at least as many capabilities (True flags of the 8 ``cap_*`` columns; unknown counts
      as not having it);
    - B's context length is at least A's (unknown context counts as 0).

    Models equal on all three do not dominate each other, so both stay on the frontier. Each model
    counts once; routers (``auto-model*``) are left out.

    Args:
        df: a models frame.
        require, min_context: which models compete (as in ``rank_models``).
        workload, input_weight, output_weight: the price used (as in ``rank_models``).
        keep_dominated: also return the dominated models, each with ``dominated_by``: the
            cheapest model that dominates it (ties broken by more capabilities, longer context,
            then id).

    Returns:
        The frontier sorted by price, with ``price``, ``capabilities``, ``context``,
        ``on_frontier``, ``dominated_by`` and ``dominates`` (how many models it dominates).

    >>> import nanogpt_frame as nf
    >>> front = pareto_frontier(nf.load("sample"))
    >>> bool(front["on_frontier"].all())
    True
    """
    models = candidates(df, require, min_context)
    price = ranking_price(models, workload, input_weight=input_weight, output_weight=output_weight)
    models = models[price.notna()].assign(price=price[price.notna()])
    models = models.assign(
        capabilities=capability_count(models),
        context=models["context_length"].fillna(0).astype("int64"),
    )
    # Order so that the first dominator found is the preferred one.
    models = models.sort_values(
        ["price", "capabilities", "context", "id"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    p = models["price"].to_numpy(dtype=float)
    c = models["capabilities"].to_numpy(dtype=np.int64)
    x = models["context"].to_numpy(dtype=np.int64)
    n = len(models)
    dominated_by = np.full(n, -1)
    dominates = np.zeros(n, dtype=np.int64)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        pa, ca, xa = p[start:stop, None], c[start:stop, None], x[start:stop, None]
        weakly = (p[None, :] <= pa) & (c[None, :] >= ca) & (x[None, :] >= xa)
        strictly = (p[None, :] < pa) | (c[None, :] > ca) | (x[None, :] > xa)
        beaten = weakly & strictly  # [a, b]: b dominates a
        first = np.where(beaten.any(axis=1), beaten.argmax(axis=1), -1)
        dominated_by[start:stop] = first
        dominates += beaten.sum(axis=0)
    ids = models["id"].to_numpy(dtype=object)
    out = models.assign(
        on_frontier=dominated_by < 0,
        dominated_by=pd.array(
            [ids[i] if i >= 0 else None for i in dominated_by], dtype="string[pyarrow]"
        ),
        dominates=dominates,
    )
    if not keep_dominated:
        out = out[out["on_frontier"]]
    lead = ["id", "price", "capabilities", "context", "on_frontier", "dominated_by", "dominates"]
    return out[lead + [col for col in out.columns if col not in lead]].reset_index(drop=True)
