"""Plots render headless (Agg) and carry titles and axis labels with units."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

import nanogpt_frame as nf
from nanogpt_frame import plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(
    "draw",
    [
        plots.plot_price_vs_context,
        plots.plot_capability_coverage,
        plots.plot_subscription_prices,
        plots.plot_cheapest_per_capability,
    ],
)
def test_plot_renders_with_title_and_labels(draw, tmp_path):
    ax = draw(nf.load("sample"))
    assert ax.get_title()
    assert ax.get_xlabel() or ax.get_ylabel()
    path = tmp_path / "plot.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 5_000


def test_price_vs_context_on_a_large_catalog_labels_only_the_frontier():
    df = nf.load("sample")
    ax = plots.plot_price_vs_context(df, label_frontier=12)
    assert len(ax.texts) <= 12
    assert ax.get_xscale() == "log" and "USD / 1M" in ax.get_ylabel()


def test_plot_draws_into_a_given_axes():
    _, ax = plt.subplots()
    assert plots.plot_capability_coverage(nf.load("sample"), ax=ax) is ax


def test_price_history_plot():
    df = nf.load("sample")
    ax = plots.plot_price_history(df, "openai/gpt-5.2")
    assert len(ax.lines) == 1


# ---- what a reader sees (issue 17): nothing hidden, no bars on a log axis, every frontier model
# named, words instead of column names ------------------------------------------------------------

from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402


def every_plot():
    df = nf.load("sample")
    routes = nf.load_routes(source="sample")
    costed = nf.cost_usage(nf.sample_usage(), "sample", routes=routes)
    return {
        "price_vs_context": plots.plot_price_vs_context(df),
        "capability_coverage": plots.plot_capability_coverage(df),
        "subscription_prices": plots.plot_subscription_prices(df),
        "cheapest_per_capability": plots.plot_cheapest_per_capability(df),
        "price_history": plots.plot_price_history(
            nf.sample_history(), ["openai/gpt-5.2", "anthropic/claude-sonnet-4.6"]
        ),
        "route_prices": plots.plot_route_prices(routes),
        "usage_costs": plots.plot_usage_costs(costed, freq="W"),
    }


@pytest.fixture(scope="module")
def drawn():
    axes = every_plot()
    for ax in axes.values():
        ax.figure.canvas.draw()
    yield axes
    plt.close("all")


def _bars(ax):
    return [p for c in ax.containers if isinstance(c, BarContainer) for p in c]


def test_no_legend_hides_a_bar(drawn):
    for name, ax in drawn.items():
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent()
        for bar in _bars(ax):
            other = bar.get_window_extent()
            if other.width < 1 or other.height < 1:
                continue
            overlap = box.x0 < other.x1 - 0.5 and other.x0 < box.x1 - 0.5
            overlap = overlap and box.y0 < other.y1 - 0.5 and other.y0 < box.y1 - 0.5
            assert not overlap, f"{name}: the legend covers a bar"


def test_bars_only_on_linear_axes(drawn):
    for name, ax in drawn.items():
        rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
        if _bars(ax) or rectangles:
            assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "linear"), name


def test_the_frontier_plot_names_every_frontier_model(drawn):
    from nanogpt_frame.analysis.frontier import pareto_frontier

    everyone = pareto_frontier(nf.load("sample"), keep_dominated=True)
    front = everyone[everyone["on_frontier"] & (everyone["price"] > 0) & (everyone["context"] > 0)]
    named = " / ".join(t.get_text() for t in drawn["price_vs_context"].texts).split(" / ")
    assert set(front["id"]) <= set(named), set(front["id"]) - set(named)


def test_labels_are_words_not_column_names(drawn):
    for name, ax in drawn.items():
        words = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None and name != "usage_costs":  # usage: the legend names model ids
            words += [t.get_text() for t in legend.get_texts()]
        if name in ("capability_coverage", "cheapest_per_capability"):
            words += [t.get_text() for t in ax.get_yticklabels()]
        raw = [w for w in words if "_" in w]
        assert not raw, f"{name}: {raw}"
    assert drawn["price_history"].get_ylabel() == "Completion price (USD / 1M tokens)"
