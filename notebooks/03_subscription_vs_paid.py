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
# # 03 · Subscription versus paid: what do I get with the subscription?
#
# NanoGPT lists subscription-included models at `/api/subscription/v1/models` and the rest at
# `/api/paid/v1/models`. `split_subscription` turns that into two frames, each model once.

# %%
import nanogpt_frame as nf
from nanogpt_frame import plots
from nanogpt_frame.analysis.subscription import listing_consistency, subscription_coverage

SOURCE = "sample"  # <- switch to "live" for the live API
# the sample's date, so outputs do not change from run to run (live: the time received)
AS_OF = "2026-08-24T00:00:00Z" if SOURCE == "sample" else None

df = nf.load(SOURCE, snapshot_at=AS_OF)
subscription, paid = nf.split_subscription(df)
len(subscription), len(paid)

# %% [markdown]
# ## By provider
#
# Per `owned_by`: models on each side, the share included, median blended prices and the
# list-price value of what the subscription includes (the sum of the included models' blended
# prices: what one 1M-token run on each of them would cost at list price).

# %%
summary = nf.subscription_summary(df)
summary[["owned_by", "models_subscription", "models_paid", "share_in_subscription",
         "median_blended_subscription", "median_blended_paid", "list_value_subscription"]].round(3)

# %% [markdown]
# ## Capabilities on each side

# %%
subscription_coverage(df).round(2)

# %% [markdown]
# ## Prices on each side
#
# Subscription models are mostly cheaper open models; the expensive frontier models are paid.

# %%
plots.plot_subscription_prices(df);

# %% [markdown]
# What the subscription would cost at list price for a workload, model by model: a day of 2M
# input and 500k output tokens.

# %%
day = {"input_tokens": 2_000_000, "output_tokens": 500_000}
priced = subscription.assign(workload_cost_usd=nf.workload_cost(subscription, day))
priced.sort_values("workload_cost_usd", ascending=False)[["id", "workload_cost_usd"]].head(8)

# %% [markdown]
# ## Consistency between the listings
#
# The listings should agree: no id in both subscription and paid, none missing from canonical,
# no canonical id in neither. An empty table means they do.

# %%
listing_consistency(df)

# %% [markdown]
# With an API key, the canonical listing may show only subscription models (the account setting
# "Also show paid models" is off). `load()` warns when that happens, and `quality_report` lists it.
