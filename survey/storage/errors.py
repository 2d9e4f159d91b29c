"""Errors the storage layer raises for callers to show to users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AnswerProblem:
    """One reason why answers cannot be saved or submitted.

    Attributes
    ----------
    item : str or None
        The item id, or ``None`` for a problem with the whole response (the campaign is
        closed, the instrument is not the campaign's).
    problem : str
        What is wrong, in words.
    instrument : str or None
        ``id@version`` of the instrument, where known.
    value : object
        The value given, where one was given and is wrong.

    Examples
    --------
    >>> str(SubmissionError([AnswerProblem("A-1", "value 6 is outside the scale 1..5",
    ...     "demo@1.0.0", 6), AnswerProblem(None, "the campaign closed on 2026-01-01")]))
    'A-1: value 6 is outside the scale 1..5; response: the campaign closed on 2026-01-01'
    """

    item: str | None
    problem: str
    instrument: str | None = None
    value: Any = None


class StorageError(Exception):
    """Base class: a problem with stored data or a request against it."""


class NotFound(StorageError, LookupError):
    """No such organisation, campaign, invitation (token) or response."""


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
