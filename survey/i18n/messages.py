"""The app's and the report's own words, read from the message catalogues in
``survey/i18n/locales``.

One YAML file per language (``en.yaml``, ``de.yaml``, ...) maps flat, dotted keys to texts with
``{placeholders}``; ``languages.yaml`` names every language in its own language. The files ship
as package data and are read through :mod:`importlib.resources`, once per process.

English is the reference: every key exists there, and a translation may only use placeholders
the English text has (a misspelt placeholder would otherwise fail only when that text is shown).
A key missing from a translation falls back to English, so a new language works at once and can
be completed later; ``tests/test_messages.py`` keeps the shipped German complete.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from typing import Any

import yaml

REFERENCE = "en"
_LANGUAGE_FILE = "languages.yaml"


class CatalogueError(ValueError):
    """A message catalogue file that cannot be used (bad YAML, a wrong key or placeholder)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice (YAML would keep the last silently)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _folder() -> Any:
    return resources.files("survey.i18n").joinpath("locales")


def _location(name: str) -> str:
    return name if "/" in name else f"survey/i18n/locales/{name}"


def _read_mapping(name: str, folder: Any = None) -> dict[str, str]:
    path = (folder or _folder()).joinpath(name)
    if folder is not None:
        name = str(path)
    if not path.is_file():
        raise FileNotFoundError(f"no message catalogue {_location(name)}")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{_location(name)} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CatalogueError(f"{_location(name)} must map keys to texts, not hold a list or text")
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise CatalogueError(
                f"{_location(name)}, key {key!r}: the value must be a text (quote it), "
                f"not {type(value).__name__}"
            )
    return data


def placeholders(template: str, *, where: str = "") -> set[str]:
    """The ``{names}`` a text expects.

    Examples
    --------
    >>> sorted(placeholders("Section {number} of {total}"))
    ['number', 'total']
    """
    try:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field}
    except ValueError as exc:
        raise CatalogueError(f"{where}: {exc} (write a literal brace as {{{{ or }}}})") from exc


@cache
def _catalogue_codes() -> tuple[str, ...]:
    codes = sorted(
        entry.name.removesuffix(".yaml")
        for entry in _folder().iterdir()
        if entry.name.endswith(".yaml") and entry.name != _LANGUAGE_FILE
    )
    return (REFERENCE, *(code for code in codes if code != REFERENCE))


def available_languages() -> list[str]:
    """The languages that have a message catalogue, English first (the folder is read once).

    >>> available_languages()[:2]
    ['en', 'de']
    """
    return list(_catalogue_codes())


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every text of ``language`` by key, checked against English; ``{}`` when untranslated.

    Raises :class:`CatalogueError` naming the file and key for a key English lacks or a
    placeholder the English text does not have.
    """
    if language != REFERENCE and language not in available_languages():
        return {}
    name = f"{language}.yaml"
    table = _read_mapping(name)
    check_translation(name, table, table if language == REFERENCE else catalogue(REFERENCE))
    return table


def read_catalogue(folder: Any, language: str) -> dict[str, str]:
    """The catalogue ``<language>.yaml`` of another ``folder``, checked against its ``en.yaml``.

    For tools and tests that check a catalogue before it ships; the app uses :func:`catalogue`.
    """
    english = f"{REFERENCE}.yaml"
    reference = _read_mapping(english, folder)
    check_translation(str(folder.joinpath(english)), reference, reference)
    if language == REFERENCE:
        return reference
    table = _read_mapping(f"{language}.yaml", folder)
    check_translation(str(folder.joinpath(f"{language}.yaml")), table, reference)
    return table


def check_translation(name: str, table: dict[str, str], reference: dict[str, str]) -> None:
    """Raise :class:`CatalogueError` for a key or placeholder of ``table`` that English lacks.

    Examples
    --------
    >>> check_translation("de.yaml", {"a": "{x} von {y}"}, {"a": "{x} of {z}"})
    Traceback (most recent call last):
    ...
    survey.i18n.messages.CatalogueError: survey/i18n/locales/de.yaml, key 'a': ...
    """
    for key, template in table.items():
        where = f"{_location(name)}, key {key!r}"
        if key not in reference:
            raise CatalogueError(f"{where}: English (en.yaml) has no such key; add it there first")
        extra = placeholders(template, where=where) - placeholders(reference[key], where=where)
        if extra:
            raise CatalogueError(
                f"{where}: placeholder(s) {', '.join('{' + e + '}' for e in sorted(extra))} "
                "are not in the English text; use the English names"
            )


def message(key: str, language: str = REFERENCE, /, **values: object) -> str:
    """The text for ``key`` in ``language`` (English when untranslated), filled in.

    Raises ``KeyError`` for a key that English lacks.

    Examples
    --------
    >>> message("take.step", "de", number=2, total=9)
    'Abschnitt 2 von 9'
    >>> message("take.step", "fi", number=1, total=3)
    'Section 1 of 3'

    Whole numbers of 1,000 and more are grouped as the language writes them
    (``format.thousands``):

    >>> message("report.benchmark", "de", n=3224)
    'Position in der Vergleichsgruppe (3.224 Organisationen)'
    """
    reference = catalogue(REFERENCE)
    if key not in reference:
        raise KeyError(f"no text {key!r}: add it to {_location('en.yaml')}")
    template = catalogue(language).get(key) or reference[key]
    if not values:
        return template
    separator = _thousands(language)
    return template.format(**{name: _grouped(value, separator) for name, value in values.items()})


def number(value: int, language: str = REFERENCE) -> str:
    """A whole number as ``language`` writes it (digit grouping from ``format.thousands``).

    Examples
    --------
    >>> number(20821, "de"), number(20821), number(999, "de")
    ('20.821', '20,821', '999')
    """
    return str(_grouped(int(value), _thousands(language)))


def _thousands(language: str) -> str:
    """The digit-grouping separator of ``language`` (English's when it has none)."""
    return catalogue(language).get("format.thousands") or catalogue(REFERENCE)["format.thousands"]


def _grouped(value: object, separator: str) -> object:
    """``value`` with its digits grouped when it is a whole number of four digits or more."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
        return f"{value:,}".replace(",", separator)
    return value


def has_message(key: str) -> bool:
    """Whether English has a text for ``key``."""
    return key in catalogue(REFERENCE)


@cache
def language_names() -> dict[str, str]:
    """Every known language's name in its own language, by code (``languages.yaml``)."""
    return _read_mapping(_LANGUAGE_FILE)


def language_name(code: str) -> str:
    """A language's own name, or its code when unknown.

    >>> language_name("de")
    'Deutsch'
    """
    return language_names().get(code, code)


def preferred_language(configured: str | None = None, locale: str | None = None) -> str:
    """The app's starting language: the configured one, else the browser's, else English.

    Parameters
    ----------
    configured
        The deployment's choice (a language code); ignored when no catalogue has it.
    locale
        The browser's language tag (``st.context.locale``, such as ``"de-CH"``); only its
        language part counts.

    Examples
    --------
    >>> preferred_language(None, "de-CH")
    'de'
    >>> preferred_language("en", "de-DE")
    'en'
    >>> preferred_language(None, "pt-BR"), preferred_language(None, None)
    ('en', 'en')
    """
    languages = available_languages()
    if configured and configured.strip().lower() in languages:
        return configured.strip().lower()
    if locale:
        language = locale.replace("_", "-").split("-")[0].strip().lower()
        if language in languages:
            return language
    return REFERENCE
