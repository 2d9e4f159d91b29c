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
from survey.storage.errors import NotFound
from survey.storage.fields import clean
from survey.storage.records import Organisation, User, organisation_record
from survey.storage.rows import insert_organisation, utcnow
from survey.vocab import UserRole

#: Roles that see every organisation.
SEE_ALL: tuple[UserRole, ...] = (UserRole.ADMIN, UserRole.RESEARCHER)


def organisation_row(conn: Connection, key: int | str) -> Any:
    """The ``organisations`` row with id ``key`` (an int) or name ``key`` (a str).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    key : int or str

    Returns
    -------
    row of ``organisations``

    Raises
    ------
    NotFound
        When there is no such organisation.
    """
    table = m.Organisation.__table__
    if isinstance(key, int):
        row = conn.execute(select(table).where(m.Organisation.id == key)).first()
    else:
        row = conn.execute(select(table).where(m.Organisation.name == key)).first()
    if row is None:
        raise NotFound(f"no organisation {key!r}")
    return row


def organisation(conn: Connection, key: int | str) -> Organisation:
    """An organisation by id or by name (:func:`organisation_row` as a record).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    key : int or str

    Returns
    -------
    Organisation

    Raises
    ------
    NotFound
        When there is no such organisation.
    """
    return organisation_record(organisation_row(conn, key))


def create_organisation(
    conn: Connection,
    name: str,
    *,
    industry: str,
    size_band: str,
    region: str,
    consultant_id: int | None = None,
) -> Organisation:
    """Create an organisation with a unique name, looked after by a consultant if given.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    name : str
        Trimmed; must not be empty or taken.
    industry, size_band, region : str
    consultant_id : int, optional
        Must be a consultant's account.

    Returns
    -------
    Organisation

    Raises
    ------
    FieldError
        When a field breaks its rule (:mod:`survey.storage.fields`).
    ValueError
        When the name is taken, or ``consultant_id`` is no consultant.
    """
    name = clean(fields.ORGANISATION_NAME, name)
    industry = clean(fields.INDUSTRY, industry)
    size_band = clean(fields.SIZE_BAND, size_band)
    region = clean(fields.REGION, region)
    if conn.execute(select(m.Organisation.id).where(m.Organisation.name == name)).first():
        raise ValueError(f"an organisation named {name!r} exists already")
    if consultant_id is not None:
        role = conn.execute(select(m.User.role).where(m.User.id == consultant_id)).first()
        if role is None or role[0] != UserRole.CONSULTANT:
            raise ValueError(f"user {consultant_id} is not a consultant account")
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
    query = select(m.Organisation.__table__).order_by(m.Organisation.name)
    if user is not None:
        if user.role == UserRole.CONSULTANT:
            query = query.where(m.Organisation.consultant_id == user.id)
        elif user.role == UserRole.FIRM_ADMIN:
            query = query.where(m.Organisation.id == user.organisation_id)
        elif user.role not in SEE_ALL:
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
