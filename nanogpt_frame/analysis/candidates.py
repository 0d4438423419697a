"""Which models an analysis considers: routers, capability filters, one row per snapshot."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import CAPABILITIES, endpoint_rank, require_columns, unique_models

__all__ = (
    "candidates",
    "capability_column",
    "capability_count",
    "has_all",
    "is_router",
    "per_snapshot_models",
)


def capability_column(name: str) -> str:
    """``"vision"`` or ``"cap_vision"`` -> ``"cap_vision"``; unknown names raise ``ConfigError``."""
    bare = name.strip().removeprefix("cap_")
    if bare not in CAPABILITIES:
        raise ConfigError(f"unknown capability {name!r}; known: {', '.join(CAPABILITIES)}")
    return f"cap_{bare}"


#: Router and utility ids that list 0 / 0 on purpose (the facts file, 623-model catalog).
ROUTER_PATTERN = (
    r"^(?:auto-model.*|nano-gpt-help|nanogpt/coding-router.*|brave.*"
    r"|claw-(?:low|medium|high)|hermes-(?:low|medium|high))$"
)


def is_router(df: pd.DataFrame) -> pd.Series:
    """True for routers and utilities (``auto-model*``, ``nano-gpt-help``, ``brave*``, ...) whose
    listed 0 / 0 price is not what a request costs.

    >>> import pandas as pd
    >>> ids = pd.DataFrame({"id": ["auto-model-pro", "nano-gpt-help", "openai/gpt-5.2"]})
    >>> is_router(ids).tolist()
    [True, True, False]
    """
    return df["id"].astype("string").str.fullmatch(ROUTER_PATTERN).fillna(False).astype(bool)


def per_snapshot_models(history: pd.DataFrame) -> pd.DataFrame:
    """One row per (snapshot, model id): the canonical row first, as ``unique_models`` does."""
    require_columns(history, ("snapshot_at", "id", "source_endpoint"), what="history")
    ordered = history.assign(_rank=endpoint_rank(history)).sort_values(
        ["snapshot_at", "id", "_rank"], kind="stable"
    )
    return ordered.drop_duplicates(["snapshot_at", "id"]).drop(columns="_rank")


def has_all(df: pd.DataFrame, capabilities: Iterable[str]) -> pd.Series:
    """True where every named capability is True (``<NA>`` never counts as having it)."""
    mask = pd.Series(True, index=df.index)
    for name in capabilities:
        mask &= (df[capability_column(name)] == True).fillna(False).astype(bool)  # noqa: E712
    return mask


def candidates(
    df: pd.DataFrame,
    require: Iterable[str] | str = (),
    min_context: int | None = None,
    *,
    include_routers: bool = False,
) -> pd.DataFrame:
    """Each model once, keeping those with every required capability and enough context.

    ``require`` is capability names (``"vision"`` or ``"cap_vision"``) or one comma-separated
    string; unknown names raise ``ConfigError``. Unknown context never qualifies for
    ``min_context``. Routers (``auto-model*``) are left out unless ``include_routers``.
    """
    require_columns(
        df, ("id", "price_prompt", "price_completion", "context_length"), what="ranking"
    )
    names = [r for r in require.split(",") if r.strip()] if isinstance(require, str) else require
    names = list(names)
    for name in names:
        capability_column(name)  # unknown names fail before any work
    models = unique_models(df)
    keep = has_all(models, names)
    if min_context is not None:
        keep &= (models["context_length"] >= min_context).fillna(False).astype(bool)
    if not include_routers:
        keep &= ~is_router(models)
    return models[keep]


def capability_count(df: pd.DataFrame) -> pd.Series:
    """How many capability flags are True per model (unknown counts as not having it)."""
    columns = [f"cap_{c}" for c in CAPABILITIES if f"cap_{c}" in df.columns]
    flags = df[columns].fillna(False).astype(bool)
    return flags.sum(axis=1).astype("int64").rename("capabilities")
