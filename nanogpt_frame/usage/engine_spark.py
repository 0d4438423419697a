"""``cost_usage(engine="spark")``: the pricing rule as Spark DataFrame expressions, lazily.

The same ``rule_sql`` expressions as DuckDB's, through ``expr``: no Python UDF runs on the row
path. The price periods (small: one row per model, listing and time bucket) are broadcast, and the
join is an equi-join on (model, bucket) plus the half-open interval, so it scales with the usage
rows. A bad value stops the Spark job with ``raise_error`` (Spark evaluates lazily, so it surfaces
when the result is computed), its message naming the row's model and time.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import pandas as pd

from nanogpt_frame.errors import ConfigError, PayloadError
from nanogpt_frame.usage.engine_plan import checked_in_memory, plan
from nanogpt_frame.usage.rule_sql import SPARK, join_condition, normalise, outputs, slot

__all__ = ("cost_usage_spark", "spark_modules")

INSTALL = 'pip install "nanogpt-frame[spark]"'


def spark_modules() -> tuple[Any, Any]:
    """``(pyspark.sql, pyspark.sql.functions)``, or a ``ConfigError`` naming the extra."""
    try:
        import pyspark.sql as sql
        import pyspark.sql.functions as functions
    except ImportError as exc:
        raise ConfigError(f'engine="spark" needs PySpark: {INSTALL}') from exc
    return sql, functions


def _kind(spark_type: str) -> str:
    """A Spark type (``simpleString``) as the kind ``rule_sql`` renders."""
    t = spark_type.lower()
    if t == "timestamp":
        return "instant"
    if t == "timestamp_ntz":
        return "naive"
    if t == "date":
        return "date"
    if t in ("bigint", "int", "smallint", "tinyint"):
        return "integer"
    if t.startswith("decimal"):
        return "wide"
    if t in ("double", "float"):
        return "float"
    return "text"


def _session(sql: Any) -> Any:
    spark = sql.SparkSession.getActiveSession()
    if spark is None:
        raise ConfigError('engine="spark" with a path or a pandas frame needs a SparkSession')
    return spark


def _usage(sql: Any, usage: Any) -> Any:
    if isinstance(usage, sql.DataFrame):
        return usage
    if isinstance(usage, pd.DataFrame):
        import pyarrow as pa

        return _session(sql).createDataFrame(pa.Table.from_pandas(usage, preserve_index=False))
    if isinstance(usage, (str, os.PathLike)):
        text = str(usage)
        suffix = text.lower().removesuffix(".gz").rsplit(".", 1)[-1]
        reader = _session(sql).read
        if suffix in ("parquet", "pq"):
            return reader.parquet(text)
        if suffix in ("csv", "txt"):
            return reader.option("header", True).csv(text)  # every column as text: checked here
        raise PayloadError(f"usage path {text!r} is neither .csv nor .parquet")
    raise ConfigError(
        'engine="spark" takes usage as a Spark DataFrame or a path Spark reads, '
        f"not {type(usage).__name__}"
    )


def _broadcast(spark: Any, functions: Any, frame: pd.DataFrame) -> Any:
    import pyarrow as pa

    return functions.broadcast(spark.createDataFrame(pa.Table.from_pandas(frame)))


def cost_usage_spark(
    usage: Any,
    prices: pd.DataFrame,
    routes: pd.DataFrame | None,
    *,
    columns=None,
    subscription: bool = True,
    input_includes_cached: bool | None = None,
) -> Any:
    """Price usage in Spark (see ``nanogpt_frame.cost_usage``): a lazy Spark DataFrame."""
    sql, functions = spark_modules()
    settings = {
        "columns": columns,
        "subscription": subscription,
        "input_includes_cached": input_includes_cached,
    }
    found: list[str] | None = None
    if isinstance(usage, pd.DataFrame):  # in memory: the pandas engine's own checks
        found = [str(c) for c in usage.columns]
        usage, p = checked_in_memory(usage, plan(list(usage.columns), prices, routes, **settings))
    df = _usage(sql, usage)
    spark = df.sparkSession
    kinds = {f.name: _kind(f.dataType.simpleString()) for f in df.schema.fields}
    if found is None:
        found = list(kinds)
        p = plan(found, prices, routes, **settings)
    kinds["_nf_in_ts"] = "micros"
    expr = functions.expr
    model, ts = p.columns.names["model"], p.columns.names["timestamp"]
    label = (
        f"concat('with model ', coalesce(CAST({SPARK.q(str(model))} AS STRING), 'NULL'), "
        f"' at ', coalesce(CAST({SPARK.q(str(ts))} AS STRING), 'NULL'))"
    )
    first, second = normalise(SPARK, p.columns, kinds, label)
    df = df.withColumns({name: expr(text) for name, text in first})
    df = df.withColumns({name: expr(text) for name, text in second})
    small = functools.partial(_broadcast, spark, functions)
    df = df.join(small(p.period_keys), expr("_pk_id = _nf_model"), "left")
    df = df.withColumn("_nf_slot", expr(slot(SPARK, p.periods, "_pk_code")))
    df = df.join(small(p.period_frame), expr(join_condition("_p_", "_nf_slot")), "left")
    if p.routes is not None and p.route_frame is not None and p.route_keys is not None:
        both = "_rk_model_id = _nf_model AND _rk_provider = _nf_provider"
        df = df.join(small(p.route_keys), expr(both), "left")
        df = df.withColumn("_nf_rslot", expr(slot(SPARK, p.routes, "_rk_code")))
        df = df.join(small(p.route_frame), expr(join_condition("_r_", "_nf_rslot")), "left")
    stages = outputs(single=p.single, routes=p.routes is not None, subscription=p.subscription)
    for stage in stages[:-1]:
        df = df.withColumns({name: expr(text) for name, text in stage})
    return df.select(
        *(expr(SPARK.q(c)) for c in found), *(expr(text).alias(name) for name, text in stages[-1])
    )
