"""Pictures of the catalog's analysis tables. matplotlib is imported only when a plot is asked for.

Each function takes a models frame (or a history), asks the pure helpers for the numbers and
draws them; it returns the matplotlib ``Axes``. Pass ``ax=`` to draw into your own figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

import pandas as pd

from nanogpt_frame.errors import NanoGPTError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = (
    "LABELS",
    "human",
    "legend_outside",
    "plot_capability_coverage",
    "plot_cheapest_per_capability",
    "plot_price_history",
    "plot_price_vs_context",
    "plot_subscription_prices",
)

_SUB, _PAID, _FRONT = "#2a9d8f", "#8d99ae", "#e76f51"
PER_M = "USD / 1M tokens"
#: Axis and legend words for the columns a plot shows (never a raw column name).
LABELS = {
    "price_prompt": f"Prompt price ({PER_M})",
    "price_completion": f"Completion price ({PER_M})",
    "price_cache_read": f"Cache-read price ({PER_M})",
    "price_cache_write": f"Cache-write price ({PER_M})",
    "blended_price": f"Blended price ({PER_M}, 3:1 input:output)",
    "cost": "Cost (USD)",
    "list_cost": "List cost (USD, before the subscription)",
}


def human(name: str) -> str:
    """A column or capability name as words: ``LABELS`` or ``tool_calling`` -> ``tool calling``.

    >>> human("price_prompt"), human("parallel_tool_calls")
    ('Prompt price (USD / 1M tokens)', 'parallel tool calls')
    """
    return LABELS.get(name, str(name).replace("_", " "))


def legend_outside(ax: Axes, *, ncol: int = 3, fontsize: float = 8) -> None:
    """The legend under the axes, where it can hide no data."""
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=ncol,
        fontsize=fontsize,
        frameon=False,
    )


def _axes(ax: Axes | None, size: tuple[float, float] = (9, 5.5)) -> Axes:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        raise NanoGPTError("plots need matplotlib: pip install matplotlib") from exc
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def plot_price_vs_context(
    df: pd.DataFrame,
    *,
    require: Iterable[str] | str = (),
    label_frontier: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Blended price against context length (log axes), the frontier highlighted and labelled.

    Every frontier model is named (``label_frontier``: only the first N along the context
    axis); models at the same point share one label, a label far from its point has a leader
    line.

    >>> import nanogpt_frame as nf
    >>> ax = plot_price_vs_context(nf.load("sample"))
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    """
    from nanogpt_frame.analysis.frontier import pareto_frontier

    ax = _axes(ax)
    everyone = pareto_frontier(df, require=require, keep_dominated=True)
    shown = everyone[(everyone["price"] > 0) & (everyone["context"] > 0)]
    in_sub = (shown["in_subscription"] == True).fillna(False).astype(bool)  # noqa: E712
    for mask, colour, label in (
        (in_sub, _SUB, "in subscription"),
        (~in_sub, _PAID, "paid or unknown"),
    ):
        part = shown[mask]
        ax.scatter(
            part["context"],
            part["price"].astype(float),
            s=18,
            alpha=0.55,
            c=colour,
            label=f"{label} ({len(part)})",
            edgecolors="none",
        )
    front = shown[shown["on_frontier"]].sort_values("context")
    ax.scatter(
        front["context"],
        front["price"].astype(float),
        s=60,
        facecolors="none",
        edgecolors=_FRONT,
        linewidths=1.6,
        label=f"frontier ({len(front)})",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Context length (tokens, log scale)")
    ax.set_ylabel(f"Blended price ({PER_M}, 3:1 input:output, log scale)")
    title = "Price versus context; frontier on price, capabilities and context"
    if require:
        title += f" (with {require if isinstance(require, str) else ', '.join(require)})"
    ax.set_title(title)
    # One label per point (models at the same spot share it), placed where it overlaps nothing.
    labels = front.groupby(["context", "price"], sort=False)["id"].agg(" / ".join)
    if label_frontier is not None:
        labels = labels.head(label_frontier)
    by_point = cast("Iterable[tuple[tuple[float, float], str]]", labels.items())
    points = [(x, float(y), text) for (x, y), text in by_point]
    _place_labels(ax, points)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def _place_labels(ax: Axes, points: list[tuple[float, float, str]], fontsize: float = 7) -> None:
    """Name every point: try offsets, nearest first, until a label's box overlaps no other label
    or point and stays inside the axes; farther offsets get a leader line. A label that fits
    nowhere still goes where it overlaps least (named, never left out)."""
    ax.figure.canvas.draw()  # fixes the data -> pixel transform for the current limits
    scale = ax.figure.dpi / 72.0
    frame = ax.get_window_extent()
    taken: list[tuple[float, float, float, float]] = []
    centres = [ax.transData.transform((x, y)) for x, y, _ in points]
    taken += [(cx - 4, cy - 4, cx + 4, cy + 4) for cx, cy in centres]
    near = [(6, 4), (6, -12), (-6, 4), (-6, -12), (6, 14), (-6, 14), (6, -22), (-6, -22)]
    far = [(dx * k, dy * k) for k in (2, 3, 4) for dx, dy in near]
    for (x, y, text), (cx, cy) in zip(points, centres, strict=True):
        width, height = 0.55 * fontsize * len(text) * scale, 1.3 * fontsize * scale
        best: tuple[float, tuple[int, int], tuple[float, float, float, float]] | None = None
        for dx, dy in [*near, *far]:
            left = cx + dx * scale - (width if dx < 0 else 0)
            bottom = cy + dy * scale
            box = (left, bottom, left + width, bottom + height)
            outside = max(0.0, frame.x0 - box[0]) + max(0.0, box[2] - frame.x1)
            outside += max(0.0, frame.y0 - box[1]) + max(0.0, box[3] - frame.y1)
            clash = sum(_overlap(box, other) for other in taken) + outside
            if best is None or clash < best[0]:
                best = (clash, (dx, dy), box)
            if clash == 0:
                break
        assert best is not None
        _, (dx, dy), chosen = best
        taken.append(chosen)
        leader = {"arrowstyle": "-", "color": "#777777", "lw": 0.7, "shrinkB": 4}
        ax.annotate(
            text,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            fontsize=fontsize,
            color="#333333",
            ha="right" if dx < 0 else "left",
            arrowprops=None if (abs(dx), dy) == (6, 4) else leader,
        )


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def plot_capability_coverage(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked bars per capability: models that have it, lack it, or do not say.

    >>> import nanogpt_frame as nf
    >>> plot_capability_coverage(nf.load("sample")).get_xlabel()
    'models'
    """
    from nanogpt_frame.analysis.catalog_summary import catalog_summary

    ax = _axes(ax, (8, 4.5))
    table = catalog_summary(df)["capability coverage"].iloc[::-1]
    names = [human(c) for c in table["capability"]]
    left = pd.Series(0, index=table.index)
    for column, colour, label in (
        ("yes", _SUB, "has it"),
        ("no", _PAID, "lacks it"),
        ("unknown", "#e9c46a", "does not say (unknown)"),
    ):
        ax.barh(names, table[column], left=left, color=colour, label=label)
        left = left + table[column]
    ax.set_xlabel("models")
    ax.set_title("Capability coverage (a missing flag is unknown, not false)")
    legend_outside(ax)
    return ax


def plot_subscription_prices(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Distribution of blended prices, subscription versus paid (log scale).

    >>> import nanogpt_frame as nf
    >>> plot_subscription_prices(nf.load("sample")).get_yscale()
    'log'
    """
    from nanogpt_frame.analysis.candidates import is_router
    from nanogpt_frame.analysis.pricing import blended_price
    from nanogpt_frame.analysis.subscription import split_subscription

    ax = _axes(ax, (7, 4.5))
    data, labels = [], []
    for name, side in zip(("subscription", "paid"), split_subscription(df), strict=True):
        price = blended_price(side)[~is_router(side)].dropna().astype(float)
        data.append(price[price > 0].to_numpy())
        labels.append(f"{name}\n({len(side)} models)")
    ax.boxplot(data, tick_labels=labels, showfliers=True, widths=0.5)
    ax.set_yscale("log")
    ax.set_ylabel(f"Blended price ({PER_M}, log scale)")
    ax.set_title("What the subscription includes versus paid models")
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def plot_cheapest_per_capability(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Cheapest and median blended price per capability, with the cheapest model named.

    >>> import nanogpt_frame as nf
    >>> ax = plot_cheapest_per_capability(nf.load("sample"))
    >>> ax.get_xscale(), len(ax.patches)  # points on a log axis, no bars
    ('log', 0)
    """
    from nanogpt_frame.analysis.ranking import price_per_capability

    ax = _axes(ax, (8, 4.5))
    table = price_per_capability(df).dropna(subset=["cheapest_price"]).iloc[::-1]
    rows = range(len(table))
    cheapest = table["cheapest_price"].astype(float)
    median = table["median_price"].astype(float)
    # Points on the log axis (a bar's length from 0 means nothing there): cheapest to median.
    ax.hlines(rows, cheapest, median, colors=_PAID, linewidth=2, zorder=1)
    ax.scatter(median, rows, s=36, color=_PAID, label="median", zorder=2)
    ax.scatter(cheapest, rows, s=36, color=_SUB, label="cheapest", zorder=3)
    for y, (price, model_id) in enumerate(zip(median, table["cheapest_id"], strict=True)):
        ax.annotate(
            f"cheapest: {model_id}",
            (price, y),
            xytext=(6, -3),
            textcoords="offset points",
            fontsize=7,
        )
    ax.set_yticks(list(rows), [human(c) for c in table["capability"]])
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ax.set_xlim(low, high * 8)  # room for the names right of the medians
    ax.set_xlabel(f"Blended price ({PER_M}, 3:1 input:output, log scale)")
    ax.set_title("What a capability costs: cheapest model and median")
    ax.grid(True, axis="x", which="major", alpha=0.3)
    legend_outside(ax, ncol=2)
    return ax


def plot_price_history(
    history: pd.DataFrame,
    ids: Iterable[str],
    *,
    column: str = "price_completion",
    ax: Axes | None = None,
) -> Axes:
    """A price over time, one step line per model, from a snapshot history.

    >>> import nanogpt_frame as nf
    >>> ax = plot_price_history(nf.load("sample"), ["openai/gpt-5.2"])
    >>> ax.get_ylabel()
    'Completion price (USD / 1M tokens)'
    """
    ax = _axes(ax, (8, 4.5))
    ids = [ids] if isinstance(ids, str) else list(ids)
    rows = history[history["id"].isin(ids)].sort_values("snapshot_at")
    rows = rows.drop_duplicates(["snapshot_at", "id"])
    for model_id, part in rows.groupby("id", sort=True):
        when = part["snapshot_at"].astype("datetime64[us, UTC]")
        ax.step(
            when, part[column].astype(float), where="post", marker="o", markersize=3, label=model_id
        )
    ax.set_ylabel(human(column))
    ax.set_xlabel("Snapshot time (UTC)")
    ax.set_title("Price history")
    ax.legend(loc="best", fontsize=8, frameon=False)  # where the lines are not
    ax.figure.autofmt_xdate()
    return ax
