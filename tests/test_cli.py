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


# ---- every command, every format -------------------------------------------------------------

from pathlib import Path  # noqa: E402

import nanogpt_frame as nf  # noqa: E402
from nanogpt_frame.cli import FORMATS, HANDLERS, build_parser  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def snapshot_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("snapshots")
    nf.write_snapshot(nf.load("sample", snapshot_at="2026-08-01T00:00:00Z"), root)
    return root


def command_lines(root: Path) -> dict[str, list[str]]:
    return {
        "summary": ["summary", "--sample"],
        "rank": [
            "rank",
            "--sample",
            "--require",
            "vision",
            "--min-context",
            "100000",
            "--top",
            "3",
        ],
        "split": ["split", "--sample"],
        "quality": ["quality", "--sample"],
        "snapshot": ["snapshot", "--sample", "--out", str(root / "new")],
        "diff": ["diff", str(root), "--sample"],
        "history": ["history", str(root), "--model", "openai/gpt-5.2", "--sample"],
        "routes": ["routes", "--sample", "--distillation", "allowed"],
        "cost": ["cost", "--sample", "--freq", "W"],
        "media": ["media", "--sample", "--feed", "image", "--resolution", "1024x1024"],
        "periods": ["periods", str(root)],
        "spend": ["spend", "--sample"],
        "reconcile": ["reconcile", "--sample"],
    }


def test_every_command_is_tested_here(snapshot_root):
    assert set(command_lines(snapshot_root)) == set(HANDLERS)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", sorted(HANDLERS))
def test_every_command_with_sample_and_each_format(command, fmt, snapshot_root, capsys, tmp_path):
    argv = command_lines(snapshot_root)[command]
    if command == "snapshot":
        argv = ["snapshot", "--sample", "--out", str(tmp_path / "out")]
    assert cli_logic([*argv, "--format", fmt]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.strip()
    if fmt == "json":
        json.loads(out)
    if fmt == "csv" and command != "summary":
        assert "," in out.splitlines()[0]


def test_rank_with_a_workload(capsys):
    argv = ["rank", "--sample", "--input-tokens", "2e6", "--output-tokens", "5e5",
            "--cached-tokens", "1e6", "--format", "json", "--top", "2"]  # fmt: skip
    assert cli_logic(argv) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and rows[0]["workload_cost_usd"] <= rows[1]["workload_cost_usd"]


def test_every_command_has_help_with_an_example_and_is_in_the_readme(capsys):
    readme = README.read_text()
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    assert set(commands) == set(HANDLERS)
    for name, sub in commands.items():
        text = sub.format_help()
        assert "Example: nanogpt-frame " + name in text, name
        assert "--format" in text and "--sample" in text, name
        assert f"| `{name}` |" in readme, f"command {name!r} is not documented in README.md"


def test_top_level_help_does_not_import_pandas():
    code = (
        "import sys; from nanogpt_frame.cli import cli_logic\n"
        "try:\n    cli_logic(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('pandas' in sys.modules, 'httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"


def test_unknown_model_and_missing_snapshot_are_one_line(capsys, tmp_path):
    assert cli_logic(["history", "--sample", "--model", "no/such-model"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert cli_logic(["diff", str(tmp_path / "nothing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nanogpt-frame: error:") and err.count("\n") == 1


# ---- sources: one rule for every command ---------------------------------------------------------


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nanogpt-frame: error:"), err
    assert "Traceback" not in err
    return err


def test_a_day_folder_as_source_works_for_load_routes_and_cost(tmp_path, capsys):
    models, routes = tmp_path / "models", tmp_path / "routes"
    nf.write_snapshot(nf.load("sample", snapshot_at="2026-08-01T00:00:00Z"), models)
    nf.write_snapshot(nf.load_routes(source="sample", snapshot_at="2026-08-01T00:00:00Z"), routes)
    models_day, routes_day = (root / "snapshot_date=2026-08-01" for root in (models, routes))
    from nanogpt_frame.sample import sample_dir

    usage_csv = str(sample_dir() / "usage.csv")
    for argv in (
        ["summary", "--source", str(models_day)],
        ["rank", "--source", str(models_day), "--top", "3"],
        ["history", str(models_day), "--model", "openai/gpt-5.2"],
        ["diff", str(models_day), "--sample"],
        ["routes", "--source", str(routes_day)],
        ["cost", usage_csv, "--history", str(models_day)],
        ["cost", usage_csv, "--source", str(models_day), "--routes", str(routes_day)],
    ):
        assert cli_logic([*argv, "--format", "json"]) == 0, capsys.readouterr().err
        json.loads(capsys.readouterr().out)


def test_snapshots_of_the_wrong_table_or_none_are_one_line(tmp_path, capsys):
    models, routes, empty = tmp_path / "models", tmp_path / "routes", tmp_path / "empty"
    nf.write_snapshot(nf.load("sample", snapshot_at="2026-08-01T00:00:00Z"), models)
    nf.write_snapshot(nf.load_routes(source="sample"), routes)
    empty.mkdir()
    cases = {
        ("summary", "--source", str(routes)): "holds routes snapshots",
        ("history", str(routes), "--model", "x"): "holds routes snapshots",
        ("routes", "--source", str(models)): "holds models snapshots",
        ("cost", "--sample", "--history", str(routes)): "holds routes snapshots",
        ("cost", "--sample", "--routes", str(models)): "holds models snapshots",
        ("cost", "--sample", "--history", str(empty)): "holds no models snapshots yet",
        ("summary", "--source", str(empty)): "holds no snapshots yet",
    }
    for argv, words in cases.items():
        assert cli_logic(list(argv)) == 1, argv
        assert words in one_error_line(capsys), argv
