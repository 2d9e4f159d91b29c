"""Organisations: creating them, finding them, and who may see which.

Examples
--------
>>> from survey.storage import open_store
>>> store = open_store("sqlite://")
>>> acme = store.write(lambda conn: create_organisation(
...     conn, "Acme", industry="Machinery", size_band="1-49", region="EU"))
>>> store.read(lambda conn: organisation_row(conn, "Acme")).id == acme.id
True
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import Connection, select

from survey.storage import fields
from survey.storage import models as m
from survey.storage.errors import AmbiguousName, FieldError, FieldRule, NameTaken, NotFound
from survey.storage.fields import bad_character, clean, excerpt
from survey.storage.records import Organisation, User, organisation_record
from survey.storage.rows import insert_organisation, utcnow
from survey.text import name_key
from survey.vocab import UserRole

#: Roles that see every organisation.
SEE_ALL: tuple[UserRole, ...] = (UserRole.ADMIN, UserRole.RESEARCHER)


def organisation_row(conn: Connection, key: int | str, user: User | None = None) -> Any:
    """The ``organisations`` row with id ``key`` (an int) or name ``key`` (a str).

    Names are unique per consultant, not across the database: a name is looked up among the
    organisations ``user`` may see (:func:`visible_organisations`; ``None``, system use, sees
    every one), and a name several of them share is refused with their ids, so that the caller
    can give the id instead. An id is found whoever asks (callers check access on it).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    key : int or str
    user : User, optional
        Whose organisations a name is looked up among.

    Returns
    -------
    row of ``organisations``

    Raises
    ------
    NotFound
        When there is no such organisation (or none ``user`` may see by that name).
    AmbiguousName
        When several organisations ``user`` may see have that name.
    """
    table = m.Organisation.__table__
    if isinstance(key, int):
        row = conn.execute(select(table).where(m.Organisation.id == key)).first()
        if row is None:
            raise NotFound(f"no organisation {key}")
        return row
    query = select(table).where(m.Organisation.name == key.strip()).order_by(m.Organisation.id)
    query = _visible_to(query, user)
    rows = [] if query is None or bad_character(key) else conn.execute(query).all()
    if not rows:
        raise NotFound(f"no organisation named {excerpt(key.strip())}")
    if len(rows) > 1:
        ids = ", ".join(str(row.id) for row in rows)
        raise AmbiguousName(
            f"{len(rows)} organisations are named {excerpt(key.strip())} (ids {ids}); "
            "give the id instead of the name"
        )
    return rows[0]


def _visible_to(query: Any, user: User | None) -> Any:
    """``query`` on organisations narrowed to what ``user`` may see; ``None`` for nothing."""
    if user is None or user.role in SEE_ALL:
        return query
    if user.role == UserRole.CONSULTANT:
        return query.where(m.Organisation.consultant_id == user.id)
    if user.role == UserRole.FIRM_ADMIN:
        return query.where(m.Organisation.id == user.organisation_id)
    return None


def organisation(conn: Connection, key: int | str, user: User | None = None) -> Organisation:
    """An organisation by id or by name (:func:`organisation_row` as a record).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    key : int or str
    user : User, optional
        Whose organisations a name is looked up among (``None``: every one).

    Returns
    -------
    Organisation

    Raises
    ------
    NotFound
        When there is no such organisation.
    AmbiguousName
        When several organisations ``user`` may see have that name.
    """
    return organisation_record(organisation_row(conn, key, user))


def create_organisation(
    conn: Connection,
    name: str,
    *,
    industry: str,
    size_band: str,
    region: str,
    consultant_id: int | None = None,
) -> Organisation:
    """Create an organisation, looked after by a consultant if given.

    Every field is checked by :mod:`survey.storage.fields` (trimmed, not blank, no control
    characters, within its column's length; ``size_band`` one of the size bands). The name is
    unique per consultant: a consultant may not have two clients of one name, organisations
    without a consultant may not share one, but the clients of another consultant are neither
    consulted nor revealed.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    name : str
        Trimmed; must not be empty or one of the same consultant's clients.
    industry, size_band, region : str
    consultant_id : int, optional
        Must be a consultant's account.

    Returns
    -------
    Organisation

    Raises
    ------
    FieldError
        When a field breaks its rule.
    ValueError
        When the consultant has a client of that name, or ``consultant_id`` is no consultant.
    """
    name = clean(fields.ORGANISATION_NAME, name)
    industry = clean(fields.INDUSTRY, industry)
    size_band = clean(fields.SIZE_BAND, size_band)
    region = clean(fields.REGION, region)
    if consultant_id is not None:
        role = conn.execute(select(m.User.role).where(m.User.id == consultant_id)).first()
        if role is None or role[0] != UserRole.CONSULTANT:
            raise ValueError(f"user {consultant_id} is not a consultant account")
    same_owner = (
        m.Organisation.consultant_id.is_(None)
        if consultant_id is None
        else m.Organisation.consultant_id == consultant_id
    )
    if name.isdigit():
        # `--organization 7` and Store.organisation("7") read digits as an id.
        raise FieldError(
            fields.ORGANISATION_NAME.name,
            excerpt(name),
            "more than digits (a name of digits reads as an organisation id)",
            "add a word, e.g. 'Client 7'",
            code=FieldRule.NOT_DIGITS,
        )
    # One name whatever its case, width or accent encoding: "ACME" is "Acme" (survey.text).
    key = name_key(name)
    taken = next(
        (
            row.id
            for row in conn.execute(
                select(m.Organisation.id, m.Organisation.name).where(same_owner)
            )
            if name_key(row.name) == key
        ),
        None,
    )
    if taken is not None:
        whose = "among your clients" if consultant_id is not None else "without a consultant"
        raise NameTaken(
            f"an organisation named {excerpt(name)} exists already {whose} (id {taken}); "
            "choose another name",
            kind="organisation" if consultant_id is not None else "organisation_unowned",
            name=name,
            taken_by=taken,
        )
    now = utcnow()
    org_id = insert_organisation(
        conn,
        name=name,
        industry=industry,
        size_band=size_band,
        region=region,
        consultant_id=consultant_id,
        created_at=now,
    )
    return Organisation(
        org_id, name, industry, size_band, region, consultant_id, now.replace(tzinfo=UTC)
    )


def visible_organisations(conn: Connection, user: User | None) -> list[Organisation]:
    """What ``user`` may see, by name.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    user : User or None
        Admins and researchers see everything, consultants their clients, firm admins their
        own organisation; ``None`` (system use) sees everything.

    Returns
    -------
    list of Organisation
    """
    query = _visible_to(select(m.Organisation.__table__).order_by(m.Organisation.name), user)
    if query is None:
        return []
    return [organisation_record(row) for row in conn.execute(query).all()]


def may_see(conn: Connection, user: User | None, organisation_id: int) -> bool:
    """Whether ``user`` may see the organisation (:func:`visible_organisations`).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    user : User or None
    organisation_id : int

    Returns
    -------
    bool
    """
    if user is None or user.role in SEE_ALL:
        return True
    return any(org.id == organisation_id for org in visible_organisations(conn, user))
