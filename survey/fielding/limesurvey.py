"""An instrument as a LimeSurvey survey structure (the tab-separated ``.txt`` LimeSurvey imports).

One group per scale, one array question (type ``F``) per scale whose sub-questions are the items
and whose answer options are the response scale's points with their labels (and ``NA`` where
the scale has "not applicable"), mandatory when the items are required; every text row once per
language of the instrument. The codes come from :mod:`survey.ingest.limesurvey`, so a response
export of the survey reads back in (``cocreate score``, ``cocreate import``) without a mapping.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from survey.ingest.limesurvey import (
    ANSWER_CODE_PATTERN,
    CODE_PATTERN,
    NA_CODE,
    answer_code,
    questions,
)
from survey.instrument.model import Instrument

#: The columns of the structure file, as LimeSurvey writes and reads them.
HEADER = (
    "class",
    "type/scale",
    "name",
    "relevance",
    "text",
    "help",
    "language",
    "validation",
    "mandatory",
    "other",
    "default",
    "same_default",
)


def structure_rows(instrument: Instrument) -> list[dict[str, str]]:
    """The rows of the survey structure of ``instrument`` (keys: :data:`HEADER`).

    Raises
    ------
    ValueError
        A scale point has no valid LimeSurvey answer code (more than 5 characters).

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> rows = structure_rows(example_instrument())
    >>> sorted({row["class"] for row in rows})
    ['A', 'G', 'Q', 'S', 'SL', 'SQ']
    """
    languages = list(instrument.languages)
    rows: list[dict[str, str]] = []

    def add(kind: str, name: str, text: str = "", language: str = "", **more: str) -> None:
        rows.append(
            {column: "" for column in HEADER}
            | more
            | {"class": kind, "name": name, "text": _one_line(text), "language": language}
        )

    add("S", "language", languages[0])
    add("S", "additional_languages", " ".join(languages[1:]))
    add("S", "format", "G")
    for language in languages:
        add("SL", "surveyls_title", instrument.text(instrument.title, language), language)
        add(
            "SL",
            "surveyls_description",
            instrument.text(instrument.description, language),
            language,
        )
        if instrument.instructions:
            add(
                "SL",
                "surveyls_welcometext",
                instrument.text(instrument.instructions, language),
                language,
            )
    group = None
    for question in questions(instrument):
        if question.scale is not group:
            group = question.scale
            for language in languages:
                add("G", instrument.text(group.name, language), "", language, relevance="1")
        for language in languages:
            add(
                "Q",
                question.code,
                instrument.text(instrument.instructions or question.scale.name, language),
                language,
                **{
                    "type/scale": "F",
                    "relevance": "1",
                    "mandatory": "Y" if question.mandatory else "N",
                    "other": "N",
                },
            )
        for code, item in question.subquestions:
            for language in languages:
                add(
                    "SQ",
                    code,
                    instrument.text(item.text, language),
                    language,
                    **{"type/scale": "0", "relevance": "1"},
                )
        rs = question.response_scale
        options = [(answer_code(p), rs.labels.get(p)) for p in rs.points]
        if rs.not_applicable:
            options.append((NA_CODE, rs.not_applicable_label or {}))
        for code, labels in options:
            if not ANSWER_CODE_PATTERN.match(code):
                raise ValueError(
                    f"{instrument.key}: the response scale {rs.id!r} has a point whose LimeSurvey "
                    f"answer code {code!r} is longer than 5 characters"
                )
            for language in languages:
                text = instrument.text(labels, language) if labels else ""
                add("A", code, text or code, language, **{"type/scale": "0"})
    return rows


def structure_text(instrument: Instrument) -> str:
    """The survey structure of ``instrument`` as tab-separated text (header row first).

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> structure_text(example_instrument()).splitlines()[0].split("\\t")[:3]
    ['class', 'type/scale', 'name']
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, HEADER, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(structure_rows(instrument))
    return buffer.getvalue()


def write_structure(instrument: Instrument, path: Path) -> Path:
    """Write the survey structure of ``instrument`` to ``path`` (UTF-8); returns ``path``.

    Parameters
    ----------
    instrument : Instrument
        The version to field.
    path : Path
        The ``.txt`` file to write (LimeSurvey: Surveys > Import, "Tab-separated-values").

    Returns
    -------
    Path
    """
    path.write_text(structure_text(instrument), encoding="utf-8")
    return path


def valid_code(code: str) -> bool:
    """Whether ``code`` is a valid LimeSurvey question or sub-question code.

    Examples
    --------
    >>> valid_code("CPDIAG1"), valid_code("CP-DIAG-1"), valid_code("1A")
    (True, False, False)
    """
    return bool(CODE_PATTERN.match(code))


def _one_line(text: str) -> str:
    """Text as one line (folded YAML may still hold line breaks)."""
    return " ".join(text.split())
