"""Response files exported from a form cocreate wrote as an XLSForm (KoboToolbox, ODK).

``cocreate instruments export --to xlsform`` names each item's question after the item id, made
a valid XML name by :func:`xlsform_name` (``CP-DIAG-1`` -> ``CP_DIAG_1``), inside a group per
scale. A CSV or Excel export of the responses then has columns such as ``start``, ``end``,
``co-diagnosis/CP_DIAG_1`` (the group path, ``/`` in KoboToolbox, ``-`` in ODK Central, or no
group with "group names" off), ``_id``, ``_uuid``, ``_submission_time``, ``_index``...
:func:`recognise_xlsform` sees such a header and returns the mapping it implies, so that the one
reader and the one set of checks (:func:`survey.ingest.checks.check_table`) take the file
without a mapping file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from survey.ingest.mapping import ResponseMapping
from survey.instrument.answers import NOT_APPLICABLE
from survey.instrument.model import Instrument

#: Columns of the form's metadata questions and of the platforms' own bookkeeping (KoboToolbox,
#: ODK Central), compared in lower case on the column's last path segment. Any column whose last
#: segment starts with ``_`` is bookkeeping too (``_id``, ``_uuid``, ``_submission_time``...).
METADATA_COLUMNS = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "phonenumber",
        "simserial",
        "subscriberid",
        "email",
        "audit",
        "instanceid",
        "instancename",
        "rootuuid",
        "deprecatedid",
        "uuid",
        "submissiondate",
        "submitterid",
        "submittername",
        "attachmentspresent",
        "attachmentsexpected",
        "status",
        "reviewstate",
        "edits",
        "formversion",
        "key",
    }
)
#: Columns that hold a submission's id, in order of preference (compared in lower case).
ID_COLUMNS = ("_uuid", "meta/instanceid", "meta-instanceid", "instanceid", "key", "_id")
#: Characters that separate a group path from a question name in exported headers.
_SEPARATORS = re.compile(r"[/.:\-]")


def xlsform_name(item_id: str) -> str:
    """The XLSForm question name of an item: its id with ``-`` as ``_``.

    Item ids are upper-case letters, digits and hyphens (``ITEM_ID_PATTERN``); a hyphen is a
    valid XML name character but ODK Central joins group paths with it, and an underscore cannot
    occur in an item id, so the mapping is reversible (:func:`item_id_of`).

    Notes
    -----
    A question ``name`` must be a valid XML element name (letters, digits, ``_``, ``-``,
    ``.``; not starting with a digit) [1]_.

    References
    ----------
    .. [1] XLSForm specification, "The survey sheet", https://xlsform.org/en/#the-survey-sheet

    Examples
    --------
    >>> xlsform_name("CP-DIAG-1")
    'CP_DIAG_1'
    >>> item_id_of(xlsform_name("CP-DIAG-1"))
    'CP-DIAG-1'
    """
    return item_id.replace("-", "_")


def item_id_of(name: str) -> str:
    """The item id of an XLSForm question name written by :func:`xlsform_name`."""
    return name.replace("_", "-")


def recognise_xlsform(
    header: Sequence[str], instrument: Instrument, base: ResponseMapping | None = None
) -> ResponseMapping | None:
    """The mapping of a response file exported from the instrument's XLSForm, if it is one.

    A header is recognised when at least one column is an item's XLSForm name
    (:func:`xlsform_name`), alone or under a group path, and is not the item id itself (a file
    with plain item id columns needs no mapping). The mapping maps every such column to its
    item, ignores the metadata columns (:data:`METADATA_COLUMNS`, and every column whose last
    path segment starts with ``_``), takes the submission id (``_uuid``, else
    ``meta/instanceID``, ``KEY`` or ``_id``) as the respondent id, and reads the choices'
    labels as their points (:func:`choice_labels`) in case the export has labels, not names.

    Parameters
    ----------
    header : sequence of str
        The file's column names.
    instrument : Instrument
        The version the form was exported from.
    base : ResponseMapping, optional
        What the command already asks for (its respondent id column, further columns to
        ignore); kept, and added to.

    Returns
    -------
    ResponseMapping or None
        ``None`` when the header is not one of an exported XLSForm.

    Notes
    -----
    KoboToolbox exports group paths joined with ``/`` by default (another separator, or none,
    may be chosen); ODK Central joins them with ``-``. Answers are exported as the choice
    names the form gave (the scale's points, ``na``) [1]_.

    References
    ----------
    .. [1] XLSForm specification, https://xlsform.org

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()
    >>> plan = recognise_xlsform(["start", "a/A_1", "_uuid", "_index"], inst)
    >>> plan.columns, plan.respondent_id, plan.ignore
    ({'a/A_1': 'A-1'}, '_uuid', ['start', '_uuid', '_index'])
    >>> recognise_xlsform(["id", "A-1"], inst) is None
    True
    """
    names = {xlsform_name(item_id): item_id for item_id in instrument.item_ids}
    columns: dict[str, str] = {}
    metadata: list[str] = []
    for column in header:
        last = _SEPARATORS.split(column)[-1] if column else ""
        if column in instrument.item_ids:
            continue
        if last in names:
            columns[column] = names[last]
        elif last.startswith("_") or last.lower() in METADATA_COLUMNS:
            metadata.append(column)
    if not columns:
        return None
    base = base or ResponseMapping()
    lower = {column.lower(): column for column in metadata}
    respondent_id = base.respondent_id or next(
        (lower[name] for name in ID_COLUMNS if name in lower), None
    )
    ignore = [*base.ignore, *(c for c in metadata if c not in base.ignore)]
    return dataclasses.replace(
        base,
        respondent_id=respondent_id,
        columns={**columns, **base.columns},
        ignore=ignore,
        values={**choice_labels(instrument), **base.values},
    )


def recognised_note(file_name: str, instrument: Instrument) -> str:
    """What ``score`` and ``import`` say when :func:`recognise_xlsform` mapped a file."""
    return (
        f"{file_name}: read as a response export of the XLSForm of {instrument.key} (question "
        "names mapped to item ids, the platform's columns left out)"
    )


def choice_labels(instrument: Instrument) -> dict[str, int | str]:
    """The labels of the form's choices (lower case, every language) -> point or ``na``, for an
    export made with labels instead of choice names; a label that names different points on
    two response scales is left out (its cell stays a problem to fix).

    A label that reads as a number or as ``na`` is left out too: the choice names are numbers
    and ``na``, and a name must never be recoded.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()
    >>> choice_labels(inst)  # its labels are the points' numbers
    {}
    >>> scale = inst.response_scales[0].model_copy(
    ...     update={"labels": {1: {"en": "No"}, 2: {"en": "Rather not"}, 3: {"en": "Partly"},
    ...                        4: {"en": "Rather yes"}, 5: {"en": "Yes"}}})
    >>> choice_labels(inst.model_copy(update={"response_scales": [scale]}))["rather yes"]
    4
    """
    found: dict[str, set[int | str]] = {}
    for scale in instrument.response_scales:
        for point, texts in scale.labels.items():
            for text in texts.values():
                found.setdefault(text.strip().lower(), set()).add(point)
        if scale.not_applicable:
            for text in (scale.not_applicable_label or {}).values():
                found.setdefault(text.strip().lower(), set()).add(NOT_APPLICABLE)
    return {
        text: next(iter(points))
        for text, points in found.items()
        if len(points) == 1 and text != NOT_APPLICABLE and not _numeric(text)
    }


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
