"""Accounts: creating users, finding them, and checking passwords (argon2id hashes only).

Hashing is slow on purpose, so it happens outside any transaction: :func:`check_new_user` and
the hash come first, :func:`insert_user` runs in the write.
"""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select

from survey.storage import fields
from survey.storage import models as m
from survey.storage.errors import NameTaken, NotFound
from survey.storage.fields import bad_character, clean, clean_optional
from survey.storage.organisations import organisation_row
from survey.storage.records import User, user_record
from survey.storage.rows import utcnow
from survey.vocab import UserRole

#: argon2id with the library's defaults (the store's default; tests may use cheaper ones).
DEFAULT_HASHER = PasswordHasher()


def normal_email(email: str) -> str:
    """The form in which e-mail addresses are stored and looked up: trimmed, lower case.

    Parameters
    ----------
    email : str

    Returns
    -------
    str

    Examples
    --------
    >>> normal_email("  Ana@Example.ORG ")
    'ana@example.org'
    """
    return email.strip().lower()


def check_new_user(email: str, password: str, role: str, organisation_id: int | None) -> str:
    """Check what a new account needs, before its password is hashed.

    Parameters
    ----------
    email : str
    password : str
        At least 8 characters.
    role : str
        One of :data:`survey.vocab.USER_ROLES`; a ``firm_admin`` needs ``organisation_id``.
    organisation_id : int or None

    Returns
    -------
    str
        The e-mail address as it will be stored (:func:`normal_email`).

    Raises
    ------
    FieldError
        When the e-mail address or the role breaks its field rule (:mod:`survey.storage.fields`).
    ValueError
        Naming the first thing that is wrong.

    Examples
    --------
    >>> check_new_user("A@b.org", "long enough", "consultant", None)
    'a@b.org'
    >>> check_new_user("a@b.org", "short", "consultant", None)
    Traceback (most recent call last):
    ValueError: the password needs at least 8 characters
    """
    email = normal_email(clean(fields.EMAIL, email))
    clean(fields.ACCOUNT_ROLE, role)
    if "@" not in email:
        raise ValueError(f"{email!r} is not an e-mail address")
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters")
    if role == UserRole.FIRM_ADMIN and organisation_id is None:
        raise ValueError("a firm_admin account needs organisation_id")
    return email


def insert_user(
    conn: Connection,
    *,
    email: str,
    password_hash: str,
    role: str,
    organisation_id: int | None,
    name: str | None,
) -> User:
    """Insert a checked account (:func:`check_new_user`) with its password hash.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    email : str
        As :func:`check_new_user` returned it.
    password_hash : str
        The argon2id hash of the password.
    role : str
    organisation_id : int or None
        Must exist when given.
    name : str or None
        Checked by :data:`survey.storage.fields.USER_NAME` (blank: none).

    Returns
    -------
    User

    Raises
    ------
    FieldError
        When ``name`` breaks its field rule.
    NameTaken
        When an account for ``email`` exists already.
    NotFound
        When ``organisation_id`` names no organisation.
    """
    name = clean_optional(fields.USER_NAME, name)
    if conn.execute(select(m.User.id).where(m.User.email == email)).first():
        raise NameTaken(f"an account for {email} exists already", kind="account", name=email)
    if organisation_id is not None:
        organisation_row(conn, organisation_id)
    user_id = conn.execute(
        insert(m.User)
        .values(
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            organisation_id=organisation_id,
            created_at=utcnow(),
        )
        .returning(m.User.id)
    ).scalar_one()
    return User(user_id, email, name, role, organisation_id)


def user_row(conn: Connection, email: str) -> Any:
    """The ``users`` row for ``email`` (any case, spaces trimmed), or ``None``.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    email : str

    Returns
    -------
    row or None
    """
    email = normal_email(email)
    if bad_character(email) or len(email) > (fields.EMAIL.length or len(email)):
        return None  # no account can have it (PostgreSQL would refuse the query on a NUL)
    return conn.execute(select(m.User.__table__).where(m.User.email == email)).first()


def verify_password(hasher: PasswordHasher, row: Any, password: str) -> User | None:
    """The account of ``row`` if ``password`` matches its hash, else ``None``.

    Parameters
    ----------
    hasher : argon2.PasswordHasher
    row : row of ``users`` or None
        ``None`` (no such account) spends the time of a real check, so that timing does not
        reveal which accounts exist.
    password : str

    Returns
    -------
    User or None

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    >>> row = Row(id=1, email="a@b.org", name=None, role="admin", organisation_id=None,
    ...           password_hash=cheap.hash("correct horse"))
    >>> verify_password(cheap, row, "correct horse").email
    'a@b.org'
    >>> verify_password(cheap, row, "wrong") is None, verify_password(cheap, None, "x") is None
    (True, True)
    """
    if row is None:
        hasher.hash(password)
        return None
    try:
        hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user_record(row)


def users(conn: Connection) -> list[User]:
    """Every account, in the order created.

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    list of User
    """
    rows = conn.execute(select(m.User.__table__).order_by(m.User.id)).all()
    return [user_record(row) for row in rows]


def user(conn: Connection, email: str) -> User:
    """The account for ``email``.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    email : str
        Any case, spaces trimmed.

    Returns
    -------
    User

    Raises
    ------
    NotFound
        When no account has that address.
    """
    row = user_row(conn, email)
    if row is None:
        raise NotFound(f"no account for {normal_email(email)}")
    return user_record(row)
