"""Pictures of the analysis tables; each function returns the matplotlib ``Axes``.

Plotting never computes: each function asks the pure helpers for the numbers and draws them.
matplotlib is imported only when a plot is drawn. ``catalog_charts`` draws the catalog and its
history, ``route_usage_charts`` the routes and usage costs. May import everything below it.
"""

from nanogpt_frame.plots.catalog_charts import (
    plot_capability_coverage,
    plot_cheapest_per_capability,
    plot_price_history,
    plot_price_vs_context,
    plot_subscription_prices,
)
from nanogpt_frame.plots.route_usage_charts import plot_route_prices, plot_usage_costs

__all__ = (
    "plot_capability_coverage",
    "plot_cheapest_per_capability",
    "plot_price_history",
    "plot_price_vs_context",
    "plot_route_prices",
    "plot_subscription_prices",
    "plot_usage_costs",
)
