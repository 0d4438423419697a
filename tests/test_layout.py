"""The package's layout, read from the source with ``ast``: one entity per folder, imports point
down the table of ``SPEC.md`` ("Package layout (schema 3)"), one transport."""

from __future__ import annotations

import ast
import subprocess
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "nanogpt_frame"

#: The bottom modules: they import nothing of the package but each other as listed.
BOTTOM = {"errors", "schema", "settings", "_version", "values", "fileio", "sample"}
#: What each part may import besides itself and the bottom modules (the SPEC's table).
MAY_IMPORT: dict[str, set[str]] = {
    "errors": set(),
    "_version": set(),
    "values": set(),
    "schema": {"errors"},
    "settings": {"errors"},
    "fileio": {"errors"},
    "sample": {"errors"},
    "_http": set(BOTTOM),
    "snapshots": set(BOTTOM),
    "analysis": set(BOTTOM),
    "catalog": {*BOTTOM, "_http", "snapshots"},
    "routes": {*BOTTOM, "_http", "catalog", "snapshots"},
    "media": {*BOTTOM, "_http", "snapshots"},
    "account": {*BOTTOM, "_http"},
    "usage": {*BOTTOM, "analysis", "snapshots", "catalog", "routes"},
    "plots": {*BOTTOM, "analysis", "catalog", "routes", "media", "account", "snapshots", "usage"},
}
MAY_IMPORT["cli"] = {*MAY_IMPORT["plots"], "plots"}
MAY_IMPORT["__main__"] = {"cli"}
MAY_IMPORT["__init__"] = set(MAY_IMPORT) - {"__init__"}
#: The SPEC's folders that must exist with a docstring (media and account join with their issues).
FOLDERS = (
    "_http",
    "catalog",
    "routes",
    "snapshots",
    "analysis",
    "usage",
    "plots",
    "cli",
    "media",
    "account",
)


def _part(module: Path) -> str:
    rel = module.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(module: Path) -> list[tuple[int, str, list[str]]]:
    """(line, top-level part, imported names) for every intra-package import in ``module``."""
    rel = module.relative_to(PACKAGE).with_suffix("").parts
    package = list(rel[:-1])
    found = []
    for node in ast.walk(ast.parse(module.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not (node.module or "").startswith("nanogpt_frame"):
                    continue
                parts = node.module.split(".")[1:]
            else:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                parts = [*base, *((node.module or "").split(".") if node.module else [])]
            names = [a.name for a in node.names]
            if not parts:  # "from nanogpt_frame import x": x is the part
                parts = [names[0]]
            found.append((node.lineno, parts[0], [*parts[1:], *names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("nanogpt_frame."):
                    bits = alias.name.split(".")[1:]
                    found.append((node.lineno, bits[0], bits[1:]))
    return found


def _violations(package: Path = PACKAGE) -> list[str]:
    out = []
    for module in sorted(package.rglob("*.py")):
        part = _part(module)
        assert part in MAY_IMPORT, f"{module} is in no row of the layout table; add it"
        for line, target, names in _imports(module):
            where = f"{module.relative_to(PACKAGE)}:{line}"
            if target != part and target not in MAY_IMPORT[part]:
                out.append(f"{where} imports {target} ({part} may not)")
            if target != part and part != "__init__":
                private = [n for n in names if n.startswith("_") and n != "__version__"]
                if private and target != "_version":
                    out.append(f"{where} imports private {private} from another folder")
    return out


def test_imports_follow_the_layout_table():
    assert _violations() == []


@pytest.mark.parametrize(
    ("folder", "source", "expected"),
    [
        ("analysis", "from nanogpt_frame.snapshots.read import read_snapshots\n", "may not"),
        ("_http", "from nanogpt_frame.catalog import flatten\n", "may not"),
        ("routes", "from nanogpt_frame.catalog.flatten import _private\n", "private"),
        ("snapshots", "from ..analysis import diff\n", "may not"),
    ],
)
def test_the_checker_catches_a_forbidden_import(folder, source, expected):
    probe = PACKAGE / folder / "_layout_probe.py"
    probe.write_text(source, "utf-8")
    try:
        assert any("_layout_probe" in v and expected in v for v in _violations())
    finally:
        probe.unlink()


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def test_only_the_transport_imports_httpx():
    users = {
        str(m.relative_to(PACKAGE))
        for m in PACKAGE.rglob("*.py")
        for node in _runtime_nodes(ast.parse(m.read_text("utf-8")))
        if (
            isinstance(node, ast.Import)
            and any(a.name.split(".")[0] == "httpx" for a in node.names)
        )
        or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "httpx")
    }
    assert users and all(u.startswith("_http/") for u in users), users


def test_the_tree_shows_the_entities():
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert set(top) == BOTTOM | {"__init__", "__main__"}, top
    for folder in FOLDERS:
        init = PACKAGE / folder / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text("utf-8"))), f"{folder} needs a docstring"
    names = Counter(p.name for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")
    assert [n for n, count in names.items() if count > 1] == []


def test_no_package_file_is_ignored_by_git():
    tracked = subprocess.run(
        ["git", "ls-files", "-co", "--", "nanogpt_frame"], cwd=ROOT, capture_output=True, text=True
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    probe = ["nanogpt_frame/history/x.py", "nanogpt_frame/snapshots/new.py", "nanogpt_frame/x.py"]
    paths = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*") if "__pycache__" not in p.parts]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths, *probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == []


def test_dir_lists_exactly_all_and_every_name_imports():
    import nanogpt_frame as nf

    assert dir(nf) == sorted(nf.__all__)
    assert len(set(nf.__all__)) == len(nf.__all__)
    missing = [name for name in nf.__all__ if not hasattr(nf, name)]
    assert missing == []
    assert {"Workload", "as_of", "listing_consistency", "read_usage", "catalog_summary"} <= set(
        nf.__all__
    )


def test_the_wheel_ships_py_typed():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert (PACKAGE / "py.typed").is_file()
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["nanogpt_frame"]


def test_every_folder_is_packaged():
    """pyproject lists packages explicitly (the sample maps from data/): none may be missing."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {
        "nanogpt_frame"
        + ("." + ".".join(p.parent.relative_to(PACKAGE).parts) if p.parent != PACKAGE else "")
        for p in PACKAGE.rglob("__init__.py")
    }
    assert folders <= listed, sorted(folders - listed)


def test_every_sample_file_is_package_data():
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["nanogpt_frame._sample"]
    data = [
        p.relative_to(ROOT / "data").as_posix() for p in (ROOT / "data").rglob("*") if p.is_file()
    ]
    assert [n for n in data if not any(fnmatch.fnmatch(n, g) for g in globs)] == []


def test_old_environment_names_still_work_with_a_warning(monkeypatch, tmp_path):
    from nanogpt_frame.settings import default_cache_dir

    monkeypatch.delenv("NANOGPT_CACHE_DIR", raising=False)
    monkeypatch.setenv("NANOGPT_FRAME_CACHE_DIR", str(tmp_path / "old"))
    with pytest.warns(DeprecationWarning, match="NANOGPT_CACHE_DIR"):
        assert default_cache_dir() == tmp_path / "old"
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(tmp_path / "new"))
    assert default_cache_dir() == tmp_path / "new"  # the new name wins, no warning


def test_the_cache_folder_comes_from_platformdirs(monkeypatch):
    from platformdirs import user_cache_dir

    from nanogpt_frame.settings import default_cache_dir

    monkeypatch.delenv("NANOGPT_CACHE_DIR", raising=False)
    monkeypatch.delenv("NANOGPT_FRAME_CACHE_DIR", raising=False)
    assert default_cache_dir() == Path(user_cache_dir("nanogpt-frame", appauthor=False))
