"""Who may see what in the app (no streamlit here, so the rules are tested on their own).

Four account roles come from the store: ``admin`` (everything), ``consultant`` (their client
organisations), ``firm_admin`` (their own organisation) and ``researcher`` (pseudonymised,
pooled data only: no organisation by name). A respondent has no account: their invitation
token opens their own response and nothing else.

The store filters organisations by user as well (``store.organisations(user=...)``); the pages
check again with :func:`may_view_organisation` before showing anything, so a mistake in one
layer does not leak data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

ROLES = ("admin", "consultant", "firm_admin", "researcher")

#: The account pages and the roles that may open them. The assessment and the instrument
#: browser are public: they need an invitation token, or show only published content.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "results": frozenset({"admin", "consultant", "firm_admin"}),
    "consultant": frozenset({"admin", "consultant"}),
    "research": frozenset({"admin", "researcher"}),
}


class UserLike(Protocol):
    id: Any
    role: str
    organisation_id: Any


class OrganisationLike(Protocol):
    id: Any
    consultant_id: Any


def may_open(user: UserLike | None, page: str) -> bool:
    """Whether ``user`` may open an account page (``results``, ``consultant``, ``research``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> researcher = SimpleNamespace(id=1, role="researcher", organisation_id=None)
    >>> may_open(researcher, "research"), may_open(researcher, "results")
    (True, False)
    >>> may_open(None, "results")
    False
    """
    if page not in PAGE_ROLES:
        raise ValueError(f"unknown page {page!r} (pages: {', '.join(PAGE_ROLES)})")
    return user is not None and user.role in PAGE_ROLES[page]


def pages_for(user: UserLike | None) -> list[str]:
    """The account pages ``user`` may open, in menu order.

    >>> from types import SimpleNamespace
    >>> pages_for(SimpleNamespace(id=1, role="consultant", organisation_id=None))
    ['results', 'consultant']
    """
    return [page for page in PAGE_ROLES if may_open(user, page)]


def may_view_organisation(user: UserLike | None, organisation: OrganisationLike) -> bool:
    """Whether ``user`` may see an organisation's named results.

    Admins see all; consultants their clients (``organisation.consultant_id``); firm admins
    their own organisation; researchers none by name (they work on pseudonymised pools).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> acme = NS(id=7, consultant_id=2)
    >>> may_view_organisation(NS(id=2, role="consultant", organisation_id=None), acme)
    True
    >>> may_view_organisation(NS(id=3, role="consultant", organisation_id=None), acme)
    False
    >>> may_view_organisation(NS(id=5, role="firm_admin", organisation_id=7), acme)
    True
    >>> may_view_organisation(NS(id=6, role="researcher", organisation_id=None), acme)
    False
    """
    if user is None:
        return False
    if user.role == "admin":
        return True
    if user.role == "consultant":
        return organisation.consultant_id is not None and organisation.consultant_id == user.id
    if user.role == "firm_admin":
        return user.organisation_id is not None and organisation.id == user.organisation_id
    return False


def visible_organisations(user: UserLike | None, organisations: Iterable[Any]) -> list[Any]:
    """The organisations of ``organisations`` that ``user`` may see by name."""
    return [org for org in organisations if may_view_organisation(user, org)]


def may_manage_organisations(user: UserLike | None) -> bool:
    """Whether ``user`` may create organisations, campaigns and invitations."""
    return user is not None and user.role in ("admin", "consultant")
