"""The package's layering, read from the source with ``ast``: imports point down only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nanogpt_frame"

#: Layer of each top-level part of the package; a module may import only lower layers (and its
#: own sub-package). ``api`` and ``history`` share a layer and must not import each other.
LAYERS = {
    "errors": 0,
    "_version": 0,
    "frame": 1,
    "analysis": 2,
    "api": 3,
    "history": 3,
    "loader": 4,
    "plots": 4,
    "routes": 5,  # load_routes composes the loader (for the catalog) with api and frame
    "usage": 6,  # cost_usage reads files, snapshots and routes, then prices (analysis)
    "cli": 7,
    "__main__": 8,
    "__init__": 8,
}


def _part(module: Path) -> str:
    rel = module.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(module: Path) -> list[tuple[int, str]]:
    """(line, top-level part of the package) for every intra-package import in ``module``."""
    rel = module.relative_to(PACKAGE).with_suffix("").parts
    package = list(rel[:-1])  # the folder the module is in (also for an __init__)
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
            if not parts:  # "from . import x" at the top: x is the part
                parts = [node.names[0].name]
            found.append((node.lineno, parts[0]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("nanogpt_frame."):
                    found.append((node.lineno, alias.name.split(".")[1]))
    return found


def _violations() -> list[str]:
    out = []
    for module in sorted(PACKAGE.rglob("*.py")):
        part = _part(module)
        assert part in LAYERS, f"{module} is in no layer; add it to LAYERS"
        for line, target in _imports(module):
            if target == part:
                continue
            if LAYERS.get(target, 99) >= LAYERS[part]:
                out.append(
                    f"{module.relative_to(PACKAGE)}:{line} imports {target} ({part} may not)"
                )
    return out


def test_imports_point_down_only():
    assert _violations() == []


def test_the_checker_catches_a_forbidden_import(tmp_path, monkeypatch):
    bad = PACKAGE / "frame" / "_layout_probe.py"
    bad.write_text("from ..api import fetch\n", "utf-8")
    try:
        assert any("_layout_probe" in v for v in _violations())
    finally:
        bad.unlink()


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


@pytest.mark.parametrize("heavy", ["httpx"])
def test_only_api_imports_httpx(heavy):
    users = {
        str(m.relative_to(PACKAGE))
        for m in PACKAGE.rglob("*.py")
        for node in _runtime_nodes(ast.parse(m.read_text("utf-8")))
        if (isinstance(node, ast.Import) and any(a.name.split(".")[0] == heavy for a in node.names))
        or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == heavy)
    }
    assert users and all(u.startswith("api/") for u in users), users


def test_the_tree_shows_the_wings():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    for wing in ("api", "frame", "analysis", "history", "cli"):
        init = PACKAGE / wing / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text("utf-8"))), f"{wing} needs a docstring"
    too_long = {
        str(m.relative_to(PACKAGE)): n
        for m in PACKAGE.rglob("*.py")
        if (n := len(m.read_text("utf-8").splitlines())) > 300
    }
    assert too_long == {}


def test_every_public_name_is_importable_from_the_package():
    import nanogpt_frame as nf

    missing = [name for name in nf.__all__ if not hasattr(nf, name)]
    assert missing == []
    assert {"Workload", "as_of", "listing_consistency"} <= set(nf.__all__)


def test_every_wing_is_packaged():
    """pyproject lists packages explicitly (the sample maps from data/): none may be missing."""
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text("utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    wings = {
        "nanogpt_frame"
        + ("." + ".".join(p.parent.relative_to(PACKAGE).parts) if p.parent != PACKAGE else "")
        for p in PACKAGE.rglob("__init__.py")
    }
    assert wings <= listed, sorted(wings - listed)


def test_every_sample_file_is_package_data():
    import fnmatch
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text("utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["nanogpt_frame._sample"]
    data = [p.name for p in (PACKAGE.parent / "data").iterdir() if p.is_file()]
    assert [n for n in data if not any(fnmatch.fnmatch(n, g) for g in globs)] == []
