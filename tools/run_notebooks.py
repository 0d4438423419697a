"""Execute every notebook offline and write its ``.ipynb`` with outputs (paired with the ``.py``).

The ``.py`` files (jupytext ``py:percent``) are the source; each ``.ipynb`` is the same notebook
with its outputs, so JupyterLab opens it as a notebook and GitHub shows the pictures. Run this
after changing a notebook or anything it shows:

    python tools/run_notebooks.py            # every notebook
    python tools/run_notebooks.py 04         # the ones whose name starts with 04

The kernel runs with the network failing fast, a fresh cache folder and its own temporary
folder; outputs are deterministic (the sample's date as ``snapshot_at``, no timings, no paths).
``tests/test_notebooks.py`` uses the same ``execute`` and checks every pair is in sync.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: What JupyterLab's installed kernel calls itself: any other display name opens the notebook
#: with the unsaved marker (JupyterLab rewrites the metadata on open).
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

GUARD = """\
import socket
_real_connect = socket.socket.connect
def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    local = ("127.", "::1", "localhost")
    if isinstance(host, str) and not host.startswith(local) and "/" not in host:
        raise OSError(f"network disabled while running notebooks: {address!r}")
    return _real_connect(self, address)
socket.socket.connect = _loopback_only
"""


def sources() -> list[Path]:
    """The notebook sources, in order (``notebooks/NN_*.py``)."""
    return sorted(NOTEBOOKS.glob("[0-9]*.py"))


def execute(notebook, folder: Path, *, guard: bool = True):
    """Run ``notebook`` (an nbformat node) in a fresh kernel in ``notebooks/``, offline.

    ``folder`` receives the kernel's cache and temporary files; it is left empty by a notebook
    that tidies up after itself.
    """
    import nbclient
    import nbformat

    if guard:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    temp = folder / "tmp"
    temp.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "NANOGPT_BASE_URL": "http://127.0.0.1:9/api",  # nothing listens: live calls fail fast
        "NANOGPT_CACHE_DIR": str(folder / "cache"),
        "TMPDIR": str(temp),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # Headless and Agg-rendered, but still hands the figures to the notebook as PNGs.
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    env.pop("NANOGPT_API_KEY", None)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute(env=env)
    if guard:
        notebook.cells.pop(0)
    return tidy(notebook)


def tidy(notebook):
    """The kernelspec JupyterLab expects, and execution counts 1, 2, 3, ... (the offline guard
    ran first and took a number; a reader sees their cells numbered from 1)."""
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    for number, cell in enumerate(code, start=1):
        cell["execution_count"] = number
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = number
    return notebook


def build(path: Path, folder: Path) -> Path:
    """Execute the notebook source ``path`` and write its paired ``.ipynb``; return that path."""
    import jupytext

    notebook = execute(jupytext.read(path), folder)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    if errors:
        raise RuntimeError(f"{path.name}: {errors[0].ename}: {errors[0].evalue}")
    for number, cell in enumerate(notebook.cells):  # stable ids: no churn between runs
        cell["id"] = f"{path.stem[:2]}-{number:02d}"
        cell.metadata.pop("execution", None)
    target = path.with_suffix(".ipynb")
    jupytext.write(notebook, target, fmt="ipynb")
    return target


def main(argv: list[str]) -> int:
    chosen = [p for p in sources() if not argv or any(p.name.startswith(a) for a in argv)]
    for path in chosen:
        with tempfile.TemporaryDirectory() as folder:
            target = build(path, Path(folder))
        print(f"wrote {target.relative_to(NOTEBOOKS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
