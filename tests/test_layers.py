"""The architecture is the layering: imports point downwards only.

import-linter (``make contracts``) checks transitive imports of the packages; this test reads
every source file, including the app pages import-linter does not see, and names the offending
line.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# layer -> (files, modules it may not import)
STORAGE_AND_APP = ("streamlit", "sqlalchemy", "alembic", "psycopg", "survey")
RULES = {
    "scoring": (sorted((ROOT / "scoring").rglob("*.py")), STORAGE_AND_APP),
    "survey": (sorted((ROOT / "survey").rglob("*.py")), ("streamlit",)),
}
# scoring may read the instrument model, a plain pydantic module with no project imports.
ALLOWED = {"scoring": {"survey.instrument"}}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations(layer: str) -> list[str]:
    files, forbidden = RULES[layer]
    out = []
    for path in files:
        for line, module in imported_modules(path):
            if module in ALLOWED.get(layer, set()):
                continue
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                out.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return out


def test_scoring_imports_neither_storage_nor_the_app() -> None:
    assert violations("scoring") == []


def test_survey_never_imports_streamlit() -> None:
    assert violations("survey") == []


def test_the_instrument_model_imports_nothing_from_the_project() -> None:
    modules = [m for _, m in imported_modules(ROOT / "survey" / "instrument.py")]
    assert not [m for m in modules if m.split(".")[0] in ("survey", "scoring")]


def test_pages_only_call_survey_and_scoring() -> None:
    allowed_roots = {
        "survey",
        "scoring",
        "streamlit",
        "altair",
        "pandas",
        "numpy",
        "datetime",
        "__future__",
        "typing",
        "html",
        "json",
        "io",
        "os",
        "pathlib",
        "urllib",
        "collections",
        "dataclasses",
        "functools",
        "time",
        "app_pages",
    }
    pages = [
        ROOT / "streamlit_app.py",
        *sorted(ROOT.glob("app_pages/*.py")),
        *sorted(ROOT.glob("pages/*.py")),
    ]
    bad = [
        f"{page.relative_to(ROOT)}:{line} imports {module}"
        for page in pages
        for line, module in imported_modules(page)
        if module.split(".")[0] not in allowed_roots
        or module.startswith(("survey.storage.models", "sqlalchemy"))
    ]
    assert bad == []


def test_the_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom survey.storage import open_store\n")
    assert imported_modules(bad) == [(1, "os"), (2, "survey.storage")]
