"""Documentation is checked against the code (as datasette's test_docs does): one declarative
list feeds both behaviour and docs, and a command, setting, error code or instrument that is not
documented fails the suite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from survey.cli.main import app
from survey.instrument.errors import catalogue_markdown
from survey.instrument.registry import default_registry
from survey.settings import SETTINGS, settings_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def command_paths() -> list[str]:
    # Typer ships its own copy of click, so groups are recognised by their sub-commands.
    def walk(command: object, prefix: str) -> list[str]:
        if hasattr(command, "commands"):
            return [
                p
                for name, sub in sorted(command.commands.items())
                for p in walk(sub, f"{prefix} {name}")
            ]
        return [prefix]

    return walk(typer.main.get_command(app), "cocreate")


@pytest.mark.parametrize("command", command_paths())
def test_every_command_is_documented(command: str) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert re.search(rf"^## `{re.escape(command)}`$", text, re.M), (
        f"add a section '## `{command}`' to docs/cli.md"
    )


def test_error_catalogue_page_is_current() -> None:
    assert (DOCS / "instrument-errors.md").read_text(encoding="utf-8") == catalogue_markdown(), (
        "run: python -m survey.instrument.errors > docs/instrument-errors.md"
    )


def test_settings_page_is_current() -> None:
    assert (DOCS / "settings.md").read_text(encoding="utf-8") == settings_markdown(), (
        "run: python -m survey.settings > docs/settings.md"
    )
    assert all(s.env.startswith("COCREATE_") for s in SETTINGS)


def test_every_instrument_is_documented() -> None:
    text = (DOCS / "instruments.md").read_text(encoding="utf-8")
    for instrument in default_registry():
        assert f"`{instrument.id}`" in text, f"document {instrument.id} in docs/instruments.md"
        assert instrument.version in text, f"document {instrument.key} in docs/instruments.md"
        for scale in instrument.scales:
            assert scale.id in text, f"document scale {scale.id} in docs/instruments.md"


def package_modules() -> list[str]:
    """Every module file of the installed packages, as a path from the repository root."""
    root = DOCS.parent
    return [
        path.relative_to(root).as_posix()
        for package in ("survey", "scoring")
        for path in sorted((root / package).rglob("*.py"))
        if path.name != "__init__.py" and "migrations" not in path.parts
    ]


@pytest.mark.parametrize("module", package_modules())
def test_every_module_is_in_the_architecture_page(module: str) -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert f"`{module}`" in text, f"add `{module}` to a module table in docs/architecture.md"


def test_the_architecture_page_names_every_layer() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    config = (DOCS.parent / "pyproject.toml").read_text(encoding="utf-8")
    layers = re.search(r"layers = \[(.*?)\]", config, re.S)
    assert layers is not None
    for module in re.findall(r"[\w.]+", layers.group(1)):
        assert module.replace(".", "/") in text, f"draw {module} in docs/architecture.md"
