"""One app-wide language: the sidebar picker, its default from the browser's locale, German on
every account page, and the respondent's own picker left alone (AppTest on a real SQLite store)."""

from __future__ import annotations

import pytest

from tests.app_support import app, seeded_environment


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    # Nothing here writes to the store: one database for the module.
    with seeded_environment(tmp_path_factory.mktemp("language")) as seeded:
        yield seeded


def _german(page, user=None, **context):
    at = app(page, user=user)
    at.session_state["app.language"] = "de"
    at.context.update(context)
    at.run()
    assert not at.exception
    return at


def test_english_is_the_default_without_a_browser_locale(seeded):
    at = app("app_pages/consultant.py", user=seeded.consultant)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Consultant"
    assert at.sidebar.selectbox(key="app.language").value == "en"
    assert at.sidebar.button(key="auth.sign_out").label == "Sign out"


def test_the_consultant_page_in_german(seeded):
    at = _german("app_pages/consultant.py", seeded.consultant)
    assert at.title[0].value == "Beratung"
    assert at.sidebar.button(key="auth.sign_out").label == "Abmelden"
    assert "Angemeldet als" in [c.value for c in at.sidebar.caption]
    assert "Beratung" in [c.value for c in at.sidebar.caption]  # the role
    assert [m.label for m in at.metric] == ["Mandanten", "Abgesendete Antworten"]
    # Section options stay identifiers, so tests and session state do not depend on language.
    at.button_group(key="consultant.section").set_value("New client").run()
    assert not at.exception
    assert at.subheader[0].value == "Organisation anlegen"
    labels = [b.label for b in at.button]
    assert "Organisation anlegen" in labels
    at.button(key="FormSubmitter:consultant.new_org-Organisation anlegen").click().run()
    assert "Geben Sie für die Organisation Folgendes an" in at.error[0].value


def test_the_research_page_in_german(seeded):
    at = _german("app_pages/research.py", seeded.researcher)
    assert at.title[0].value == "Forschung"
    assert [m.label for m in at.metric] == ["Antworten", "Organisationen", "Aussagen"]
    assert [tab.label for tab in at.tabs] == [
        "Reliabilität",
        "Aussagen",
        "Faktorstruktur",
        "Übereinstimmung",
        "Export",
    ]
    assert "Export vorbereiten" in [b.label for b in at.button]


def test_the_browser_locale_sets_the_default_and_the_picker_changes_it(seeded):
    at = app("app_pages/home.py")
    at.context["locale"] = "de-AT"
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="app.language").value == "de"
    assert [link.proto.label for link in at.get("page_link")] == [
        "Zur Befragung",
        "Anmelden",
        "Instrumente ansehen",
    ]
    at.sidebar.selectbox(key="app.language").set_value("en").run()
    assert not at.exception
    assert [link.proto.label for link in at.get("page_link")][1] == "Sign in"
    # An unknown locale falls back to English.
    other = app("app_pages/home.py")
    other.context["locale"] = "pt-BR"
    other.run()
    assert other.sidebar.selectbox(key="app.language").value == "en"


def test_sign_in_and_instruments_in_german(seeded):
    at = _german("app_pages/sign_in.py")
    assert at.title[0].value == "Anmelden"
    assert [box.label for box in at.text_input] == ["E-Mail", "Passwort"]
    at.text_input[0].input("firm@example.org")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert at.error[0].value == "E-Mail-Adresse oder Passwort ist falsch."
    instruments = _german("app_pages/instruments.py")
    assert instruments.title[0].value == "Instrumente"
    # The instrument's language follows the app's at first (the pilot has German items).
    assert instruments.header[0].value == "Pilot-Bereitschaftscheck"


def test_the_results_language_starts_as_the_app_language(seeded):
    at = _german("app_pages/results.py", seeded.firm_admin)
    assert at.title[0].value == "Ergebnisse: Acme \\*Pumps\\*"
    assert at.selectbox(key="results.language").value == "de"


def test_a_role_without_access_is_told_in_german(seeded):
    at = _german("app_pages/research.py", seeded.firm_admin)
    # The navigation does not list the page: the firm admin lands on Results instead.
    assert "Forschung" not in [t.value for t in at.title]


def test_the_respondent_keeps_the_invitation_language(seeded):
    # A German browser does not override the language the invitation was sent in.
    at = app(token=seeded.tokens["sales"])
    at.context["locale"] = "de-DE"
    at.run()
    assert not at.exception
    assert at.header[0].value == "Welcome"
    assert "app.language" not in at.session_state
