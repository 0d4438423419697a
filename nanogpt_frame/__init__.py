"""nanogpt_frame: NanoGPT's model catalog as typed, analysis-ready pandas data.

>>> import nanogpt_frame as nf
>>> df = nf.load("sample")            # the bundled catalog, no network
>>> nf.rank_models(df, require=("vision", "tool_calling")).head()  # doctest: +SKIP

Importing this package is cheap: pandas, pyarrow, httpx and matplotlib load only when a function
that needs them is called.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from nanogpt_frame.errors import (
    CatalogWarning,
    ConfigError,
    FetchError,
    NanoGPTError,
    PayloadError,
    RateLimitError,
    SnapshotError,
    SnapshotWarning,
)

__all__ = (
    "CatalogWarning",
    "ConfigError",
    "FetchError",
    "FetchOptions",
    "NanoGPTError",
    "PayloadError",
    "RateLimitError",
    "SnapshotError",
    "SnapshotWarning",
    "Workload",
    "__version__",
    "as_of",
    "blended_price",
    "catalog_summary",
    "cheaper_alternatives",
    "cheapest_media",
    "cheapest_routes",
    "cost_change",
    "cost_usage",
    "diff",
    "frame_from_payload",
    "listing_consistency",
    "load",
    "load_account_usage",
    "load_balance",
    "load_media",
    "load_routes",
    "load_subscription_usage",
    "match_labels",
    "media_cost",
    "media_prices",
    "media_quality",
    "pareto_frontier",
    "price_history",
    "price_per_capability",
    "price_periods",
    "quality_report",
    "rank_models",
    "read_responses",
    "read_snapshot_file",
    "read_snapshots",
    "read_usage",
    "reconcile",
    "route_markup",
    "route_spread",
    "sample_history",
    "sample_usage",
    "split_subscription",
    "subscription_coverage",
    "subscription_summary",
    "usage_summary",
    "value_ranking",
    "workload_cost",
    "write_snapshot",
)

# public name -> module that defines it (imported on first use)
_LAZY = {
    "frame_from_payload": "catalog.flatten",
    "load": "catalog.load_catalog",
    "load_routes": "routes.load_routes",
    "cost_usage": "usage.cost_usage",
    "price_periods": "usage.price_periods",
    "usage_summary": "usage.summaries",
    "cost_change": "usage.summaries",
    "cheaper_alternatives": "usage.summaries",
    "sample_history": "catalog.sample_history",
    "sample_usage": "sample",
    "cheapest_routes": "analysis.route_prices",
    "route_markup": "analysis.route_prices",
    "route_spread": "analysis.route_prices",
    "blended_price": "analysis.pricing",
    "workload_cost": "analysis.pricing",
    "Workload": "analysis.pricing",
    "rank_models": "analysis.ranking",
    "price_per_capability": "analysis.ranking",
    "value_ranking": "analysis.ranking",
    "pareto_frontier": "analysis.frontier",
    "split_subscription": "analysis.subscription",
    "subscription_summary": "analysis.subscription",
    "subscription_coverage": "analysis.subscription",
    "listing_consistency": "analysis.subscription",
    "quality_report": "analysis.quality",
    "write_snapshot": "snapshots.write",
    "read_snapshots": "snapshots.read",
    "read_snapshot_file": "snapshots.read",
    "price_history": "analysis.timeline",
    "as_of": "analysis.timeline",
    "diff": "analysis.diff",
    "read_usage": "usage.read_usage",
    "catalog_summary": "analysis.catalog_summary",
    "FetchOptions": "_http.options",
    "load_media": "media.load_media",
    "media_prices": "analysis.media_price_lines",
    "cheapest_media": "analysis.media_cheapest",
    "media_cost": "analysis.media_jobs",
    "media_quality": "analysis.media_quality",
    "load_account_usage": "account.load_account_usage",
    "load_balance": "account.load_balance",
    "load_subscription_usage": "account.subscription_quota",
    "match_labels": "usage.match_labels",
    "read_responses": "usage.read_responses",
    "reconcile": "usage.reconcile",
}

if TYPE_CHECKING:  # pragma: no cover
    from nanogpt_frame._http.options import FetchOptions
    from nanogpt_frame.account.load_account_usage import load_account_usage
    from nanogpt_frame.account.load_balance import load_balance
    from nanogpt_frame.account.subscription_quota import load_subscription_usage
    from nanogpt_frame.analysis.catalog_summary import catalog_summary
    from nanogpt_frame.analysis.diff import diff
    from nanogpt_frame.analysis.frontier import pareto_frontier
    from nanogpt_frame.analysis.media_cheapest import cheapest_media
    from nanogpt_frame.analysis.media_jobs import media_cost
    from nanogpt_frame.analysis.media_price_lines import media_prices
    from nanogpt_frame.analysis.media_quality import media_quality
    from nanogpt_frame.analysis.pricing import Workload, blended_price, workload_cost
    from nanogpt_frame.analysis.quality import quality_report
    from nanogpt_frame.analysis.ranking import price_per_capability, rank_models, value_ranking
    from nanogpt_frame.analysis.route_prices import cheapest_routes, route_markup, route_spread
    from nanogpt_frame.analysis.subscription import (
        listing_consistency,
        split_subscription,
        subscription_coverage,
        subscription_summary,
    )
    from nanogpt_frame.analysis.timeline import as_of, price_history
    from nanogpt_frame.catalog.flatten import frame_from_payload
    from nanogpt_frame.catalog.load_catalog import load
    from nanogpt_frame.catalog.sample_history import sample_history
    from nanogpt_frame.media.load_media import load_media
    from nanogpt_frame.routes.load_routes import load_routes
    from nanogpt_frame.sample import sample_usage
    from nanogpt_frame.snapshots.read import read_snapshot_file, read_snapshots
    from nanogpt_frame.snapshots.write import write_snapshot
    from nanogpt_frame.usage.cost_usage import cost_usage
    from nanogpt_frame.usage.match_labels import match_labels
    from nanogpt_frame.usage.price_periods import price_periods
    from nanogpt_frame.usage.read_responses import read_responses
    from nanogpt_frame.usage.read_usage import read_usage
    from nanogpt_frame.usage.reconcile import reconcile
    from nanogpt_frame.usage.summaries import cheaper_alternatives, cost_change, usage_summary


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from nanogpt_frame._version import package_version

        return package_version()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nanogpt_frame' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
