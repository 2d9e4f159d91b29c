"""Errors the storage layer raises for callers to show to users."""

from __future__ import annotations

from enum import StrEnum

from survey.instrument.answers import AnswerProblem


class StorageError(Exception):
    """Base class: a problem with stored data or a request against it."""


class FieldRule(StrEnum):
    """Which rule of :mod:`survey.storage.fields` a value breaks; the app words each one in the
    reader's language from the message catalogues (``field_rule.<value>``)."""

    TEXT = "text"
    CHARACTERS = "characters"
    FILLED = "filled"
    CODES = "codes"
    LENGTH = "length"
    EMAIL = "email"
    NOT_DIGITS = "not_digits"


class FieldError(StorageError, ValueError):
    """A value a field does not accept (:mod:`survey.storage.fields`); nothing was stored.

    ``field`` names the field, ``value`` is an excerpt of the refused value (quoted, control
    characters escaped), ``rule`` the rule it breaks and ``fix`` what to do, in English (the CLI
    prints them). ``code`` is the rule as a :class:`FieldRule` and ``details`` its particulars
    (``character``, ``allowed``, ``limit``, ``got``), from which the app words the message in
    the reader's language (:func:`survey.services.refusals.refusal_text`).
    """

    def __init__(
        self,
        field: str,
        value: str,
        rule: str,
        fix: str,
        *,
        got: int | None = None,
        code: FieldRule = FieldRule.TEXT,
        details: dict[str, str | int] | None = None,
    ) -> None:
        self.field, self.value, self.rule, self.fix = field, value, rule, fix
        self.code = code
        self.details: dict[str, str | int] = dict(details or {})
        if got is not None:
            self.details["got"] = got
        count = "" if got is None else f" ({got} characters)"
        super().__init__(f"{field} {value}{count}: must be {rule}; {fix}")


class DatabaseRefused(StorageError):
    """The database refused a request (a constraint, or a value it cannot hold); nothing was
    stored. The message names the constraint or the problem, never the SQL statement or the
    values of other rows."""


class NotFound(StorageError, LookupError):
    """No such organisation, campaign, invitation (token) or response."""


class NameTaken(StorageError, ValueError):
    """The name is in use where it must be unique (the same consultant's clients, the same
    organisation's campaigns, accounts). Says only what the caller may see.

    ``kind`` is what carries the name (``"organisation"``, ``"campaign"``, ``"account"``),
    ``name`` the name as given and ``taken_by`` the id of the caller's own record that has it,
    when there is one; the app words the message in the reader's language from them.
    """

    def __init__(
        self, message: str, *, kind: str = "", name: str = "", taken_by: int | None = None
    ) -> None:
        self.kind, self.name, self.taken_by = kind, name, taken_by
        super().__init__(message)


class AmbiguousName(StorageError, LookupError):
    """Several organisations the caller may see share the name: give the id instead."""


class AccessDenied(StorageError, PermissionError):
    """The user may not see or change this organisation's data."""


class SubmissionError(StorageError, ValueError):
    """Answers that cannot be saved or submitted; nothing of the request was stored.

    ``problems`` lists every problem found, each an :class:`AnswerProblem`.
    """

    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = []
        for problem in self.problems:
            where = problem.item or problem.instrument or "response"
            lines.append(f"{where}: {problem.problem}")
        return "; ".join(lines)


class AlreadySubmitted(SubmissionError):
    """The response was submitted and is frozen."""
