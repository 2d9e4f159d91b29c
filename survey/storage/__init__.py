"""Collection and storage: organisations, campaigns, invitations, drafts, submissions, imports.

SQLite (embedded, the default) or PostgreSQL (shared deployments), one schema migrated with
Alembic. See ``docs/storage.md`` and ``docs/storage-api.md``.
"""

from __future__ import annotations

from survey.ingest.table import ResponseTable
from survey.instrument.answers import NOT_APPLICABLE
from survey.storage.errors import (
    AccessDenied,
    AlreadySubmitted,
    AmbiguousName,
    AnswerProblem,
    DatabaseRefused,
    FieldError,
    NameTaken,
    NotFound,
    StorageError,
    SubmissionError,
)
from survey.storage.records import Campaign, Invitation, Organisation, ResponseState, User
from survey.storage.store import Store, open_store

__all__ = [
    "NOT_APPLICABLE",
    "AccessDenied",
    "AlreadySubmitted",
    "AmbiguousName",
    "AnswerProblem",
    "Campaign",
    "DatabaseRefused",
    "FieldError",
    "Invitation",
    "NameTaken",
    "NotFound",
    "Organisation",
    "ResponseState",
    "ResponseTable",
    "StorageError",
    "Store",
    "SubmissionError",
    "User",
    "open_store",
]
