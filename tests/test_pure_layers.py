"""The core layers stay free of Qt, and networkx stays inside iam_desktop.graph."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "iam_desktop"
PURE_MODULES = (
    "iam_desktop.policy",
    "iam_desktop.model",
    "iam_desktop.graph",
    "iam_desktop.formats",
    "iam_desktop.catalog",
    "iam_desktop.cli",
    "iam_desktop.paths",
)


def _imported_top_level_packages(source: Path) -> set[str]:
    """Every top-level package a module imports, wherever the import statement sits."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _sources() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


@pytest.mark.parametrize("module", PURE_MODULES)
def test_importing_a_core_module_does_not_load_qt(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(loaded)\n"
        "sys.exit(3 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PACKAGE_DIR.parent, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 3, f"importing {module} loaded Qt: {result.stdout}"
    assert result.returncode == 0, f"importing {module} failed: {result.stderr[-2000:]}"


def test_sources_are_found() -> None:
    assert len(_sources()) > 10


def test_networkx_is_imported_only_by_the_graph_package() -> None:
    offenders = [
        str(source.relative_to(PACKAGE_DIR))
        for source in _sources()
        if "networkx" in _imported_top_level_packages(source) and source.relative_to(PACKAGE_DIR).parts[0] != "graph"
    ]
    assert offenders == []


def test_qt_is_imported_only_by_the_gui_and_the_entry_point() -> None:
    allowed_roots = {"gui", "__main__.py"}
    offenders = [
        str(source.relative_to(PACKAGE_DIR))
        for source in _sources()
        if _imported_top_level_packages(source) & {"PySide6", "shiboken6"}
        and source.relative_to(PACKAGE_DIR).parts[0] not in allowed_roots
    ]
    assert offenders == []


def test_the_import_scan_sees_networkx(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import networkx.algorithms as nxa\n    from networkx import DiGraph\n")
    assert _imported_top_level_packages(sample) == {"networkx"}
