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
# # 02 · Price per capability: which model should I use?
#
# Prices are compared as a **blended price**: USD per 1M tokens for a 3:1 input:output mix (the
# common convention), or as the cost of a concrete workload. Each model counts once, even though
# it appears in two listings.

# %%
import nanogpt_frame as nf
from nanogpt_frame import plots

SOURCE = "sample"  # <- switch to "live" for the live API
# the sample's date, so outputs do not change from run to run (live: the time received)
AS_OF = "2026-08-24T00:00:00Z" if SOURCE == "sample" else None

df = nf.load(SOURCE, snapshot_at=AS_OF)

# %% [markdown]
# ## Rankings for realistic needs
#
# **Vision and tool calling**, cheapest first (unknown flags never qualify):

# %%
nf.rank_models(df, require=("vision", "tool_calling"))[
    ["rank", "blended_price", "id", "context_length", "in_subscription"]
].head(8)

# %% [markdown]
# **Long context**: at least 1M tokens of context.

# %%
nf.rank_models(df, min_context=1_000_000)[["rank", "blended_price", "id", "context_length"]].head(8)

# %% [markdown]
# **Cheapest reasoning** with structured output:

# %%
nf.rank_models(df, require="reasoning,structured_output")[
    ["rank", "blended_price", "id", "owned_by"]
].head(8)

# %% [markdown]
# ## What a capability costs
#
# One row per capability: how many models have it, the cheapest, quartiles, and the premium
# (median price with the capability over median price without it).

# %%
nf.price_per_capability(df).round(3)

# %%
plots.plot_cheapest_per_capability(df);

# %% [markdown]
# ## The frontier
#
# A model is on the frontier when no other model is at least as cheap, has at least as many
# capabilities and at least as much context (one of them strictly). Everything else is dominated:
# some other model gives you as much for less.

# %%
frontier = nf.pareto_frontier(df)
frontier[["id", "price", "capabilities", "context", "dominates"]]

# %%
plots.plot_price_vs_context(df);

# %% [markdown]
# Every dominated model names a model that beats it:

# %%
everyone = nf.pareto_frontier(df, keep_dominated=True)
everyone[~everyone.on_frontier][["id", "price", "dominated_by"]].head(8)

# %% [markdown]
# ## Pricing a concrete workload
#
# A day of work: 2M fresh input tokens, 500k output tokens and 1M input tokens read from the
# prompt cache (priced at the cache-read price where the model has one).

# %%
day = {"input_tokens": 2_000_000, "output_tokens": 500_000, "cached_tokens": 1_000_000}
nf.rank_models(df, require=("tool_calling",), workload=day)[
    ["rank", "workload_cost_usd", "id", "price_prompt", "price_cache_read"]
].head(8)

# %% [markdown]
# ## Value for money
#
# `value_ranking` divides the blended price by points: one per capability plus
# `log2(context / 8192)` (capped at 8). Lower is better value.

# %%
nf.value_ranking(df)[["rank", "price_per_point", "points", "blended_price", "id"]].head(8)
