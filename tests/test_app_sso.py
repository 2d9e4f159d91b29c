"""Single sign-on on the Sign in page: AppTest seeds ``st.secrets`` (the ``[auth]`` section)
and ``st.user`` (the provider's claims); the OIDC redirect itself (``st.login``) needs a real
provider and browser and is not exercised here."""

from __future__ import annotations

import pytest

from tests.app_support import app, seeded_environment

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "microsoft": {
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://login.microsoftonline.com/x/v2.0/.well-known/openid-configuration",
    },
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    with seeded_environment(tmp_path_factory.mktemp("app-sso")) as seeded:
        yield seeded


def _sign_in_page(user=None, *, auth=True, language=None):
    at = app("app_pages/sign_in.py")
    if auth:
        at.secrets["auth"] = AUTH
    if user is not None:
        at.user = user
    if language:
        at.session_state["app.language"] = language
    at.run()
    assert not at.exception
    return at


def test_the_provider_button_appears_only_when_configured(seeded):
    at = _sign_in_page()
    assert at.button(key="auth.sso.microsoft").label == "Sign in with Microsoft"
    assert len(at.text_input) == 2  # the password form stays beside it
    plain = _sign_in_page(auth=False)
    assert not [b for b in plain.button if b.key and b.key.startswith("auth.sso")]
    german = _sign_in_page(language="de")
    assert german.button(key="auth.sso.microsoft").label == "Anmelden mit Microsoft"


def test_a_known_address_signs_in_with_the_accounts_role(seeded):
    at = _sign_in_page({"is_logged_in": True, "email": "FIRM@example.org", "email_verified": True})
    account = at.session_state["auth.user"]
    assert (account.id, account.role) == (seeded.firm_admin.id, "firm_admin")
    # Signed in, the sign-in page leaves the menu: the firm admin lands on Results.
    assert at.title[0].value == "Results: Acme \\*Pumps\\*"


def test_an_unknown_address_is_told_and_offered_the_way_out(seeded):
    at = _sign_in_page({"is_logged_in": True, "email": "Stranger@example.org"})
    assert "auth.user" not in at.session_state
    assert at.error[0].value == (
        "There is no account for stranger@example\\.org; ask an administrator to create one."
    )
    at.button(key="auth.sso_logout").click().run()
    assert not at.exception
    assert "auth.user" not in at.session_state
    assert not at.error
    assert at.button(key="auth.sso.microsoft").label == "Sign in with Microsoft"


def test_an_unverified_address_opens_nothing(seeded):
    at = _sign_in_page(
        {"is_logged_in": True, "email": "admin@example.org", "email_verified": False}
    )
    assert "auth.user" not in at.session_state
    assert "has not verified" in at.error[0].value


def test_the_refusal_shows_in_the_sidebar_on_other_pages(seeded):
    at = app("app_pages/home.py")
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "stranger@example.org"}
    at.run()
    assert not at.exception
    assert "There is no account" in at.sidebar.error[0].value


def test_signing_out_of_the_app_signs_out_of_the_provider(seeded):
    at = _sign_in_page({"is_logged_in": True, "email": "admin@example.org"})
    assert at.session_state["auth.user"].role == "admin"
    at.sidebar.button(key="auth.sign_out").click().run()
    assert not at.exception
    # st.logout cleared the identity, so the next run does not sign the account in again.
    assert "auth.user" not in at.session_state
    at.run()
    assert "auth.user" not in at.session_state


def test_without_an_auth_section_a_provider_identity_is_ignored(seeded):
    at = _sign_in_page({"is_logged_in": True, "email": "admin@example.org"}, auth=False)
    assert "auth.user" not in at.session_state
