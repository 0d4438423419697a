"""Draw the README's figures from the bundled sample: python tools/make_figures.py"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nanogpt_frame as nf
from nanogpt_frame.plots import plot_price_vs_context

OUT = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    df = nf.load("sample")
    ax = plot_price_vs_context(df)
    ax.figure.set_size_inches(9, 5.5)
    ax.figure.savefig(OUT / "frontier.png", dpi=110)
    print(OUT / "frontier.png")


if __name__ == "__main__":
    main()
