"""Snapshots on disk: layout, atomicity, BI readability, history reads, diffs, object storage."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import nanogpt_frame as nf
from nanogpt_frame import as_of
from nanogpt_frame.cli import cli_logic
from nanogpt_frame.schema import COLUMN_NAMES
from nanogpt_frame.snapshots.read import read_snapshot_file

ROOT_DIR = Path(__file__).resolve().parent.parent


def sample_at(when: str) -> pd.DataFrame:
    return nf.load("sample", snapshot_at=when)


def parquet_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


def test_layout_and_round_trip_exact(tmp_path):
    df = sample_at("2026-08-24T10:11:12.345678Z")
    path = nf.write_snapshot(df, tmp_path)
    assert path == str(tmp_path / "snapshot_date=2026-08-24" / "20260824T101112345678Z.parquet")
    back = nf.read_snapshots(tmp_path)
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    pd.testing.assert_frame_equal(read_snapshot_file(path), df, check_exact=True)


def test_file_schema_and_metadata(tmp_path):
    df = sample_at("2026-08-24T00:00:00Z")
    path = nf.write_snapshot(df, tmp_path)
    meta = pq.read_metadata(path)
    schema = pq.read_schema(path)
    assert schema.names == list(COLUMN_NAMES)
    assert schema.field("snapshot_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("id").type == pa.string()
    assert all(not pa.types.is_nested(f.type) for f in schema)
    assert meta.row_group(0).column(0).compression == "ZSTD"
    stored = json.loads(schema.metadata[b"nanogpt_frame"])
    assert stored["schema_version"] == "2" and stored["source"] == "sample"
    assert stored["table"] == "models"
    assert {"package_version", "base_url"} <= set(stored)
    assert b"pandas" not in schema.metadata


def test_two_snapshots_two_files_and_no_overwrite(tmp_path):
    first, second = nf.load("sample"), nf.load("sample")
    nf.write_snapshot(first, tmp_path)
    nf.write_snapshot(second, tmp_path)
    assert len(parquet_files(tmp_path)) == 2
    before = parquet_files(tmp_path)[0].read_bytes()
    with pytest.raises(nf.SnapshotError, match="never overwritten"):
        nf.write_snapshot(first, tmp_path)
    assert parquet_files(tmp_path)[0].read_bytes() == before
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".parquet"]
    assert leftovers == []


def test_a_frame_mixing_snapshots_or_columns_is_refused(tmp_path):
    mixed = pd.concat([sample_at("2026-08-01"), sample_at("2026-08-02")], ignore_index=True)
    with pytest.raises(nf.SnapshotError, match="2 snapshot_at values"):
        nf.write_snapshot(mixed, tmp_path)
    with pytest.raises(nf.SnapshotError, match="missing columns"):
        nf.write_snapshot(sample_at("2026-08-01").drop(columns="price_prompt"), tmp_path)


def test_killed_writer_leaves_the_folder_readable(tmp_path):
    nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path)
    intact = parquet_files(tmp_path)[0].read_bytes()
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT_DIR)!r})
        import nanogpt_frame as nf
        real_link = os.link
        def slow_link(src, dst):
            print("written", flush=True)   # the temporary file is complete, not yet in place
            time.sleep(60)
            real_link(src, dst)
        os.link = slow_link
        nf.write_snapshot(nf.load("sample", snapshot_at="2026-08-02T00:00:00Z"), {str(tmp_path)!r})
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout.readline().strip() == "written"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert [p.read_bytes() for p in parquet_files(tmp_path)] == [intact]  # no partial .parquet
    history = nf.read_snapshots(tmp_path)
    assert history["snapshot_at"].nunique() == 1
    duckdb = pytest.importorskip("duckdb")
    rows = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/*/*.parquet', hive_partitioning=true)"
    ).fetchall()[0][0]
    assert rows == len(history)


def test_duckdb_reads_the_folder_as_one_table(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    for day in ("2026-08-01", "2026-08-02", "2026-08-03"):
        nf.write_snapshot(sample_at(f"{day}T06:00:00Z"), tmp_path)
    relation = duckdb.sql(
        f"SELECT snapshot_at, snapshot_date, id, price_prompt "
        f"FROM read_parquet('{tmp_path}/*/*.parquet', hive_partitioning=true)"
    )
    types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
    assert types["snapshot_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["snapshot_date"] == "DATE"
    assert len(relation.fetchall()) == 3 * len(nf.load("sample"))
    days = duckdb.sql(
        f"SELECT count(DISTINCT snapshot_date) FROM read_parquet('{tmp_path}/*/*.parquet', "
        "hive_partitioning=true) WHERE snapshot_date >= DATE '2026-08-02'"
    ).fetchall()[0][0]
    assert days == 2


def test_read_snapshots_filters_partitions_columns_and_ids(tmp_path):
    for day in ("2026-08-01", "2026-08-02", "2026-08-03", "2026-08-04"):
        nf.write_snapshot(sample_at(f"{day}T06:00:00Z"), tmp_path)
    got = nf.read_snapshots(tmp_path, since="2026-08-02", until="2026-08-03",
                            columns=["snapshot_at", "id", "price_prompt"])  # fmt: skip
    assert list(got.columns) == ["snapshot_at", "id", "price_prompt"]
    assert sorted(got["snapshot_at"].dt.strftime("%d").unique()) == ["02", "03"]
    assert got["price_prompt"].dtype == pd.ArrowDtype(pa.float64())
    precise = nf.read_snapshots(tmp_path, since="2026-08-03T07:00:00Z")
    assert precise["snapshot_at"].dt.strftime("%d").unique().tolist() == ["04"]
    one = nf.read_snapshots(tmp_path, ids=["openai/gpt-5.2"])
    assert set(one["id"]) == {"openai/gpt-5.2"} and len(one) == 4 * 2  # canonical + paid rows
    with pytest.raises(nf.SnapshotError, match="unknown columns"):
        nf.read_snapshots(tmp_path, columns=["price"])
    with pytest.raises(nf.SnapshotError, match="no snapshot root"):
        nf.read_snapshots(tmp_path / "missing")


def test_older_schema_version_still_reads(tmp_path):
    df = sample_at("2026-07-01T00:00:00Z")
    schema_2 = ("output_modalities", "price_note", "open_weights")
    old_columns = [c for c in COLUMN_NAMES if c not in ("cap_audio_input", "extra_json", *schema_2)]
    folder = tmp_path / "snapshot_date=2026-07-01"
    folder.mkdir()
    table = pa.Table.from_pandas(df[old_columns], preserve_index=False)
    old_meta = {"schema_version": "1", "package_version": "0.1.0", "source": "sample"}
    table = table.replace_schema_metadata({"nanogpt_frame": json.dumps(old_meta)})  # as 0.1 wrote
    pq.write_table(table, folder / "20260701T000000000000Z.parquet")
    nf.write_snapshot(sample_at("2026-07-02T00:00:00Z"), tmp_path)
    history = nf.read_snapshots(tmp_path)
    assert list(history.columns) == list(COLUMN_NAMES)
    old = history[history["snapshot_at"] == pd.Timestamp("2026-07-01", tz="UTC")]
    assert old["cap_audio_input"].isna().all() and old["extra_json"].isna().all()
    for column in schema_2:  # schema 1 files read with the schema 2 columns unknown
        assert old[column].isna().all()
    assert history["cap_audio_input"].dtype == pd.ArrowDtype(pa.bool_())
    oldest = read_snapshot_file(folder / "20260701T000000000000Z.parquet")
    assert oldest["extra_json"].isna().all() and list(oldest.columns) == list(COLUMN_NAMES)


def test_load_a_snapshot_file_or_the_latest_in_a_folder(tmp_path):
    nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path)
    latest = nf.write_snapshot(sample_at("2026-08-05T00:00:00Z"), tmp_path)
    df = nf.load(tmp_path)
    assert df["snapshot_at"].unique().tolist() == [pd.Timestamp("2026-08-05", tz="UTC")]
    assert df.attrs["source"] == "snapshot" and df.attrs["loaded_from"] == "sample"
    assert nf.load(latest, endpoints="paid")["source_endpoint"].unique().tolist() == ["paid"]


def test_key_never_in_a_snapshot(tmp_path):
    import httpx

    key = "sk-secret-snapshot-key-123"
    body = {"object": "list", "data": [{"id": "a/b", "pricing": {"prompt": 1}}]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    with httpx.Client(transport=transport) as client:
        df = nf.load(
            api_key=key,
            client=client,
            base_url="https://x.example/api",
            max_age=0,
            endpoints="canonical",
        )
    path = nf.write_snapshot(df, tmp_path)
    assert key.encode() not in Path(path).read_bytes()
    assert json.loads(pq.read_schema(path).metadata[b"nanogpt_frame"])["authenticated"] is True


# ---- history and diffs -----------------------------------------------------------------------


def changed_copy(df: pd.DataFrame, when: str) -> pd.DataFrame:
    out = df.copy()
    out["snapshot_at"] = pd.Series(pd.Timestamp(when), index=out.index).astype(
        df["snapshot_at"].dtype
    )
    gpt = out["id"] == "openai/gpt-5.2"
    out.loc[gpt, "price_prompt"] = 3.5  # +100%: flagged
    out.loc[out["id"] == "x-ai/grok-4.3", "price_completion"] = 2.75  # +10%
    out.loc[out["id"] == "x-ai/grok-4.3", "cap_vision"] = False
    out.loc[out["id"] == "z-ai/glm-4.6", "distillation_status"] = "disallowed"
    out = out[out["id"] != "auto-model"]
    added = out[out["id"] == "openai/gpt-5-mini"].copy()
    added["id"] = "openai/gpt-6"
    return pd.concat([out, added], ignore_index=True)


def test_diff_names_exactly_what_changed():
    old = sample_at("2026-08-01T00:00:00Z")
    new = changed_copy(old, "2026-08-02T00:00:00Z")
    changes = nf.diff(old, new)
    got = set(zip(changes["change"], changes["id"], changes["field"].astype(object), strict=True))
    assert got == {
        ("added", "openai/gpt-6", pd.NA),
        ("removed", "auto-model", pd.NA),
        ("changed", "openai/gpt-5.2", "price_prompt"),
        ("changed", "x-ai/grok-4.3", "price_completion"),
        ("changed", "x-ai/grok-4.3", "cap_vision"),
        ("changed", "z-ai/glm-4.6", "distillation_status"),
    }
    row = changes[changes["field"] == "price_prompt"].iloc[0]
    assert (row["old"], row["new"], row["relative_change"], row["review"]) == (
        "1.75",
        "3.5",
        1.0,
        True,
    )
    grok = changes[changes["field"] == "price_completion"].iloc[0]
    assert grok["relative_change"] == pytest.approx(0.1) and not grok["review"]
    assert nf.diff(old, old).empty
    assert nf.diff(old, new.sample(frac=1, random_state=1)).equals(changes)  # order-free


def test_diff_subscription_membership():
    old = sample_at("2026-08-01T00:00:00Z")
    new = old.copy()
    new.loc[new["id"] == "zai-org/glm-4.7", "in_subscription"] = False
    changes = nf.diff(old, new)
    assert changes[["id", "field", "old", "new"]].values.tolist() == [
        ["zai-org/glm-4.7", "in_subscription", "true", "false"]
    ]


def test_price_history_periods_and_disappearance(tmp_path):
    day1 = sample_at("2026-08-01T00:00:00Z")
    day2 = changed_copy(day1, "2026-08-02T00:00:00Z")
    day3 = changed_copy(day1, "2026-08-03T00:00:00Z")
    for frame in (day1, day2, day3):
        nf.write_snapshot(frame, tmp_path)
    history = nf.read_snapshots(tmp_path)
    periods = nf.price_history(history, ["openai/gpt-5.2", "auto-model", "openai/gpt-5-mini"])
    gpt = periods[periods["id"] == "openai/gpt-5.2"]
    assert gpt["price_prompt"].tolist() == [1.75, 3.5]
    assert gpt["previous_price_prompt"].iloc[1] == 1.75
    assert gpt["valid_to"].iloc[0] == pd.Timestamp("2026-08-02", tz="UTC")
    assert (
        gpt["last_seen"].iloc[1] == pd.Timestamp("2026-08-03", tz="UTC") and gpt["current"].iloc[1]
    )
    gone = periods[periods["id"] == "auto-model"].iloc[0]
    assert gone["last_seen"] == pd.Timestamp("2026-08-01", tz="UTC") and not gone["current"]
    assert len(periods[periods["id"] == "openai/gpt-5-mini"]) == 1  # unchanged: one period
    assert len(nf.price_history(history)) < len(history)


def test_as_of(tmp_path):
    for day in ("2026-08-01", "2026-08-03"):
        nf.write_snapshot(sample_at(f"{day}T12:00:00Z"), tmp_path)
    history = nf.read_snapshots(tmp_path)
    assert as_of(history, "2026-08-02")["snapshot_at"].iloc[0] == pd.Timestamp("2026-08-01T12:00Z")
    assert as_of(history, "2026-08-03")["snapshot_at"].iloc[0] == pd.Timestamp("2026-08-03T12:00Z")
    assert as_of(history, "2026-08-03T11:00Z")["snapshot_at"].iloc[0] == pd.Timestamp(
        "2026-08-01T12:00Z"
    )
    with pytest.raises(nf.SnapshotError, match="no snapshot at or before"):
        as_of(history, "2026-07-01")


# ---- command line ----------------------------------------------------------------------------


def test_cli_snapshot_diff_history(tmp_path, capsys):
    root = tmp_path / "history"
    assert cli_logic(["snapshot", "--sample", "--out", str(root), "--format", "json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert Path(written["path"]).is_file() and written["rows"]["canonical"] >= 120
    changed = changed_copy(nf.load(written["path"]), "2099-01-01T00:00:00Z")
    nf.write_snapshot(changed, root)
    assert cli_logic(["diff", str(root), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "openai/gpt-5.2,price_prompt,1.75,3.5" in out
    assert cli_logic(["history", str(root), "--model", "openai/gpt-5.2", "--format", "json"]) == 0
    assert [r["price_prompt"] for r in json.loads(capsys.readouterr().out)] == [1.75, 3.5]
    assert cli_logic(["history", str(root), "--model", "OPENAI/gpt-5.2"]) == 1
    assert "did you mean 'openai/gpt-5.2'" in capsys.readouterr().err


# ---- object storage ----------------------------------------------------------------------------


@pytest.fixture
def s3_server(monkeypatch):
    """An S3-compatible server (moto) on 127.0.0.1, started and stopped by the test."""
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",  # never ask the cloud metadata address
    }.items():
        monkeypatch.setenv(name, value)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
        Bucket="catalog"
    )
    yield f"{host}:{port}"
    server.stop()


def test_snapshots_on_s3_end_to_end(s3_server):
    root = f"s3://catalog/history?endpoint_override={s3_server}&scheme=http&region=us-east-1"
    first = sample_at("2026-08-01T00:00:00Z")
    path = nf.write_snapshot(first, root)
    assert path == "catalog/history/snapshot_date=2026-08-01/20260801T000000000000Z.parquet"
    nf.write_snapshot(changed_copy(first, "2026-08-02T00:00:00Z"), root)
    with pytest.raises(nf.SnapshotError, match="never overwritten"):
        nf.write_snapshot(first, root)
    history = nf.read_snapshots(root)
    assert history["snapshot_at"].nunique() == 2
    pd.testing.assert_frame_equal(
        nf.read_snapshots(root, until="2026-08-01"), first, check_exact=True
    )
    assert nf.read_snapshots(root, since="2026-08-02")["snapshot_at"].nunique() == 1
    latest = nf.load(root)
    assert latest["snapshot_at"].iloc[0] == pd.Timestamp("2026-08-02", tz="UTC")
