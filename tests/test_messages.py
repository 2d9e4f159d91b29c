"""The message catalogues (survey/i18n/locales/*.yaml): every key the code uses exists in English,
German is complete with the same placeholders, and broken files fail with a message naming the
file and the key."""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

import pytest

from survey.i18n.messages import (
    CatalogueError,
    available_languages,
    catalogue,
    language_name,
    message,
    placeholders,
    read_catalogue,
)
from survey.i18n.report_text import side_word, text
from survey.i18n.ui_text import ui_text
from survey.vocab import RESPONDENT_ROLES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    *sorted((ROOT / "app_pages").glob("*.py")),
    *sorted((ROOT / "survey").rglob("*.py")),
    ROOT / "streamlit_app.py",
]
#: The functions that take a catalogue key as their first argument, by the module defining
#: them (``t`` is the pages' shortcut for the app language).
LOOKUPS = {
    "survey.i18n.ui_text": {"ui_text"},
    "survey.i18n.report_text": {"text"},
    "survey.i18n.messages": {"message"},
    "app_pages._common": {"t", "option_labels"},
}
#: Lookups whose first argument is a key prefix (the option is appended).
PREFIX_LOOKUPS = {"option_labels"}


def _lookups(path: Path, tree: ast.Module) -> set[str]:
    """The lookup functions a module imports or defines (``text`` is also SQLAlchemy's)."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    names = set(LOOKUPS.get(module, set()))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in LOOKUPS:
            names |= {alias.name for alias in node.names} & LOOKUPS[node.module]
    return names


def _used_keys() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(file, key) for literal keys and (file, prefix) for f-string keys passed to a lookup."""
    literal: set[tuple[str, str]] = set()
    prefixes: set[tuple[str, str]] = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lookups = _lookups(path, tree)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in lookups
                and node.args
            ):
                continue
            first = node.args[0]
            where = str(path.relative_to(ROOT))
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if node.func.id in PREFIX_LOOKUPS:
                    prefixes.add((where, first.value))
                else:
                    literal.add((where, first.value))
            elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                prefixes.add((where, str(first.values[0].value)))
    return literal, prefixes


def test_the_scan_finds_the_keys_of_every_layer():
    # Guards the scanner itself: if the call names change, it would silently find nothing.
    literal, prefixes = _used_keys()
    files = {where for where, _ in literal}
    assert {
        "app_pages/assessment.py",
        "app_pages/consultant.py",
        "app_pages/research.py",
        "streamlit_app.py",
        "survey/presentation/report.py",
    } <= files
    assert ("app_pages/results.py", "take.role.") in prefixes
    assert ("app_pages/consultant.py", "consultant.section.") in prefixes


def test_every_key_used_in_the_code_is_in_english():
    english = catalogue("en")
    literal, prefixes = _used_keys()
    missing = sorted(f"{where}: {key}" for where, key in literal if key not in english)
    assert not missing, "add these keys to survey/i18n/locales/en.yaml:\n" + "\n".join(missing)
    orphans = sorted(
        f"{where}: {prefix}…"
        for where, prefix in prefixes
        if not any(key.startswith(prefix) for key in english)
    )
    assert not orphans, "no key starts with:\n" + "\n".join(orphans)


def test_every_respondent_role_has_a_name():
    for role in RESPONDENT_ROLES:
        assert f"take.role.{role}" in catalogue("en")


@pytest.mark.parametrize("language", [lang for lang in available_languages() if lang != "en"])
def test_translations_are_complete_with_the_same_placeholders(language):
    english, translated = catalogue("en"), catalogue(language)
    assert sorted(set(english) - set(translated)) == [], f"translate these in {language}.yaml"
    for key, template in english.items():
        assert placeholders(translated[key]) == placeholders(template), key


def test_the_catalogues_load_as_package_resources():
    folder = resources.files("survey.i18n").joinpath("locales")
    assert folder.joinpath("en.yaml").is_file()
    assert available_languages() == ["en", "de"]
    assert language_name("de") == "Deutsch"
    assert language_name("xx") == "xx"


def test_lookups_fall_back_to_english_and_keep_their_errors():
    assert ui_text("take.submit", "de") == "Antworten absenden"
    assert ui_text("take.submit", "fr") == ui_text("take.submit", "en") == "Submit my answers"
    assert text("report.gaps", "de") == "Lücken"
    assert side_word("partner", "de") == "Partner"
    assert side_word("nobody", "de") == "nobody"
    with pytest.raises(KeyError, match=r"no text 'take\.nothing'"):
        ui_text("take.nothing")
    with pytest.raises(ValueError, match="unknown report text"):
        text("report.nothing")
    assert catalogue("de") is catalogue("de")  # read once


def _write(folder: Path, name: str, content: str) -> None:
    (folder / name).write_text(content, encoding="utf-8")


def test_a_german_placeholder_english_lacks_is_named_with_file_and_key(tmp_path):
    _write(tmp_path, "en.yaml", "take.step: 'Section {number} of {total}'\n")
    _write(tmp_path, "de.yaml", "take.step: 'Abschnitt {nummer} von {total}'\n")
    with pytest.raises(CatalogueError) as error:
        read_catalogue(tmp_path, "de")
    assert str(tmp_path / "de.yaml") in str(error.value)
    assert "key 'take.step'" in str(error.value)
    assert "{nummer}" in str(error.value)


def test_a_key_english_lacks_and_bad_yaml_are_named(tmp_path):
    _write(tmp_path, "en.yaml", "a: one\n")
    _write(tmp_path, "de.yaml", "a: eins\nb: zwei\n")
    with pytest.raises(CatalogueError, match=r"de\.yaml, key 'b': English .* has no such key"):
        read_catalogue(tmp_path, "de")
    _write(tmp_path, "de.yaml", "a: eins\n  b: [zwei\n")
    with pytest.raises(CatalogueError, match=r"de\.yaml is not valid YAML"):
        read_catalogue(tmp_path, "de")
    _write(tmp_path, "de.yaml", "a: eins\nb: zwei\na: drei\n")
    with pytest.raises(CatalogueError, match=r"de\.yaml is not valid YAML: key 'a' appears twice"):
        read_catalogue(tmp_path, "de")
    _write(tmp_path, "de.yaml", "a: 3\n")
    with pytest.raises(CatalogueError, match=r"de\.yaml, key 'a': the value must be a text"):
        read_catalogue(tmp_path, "de")
    _write(tmp_path, "de.yaml", "a: 'ein {x'\n")
    with pytest.raises(CatalogueError, match=r"de\.yaml, key 'a'"):
        read_catalogue(tmp_path, "de")


def test_message_fills_in_values():
    assert message("report.stage", "de", stage=2, name="X") == "Stufe 2: X"
