"""Sign in, and what each role may open (AppTest on the real entry point)."""

from __future__ import annotations

import pytest

from tests.app_support import PASSWORD, app, seeded_environment


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    # Nothing here writes to the store: one database for the module.
    with seeded_environment(tmp_path_factory.mktemp("access")) as seeded:
        yield seeded


def _sign_in(email, password):
    at = app("app_pages/sign_in.py")
    at.run()
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(seeded):
    at = _sign_in("firm@example.org", "wrong")
    assert at.error[0].value == "E-mail or password is wrong."
    assert "auth.user" not in at.session_state
    at = _sign_in("", "")
    assert "Enter your e-mail address" in at.error[0].value


def test_signing_in_shows_the_account_in_the_sidebar_and_signs_out(seeded):
    at = _sign_in("firm@example.org", PASSWORD)
    assert at.session_state["auth.user"].role == "firm_admin"
    assert any("Fran Firm" in m.value for m in at.sidebar.markdown)
    # The sign-in page leaves the menu; the firm admin lands on their Results page.
    assert at.title[0].value == "Results: Acme \\*Pumps\\*"
    at.sidebar.button(key="auth.sign_out").click().run()
    assert "auth.user" not in at.session_state


@pytest.mark.parametrize(
    ("who", "page", "title_seen"),
    [
        ("firm_admin", "app_pages/consultant.py", False),
        ("firm_admin", "app_pages/research.py", False),
        ("researcher", "app_pages/results.py", False),
        ("researcher", "app_pages/consultant.py", False),
        ("consultant", "app_pages/research.py", False),
        ("consultant", "app_pages/consultant.py", True),
        ("researcher", "app_pages/research.py", True),
        ("admin", "app_pages/research.py", True),
    ],
)
def test_pages_outside_a_role_are_not_reachable(seeded, who, page, title_seen):
    user = {
        "firm_admin": seeded.firm_admin,
        "researcher": seeded.researcher,
        "consultant": seeded.consultant,
        "admin": seeded.admin,
    }[who]
    at = app(page, user=user)
    at.run()
    assert not at.exception
    title = page.rsplit("/", 1)[1].removesuffix(".py").capitalize()
    assert (title in [t.value for t in at.title]) is title_seen


def test_the_page_itself_refuses_a_role_even_if_reached(seeded):
    # Open the page file alone (no navigation filter): its own check still stops it.
    from streamlit.testing.v1 import AppTest

    from tests.app_support import ROOT

    page = AppTest.from_file(str(ROOT / "app_pages" / "consultant.py"), default_timeout=60)
    page.session_state["auth.user"] = seeded.firm_admin
    page.run()
    assert "may not open this page" in page.error[0].value
    assert not page.title
    anonymous = AppTest.from_file(str(ROOT / "app_pages" / "research.py"), default_timeout=60)
    anonymous.run()
    assert "Sign in to see this page" in anonymous.info[0].value


def test_home_lists_the_instruments_and_the_ways_in(seeded):
    at = app("app_pages/home.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "cocreate"
    table = at.dataframe[0].value
    assert list(table["Instrument"]) == ["Pilot readiness check"]
    assert table["Version"].tolist() == ["1.1.0"]
    links = [link.proto.label for link in at.get("page_link")]
    assert links == ["Take the assessment", "Sign in", "Browse the instruments"]


@pytest.mark.parametrize("page", ["app_pages/home.py", "app_pages/instruments.py"])
def test_invalid_instruments_are_shown_as_their_issues_not_a_traceback(tmp_path, monkeypatch, page):
    monkeypatch.setenv("COCREATE_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(tmp_path / "nowhere"))
    at = app(page)
    at.run()
    assert not at.exception
    assert "The instruments could not be loaded" in at.error[0].value
    assert "I100" in at.code[0].value and "nowhere" in at.code[0].value
