"""``cost_usage()``: what traffic cost at the prices in force when it happened."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.usage.pricing_rule import cost_usage_frame
from nanogpt_frame.usage.read_usage import read_usage

__all__ = ("cost_usage", "price_source")


def price_source(prices: Any) -> pd.DataFrame:
    """``prices`` as a frame: itself, the sample history, or the snapshots under a root."""
    if isinstance(prices, pd.DataFrame):
        return prices
    if isinstance(prices, str) and prices == "sample":
        from nanogpt_frame.catalog.sample_history import sample_history

        return sample_history()
    from nanogpt_frame.snapshots.read import read_snapshots

    columns = [
        "snapshot_at",
        "source_endpoint",
        "id",
        "price_prompt",
        "price_completion",
        "price_cache_read",
        "price_cache_write",
        "in_subscription",
    ]
    return read_snapshots(prices, columns=columns, kind="models")


def _routes(routes: Any) -> pd.DataFrame | None:
    if routes is None or isinstance(routes, pd.DataFrame):
        return routes
    from nanogpt_frame.routes.load_routes import load_routes

    return load_routes(source=routes)


def cost_usage(
    usage: Any,
    prices: pd.DataFrame | str | os.PathLike[str],
    *,
    routes: pd.DataFrame | str | os.PathLike[str] | None = None,
    columns: Mapping[str, str] | None = None,
    subscription: bool = True,
    input_includes_cached: bool = False,
    engine: str = "pandas",
    out: str | os.PathLike[str] | None = None,
    memory_limit: str | None = None,
) -> Any:
    """Price every usage row at the price in force when it happened.

    Each row takes the last snapshot at or before its ``timestamp`` that lists its model
    (``price_basis="as_of"``); a row older than its model's first listing takes that first
    listing (``"before_history"``); a single catalog prices every row (``"catalog"``). Ids match
    exactly (case kept). Cached tokens use the cache-read price, else the prompt price
    (``cache_price_assumed``). Nothing is priced 0 because a price is unknown: such rows have
    ``list_cost`` and ``cost`` ``<NA>`` and say why in ``unpriced_reason``.

    Args:
        usage: a frame or a CSV/Parquet path, one row per request or per period, with
            ``timestamp`` (naive means UTC), ``model`` and token columns ``input_tokens``
            (uncached input), ``output_tokens``, ``cached_tokens``, ``cache_write_tokens``
            (missing columns and empty cells count as 0), optional ``provider``.
        prices: a models frame (one catalog), a history (``read_snapshots``), a snapshot root,
            or ``"sample"`` (the bundled sample history).
        routes: a routes frame, history or routes root: rows with a ``provider`` take that
            route's price, and the subscription does not cover them.
        columns: maps the names above to yours, e.g. ``{"timestamp": "ts", "model": "engine"}``.
        subscription: ``True``: ``cost`` is 0 where the subscription covered the model then;
            ``False``: ``cost`` is the list price everywhere.
        input_includes_cached: your input count includes the cached tokens (OpenAI style);
            they are subtracted to get the uncached input.
        engine: ``"pandas"`` (in memory), ``"duckdb"`` (embedded, out of core: ``usage`` may also
            be a Parquet or CSV glob or a DuckDB relation) or ``"spark"`` (``usage`` a Spark
            DataFrame or a path Spark reads; the result is a lazy Spark DataFrame). The same
            rule and the same numbers on every engine.
        out: with ``engine="duckdb"``, a Parquet path: DuckDB writes the rows there (they never
            sit in Python memory) and the path is returned.
        memory_limit: with ``engine="duckdb"``, DuckDB's memory cap, e.g. ``"3GB"``.

    Returns:
        Your rows, in order, with your index and column names, then ``price_snapshot_at``,
        ``price_basis``, the four prices, ``cache_price_assumed``, ``in_subscription``,
        ``list_cost``, ``cost`` (USD) and ``unpriced_reason``. With ``out=``: the path written;
        with ``engine="spark"``: a lazy Spark DataFrame.

    Raises:
        ConfigError: a negative, non-finite or fractional token count or a bad time (naming the
            row), a missing required column, or output names your frame already uses.

    >>> import nanogpt_frame as nf
    >>> costed = cost_usage(nf.sample_usage(), "sample")
    >>> sorted(costed["price_basis"].dropna().unique())
    ['as_of', 'before_history']
    """
    if engine not in ("pandas", "duckdb", "spark"):
        raise ConfigError(f"engine={engine!r}: choose 'pandas', 'duckdb' or 'spark'")
    if engine != "duckdb" and (out is not None or memory_limit is not None):
        raise ConfigError('out= and memory_limit= need engine="duckdb"')
    if engine == "duckdb":
        from nanogpt_frame.usage.engine_duckdb import cost_usage_duckdb

        return cost_usage_duckdb(
            usage,
            price_source(prices),
            _routes(routes),
            columns=columns,
            subscription=subscription,
            input_includes_cached=input_includes_cached,
            out=out,
            memory_limit=memory_limit,
        )
    if engine == "spark":
        from nanogpt_frame.usage.engine_spark import cost_usage_spark

        return cost_usage_spark(
            usage,
            price_source(prices),
            _routes(routes),
            columns=columns,
            subscription=subscription,
            input_includes_cached=input_includes_cached,
        )
    frame = usage if isinstance(usage, pd.DataFrame) else read_usage(usage)
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError("usage must be a DataFrame or a path to a CSV or Parquet file")
    return cost_usage_frame(
        frame,
        price_source(prices),
        routes=_routes(routes),
        columns=columns,
        subscription=subscription,
        input_includes_cached=input_includes_cached,
    )
