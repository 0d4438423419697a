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
)

__all__ = (
    "CatalogWarning",
    "ConfigError",
    "FetchError",
    "NanoGPTError",
    "PayloadError",
    "RateLimitError",
    "SnapshotError",
    "__version__",
    "as_of",
    "blended_price",
    "diff",
    "frame_from_payload",
    "load",
    "pareto_frontier",
    "price_history",
    "price_per_capability",
    "quality_report",
    "rank_models",
    "read_snapshots",
    "split_subscription",
    "subscription_summary",
    "value_ranking",
    "workload_cost",
    "write_snapshot",
)

# public name -> module that defines it (imported on first use)
_LAZY = {
    "CatalogWarning": "flatten",
    "frame_from_payload": "flatten",
    "load": "loader",
    "blended_price": "pricing",
    "workload_cost": "pricing",
    "rank_models": "ranking",
    "price_per_capability": "ranking",
    "value_ranking": "ranking",
    "pareto_frontier": "frontier",
    "split_subscription": "subscription",
    "subscription_summary": "subscription",
    "quality_report": "quality",
    "write_snapshot": "snapshots",
    "read_snapshots": "snapshots",
    "price_history": "history",
    "as_of": "history",
    "diff": "history",
}

if TYPE_CHECKING:  # pragma: no cover
    from .flatten import CatalogWarning, frame_from_payload
    from .frontier import pareto_frontier
    from .history import as_of, diff, price_history
    from .loader import load
    from .pricing import blended_price, workload_cost
    from .quality import quality_report
    from .ranking import price_per_capability, rank_models, value_ranking
    from .snapshots import read_snapshots, write_snapshot
    from .subscription import split_subscription, subscription_summary


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
