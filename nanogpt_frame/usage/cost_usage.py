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
    """The prices as a frame, by the one source rule; a root (or day folder) is its history."""
    if isinstance(prices, pd.DataFrame):
        return prices
    from nanogpt_frame.snapshots.source import MODEL_FILES, classify_source, read_history

    found = classify_source(prices, raw_names=MODEL_FILES)
    if found.kind == "sample":
        from nanogpt_frame.catalog.sample_history import sample_history

        return sample_history()
    if found.kind != "snapshot_root":  # one catalog: a snapshot file, raw listings, live
        from nanogpt_frame.catalog.load_catalog import load

        return load(prices)
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
    return read_history(found, "models", columns=columns)


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
    input_includes_cached: bool | None = None,
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
            ``timestamp`` (naive means UTC; integers are unix epoch seconds, milliseconds,
            microseconds or nanoseconds told apart by size), ``model``, token columns
            ``input_tokens`` (uncached input) and ``output_tokens`` (both required; OpenAI's
            ``prompt_tokens`` / ``completion_tokens`` are recognised), ``cached_tokens``
            (or Anthropic's ``cache_read_input_tokens``) and ``cache_write_tokens`` (or
            ``cache_creation_input_tokens``), which count 0 when absent, and optional
            ``provider``. An empty token cell leaves its row unpriced (``token count missing``).
        prices: a models frame (one catalog), a history (``read_snapshots``), a snapshot root
            or day folder (its history), ``"sample"`` (the bundled sample history), or any other
            source ``load`` takes (one catalog).
        routes: a routes frame, history or routes root: rows with a ``provider`` take that
            route's price, and the subscription does not cover them. Without it such rows are
            unpriced (``provider route not loaded: pass routes=``), never at the catalog price.
        columns: maps the names above to yours, e.g. ``{"timestamp": "ts", "model": "engine"}``;
            each of your columns feeds one name at most.
        subscription: ``True``: ``cost`` is 0 where the subscription covered the model then;
            ``False``: ``cost`` is the list price everywhere.
        input_includes_cached: your input count includes the cached tokens (OpenAI style);
            they are subtracted to get the uncached input. ``None`` (default): implied when the
            input column is ``prompt_tokens``.
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
        ``list_cost``, ``cost`` (USD) and ``unpriced_reason``. ``cache_price_assumed`` and
        ``in_subscription`` are nullable booleans (``<NA>`` where the model is unknown).
        ``attrs["columns"]`` names the column of yours that fed each usage name (``None``:
        absent). With ``out=``: the path written;
        with ``engine="spark"``: a lazy Spark DataFrame.

    Raises:
        ConfigError: a negative, non-finite, fractional or too large (2**63 and up) token count
            or a bad time (naming the row: the file's 1-based row, or the frame's index label),
            no input or output token column, a column feeding two names, duplicate column
            names, a models frame as ``routes``, or output names your frame already uses.
        SnapshotError: a prices root without snapshots, or routes snapshots given as prices
            (or models snapshots as routes).

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
    source = None if isinstance(usage, pd.DataFrame) else os.fspath(usage)  # rows named 1, 2, ...
    return cost_usage_frame(
        frame,
        price_source(prices),
        routes=_routes(routes),
        columns=columns,
        subscription=subscription,
        input_includes_cached=input_includes_cached,
        source=source,
    )
