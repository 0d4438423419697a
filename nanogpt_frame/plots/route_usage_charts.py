"""Pictures of provider routes and of costed usage. matplotlib is imported only when drawing."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pandas as pd

from nanogpt_frame.plots.catalog_charts import _FRONT, _PAID, _SUB, PER_M, _axes, human

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ("plot_route_prices", "plot_usage_costs")


def plot_route_prices(routes: pd.DataFrame, *, top: int = 20, ax: Axes | None = None) -> Axes:
    """Per model, the blended price of each available route against the platform default.

    One row per model with routes (the ``top`` with most routes): a dot per route (green where
    its effective policy allows distillation), a bar from the cheapest to the dearest route, and
    the default price as a black tick.

    >>> import nanogpt_frame as nf
    >>> ax = plot_route_prices(nf.load_routes(source="sample"))
    >>> ax.get_xlabel()
    'Blended price (USD / 1M tokens, 3:1 input:output, log scale)'
    """
    from nanogpt_frame.analysis.route_prices import latest_routes, route_markup, route_spread

    spread = route_spread(routes)
    spread = spread[spread["routes_available"] > 0]
    spread = spread.sort_values(["min_blended", "model_id"]).head(top)
    marked = route_markup(latest_routes(routes))
    marked = marked[
        marked["available"].fillna(False).astype(bool) & marked["blended_price"].notna()
    ]
    ax = _axes(ax, (9, 0.35 * len(spread) + 1.5))
    rows = {model: i for i, model in enumerate(spread["model_id"])}
    for _, row in spread.iterrows():
        y = rows[row["model_id"]]
        ax.hlines(y, row["min_blended"], row["max_blended"], colors=_PAID, linewidth=3)
        if pd.notna(row["default_blended_price"]):
            ax.plot(row["default_blended_price"], y, marker="|", color="black", markersize=14)
    shown = marked[marked["model_id"].isin(rows)]
    allowed = (shown["effective_distillation_status"] == "allowed").fillna(False).astype(bool)
    for mask, colour, label in (
        (allowed, _SUB, "route allows distillation"),
        (~allowed, _FRONT, "route does not allow it (or unknown)"),
    ):
        part = shown[mask]
        ax.scatter(
            part["blended_price"].astype(float),
            part["model_id"].map(rows),
            s=22,
            color=colour,
            label=label,
            zorder=3,
        )
    ax.plot(
        [],
        [],
        marker="|",
        color="black",
        linestyle="none",
        markersize=10,
        label="platform default (no provider chosen)",
    )
    ax.set_yticks(range(len(rows)), list(rows), fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel(f"Blended price ({PER_M}, 3:1 input:output, log scale)")
    ax.set_title("What choosing a provider costs, per model")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)
    return ax


def plot_usage_costs(
    costed: pd.DataFrame,
    *,
    freq: str = "D",
    top: int = 6,
    column: str = "cost",
    ax: Axes | None = None,
) -> Axes:
    """Cost per period, stacked by model (the ``top`` dearest; the rest as "other models").

    >>> import nanogpt_frame as nf
    >>> ax = plot_usage_costs(nf.cost_usage(nf.sample_usage(), "sample"), freq="W")
    >>> ax.get_ylabel()
    'Cost (USD)'
    """
    from nanogpt_frame.usage.summaries import usage_summary

    names = costed.attrs.get("usage_columns", {})
    model = names.get("model", "model")
    totals = usage_summary(costed, by=(model,), freq=freq)
    table = totals.pivot_table(
        index="period", columns=model, values=column, aggfunc="sum", fill_value=0.0
    )
    order = table.sum().sort_values(ascending=False).index
    shown = table[order[:top]]
    if len(order) > top:
        shown = shown.assign(**{"other models": table[order[top:]].sum(axis=1)})
    ax = _axes(ax, (10, 5))
    shown.index = cast(pd.DatetimeIndex, shown.index).strftime("%Y-%m-%d")
    shown.plot.bar(stacked=True, ax=ax, width=0.85, colormap="tab20", legend=True)
    ax.set_ylabel(human(column))
    ax.set_xlabel("")
    what = human(column).split(" (")[0].lower()
    ax.set_title(f"Usage {what} per period, by model (prices as of each request)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    step = max(1, len(shown) // 12)
    for i, label in enumerate(ax.get_xticklabels()):
        label.set_visible(i % step == 0)
    return ax
