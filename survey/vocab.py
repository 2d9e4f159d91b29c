"""The project's vocabulary, declared once: account roles, respondent roles, sides, response
statuses and organisation size bands.

Each is a :class:`enum.StrEnum`, so a member is its own stored string (``Side.SELF == "self"``)
and a misspelt member fails at import. The tuples beside them keep the order forms offer and
database constraints check. What the words mean to a reader, in every language, is in the
message catalogues (``survey/i18n/locales``), not here.

Examples
--------
>>> Side.CUSTOMER == "customer", SIDES
(True, (<Side.SELF: 'self'>, <Side.CUSTOMER: 'customer'>, <Side.PARTNER: 'partner'>))
>>> "partner" in SIDES, "supplier" in SIDES
(True, False)
"""

from __future__ import annotations

from enum import StrEnum


class UserRole(StrEnum):
    """What an account may do, from most to least privileged."""

    ADMIN = "admin"
    CONSULTANT = "consultant"
    FIRM_ADMIN = "firm_admin"
    RESEARCHER = "researcher"


class RespondentRole(StrEnum):
    """The function a respondent answers from (an invitation's role)."""

    SALES = "sales"
    RND = "rnd"
    OPERATIONS = "operations"
    SERVICE = "service"
    MANAGEMENT = "management"
    CUSTOMER = "customer"
    PARTNER = "partner"
    OTHER = "other"


class Side(StrEnum):
    """Whose view a respondent gives: the supplier's own, its customers' or its partners'."""

    SELF = "self"
    CUSTOMER = "customer"
    PARTNER = "partner"


class ResponseStatus(StrEnum):
    """Where a response stands: a draft saved step by step, or submitted and frozen."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class SizeBand(StrEnum):
    """Organisation size by employees, as benchmark filters and exports group it."""

    SMALL = "1-49"
    MEDIUM = "50-249"
    LARGE = "250-999"
    VERY_LARGE = "1000+"


USER_ROLES: tuple[UserRole, ...] = tuple(UserRole)
RESPONDENT_ROLES: tuple[RespondentRole, ...] = tuple(RespondentRole)
SIDES: tuple[Side, ...] = tuple(Side)
STATUSES: tuple[ResponseStatus, ...] = tuple(ResponseStatus)
SIZE_BANDS: tuple[SizeBand, ...] = tuple(SizeBand)
