"""The rules every stored text field follows, declared once and applied on every write path.

A field's rule says how long it may be (read from its ``String(n)`` column in
:mod:`survey.storage.models`, so the rule and the schema cannot drift apart), that it holds no
control characters (NUL, line breaks, tabs, escape sequences) and no unpaired surrogates, whether
it may be blank, and for codes the words it may take (roles, sides and size bands from
:mod:`survey.vocab`; a language from the instrument's languages). Values are trimmed first.

The :class:`~survey.storage.store.Store` methods, the import (:mod:`survey.storage.imports`), the
CLI and the app's forms all go through :func:`clean`, so a value is refused with the same
message on SQLite (which would store anything) and on PostgreSQL (which would raise a
``DataError`` for an over-long value or a NUL byte).

Examples
--------
>>> clean(ORGANISATION_NAME, "  Acme GmbH ")
'Acme GmbH'
>>> clean(INDUSTRY, "x" * 101)
Traceback (most recent call last):
survey.storage.errors.FieldError: industry 'xxx...' (101 characters): must be at most 100 characters
long; shorten it
>>> clean(ROLE, "=HYPERLINK()")
Traceback (most recent call last):
survey.storage.errors.FieldError: role '=HYPERLINK()': must be one of sales, rnd, ..., other;
use one of these codes
>>> clean(LANGUAGE, "de", codes=("en", "de"))
'de'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Column, String

from survey.storage import models as m
from survey.storage.errors import FieldError, FieldRule
from survey.text import EXCERPT, bad_character, excerpt, stored_form
from survey.vocab import RESPONDENT_ROLES, SIDES, SIZE_BANDS, USER_ROLES

#: The size band an organisation gets when none is given (imports without ``--size-band``).
UNKNOWN_SIZE_BAND = "unknown"


@dataclass(frozen=True)
class Field:
    """One stored text field: its name in messages, its column, and what it accepts.

    Attributes
    ----------
    name : str
        How messages name the field (``"organisation name"``).
    column : sqlalchemy.Column
        The column the value is stored in; its ``String(n)`` length is the limit.
    required : bool
        Whether a blank value (after trimming) is refused.
    codes : tuple of str
        The words the field may take; empty for free text (then :func:`clean` may be given the
        codes of the moment, e.g. an instrument's languages).
    """

    name: str
    column: Column[str]
    required: bool = True
    codes: tuple[str, ...] = ()

    @property
    def length(self) -> int | None:
        """The column's length limit (``None`` for unlimited text)."""
        kind = self.column.type
        return kind.length if isinstance(kind, String) else None


def _column(table: type[m.Base], name: str) -> Column[str]:
    column = table.__table__.c[name]
    assert isinstance(column, Column)
    return column


ORGANISATION_NAME = Field("organisation name", _column(m.Organisation, "name"))
INDUSTRY = Field("industry", _column(m.Organisation, "industry"))
REGION = Field("region", _column(m.Organisation, "region"))
SIZE_BAND = Field(
    "size band", _column(m.Organisation, "size_band"), codes=(*SIZE_BANDS, UNKNOWN_SIZE_BAND)
)
CAMPAIGN_NAME = Field("campaign name", _column(m.Campaign, "name"))
EMAIL = Field("e-mail address", _column(m.User, "email"))
CONTACT_EMAIL = Field("e-mail address", _column(m.InvitationContact, "email"), required=False)
USER_NAME = Field("name", _column(m.User, "name"), required=False)
ACCOUNT_ROLE = Field("account role", _column(m.User, "role"), codes=tuple(USER_ROLES))
ROLE = Field("role", _column(m.Invitation, "role"), codes=tuple(RESPONDENT_ROLES))
SIDE = Field("side", _column(m.Invitation, "side"), codes=tuple(SIDES))
LANGUAGE = Field("language", _column(m.Invitation, "language"))
RESPONDENT_ID = Field("respondent id", _column(m.Invitation, "external_id"), required=False)
FILE_NAME = Field("file name", _column(m.Import, "filename"))
ERASED_BY = Field("erased by", _column(m.ErasureRecord, "erased_by"), required=False)
ERASURE_REASON = Field("reason", _column(m.ErasureRecord, "reason"), required=False)

#: Every field rule, for the documentation and the tests.
FIELDS: tuple[Field, ...] = (
    ORGANISATION_NAME,
    INDUSTRY,
    REGION,
    SIZE_BAND,
    CAMPAIGN_NAME,
    EMAIL,
    CONTACT_EMAIL,
    USER_NAME,
    ACCOUNT_ROLE,
    ROLE,
    SIDE,
    LANGUAGE,
    RESPONDENT_ID,
    FILE_NAME,
    ERASED_BY,
    ERASURE_REASON,
)


def clean(field: Field, value: object, *, codes: Iterable[str] | None = None) -> str:
    """``value`` as ``field`` stores it (trimmed), or :class:`FieldError` naming the rule.

    Parameters
    ----------
    field : Field
    value : object
        A ``str``; anything else is refused.
    codes : iterable of str, optional
        The allowed words when they depend on the moment (an instrument's languages);
        default ``field.codes``.

    Returns
    -------
    str
        Trimmed; empty only for a field that is not required.

    Raises
    ------
    FieldError
        Naming the field, the rule and the fix.
    """
    if not isinstance(value, str):
        raise FieldError(
            field.name, repr(value)[:EXCERPT], "text", "give it as text", code=FieldRule.TEXT
        )
    text = stored_form(value)
    bad = bad_character(text)
    if bad is not None:
        raise FieldError(
            field.name,
            excerpt(text),
            f"free of control characters ({bad})",
            "remove line breaks, tabs and other control characters",
            code=FieldRule.CHARACTERS,
            details={"character": bad},
        )
    if not text:
        if field.required:
            raise FieldError(
                field.name, excerpt(value), "filled in", "give a value", code=FieldRule.FILLED
            )
        return text
    allowed = tuple(field.codes if codes is None else codes)
    if allowed and text not in allowed:
        raise FieldError(
            field.name,
            excerpt(text),
            f"one of {', '.join(allowed)}",
            "use one of these codes",
            code=FieldRule.CODES,
            details={"allowed": ", ".join(allowed)},
        )
    limit = field.length
    if limit is not None and len(text) > limit:
        raise FieldError(
            field.name,
            excerpt(text),
            f"at most {limit} characters long",
            "shorten it",
            got=len(text),
            code=FieldRule.LENGTH,
            details={"limit": limit},
        )
    return text


def clean_optional(field: Field, value: str | None) -> str | None:
    """:func:`clean` for a field that may be absent: ``None`` and blank give ``None``.

    Parameters
    ----------
    field : Field
    value : str or None

    Returns
    -------
    str or None

    Raises
    ------
    FieldError
        As :func:`clean`.

    Examples
    --------
    >>> clean_optional(USER_NAME, "  "), clean_optional(USER_NAME, None), clean_optional(
    ...     USER_NAME, " Ana ")
    (None, None, 'Ana')
    """
    if value is None:
        return None
    return clean(field, value) or None
