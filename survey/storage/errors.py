"""Errors the storage layer raises for callers to show to users."""

from __future__ import annotations

from survey.instrument.answers import AnswerProblem


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
