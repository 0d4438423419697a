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
    assert ax.get_xscale() == "log" and "USD per 1M" in ax.get_ylabel()


def test_plot_draws_into_a_given_axes():
    _, ax = plt.subplots()
    assert plots.plot_capability_coverage(nf.load("sample"), ax=ax) is ax


def test_price_history_plot():
    df = nf.load("sample")
    ax = plots.plot_price_history(df, "openai/gpt-5.2")
    assert len(ax.lines) == 1
