"""Every notebook runs top to bottom on the bundled sample, offline, in a real kernel; every
committed ``.ipynb`` is in sync with its ``.py`` and carries current outputs with its plots.

Notebooks are pairs (jupytext ``ipynb,py:percent``): the ``.py`` is the reviewed source, the
``.ipynb`` what JupyterLab and GitHub show. ``tools/run_notebooks.py`` rewrites the ``.ipynb``;
these tests fail when a pair drifts or its outputs are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from run_notebooks import execute, sources  # noqa: E402

NOTEBOOKS = sources()
REBUILD = "run `python tools/run_notebooks.py` and commit the .ipynb"


def images(notebook) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def cells(notebook) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in notebook.cells]


def shown_text(notebook) -> list[str]:
    """What a reader sees, but the pictures (PNG bytes can differ between font builds)."""
    out = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = {k: v for k, v in output.get("data", {}).items() if k != "image/png"}
            out.append(json.dumps([output.get("output_type"), output.get("text"), data],
                                  sort_keys=True))  # fmt: skip
    return out


def test_there_are_numbered_notebooks_each_paired():
    assert [p.stem[:2] for p in NOTEBOOKS][:5] == ["01", "02", "03", "04", "05"]
    for path in NOTEBOOKS:
        assert "formats: ipynb,py:percent" in path.read_text(), path.name
        assert path.with_suffix(".ipynb").is_file(), f"{path.name}: no .ipynb; {REBUILD}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_pair_is_in_sync_and_has_its_plots(path):
    source = jupytext.read(path)
    committed = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    assert cells(committed) == cells(source), f"{path.name} and its .ipynb differ; {REBUILD}"
    assert committed.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert images(committed) >= 1, f"{path.name}: the committed notebook has no plot"
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), f"{path.name}: not executed; {REBUILD}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_offline_draws_tidies_up_and_matches_its_outputs(path, tmp_path):
    assert 'SOURCE = "sample"  # <- switch to "live"' in path.read_text()  # the one marked line
    notebook = execute(jupytext.read(path), tmp_path)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert images(notebook) >= 1, f"{path.name} produced no image output"
    assert list((tmp_path / "tmp").iterdir()) == [], f"{path.name} left temporary files"
    committed = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    assert shown_text(notebook) == shown_text(committed), f"stale outputs; {REBUILD}"


def test_a_drifted_pair_is_caught(tmp_path):
    path = NOTEBOOKS[0]
    source = jupytext.read(path)
    committed = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    committed.cells[1].source += "\nprint('edited in JupyterLab only')"
    assert cells(committed) != cells(source)


def test_a_notebook_that_goes_live_fails_fast(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("import nanogpt_frame as nf\nnf.load('live')"))
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="FetchError"):
        execute(notebook, tmp_path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_opens_clean_in_jupyterlab(path):
    """The installed kernel's own kernelspec (no unsaved marker on open) and execution counts
    1, 2, 3, ... in cell order, the outputs' counts matching their cells."""
    committed = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    assert dict(committed.metadata["kernelspec"]) == {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }, f"{path.name}: {REBUILD}"
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), path.name
    for cell in code:
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                assert output["execution_count"] == cell.execution_count, path.name


def test_notebook_04_adds_the_new_model_its_text_promises():
    path = next(p for p in NOTEBOOKS if p.name.startswith("04"))
    text = path.read_text()
    assert "a new model `openai/gpt-5.2-mini`" in text
    committed = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    shown = " ".join(
        json.dumps(o.get("data", {})) for c in committed.cells for o in c.get("outputs", [])
    )
    assert "added" in shown and "openai/gpt-5.2-mini" in shown, "the diff shows no added model"
