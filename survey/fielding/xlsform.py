"""An instrument version as an XLSForm, the spreadsheet form format of KoboToolbox and ODK.

:func:`xlsform_sheets` builds the three sheets (survey, choices, settings) from the instrument
file alone: every language as ``label::<name> (<code>)`` columns, a group per scale, one
``select_one`` question per item named by :func:`survey.ingest.xlsform.xlsform_name`, the
response scale's points (and ``na`` where the scale has "not applicable") as choices, and the
``start`` and ``end`` metadata. :func:`write_xlsform` saves them as ``.xlsx`` and
:func:`convert_xlsform` converts the file with pyxform, as KoboToolbox and ODK do on upload.
Responses exported from such a form are read back by :mod:`survey.ingest.xlsform`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from survey.i18n.messages import language_name
from survey.ingest.xlsform import xlsform_name
from survey.instrument.answers import NOT_APPLICABLE
from survey.instrument.model import Instrument, LocalizedText, ResponseScale

#: A sheet: its column names, then one dict per row (missing keys are blank cells).
Sheet = tuple[list[str], list[dict[str, str]]]


@dataclass(frozen=True)
class XLSForm:
    """The sheets of an XLSForm and the item id -> question name mapping used."""

    survey: Sheet
    choices: Sheet
    settings: Sheet
    names: dict[str, str]


def label_columns(instrument: Instrument, column: str = "label") -> dict[str, str]:
    """Language code -> the XLSForm column of ``column`` in that language.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> label_columns(example_instrument())
    {'en': 'label::English (en)'}
    """
    return {code: f"{column}::{language_name(code)} ({code})" for code in instrument.languages}


def list_name(scale: ResponseScale) -> str:
    """The choice list of a response scale (its id with ``-`` as ``_``)."""
    return scale.id.replace("-", "_")


def xlsform_sheets(instrument: Instrument) -> XLSForm:
    """The survey, choices and settings sheets of an instrument version.

    Parameters
    ----------
    instrument : Instrument
        The version to field; every text comes from its file, in all its languages.

    Returns
    -------
    XLSForm
        The sheets, and ``names``: item id -> question name (``CP-DIAG-1`` -> ``CP_DIAG_1``).

    Notes
    -----
    The survey sheet holds ``start`` and ``end`` (metadata the form records itself), the
    instructions as a ``note`` when the instrument has them, then per scale a group named by
    the scale id and labelled with its name, holding one ``select_one <list>`` question per
    item, ``required`` as the item is; the choices sheet one list per response scale used,
    its points as choice names (``na`` for "not applicable"); the settings sheet ``form_title``,
    ``form_id`` (the instrument id), ``version`` and ``default_language`` [1]_.

    References
    ----------
    .. [1] XLSForm specification, https://xlsform.org/en/ (the survey, choices and settings
       sheets; multiple language support).

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> form = xlsform_sheets(example_instrument())
    >>> [row["type"] for row in form.survey[1][:4]]
    ['start', 'end', 'begin_group', 'select_one agree_5']
    >>> form.survey[1][3]["name"], form.names["A-1"], form.settings[1][0]["form_id"]
    ('A_1', 'A_1', 'demo')
    """
    labels = label_columns(instrument)

    def texts(column: dict[str, str], text: LocalizedText) -> dict[str, str]:
        return {column[code]: instrument.text(text, code) for code in instrument.languages}

    names = {item_id: xlsform_name(item_id) for item_id in instrument.item_ids}
    survey: list[dict[str, str]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
    ]
    if instrument.instructions:
        survey.append(
            {"type": "note", "name": "instructions"} | texts(labels, instrument.instructions)
        )
    used: dict[str, ResponseScale] = {}
    for scale in instrument.scales:
        survey.append({"type": "begin_group", "name": scale.id} | texts(labels, scale.name))
        for item in scale.items:
            response_scale = instrument.item_response_scale(item, scale)
            used.setdefault(response_scale.id, response_scale)
            survey.append(
                {
                    "type": f"select_one {list_name(response_scale)}",
                    "name": names[item.id],
                    "required": "yes" if item.required else "",
                }
                | texts(labels, item.text)
            )
        survey.append({"type": "end_group", "name": ""})
    choices: list[dict[str, str]] = []
    for response_scale in used.values():
        for point in response_scale.points:
            choices.append(
                {"list_name": list_name(response_scale), "name": str(point)}
                | texts(labels, response_scale.labels[point])
            )
        if response_scale.not_applicable:
            choices.append(
                {"list_name": list_name(response_scale), "name": NOT_APPLICABLE}
                | texts(labels, response_scale.not_applicable_label or {})
            )
    settings = {
        "form_title": instrument.text(instrument.title),
        "form_id": instrument.id,
        "version": instrument.version,
        "default_language": labels[instrument.languages[0]].partition("::")[2],
    }
    label_names = list(labels.values())
    return XLSForm(
        survey=(["type", "name", *label_names, "required"], survey),
        choices=(["list_name", "name", *label_names], choices),
        settings=(list(settings), [settings]),
        names=names,
    )


def write_xlsform(instrument: Instrument, path: Path) -> XLSForm:
    """Write an instrument version as an XLSForm workbook (``.xlsx``); return its sheets.

    Notes
    -----
    Every cell is written as text, so a label that begins with ``=`` is not a formula. The
    workbook is what KoboToolbox ("Upload an XLSForm") and ODK Central take [1]_.

    References
    ----------
    .. [1] XLSForm specification, https://xlsform.org
    """
    from openpyxl import Workbook

    form = xlsform_sheets(instrument)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (columns, rows) in (
        ("survey", form.survey),
        ("choices", form.choices),
        ("settings", form.settings),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for number, row in enumerate(rows, start=2):
            for position, column in enumerate(columns, start=1):
                value = row.get(column, "")
                if value:
                    cell = sheet.cell(row=number, column=position, value=value)
                    cell.data_type = "s"
    workbook.save(path)
    return form


def convert_xlsform(path: Path) -> str:
    """Convert an XLSForm workbook to an XForm (XML) with pyxform; return the XML.

    Raises
    ------
    ValueError
        pyxform refuses the form (its message says which row and why).

    Notes
    -----
    pyxform is the converter KoboToolbox and ODK use; a form it converts uploads [1]_.

    References
    ----------
    .. [1] XLSForm specification, https://xlsform.org; pyxform,
       https://github.com/XLSForm/pyxform
    """
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        result = convert(xlsform=str(path), validate=False, pretty_print=False)
    except PyXFormError as exc:
        raise ValueError(f"{path.name}: not a valid XLSForm: {exc}") from None
    return str(result.xform)
