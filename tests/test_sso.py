"""Single sign-on: an identity from the provider opens an existing account by e-mail address,
never a new one (real SQLite store)."""

from __future__ import annotations

import pytest

from survey.services.sso import IdentityRefused, Provider, account_for_identity, auth_providers
from tests.app_support import seeded_environment


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    with seeded_environment(tmp_path_factory.mktemp("sso")) as seeded:
        yield seeded


def test_the_address_matches_whatever_its_case(seeded):
    account = account_for_identity(
        seeded.store, {"email": "Consultant@EXAMPLE.org", "email_verified": True}
    )
    assert (account.id, account.role) == (seeded.consultant.id, "consultant")
    firm = account_for_identity(seeded.store, {"email": " firm@example.org "})
    assert (firm.role, firm.organisation_id) == ("firm_admin", seeded.organisation.id)


def test_an_unknown_address_is_refused_and_no_account_is_created(seeded):
    before = len(seeded.store.users())
    with pytest.raises(IdentityRefused) as refusal:
        account_for_identity(seeded.store, {"email": "New@example.org", "email_verified": True})
    assert (refusal.value.reason, refusal.value.email) == ("unknown", "new@example.org")
    assert len(seeded.store.users()) == before


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"email": "admin@example.org", "email_verified": False}, "unverified"),
        ({"email": "admin@example.org", "email_verified": "false"}, "unverified"),
        ({"name": "Ada", "email_verified": True}, "no_email"),
        ({"email": "   "}, "no_email"),
    ],
)
def test_unverified_or_missing_addresses_open_nothing(seeded, claims, reason):
    with pytest.raises(IdentityRefused) as refusal:
        account_for_identity(seeded.store, claims)
    assert refusal.value.reason == reason


def test_providers_are_read_from_the_auth_section():
    shared = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s"}
    assert auth_providers(shared) == []
    assert auth_providers(
        shared | {"google": {"client_id": "a"}, "my_idp": {"client_id": "b"}}
    ) == [Provider("google", "Google"), Provider("my_idp", "My Idp")]
    assert auth_providers(
        shared
        | {
            "client_id": "c",
            "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
        }
    ) == [Provider(None, "login.example.org")]
