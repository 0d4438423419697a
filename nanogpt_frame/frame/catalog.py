"""Small shared helpers over the models frame: one row per model, column checks."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .schema import CAPABILITIES

__all__ = (
    "candidates",
    "canonical_equals_subscription",
    "capability_column",
    "capability_count",
    "endpoint_rank",
    "has_all",
    "is_router",
    "listing_ids",
    "per_snapshot_models",
    "require_columns",
    "unique_models",
)

_ENDPOINT_PREFERENCE = {"canonical": 0, "subscription": 1, "paid": 2}


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str = "this") -> None:
    """Raise ``ConfigError`` naming the columns ``df`` lacks (instead of a bare KeyError)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(
            f"{what} needs a models frame (from nanogpt_frame.load); missing columns: {missing}"
        )


def capability_column(name: str) -> str:
    """``"vision"`` or ``"cap_vision"`` -> ``"cap_vision"``; unknown names raise ``ConfigError``."""
    bare = name.strip().removeprefix("cap_")
    if bare not in CAPABILITIES:
        raise ConfigError(f"unknown capability {name!r}; known: {', '.join(CAPABILITIES)}")
    return f"cap_{bare}"


def endpoint_rank(df: pd.DataFrame) -> pd.Series:
    """Which row of a model to prefer: canonical 0, subscription 1, paid 2, anything else 3."""
    if "source_endpoint" not in df.columns:
        return pd.Series(0, index=df.index)
    endpoint = df["source_endpoint"]
    choices = [
        (endpoint == name).fillna(False).to_numpy(dtype=bool) for name in _ENDPOINT_PREFERENCE
    ]
    return pd.Series(np.select(choices, list(_ENDPOINT_PREFERENCE.values()), 3), index=df.index)


def listing_ids(df: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The ids of each listing in the frame (``{"canonical": ..., "paid": ...}``)."""
    return {e: frozenset(ids) for e, ids in df.groupby("source_endpoint")["id"]}


def canonical_equals_subscription(ids: dict[str, frozenset[str]]) -> bool:
    """True when both listings were loaded and list the same ids (a keyed, restricted account)."""
    canonical = ids.get("canonical")
    return canonical is not None and canonical == ids.get("subscription")


def unique_models(df: pd.DataFrame) -> pd.DataFrame:
    """One row per model id (the latest snapshot; canonical, then subscription, then paid).

    ``in_subscription`` is already resolved across listings, so nothing is lost by keeping one
    row. Ids that differ only by case stay two models.

    >>> import nanogpt_frame as nf
    >>> df = nf.load("sample")
    >>> len(unique_models(df)) == df["id"].nunique()
    True
    """
    require_columns(df, ("id",), what="unique_models")
    if df.empty or not df["id"].duplicated().any():
        return df
    keys = pd.DataFrame({"rank": endpoint_rank(df).astype(float)}, index=df.index)
    if "snapshot_at" in df.columns:
        keys["stamp"] = -df["snapshot_at"].astype("int64[pyarrow]").astype(float).fillna(0)
        ordered = keys.sort_values(["stamp", "rank"], kind="stable").index
    else:
        ordered = keys.sort_values("rank", kind="stable").index
    out = df.loc[ordered]
    out = out[~out["id"].duplicated()]
    return out.sort_index()


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
