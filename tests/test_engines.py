"""The pricing rule on DuckDB and Spark (issue 21): equal to the pandas engine row for row.

Every edge of test_usage.py is in the generated data: rows exactly at a snapshot, before the
history, a delisted and re-listed model, ids that differ only by case, unknown ids, subscription
switching, provider routes, missing prices and time zones. Spark runs in local mode, one session
for the whole test run, one job per test; it skips (saying how to enable it) without Java or
PySpark.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame.usage.engine_plan import output_schema
from nanogpt_frame.usage.reason_texts import NO_ROUTES, TOKEN_MISSING
from nanogpt_frame.usage.rule_sql import OUTPUT_NAMES
from tests.test_usage import model, snapshot

DAYS = [f"2026-08-{d:02d}T00:00:00Z" for d in (1, 4, 8, 12)]


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """Four snapshots: a price change, a delisting and re-listing, a case pair, a late model,
    subscription switching, missing prompt/completion/cache-write prices."""
    catalogs = [
        ([model("a/m", 1, 2, cache_read=0.1), model("gone/m", 5, 5), model("sub/m", 1, 1)], ()),
        (
            [
                model("a/m", 2, 4, cache_read=0.2),
                model("A/M", 7, 7),
                model("sub/m", 1, 1),
                model("nocomp/m", 1, None),
            ],
            {"sub/m"},
        ),
        (
            [
                model("a/m", 2, 4, cache_read=0.2),
                model("gone/m", 6, 6),  # re-listed at a new price
                model("sub/m", 1.5, 1.5),
                model("late/m", 3, 3, cache_write=3.75),
                model("noprompt/m", None, 1),
            ],
            (),
        ),
        ([model("a/m", 3, 6), model("late/m", 3, 3), model("sub/m", 1.5, 1.5)], {"sub/m"}),
    ]
    frames = [
        snapshot(day, models, subscribed)
        for day, (models, subscribed) in zip(DAYS, catalogs, strict=True)
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def routes() -> pd.DataFrame:
    stamps = pd.to_datetime([DAYS[0], DAYS[0], DAYS[2], DAYS[1]], utc=True)
    return pd.DataFrame(
        {
            "snapshot_at": stamps.astype("datetime64[us, UTC]"),
            "model_id": ["a/m", "a/m", "a/m", "late/m"],
            "provider": ["fast", "slow", "fast", "fast"],
            "price_prompt": [10.0, 0.5, 20.0, 9.0],
            "price_completion": [10.0, 0.5, None, 9.0],
        }
    )


IDS = ["a/m", "A/M", "gone/m", "sub/m", "nocomp/m", "noprompt/m", "late/m", "nobody/m", "A/m"]
TIMES = [
    "2026-07-30T00:00:00Z",  # before the whole history
    DAYS[0],  # exactly at snapshots
    DAYS[1],
    "2026-08-04T02:00:00+02:00",  # = DAYS[1] - 2h, another zone
    "2026-08-06 12:00:00",  # naive: UTC
    DAYS[2],
    "2026-08-09T23:59:59.999999Z",
    DAYS[3],
    "2026-09-01T00:00:00-05:00",  # after the history
]


def grid(providers: bool = False) -> pd.DataFrame:
    """Every id at every time, with varied token counts (cached and cache-write included)."""
    rows = []
    rng = np.random.default_rng(21)
    for i, (mid, when) in enumerate((m, t) for m in IDS for t in TIMES):
        counts = rng.integers(0, 3_000_000, 4)
        counts[rng.random(4) < 0.3] = 0
        rows.append(
            {
                "timestamp": when,
                "model": mid,
                "input_tokens": int(counts[0]),
                "output_tokens": int(counts[1]),
                "cached_tokens": int(counts[2]),
                "cache_write_tokens": int(counts[3]) if i % 3 == 0 else 0,
                "provider": (["fast", "slow", "", None, "nobody"][i % 5]) if providers else None,
                "request": f"r{i}",
            }
        )
    return pd.DataFrame(rows, index=[f"row{i}" for i in range(len(rows))])


def assert_same(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """Same columns, same added dtypes, same values (money to 1e-12 USD), same texts."""
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    schema = output_schema()
    for name in OUTPUT_NAMES:
        want, have = expected[name], got[name]
        assert have.dtype == pd.ArrowDtype(schema.field(name).type), name
        assert (want.isna().to_numpy() == have.isna().to_numpy()).all(), name
        known = want.notna().to_numpy()
        if name.startswith(("price_p", "price_c", "list_cost", "cost")) and name != "price_basis":
            a = want.astype("float64").to_numpy()[known]
            b = have.astype("float64").to_numpy()[known]
            assert np.abs(a - b).max(initial=0) <= 1e-12, name
        else:
            assert want[known].tolist() == have[known].tolist(), name


def test_price_periods_are_half_open_and_partition_time(history):
    periods = nf.price_periods(history)
    assert list(periods.columns) == [
        "id",
        "valid_from",
        "valid_to",
        "price_prompt",
        "price_completion",
        "price_cache_read",
        "price_cache_write",
        "in_subscription",
        "first_listed",
    ]
    for _, rows in periods.groupby("id"):
        assert rows["valid_to"].isna().sum() == 1 and pd.isna(rows["valid_to"].iloc[-1])
        assert rows["valid_from"].iloc[1:].tolist() == rows["valid_to"].iloc[:-1].tolist()
        assert (rows["first_listed"] == rows["valid_from"].min()).all()
    gone = periods[periods["id"] == "gone/m"]  # delisted at DAYS[1]: keeps its price till DAYS[2]
    assert gone["valid_to"].iloc[0] == pd.Timestamp(DAYS[2]) and gone["price_prompt"].tolist() == [
        5.0,
        6.0,
    ]
    assert set(periods["id"]) >= {"a/m", "A/M"}  # case kept: two models
    assert periods["valid_from"].dtype == pd.ArrowDtype(pa.timestamp("us", tz="UTC"))
    with pytest.raises(nf.SnapshotError, match="no snapshot"):
        nf.price_periods(history.iloc[:0])


def test_duckdb_equals_pandas_on_every_edge(history, routes, tmp_path):
    log = grid()
    for subscription in (True, False):
        expected = nf.cost_usage(log, history, subscription=subscription)
        got = nf.cost_usage(log, history, subscription=subscription, engine="duckdb")
        assert_same(expected, got)
        assert list(got.index) == list(log.index)
        assert got[list(log.columns)].equals(log)  # the caller's columns, as given
        assert got.attrs == expected.attrs  # columns, usage_columns, input_includes_cached
    with_routes = grid(providers=True)
    expected = nf.cost_usage(with_routes, history, routes=routes)
    assert_same(expected, nf.cost_usage(with_routes, history, routes=routes, engine="duckdb"))
    one_catalog = history[history["snapshot_at"] == pd.Timestamp(DAYS[1])]
    expected = nf.cost_usage(log, one_catalog)
    got = nf.cost_usage(log, one_catalog, engine="duckdb")
    assert_same(expected, got)
    assert set(got["price_basis"].dropna()) == {"catalog"}


def test_duckdb_mapped_columns_python_timestamps_and_index(history):
    """test_usage's mapping case: Timestamp objects in two zones (one naive), own names, index."""
    log = pd.DataFrame(
        {
            "when": [pd.Timestamp("2026-08-04T02:00:00+02:00"), pd.Timestamp("2026-08-03T23:00")],
            "engine": ["a/m", "sub/m"],
            "in": [1_000_000, 2_000_000],
            "out": [0, 1],
        },
        index=["x", "y"],
    )
    columns = {"timestamp": "when", "model": "engine", "input_tokens": "in", "output_tokens": "out"}
    expected = nf.cost_usage(log, history, columns=columns).rename(columns={"engine": "model"})
    got = nf.cost_usage(log, history, columns=columns, engine="duckdb")
    assert_same(expected, got.rename(columns={"engine": "model"}))
    assert list(got.index) == ["x", "y"] and got["price_snapshot_at"].iloc[0] == pd.Timestamp(
        DAYS[1]
    )


def test_duckdb_reads_parquet_globs_csv_and_relations_and_streams_to_parquet(history, tmp_path):
    import duckdb

    log = grid().reset_index(drop=True)
    expected = nf.cost_usage(log, history)
    for i, part in enumerate(np.array_split(np.arange(len(log)), 3)):
        log.iloc[part].to_parquet(tmp_path / f"part{i}.parquet")
    out = tmp_path / "costed.parquet"
    written = nf.cost_usage(str(tmp_path / "part*.parquet"), history, engine="duckdb", out=out)
    assert written == str(out)
    back = pq.read_table(out).to_pandas(types_mapper=pd.ArrowDtype)
    back = back.sort_values("request", key=lambda s: s.str[1:].astype(int), ignore_index=True)
    assert_same(expected, back)
    log.to_csv(tmp_path / "log.csv", index=False)
    from_csv = nf.cost_usage(tmp_path / "log.csv", history, engine="duckdb", memory_limit="1GB")
    assert_same(
        expected,
        from_csv.sort_values("request", key=lambda s: s.str[1:].astype(int), ignore_index=True),
    )
    in_order = nf.cost_usage(str(tmp_path / "part*.parquet"), history, engine="duckdb")
    assert_same(expected, in_order)  # a path read into memory keeps the files' row order
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path}/part*.parquet')")
    from_relation = nf.cost_usage(relation, history, engine="duckdb")
    assert sorted(from_relation["list_cost"].dropna().tolist()) == sorted(
        expected["list_cost"].dropna().tolist()
    )
    with pytest.raises(nf.ConfigError, match="memory_limit"):
        nf.cost_usage(log, history, engine="duckdb", memory_limit="lots")
    with pytest.raises(nf.PayloadError, match="does not exist"):
        nf.cost_usage(tmp_path / "nope.parquet", history, engine="duckdb")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(IDS),
            st.integers(-10 * 86400, 50 * 86400),  # seconds from 2026-07-28
            st.sampled_from(["Z", "+02:00", "-07:30", ""]),
            st.lists(st.integers(0, 10**9), min_size=4, max_size=4),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_duckdb_equals_pandas_on_generated_usage(history, rows):
    start = pd.Timestamp("2026-07-28T00:00:00Z")
    times = []
    for _, seconds, zone, _ in rows:
        when = start + pd.Timedelta(seconds=seconds)
        text = (
            when.tz_convert(zone if zone not in ("Z", "") else "UTC").isoformat()
            if zone not in ("Z", "")
            else when.strftime("%Y-%m-%dT%H:%M:%S")
        )
        times.append(text if zone != "Z" else text + "Z")
    log = pd.DataFrame(
        {
            "timestamp": times,
            "model": [r[0] for r in rows],
            **{
                n: [r[3][i] for r in rows]
                for i, n in enumerate(
                    ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens")
                )
            },
        }
    )
    assert_same(nf.cost_usage(log, history), nf.cost_usage(log, history, engine="duckdb"))


def test_trust_rules_on_duckdb(history):
    """The SPEC "Trust in money figures" rules, tested directly as well as through the
    equality with the pandas engine (test_every_engine_equals_pandas_on_the_trust_cases)."""
    base = {"timestamp": [DAYS[2]] * 3, "model": ["a/m", "sub/m", "nobody/m"]}
    empty = pd.DataFrame({**base, "input_tokens": [10, None, 10], "output_tokens": ["5", "", "1"]})
    costed = nf.cost_usage(empty, history, engine="duckdb")
    assert costed["unpriced_reason"].tolist() == [pd.NA, TOKEN_MISSING, "unknown model"] or (
        costed["unpriced_reason"].tolist()[1] == TOKEN_MISSING
    )
    assert costed["cost"].isna().tolist() == [False, True, True]
    assert costed["cache_price_assumed"].isna().tolist() == [False, False, True]  # nullable
    assert costed["in_subscription"].isna().tolist() == [False, False, True]
    openai = pd.DataFrame(
        {
            **base,
            "prompt_tokens": [3_000_000] * 3,
            "completion_tokens": [0] * 3,
            "cached_tokens": [1_000_000] * 3,
        }
    )
    recognised = nf.cost_usage(openai, history, engine="duckdb")  # prompt_tokens include cached
    assert recognised["list_cost"].iloc[0] == pytest.approx(2 * 2.0 + 0.2)
    assert recognised.attrs["columns"]["input_tokens"] == "prompt_tokens"
    with pytest.raises(nf.ConfigError, match="no output_tokens"):
        nf.cost_usage(pd.DataFrame({**base, "input_tokens": [1] * 3}), history, engine="duckdb")
    provider = pd.DataFrame(
        {**base, "input_tokens": [1] * 3, "output_tokens": [1] * 3, "provider": ["fast", None, ""]}
    )
    no_routes = nf.cost_usage(provider, history, engine="duckdb")
    assert no_routes["unpriced_reason"].iloc[0] == NO_ROUTES and pd.isna(no_routes["cost"].iloc[0])
    for bad in (2**63, "123456789012345678901", -1, 1.5, "many"):
        log = pd.DataFrame(
            {
                "timestamp": [DAYS[2]] * 2,
                "model": ["a/m"] * 2,
                "input_tokens": [1, bad],
                "output_tokens": [1, 1],
            },
            index=[7, 8],
        )
        with pytest.raises(nf.ConfigError, match=r"usage row 8: input_tokens"):
            nf.cost_usage(log, history, engine="duckdb")
    with pytest.raises(nf.ConfigError, match="usage row 'b': timestamp 'yesterday'"):
        nf.cost_usage(
            pd.DataFrame(
                {
                    "timestamp": [DAYS[0], "yesterday"],
                    "model": ["a/m"] * 2,
                    "input_tokens": [1, 1],
                    "output_tokens": [1, 1],
                },
                index=["a", "b"],
            ),
            history,
            engine="duckdb",
        )
    epoch = pd.DataFrame(
        {
            "timestamp": [
                int(pd.Timestamp(DAYS[1]).timestamp()),
                int(pd.Timestamp(DAYS[1]).timestamp() * 1000),
            ],
            "model": ["a/m"] * 2,
            "input_tokens": [1_000_000] * 2,
            "output_tokens": [0] * 2,
        }
    )
    by_magnitude = nf.cost_usage(epoch, history, engine="duckdb")  # unix seconds, milliseconds
    assert by_magnitude["price_snapshot_at"].tolist() == [pd.Timestamp(DAYS[1])] * 2
    with pytest.raises(nf.SnapshotError):
        nf.cost_usage(epoch, history.iloc[:0], engine="duckdb")


def trust_cases() -> pd.DataFrame:
    """SPEC "Trust in money figures" rows: empty token cells, OpenAI/Anthropic names (prompt_tokens
    includes the cached tokens), a provider without routes= (also with an empty cell or an
    unknown model: the reasons' order), epochs in s/ms/us/ns, unknown models (nullable bools)."""
    at = pd.Timestamp(DAYS[2])
    s = int(at.timestamp())
    epochs = [s, s * 1000, s * 10**6, s * 10**9, s + 3600, s - 86400 * 3, s, s, s]
    return pd.DataFrame(
        {
            "timestamp": pd.array(epochs, dtype="int64"),
            "model": [
                "a/m",
                "sub/m",
                "nobody/m",
                "late/m",
                "a/m",
                "gone/m",
                "a/m",
                "nobody/m",
                "A/M",
            ],
            "prompt_tokens": pd.array([3_000_000, None, 10, 5, 7, 2_000_000, None, 4, 9], "Int64"),
            "completion_tokens": pd.array([0, 5, 1, 1, None, 3, 1, 1, 2], "Int64"),
            "cache_read_input_tokens": pd.array([1_000_000, 0, 0, 1, 2, 0, 0, 0, 3], "Int64"),
            "cache_creation_input_tokens": pd.array([0, 0, 0, 4, 0, 1, 0, 0, 0], "Int64"),
            "provider": pd.array([None, "", None, None, "", None, "fast", "fast", None], "string"),
        }
    )


def test_every_engine_equals_pandas_on_the_trust_cases(history, tmp_path):
    log = trust_cases()
    expected = nf.cost_usage(log, history)
    assert expected.attrs["input_includes_cached"] is True  # prompt_tokens: implied
    reasons = expected["unpriced_reason"].tolist()
    assert reasons[1] == TOKEN_MISSING and reasons[6] == NO_ROUTES and reasons[7] == NO_ROUTES
    assert reasons[2] == "unknown model" and pd.isna(expected["cache_price_assumed"].iloc[2])
    got = nf.cost_usage(log, history, engine="duckdb")
    assert_same(expected, got)
    assert got.attrs["columns"] == expected.attrs["columns"]
    path = tmp_path / "trust.parquet"
    log.to_parquet(path)  # not in memory: the same rules in SQL
    assert_same(expected, nf.cost_usage(str(path), history, engine="duckdb"))
    for flag in (True, False):
        want = nf.cost_usage(log, history, input_includes_cached=flag)
        assert_same(want, nf.cost_usage(log, history, input_includes_cached=flag, engine="duckdb"))
        from_file = nf.cost_usage(str(path), history, input_includes_cached=flag, engine="duckdb")
        assert_same(want, from_file)


def test_sql_time_and_token_rules_match_pandas_out_of_memory(history, tmp_path):
    """Parquet read by DuckDB itself: the same 1970..2200 bounds and token rule as pandas."""
    for column, bad in (
        ("timestamp", -5),
        ("timestamp", 9 * 10**10),
        ("timestamp", 8 * 10**18),
        ("prompt_tokens", -1),
    ):
        log = trust_cases().iloc[:2].copy()
        log[column] = pd.array([log[column].iloc[0], bad], dtype="Int64")
        path = tmp_path / f"bad_{column}_{bad}.parquet"
        log.to_parquet(path)
        with pytest.raises(nf.ConfigError) as in_memory:
            nf.cost_usage(log, history)
        with pytest.raises(nf.ConfigError) as out_of_memory:
            nf.cost_usage(str(path), history, engine="duckdb")
        rule = str(in_memory.value).split(": ", 1)[1].split(", not")[0]
        if column == "timestamp":
            rule = rule.split(" ", 2)[2]  # after "timestamp <value>"
        assert rule in str(out_of_memory.value), (rule, str(out_of_memory.value))


def test_a_missing_extra_names_it(history, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(nf.ConfigError, match=r'pip install "nanogpt-frame\[spark\]"'):
        nf.cost_usage(grid(), history, engine="spark")
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(nf.ConfigError, match=r"nanogpt-frame\[duckdb\]|duckdb"):
        nf.cost_usage(grid(), history, engine="duckdb")
    with pytest.raises(nf.ConfigError, match="engine="):
        nf.cost_usage(grid(), history, engine="polars")


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None:
        pytest.skip("Spark tests need a Java runtime (17+): apt-get install default-jre-headless")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip('Spark tests need PySpark: pip install "nanogpt-frame[spark]"')
    from pyspark.sql import SparkSession

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PySpark warns about pandas 3 on start
        session = (
            SparkSession.builder.master("local[1]")
            .appName("nanogpt-frame-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.sql.adaptive.enabled", "false")
            # small data: the quick JIT tier starts the JVM and plans in less time
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
            .config("spark.sql.session.timeZone", "America/New_York")  # the rule ignores it
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def collect(frame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        table = frame.toArrow()
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def test_spark_equals_pandas_on_every_edge(spark, history, routes):
    log = grid(providers=True).reset_index(drop=True)
    log["provider"] = log["provider"].astype("string")
    sdf = spark.createDataFrame(pa.Table.from_pandas(log, preserve_index=False))
    costed = nf.cost_usage(sdf, history, routes=routes, engine="spark")
    assert type(costed).__name__ == "DataFrame" and hasattr(costed, "toArrow")  # lazy Spark
    plan = costed._jdf.queryExecution().executedPlan().toString()
    assert "BroadcastHashJoin" in plan and "PythonUDF" not in plan and "BatchEvalPython" not in plan
    got = collect(costed)
    got = got.sort_values("request", key=lambda s: s.str[1:].astype(int), ignore_index=True)
    expected = nf.cost_usage(log, history, routes=routes)
    assert_same(
        expected, got[list(expected.columns)].astype({c: expected[c].dtype for c in OUTPUT_NAMES})
    )


def test_spark_trust_rules_paths_and_failures(spark, history, tmp_path):
    """The SPEC trust rules on Spark too (tested directly), a Parquet path in, and a bad value
    stopping the job with a message naming the row's model and time."""
    log = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([DAYS[2]] * 3, utc=True).astype("datetime64[us, UTC]"),
            "model": ["a/m", "sub/m", "nobody/m"],
            "prompt_tokens": pd.array([3_000_000, None, 10], dtype="Int64"),
            "completion_tokens": [0, 5, 1],
            "cached_tokens": [1_000_000, 0, 0],
            "provider": ["", None, "fast"],
        }
    )
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    got = collect(nf.cost_usage(str(path), history, engine="spark"))
    assert got["list_cost"].iloc[0] == pytest.approx(2 * 2.0 + 0.2)  # prompt_tokens include cached
    assert got["unpriced_reason"].tolist()[1:] == [TOKEN_MISSING, NO_ROUTES]
    assert got["cost"].isna().tolist() == [False, True, True]
    assert got["cache_price_assumed"].isna().tolist() == [False, False, True]
    naive = log.assign(timestamp="2026-08-08 00:00:00").drop(columns="provider")
    sdf = spark.createDataFrame(pa.Table.from_pandas(naive, preserve_index=False))
    sdf = sdf.withColumn("timestamp", sdf["timestamp"].cast("timestamp_ntz"))
    assert dict(sdf.dtypes)["timestamp"] == "timestamp_ntz"  # naive means UTC
    got = collect(nf.cost_usage(sdf, history, engine="spark"))
    assert got["price_snapshot_at"].tolist()[:2] == [pd.Timestamp(DAYS[2])] * 2
    bad = log.assign(prompt_tokens=[1, -5, 1]).drop(columns="provider")
    sdf = spark.createDataFrame(pa.Table.from_pandas(bad, preserve_index=False))
    with pytest.raises(Exception, match="usage row with model sub/m"):
        collect(nf.cost_usage(sdf, history, engine="spark"))


def test_spark_equals_pandas_on_the_trust_cases(spark, history, tmp_path):
    log = trust_cases()
    expected = nf.cost_usage(log, history)
    got = collect(nf.cost_usage(log, history, engine="spark"))
    assert_same(
        expected, got[list(expected.columns)].astype({c: expected[c].dtype for c in OUTPUT_NAMES})
    )
    path = tmp_path / "trust.parquet"
    log.to_parquet(path)
    got = collect(nf.cost_usage(str(path), history, engine="spark"))
    assert_same(
        expected, got[list(expected.columns)].astype({c: expected[c].dtype for c in OUTPUT_NAMES})
    )


def test_the_readme_bi_join_gives_the_same_prices(history, tmp_path):
    """The DuckDB SQL of README "The price periods, for SQL and BI tools", run on the exported
    periods, prices every row as cost_usage does (list price, no cache writes)."""
    import duckdb

    from nanogpt_frame.cli import cli_logic

    root = tmp_path / "history"
    for when in history["snapshot_at"].unique():
        nf.write_snapshot(history[history["snapshot_at"] == when].reset_index(drop=True), root)
    assert cli_logic(["periods", str(root), "--out", str(tmp_path / "periods.parquet")]) == 0
    log = grid().assign(cache_write_tokens=0).reset_index(drop=True)
    log["timestamp"] = pd.to_datetime(log["timestamp"], utc=True, format="mixed")
    log.to_parquet(tmp_path / "usage.parquet")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    sql = readme.split("```sql\n-- DuckDB\n", 1)[1].split("```", 1)[0]
    sql = sql.replace("usage/*.parquet", str(tmp_path / "usage.parquet"))
    sql = sql.replace("'periods.parquet'", f"'{tmp_path / 'periods.parquet'}'")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    joined = con.execute(sql.rstrip().rstrip(";") + " ORDER BY request").df()
    joined = joined.sort_values("request", key=lambda s: s.str[1:].astype(int), ignore_index=True)
    expected = nf.cost_usage(log, history)
    priced = expected["unpriced_reason"].isna().to_numpy().copy()
    # the plain SQL leaves a row NULL where any price is missing, even for 0 tokens: never 0
    gaps = expected[["price_prompt", "price_completion"]].isna().any(axis=1).to_numpy()
    assert joined["list_cost"].isna().to_numpy()[priced & gaps].all()
    priced &= ~gaps
    assert (
        np.abs(
            joined["list_cost"].to_numpy()[priced]
            - expected["list_cost"].astype(float).to_numpy()[priced]
        ).max()
        <= 1e-12
    )
    snapshot_at = pd.to_datetime(joined["price_snapshot_at"], utc=True)
    assert (
        snapshot_at[priced].to_numpy() == expected["price_snapshot_at"].to_numpy()[priced]
    ).all()


POOL = ["a/m", "A/M", "b/m", "c/m"]


@st.composite
def histories_and_usage(draw):
    """A generated history (1-4 snapshots, models listed and delisted at random, prices and
    coverage sometimes unknown, a second listing row per model sometimes) and usage around it."""
    instants = sorted(draw(st.sets(st.integers(0, 40), min_size=1, max_size=4)))
    rows = []
    for day in instants:
        for mid in draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=4, unique=True)):
            price = st.one_of(st.none(), st.sampled_from([0.0, 0.1, 1.0, 2.5, 7.25]))
            for endpoint in draw(st.sampled_from([["canonical"], ["paid", "canonical"]])):
                rows.append(
                    {
                        "snapshot_at": pd.Timestamp("2026-08-01", tz="UTC")
                        + pd.Timedelta(days=day),
                        "id": mid,
                        "source_endpoint": endpoint,
                        "price_prompt": draw(price),
                        "price_completion": draw(price),
                        "price_cache_read": draw(price),
                        "price_cache_write": draw(price),
                        "in_subscription": draw(st.sampled_from([True, False, None])),
                    }
                )
    history = pd.DataFrame(rows)
    history["snapshot_at"] = history["snapshot_at"].astype("datetime64[us, UTC]")
    for column in ("price_prompt", "price_completion", "price_cache_read", "price_cache_write"):
        history[column] = history[column].astype("float64[pyarrow]")
    history["in_subscription"] = history["in_subscription"].astype("bool[pyarrow]")
    usage = draw(
        st.lists(
            st.tuples(
                st.sampled_from([*POOL, "z/m"]),
                st.integers(-5 * 24, 50 * 24),  # hours from 2026-08-01: before, at, after
                st.lists(st.sampled_from([0, 1, 999, 10**6]), min_size=4, max_size=4),
            ),
            min_size=1,
            max_size=25,
        )
    )
    log = pd.DataFrame(
        {
            "timestamp": [
                pd.Timestamp("2026-08-01", tz="UTC") + pd.Timedelta(hours=h) for _, h, _ in usage
            ],
            "model": [m for m, _, _ in usage],
            **{
                n: [c[i] for _, _, c in usage]
                for i, n in enumerate(
                    ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens")
                )
            },
        }
    )
    return history, log


@settings(max_examples=30, deadline=None)
@given(case=histories_and_usage(), subscription=st.booleans())
def test_duckdb_equals_pandas_on_generated_histories(case, subscription):
    history, log = case
    expected = nf.cost_usage(log, history, subscription=subscription)
    got = nf.cost_usage(log, history, subscription=subscription, engine="duckdb")
    assert_same(expected, got)
