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

from .errors import (
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
    "NanoGPTError",
    "PayloadError",
    "RateLimitError",
    "SnapshotError",
    "SnapshotWarning",
    "Workload",
    "__version__",
    "as_of",
    "blended_price",
    "cheaper_alternatives",
    "cheapest_routes",
    "cost_change",
    "cost_usage",
    "diff",
    "frame_from_payload",
    "listing_consistency",
    "load",
    "load_routes",
    "pareto_frontier",
    "price_history",
    "price_per_capability",
    "quality_report",
    "rank_models",
    "read_snapshot_file",
    "read_snapshots",
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
    "CatalogWarning": "frame.flatten",
    "frame_from_payload": "frame.flatten",
    "load": "loader",
    "load_routes": "routes",
    "cost_usage": "usage",
    "usage_summary": "analysis.usage_summary",
    "cost_change": "analysis.usage_summary",
    "cheaper_alternatives": "analysis.usage_summary",
    "sample_history": "history.sample",
    "sample_usage": "history.sample",
    "cheapest_routes": "analysis.routes",
    "route_markup": "analysis.routes",
    "route_spread": "analysis.routes",
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
    "write_snapshot": "history.snapshots",
    "read_snapshots": "history.reading",
    "read_snapshot_file": "history.reading",
    "price_history": "history.timeline",
    "as_of": "history.timeline",
    "diff": "history.diff",
}

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.frontier import pareto_frontier
    from .analysis.pricing import Workload, blended_price, workload_cost
    from .analysis.quality import quality_report
    from .analysis.ranking import price_per_capability, rank_models, value_ranking
    from .analysis.routes import cheapest_routes, route_markup, route_spread
    from .analysis.subscription import (
        listing_consistency,
        split_subscription,
        subscription_coverage,
        subscription_summary,
    )
    from .analysis.usage_summary import cheaper_alternatives, cost_change, usage_summary
    from .frame.flatten import CatalogWarning, frame_from_payload
    from .history.diff import diff
    from .history.reading import read_snapshot_file, read_snapshots
    from .history.sample import sample_history, sample_usage
    from .history.snapshots import write_snapshot
    from .history.timeline import as_of, price_history
    from .loader import load
    from .routes import load_routes
    from .usage import cost_usage


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ._version import package_version

        return package_version()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nanogpt_frame' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
