"""The checks every command applies to a response file before using it: one set of rules, so
``cocreate score`` and ``cocreate import`` refuse the same faults with the same located messages.

:func:`check_table` turns a :class:`~survey.ingest.files.RawTable` into :class:`Record` objects
and lists every :class:`~survey.ingest.problems.FileProblem`: unnamed, repeated, unknown and
missing columns, rows longer than the header, empty and duplicate respondent ids (with the lines
of both), and answers that are not a point of the item's scale
(:func:`survey.instrument.answers.check_answer`, after the mapping file's ``values:``).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from survey.ingest.files import RawTable
from survey.ingest.mapping import ResponseMapping
from survey.ingest.problems import FileProblem, Kind
from survey.instrument.answers import NOT_APPLICABLE, check_answer
from survey.instrument.model import Instrument


@dataclass(frozen=True)
class Advice:
    """How the command at hand lets a user fix a column problem (its options differ)."""

    unknown_column: str = (
        "map it to an item under 'columns:' in a mapping file, or list it under 'ignore:'"
    )
    missing_column: str = "add the column, or use --allow-missing to import incomplete responses"
    empty_answer: str = "answer it, or use --allow-missing to import incomplete responses"
    unknown_answer: str = "add this text under 'values:' in the mapping file"


@dataclass(frozen=True)
class Record:
    """One respondent's row: its line, respondent id (``None`` without an id column), answers
    (item id -> point or ``"na"``; unanswered items absent) and the cells of the further
    ``fields`` asked for (e.g. role, side), blank when the file has no such column."""

    line: int
    respondent_id: str | None
    answers: dict[str, int | str]
    fields: dict[str, str]


@dataclass(frozen=True)
class CheckedTable:
    """The outcome of :func:`check_table`: the records, and every problem found (none: the file
    can be used). ``name`` is the file's name; ``columns`` the header name of each field found
    (``"respondent_id"``, ``"role"``...)."""

    name: str
    records: list[Record]
    problems: list[FileProblem]
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def id_column(self) -> str | None:
        """The header name of the respondent ids, if the file has them."""
        return self.columns.get("respondent_id")

    def answers_frame(self, item_ids: Sequence[str]) -> pd.DataFrame:
        """Respondents x ``item_ids`` as floats; unanswered and "not applicable" are NaN.

        Indexed by respondent id (named after its column) when the file has one.
        """
        position = {item_id: column for column, item_id in enumerate(item_ids)}
        values = np.full((len(self.records), len(position)), np.nan)
        for row, record in enumerate(self.records):
            for item_id, value in record.answers.items():
                if value != NOT_APPLICABLE and item_id in position:
                    values[row, position[item_id]] = value
        frame = pd.DataFrame(values, columns=list(item_ids))
        if self.id_column is not None:
            frame.index = pd.Index([r.respondent_id for r in self.records], name=self.id_column)
        return frame


def check_table(
    table: RawTable,
    instrument: Instrument,
    mapping: ResponseMapping | None = None,
    *,
    fields: Sequence[str] = (),
    default_id_column: str | None = None,
    allow_missing_columns: bool = False,
    require_answers: bool = False,
    advice: Advice | None = None,
) -> CheckedTable:
    """Check a file's header and rows against ``instrument``; return records and all problems.

    Parameters
    ----------
    table : RawTable
        The file as read by :func:`survey.ingest.files.read_table`.
    instrument : Instrument
        The version the responses were given under.
    mapping : ResponseMapping, optional
        Column renames (``columns``), answer recodes (``values``), columns to leave out
        (``ignore``), rows to skip below the header (``skip_rows``), and the names of the
        respondent id column and of the ``fields`` columns.
    fields : sequence of str
        Further per-respondent columns wanted (``"role"``, ``"side"``...); each is the column of
        that name unless the mapping names another (then it must exist).
    default_id_column : str, optional
        The respondent id column when the mapping names none (optional in the file then).
    allow_missing_columns : bool
        Accept files without a column for some required items.
    require_answers : bool
        A required item's empty cell is a problem.
    advice : Advice, optional
        The command's ways of fixing column problems.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()
    >>> header = ["id", *inst.item_ids]
    >>> table = RawTable("r.csv", 1, header, [(2, ["7", *["3"] * 9]), (3, ["7", *["4"] * 9])])
    >>> for p in check_table(table, inst, ResponseMapping(respondent_id="id")).problems:
    ...     print(p)
    r.csv: line 3, column 'id', value '7': duplicate respondent id (also on line 2). Fix: ...
    """
    mapping = mapping or ResponseMapping()
    advice = advice or Advice()
    name = table.name
    header_line, header = table.header_line, table.header
    data = table.rows[mapping.skip_rows :]

    def problem(message: str, kind: Kind, **where: Any) -> FileProblem:
        return FileProblem(message, file=name, kind=kind, **where)

    if not data:
        return CheckedTable(
            name,
            [],
            [
                problem(
                    "the file has a header but no responses",
                    Kind.EMPTY,
                    line=header_line,
                    fix="export the responses again",
                )
            ],
        )
    problems: list[FileProblem] = []
    item_ids = {item_id.upper(): item_id for item_id in instrument.item_ids}
    for column, item_id in mapping.columns.items():
        if item_id not in instrument.item_ids:
            problems.append(
                problem(
                    f"the mapping file maps this column to {item_id!r}, which is not an item of "
                    f"{instrument.key}",
                    Kind.MAPPING,
                    column=column,
                )
            )
    wanted = {"respondent_id": mapping.respondent_id or default_id_column}
    wanted |= {f: getattr(mapping, f, None) or f for f in fields}
    named = {"respondent_id": mapping.respondent_id}
    named |= {f: getattr(mapping, f, None) for f in fields}
    special_lower = {v.lower(): k for k, v in wanted.items() if v}
    ignore = {c.lower() for c in mapping.ignore}
    columns: dict[int, str] = {}  # position -> item id
    positions: dict[str, int] = {}  # special name -> position
    seen: set[str] = set()
    unknown: list[FileProblem] = []
    for position, column_name in enumerate(header):
        if not column_name:
            if any(position < len(cells) and cells[position] for _, cells in data):
                problems.append(
                    problem(
                        f"column {position + 1} has values but no name in the header",
                        Kind.HEADER,
                        line=header_line,
                        fix="name it, or delete the column",
                    )
                )
            continue
        if column_name in seen:
            problems.append(
                problem(
                    "this column name appears twice in the header",
                    Kind.HEADER,
                    line=header_line,
                    column=column_name,
                )
            )
            continue
        seen.add(column_name)
        if column_name in mapping.columns:
            columns[position] = mapping.columns[column_name]
        elif column_name.lower() in special_lower:
            positions[special_lower[column_name.lower()]] = position
        elif column_name.upper() in item_ids:
            columns[position] = item_ids[column_name.upper()]
        elif column_name.lower() not in ignore:
            hint = difflib.get_close_matches(column_name.upper(), list(item_ids), n=1, cutoff=0.8)
            unknown.append(
                problem(
                    f"unknown column: not an item of {instrument.key}"
                    + (f" (did you mean {item_ids[hint[0]]!r}?)" if hint else ""),
                    Kind.UNKNOWN_COLUMN,
                    line=header_line,
                    column=column_name,
                    fix=advice.unknown_column,
                )
            )
    if unknown and not columns:
        problems.append(
            problem(
                f"none of its columns is an item of {instrument.key} (first columns: "
                f"{[c for c in header if c][:3]}; items: {instrument.item_ids[:3]}...)",
                Kind.UNKNOWN_COLUMN,
                fix="check that it is the right instrument and the right file",
            )
        )
    else:
        problems += unknown
    for field_name, given in named.items():
        if given and field_name not in positions:
            problems.append(
                problem(
                    f"no column {given!r}, named as the {field_name} column",
                    Kind.MISSING_COLUMN,
                    line=header_line,
                    fix="check its spelling against the file's header",
                )
            )
    mapped_items = set(columns.values())
    if len(mapped_items) != len(columns):
        problems.append(problem("two columns map to the same item", Kind.MAPPING, line=header_line))
    if columns and not allow_missing_columns:
        absent = [i.id for i in instrument.items if i.required and i.id not in mapped_items]
        if absent:
            problems.append(
                problem(
                    f"missing item column(s) {absent} of {instrument.key}",
                    Kind.MISSING_COLUMN,
                    fix=advice.missing_column,
                )
            )
    if problems:
        return CheckedTable(name, [], problems)
    found = {f: header[p] for f, p in positions.items()}
    id_position = positions.get("respondent_id")
    id_column = found.get("respondent_id")
    required = {item.id for item in instrument.items if item.required}
    records: list[Record] = []
    first_line: dict[str, int] = {}
    verdicts: dict[tuple[str, str], tuple[Any, str | None]] = {}
    for line, cells in data:

        def cell(position: int, cells: list[str] = cells) -> str:
            return cells[position] if position < len(cells) else ""

        if len(cells) > len(header) and any(cells[len(header) :]):
            problems.append(
                problem(
                    f"the row has {len(cells)} cells but the header only {len(header)}",
                    Kind.ROW_LENGTH,
                    line=line,
                    fix="name the extra columns in the header, or check the delimiter",
                )
            )
        respondent = None
        if id_position is not None:
            respondent = cell(id_position)
            if not respondent:
                problems.append(
                    problem(
                        "respondent id is empty",
                        Kind.RESPONDENT_ID,
                        line=line,
                        column=id_column,
                        value="",
                    )
                )
            elif respondent in first_line:
                problems.append(
                    problem(
                        f"duplicate respondent id (also on line {first_line[respondent]})",
                        Kind.DUPLICATE_ID,
                        line=line,
                        column=id_column,
                        value=respondent,
                        fix="give each respondent one row (remove the repeated row or correct "
                        "its id)",
                    )
                )
            else:
                first_line[respondent] = line
        answers: dict[str, int | str] = {}
        for position, item_id in columns.items():
            text = cell(position)
            if not text:
                if require_answers and item_id in required:
                    problems.append(
                        problem(
                            "required item is empty",
                            Kind.ANSWER,
                            line=line,
                            column=header[position],
                            value="",
                            fix=advice.empty_answer,
                        )
                    )
                continue
            verdict = verdicts.get((item_id, text))
            if verdict is None:  # each distinct answer of an item is judged once
                verdict = check_answer(
                    instrument, item_id, _number(mapping.values.get(text.lower(), text))
                )
                verdicts[(item_id, text)] = verdict
            value, message = verdict
            if message:
                fix = None
                if mapping.values and text.lower() not in mapping.values and _number(text) == text:
                    fix = advice.unknown_answer
                problems.append(
                    problem(
                        message,
                        Kind.ANSWER,
                        line=line,
                        column=header[position],
                        value=text,
                        fix=fix,
                    )
                )
            elif value is not None:
                answers[item_id] = value
        extra = {f: cell(positions[f]) if f in positions else "" for f in fields}
        records.append(Record(line, respondent, answers, extra))
    return CheckedTable(name, records, problems, found)


def _number(value: Any) -> Any:
    """Numeric text as a number (``"4"``, ``"4.0"``), anything else as it is."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return value
    return number if number == number else value  # "nan" stays text
