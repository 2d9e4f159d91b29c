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
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, insert, select, update

from survey.i18n.messages import available_languages
from survey.instrument.registry import Registry
from survey.storage import campaigns, fields
from survey.storage import models as m
from survey.storage.errors import FieldError, FieldRule, NotFound
from survey.storage.fields import clean, clean_optional, excerpt
from survey.storage.records import Campaign, Invitation, invitation_record
from survey.storage.rows import token_hash, utcnow


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


def check_invitation(role: str, side: str) -> tuple[str, str]:
    """``role`` and ``side`` (trimmed) if they are words of the vocabulary, else raise.

    Parameters
    ----------
    role : str
        One of :data:`survey.vocab.RESPONDENT_ROLES`.
    side : str
        One of :data:`survey.vocab.SIDES`.

    Returns
    -------
    tuple of (str, str)

    Raises
    ------
    FieldError
        Naming the field and the allowed values (a ``ValueError`` too).

    Examples
    --------
    >>> check_invitation("sales", " self")
    ('sales', 'self')
    >>> check_invitation("sales", "supplier")
    Traceback (most recent call last):
    survey.storage.errors.FieldError: side 'supplier': must be one of self, customer, partner;
    use one of these codes
    """
    return clean(fields.ROLE, role), clean(fields.SIDE, side)


def campaign_languages(registry: Registry, campaign: Campaign) -> list[str]:
    """The languages a campaign's respondents may answer in: those of its pinned instrument
    versions, in their order.

    Parameters
    ----------
    registry : Registry
    campaign : Campaign

    Returns
    -------
    list of str
        Empty when the registry has none of the versions (then the catalogue's languages
        apply, see :func:`check_language`).
    """
    found: list[str] = []
    for ref in campaign.instruments:
        try:
            languages = registry.get(ref).languages
        except ValueError:
            continue
        found.extend(lang for lang in languages if lang not in found)
    return found


def check_language(language: str, languages: Sequence[str] | None = None) -> str:
    """``language`` if it is one of ``languages`` (default, or when empty: the languages of the
    app's message catalogues), else :class:`FieldError`.

    Parameters
    ----------
    language : str
    languages : sequence of str, optional
        The instrument's languages (:func:`campaign_languages`).

    Returns
    -------
    str
        Trimmed.

    Raises
    ------
    FieldError

    Examples
    --------
    >>> check_language("de", ["en", "de"])
    'de'
    >>> check_language("=1+1", ["en", "de"])
    Traceback (most recent call last):
    survey.storage.errors.FieldError: language '=1+1': must be one of en, de; use one of these codes
    """
    return clean(fields.LANGUAGE, language, codes=languages or available_languages())


def create_invitation(
    conn: Connection,
    campaign_id: int,
    token: str,
    *,
    role: str,
    side: str = "self",
    language: str = "en",
    email: str | None = None,
    languages: Sequence[str] | None = None,
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
        ``role`` and ``side`` words of the vocabulary (:func:`check_invitation`), ``side`` one
        the campaign collects; ``language`` one of ``languages`` (:func:`check_language`).
    email : str, optional
        Kept apart from the invitation (``invitation_contacts``), for reminders.
    languages : sequence of str, optional
        The campaign's languages (:func:`campaign_languages`); default the catalogue's.

    Returns
    -------
    Invitation

    Raises
    ------
    FieldError
        When a field breaks its rule (:mod:`survey.storage.fields`).
    NotFound
        When the campaign does not exist.
    ValueError
        When the campaign does not collect ``side``.
    """
    role, side = check_invitation(role, side)
    language = check_language(language, languages)
    email = clean_optional(fields.CONTACT_EMAIL, email)
    if email is not None and "@" not in email:
        raise FieldError(
            fields.CONTACT_EMAIL.name,
            excerpt(email),
            "an address with @",
            "correct it",
            code=FieldRule.EMAIL,
        )
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


def set_language(
    conn: Connection, token: str, language: str, languages: Sequence[str] | None = None
) -> None:
    """Change the language the respondent of ``token`` answers in.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    token : str
    language : str
        One of ``languages`` (:func:`check_language`).
    languages : sequence of str, optional
        The campaign's languages (:func:`campaign_languages`); default the catalogue's.

    Raises
    ------
    FieldError
        When ``language`` is not one of them.
    NotFound
        When ``token`` opens nothing.
    """
    language = check_language(language, languages)
    row = invitation_row(conn, token)
    conn.execute(update(m.Invitation).where(m.Invitation.id == row.id).values(language=language))
