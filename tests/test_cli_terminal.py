"""The command line as a new user meets it: 80 columns, one table per CSV, exact JSON, clear
messages (issue 11)."""

from __future__ import annotations

import csv
import io
import json

import pytest

import nanogpt_frame as nf
from nanogpt_frame.cli import HANDLERS, build_parser, cli_logic
from tests.test_cli import command_lines


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory):
    root = tmp_path_factory.mktemp("two")
    first = nf.load("sample", snapshot_at="2026-08-01T00:00:00.123456Z")
    second = nf.load("sample", snapshot_at="2026-08-02T00:00:00Z")
    second.loc[second["id"] == "openai/gpt-5.2", "price_prompt"] = 3.5
    paths = [nf.write_snapshot(first, root), nf.write_snapshot(second, root)]
    return root, paths


@pytest.mark.parametrize("command", sorted(HANDLERS))
def test_every_table_fits_80_columns(command, two_snapshots, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COLUMNS", "80")
    root, _ = two_snapshots
    argv = command_lines(root)[command]
    if command == "snapshot":
        argv = ["snapshot", "--sample", "--out", str(tmp_path / "out")]
    assert cli_logic(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    widest = max(map(len, out.splitlines()))
    assert widest <= 80, f"{command}: {widest} columns\n{out}"


def test_narrow_tables_say_what_they_hid_and_csv_keeps_everything(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")
    assert cli_logic(["rank", "--sample", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert max(map(len, out.splitlines())) <= 50 and "--format csv" in out
    assert cli_logic(["rank", "--sample", "--top", "3", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "owned_by" in header and "context_length" in header


def test_help_wraps_to_the_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for name in HANDLERS:
        with pytest.raises(SystemExit):
            cli_logic([name, "--help"])
        text = capsys.readouterr().out
        assert max(map(len, text.splitlines())) <= 80, name


def test_diff_of_two_files_and_of_one_file(two_snapshots, capsys):
    _, (old, new) = two_snapshots
    assert cli_logic(["diff", old, new, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "openai/gpt-5.2,price_prompt,1.75,3.5" in out
    assert cli_logic(["diff", old]) == 1
    err = capsys.readouterr().err
    assert "one snapshot file" in err and "Traceback" not in err


def test_any_token_count_alone_ranks_by_the_workload(capsys):
    for option in ("--output-tokens", "--cached-tokens", "--input-tokens"):
        assert cli_logic(["rank", "--sample", option, "1000000", "--format", "json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert "workload_cost_usd" in rows[0], option


def test_summary_csv_is_one_table(capsys):
    assert cli_logic(["summary", "--sample", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][0] == "section" and len({len(r) for r in rows}) == 1
    assert {r[0] for r in rows[1:]} >= {"models per listing", "capability coverage"}


def test_sample_and_source_together_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli_logic(["summary", "--sample", "--source", "x"])
    assert info.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_help_names_defaults_and_options():
    helps = {
        name: sub.format_help()
        for name, sub in build_parser()._subparsers._group_actions[0].choices.items()
    }
    assert "nanogpt-snapshots" in helps["snapshot"] and "--force" in helps["snapshot"]
    assert "--live" in helps["diff"]


def test_json_keeps_slashes_and_microseconds(two_snapshots, capsys):
    root, _ = two_snapshots
    assert cli_logic(["rank", "--sample", "--top", "50", "--format", "json"]) == 0
    raw = capsys.readouterr().out
    assert "\\/" not in raw and "/" in raw
    argv = ["history", str(root), "--model", "openai/gpt-5.2", "--format", "json"]
    assert cli_logic(argv) == 0
    first = json.loads(capsys.readouterr().out)[0]
    assert first["valid_from"] == "2026-08-01T00:00:00.123456+00:00"
    assert cli_logic([*argv[:-2], "--format", "csv"]) == 0
    assert "2026-08-01 00:00:00.123456+00:00" in capsys.readouterr().out


def test_messages_say_missing_empty_and_name_the_command(tmp_path, capsys):
    assert cli_logic(["diff", str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert cli_logic(["diff", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "holds no snapshots yet" in err and "nanogpt-frame snapshot --out" in err
    assert "write_snapshot(" not in err
    assert cli_logic(["history", str(tmp_path / "nowhere"), "--model", "x"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_history_table_is_short_and_json_full(two_snapshots, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    root, _ = two_snapshots
    assert cli_logic(["history", str(root), "--model", "openai/gpt-5.2"]) == 0
    out = capsys.readouterr().out
    assert "2026-08-01 00:00" in out and max(map(len, out.splitlines())) <= 80
