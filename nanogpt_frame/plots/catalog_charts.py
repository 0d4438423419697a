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
    "plot_capability_coverage",
    "plot_cheapest_per_capability",
    "plot_price_history",
    "plot_price_vs_context",
    "plot_subscription_prices",
)

_SUB, _PAID, _FRONT = "#2a9d8f", "#8d99ae", "#e76f51"


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
    label_frontier: int = 12,
    ax: Axes | None = None,
) -> Axes:
    """Blended price against context length (log axes), the frontier highlighted and labelled.

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
    ax.set_xlabel("context length (tokens, log scale)")
    ax.set_ylabel("blended price (USD per 1M tokens, 3:1 in:out, log scale)")
    title = "Price versus context; frontier on price, capabilities and context"
    if require:
        title += f" (with {require if isinstance(require, str) else ', '.join(require)})"
    ax.set_title(title)
    # One label per point (models at the same spot share it), placed where it overlaps nothing.
    labels = front.groupby(["context", "price"], sort=False)["id"].agg(" / ".join)
    by_point = cast(
        "Iterable[tuple[tuple[float, float], str]]", labels.head(label_frontier).items()
    )
    points = [(x, float(y), text) for (x, y), text in by_point]
    _place_labels(ax, points)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def _place_labels(ax: Axes, points: list[tuple[float, float, str]], fontsize: float = 7) -> None:
    """Annotate points, trying offsets until a label's box overlaps no other label or point and
    stays inside the axes (a greedy placer; labels that fit nowhere are left out)."""
    ax.figure.canvas.draw()  # fixes the data -> pixel transform for the current limits
    scale = ax.figure.dpi / 72.0
    frame = ax.get_window_extent()
    taken: list[tuple[float, float, float, float]] = []
    centres = [ax.transData.transform((x, y)) for x, y, _ in points]
    taken += [(cx - 4, cy - 4, cx + 4, cy + 4) for cx, cy in centres]
    offsets = [(6, 4), (6, -12), (-6, 4), (-6, -12), (6, 14), (-6, 14), (6, -22), (-6, -22)]
    for (x, y, text), (cx, cy) in zip(points, centres, strict=True):
        width, height = 0.55 * fontsize * len(text) * scale, 1.3 * fontsize * scale
        for dx, dy in offsets:
            left = cx + dx * scale - (width if dx < 0 else 0)
            bottom = cy + dy * scale
            box = (left, bottom, left + width, bottom + height)
            inside = (
                frame.x0 <= box[0]
                and box[2] <= frame.x1
                and frame.y0 <= box[1]
                and box[3] <= frame.y1
            )
            if inside and not any(_overlap(box, other) for other in taken):
                taken.append(box)
                ax.annotate(
                    text,
                    (x, y),
                    xytext=(dx, dy),
                    textcoords="offset points",
                    fontsize=fontsize,
                    color="#333333",
                    ha="right" if dx < 0 else "left",
                )
                break


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
    left = pd.Series(0, index=table.index)
    for column, colour in (("yes", _SUB), ("no", _PAID), ("unknown", "#e9c46a")):
        ax.barh(table["capability"], table[column], left=left, color=colour, label=column)
        left = left + table[column]
    ax.set_xlabel("models")
    ax.set_title("Capability coverage (a missing flag is unknown, not false)")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
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
    ax.set_ylabel("blended price (USD per 1M tokens, log scale)")
    ax.set_title("What the subscription includes versus paid models")
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def plot_cheapest_per_capability(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Cheapest and median blended price per capability, with the cheapest model named.

    >>> import nanogpt_frame as nf
    >>> len(plot_cheapest_per_capability(nf.load("sample")).patches) > 0
    True
    """
    from nanogpt_frame.analysis.ranking import price_per_capability

    ax = _axes(ax, (8, 4.5))
    table = price_per_capability(df).dropna(subset=["cheapest_price"]).iloc[::-1]
    ax.barh(table["capability"], table["median_price"], color=_PAID, label="median")
    ax.barh(table["capability"], table["cheapest_price"], color=_SUB, label="cheapest")
    for y, (price, model_id) in enumerate(
        zip(table["median_price"], table["cheapest_id"], strict=True)
    ):
        ax.annotate(
            str(model_id), (price, y), xytext=(4, -3), textcoords="offset points", fontsize=7
        )
    ax.set_xscale("log")
    ax.set_xlabel("blended price (USD per 1M tokens, log scale)")
    ax.set_title("What a capability costs: cheapest model and median")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
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
    'price_completion (USD per 1M tokens)'
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
    ax.set_ylabel(f"{column} (USD per 1M tokens)")
    ax.set_xlabel("snapshot time (UTC)")
    ax.set_title("Price history")
    ax.legend(fontsize=8, frameon=False)
    ax.figure.autofmt_xdate()
    return ax
