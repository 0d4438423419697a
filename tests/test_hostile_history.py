"""A history that does not lie: stray files, symlink loops, racing writers, unreachable stores,
a catalog that lost most of its models; and inputs that must be refused (issue 10, 12 to 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import nanogpt_frame as nf
from nanogpt_frame.cli import cli_logic

ROOT_DIR = Path(__file__).resolve().parent.parent


def sample_at(when: str) -> pd.DataFrame:
    return nf.load("sample", snapshot_at=when)


# ---- 12. only our snapshots count --------------------------------------------------------------


def test_12_symlink_loops_and_stray_files_neither_multiply_nor_break_the_history(tmp_path):
    first = nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path)
    partition = Path(first).parent
    (partition / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "back").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "README.md").write_text("our history")
    pq.write_table(pa.table({"note": ["hello"]}), tmp_path / "notes.parquet")
    with pytest.warns(nf.SnapshotWarning, match="not snapshots") as got:
        history = nf.read_snapshots(tmp_path)
    assert history["snapshot_at"].nunique() == 1 and len(history) == len(nf.load("sample"))
    message = str(got[0].message)
    assert "README.md" in message and "notes.parquet" in message and "loop" in message


def test_12_a_foreign_parquet_named_like_a_snapshot_is_never_the_latest(tmp_path):
    nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path)
    folder = tmp_path / "snapshot_date=2026-09-01"
    folder.mkdir()
    pq.write_table(pa.table({"id": ["x"], "other": [1]}), folder / "20260901T000000000000Z.parquet")
    with pytest.warns(nf.SnapshotWarning, match="not written by nanogpt_frame"):
        history = nf.read_snapshots(tmp_path)
    assert history["snapshot_at"].nunique() == 1
    latest = nf.load(tmp_path)
    assert latest["snapshot_at"].iloc[0] == pd.Timestamp("2026-08-01", tz="UTC")
    assert latest["id"].notna().all()
    with pytest.raises(nf.SnapshotError, match="not a snapshot written by nanogpt_frame"):
        nf.load(folder / "20260901T000000000000Z.parquet")


def test_12_a_truncated_snapshot_is_skipped_not_fatal(tmp_path):
    good = nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path)
    broken = Path(nf.write_snapshot(sample_at("2026-08-02T00:00:00Z"), tmp_path))
    broken.write_bytes(broken.read_bytes()[:500])  # a disk that lost the end of the file
    with pytest.warns(nf.SnapshotWarning, match="unreadable"):
        assert nf.read_snapshots(tmp_path)["snapshot_at"].nunique() == 1
    with pytest.warns(nf.SnapshotWarning):
        latest = nf.load(tmp_path)
    assert latest.attrs["snapshot_path"] == good


def test_12_a_file_in_the_wrong_day_folder_is_not_a_snapshot(tmp_path):
    path = Path(nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path))
    wrong = tmp_path / "snapshot_date=2026-08-02"
    wrong.mkdir()
    (wrong / path.name).write_bytes(path.read_bytes())  # a copy under another day
    with pytest.warns(nf.SnapshotWarning):
        assert nf.read_snapshots(tmp_path)["snapshot_at"].nunique() == 1


# ---- 13. racing writers without hard links ------------------------------------------------------


def test_13_two_writers_of_one_name_without_hard_links_one_wins(tmp_path):
    go = tmp_path / "go"
    root = tmp_path / "root"
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT_DIR)!r})
        import nanogpt_frame as nf
        def no_links(src, dst):
            raise PermissionError(1, "Operation not permitted")   # like FAT, some SMB mounts
        os.link = no_links
        import nanogpt_frame.snapshots.store as store
        real_replace = os.replace
        def slow_replace(src, dst):
            time.sleep(0.3)                                      # widen the race window
            real_replace(src, dst)
        os.replace = slow_replace
        df = nf.load("sample", snapshot_at="2026-08-02T00:00:00Z")
        while not os.path.exists({str(go)!r}):
            time.sleep(0.005)
        try:
            nf.write_snapshot(df, {str(root)!r})
            print("ok")
        except nf.SnapshotError as exc:
            print("refused:", exc)
        """
    )
    children = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    time.sleep(2.0)  # both have loaded and are waiting
    go.write_text("go")
    outputs = [child.communicate(timeout=60)[0].strip() for child in children]
    assert sorted(o.split(":")[0] for o in outputs) == ["ok", "refused"], outputs
    files = list(root.rglob("*.parquet"))
    assert len(files) == 1 and not list(root.rglob(".lock-*")) and not list(root.rglob(".tmp-*"))
    assert nf.read_snapshots(root)["snapshot_at"].nunique() == 1


def test_13_stale_temporary_files_of_killed_writers_are_cleaned(tmp_path):
    path = Path(nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path))
    old = path.parent / ".tmp-deadbeef.parquet.part"
    fresh = path.parent / ".tmp-cafebabe.parquet.part"
    for leftover in (old, fresh):
        leftover.write_bytes(b"partial")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    nf.write_snapshot(sample_at("2026-08-01T01:00:00Z"), tmp_path)
    assert not old.exists() and fresh.exists()  # a fresh one may belong to a live writer


# ---- 14. unreachable object stores ---------------------------------------------------------------


@pytest.fixture
def no_cloud(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                        "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_14_an_unreachable_object_store_is_a_snapshot_error(no_cloud, capsys):
    root = f"s3://catalog/h?endpoint_override=127.0.0.1:{closed_port()}&scheme=http"
    started = time.monotonic()
    with pytest.raises(nf.SnapshotError, match=r"cannot reach|cannot write"):
        nf.read_snapshots(root)
    with pytest.raises(nf.SnapshotError):
        nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), root)
    assert time.monotonic() - started < 30  # bounded retries, not minutes
    assert cli_logic(["history", root, "--model", "openai/gpt-5.2"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(nf.SnapshotError, match="unknown option"):
        nf.read_snapshots("s3://catalog/h?endpoint=x")


# ---- 15. the snapshot guard ----------------------------------------------------------------------


def test_15_a_catalog_that_lost_half_its_models_is_refused_unless_forced(tmp_path, capsys):
    full = sample_at("2026-08-01T00:00:00Z")
    nf.write_snapshot(full, tmp_path)
    ids = full["id"].drop_duplicates()
    shrunk = sample_at("2026-08-02T00:00:00Z")
    shrunk = shrunk[shrunk["id"].isin(ids.iloc[: len(ids) // 3])].reset_index(drop=True)
    with pytest.raises(nf.SnapshotError, match="more than half"):
        nf.write_snapshot(shrunk, tmp_path)
    assert len(list(tmp_path.rglob("*.parquet"))) == 1
    nf.write_snapshot(shrunk, tmp_path, force=True)
    small = sample_at("2026-08-03T00:00:00Z")
    nf.write_snapshot(small[small["id"].isin(ids.iloc[: len(ids) // 4])], tmp_path)  # vs latest
    assert len(list(tmp_path.rglob("*.parquet"))) == 3


# ---- 16, 17. inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1, "-5", "many", True])
def test_16_workload_token_counts_are_checked(bad):
    with pytest.raises(nf.ConfigError, match="input_tokens"):
        nf.Workload(input_tokens=bad)
    with pytest.raises(nf.ConfigError):
        nf.workload_cost(nf.load("sample"), output_tokens=bad)


def test_16_big_token_strings_are_exact_and_bad_times_are_config_errors():
    assert nf.Workload(cached_tokens="9007199254740993").cached_tokens == 2**53 + 1
    with pytest.raises(nf.ConfigError, match="snapshot_at"):
        nf.load("sample", snapshot_at="not a time")
    with pytest.raises(nf.ConfigError, match="snapshot_at"):
        nf.frame_from_payload({"data": []}, source_endpoint="paid", snapshot_at="2026-13-45")


@pytest.mark.parametrize(
    "argv",
    [
        ["rank", "--sample", "--top", "0"],
        ["rank", "--sample", "--top", "-3"],
        ["rank", "--sample", "--min-context", "-1"],
        ["rank", "--sample", "--min-context", "99999999999999999999999"],
        ["rank", "--sample", "--min-context", "1e400"],
        ["rank", "--sample", "--input-tokens", "nan"],
        ["rank", "--sample", "--output-tokens", "-5"],
        ["rank", "--sample", "--cached-tokens", "inf"],
        ["summary", "--timeout", "nan"],
        ["summary", "--timeout", "0"],
        ["summary", "--max-age", "-1"],
        ["summary", "--sample", "--source", "x"],
    ],
)
def test_17_bad_numbers_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        cli_logic(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error:" in err


def test_17_non_utf8_arguments_and_files_for_folders_are_one_line(tmp_path, capsys):
    bad = os.fsdecode(b"model-\xff")
    assert cli_logic(["history", str(tmp_path), "--model", bad]) == 2
    path = nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path)
    assert cli_logic(["history", path, "--model", "openai/gpt-5.2"]) == 1
    assert cli_logic(["diff", path]) == 1
    assert cli_logic(["diff", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 4
    assert "not valid UTF-8" in err and "does not exist" in err
    json.dumps(err)
