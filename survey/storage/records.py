"""The records the store hands out: plain frozen dataclasses, never live ORM objects.

Each ``*_record`` function turns one database row (any object with the table's column names as
attributes) into its record; times come back as aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from survey.storage.rows import from_db_time


@dataclass(frozen=True)
class User:
    """An account: ``role`` is one of :data:`survey.vocab.USER_ROLES`."""

    id: int
    email: str
    name: str | None
    role: str
    organisation_id: int | None


@dataclass(frozen=True)
class Organisation:
    """A client organisation and the consultant who looks after it (if any)."""

    id: int
    name: str
    industry: str
    size_band: str
    region: str
    consultant_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class Campaign:
    """A campaign: its pinned instrument versions (``id@version``, in order) and its sides."""

    id: int
    organisation_id: int
    name: str
    instruments: list[str]
    sides: tuple[str, ...]
    opens_at: datetime | None
    closes_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Invitation:
    """One respondent's invitation to a campaign (its token is never stored, only its hash)."""

    id: int
    campaign_id: int
    role: str
    side: str
    language: str
    created_at: datetime


@dataclass(frozen=True)
class ResponseState:
    """Where a respondent stands: their answers per instrument and the status of the whole."""

    invitation: Invitation
    campaign: Campaign
    answers: dict[str, dict[str, int | str]]
    status: str
    submitted_at: datetime | None
    response_ids: dict[str, int] = field(default_factory=dict)
    last_saved_at: datetime | None = None


def user_record(row: Any) -> User:
    """The :class:`User` of a ``users`` row.

    Parameters
    ----------
    row : row of ``users``
        Needs ``id``, ``email``, ``name``, ``role`` and ``organisation_id``.

    Returns
    -------
    User

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> user_record(Row(id=1, email="a@b.c", name=None, role="admin", organisation_id=None))
    User(id=1, email='a@b.c', name=None, role='admin', organisation_id=None)
    """
    return User(row.id, row.email, row.name, row.role, row.organisation_id)


def organisation_record(row: Any) -> Organisation:
    """The :class:`Organisation` of an ``organisations`` row (``created_at`` as aware UTC).

    Parameters
    ----------
    row : row of ``organisations``

    Returns
    -------
    Organisation

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> org = organisation_record(Row(id=2, name="Acme", industry="Machinery", size_band="1-49",
    ...     region="EU", consultant_id=None, created_at=datetime(2026, 1, 2)))
    >>> org.name, org.created_at.isoformat()
    ('Acme', '2026-01-02T00:00:00+00:00')
    """
    return Organisation(
        row.id,
        row.name,
        row.industry,
        row.size_band,
        row.region,
        row.consultant_id,
        from_db_time(row.created_at) or datetime.now(UTC),
    )


def invitation_record(row: Any) -> Invitation:
    """The :class:`Invitation` of an ``invitations`` row (``created_at`` as aware UTC).

    Parameters
    ----------
    row : row of ``invitations``

    Returns
    -------
    Invitation

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> invitation_record(Row(id=3, campaign_id=1, role="sales", side="self", language="en",
    ...     created_at=datetime(2026, 1, 2))).role
    'sales'
    """
    return Invitation(
        row.id,
        row.campaign_id,
        row.role,
        row.side,
        row.language,
        from_db_time(row.created_at) or datetime.now(UTC),
    )
