"""The pricing rule of ``cost_usage`` as SQL expressions: one text, two dialects. Pure.

DuckDB and Spark run the same expressions (Spark through ``selectExpr`` and ``expr``); where the
two dialects spell something differently, ``Dialect`` holds both spellings. Three steps:
``normalise`` (the caller's columns as checked microseconds, ids and whole token counts; a bad
value stops the query with a message naming the row), ``slot`` (which key and time bucket of the
periods' join table a row falls in) and ``outputs`` (prices, basis, costs and reasons from the
joined period columns ``_p_*`` and route period columns ``_r_*``).
"""

from __future__ import annotations

from dataclasses import dataclass

from nanogpt_frame.usage.column_names import UsageColumns
from nanogpt_frame.usage.price_periods import PERIOD_PRICES, JoinTable
from nanogpt_frame.usage.reason_texts import (
    CACHED_EXCEED_INPUT,
    COVERAGE_UNKNOWN,
    NO_ROUTES,
    NOT_A_TIME,
    PRICE_MISSING,
    TOKEN_MISSING,
    TOKEN_RULE,
    UNKNOWN_MODEL,
    UNKNOWN_ROUTE,
)
from nanogpt_frame.usage.time_units import EPOCH_LIMITS

__all__ = (
    "DUCKDB",
    "FAIL_MARK",
    "NO_ROUTES",
    "OUTPUT_NAMES",
    "SPARK",
    "TOKEN_MISSING",
    "Dialect",
    "checks",
    "join_condition",
    "normalise",
    "outputs",
    "slot",
)

FAIL_MARK = "nanogpt-frame usage row"
OUTPUT_NAMES = (
    "price_snapshot_at",
    "price_basis",
    *PERIOD_PRICES,
    "cache_price_assumed",
    "in_subscription",
    "list_cost",
    "cost",
    "unpriced_reason",
)
_TOKENS = ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens")
_INT64_LIMIT = "9.2233720368547758e18"  # 2**63: a double at or above it is no int64
_ZONED = r"^.*:[0-9]{2}(\.[0-9]+)?\s*([Zz]|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$"
_WHOLE = r"^\+?[0-9]+$"


@dataclass(frozen=True)
class Dialect:
    """How one engine spells what the other spells differently."""

    name: str
    quote: str
    intdiv: str  # integer division of {a} by {b}
    fail: str  # stop the query with message {m}
    instant_micros: str  # microseconds of a zoned timestamp {x}
    naive_micros: str  # ... of a timestamp without zone (naive means UTC)
    date_micros: str
    text_micros: str  # ... of text {x}, NULL when it is not a time
    full_match: str  # {x} matches the regular expression {p} as a whole

    def q(self, name: str) -> str:
        """A quoted identifier."""
        return self.quote + name.replace(self.quote, self.quote * 2) + self.quote


DUCKDB = Dialect(
    name="duckdb",
    quote='"',
    intdiv="(({a}) // ({b}))",
    fail="error({m})",
    instant_micros="epoch_us({x})",
    naive_micros="epoch_us({x})",
    date_micros="epoch_us(CAST({x} AS TIMESTAMP))",
    text_micros="epoch_us(TRY_CAST(trim({x}) AS TIMESTAMPTZ))",  # the session zone is UTC
    full_match="regexp_full_match({x}, {p})",
)
SPARK = Dialect(
    name="spark",
    quote="`",
    intdiv="(({a}) div ({b}))",
    fail="raise_error({m})",
    instant_micros="unix_micros({x})",
    naive_micros="timestampdiff(MICROSECOND, TIMESTAMP_NTZ'1970-01-01 00:00:00', {x})",
    date_micros="(CAST(unix_date({x}) AS BIGINT) * 86400000000)",
    # Spark reads a zoneless text in the session's zone: give it "Z" first (naive means UTC)
    text_micros=(
        "unix_micros(TRY_CAST(CASE WHEN trim({x}) RLIKE '"
        + _ZONED.replace("{", "{{").replace("}", "}}")
        + "' THEN trim({x}) "
        "WHEN length(trim({x})) <= 10 THEN concat(trim({x}), ' 00:00:00Z') "
        "ELSE concat(trim({x}), 'Z') END AS TIMESTAMP))"
    ),
    full_match="({x} RLIKE {p})",
)


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _bad_time(d: Dialect, kind: str, x: str) -> tuple[str, str]:
    """(microseconds, is-bad) of a timestamp column of ``kind``: bad when it is no time or lies
    outside 1970..2200 (``time_units.EPOCH_LIMITS``, the pandas engine's bounds)."""
    if kind == "micros":  # checked and normalised in Python already (usage in memory)
        micros = f"CAST({x} AS BIGINT)"
    elif kind == "instant":
        micros = d.instant_micros.format(x=x)
    elif kind == "naive":
        micros = d.naive_micros.format(x=x)
    elif kind == "date":
        micros = d.date_micros.format(x=x)
    elif kind in ("integer", "float"):  # epoch numbers: seconds, ms, us or ns by magnitude
        v = f"CAST({x} AS DOUBLE)"
        scaled = (
            f"CASE WHEN abs({v}) < 1e11 THEN {v} * 1e6 WHEN abs({v}) < 1e14 THEN {v} * 1e3 "
            f"WHEN abs({v}) < 1e17 THEN {v} ELSE {v} / 1e3 END"
        )
        if kind == "integer":
            w = f"CAST({x} AS BIGINT)"
            scaled = (
                f"CASE WHEN abs({w}) < 100000000000 THEN {w} * 1000000 "
                f"WHEN abs({w}) < 100000000000000 THEN {w} * 1000 "
                f"WHEN abs({w}) < 100000000000000000 THEN {w} "
                f"ELSE {d.intdiv.format(a=w, b='1000')} END"
            )
            micros = f"({scaled})"
        else:
            micros = f"CAST(round({scaled}) AS BIGINT)"
    else:
        micros = d.text_micros.format(x=f"CAST({x} AS STRING)")
    low, high = EPOCH_LIMITS
    return micros, f"(({micros}) IS NULL OR ({micros}) < {low} OR ({micros}) >= {high})"


def _token(d: Dialect, kind: str, x: str) -> tuple[str, str, str]:
    """(value as BIGINT or NULL when missing, is-missing, is-bad) of a token column."""
    if kind == "integer":
        return f"CAST({x} AS BIGINT)", f"({x} IS NULL)", f"({x} < 0)"
    if kind == "float":
        v = f"CAST({x} AS DOUBLE)"
        missing = f"({v} IS NULL OR isnan({v}))"
        bad = (
            f"(NOT {missing} AND (abs({v}) = CAST('Infinity' AS DOUBLE) OR {v} < 0 "
            f"OR {v} >= {_INT64_LIMIT} OR ({v} % 1) <> 0))"
        )
        return f"CASE WHEN {missing} OR {bad} THEN NULL ELSE CAST({v} AS BIGINT) END", missing, bad
    if kind == "wide":  # unsigned, 128-bit, decimal: whole and within int64, or refused
        value = f"TRY_CAST({x} AS BIGINT)"
        bad = f"({x} IS NOT NULL AND ({x} < 0 OR ({x} % 1) <> 0 OR {value} IS NULL))"
        return f"CASE WHEN {bad} THEN NULL ELSE {value} END", f"({x} IS NULL)", bad
    t = f"trim(CAST({x} AS STRING))"
    missing = f"({x} IS NULL OR {t} = '')"
    v = f"TRY_CAST({t} AS DOUBLE)"
    whole = (
        f"CASE WHEN {d.full_match.format(x=t, p=_text(_WHOLE))} THEN TRY_CAST({t} AS BIGINT) END"
    )
    decimal = (
        f"CASE WHEN {v} IS NOT NULL AND NOT isnan({v}) AND abs({v}) <> CAST('Infinity' AS DOUBLE) "
        f"AND {v} >= 0 AND {v} < {_INT64_LIMIT} AND ({v} % 1) = 0 THEN CAST({v} AS BIGINT) END"
    )
    value = f"coalesce({whole}, {decimal})"
    return value, missing, f"(NOT {missing} AND {value} IS NULL)"


def checks(d: Dialect, cols: UsageColumns, kinds: dict[str, str]) -> list[tuple[str, str, str]]:
    """(usage name, caller's column, is-bad SQL) for each checked column of the source."""
    out = []
    ts = cols.names["timestamp"]
    assert ts is not None
    out.append(("timestamp", ts, _bad_time(d, kinds[ts], d.q(ts))[1]))
    for name in _TOKENS:
        column = cols.names[name]
        if column is not None:
            out.append((name, column, _token(d, kinds[column], d.q(column))[2]))
    return out


def normalise(
    d: Dialect, cols: UsageColumns, kinds: dict[str, str], label: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Two projections (alias, SQL) over the source: checked values, then derived counts.

    The first adds ``_nf_ts`` (UTC microseconds), ``_nf_model``, ``_nf_provider`` and the token
    counts ``_nf_t0`` .. ``_nf_t3`` (NULL: the cell was empty); a bad value stops the query with
    a message naming the row (``label``: SQL text). The second subtracts the cached tokens from
    the input when the input includes them (``_nf_u0`` .. ``_nf_u3``).
    """
    first: list[tuple[str, str]] = []
    ts = cols.names["timestamp"]
    model = cols.names["model"]
    assert ts is not None and model is not None
    micros, bad = _bad_time(d, kinds[ts], d.q(ts))

    def fail(what: str, column: str) -> str:
        message = (
            f"concat({_text(FAIL_MARK + ' ')}, {label}, {_text(': ' + what + ', not ')}, "
            f"coalesce(CAST({d.q(column)} AS STRING), 'NULL'))"
        )
        return d.fail.format(m=message)

    first.append(
        ("_nf_ts", f"CASE WHEN {bad} THEN {fail(f'{ts} {NOT_A_TIME}', ts)} ELSE {micros} END")
    )
    first.append(("_nf_model", f"coalesce(CAST({d.q(model)} AS STRING), '')"))
    provider = cols.names["provider"]
    first.append(
        (
            "_nf_provider",
            f"coalesce(trim(CAST({d.q(provider)} AS STRING)), '')" if provider else "''",
        )
    )
    for i, name in enumerate(_TOKENS):
        column = cols.names[name]
        if column is None:
            first.append((f"_nf_t{i}", "CAST(0 AS BIGINT)"))
            continue
        value, _, bad_token = _token(d, kinds[column], d.q(column))
        what = f"{column} ({name}) {TOKEN_RULE}"
        first.append(
            (f"_nf_t{i}", f"CASE WHEN {bad_token} THEN {fail(what, column)} ELSE {value} END")
        )
    second = [(f"_nf_u{i}", f"_nf_t{i}") for i in range(1, 4)]
    if cols.input_includes_cached:
        fewer = "(_nf_t0 - _nf_t2)"
        message = f"concat({_text(FAIL_MARK + ' ')}, {label}, {_text(': ' + CACHED_EXCEED_INPUT)})"
        second.insert(
            0, ("_nf_u0", f"CASE WHEN {fewer} < 0 THEN {d.fail.format(m=message)} ELSE {fewer} END")
        )
    else:
        second.insert(0, ("_nf_u0", "_nf_t0"))
    return first, second


def slot(d: Dialect, table: JoinTable, code: str, ts: str = "_nf_ts") -> str:
    """The join slot of a row: its key's ``code`` and the time bucket of ``ts`` (microseconds)
    in ``table``, as one integer (see ``JoinTable``)."""
    end = table.origin + table.buckets * table.width
    inside = d.intdiv.format(a=f"{ts} - ({table.origin})", b=str(table.width))
    bucket = (
        f"CASE WHEN {ts} < ({table.origin}) THEN -1 WHEN {ts} >= ({end}) THEN {table.buckets} "
        f"ELSE {inside} END"
    )
    return f"({code} * {table.buckets + 2} + ({bucket}) + 1)"


def join_condition(prefix: str, slot_column: str) -> str:
    """Equi-join on the slot (key and bucket), then the half-open interval (``prefix``: the
    period columns' ``_p_`` or ``_r_``)."""
    return (
        f"{prefix}slot = {slot_column} AND _nf_ts >= {prefix}join_from AND _nf_ts < {prefix}join_to"
    )


def outputs(*, single: bool, routes: bool, subscription: bool) -> list[list[tuple[str, str]]]:
    """The output columns as successive projections (alias, SQL) over the joined row; the last
    one holds the output names in order."""
    chosen = "(_nf_provider <> '')"
    route = chosen  # a chosen route: its price or none (without routes: none), never the catalog's
    null = "CAST(NULL AS DOUBLE)"

    def pick(column: str) -> str:
        routed = routes and column in ("price_prompt", "price_completion")  # no cache prices
        theirs = f"_r_{column}" if routed else null
        return f"CASE WHEN {route} THEN {theirs} ELSE _p_{column} END"

    def either(ours: str, theirs: str) -> str:
        return f"CASE WHEN {route} THEN {theirs if routes else 'NULL'} ELSE {ours} END"

    found = (
        f"CASE WHEN {route} THEN {'_r_found IS NOT NULL' if routes else 'FALSE'} "
        "ELSE _p_found IS NOT NULL END"
    )
    lookup = (
        (f"WHEN {route} AND _r_found IS NULL THEN {_text(UNKNOWN_ROUTE)} " if routes else "")
        + ("" if routes else f"WHEN {chosen} THEN {_text(NO_ROUTES)} ")
        + f"WHEN _p_found IS NULL THEN {_text(UNKNOWN_MODEL)} "
    )
    missing = " OR ".join(f"_nf_u{i} IS NULL" for i in range(4))
    first = [
        ("_o_prompt", pick("price_prompt")),
        ("_o_completion", pick("price_completion")),
        ("_o_cache_read", pick("price_cache_read")),
        ("_o_cache_write", pick("price_cache_write")),
        ("_o_stamp", either("_p_valid_from", "_r_valid_from")),
        ("_o_start", either("_p_from_us", "_r_from_us")),
        ("_o_found", found),
        ("_o_lookup", f"CASE {lookup}END"),
        ("_o_tokens", f"CASE WHEN {missing} THEN {_text(TOKEN_MISSING)} END"),
    ]
    gap_prompt = (
        "((_nf_u0 > 0 AND _o_prompt IS NULL) "
        "OR (_nf_u2 > 0 AND coalesce(_o_cache_read, _o_prompt) IS NULL))"
    )
    gap_completion = "(_nf_u1 > 0 AND _o_completion IS NULL)"
    gap_write = "(_nf_u3 > 0 AND _o_cache_write IS NULL)"
    second = [
        (
            "_o_gaps",
            f"CASE WHEN {gap_prompt} OR {gap_completion} OR {gap_write} THEN concat("
            f"{_text(PRICE_MISSING)}, concat_ws(', ', "
            f"CASE WHEN {gap_write} THEN 'price_cache_write' END, "
            f"CASE WHEN {gap_completion} THEN 'price_completion' END, "
            f"CASE WHEN {gap_prompt} THEN 'price_prompt' END)) END",
        ),
    ]
    prices = ("_o_prompt", "_o_completion", "coalesce(_o_cache_read, _o_prompt)", "_o_cache_write")
    total = " + ".join(
        f"(CASE WHEN _nf_u{i} > 0 THEN CAST(_nf_u{i} AS DOUBLE) * {p} ELSE CAST(0 AS DOUBLE) END)"
        for i, p in enumerate(prices)
    )
    third = [
        (
            "_o_list_cost",
            "CASE WHEN _o_lookup IS NULL AND _o_tokens IS NULL AND _o_gaps IS NULL "
            f"THEN round(({total}) / 1e6, 12) END",
        )
    ]
    applies = f"(NOT {chosen})" if subscription else "FALSE"
    in_sub = "_p_in_subscription"
    basis = (
        "CASE WHEN NOT _o_found THEN CAST(NULL AS STRING) "
        + (f"WHEN NOT {route} THEN 'catalog' " if single else "")
        + "WHEN _nf_ts < _o_start THEN 'before_history' ELSE 'as_of' END"
    )
    final = [
        ("price_snapshot_at", "_o_stamp"),
        ("price_basis", basis),
        ("price_prompt", "_o_prompt"),
        ("price_completion", "_o_completion"),
        ("price_cache_read", "_o_cache_read"),
        ("price_cache_write", "_o_cache_write"),
        (
            "cache_price_assumed",
            "CASE WHEN NOT _o_found THEN CAST(NULL AS BOOLEAN) ELSE coalesce(_nf_u2 > 0, "
            "FALSE) AND _o_cache_read IS NULL AND _o_prompt IS NOT NULL END",
        ),
        ("in_subscription", in_sub),
        (  # coverage unknown: unpriced, so no list cost either (as every unpriced row)
            "list_cost",
            f"CASE WHEN {applies} AND {in_sub} IS NULL THEN {null} ELSE _o_list_cost END",
        ),
        (
            "cost",
            f"CASE WHEN _o_list_cost IS NULL THEN {null} WHEN {applies} AND {in_sub} IS NULL "
            f"THEN {null} WHEN {applies} AND {in_sub} THEN CAST(0 AS DOUBLE) ELSE _o_list_cost END",
        ),
        (
            "unpriced_reason",
            "coalesce(_o_lookup, _o_tokens, _o_gaps, CASE WHEN _o_list_cost IS NOT NULL AND "
            f"{applies} AND {in_sub} IS NULL THEN {_text(COVERAGE_UNKNOWN)} END)",
        ),
    ]
    return [first, second, third, final]
