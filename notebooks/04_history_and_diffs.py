# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · History and diffs: what changed?
#
# Each `write_snapshot` call stores one load as a Parquet file under
# `ROOT/snapshot_date=YYYY-MM-DD/`. A folder of snapshots is the price history.
#
# **About the data in this notebook.** The bundled sample is a single catalog, so to show a
# history this notebook makes a *second* catalog by changing a copy of the first (a price cut, a
# price rise, a new model `openai/gpt-5.2-mini`, a removed model). Those changes are invented here for the demonstration. With
# `SOURCE = "live"` and a daily `nanogpt-frame snapshot`, the same code shows real changes.

# %%
import tempfile
from pathlib import Path

import pandas as pd

import nanogpt_frame as nf
from nanogpt_frame.plots import plot_price_history

SOURCE = "sample"  # <- switch to "live" for the live API

workdir = tempfile.TemporaryDirectory(prefix="nanogpt-history-")  # removed at the end
root = workdir.name
first = nf.load(SOURCE, snapshot_at="2026-08-01T06:00:00Z")
first_path = nf.write_snapshot(first, root)

# %% [markdown]
# ## A second catalog (a changed copy, made here)

# %%
second = first.copy()
second["snapshot_at"] = pd.Series(pd.Timestamp("2026-08-15T06:00:00Z"), index=second.index).astype(
    first["snapshot_at"].dtype
)
gpt = second["id"] == "openai/gpt-5.2"
second.loc[gpt, "price_prompt"] = 1.4  # invented: a price cut
second.loc[second["id"] == "x-ai/grok-4.3", "price_completion"] = 3.5  # invented: a rise
second = second[second["id"] != "qwen/qwen3-coder-flash"]  # invented: a removal
newcomer = second[second["id"] == "openai/gpt-5.2"].assign(  # invented: a new model
    id="openai/gpt-5.2-mini", name="GPT-5.2 Mini", price_prompt=0.35, price_completion=2.8
)
second = pd.concat([second, newcomer], ignore_index=True)
nf.write_snapshot(second, root)

third = second.copy()
third["snapshot_at"] = pd.Series(pd.Timestamp("2026-09-01T06:00:00Z"), index=third.index).astype(
    first["snapshot_at"].dtype
)
third.loc[third["id"] == "openai/gpt-5.2", "price_prompt"] = 1.5  # invented
nf.write_snapshot(third, root)
sorted(str(path.relative_to(root)) for path in Path(root).rglob("*.parquet"))

# %% [markdown]
# ## Reading the history back
#
# `read_snapshots` returns every snapshot as one frame with the same dtypes as `load()`; `since`
# and `until` read only the date partitions needed.

# %%
history = nf.read_snapshots(root)
history.groupby("snapshot_at").size().rename("rows").to_frame()

# %% [markdown]
# ## Price history: one row per price period, not per snapshot

# %%
nf.price_history(history, ["openai/gpt-5.2", "x-ai/grok-4.3", "qwen/qwen3-coder-flash"])[
    ["id", "valid_from", "valid_to", "last_seen", "current", "price_prompt", "price_completion"]
]

# %%
plot_price_history(history, ["openai/gpt-5.2", "anthropic/claude-sonnet-4.6"], column="price_prompt");

# %% [markdown]
# ## The catalog as of a date

# %%
from nanogpt_frame import as_of

as_of(history, "2026-08-20")["snapshot_at"].iloc[0]

# %% [markdown]
# ## What changed between two catalogs
#
# One row per change: the new model is `added`, the removed one `removed`, and each changed
# field is one `changed` row; `review` flags moves of more than 50% and prices that appear or
# vanish.

# %%
nf.diff(first, third)

# %% [markdown]
# The snapshots above lived in a temporary folder; tidy it away.

# %%
workdir.cleanup()
