"""The architecture is the layering: imports point downwards only.

The order is declared once, in the import-linter ``layers`` contract of ``pyproject.toml``
(``make contracts`` checks it, transitively). This test reads the same list and checks the
direct imports of every source file, ``streamlit_app.py`` included (import-linter sees only
packages), naming the offending line. There is no allow-list.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("survey", "scoring", "app_pages")


def declared_layers() -> list[list[str]]:
    """The layers contract, top first: each layer a list of independent sibling modules."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def place(module: str, layers: list[list[str]]) -> tuple[int, str] | None:
    """(layer index, sibling) of a module, or None when it is in no layer."""
    for index, siblings in enumerate(layers):
        for sibling in siblings:
            if module == sibling or module.startswith(sibling + "."):
                return index, sibling
    return None


def imported_modules(path: Path, name: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the file of module ``name``, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from survey import settings` imports the module survey.settings
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def violations(files: list[tuple[Path, str]], layers: list[list[str]]) -> list[str]:
    """Every import of the (file, module name) pairs that points up or sideways."""
    out = []
    for path, name in files:
        here = place(name, layers)
        shown = (
            path.name
            if path.parent == ROOT or not path.is_relative_to(ROOT)
            else path.relative_to(ROOT)
        )
        for line, module in imported_modules(path, name):
            if module.split(".")[0] == "streamlit" and name.startswith("survey"):
                out.append(f"{shown}:{line} imports {module} (survey never does)")
            there = place(module, layers)
            if here is None or there is None:
                continue
            if there[0] < here[0] or (there[0] == here[0] and there[1] != here[1]):
                out.append(f"{shown}:{line} imports {module}: {here[1]} may not import {there[1]}")
    return out


def source_files() -> list[tuple[Path, str]]:
    """Every source file with its module name; the app's entry file counts as a page."""
    files = [(ROOT / "streamlit_app.py", "app_pages.streamlit_app")]
    for package in PACKAGES:
        files += [(path, module_name(path)) for path in sorted((ROOT / package).rglob("*.py"))]
    return files


def test_every_module_is_in_a_layer() -> None:
    layers = declared_layers()
    roots = {"survey", "scoring", "app_pages"}
    outside = [name for _, name in source_files() if name not in roots and not place(name, layers)]
    assert outside == []


def test_imports_point_downwards_only() -> None:
    assert violations(source_files(), declared_layers()) == []


def test_the_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text(
        "import os\nfrom survey.storage import open_store\nfrom survey import settings\n"
        "from ..instrument import model\n"
    )
    found = violations([(bad, "scoring.probe")], declared_layers())
    assert found == [
        "probe.py:2 imports survey.storage: scoring may not import survey.storage",
        "probe.py:2 imports survey.storage.open_store: scoring may not import survey.storage",
    ]
    services = violations([(bad, "survey.services.probe")], declared_layers())
    assert services == []
    sideways = violations([(bad, "survey.exports.probe")], declared_layers())
    assert sideways == [
        "probe.py:2 imports survey.storage: survey.exports may not import survey.storage",
        "probe.py:2 imports survey.storage.open_store: "
        "survey.exports may not import survey.storage",
    ]


def test_survey_never_imports_streamlit(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import streamlit as st\n")
    found = violations([(probe, "survey.services.probe")], declared_layers())
    assert found == ["probe.py:1 imports streamlit (survey never does)"]
