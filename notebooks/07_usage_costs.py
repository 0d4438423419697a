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
# # 07 · Usage costs: what did our traffic cost, and what would it cost now?
#
# `nf.cost_usage(usage, prices)` prices every request at the prices **in force when it
# happened**: each row takes the last snapshot at or before its time that lists its model. That
# needs a price history, which is what `nanogpt-frame snapshot` builds day by day.
#
# **About the data.** The usage log here is **synthetic** (3,000 requests, 2026-06-28 to
# 2026-08-31, shipped as `data/usage.csv`), and the price history is the sample catalog with
# a few **invented** changes (`nf.sample_history()`: a price cut for `openai/gpt-5.2` on 07-20,
# `qwen/qwen3-coder-next` joining the subscription on 08-10, a model retired, one added).
# With your own log and snapshot folder, pass their paths instead.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import nanogpt_frame as nf
from nanogpt_frame.plots import plot_usage_costs

SOURCE = "sample"  # <- switch to "live" to compare with today's live catalog at the end
# the sample's date, so outputs do not change from run to run (live: the time received)
AS_OF = "2026-08-24T00:00:00Z" if SOURCE == "sample" else None

usage = nf.sample_usage()  # or: pd.read_csv("my-usage.csv"), or pass the path to cost_usage
history = nf.sample_history()  # or: nf.read_snapshots("catalog-history/"), or pass the root
usage.head()

# %% [markdown]
# ## Every request at the price of its day

# %%
costed = nf.cost_usage(usage, history, routes=nf.load_routes(source="sample"))
costed[["timestamp", "model", "price_snapshot_at", "price_basis", "price_prompt",
        "in_subscription", "list_cost", "cost", "unpriced_reason"]].head(6)

# %% [markdown]
# Nothing unknown is priced 0: requests to an unknown id (ids are case-sensitive) or with a
# missing price say why, and stay out of the totals. Requests older than a model's first
# snapshot take that first price (`before_history`).

# %%
costed.groupby(["price_basis", "unpriced_reason"], dropna=False).size().rename(
    "requests").to_frame()

# %% [markdown]
# ## Cost per day and model

# %%
plot_usage_costs(costed, freq="D", top=6);

# %%
nf.usage_summary(costed, by=("model",)).sort_values("cost", ascending=False)

# %% [markdown]
# ## The effect of each price change
#
# For every price period that followed a change, what the traffic of that period cost at the
# new prices against what it would have cost at the previous ones.

# %%
periods = nf.price_history(history, usage["model"].unique().tolist())
changes = periods[periods["previous_price_prompt"].notna()]
effects = []
for change in changes.itertuples():
    rows = costed[(costed["model"] == change.id)
                  & (costed["price_snapshot_at"] == change.valid_from)]
    cached_old = (change.previous_price_cache_read
                  if pd.notna(change.previous_price_cache_read) else change.previous_price_prompt)
    at_old = (rows["input_tokens"] * change.previous_price_prompt
              + rows["output_tokens"] * change.previous_price_completion
              + rows["cached_tokens"] * cached_old).sum() / 1e6
    effects.append({"model": change.id, "changed_on": change.valid_from.date(),
                    "requests": len(rows), "cost_at_new_prices": rows["list_cost"].sum(),
                    "cost_at_old_prices": at_old})
effects = pd.DataFrame(effects)
effects["effect"] = effects["cost_at_new_prices"] - effects["cost_at_old_prices"]
effects

# %% [markdown]
# ## What the subscription saved
#
# `list_cost` is the pay-as-you-go price; `cost` is 0 where the subscription covered the model
# *at that time* (membership is read from each snapshot). Choosing a provider is always
# pay-as-you-go, so those requests are never covered.

# %%
by_model = nf.usage_summary(costed, by=("model",))
by_model["saved_by_subscription"] = by_model["list_cost"] - by_model["cost"]
by_model[by_model["saved_by_subscription"] > 0][
    ["model", "requests", "list_cost", "cost", "saved_by_subscription"]
].sort_values("saved_by_subscription", ascending=False)

# %% [markdown]
# ## What if: the same traffic at today's catalog

# %%
today = nf.load(SOURCE, snapshot_at=AS_OF)
now = nf.cost_usage(usage, today, routes=nf.load_routes(source="sample"))
change = nf.cost_change(costed, now)
change.sort_values("change")

# %%
words = {"cost_then": "at the prices of each request", "cost_now": "at today's catalog"}
ax = change.set_index("model")[["cost_then", "cost_now"]].dropna().sort_values(
    "cost_then").rename(columns=words).plot.barh(figsize=(8, 4.5), color=["#8d99ae", "#2a9d8f"])
ax.set_xlabel("Cost (USD)")
ax.set_ylabel("")
ax.set_title("The same traffic, then and now");

# %% [markdown]
# And the cheapest model with at least the same capabilities and context, for each model used
# (`rank_models` on today's catalog), with what the same traffic would cost there:

# %%
nf.cheaper_alternatives(now, today).sort_values("saving", ascending=False)
