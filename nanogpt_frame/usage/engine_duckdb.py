"""``cost_usage(engine="duckdb")``: the pricing rule as one DuckDB query, out of core.

The usage log (a frame, a Parquet or CSV path or glob, or a DuckDB relation) is scanned once: its
columns are checked and normalised by ``rule_sql.normalise``, joined to the price periods on
(model, time bucket) plus the half-open interval (a hash join with the small periods table as the
build side, so every row finds exactly one period, deterministically), and priced by
``rule_sql.outputs``. With ``out=`` DuckDB writes the rows to Parquet itself (``COPY``): they never
sit in Python memory.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from nanogpt_frame.errors import ConfigError, PayloadError
from nanogpt_frame.usage.engine_plan import EnginePlan, checked_in_memory, output_schema, plan
from nanogpt_frame.usage.reason_texts import NOT_A_TIME, TOKEN_RULE
from nanogpt_frame.usage.rule_sql import (
    DUCKDB,
    FAIL_MARK,
    OUTPUT_NAMES,
    checks,
    join_condition,
    normalise,
    outputs,
    slot,
)

__all__ = ("cost_usage_duckdb", "duckdb_module")

_INSTALL = 'pip install "nanogpt-frame[duckdb]"'


def duckdb_module() -> Any:
    """The ``duckdb`` module, or a ``ConfigError`` naming the extra to install."""
    try:
        import duckdb
    except ImportError as exc:
        raise ConfigError(f'engine="duckdb" needs DuckDB: {_INSTALL}') from exc
    return duckdb


def _kind(sql_type: str) -> str:
    """A DuckDB type as the kind ``rule_sql`` renders: instant, naive, date, integer, ..."""
    t = sql_type.upper()
    if t in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return "instant"
    if t.startswith("TIMESTAMP"):
        return "naive"
    if t == "DATE":
        return "date"
    if t in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UTINYINT", "USMALLINT", "UINTEGER"):
        return "integer"
    if t in ("UBIGINT", "HUGEINT", "UHUGEINT") or t.startswith("DECIMAL"):
        return "wide"
    if t in ("DOUBLE", "FLOAT", "REAL"):
        return "float"
    return "text"


def _literal(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _frame_source(frame: pd.DataFrame) -> pd.DataFrame:
    """The caller's frame as DuckDB can scan it: only columns DuckDB cannot type are converted
    (mixed Python objects): times through pandas' own parser, anything else as text."""
    narrow = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for column in frame.columns:
        values = frame[column].reset_index(drop=True)
        if values.dtype == object:
            given = values.dropna()
            if len(given) and all(isinstance(v, pd.Timestamp) for v in given):
                stamps = pd.to_datetime(values, utc=True, format="mixed")
                values = stamps
            else:
                values = values.astype("string")
        narrow[column] = values
    narrow["_nf_row"] = range(len(frame))
    return narrow


def _connect(duckdb: Any, memory_limit: str | None, threads: int | None) -> Any:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # spills go to the system's temporary folder, never into the caller's working directory
    spill = os.path.join(tempfile.gettempdir(), "nanogpt-frame-duckdb")
    con.execute(f"SET temp_directory = {_literal(spill)}")
    if memory_limit is not None:
        if not re.fullmatch(r"\s*\d+(\.\d+)?\s*[KMGT]?i?B\s*", str(memory_limit), re.I):
            raise ConfigError(f"memory_limit={memory_limit!r}: give a size such as '3GB'")
        con.execute(f"SET memory_limit = {_literal(str(memory_limit))}")
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _source(con: Any, usage: Any, duckdb: Any) -> tuple[str, str, str | None]:
    """(FROM text, row label SQL, file kind or None) of the usage log in ``con``."""
    if isinstance(usage, pd.DataFrame):  # checked in Python already (checked_in_memory)
        con.register("_nf_usage", _frame_source(usage))
        return "_nf_usage", "CAST(_nf_row AS STRING)", None
    if isinstance(usage, duckdb.DuckDBPyRelation):
        con.register("_nf_usage", usage.to_arrow_reader())  # streamed, scanned once
        return "_nf_usage", "'(a row of the relation)'", None
    if isinstance(usage, (str, os.PathLike)):
        text = str(usage)
        has_glob = any(ch in text for ch in "*?[")
        if not has_glob and not Path(text).is_file():
            raise PayloadError(f"usage file {text!r} does not exist or is not a file")
        suffix = text.lower().removesuffix(".gz").rsplit(".", 1)[-1]
        if suffix in ("parquet", "pq"):
            return f"read_parquet({_literal(text)})", "'?'", "parquet"
        if suffix in ("csv", "txt"):
            return f"read_csv({_literal(text)})", "'?'", "csv"
        raise PayloadError(f"usage file {text!r} is neither .csv nor .parquet")
    raise ConfigError(
        'engine="duckdb" takes usage as a DataFrame, a Parquet or CSV path or glob, or a DuckDB '
        f"relation, not {type(usage).__name__}"
    )


def _query(source: str, label: str, kinds: dict[str, str], p: EnginePlan, keep: list[str]) -> str:
    d = DUCKDB
    first, second = normalise(d, p.columns, kinds, label)
    ctes = [f"_s0 AS (SELECT * FROM {source})"]

    def step(body: str) -> None:
        ctes.append(f"_s{len(ctes)} AS ({body.format(prev=f'_s{len(ctes) - 1}')})")

    def project(stage: list[tuple[str, str]]) -> None:
        step(f"SELECT *, {', '.join(f'{sql} AS {name}' for name, sql in stage)} FROM {{prev}}")

    project(first)
    project(second)
    keys = "LEFT JOIN _nf_pkeys ON _pk_id = _nf_model"
    slots = [("_nf_slot", slot(d, p.periods, "_pk_code"))]
    periods = f"LEFT JOIN _nf_periods ON {join_condition('_p_', '_nf_slot')}"
    if p.routes is not None:
        keys += " LEFT JOIN _nf_rkeys ON _rk_model_id = _nf_model AND _rk_provider = _nf_provider"
        slots.append(("_nf_rslot", slot(d, p.routes, "_rk_code")))
        periods += f" LEFT JOIN _nf_routes ON {join_condition('_r_', '_nf_rslot')}"
    step(f"SELECT * FROM {{prev}} {keys}")
    project(slots)
    step(f"SELECT * FROM {{prev}} {periods}")
    final = outputs(single=p.single, routes=p.routes is not None, subscription=p.subscription)
    for stage in final[:-1]:
        project(stage)
    columns = [*(d.q(c) for c in keep), *(f"{sql} AS {name}" for name, sql in final[-1])]
    return f"WITH {', '.join(ctes)} SELECT {', '.join(columns)} FROM _s{len(ctes) - 1}"


def _first_bad(con: Any, source: str, file_kind: str | None, kinds, p: EnginePlan) -> str:
    """The message for the first bad value: its row (the frame's position, or the file's
    1-based row) and what is wrong with it; empty when no row is bad."""
    found = checks(DUCKDB, p.columns, kinds)
    flags = ", ".join(
        f"{bad} AS _nf_bad{i}, CAST({DUCKDB.q(column)} AS STRING) AS _nf_raw{i}"
        for i, (_, column, bad) in enumerate(found)
    )
    if file_kind == "parquet":
        inner = source.replace(")", ", filename = true, file_row_number = true)", 1)
        order, where = "filename, file_row_number", "filename, file_row_number + 1"
    elif file_kind == "csv":
        inner = f"(SELECT *, row_number() OVER () AS _nf_n FROM {source})"
        order, where = "_nf_n", "NULL, _nf_n"
    else:
        inner, order, where = source, "_nf_row", "NULL, _nf_row"
    any_bad = " OR ".join(f"_nf_bad{i}" for i in range(len(found)))
    picked = ", ".join(f"_nf_bad{i}, _nf_raw{i}" for i in range(len(found)))
    sql = (
        f"SELECT {where}, {picked} FROM (SELECT *, {flags} FROM {inner}) WHERE {any_bad} "
        f"ORDER BY {order} LIMIT 1"
    )
    row = con.execute(sql).fetchone()
    if row is None:
        return ""
    values = row[2:]
    i = [bool(v) for v in values[0::2]].index(True)
    name, column, _ = found[i]
    raw = values[2 * i + 1]
    place = f"{row[1]} of {row[0]!r}" if row[0] else str(row[1])
    if name == "timestamp":
        return f"{place}: {column} {raw!r} {NOT_A_TIME}"
    return f"{place}: {column} ({name}) {TOKEN_RULE}, not {raw!r}"


def cost_usage_duckdb(
    usage: Any,
    prices: pd.DataFrame,
    routes: pd.DataFrame | None,
    *,
    columns=None,
    subscription: bool = True,
    input_includes_cached: bool | None = None,
    out: str | os.PathLike[str] | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> pd.DataFrame | str:
    """Price usage in DuckDB (see ``nanogpt_frame.cost_usage``); the path when ``out=``."""
    duckdb = duckdb_module()
    con = _connect(duckdb, memory_limit, threads)
    try:
        frame_in = isinstance(usage, pd.DataFrame)
        settings = {
            "columns": columns,
            "subscription": subscription,
            "input_includes_cached": input_includes_cached,
        }
        if frame_in:  # in memory: the pandas engine's own checks, then SQL on checked columns
            given = plan(list(usage.columns), prices, routes, **settings)
            checked, p = checked_in_memory(usage, given)
            source, label, file_kind = _source(con, checked, duckdb)
        else:
            source, label, file_kind = _source(con, usage, duckdb)
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        types = {str(r[0]): str(r[1]) for r in described}
        found = [c for c in types if c != "_nf_row" and not c.startswith("_nf_in_")]
        if not frame_in:
            p = given = plan(found, prices, routes, **settings)
        if file_kind == "csv":  # ids stay text as written ("007" is not 7)
            text = {c: "VARCHAR" for c in (p.columns.names["model"], p.columns.names["provider"])}
            spec = ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in text if c)
            source = source[:-1] + f", types = {{{spec}}})"
            types = {
                str(r[0]): str(r[1])
                for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            }
        kinds = {c: _kind(t) for c, t in types.items()}
        kinds["_nf_in_ts"] = "micros"
        con.register("_nf_periods", p.period_frame)
        con.register("_nf_pkeys", p.period_keys)
        if p.route_frame is not None:
            con.register("_nf_routes", p.route_frame)
            con.register("_nf_rkeys", p.route_keys)
        keep = ["_nf_row"] if frame_in else found
        sql = _query(source, label, kinds, p, keep)
        try:
            if out is not None:
                if frame_in:
                    sql = _query(source, label, kinds, p, ["_nf_row", *found])
                    sql = f"SELECT * EXCLUDE (_nf_row) FROM ({sql}) ORDER BY _nf_row"
                target = _literal(str(out))
                con.execute(f"COPY ({sql}) TO {target} (FORMAT parquet, COMPRESSION zstd)")
                return str(out)
            if frame_in:
                sql = f"{sql} ORDER BY _nf_row"
            elif file_kind == "parquet" and not {"filename", "file_row_number"} & set(found):
                # in memory anyway: the rows in the files' order, as the pandas engine keeps them
                ordered = source.replace(")", ", filename = true, file_row_number = true)", 1)
                sql = _query(ordered, label, kinds, p, keep)
                sql = f"{sql} ORDER BY filename, file_row_number"
            table = con.sql(sql).to_arrow_table()
        except duckdb.Error as exc:
            if FAIL_MARK not in str(exc):
                raise ConfigError(f"DuckDB could not price the usage: {exc}") from exc
            message = _first_bad(con, source, file_kind, kinds, p) if frame_in or file_kind else ""
            if not message:  # the cached tokens exceed the input, or a relation's row
                message = str(exc).split(FAIL_MARK, 1)[1].strip()
            if frame_in:
                position, rest = message.split(":", 1)
                message = f"{usage.index.tolist()[int(position)]!r}:{rest}"
            raise ConfigError(f"usage row {message}") from None
    finally:
        con.close()
    return _as_frame(table, usage if frame_in else None, found, given)


def _as_frame(table: Any, usage: pd.DataFrame | None, found: list[str], p: EnginePlan):
    schema = output_schema()
    added = table.select(list(OUTPUT_NAMES)).cast(schema)
    frame = added.to_pandas(types_mapper=pd.ArrowDtype)
    if usage is not None:
        frame.index = usage.index
        out = pd.concat([usage, frame], axis=1)
        out.attrs = dict(usage.attrs)
    else:
        theirs = table.select(found).to_pandas(types_mapper=pd.ArrowDtype)
        out = pd.concat([theirs, frame], axis=1)
    names = p.columns.names  # as the pandas engine records them
    out.attrs["usage_columns"] = {name: column or name for name, column in names.items()}
    out.attrs["columns"] = dict(names)
    out.attrs["input_includes_cached"] = p.columns.input_includes_cached
    return out
