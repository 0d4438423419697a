"""``catalog_summary``: the overview tables behind ``nanogpt-frame summary``. Pure."""

from __future__ import annotations

import pandas as pd

from nanogpt_frame.schema import CAPABILITIES, require_columns, unique_models

__all__ = ("catalog_summary",)


def catalog_summary(df: pd.DataFrame, *, top_providers: int = 15) -> dict[str, pd.DataFrame]:
    """Overview tables: models per listing, per provider, capability coverage, price ranges.

    Every table but the first counts each model once (see ``unique_models``).

    >>> import nanogpt_frame as nf
    >>> tables = catalog_summary(nf.load("sample"))
    >>> tables["capability coverage"].columns.tolist()
    ['capability', 'yes', 'no', 'unknown']
    """
    require_columns(df, ("source_endpoint", "id", "owned_by", "price_prompt"), what="summary")
    per_listing = (
        df.groupby("source_endpoint", observed=True, sort=False)
        .agg(models=("id", "size"), distinct_ids=("id", "nunique"))
        .reset_index()
        .rename(columns={"source_endpoint": "listing"})
    )
    models = unique_models(df)
    providers = models["owned_by"].fillna("(unknown)").value_counts()
    shown = providers.head(top_providers)
    rest = providers.iloc[top_providers:].sum()
    per_provider = shown.rename_axis("owned_by").reset_index(name="models")
    if rest:
        others = pd.DataFrame(
            {"owned_by": [f"({len(providers) - top_providers} others)"], "models": [rest]}
        )
        per_provider = pd.concat([per_provider, others], ignore_index=True)
    coverage = pd.DataFrame(
        [
            {
                "capability": cap,
                "yes": int((models[f"cap_{cap}"] == True).sum()),  # noqa: E712
                "no": int((models[f"cap_{cap}"] == False).sum()),  # noqa: E712
                "unknown": int(models[f"cap_{cap}"].isna().sum()),
            }
            for cap in CAPABILITIES
        ]
    )
    prices = []
    for column in ("price_prompt", "price_completion", "price_cache_read"):
        values = models[column].dropna()
        prices.append(
            {
                "price": column.removeprefix("price_"),
                "models_priced": len(values),
                "min": values.min() if len(values) else None,
                "median": values.median() if len(values) else None,
                "max": values.max() if len(values) else None,
            }
        )
    return {
        "models per listing": per_listing,
        "models per provider (owned_by)": per_provider,
        "capability coverage": coverage,
        "prices (USD per 1M tokens)": pd.DataFrame(prices),
    }
