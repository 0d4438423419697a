"""Every notebook runs top to bottom on the bundled sample, offline, in a real kernel.

Notebooks are kept as jupytext ``py:percent`` files (readable diffs); here each is turned into a
notebook and executed with nbclient. The kernel gets a base URL on a closed loopback port and a
socket guard, so a notebook that silently goes live fails at once instead of passing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9]*.py"))

GUARD = """
import socket
_real_connect = socket.socket.connect
def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not host.startswith(("127.", "::1", "localhost")) and "/" not in host:
        raise OSError(f"network disabled while testing notebooks: {address!r}")
    return _real_connect(self, address)
socket.socket.connect = _loopback_only
"""


def run(notebook, folder: Path):
    notebook.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    env = {
        **os.environ,
        "NANOGPT_BASE_URL": "http://127.0.0.1:9/api",  # nothing listens: live calls fail fast
        "NANOGPT_FRAME_CACHE_DIR": str(folder / "cache"),
        # Headless and Agg-rendered, but still hands the figures to the notebook as PNGs.
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    env.pop("NANOGPT_API_KEY", None)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute(env=env)
    return notebook


def images(notebook) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def test_there_are_five_numbered_notebooks():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_offline_and_draws(path, tmp_path):
    text = path.read_text()
    assert 'SOURCE = "sample"  # <- switch to "live"' in text  # the one marked line
    notebook = run(jupytext.read(path), tmp_path)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert images(notebook) >= 1, f"{path.name} produced no image output"


def test_a_notebook_that_goes_live_fails_fast(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("import nanogpt_frame as nf\nnf.load('live')"))
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="FetchError"):
        run(notebook, tmp_path)
