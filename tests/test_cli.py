"""The command line, called in-process through cli_logic (and once as a real process)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nanogpt_frame.cli import cli_logic


def test_summary_on_the_sample(capsys):
    assert cli_logic(["summary", "--sample"]) == 0
    out = capsys.readouterr().out
    for heading in ("models per listing", "capability coverage", "prices (USD per 1M tokens)"):
        assert heading in out
    assert "canonical" in out and "subscription" in out and "paid" in out


def test_summary_json_is_parseable(capsys):
    assert cli_logic(["summary", "--sample", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {row["listing"] for row in data["models per listing"]} == {
        "canonical", "subscription", "paid"}  # fmt: skip


def test_summary_without_network_is_one_clear_line(capsys, monkeypatch):
    monkeypatch.setenv("NANOGPT_BASE_URL", "http://127.0.0.1:9/api")  # nothing listens there
    assert cli_logic(["summary", "--max-age", "0"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nanogpt-frame: error:")
    assert "--sample" in lines[0] and "Traceback" not in captured.err


def test_module_entry_point_runs(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "nanogpt_frame", "summary", "--sample", "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert "capability" in out.stdout


def test_bad_source_file_is_one_line(capsys, tmp_path):
    bad = tmp_path / "canonical.json"
    bad.write_text("<html>")
    assert cli_logic(["summary", "--source", str(bad)]) == 1
    assert "HTML page" in capsys.readouterr().err


def test_usage_error_exits_2():
    with pytest.raises(SystemExit) as info:
        cli_logic(["summary", "--format", "xml"])
    assert info.value.code == 2
