"""Money figures users can trust (issue 17): no silent $0, no wraparound, no wrong day.

Each test names the class of problem it closes; hypothesis covers the inputs that vary (token
count representations, timestamp units, column names).
"""

from __future__ import annotations

import decimal
import gzip
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame.cli import cli_logic
from tests.test_usage import T0, T1, model, snapshot

DAY = "2026-08-05T00:00:00Z"  # between the two snapshots: a/m costs 1 in, 2 out (per 1M)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def history():
    first = snapshot(T0, [model("a/m", 1, 2, cache_read=0.1), model("b/sub", 1, 1)])
    second = snapshot(
        T1,
        [model("a/m", 2, 4, cache_read=0.2), model("b/sub", 1, 1, cache_write=0.5)],
        subscribed={"b/sub"},
    )
    return pd.concat([first, second], ignore_index=True)


def log(**columns):
    """A one-or-more-row usage frame on DAY for a/m unless overridden."""
    n = max(len(v) for v in columns.values() if isinstance(v, list))
    base = {"timestamp": [DAY] * n, "model": ["a/m"] * n}
    return pd.DataFrame({**base, **columns})


# --- 1. no input/output token column: refused, never $0; recognised names used and recorded


def test_without_token_columns_cost_usage_refuses_and_names_the_fix(history):
    frame = log(in_tok=[1_000], out_tok=[10])
    with pytest.raises(nf.ConfigError) as caught:
        nf.cost_usage(frame, history)
    message = str(caught.value)
    assert "found columns: ['timestamp', 'model', 'in_tok', 'out_tok']" in message
    assert "columns={'input_tokens': 'in_tok', 'output_tokens': 'out_tok'}" in message
    with pytest.raises(nf.ConfigError, match="no output_tokens column"):
        nf.cost_usage(frame, history, columns={"input_tokens": "in_tok"})
    with pytest.raises(nf.ConfigError, match="'output_tokens' to 'out_tokens', but usage has no"):
        nf.cost_usage(
            frame, history, columns={"input_tokens": "in_tok", "output_tokens": "out_tokens"}
        )
    costed = nf.cost_usage(
        frame, history, columns={"input_tokens": "in_tok", "output_tokens": "out_tok"}
    )
    assert costed["list_cost"].tolist() == [pytest.approx(0.00102)]


def test_cli_cost_of_a_file_without_token_columns_exits_1(tmp_path, capsys):
    path = tmp_path / "u.csv"
    path.write_text("timestamp,model,prompt,completion\n2026-08-05T00:00:00Z,a/m,10,10\n")
    assert cli_logic(["cost", str(path), "--sample"]) == 1
    assert "found columns" in capsys.readouterr().err


def test_openai_and_anthropic_names_are_recognised_and_recorded(history):
    openai = log(
        prompt_tokens=[3_000_000], completion_tokens=[1_000_000], cached_tokens=[1_000_000]
    )
    costed = nf.cost_usage(openai, history)
    # prompt_tokens includes the cached tokens: 2M uncached x 1 + 1M out x 2 + 1M cached x 0.1
    assert costed["list_cost"].tolist() == [pytest.approx(4.1)]
    assert costed.attrs["columns"] == {
        "timestamp": "timestamp",
        "model": "model",
        "input_tokens": "prompt_tokens",
        "output_tokens": "completion_tokens",
        "cached_tokens": "cached_tokens",
        "cache_write_tokens": None,
        "provider": None,
    }
    summary = nf.usage_summary(costed, by=())
    assert summary["input_tokens"].tolist() == [2_000_000]  # the uncached input, as priced
    stated = nf.cost_usage(openai, history, input_includes_cached=False)
    assert stated["list_cost"].tolist() == [pytest.approx(5.1)]  # the caller said otherwise
    anthropic = log(
        input_tokens=[2_000_000],
        output_tokens=[1_000_000],
        cache_read_input_tokens=[1_000_000],
        cache_creation_input_tokens=[0],
    )
    costed = nf.cost_usage(anthropic, history)
    assert costed["list_cost"].tolist() == [pytest.approx(4.1)]
    assert costed.attrs["columns"]["cached_tokens"] == "cache_read_input_tokens"
    assert costed.attrs["columns"]["cache_write_tokens"] == "cache_creation_input_tokens"


@FAST
@given(
    openai_input=st.booleans(),
    openai_output=st.booleans(),
    anthropic_cache=st.booleans(),
    counts=st.tuples(*[st.integers(0, 10**9)] * 3),
)
def test_recognised_names_price_like_the_contract_names(
    history, openai_input, openai_output, anthropic_cache, counts
):
    uncached, output, cached = counts
    contract = log(input_tokens=[uncached], output_tokens=[output], cached_tokens=[cached])
    theirs = {
        ("prompt_tokens" if openai_input else "input_tokens"): [
            uncached + cached if openai_input else uncached
        ],
        ("completion_tokens" if openai_output else "output_tokens"): [output],
        ("cache_read_input_tokens" if anthropic_cache else "cached_tokens"): [cached],
    }
    expected = nf.cost_usage(contract, history)["list_cost"].tolist()
    assert nf.cost_usage(log(**theirs), history)["list_cost"].tolist() == expected


# --- 2. an empty token cell is unknown: the row is unpriced, never billed as 0 tokens


@pytest.mark.parametrize(
    "cells",
    [
        [1_000_000, np.nan],
        [1_000_000, None],
        ["1000000", ""],
        ["1000000", "  "],
        pd.array([1_000_000, None], dtype="Int64"),
        pd.array([1_000_000, None], dtype="int64[pyarrow]"),
        pd.array([1_000_000.0, None], dtype="float64[pyarrow]"),
    ],
    ids=["nan", "none", "blank", "spaces", "Int64", "arrow-int", "arrow-float"],
)
def test_an_empty_token_cell_leaves_its_row_unpriced(history, cells):
    frame = log(input_tokens=list(cells), output_tokens=[0, 0])
    costed = nf.cost_usage(frame, history)
    assert costed["list_cost"].iloc[0] == 1.0
    assert costed["unpriced_reason"].tolist() == [pd.NA, "token count missing"]
    assert pd.isna(costed["list_cost"].iloc[1]) and pd.isna(costed["cost"].iloc[1])


def test_an_empty_cell_in_a_file_and_bad_counts_name_the_file_row(tmp_path, history):
    path = tmp_path / "u.csv"
    path.write_text(
        f"timestamp,model,input_tokens,output_tokens\n{DAY},a/m,1000000,\n{DAY},a/m,1000000,0\n"
    )
    costed = nf.cost_usage(path, history)
    assert costed["unpriced_reason"].tolist() == ["token count missing", pd.NA]
    path.write_text(f"timestamp,model,input_tokens,output_tokens\n{DAY},a/m,1,1\n{DAY},a/m,-3,1\n")
    with pytest.raises(nf.ConfigError, match=r"usage row 2 of '.*u\.csv': input_tokens"):
        nf.cost_usage(path, history)
    frame = log(input_tokens=[1, 1.5], output_tokens=[1, 1]).set_axis(["a", "b"])
    with pytest.raises(nf.ConfigError, match=r"usage row 'b': input_tokens .* not 1\.5"):
        nf.cost_usage(frame, history)


def test_unpriced_rows_are_never_charged_0_even_under_the_subscription(history):
    frame = pd.DataFrame(
        {
            "timestamp": ["2026-08-15T00:00:00Z"] * 2,
            "model": ["b/sub"] * 2,
            "input_tokens": [10, None],
            "output_tokens": [10, 10],
        }
    )
    costed = nf.cost_usage(frame, history)
    assert costed["cost"].iloc[0] == 0.0  # covered by the subscription
    assert costed["unpriced_reason"].iloc[1] == "token count missing"
    assert pd.isna(costed["cost"].iloc[1]) and pd.isna(costed["list_cost"].iloc[1])


# --- 3. counts int64 cannot hold exactly: refused naming the row, never wrapped around


def _parquet_decimal(tmp_path):
    path = tmp_path / "u.parquet"
    counts = pa.array([decimal.Decimal(5), decimal.Decimal(10**30)], type=pa.decimal128(38, 0))
    table = pa.table(
        {
            "timestamp": [DAY, DAY],
            "model": ["a/m", "a/m"],
            "input_tokens": counts,
            "output_tokens": [1, 1],
        }
    )
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize(
    "cells",
    [
        [5.0, 1e19],
        np.array([5, 2**63], dtype=np.uint64),
        np.array([5, 2**64 - 1], dtype=np.uint64),
        ["5", "12345678901234567890"],
        ["5", "99999999999999999999999"],
        pd.Series([5, 10**30], dtype=object),
        pd.Series([5, 2**70], dtype=object),
        pd.array([5, 2**63], dtype="uint64[pyarrow]"),
        [5.0, 2.0**60],  # a float this large may already have lost its last digits
    ],
    ids=[
        "float",
        "uint64",
        "uint64-max",
        "20-digits",
        "23-digits",
        "object",
        "2**70",
        "arrow",
        "2**60",
    ],
)
def test_counts_past_int64_are_refused_naming_the_row(history, cells):
    frame = log(input_tokens=list(cells), output_tokens=[1, 1])
    with pytest.raises(nf.ConfigError, match=r"usage row 1: input_tokens"):
        nf.cost_usage(frame, history)


def test_huge_counts_in_files_are_refused(tmp_path, history):
    with pytest.raises(nf.ConfigError, match=r"row 2 of '.*u\.parquet': input_tokens"):
        nf.cost_usage(_parquet_decimal(tmp_path), history)
    path = tmp_path / "u.csv"
    path.write_text(
        f"timestamp,model,input_tokens,output_tokens\n{DAY},a/m,5,1\n{DAY},a/m,12345678901234567890,1\n"
    )
    with pytest.raises(nf.ConfigError, match=r"row 2 of '.*u\.csv'"):
        nf.cost_usage(path, history)


_REPRESENTATIONS = {
    "int64": lambda v: pd.Series(v, dtype="int64"),
    "Int64": lambda v: pd.Series(v, dtype="Int64"),
    "arrow": lambda v: pd.Series(v, dtype="int64[pyarrow]"),
    "uint64": lambda v: pd.Series(v, dtype="uint64"),
    "text": lambda v: pd.Series([str(x) for x in v], dtype="string"),
    "object": lambda v: pd.Series(list(v), dtype=object),
    "decimal": lambda v: pd.Series(
        pd.arrays.ArrowExtensionArray(
            pa.array([decimal.Decimal(x) for x in v], type=pa.decimal128(38, 0))
        )
    ),
}


@FAST
@given(
    counts=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=5),
    bad=st.one_of(st.none(), st.integers(2**63, 10**30)),
    kind=st.sampled_from(sorted(_REPRESENTATIONS)),
)
def test_token_counts_are_exact_in_every_representation(history, counts, bad, kind):
    """Every representation of the same counts costs the same; a count past int64 is refused."""
    values = counts if bad is None else [*counts, bad]
    if kind in ("int64", "Int64", "arrow") and bad is not None:
        return  # these cannot even hold the value
    if kind == "uint64" and bad is not None and bad >= 2**64:
        return
    column = _REPRESENTATIONS[kind](values)
    frame = pd.DataFrame(
        {
            "timestamp": [DAY] * len(values),
            "model": ["a/m"] * len(values),
            "input_tokens": column.to_numpy() if kind == "int64" else column.array,
            "output_tokens": [0] * len(values),
        }
    )
    if bad is not None:
        with pytest.raises(nf.ConfigError, match=f"usage row {len(counts)}: input_tokens"):
            nf.cost_usage(frame, history)
        return
    costed = nf.cost_usage(frame, history)
    expected = [round(c * 1.0 / 1e6, 12) for c in counts]
    assert costed["list_cost"].tolist() == pytest.approx(expected, rel=1e-12)


# --- 4. every time unit, wherever a timestamp enters (usage and prices)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_a_history_in_any_time_unit_prices_like_microseconds(history, unit):
    usage = log(
        input_tokens=[1_000_000] * 3,
        output_tokens=[0] * 3,
    ).assign(timestamp=["2026-07-01T00:00:00Z", DAY, T1])
    expected = nf.cost_usage(usage, history)
    assert expected["list_cost"].tolist() == [1.0, 1.0, 2.0]
    stamps = pd.to_datetime(history["snapshot_at"].astype(object), utc=True)
    for shaped in (
        stamps.astype(f"datetime64[{unit}, UTC]"),
        stamps.astype(f"datetime64[{unit}, UTC]").dt.tz_convert("America/New_York"),
        pd.Series(
            pa.array(stamps).cast(pa.timestamp(unit, tz="UTC")),
            dtype=pd.ArrowDtype(pa.timestamp(unit, tz="UTC")),
        ),
        stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ):
        costed = nf.cost_usage(usage, history.assign(snapshot_at=shaped.array))
        pd.testing.assert_frame_equal(costed, expected)


@pytest.mark.parametrize("unit", ["s", "ms", "ns"])
def test_routes_in_any_time_unit_price_like_microseconds(unit):
    catalog, routes = nf.load("sample"), nf.load_routes(source="sample")
    frame = pd.DataFrame(
        {
            "timestamp": ["2026-08-30T00:00:00Z"] * 2,
            "model": ["moonshotai/kimi-k2.5"] * 2,
            "input_tokens": [1_000_000] * 2,
            "output_tokens": [1_000] * 2,
            "provider": ["fireworks", "nobody"],
        }
    )
    expected = nf.cost_usage(frame, catalog, routes=routes)
    assert expected["unpriced_reason"].tolist() == [pd.NA, "unknown route"]
    stamps = pd.to_datetime(routes["snapshot_at"].astype(object), utc=True)
    shaped = routes.assign(snapshot_at=stamps.astype(f"datetime64[{unit}, UTC]").array)
    pd.testing.assert_frame_equal(nf.cost_usage(frame, catalog, routes=shaped), expected)


_SECOND = 1_785_931_200  # 2026-08-05T12:00:00Z


@FAST
@given(
    offset=st.integers(0, 86_400 * 20),
    unit=st.sampled_from(["s", "ms", "us", "ns"]),
    form=st.sampled_from(
        ["datetime-naive", "datetime-utc", "datetime-zone", "arrow", "epoch", "text"]
    ),
)
def test_every_time_unit_gives_the_same_cost(history, offset, unit, form):
    seconds = _SECOND - 86_400 * 10 + offset  # 2026-07-26 .. 2026-08-15: both sides of T1
    stamp = pd.Timestamp(seconds, unit="s", tz="UTC")
    reference = log(input_tokens=[1_000_000], output_tokens=[1_000_000]).assign(
        timestamp=[stamp.isoformat()]
    )
    expected = nf.cost_usage(reference, history)["list_cost"].tolist()
    scale = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
    utc = pd.Series([stamp]).astype(f"datetime64[{unit}, UTC]")
    times = {
        "datetime-naive": utc.dt.tz_localize(None),
        "datetime-utc": utc,
        "datetime-zone": utc.dt.tz_convert("Asia/Kolkata"),
        "arrow": pd.Series(
            pa.array(utc).cast(pa.timestamp(unit)), dtype=pd.ArrowDtype(pa.timestamp(unit))
        ),
        "epoch": pd.Series([seconds * scale], dtype="int64"),
        "text": pd.Series([str(seconds * scale)]),
    }[form]
    costed = nf.cost_usage(reference.assign(timestamp=times.array), history)
    assert costed["list_cost"].tolist() == expected
    assert costed["price_snapshot_at"].iloc[0] == pd.Timestamp(
        T0 if seconds < 1_786_320_000 else T1
    )


def test_openai_unix_seconds_from_a_file_price_at_their_day(tmp_path, history):
    path = tmp_path / "openai.csv"
    path.write_text(
        "timestamp,model,prompt_tokens,completion_tokens\n"
        "1785931200,a/m,1000000,0\n"  # 2026-08-05: the first price (1 per 1M)
        "1786795200,a/m,1000000,0\n"  # 2026-08-15: after the change (2 per 1M)
    )
    costed = nf.cost_usage(path, history)
    assert costed["list_cost"].tolist() == [1.0, 2.0]
    assert costed["price_snapshot_at"].tolist() == [pd.Timestamp(T0), pd.Timestamp(T1)]


@pytest.mark.parametrize(
    "value", [8_000_000_000, -1, 2**63 - 1, 7_258_118_400, "99999999999999999999", True, 1e300]
)
def test_epochs_outside_1970_to_2200_are_refused(history, value):
    frame = log(input_tokens=[1, 1], output_tokens=[1, 1]).assign(
        timestamp=pd.Series([1_785_931_200, value], dtype=object)
    )
    with pytest.raises(nf.ConfigError, match=r"usage row 1: timestamp .* 1970\.\.2200"):
        nf.cost_usage(frame, history)


def test_time_bounds_and_units_of_the_rule():
    from nanogpt_frame.usage.time_units import utc_microseconds

    def micros(values):
        return utc_microseconds(pd.Series(values), column="t", row_name=str).tolist()

    start_2200 = 7_258_118_400
    assert micros([0]) == [0]
    assert micros([start_2200 - 1]) == [(start_2200 - 1) * 10**6]
    assert micros([10**11]) == [10**11 * 1000]  # milliseconds from 1e11 (1973-03-03)
    assert micros([10**14]) == [10**14]  # microseconds from 1e14
    assert micros([10**17 + 999]) == [10**14]  # nanoseconds from 1e17, floored
    moment = datetime(2026, 8, 5, 12, tzinfo=UTC)
    assert micros([moment]) == [_SECOND * 10**6]
    with pytest.raises(nf.ConfigError):
        micros([start_2200])


# --- 5. a chosen provider without routes is unpriced, never the catalog price


def test_a_provider_row_without_routes_is_unpriced_with_a_reason(history):
    frame = log(input_tokens=[1_000_000] * 2, output_tokens=[0] * 2, provider=["fireworks", None])
    costed = nf.cost_usage(frame, history)
    assert costed["unpriced_reason"].tolist() == ["provider route not loaded: pass routes=", pd.NA]
    assert pd.isna(costed["list_cost"].iloc[0]) and pd.isna(costed["cost"].iloc[0])
    assert pd.isna(costed["price_prompt"].iloc[0])  # not the catalog's price
    assert costed["list_cost"].iloc[1] == 1.0  # a row without a provider: unaffected


# --- 6. double counting, duplicate names, the wrong frame, a broken file: typed errors


def test_one_column_feeding_two_names_is_refused(history):
    frame = log(tokens=[10], output_tokens=[1])
    with pytest.raises(nf.ConfigError, match="count twice"):
        nf.cost_usage(frame, history, columns={"input_tokens": "tokens", "cached_tokens": "tokens"})
    with pytest.raises(nf.ConfigError, match="count twice"):  # output_tokens stands for itself
        nf.cost_usage(frame, history, columns={"input_tokens": "output_tokens"})


def test_duplicate_column_names_are_refused(tmp_path, history):
    frame = log(input_tokens=[10], output_tokens=[1])
    twice = pd.concat([frame, frame[["input_tokens"]]], axis=1)
    with pytest.raises(nf.ConfigError, match=r"several columns named \['input_tokens'\]"):
        nf.cost_usage(twice, history)
    path = tmp_path / "twice.csv"
    path.write_text(f"timestamp,model,input_tokens,input_tokens,output_tokens\n{DAY},a/m,1,2,3\n")
    with pytest.raises(nf.PayloadError, match=r"several columns named \['input_tokens'\]"):
        nf.cost_usage(path, history)  # pandas alone would rename one "input_tokens.1"
    doubled_prices = pd.concat([history, history[["price_prompt"]]], axis=1)
    with pytest.raises(nf.ConfigError, match="several columns named"):
        nf.cost_usage(frame, doubled_prices)


def test_routes_given_a_models_frame_is_refused(history):
    frame = log(input_tokens=[10], output_tokens=[1], provider=["fireworks"])
    with pytest.raises(nf.ConfigError, match="routes= got a models frame"):
        nf.cost_usage(frame, history, routes=history)
    with pytest.raises(nf.ConfigError, match="routes= got a models frame"):
        nf.cost_usage(frame.drop(columns="provider"), history, routes=history)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad-crc"])
def test_a_broken_csv_gz_is_a_payload_error(tmp_path, damage):
    body = b"timestamp,model,input_tokens,output_tokens\n" + b"2026-08-05,a/m,1,1\n" * 5000
    packed = gzip.compress(body)
    broken = {
        "truncated": packed[: len(packed) // 2],
        "garbage": packed[:10] + b"\x00garbage" * 20,
        "bad-crc": packed[:-8] + b"\x00" * 8,
    }[damage]
    path = tmp_path / "u.csv.gz"
    path.write_bytes(broken)
    with pytest.raises(nf.PayloadError, match="cannot read usage file"):
        nf.read_usage(path)


# --- 7. cache_price_assumed and in_subscription are nullable: <NA> on unknown models


def test_flags_are_nullable_booleans_with_na_on_unknown_models(history):
    frame = pd.DataFrame(
        {
            "timestamp": [DAY] * 2,
            "model": ["a/m", "nobody/m"],
            "input_tokens": [1, 1],
            "output_tokens": [1, 1],
            "cached_tokens": [1, 1],
        }
    )
    costed = nf.cost_usage(frame, history)
    for column in ("cache_price_assumed", "in_subscription"):
        assert costed[column].dtype == pd.ArrowDtype(pa.bool_())
        assert costed[column].iloc[0] is False or costed[column].iloc[0] == False  # noqa: E712
        assert costed[column].isna().tolist() == [False, True]


# --- 8. cheaper_alternatives never suggests the model itself, nor its case twin


def test_cheaper_alternatives_never_suggest_the_model_itself():
    catalog = snapshot(
        T1,
        [
            model("Nous/Hermes", 1, 1),
            model("nous/hermes", 0.5, 0.5),  # the same model under an id differing by case
            model("cheap/one", 0.1, 0.1),
            model("dear/one", 9, 9),
        ],
    )
    frame = pd.DataFrame(
        {
            "timestamp": [T1] * 3,
            "model": ["Nous/Hermes", "cheap/one", "dear/one"],
            "input_tokens": [1_000_000] * 3,
            "output_tokens": [0] * 3,
        }
    )
    alternatives = nf.cheaper_alternatives(nf.cost_usage(frame, catalog), catalog)
    picks = dict(zip(alternatives["model"], alternatives["alternative"], strict=True))
    assert picks["Nous/Hermes"] == "cheap/one"  # not its lower-case twin
    assert pd.isna(picks["cheap/one"])  # nothing cheaper: no alternative, not itself
    assert picks["dear/one"] == "cheap/one"
    for used, alternative in picks.items():
        assert pd.isna(alternative) or alternative.casefold() != used.casefold()
    assert (alternatives["saving"].dropna() > 0).all()


@pytest.mark.parametrize("used", ["NousResearch/Hermes-4", "nousresearch/hermes-4"])
def test_case_twins_in_a_catalog_are_not_each_others_alternative(used):
    catalog = snapshot(
        T1, [model("NousResearch/Hermes-4", 1, 1), model("nousresearch/hermes-4", 0.5, 0.5)]
    )
    frame = log(input_tokens=[10], output_tokens=[10]).assign(timestamp=[T1], model=[used])
    alternatives = nf.cheaper_alternatives(nf.cost_usage(frame, catalog), catalog)
    assert alternatives["alternative"].isna().tolist() == [True]
