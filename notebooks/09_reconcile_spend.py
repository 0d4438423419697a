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
# # 09 · What did we pay? The month's bill, reconciled
#
# `cost_usage` says what traffic *should* have cost at the catalog prices of its moment.
# NanoGPT says what it *billed*: per request in `x_nanogpt_pricing` (when the responses are
# logged), and per day and model label in `GET /v1/usage`. This notebook puts the two side by
# side, explains each difference the data can explain, and shows the subscription quota used.
#
# **About the data.** Everything here is **synthetic** (`data/account/`, made by
# `tools/make_account_sample.py`): a month (July 2026) of 579 logged responses and the usage
# API's answer for it, billed at the sample history's prices **except for planted
# discrepancies** that `data/README.md` lists. With a key, switch `SOURCE` to `"live"` and point
# `LOG`, `HISTORY` and `ROUTES` at your own responses log and snapshot folders.

# %%
import warnings

import matplotlib.pyplot as plt
import pandas as pd

import nanogpt_frame as nf
from nanogpt_frame.sample import sample_responses_path

SOURCE = "sample"  # <- switch to "live" (needs NANOGPT_API_KEY) for your own account
LOG = sample_responses_path() if SOURCE == "sample" else "responses.jsonl"
HISTORY = nf.sample_history() if SOURCE == "sample" else nf.read_snapshots("catalog-history/")
ROUTES = nf.load_routes(source="sample") if SOURCE == "sample" else "routes-history/"
pd.set_option("display.max_colwidth", 120)

log = nf.read_responses(LOG)
print(f"{len(log)} responses; {log.attrs['skipped']} lines skipped: {log.attrs['skipped_reasons']}")
log.head()

# %% [markdown]
# `read_responses` handled both token conventions: OpenAI-style `prompt_tokens` *include* the
# cached tokens (subtracted here), Anthropic-style `input_tokens` *exclude* them. Each row's
# `billed_usd` is NanoGPT's own bill for that request.

# %%
log.groupby("response_shape")[["input_tokens", "cached_tokens", "output_tokens"]].sum()

# %% [markdown]
# ## The usage API's view: the month's bill per day

# %%
with warnings.catch_warnings(record=True) as said:
    warnings.simplefilter("always")
    spend = nf.load_account_usage("2026-07-01", "2026-07-31", source=SOURCE)
for warning in said:
    print("warning:", warning.message)
per_day = spend.groupby("day")[["requests", "cost_usd", "refunded_usd", "net_cost_usd"]].sum()
per_day.tail()

# %% [markdown]
# ## Expected against billed, per day
#
# Every logged request priced at the price in force when it happened, then compared with what
# NanoGPT billed for it (`reconcile`, one row per day). Requests that chose a provider are
# priced at that route's price (`routes=`; a chosen provider is billed pay-as-you-go, never at
# the catalog price). A day whose expected or billed total is unknown (an unpriced or unbilled
# request) has no difference: it is marked `?`, never drawn 0.

# %%
costed = nf.cost_usage(log, HISTORY, routes=ROUTES)
daily = nf.reconcile(costed, by="day")
daily[["day", "requests", "expected_usd", "billed_usd", "difference_usd", "status"]].tail()

# %%
fig, (bill, gap) = plt.subplots(2, 1, figsize=(9, 6), sharex=True,
                                gridspec_kw={"height_ratios": [3, 1.4]})
days = pd.to_datetime(per_day.index.astype(str))
bill.bar(days, per_day["net_cost_usd"].astype(float), color="#8d99ae",
         label="usage API: net cost per day")
logged = pd.to_datetime(daily["day"].astype(str))
bill.plot(logged, daily["expected_usd"].astype(float), color="#2a9d8f", marker="o", ms=3,
          label="catalog price of the logged requests")
bill.plot(logged, daily["billed_usd"].astype(float), color="#e76f51", marker="x", ms=4, lw=0,
          label="billed per request (x_nanogpt_pricing)")
bill.set_ylabel("USD")
bill.set_title("July 2026 (synthetic): the bill per day")
bill.legend(fontsize=8)
difference = daily["difference_usd"].astype(float)  # <NA> (unpriced, unbilled): no bar
gap.bar(logged, difference, color=["#e76f51" if d > 0 else "#264653" for d in difference])
for day in logged[difference.isna().to_numpy()]:
    gap.annotate("?", (day, 0), ha="center", va="bottom", color="#9d0208")
gap.axhline(0, color="black", lw=0.6)
gap.set_ylabel("billed - expected")
fig.autofmt_xdate()
fig.tight_layout()

# %% [markdown]
# ## The discrepancies, explained
#
# One row per day and model that does not match within 1%. Each explanation starts with
# `likely:` (a check that makes the bill match when applied, with its figures), `possible:` or
# `unexplained:` (and the request ids to ask NanoGPT about): never a guess shown as fact.

# %%
found = nf.reconcile(costed)
found[found["status"] != "match"][
    ["day", "model", "status", "expected_usd", "billed_usd", "explanation"]]

# %%
totals = found.attrs["totals"]
{k: totals[k] for k in ("requests", "compared_expected_usd", "compared_billed_usd",
                        "difference_usd", "by_status")}

# %% [markdown]
# ## Without routes: a chosen provider is never priced at the catalog's price
#
# Costed without `routes=`, the requests that chose a provider have no expected cost: their
# group is `unpriced`, and the explanation says which provider they chose, what they were
# billed, how the rest of the group fares and what would price them.

# %%
unrouted = nf.reconcile(nf.cost_usage(log, HISTORY))
unrouted[unrouted["explanation"].str.contains("chose a provider")][
    ["day", "model", "status", "billed_usd", "explanation"]]

# %% [markdown]
# ## The same log against the usage API
#
# The usage API names models by public label, not id; `match_labels` maps them (exactly, then
# ignoring case and spaces; several ids sharing a name are `ambiguous`, none is `none`).
# Refunds and days the API has not counted yet show up here, and not in the per-request bills.

# %%
nf.match_labels(spend, HISTORY).query("match != 'exact'")

# %%
against_spend = nf.reconcile(costed, spend, models=HISTORY)
against_spend[against_spend["status"] != "match"][
    ["day", "model", "status", "expected_usd", "billed_usd", "explanation"]]

# %% [markdown]
# ## The subscription quota and the balance

# %%
quota = nf.load_subscription_usage(source=SOURCE)
balance = nf.load_balance(source=SOURCE)
print(f"balance: {balance['usd_balance'].iloc[0]:.2f} USD")
quota

# %%
fig, ax = plt.subplots(figsize=(8, 1.8))
for i, row in enumerate(quota.itertuples()):
    ax.barh(i, row.used, color="#2a9d8f")
    ax.barh(i, row.remaining, left=row.used, color="#d9d9d9")
    ax.text(row.used, i, f" {row.percent_used:.0%} used", va="center", fontsize=9)
ax.set_yticks(range(len(quota)), quota["quota"])
ax.set_xlabel("tokens")
ax.set_title("Subscription quota used (synthetic)");
