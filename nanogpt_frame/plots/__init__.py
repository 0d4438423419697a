"""Pictures of the analysis tables; each function returns the matplotlib ``Axes``.

Plotting never computes: each function asks the pure helpers for the numbers and draws them.
matplotlib is imported only when a plot is drawn. May import ``analysis``, ``frame``, ``errors``.
"""

from .catalog import (
    plot_capability_coverage,
    plot_cheapest_per_capability,
    plot_price_history,
    plot_price_vs_context,
    plot_subscription_prices,
)
from .routes_usage import plot_route_prices, plot_usage_costs

__all__ = (
    "plot_capability_coverage",
    "plot_cheapest_per_capability",
    "plot_price_history",
    "plot_price_vs_context",
    "plot_route_prices",
    "plot_subscription_prices",
    "plot_usage_costs",
)
