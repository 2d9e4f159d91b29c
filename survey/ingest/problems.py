"""What is wrong with a response file, located: one :class:`FileProblem` per fault, gathered in
:class:`FileRefused` when the file cannot be used as it is.

Every command that reads a response file (``cocreate score``, ``cocreate import``) reports its
problems with these, so the same fault reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What sort of problem a :class:`FileProblem` is (for programs; people read the message)."""

    UNREADABLE = "unreadable"
    TOO_LARGE = "too-large"
    ENCODING = "encoding"
    DELIMITER = "delimiter"
    EMPTY = "empty"
    HEADER = "header"
    UNKNOWN_COLUMN = "unknown-column"
    MISSING_COLUMN = "missing-column"
    ROW_LENGTH = "row-length"
    RESPONDENT_ID = "respondent-id"
    DUPLICATE_ID = "duplicate-id"
    ANSWER = "answer"
    VALUE = "value"
    MAPPING = "mapping"
    DESTINATION = "destination"


@dataclass(frozen=True)
class FileProblem:
    """One problem: where it is (file, line as an editor shows it, column, value), what is wrong
    and how to fix it.

    Examples
    --------
    >>> print(FileProblem("duplicate respondent id (also on line 2)", file="r.csv", line=4,
    ...                   column="id", value="1", kind=Kind.DUPLICATE_ID, fix="keep one"))
    r.csv: line 4, column 'id', value '1': duplicate respondent id (also on line 2). Fix: keep one
    >>> str(FileProblem("the file is empty", file="r.csv", kind=Kind.EMPTY))
    'r.csv: the file is empty'
    """

    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    file: str | None = None
    fix: str | None = None
    kind: Kind = Kind.UNREADABLE

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        text = ", ".join(where) + ": " if where else ""
        if self.file is not None:
            text = f"{self.file}: {text}"
        text += self.message
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class FileRefused(ValueError):
    """The file cannot be used as it is; ``problems`` says what to fix (all that were found)."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
