"""What every engine needs before it reads a usage row: columns resolved, periods built. Pure.

``plan()`` runs once in Python on the small side of the join (the price history and routes) and on
the usage log's column names alone; DuckDB and Spark then render the same ``rule_sql``
expressions over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.usage.column_names import UsageColumns, resolve_usage
from nanogpt_frame.usage.price_periods import (
    JoinTable,
    join_table,
    prefixed,
    price_periods,
    route_periods,
)
from nanogpt_frame.usage.rule_sql import OUTPUT_NAMES

__all__ = ("EnginePlan", "checked_in_memory", "output_schema", "plan")

_RESERVED = ("_nf_", "_p_", "_r_", "_o_", "_pk_", "_rk_")


def output_schema():  # -> pyarrow.Schema
    """The Arrow types of the added columns, as the pandas engine gives them."""
    import pyarrow as pa

    number = pa.float64()
    types = {
        "price_snapshot_at": pa.timestamp("us", tz="UTC"),
        "price_basis": pa.string(),
        "cache_price_assumed": pa.bool_(),
        "in_subscription": pa.bool_(),
        "unpriced_reason": pa.string(),
    }
    return pa.schema([(name, types.get(name, number)) for name in OUTPUT_NAMES])


@dataclass(frozen=True)
class EnginePlan:
    """The resolved columns, the periods' join tables (``_p_*``, ``_r_*``) and the flags."""

    columns: UsageColumns
    periods: JoinTable
    period_frame: pd.DataFrame
    period_keys: pd.DataFrame
    routes: JoinTable | None
    route_frame: pd.DataFrame | None
    route_keys: pd.DataFrame | None
    single: bool
    subscription: bool


def plan(
    found: Iterable[str],
    prices: pd.DataFrame,
    routes: pd.DataFrame | None,
    *,
    columns: Mapping[str, str] | None,
    subscription: bool,
    input_includes_cached: bool | None,
) -> EnginePlan:
    """Resolve the usage columns (names only) and build the price and route join tables."""
    found = list(found)
    clash = sorted(set(OUTPUT_NAMES) & set(found))
    if clash:
        raise ConfigError(f"usage already has columns named {clash}; rename them first")
    reserved = sorted(c for c in found if c.startswith(_RESERVED))
    if reserved:
        raise ConfigError(f"usage columns {reserved} use a prefix the engines reserve; rename")
    resolved = resolve_usage(found, columns, input_includes_cached=input_includes_cached)
    periods = price_periods(prices)
    joined = join_table(periods, ["id"])
    route_joined = None
    if routes is not None and resolved.names["provider"] is not None:
        route_joined = join_table(route_periods(routes), ["model_id", "provider"])
    return EnginePlan(
        columns=resolved,
        periods=joined,
        period_frame=prefixed(joined, "_p_"),
        period_keys=joined.keys.add_prefix("_pk_"),
        routes=route_joined,
        route_frame=None if route_joined is None else prefixed(route_joined, "_r_"),
        route_keys=None if route_joined is None else route_joined.keys.add_prefix("_rk_"),
        single=periods["valid_from"].nunique() <= 1,
        subscription=subscription,
    )


#: the usage names whose values Python checks and normalises for usage in memory
_CHECKED = {
    "timestamp": "_nf_in_ts",
    "input_tokens": "_nf_in_t0",
    "output_tokens": "_nf_in_t1",
    "cached_tokens": "_nf_in_t2",
    "cache_write_tokens": "_nf_in_t3",
}


def checked_in_memory(frame: pd.DataFrame, p: EnginePlan) -> tuple[pd.DataFrame, EnginePlan]:
    """Usage in memory checked by the pandas engine's own rules (``pricing_rule.checked_rows``:
    the time and token rules, the same messages): ``frame`` plus the checked columns
    (``_nf_in_ts`` UTC microseconds, ``_nf_in_t0`` .. ``_nf_in_t3`` the uncached counts, the
    input NULL where a count is missing), and the plan whose SQL reads them (kind ``micros``)."""
    from nanogpt_frame.usage.pricing_rule import checked_rows

    times, tokens, missing = checked_rows(frame, p.columns)
    extra: dict[str, pd.api.extensions.ExtensionArray] = {
        "_nf_in_ts": pd.array(times, dtype="int64")
    }
    for name, column in _CHECKED.items():
        if name != "timestamp":
            counts = pd.array(tokens[name], dtype="Int64")
            if name == "input_tokens":
                counts[missing] = pd.NA
            extra[column] = counts
    checked = frame.assign(**{k: pd.Series(v, index=frame.index) for k, v in extra.items()})
    names = {**p.columns.names, **_CHECKED}
    return checked, replace(p, columns=UsageColumns(names=names, input_includes_cached=False))
