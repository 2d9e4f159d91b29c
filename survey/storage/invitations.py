"""Invitations: one per respondent, found by the token in their link (stored only hashed).

Examples
--------
>>> from survey.storage import open_store
>>> store = open_store("sqlite://")
>>> org = store.create_organisation("Acme", industry="Machinery", size_band="1-49", region="EU")
>>> campaign = store.create_campaign(org.id, "Pilot", instruments=["cocreation-practices"])
>>> token = new_token()
>>> invitation = store.write(lambda conn: create_invitation(
...     conn, campaign.id, token, role="sales", email="ana@acme.example"))
>>> store.read(lambda conn: invitation_row(conn, token)).id == invitation.id
True
>>> store.read(lambda conn: invitation_email(conn, invitation.id))
'ana@acme.example'
"""

from __future__ import annotations

import secrets
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, insert, select, update

from survey.storage import campaigns
from survey.storage import models as m
from survey.storage.errors import NotFound
from survey.storage.records import Invitation, invitation_record
from survey.storage.rows import token_hash, utcnow
from survey.vocab import RESPONDENT_ROLES, SIDES


def new_token() -> str:
    """A new invitation token: 32 random bytes (256 bits), URL-safe.

    Returns
    -------
    str

    Examples
    --------
    >>> len(new_token()), new_token() == new_token()
    (43, False)
    """
    return secrets.token_urlsafe(32)


def check_invitation(role: str, side: str) -> None:
    """Raise unless ``role`` and ``side`` are words of the vocabulary.

    Parameters
    ----------
    role : str
        One of :data:`survey.vocab.RESPONDENT_ROLES`.
    side : str
        One of :data:`survey.vocab.SIDES`.

    Raises
    ------
    ValueError
        Naming the allowed values.

    Examples
    --------
    >>> check_invitation("sales", "self")
    >>> check_invitation("sales", "supplier")
    Traceback (most recent call last):
    ValueError: side 'supplier' is not one of self, customer, partner
    """
    if role not in RESPONDENT_ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(RESPONDENT_ROLES)}")
    if side not in SIDES:
        raise ValueError(f"side {side!r} is not one of {', '.join(SIDES)}")


def create_invitation(
    conn: Connection,
    campaign_id: int,
    token: str,
    *,
    role: str,
    side: str = "self",
    language: str = "en",
    email: str | None = None,
) -> Invitation:
    """Create an invitation that ``token`` opens (checked with :func:`check_invitation`).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    campaign_id : int
    token : str
        Stored only as its hash (:func:`survey.storage.rows.token_hash`).
    role, side, language : str
        ``side`` must be one the campaign collects.
    email : str, optional
        Kept apart from the invitation (``invitation_contacts``), for reminders.

    Returns
    -------
    Invitation

    Raises
    ------
    NotFound
        When the campaign does not exist.
    ValueError
        When the campaign does not collect ``side``.
    """
    campaign = campaigns.campaign(conn, campaign_id)
    if side not in campaign.sides:
        raise ValueError(
            f"campaign {campaign.name!r} collects {', '.join(campaign.sides)} views, not {side!r}"
        )
    now = utcnow()
    invitation_id = conn.execute(
        insert(m.Invitation)
        .values(
            campaign_id=campaign_id,
            token_hash=token_hash(token),
            role=role,
            side=side,
            language=language,
            created_at=now,
        )
        .returning(m.Invitation.id)
    ).scalar_one()
    if email:
        conn.execute(insert(m.InvitationContact).values(invitation_id=invitation_id, email=email))
    return Invitation(invitation_id, campaign_id, role, side, language, now.replace(tzinfo=UTC))


def invitation_row(conn: Connection, token: str) -> Any:
    """The ``invitations`` row that ``token`` opens.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    token : str

    Returns
    -------
    row of ``invitations``

    Raises
    ------
    NotFound
        For an empty token or one that opens nothing.
    """
    if not isinstance(token, str) or not token:
        raise NotFound("no invitation for this link")
    row = conn.execute(
        select(m.Invitation.__table__).where(m.Invitation.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise NotFound("no invitation for this link; check that it was copied completely")
    return row


def invitation(conn: Connection, token: str) -> Invitation:
    """The invitation that ``token`` opens (:func:`invitation_row` as a record).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    token : str

    Returns
    -------
    Invitation

    Raises
    ------
    NotFound
        For an empty token or one that opens nothing.
    """
    return invitation_record(invitation_row(conn, token))


def invitations(conn: Connection, campaign_id: int) -> list[Invitation]:
    """A campaign's invitations in the order created.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    campaign_id : int

    Returns
    -------
    list of Invitation
    """
    rows = conn.execute(
        select(m.Invitation.__table__)
        .where(m.Invitation.campaign_id == campaign_id)
        .order_by(m.Invitation.id)
    ).all()
    return [invitation_record(row) for row in rows]


def invitation_email(conn: Connection, invitation_id: int) -> str | None:
    """The e-mail address kept for an invitation, if any.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    invitation_id : int

    Returns
    -------
    str or None
    """
    return conn.execute(
        select(m.InvitationContact.email).where(m.InvitationContact.invitation_id == invitation_id)
    ).scalar()


def set_language(conn: Connection, token: str, language: str) -> None:
    """Change the language the respondent of ``token`` answers in.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    token : str
    language : str

    Raises
    ------
    NotFound
        When ``token`` opens nothing.
    """
    row = invitation_row(conn, token)
    conn.execute(update(m.Invitation).where(m.Invitation.id == row.id).values(language=language))
