"""survey.services.access: which account pages and which organisations each role may see."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from survey.services.access import (
    may_manage_organisations,
    may_open,
    may_view_organisation,
    pages_for,
    visible_organisations,
)

ADMIN = NS(id=1, role="admin", organisation_id=None)
CONSULTANT = NS(id=2, role="consultant", organisation_id=None)
FIRM = NS(id=3, role="firm_admin", organisation_id=10)
RESEARCHER = NS(id=4, role="researcher", organisation_id=None)
ACME = NS(id=10, consultant_id=2)
BOREALIS = NS(id=11, consultant_id=99)
ORPHAN = NS(id=12, consultant_id=None)


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        (None, []),
        (ADMIN, ["results", "consultant", "research"]),
        (CONSULTANT, ["results", "consultant"]),
        (FIRM, ["results"]),
        (RESEARCHER, ["research"]),
    ],
)
def test_pages_by_role(user, pages):
    assert pages_for(user) == pages


def test_unknown_page_is_an_error_not_a_silent_no():
    with pytest.raises(ValueError, match="unknown page 'reports'"):
        may_open(ADMIN, "reports")


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        (ADMIN, [10, 11, 12]),
        (CONSULTANT, [10]),
        (FIRM, [10]),
        (RESEARCHER, []),
        (None, []),
        (NS(id=5, role="firm_admin", organisation_id=None), []),
    ],
)
def test_organisations_by_role(user, visible):
    assert [o.id for o in visible_organisations(user, [ACME, BOREALIS, ORPHAN])] == visible
    assert may_view_organisation(user, ACME) == (10 in visible)


def test_only_admins_and_consultants_manage():
    assert [may_manage_organisations(u) for u in (ADMIN, CONSULTANT, FIRM, RESEARCHER, None)] == [
        True,
        True,
        False,
        False,
        False,
    ]
