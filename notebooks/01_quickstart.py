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
# # 01 · Quickstart: NanoGPT's catalog as a DataFrame
#
# `nanogpt_frame.load()` fetches NanoGPT's three text-model listings (canonical, subscription,
# paid) and returns one typed pandas DataFrame: one row per listing and model, pyarrow-backed
# dtypes, `<NA>` wherever the API did not say.
#
# This notebook runs on the **bundled sample** (no network). To use the live API, change the one
# line below.

# %%
import nanogpt_frame as nf

SOURCE = "sample"  # <- switch to "live" for the live API (network; NANOGPT_API_KEY optional)
# the sample's date, so outputs do not change from run to run (live: the time received)
AS_OF = "2026-08-24T00:00:00Z" if SOURCE == "sample" else None

df = nf.load(SOURCE, snapshot_at=AS_OF)
df.shape

# %% [markdown]
# Provenance travels with the frame in `df.attrs` (never the API key):

# %%
{k: df.attrs[k] for k in ("source", "fetched_at", "authenticated", "schema_version")}

# %% [markdown]
# ## The columns
#
# Every column has a fixed type from the contract. Prices are USD per **1M** tokens (cache
# prices, served per 1K, are converted); capability flags are nullable booleans.

# %%
df.dtypes.to_frame("dtype").T

# %%
df[["id", "owned_by", "context_length", "price_prompt", "price_completion", "cap_vision",
    "cap_tool_calling", "in_subscription"]].head(8)

# %% [markdown]
# ## The three listings
#
# Each row is tagged with the listing it came from. Subscription and paid split the canonical
# listing; `in_subscription` is resolved for canonical rows from the other two.

# %%
df.groupby("source_endpoint").size().rename("models").to_frame()

# %%
canonical = df[df.source_endpoint == "canonical"]
canonical["in_subscription"].value_counts(dropna=False)

# %% [markdown]
# ## Filtering
#
# Unknown is not false: a model whose `cap_vision` is `<NA>` did not say. Compare with `== True`
# to keep only models that do say yes.

# %%
vision_and_tools = canonical[(canonical.cap_vision == True) & (canonical.cap_tool_calling == True)]  # noqa: E712
vision_and_tools.sort_values("price_completion")[
    ["id", "price_prompt", "price_completion", "context_length"]
].head(10)

# %% [markdown]
# Ids are kept exactly as served and split into parts: `:thinking`, budget and effort variants
# are separate models.

# %%
canonical[canonical.variant.notna()][["id", "id_namespace", "base_id", "variant"]].head(8)

# %% [markdown]
# ## What the catalog says about capabilities
#
# How many models have each flag, lack it, or leave it unknown:

# %%
from nanogpt_frame.plots import plot_capability_coverage

plot_capability_coverage(df);

# %% [markdown]
# Next: `02_price_per_capability` ranks models by what they cost for what they can do.
