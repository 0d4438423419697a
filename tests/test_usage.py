"""Usage costing with known answers (issue 13): prices of the day, before the history, retired
models, unknown ids, subscription membership, column mapping, time zones, bad counts, routes."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

import nanogpt_frame as nf
from nanogpt_frame.catalog.combine import frames_from_listings
from nanogpt_frame.cli import cli_logic
from tests.conftest import listing

T0, T1 = "2026-08-01T00:00:00Z", "2026-08-10T00:00:00Z"


def model(mid, prompt, completion, cache_read=None, cache_write=None):
    pricing = {"prompt": prompt, "completion": completion}
    if cache_read is not None:
        pricing["cacheReadInputPer1kTokens"] = cache_read / 1000
    if cache_write is not None:
        pricing["cacheWriteInputPer1kTokens"] = cache_write / 1000
    return {"id": mid, "pricing": pricing}


def snapshot(when, models, subscribed=()):
    listings = {
        "canonical": listing(*models),
        "subscription": listing(*(m for m in models if m["id"] in subscribed)),
        "paid": listing(*(m for m in models if m["id"] not in subscribed)),
    }
    return frames_from_listings(listings, snapshot_at=when)


@pytest.fixture
def history():
    first = snapshot(
        T0, [model("a/m", 1, 2, cache_read=0.1), model("old/m", 5, 5), model("b/sub", 1, 1)]
    )
    second = snapshot(
        T1,
        [
            model("a/m", 2, 4, cache_read=0.2),
            model("b/sub", 1, 1),
            model("c/w", 1, 1, cache_write=1.25),
        ],
        subscribed={"b/sub"},
    )
    return pd.concat([first, second], ignore_index=True)


def usage(*rows, **extra):
    return pd.DataFrame(
        [
            dict(zip(("timestamp", "model", "input_tokens", "output_tokens"), r, strict=False))
            for r in rows
        ],
        **extra,
    )


def test_a_price_change_mid_period_splits_the_cost_exactly(history):
    log = usage(
        ("2026-07-31T00:00:00Z", "a/m", 1_000_000, 0),  # before the history: its first price
        ("2026-08-05T00:00:00Z", "a/m", 1_000_000, 1_000_000),
        (T1, "a/m", 1_000_000, 0),  # exactly at a snapshot: that snapshot
        ("2026-08-20T00:00:00Z", "a/m", 0, 1_000_000),
    )
    costed = nf.cost_usage(log, history)
    assert costed["list_cost"].tolist() == [1.0, 3.0, 2.0, 4.0]
    assert costed["price_basis"].tolist() == ["before_history", "as_of", "as_of", "as_of"]
    assert costed["price_snapshot_at"].tolist() == [pd.Timestamp(t) for t in (T0, T0, T1, T1)]
    total = nf.usage_summary(costed, by=(), freq="MS")
    assert total["list_cost"].tolist() == [1.0, 9.0]


def test_retired_unknown_and_case_different_models(history):
    log = usage(
        ("2026-08-20T00:00:00Z", "old/m", 1_000_000, 0),
        ("2026-08-20T00:00:00Z", "nobody/m", 10, 10),
        ("2026-08-20T00:00:00Z", "A/M", 10, 10),
    )
    costed = nf.cost_usage(log, history)
    assert costed["list_cost"].iloc[0] == 5.0  # the last price it had
    assert costed["price_snapshot_at"].iloc[0] == pd.Timestamp(T0)
    assert costed["unpriced_reason"].tolist()[1:] == ["unknown model", "unknown model"]
    assert costed["cost"].iloc[1:].isna().all() and costed["list_cost"].iloc[1:].isna().all()


def test_subscription_coverage_switches_with_membership(history):
    log = usage(
        ("2026-08-05T00:00:00Z", "b/sub", 1_000_000, 0),
        ("2026-08-15T00:00:00Z", "b/sub", 1_000_000, 0),
    )
    costed = nf.cost_usage(log, history)
    assert costed["in_subscription"].tolist() == [False, True]
    assert costed["cost"].tolist() == [1.0, 0.0] and costed["list_cost"].tolist() == [1.0, 1.0]
    assert nf.cost_usage(log, history, subscription=False)["cost"].tolist() == [1.0, 1.0]


def test_cache_prices_assumed_and_missing(history):
    log = pd.DataFrame(
        {
            "timestamp": ["2026-08-15T00:00:00Z"] * 3,
            "model": ["a/m", "b/sub", "c/w"],
            "input_tokens": [0, 0, 0],
            "output_tokens": [0, 0, 0],
            "cached_tokens": [1_000_000, 1_000_000, 0],
            "cache_write_tokens": [0, 0, 1_000_000],
        }
    )
    costed = nf.cost_usage(log, history, subscription=False)
    assert costed["list_cost"].tolist()[:2] == [0.2, 1.0]  # cache-read price; else prompt
    assert costed["cache_price_assumed"].tolist() == [False, True, False]
    assert costed["list_cost"].iloc[2] == 1.25
    gone = snapshot(T1, [model("c/w", 1, 1)])  # no cache-write price at all
    unpriced = nf.cost_usage(log.iloc[[2]], gone)
    assert unpriced["unpriced_reason"].iloc[0] == "price missing: price_cache_write"
    assert pd.isna(unpriced["cost"].iloc[0])
    assert unpriced["price_basis"].iloc[0] == "catalog"  # a single catalog prices every row


def test_column_mapping_time_zones_order_index_and_types(history):
    log = pd.DataFrame(
        {
            "when": [
                pd.Timestamp("2026-08-10T02:00:00+02:00"),  # = T1 exactly, in another zone
                pd.Timestamp("2026-08-09T23:00:00"),
            ],  # naive: UTC, before T1
            "engine": ["a/m", "a/m"],
            "prompt_tokens": [1_000_000, 1_000_000],
            "completion_tokens": [0, 0],
            "cost": [99, 98],
        },
        index=["x", "y"],
    )
    original = log.copy()
    columns = {
        "timestamp": "when",
        "model": "engine",
        "input_tokens": "prompt_tokens",
        "output_tokens": "completion_tokens",
    }
    with pytest.raises(nf.ConfigError, match="cost"):
        nf.cost_usage(log, history, columns=columns)  # our output names are taken: a clear error
    log = log.rename(columns={"cost": "their_cost"})
    costed = nf.cost_usage(log, history, columns=columns)
    assert list(costed.index) == ["x", "y"] and list(costed.columns[:5]) == list(log.columns)
    assert costed["list_cost"].tolist() == [2.0, 1.0]
    for column in ("price_prompt", "list_cost", "cost"):
        assert costed[column].dtype == pd.ArrowDtype(pa.float64())
    assert "list_cost" not in log.columns  # the caller's frame is untouched
    summary = nf.usage_summary(costed, by=("model",))
    assert summary["engine"].tolist() == ["a/m"] and summary["input_tokens"].tolist() == [2_000_000]
    strings = log.assign(when=["2026-08-10T02:00:00+02:00", "2026-08-09T23:00:00"])
    assert nf.cost_usage(strings, history, columns=columns)["list_cost"].tolist() == [2.0, 1.0]
    assert original.drop(columns="cost").equals(log.drop(columns="their_cost").iloc[:, :4])


@pytest.mark.parametrize("bad", [-1, 1.5, "many", float("inf")])
def test_bad_token_counts_name_the_row(history, bad):
    log = usage(("2026-08-05T00:00:00Z", "a/m", 10, 10), ("2026-08-05T00:00:00Z", "a/m", bad, 1))
    with pytest.raises(nf.ConfigError, match=r"usage row 1: input_tokens"):
        nf.cost_usage(log, history)


def test_bad_times_and_missing_columns(history):
    with pytest.raises(nf.ConfigError, match="usage row 0: timestamp 'yesterday'"):
        nf.cost_usage(usage(("yesterday", "a/m", 1, 1)), history)
    with pytest.raises(nf.ConfigError, match="no 'model' column"):
        nf.cost_usage(pd.DataFrame({"timestamp": [T0]}), history)


def test_input_that_includes_cached_tokens(history):
    log = pd.DataFrame(
        {
            "timestamp": ["2026-08-05T00:00:00Z"],
            "model": ["a/m"],
            "input_tokens": [3_000_000],
            "output_tokens": [0],
            "cached_tokens": [1_000_000],
        }
    )
    assert nf.cost_usage(log, history)["list_cost"].iloc[0] == 3.1
    assert nf.cost_usage(log, history, input_includes_cached=True)["list_cost"].iloc[0] == 2.1
    with pytest.raises(nf.ConfigError, match="exceed"):
        nf.cost_usage(log.assign(input_tokens=10), history, input_includes_cached=True)


def test_rows_with_a_provider_take_the_route_price():
    catalog = nf.load("sample")
    routes = nf.load_routes(source="sample")
    fireworks = routes[
        (routes["model_id"] == "moonshotai/kimi-k2.5") & (routes["provider"] == "fireworks")
    ].iloc[0]
    log = pd.DataFrame(
        {
            "timestamp": ["2026-08-30T00:00:00Z"] * 3,
            "model": ["moonshotai/kimi-k2.5"] * 3,
            "input_tokens": [1_000_000] * 3,
            "output_tokens": [0] * 3,
            "provider": ["fireworks", None, "nobody"],
        }
    )
    costed = nf.cost_usage(log, catalog, routes=routes)
    assert costed["price_prompt"].iloc[0] == fireworks["price_prompt"]
    assert costed["cost"].iloc[0] == costed["list_cost"].iloc[0] > 0  # no subscription cover
    assert costed["cost"].iloc[1] == 0.0  # kimi-k2.5 is in the sample's subscription
    assert costed["unpriced_reason"].iloc[2] == "unknown route"


def test_sample_what_if_and_files(tmp_path):
    usage_log = nf.sample_usage()
    then = nf.cost_usage(usage_log, "sample")
    now = nf.cost_usage(usage_log, nf.load("sample"))
    change = nf.cost_change(then, now)
    gpt = change[change["model"] == "openai/gpt-5.2"].iloc[0]
    assert gpt["cost_now"] < gpt["cost_then"]  # the sample history cut its price on 07-20
    alternatives = nf.cheaper_alternatives(now, nf.load("sample"))
    assert set(alternatives["model"]) == set(usage_log["model"])
    path = tmp_path / "usage.parquet"
    usage_log.to_parquet(path)
    from_file = nf.cost_usage(path, "sample")
    assert from_file["list_cost"].sum() == pytest.approx(then["list_cost"].sum())
    with pytest.raises(nf.PayloadError, match="does not exist"):
        nf.cost_usage(tmp_path / "missing.csv", "sample")


def test_cli_cost(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert cli_logic(["cost", "--sample", "--freq", "D"]) == 0
    out = capsys.readouterr().out
    assert max(map(len, out.splitlines())) <= 80 and "2026-07-01" in out
    root = tmp_path / "history"
    for when in nf.sample_history()["snapshot_at"].unique():
        history = nf.sample_history()
        nf.write_snapshot(history[history["snapshot_at"] == when].reset_index(drop=True), root)
    log = tmp_path / "log.csv"
    nf.sample_usage().rename(columns={"timestamp": "ts"}).to_csv(log, index=False)
    argv = [
        "cost",
        str(log),
        "--history",
        str(root),
        "--columns",
        "ts=timestamp",
        "--format",
        "json",
        "--by",
        "",
    ]
    assert cli_logic(argv) == 0
    import json

    total = json.loads(capsys.readouterr().out)[0]
    expected = nf.cost_usage(nf.sample_usage(), "sample")
    assert total["list_cost"] == pytest.approx(expected["list_cost"].sum())
    assert cli_logic(["cost", str(tmp_path / "nope.csv"), "--sample"]) == 1
    assert "does not exist" in capsys.readouterr().err


# ---- prices and routes by the one source rule ----------------------------------------------------


def test_a_prices_root_without_snapshots_is_a_snapshot_error(tmp_path):
    log = usage((T1, "a/m", 1, 1))
    with pytest.raises(nf.SnapshotError, match="holds no models snapshots yet"):
        nf.cost_usage(log, tmp_path)
    (tmp_path / "snapshot_date=2026-08-01").mkdir()
    with pytest.raises(nf.SnapshotError, match="no models snapshots of 2026-08-01"):
        nf.cost_usage(log, tmp_path / "snapshot_date=2026-08-01")
    assert cli_logic(["cost", "--sample", "--history", str(tmp_path)]) == 1


def test_routes_snapshots_as_prices_and_models_as_routes_are_clear_errors(tmp_path, capsys):
    log = usage((T1, "a/m", 1, 1))
    routes_root, models_root = tmp_path / "routes", tmp_path / "models"
    routes_file = nf.write_snapshot(nf.load_routes(source="sample"), routes_root)
    nf.write_snapshot(nf.load("sample", snapshot_at=T0), models_root)
    for prices in (routes_root, routes_file):
        with pytest.raises(nf.SnapshotError, match=r"holds routes snapshots.*routes="):
            nf.cost_usage(log, prices)
    with pytest.raises(nf.SnapshotError, match=r"holds models snapshots.*prices"):
        nf.cost_usage(log, models_root, routes=models_root)
    capsys.readouterr()
    for argv in (
        ["cost", "--sample", "--history", str(routes_root)],
        ["cost", "--sample", "--routes", str(models_root)],
    ):
        assert cli_logic(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "snapshots, not" in err and "Traceback" not in err


def test_a_day_folder_as_prices_is_the_history_of_that_day(tmp_path, history, capsys):
    root = tmp_path / "root"
    for _, one in history.groupby("snapshot_at"):
        nf.write_snapshot(one.reset_index(drop=True), root)
    log = usage(("2026-08-20T00:00:00Z", "a/m", 1_000_000, 0))
    day = root / "snapshot_date=2026-08-01"
    assert nf.cost_usage(log, day)["list_cost"].tolist() == [1.0]  # the price of 08-01
    assert nf.cost_usage(log, root)["list_cost"].tolist() == [2.0]  # the root: the latest
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    assert cli_logic(["cost", str(path), "--history", str(day), "--format", "json"]) == 0
    import json

    assert [row["list_cost"] for row in json.loads(capsys.readouterr().out)] == [1.0]


def test_raw_listings_as_prices_are_that_catalog(tmp_path):
    import shutil

    from nanogpt_frame.sample import sample_dir

    for name in ("canonical.json", "subscription.json", "paid.json"):
        shutil.copy(sample_dir() / name, tmp_path / name)
    log = nf.sample_usage()
    read_now = nf.cost_usage(log, tmp_path).drop(columns="price_snapshot_at")  # when read
    pd.testing.assert_frame_equal(
        read_now, nf.cost_usage(log, nf.load(tmp_path)).drop(columns="price_snapshot_at")
    )
