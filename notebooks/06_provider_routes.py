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
# # 06 · Provider routes: who serves a model, at what price, under which policy?
#
# Pay-as-you-go callers can pick the upstream provider of some models. Each **route** has its
# own price (markup included) and may carry its own **distillation policy**, which overrides the
# model's. `/v1/models` says none of this: it is served one model at a time by
# `/models/{id}/providers`. `nf.load_routes()` fetches those answers at the API's rate limit
# (a whole catalog is ~600 requests, about 30 s at 20 requests/s, with a progress bar) and
# returns one row per (model, provider).
#
# This notebook runs on the bundled sample's route responses (24 models; prices illustrative).

# %%
import pandas as pd

import nanogpt_frame as nf
from nanogpt_frame.plots import plot_route_prices

SOURCE = "sample"  # <- switch to "live" for the live API (one request per model)
# the sample's date, so outputs do not change from run to run (live: the time received)
AS_OF = "2026-08-24T00:00:00Z" if SOURCE == "sample" else None

models = nf.load(SOURCE, snapshot_at=AS_OF)
routes = nf.load_routes(source=SOURCE, snapshot_at=AS_OF)  # live: every id of the catalog
routes[["model_id", "provider", "available", "price_prompt", "price_completion",
        "default_price_prompt", "effective_distillation_status"]].head(8)

# %% [markdown]
# A model without provider selection keeps one row with `provider` `<NA>`, so its default price
# is not lost; an unpriced route has `<NA>` prices, never 0.

# %%
routes.groupby("supports_provider_selection", dropna=False)["model_id"].nunique().rename(
    "models"
).to_frame()

# %% [markdown]
# ## Where a route's policy differs from the model's
#
# `effective_distillation_status` is the route's own status when it serves one, else the
# model's. Routes that **allow** distillation although the model-level policy does not, and
# the reverse (check these before relying on a route for training data):

# %%
policy = models.drop_duplicates("id").set_index("id")["distillation_status"]
served = routes[routes["provider"].notna()].assign(model_policy=routes["model_id"].map(policy))
route_allows = served["effective_distillation_status"] == "allowed"
model_allows = served["model_policy"] == "allowed"
columns = ["model_id", "provider", "model_policy", "effective_distillation_status",
           "distillation_label"]
served[route_allows & ~model_allows][columns]

# %%
served[~route_allows & model_allows][columns]

# %% [markdown]
# ## What choosing a provider costs over the default
#
# `route_markup` adds each route's markup over the platform default (as a share: `0.05` is 5%
# more); `cheapest_routes` picks, per model, the cheapest available priced route, optionally
# only among routes that allow distillation.

# %%
marked = nf.route_markup(routes)
marked["markup_blended"].describe().to_frame("markup over the default (share)").T

# %%
nf.cheapest_routes(routes, distillation="allowed")[
    ["model_id", "provider", "blended_price", "default_blended_price", "markup_blended",
     "routes_available"]
].head(10)

# %% [markdown]
# Routes with capabilities: pass the models frame to require them, as in `rank_models`.

# %%
nf.cheapest_routes(routes, models, require=("tool_calling",))[
    ["model_id", "provider", "blended_price", "default_blended_price"]
].head(5)

# %% [markdown]
# ## The spread per model

# %%
spread = nf.route_spread(routes)
spread[spread["routes_available"] > 0].sort_values("max_blended", ascending=False).head(8)

# %%
plot_route_prices(routes);

# %% [markdown]
# Routes snapshot like catalogs: `nf.write_snapshot(routes, "routes-history/")` (a root of its
# own), `nf.read_snapshots("routes-history/")`, and `nf.diff(old_routes, new_routes)` lists
# routes added, removed, repriced or whose policy changed. From the command line:
# `nanogpt-frame routes --snapshot-out routes-history/`.
