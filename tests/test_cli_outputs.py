"""What every command shows and writes (issue 17, "First hour"): one set of column names in
every format, hidden columns named in full, words kept whole, money read as money, machine
outputs at the frame's precision and types, and one-line errors for a typo or a wrong root."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame.cli import HANDLERS, cli_logic
from nanogpt_frame.cli.output import Layout, machine_frame, number_text, render, wrap_text
from tests.test_cli import command_lines

TABLES = sorted(set(HANDLERS) - {"summary", "snapshot"})  # one frame each (summary: several)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outputs")
    first = nf.load("sample", snapshot_at="2026-08-01T00:00:00Z")
    second = nf.load("sample", snapshot_at="2026-08-02T00:00:00Z")
    gpt = second["id"] == "openai/gpt-5.2"
    second.loc[gpt, "price_prompt"] = 3.5
    second.loc[gpt, "context_length"] = 500_000
    second.loc[gpt, "cap_vision"] = False
    nf.write_snapshot(first, folder)
    nf.write_snapshot(second, folder)
    return folder


def run(capsys, argv: list[str], fmt: str = "table") -> str:
    assert cli_logic([*argv, "--format", fmt]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def argv_for(command: str, root) -> list[str]:
    if command == "diff":
        return ["diff", str(root)]
    return command_lines(root)[command]


def header_names(lines: list[str]) -> list[str]:
    """A table's column names, joining headers wrapped after ``_`` onto the next lines."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", lines[0])]
    names = [t[2] for t in tokens]
    spans = [(t[0], t[1]) for t in tokens]
    for line in lines[1:]:
        if not any(n.endswith("_") for n in names):
            break
        for match in re.finditer(r"\S+", line):
            for i, (start, end) in enumerate(spans):
                lined_up = match.start() == start or match.end() == end
                if names[i].endswith("_") and lined_up:
                    names[i] += match.group()
                    spans[i] = (min(start, match.start()), max(end, match.end()))
    return names


def note_names(out: str) -> list[str]:
    """The hidden columns the last line(s) name; [] when nothing is hidden."""
    text = " ".join(out.strip().splitlines())
    found = re.search(r"\((\d+) more columns? with --format csv or json: ([^)]*)\)$", text)
    if not found:
        return []
    names = found.group(2).split(", ")
    assert len(names) == int(found.group(1))
    return names


def table_lines(command: str, out: str) -> list[str]:
    lines = out.splitlines()
    return lines[1:] if command == "diff" else lines  # diff names its two sides first


@pytest.mark.parametrize("command", TABLES)
def test_every_format_has_the_same_names_and_the_table_names_what_it_hid(
    command, root, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "80")
    argv = argv_for(command, root)
    table = run(capsys, argv)
    header = next(csv.reader(io.StringIO(run(capsys, argv, "csv"))))
    rows = json.loads(run(capsys, argv, "json"))
    assert list(rows[0]) == header, command
    shown, hidden = header_names(table_lines(command, table)), note_names(table)
    assert ELLIPSIS not in table.strip().splitlines()[-1]
    assert shown == [c for c in header if c in shown], f"{command}: {shown} not {header}"
    assert sorted(shown + hidden) == sorted(header), f"{command}:\n{table}"
    assert max(map(len, table.splitlines())) <= 80


ELLIPSIS = "…"


def test_split_names_the_columns_its_table_leaves_out(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    hidden = note_names(run(capsys, ["split", "--sample"]))
    assert "vision_share_subscription" in hidden and len(hidden) >= 8


def test_summary_tables_use_the_csv_and_json_names(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    table = run(capsys, ["summary", "--sample"])
    header = next(csv.reader(io.StringIO(run(capsys, ["summary", "--sample"], "csv"))))
    sections = json.loads(run(capsys, ["summary", "--sample"], "json"))
    blocks = table.split("\n\n")
    for block, (title, rows) in zip(blocks, sections.items(), strict=False):
        lines = block.strip().splitlines()
        assert lines[0] == title
        assert header_names(lines[2:]) == list(rows[0])
        assert set(rows[0]) <= set(header)


def test_quality_wraps_between_words_only(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = run(capsys, ["quality", "--sample"]).splitlines()
    start = lines[0].index("message")
    messages = [r["message"] for r in json.loads(run(capsys, ["quality", "--sample"], "json"))]
    rows: list[list[str]] = []
    for line in lines[1:]:
        if line.startswith("("):
            break
        if line[:1].strip():
            rows.append([])
        rows[-1].append(line[start:].rstrip())
    assert len(rows) == len(messages)
    for pieces, message in zip(rows, messages, strict=True):
        at = 0
        for piece in pieces:
            assert message.startswith(piece, at), (pieces, message)
            at += len(piece)
            if at < len(message):  # a break: at a space, or after / - _ ,
                assert message[at] == " " or message[at - 1] in "/-_,", (pieces, message)
                at += message[at] == " "
        assert at == len(message)


@given(st.lists(st.text("abc/-_, ", min_size=1, max_size=12), min_size=1, max_size=6))
def test_wrap_text_keeps_every_character_and_the_width(words):
    text = " ".join(" ".join(words).split())
    lines = wrap_text(text, 8)
    assert all(len(line) <= 8 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_money_reads_as_money():
    assert [number_text(v) for v in (0.025, 0.0275, 0.065625, 1312.5, 10.00025)] == [
        "0.025",
        "0.0275",
        "0.06563",
        "1312.5",
        "10.0003",
    ]
    assert number_text(0.10004925) == "0.1000"  # rounded: the zeros say so
    assert number_text(-0.0025000000000000577) == "-0.0025"  # binary noise is not a digit
    assert number_text(0.0000123) == "0.0000123" and "e" not in number_text(3e-5)
    assert number_text(12_345_678.0) == "12345678" and number_text(2e-9) == "2e-09"
    out = render(pd.DataFrame({"price": [0.025, 1312.5, 0.1003]}), "table", width=40)
    points = {line.index(".") for line in out.splitlines()[1:] if "." in line}
    assert len(points) == 1, out  # decimal points in line


def test_diff_change_is_a_percent_in_every_format(root, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    table = run(capsys, ["diff", str(root)])
    line = next(x for x in table.splitlines() if "price_prompt" in x)
    assert line.split()[-2] == "100", table  # 1.75 -> 3.5 is +100%
    rows = json.loads(run(capsys, ["diff", str(root)], "json"))
    by_field = {r["field"]: r for r in rows}
    assert by_field["price_prompt"]["change_%"] == 100
    assert by_field["context_length"]["change_%"] == 25
    assert by_field["context_length"]["old"] == 400_000  # a number, not "400000"
    assert isinstance(by_field["context_length"]["old"], int)
    assert by_field["price_prompt"]["new"] == 3.5
    assert by_field["cap_vision"]["old"] is True and by_field["cap_vision"]["new"] is False
    assert "openai/gpt-5.2,price_prompt,1.75,3.5,100.0,True" in run(
        capsys, ["diff", str(root)], "csv"
    )


NOISE = re.compile(r"\d\.\d*(0{6,}[1-9]|9{6,}\d)")


@pytest.mark.parametrize("command", sorted(HANDLERS))
def test_machine_outputs_carry_the_frames_precision_and_types(command, root, capsys, tmp_path):
    argv = argv_for(command, root)
    if command == "snapshot":
        argv = ["snapshot", "--sample", "--out", str(tmp_path / "out")]
    text = run(capsys, argv, "csv")
    assert not NOISE.search(text), NOISE.search(text)
    assert not re.search(r"(^|,)\d+\.0(,|$)", "\n".join(text.splitlines()[:1])), "header"
    data = json.loads(run(capsys, argv, "json"))
    rows = [r for rows in data.values() for r in rows] if command == "summary" else data
    if command == "snapshot":
        rows = [data["rows"]]
    for row in rows:
        for name, value in row.items():
            assert not isinstance(value, str) or not re.fullmatch(r"-?\d+(\.\d+)?", value), name
            if isinstance(value, float):
                assert float(f"{value:.15g}") == value, (name, value)
                if "cost" not in name:
                    assert float(f"{value:.9g}") == value, (name, value)


def test_counts_stay_integers_even_beside_unknown(capsys):
    text = run(capsys, ["summary", "--sample"], "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["models"] == "148" and rows[0]["distinct_ids"] == "148"
    coverage = next(r for r in rows if r["capability"] == "vision")
    assert coverage["yes"] == "66" and coverage["distinct_ids"] == ""
    sections = json.loads(run(capsys, ["summary", "--sample"], "json"))
    assert type(sections["capability coverage"][0]["yes"]) is int
    frame = pd.DataFrame({"n": pd.array([148, None], dtype="Int64"), "x": [0.1 + 0.2, None]})
    assert render(frame, "csv") == "n,x\n148,0.3\n,\n"
    assert json.loads(render(frame, "json")) == [{"n": 148, "x": 0.3}, {"n": None, "x": None}]


@settings(max_examples=200)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_machine_frame_rounds_prices_to_9_digits_and_costs_to_picodollars(x):
    out = machine_frame(pd.DataFrame({"price_prompt": [x], "list_cost": [x]}))
    assert out["price_prompt"].iloc[0] == float(f"{x:.9g}")
    cost = out["list_cost"].iloc[0]
    assert math.isclose(cost, round(x, 12), rel_tol=1e-14, abs_tol=1e-12)
    assert float(f"{cost:.15g}") == cost
    assert np.isnan(machine_frame(pd.DataFrame({"cost": [np.nan]}))["cost"].iloc[0])


def test_layout_headers_rename_in_every_format():
    df = pd.DataFrame({"price_prompt": [1.5], "id": ["a"]})
    layout = Layout(headers={"price_prompt": "prompt"}, drop=("prompt",))
    assert render(df, "csv", layout=layout).splitlines()[0] == "prompt,id"
    assert render(df, "table", layout=layout, width=40).split()[0] == "prompt"


# ---- errors a new user meets ------------------------------------------------------------------


def test_a_routes_model_typo_is_one_line_and_exit_1(capsys):
    with warnings.catch_warnings():  # as a user runs it: a warning is a warning, not an error
        warnings.simplefilter("default")
        assert cli_logic(["routes", "--sample", "--model", "no/such-model"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nanogpt-frame: error:")
    assert "no/such-model" in err and "Traceback" not in err


def test_cost_with_a_routes_root_as_history_is_a_clear_error(tmp_path, capsys):
    routes_root = tmp_path / "routes"
    assert cli_logic(["routes", "--sample", "--snapshot-out", str(routes_root)]) == 0
    capsys.readouterr()
    assert cli_logic(["cost", "--sample", "--history", str(routes_root)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "routes snapshots" in err and "--routes" in err


def test_an_unknown_distillation_status_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli_logic(["routes", "--sample", "--distillation", "maybe"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "'allowed', 'disallowed', 'unknown'" in err and "Traceback" not in err


def test_a_known_model_still_shows_its_routes(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        assert cli_logic(["routes", "--sample", "--model", "z-ai/glm-4.6"]) == 0
    assert "z-ai/glm-4.6" in capsys.readouterr().out


def test_notes_and_warnings_on_stderr_fit_80_columns(capsys, monkeypatch):
    """stderr lines were printed whole: a 168-character warning under `spend --sample`."""
    from nanogpt_frame.cli import cli_logic

    monkeypatch.setenv("COLUMNS", "80")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for argv in (["spend", "--sample"], ["media", "--sample", "--seconds", "30"]):
            assert cli_logic(argv) == 0
            err = capsys.readouterr().err
            assert err.startswith("nanogpt-frame: ")
            assert max(map(len, err.splitlines())) <= 80, err
