"""Totals of costed usage, and what-if comparisons (then versus now, cheaper alternatives). Pure."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import USAGE_COLUMNS
from nanogpt_frame.schema import USAGE_TOKEN_COLUMNS as TOKEN_COLUMNS

__all__ = ("cheaper_alternatives", "cost_change", "usage_summary")

_PERIOD_ALIASES = {"MS": "M", "ME": "M", "QS": "Q", "QE": "Q", "YS": "Y", "YE": "Y", "AS": "Y"}


def _names(costed: pd.DataFrame) -> dict[str, str]:
    names = costed.attrs.get("usage_columns")
    if not isinstance(names, dict):
        names = {n: n for n in USAGE_COLUMNS}
    if "list_cost" not in costed.columns:
        raise ConfigError("usage_summary needs a costed frame (from nanogpt_frame.cost_usage)")
    return names


def usage_summary(
    costed: pd.DataFrame,
    *,
    by: Iterable[str] | str = ("model",),
    freq: str | None = None,
) -> pd.DataFrame:
    """Totals of a costed frame per group and optionally per period.

    Args:
        costed: the output of ``cost_usage``.
        by: columns to group by: contract names (``model``, ``provider``) or the caller's own,
            or any output column (``price_basis``, ``in_subscription``); ``()`` for one total.
        freq: a pandas period such as ``"D"``, ``"W"`` or ``"MS"``: adds a ``period`` column
            (UTC) from the usage timestamps.

    Returns:
        One row per group: ``requests``, the token totals, ``list_cost`` and ``cost`` (sums of
        priced rows; ``<NA>`` when a group has none) and ``unpriced_requests``.

    >>> import nanogpt_frame as nf
    >>> costed = nf.cost_usage(nf.sample_usage(), nf.sample_history())
    >>> usage_summary(costed, by=(), freq="MS")["period"].dt.month.tolist()
    [6, 7, 8]
    """
    names = _names(costed)
    keys = [by] if isinstance(by, str) else list(by)
    columns = [names.get(k, k) for k in keys]
    missing = [c for c in columns if c not in costed.columns]
    if missing:
        raise ConfigError(f"cannot group by {missing}: no such columns")
    frame = pd.DataFrame({c: costed[c] for c in columns}, index=costed.index)
    if freq is not None:
        stamps = pd.to_datetime(costed[names["timestamp"]], utc=True, format="mixed")
        period = _PERIOD_ALIASES.get(freq.upper(), freq)  # "MS" (month start) is period "M"
        try:
            frame["period"] = stamps.dt.tz_localize(None).dt.to_period(period).dt.start_time
        except ValueError as exc:
            raise ConfigError(f"freq {freq!r} is not a pandas period: {exc}") from None
        frame["period"] = frame["period"].dt.tz_localize("UTC")
        columns = [*columns, "period"]
    for name in TOKEN_COLUMNS:
        column = names.get(name, name)
        frame[name] = (
            pd.to_numeric(costed[column], errors="coerce").fillna(0).astype("int64")
            if column in costed.columns
            else 0
        )
    if costed.attrs.get("input_includes_cached"):  # totals of uncached input, as priced
        frame["input_tokens"] = (frame["input_tokens"] - frame["cached_tokens"]).clip(lower=0)
    frame["list_cost"] = costed["list_cost"].astype("float64")
    frame["cost"] = costed["cost"].astype("float64")
    frame["unpriced_requests"] = costed["unpriced_reason"].notna().astype("int64")
    frame["requests"] = 1
    sums = ["requests", *TOKEN_COLUMNS, "unpriced_requests"]
    if columns:
        grouped = frame.groupby(columns, dropna=False, sort=True, observed=True)
        out = grouped[sums].sum()
        out["list_cost"] = grouped["list_cost"].sum(min_count=1)
        out["cost"] = grouped["cost"].sum(min_count=1)
        out = out.reset_index()
    else:
        out = pd.DataFrame(
            [
                {
                    **frame[sums].sum().to_dict(),
                    "list_cost": frame["list_cost"].sum(min_count=1),
                    "cost": frame["cost"].sum(min_count=1),
                }
            ]
        )
    order = [*columns, "requests", *TOKEN_COLUMNS, "list_cost", "cost", "unpriced_requests"]
    return out[order]


def cost_change(
    then: pd.DataFrame, now: pd.DataFrame, *, by: Iterable[str] | str = ("model",)
) -> pd.DataFrame:
    """The same traffic priced twice (as of when it happened, and at another catalog), per group.

    ``then`` and ``now`` are costed frames of the same usage (e.g. ``cost_usage(usage,
    history)`` and ``cost_usage(usage, nf.load())``). Columns: the group, ``cost_then``,
    ``cost_now``, ``change`` (now - then, USD) and ``change_share`` (change / then).

    >>> import nanogpt_frame as nf
    >>> usage = nf.sample_usage()
    >>> then = nf.cost_usage(usage, nf.sample_history())
    >>> now = nf.cost_usage(usage, nf.load("sample"))
    >>> change = cost_change(then, now)
    >>> float(change.loc[change["model"] == "openai/gpt-5.2", "change"].iloc[0]) < 0  # a cut
    True
    """
    if len(then) != len(now):
        raise ConfigError("cost_change compares two costings of the same usage rows")
    a = usage_summary(then, by=by)
    b = usage_summary(now, by=by)
    keys = [
        c
        for c in a.columns
        if c not in ("requests", *TOKEN_COLUMNS, "list_cost", "cost", "unpriced_requests")
    ]
    merged = a[[*keys, "cost"]].merge(
        b[[*keys, "cost"]], on=keys, how="outer", suffixes=("_then", "_now")
    )
    merged["change"] = merged["cost_now"] - merged["cost_then"]
    merged["change_share"] = merged["change"] / merged["cost_then"].where(merged["cost_then"] > 0)
    return merged


def cheaper_alternatives(costed: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """For each model used, the cheapest model with at least its capabilities and context.

    Uses ``rank_models`` on ``catalog`` (every capability the used model has is required, and
    at least its context); the alternative is never the model itself (nor an id differing from
    it only by case) and is cheaper by blended price, else ``<NA>``. Then prices the same
    traffic on both models at ``catalog``'s prices. Columns: ``model``, ``alternative``,
    ``cost_model`` and ``cost_alternative`` (USD, list price, the whole traffic), ``saving``
    (cost_model - cost_alternative).

    >>> import nanogpt_frame as nf
    >>> catalog = nf.load("sample")
    >>> alt = cheaper_alternatives(nf.cost_usage(nf.sample_usage(), catalog), catalog)
    >>> bool((alt["saving"].dropna() >= 0).all())
    True
    """
    from nanogpt_frame.analysis.ranking import rank_models
    from nanogpt_frame.schema import CAPABILITIES, unique_models
    from nanogpt_frame.usage.pricing_rule import cost_usage_frame

    names = _names(costed)
    totals = usage_summary(costed, by=("model",))
    models = unique_models(catalog).set_index("id")
    rows = []
    for _, used in totals.iterrows():
        model_id = used[names["model"]]
        if model_id not in models.index:
            rows.append({"model": model_id, "alternative": None})
            continue
        record = models.loc[model_id]
        require = [c for c in CAPABILITIES if record.get(f"cap_{c}") is True]
        context = record["context_length"]
        ranked = rank_models(
            catalog,
            require=require,
            min_context=None if pd.isna(context) else int(context),
            unknown_price="drop",
        )
        # never the model itself, nor its twin whose id differs only by case
        itself = ranked["id"].astype("string").str.casefold() == str(model_id).casefold()
        own = ranked.loc[itself.to_numpy(dtype=bool), "blended_price"]
        others = ranked[~itself.to_numpy(dtype=bool)]
        if len(own):  # only a model that is cheaper than this one is an alternative
            others = others[(others["blended_price"] < own.min()).to_numpy(dtype=bool)]
        best = others["id"].iloc[0] if len(others) else None
        rows.append({"model": model_id, "alternative": best})
    pairs = pd.DataFrame(rows)
    traffic = pd.DataFrame({n: totals[n] for n in TOKEN_COLUMNS})
    traffic["timestamp"] = catalog["snapshot_at"].max()
    out = pairs.copy()
    for label, column in (("cost_model", "model"), ("cost_alternative", "alternative")):
        priced = cost_usage_frame(
            traffic.assign(model=pairs[column].fillna("")), catalog, subscription=False
        )
        out[label] = priced["list_cost"].astype("float64").to_numpy()
    out["saving"] = out["cost_model"] - out["cost_alternative"]
    return out
