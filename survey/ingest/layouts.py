"""The response-file layouts ``cocreate score`` and ``cocreate import`` recognise without a
mapping file, in one place: a response export of a form cocreate wrote for a survey platform
(``cocreate instruments export --to``) maps itself.

:func:`recognise_layout` tries LimeSurvey's ``QCODE[SQCODE]`` columns first
(:mod:`survey.ingest.limesurvey`; bracketed names cannot be XLSForm question names), then the
XLSForm question names of KoboToolbox and ODK exports (:mod:`survey.ingest.xlsform`). A new
platform adds its recogniser here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from survey.ingest import limesurvey
from survey.ingest.checks import Advice
from survey.ingest.files import RawTable
from survey.ingest.mapping import ResponseMapping
from survey.ingest.xlsform import recognise_xlsform, recognised_note
from survey.instrument.model import Instrument


@dataclass(frozen=True)
class Layout:
    """A recognised response file: the mapping that reads it, the advice its problems get, and
    the note that tells the user how the file was read."""

    mapping: ResponseMapping
    advice: Advice | None
    note: str


def recognise_layout(
    table: RawTable,
    instrument: Instrument,
    base: ResponseMapping | None = None,
    advice: Advice | None = None,
) -> Layout | None:
    """The layout of ``table`` when it is a response export of one of the instrument's forms.

    Parameters
    ----------
    table : RawTable
        The file as read by :func:`survey.ingest.files.read_table`.
    instrument : Instrument
        The version the form was written from.
    base : ResponseMapping, optional
        What the command already asks for (its respondent id column, further columns to
        ignore); kept, and added to.
    advice : Advice, optional
        The command's advice for column problems; a layout may replace parts of it.

    Returns
    -------
    Layout or None
        ``None`` when the file is neither layout (it is read as item id columns).

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()
    >>> lime = RawTable("r.csv", 1, ["id", "A[A1]"], [])
    >>> recognise_layout(lime, inst).mapping.columns
    {'A[A1]': 'A-1'}
    >>> kobo = RawTable("k.csv", 1, ["a/A_1", "_uuid"], [])
    >>> recognise_layout(kobo, inst).mapping.respondent_id
    '_uuid'
    >>> recognise_layout(RawTable("r.csv", 1, ["A-1"], []), inst) is None
    True
    """
    base = base or ResponseMapping()
    lime = limesurvey.recognise(table, instrument)
    if lime is not None:
        mapping = dataclasses.replace(
            lime,
            respondent_id=base.respondent_id or lime.respondent_id,
            ignore=[*lime.ignore, *(c for c in base.ignore if c not in lime.ignore)],
        )
        note = limesurvey.recognised_note(table.name, instrument)
        return Layout(mapping, limesurvey.advice(advice), note)
    form = recognise_xlsform(table.header, instrument, base)
    if form is not None:
        return Layout(form, advice, recognised_note(table.name, instrument))
    return None
