"""LimeSurvey codes of an instrument, and recognising a LimeSurvey response export by them.

LimeSurvey question and sub-question codes are letters and digits, start with a letter and have
at most 20 characters; answer codes are letters and digits, at most 5. Item ids such as
``CP-DIAG-1`` are neither, so every instrument gets codes derived from it alone
(:func:`questions`), the same when the survey structure is written
(:mod:`survey.fielding.limesurvey`) and when responses come back:

* one array question per scale (per run of items sharing a response scale and ``required``),
  coded by the items' common prefix without hyphens (``CPDIAG``), else ``S01``, ``S02``...;
* one sub-question per item, coded by its id without hyphens (``CPDIAG1``), else ``SQ001``...;
* answer codes ``A1``..``A5`` for the points (``AM1`` for -1) and ``NA`` for not applicable.

A response export ("question code" headings, answer codes) then has a column
``CPDIAG[CPDIAG1]`` per item; :func:`recognise` sees such a header and returns the
:class:`~survey.ingest.mapping.ResponseMapping` that reads it, so neither ``cocreate score`` nor
``cocreate import`` needs a mapping file for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from survey.ingest.checks import Advice
from survey.ingest.files import RawTable
from survey.ingest.mapping import ResponseMapping
from survey.instrument.answers import NOT_APPLICABLE
from survey.instrument.model import Instrument, Item, ResponseScale, Scale

#: Question and sub-question codes LimeSurvey accepts.
CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,19}$")
#: Answer codes LimeSurvey accepts.
ANSWER_CODE_PATTERN = re.compile(r"^[A-Za-z0-9]{1,5}$")
#: The answer code of "not applicable".
NA_CODE = "NA"
#: Columns of a response export that say nothing about the answers (``id`` is the respondent
#: id, ``startlanguage`` the response language).
METADATA_COLUMNS = (
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
    "token",
)
#: How a user fixes a LimeSurvey export's column or answer problems.
UNKNOWN_COLUMN = (
    "leave it out when exporting the responses from LimeSurvey (Responses > Export: select only "
    "the survey's questions), or check that the survey was imported from this instrument's export"
)
UNKNOWN_ANSWER = (
    "export the responses from LimeSurvey again with 'Answer codes' (not full answer texts)"
)


@dataclass(frozen=True)
class Question:
    """One LimeSurvey array question: its code, the scale and response scale of its items,
    whether it is mandatory, and its sub-questions as ``(code, item)``."""

    code: str
    scale: Scale
    response_scale: ResponseScale
    mandatory: bool
    subquestions: tuple[tuple[str, Item], ...]


def answer_code(point: int) -> str:
    """The LimeSurvey answer code of a scale point.

    Examples
    --------
    >>> answer_code(1), answer_code(0), answer_code(-2)
    ('A1', 'A0', 'AM2')
    """
    return f"A{point}" if point >= 0 else f"AM{-point}"


def questions(instrument: Instrument) -> list[Question]:
    """The array questions of ``instrument`` with their codes, in the instrument's order.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> first = questions(example_instrument())[0]
    >>> first.code, [code for code, _ in first.subquestions]
    ('A', ['A1', 'A2', 'A3'])
    """
    runs: list[tuple[int, Scale, ResponseScale, bool, list[Item]]] = []
    for number, scale in enumerate(instrument.scales, start=1):
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            last = runs[-1] if runs else None
            if last and last[1] is scale and last[2] is rs and last[3] == item.required:
                last[4].append(item)
            else:
                runs.append((number, scale, rs, item.required, [item]))
    named = [_prefix(items) for _, _, _, _, items in runs]
    if len(set(named)) != len(named) or not all(n and CODE_PATTERN.match(n) for n in named):
        named = [f"S{number:02d}" for number, *_ in runs]
    codes: list[str] = []
    seen: dict[str, int] = {}
    for name in named:  # a scale split into runs: S01, S01R2, ...
        seen[name] = seen.get(name, 0) + 1
        codes.append(name if seen[name] == 1 else f"{name}R{seen[name]}")
    result = []
    for code, (_, scale, rs, required, items) in zip(codes, runs, strict=True):
        subcodes = [item.id.replace("-", "") for item in items]
        if len(set(subcodes)) != len(subcodes) or not all(CODE_PATTERN.match(c) for c in subcodes):
            subcodes = [f"SQ{n:03d}" for n in range(1, len(items) + 1)]
        result.append(Question(code, scale, rs, required, tuple(zip(subcodes, items, strict=True))))
    return result


def columns(instrument: Instrument) -> dict[str, str]:
    """Response export column (``QCODE[SQCODE]``) -> item id, for every item.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> list(columns(example_instrument()).items())[0]
    ('A[A1]', 'A-1')
    """
    return {
        f"{question.code}[{code}]": item.id
        for question in questions(instrument)
        for code, item in question.subquestions
    }


def answer_values(instrument: Instrument) -> dict[str, int | str]:
    """Answer code (lower case, as a mapping's ``values:``) -> point or ``"na"``.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> values = answer_values(example_instrument())
    >>> values["a1"], values["a5"]
    (1, 5)
    """
    values: dict[str, int | str] = {}
    for rs in instrument.response_scales:
        for point in rs.points:
            values[answer_code(point).lower()] = point
        if rs.not_applicable:
            values[NA_CODE.lower()] = NOT_APPLICABLE
    return values


def recognise(table: RawTable, instrument: Instrument) -> ResponseMapping | None:
    """The mapping that reads ``table`` as a LimeSurvey response export of ``instrument``, or
    ``None`` when none of its columns is one of the instrument's ``QCODE[SQCODE]`` columns.

    The mapping renames those columns to item ids, turns answer codes into points (``NA`` into
    not applicable), takes ``id`` as the respondent id and ``startlanguage`` as the language
    (when the file has them) and leaves LimeSurvey's other metadata columns out. Anything else
    in the file is judged by :func:`survey.ingest.checks.check_table` as usual.

    Parameters
    ----------
    table : RawTable
        The file as read by :func:`survey.ingest.files.read_table`.
    instrument : Instrument
        The version the survey structure was written from.

    Returns
    -------
    ResponseMapping or None

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> table = RawTable("r.csv", 1, ["id", "startlanguage", "A[A1]"], [(2, ["1", "en", "A4"])])
    >>> plan = recognise(table, example_instrument())
    >>> plan.respondent_id, plan.language, plan.columns
    ('id', 'startlanguage', {'A[A1]': 'A-1'})
    >>> recognise(RawTable("r.csv", 1, ["A-1"], []), example_instrument()) is None
    True
    """
    known = columns(instrument)
    found = {name: known[name] for name in table.header if name in known}
    if not found:
        return None
    header = {name.lower(): name for name in table.header if name}
    return ResponseMapping(
        respondent_id=header.get("id"),
        language=header.get("startlanguage"),
        ignore=[header[c] for c in METADATA_COLUMNS if c in header],
        columns=found,
        values=answer_values(instrument),
    )


def recognised_note(file_name: str, instrument: Instrument) -> str:
    """What ``score`` and ``import`` say when :func:`recognise` mapped a file."""
    return (
        f"{file_name}: read as a LimeSurvey response export of {instrument.key} (question codes "
        "mapped to item ids, answer codes to points, LimeSurvey's columns left out)"
    )


def advice(base: Advice | None = None) -> Advice:
    """``base`` (the command's advice) with the fixes that apply to a LimeSurvey export.

    Examples
    --------
    >>> advice().unknown_answer
    "export the responses from LimeSurvey again with 'Answer codes' (not full answer texts)"
    """
    return replace(base or Advice(), unknown_column=UNKNOWN_COLUMN, unknown_answer=UNKNOWN_ANSWER)


def _prefix(items: list[Item]) -> str:
    """The items' id without its last part and hyphens, when all items share it (``CPDIAG``)."""
    prefixes = {item.id.rsplit("-", 1)[0] for item in items if "-" in item.id}
    if len(prefixes) != 1 or any("-" not in item.id for item in items):
        return ""
    return prefixes.pop().replace("-", "")
