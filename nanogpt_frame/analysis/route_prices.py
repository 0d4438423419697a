"""Provider routes as answers: the cheapest route per model, markups, and the spread. Pure.

Prices compare on the 3:1 blended price (as ``blended_price``). A route is a candidate when it
is ``available`` and both its prices are known; an unpriced route is never taken as free.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from nanogpt_frame.analysis.candidates import candidates
from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import require_columns

__all__ = ("cheapest_routes", "latest_routes", "route_markup", "route_spread")

_INPUT_WEIGHT, _OUTPUT_WEIGHT = 3.0, 1.0


def _blend(prompt: pd.Series, completion: pd.Series) -> pd.Series:
    return (_INPUT_WEIGHT * prompt + _OUTPUT_WEIGHT * completion) / (_INPUT_WEIGHT + _OUTPUT_WEIGHT)


def latest_routes(routes: pd.DataFrame) -> pd.DataFrame:
    """The routes of each model's newest snapshot (a routes history holds several)."""
    require_columns(routes, ("snapshot_at", "model_id", "provider"), what="routes helpers")
    if routes["snapshot_at"].nunique() <= 1:
        return routes
    newest = routes.groupby("model_id", sort=False)["snapshot_at"].transform("max")
    return routes[routes["snapshot_at"] == newest]


def route_markup(routes: pd.DataFrame) -> pd.DataFrame:
    """Each route with what choosing its provider costs over the platform default.

    Adds ``blended_price`` and ``default_blended_price`` (USD per 1M, 3:1), and the markups
    ``markup_prompt``, ``markup_completion``, ``markup_blended`` as shares (``0.05`` = 5% more
    than the default). ``<NA>`` where either price is unknown.

    >>> import nanogpt_frame as nf
    >>> marked = route_markup(nf.load_routes(source="sample"))
    >>> float(marked["markup_blended"].median()) > 0
    True
    """
    require_columns(
        routes,
        ("price_prompt", "price_completion", "default_price_prompt", "default_price_completion"),
        what="route_markup",
    )
    out = routes.copy()
    out["blended_price"] = _blend(routes["price_prompt"], routes["price_completion"])
    out["default_blended_price"] = _blend(
        routes["default_price_prompt"], routes["default_price_completion"]
    )
    for name, route, default in (
        ("markup_prompt", "price_prompt", "default_price_prompt"),
        ("markup_completion", "price_completion", "default_price_completion"),
        ("markup_blended", "blended_price", "default_blended_price"),
    ):
        base = out[default].where(out[default] > 0)
        out[name] = out[route] / base - 1
    return out


def route_spread(routes: pd.DataFrame) -> pd.DataFrame:
    """Per model: how many routes are available and how far their prices spread.

    Columns: ``model_id``, ``routes`` (rows with a provider), ``routes_available``,
    ``min_blended``, ``median_blended``, ``max_blended`` (over available, priced routes),
    ``default_blended_price`` and ``supports_provider_selection``.

    >>> import nanogpt_frame as nf
    >>> spread = route_spread(nf.load_routes(source="sample")).dropna(subset=["min_blended"])
    >>> bool((spread["min_blended"] <= spread["max_blended"]).all())
    True
    """
    marked = route_markup(latest_routes(routes))
    usable = marked["available"].fillna(False).astype(bool) & marked["blended_price"].notna()
    priced = marked["blended_price"].where(usable).astype("float64")
    grouped = marked.assign(
        _priced=priced, _has=marked["provider"].notna(), _usable=usable
    ).groupby("model_id", sort=False)
    out = pd.DataFrame(
        {
            "routes": grouped["_has"].sum().astype("int64"),
            "routes_available": grouped["_usable"].sum().astype("int64"),
            "min_blended": grouped["_priced"].min(),
            "median_blended": grouped["_priced"].median(),
            "max_blended": grouped["_priced"].max(),
            "default_blended_price": grouped["default_blended_price"].first(),
            "supports_provider_selection": grouped["supports_provider_selection"].first(),
        }
    )
    return out.reset_index()


def cheapest_routes(
    routes: pd.DataFrame,
    models: pd.DataFrame | None = None,
    *,
    require: Iterable[str] | str = (),
    distillation: str | None = None,
) -> pd.DataFrame:
    """Per model, the cheapest available route (3:1 blended), beside the platform default.

    Args:
        routes: a routes frame (``load_routes``); a history uses each model's newest snapshot.
        models: a models frame, needed for ``require``.
        require: capabilities every model must have, as in ``rank_models``.
        distillation: only routes whose ``effective_distillation_status`` is this (e.g.
            ``"allowed"``): a route's own policy overrides the model's.

    Returns:
        One row per model with a candidate route, cheapest first: ``model_id``, ``provider``,
        ``price_prompt``, ``price_completion``, ``blended_price``, ``default_price_prompt``,
        ``default_price_completion``, ``default_blended_price``, ``markup_blended``,
        ``effective_distillation_status``, ``quantization``, ``routes_available``. A candidate
        is ``available`` with both prices known; ties go to the provider name, alphabetically.

    Raises:
        ConfigError: ``require`` without ``models``, or an unknown capability.

    >>> import nanogpt_frame as nf
    >>> best = cheapest_routes(nf.load_routes(source="sample"), distillation="allowed")
    >>> set(best["effective_distillation_status"]) <= {"allowed"}
    True
    """
    names = (
        [r for r in require.split(",") if r.strip()] if isinstance(require, str) else list(require)
    )
    marked = route_markup(latest_routes(routes))
    usable = marked["available"].fillna(False).astype(bool) & marked["blended_price"].notna()
    counts = usable.groupby(marked["model_id"], sort=False).sum().rename("routes_available")
    picked = marked[usable]
    if distillation is not None:
        status = picked["effective_distillation_status"]
        picked = picked[(status == distillation).fillna(False).astype(bool)]
    if names:
        if models is None:
            raise ConfigError(
                "require= needs the models frame: cheapest_routes(routes, models, require=...)"
            )
        keep = set(candidates(models, names, include_routers=True)["id"])
        picked = picked[picked["model_id"].isin(keep)]
    picked = picked.sort_values(["model_id", "blended_price", "provider"], kind="stable")
    best = picked.drop_duplicates("model_id").copy()
    best["routes_available"] = best["model_id"].map(counts).astype("int64")
    columns = [
        "model_id",
        "provider",
        "price_prompt",
        "price_completion",
        "blended_price",
        "default_price_prompt",
        "default_price_completion",
        "default_blended_price",
        "markup_blended",
        "effective_distillation_status",
        "quantization",
        "routes_available",
    ]
    best = best.sort_values(["blended_price", "model_id"], kind="stable")[columns]
    return best.reset_index(drop=True)
