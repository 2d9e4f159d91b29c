"""End to end in a real headless chromium: a respondent answers through their invitation link,
leaves, resumes, submits; then the firm admin signs in and sees the profile chart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.app_server import CHROMIUM_ARGS, chromium_path, running_app
from tests.app_support import PASSWORD, PILOT, seed, use_fixture_environment

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000


@pytest.fixture
def chromium():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: scripts/system-deps.sh should install it")
        pytest.skip("chromium is not installed (apt-get install chromium, or make system-deps)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def served(tmp_path, monkeypatch):
    url = use_fixture_environment(tmp_path, monkeypatch)
    seeded = seed(url)
    # Two colleagues have already answered, so the profile has more than one respondent.
    for role in ("rnd", "service"):
        token = seeded.tokens[role]
        seeded.store.save_draft(
            token,
            PILOT,
            {
                "PR-LIS-1": 4,
                "PR-LIS-2": 3,
                "PR-LIS-3": 2,
                "PR-TRY-1": 3,
                "PR-TRY-2": 4,
                "PR-TRY-3": 2,
            },
        )
        seeded.store.submit(token)
    env = {key: os.environ[key] for key in ("COCREATE_DATABASE_URL", "COCREATE_INSTRUMENTS_DIR")}
    with running_app(env, log=tmp_path / "streamlit.log") as base:
        yield base, seeded


def _answer_step(page, choice):
    groups = page.get_by_role("radiogroup")
    groups.first.wait_for(timeout=TIMEOUT_MS)
    for index in range(groups.count()):
        groups.nth(index).get_by_text(choice, exact=True).click()
    page.get_by_role("button", name="Save and continue").or_(
        page.get_by_role("button", name="Review")
    ).first.click()


def test_answer_leave_resume_submit_then_see_the_profile(chromium, served):
    base, seeded = served
    token = seeded.tokens["sales"]
    context = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base}/?t={token}")
    page.get_by_role("heading", name="Welcome").wait_for()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name="Listening").wait_for()
    _answer_step(page, "Agree")
    page.get_by_role("heading", name="Trying together").wait_for()
    context.close()  # leave half-way

    assert seeded.store.resume(token).answers[PILOT] == {
        "PR-LIS-1": 4,
        "PR-LIS-2": 4,
        "PR-LIS-3": 4,
    }

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base}/?t={token}")
    page.get_by_role("heading", name="Trying together").wait_for()  # resumed where it stopped
    _answer_step(page, "Strongly agree")
    page.get_by_role("heading", name="Review and submit").wait_for()
    page.get_by_role("button", name="Submit my answers").click()
    page.get_by_role("heading", name="Thank you!").wait_for()
    assert seeded.store.resume(token).status == "submitted"
    context.close()

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base}/sign_in")
    page.get_by_role("textbox", name="E-mail").fill(seeded.firm_admin.email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Fran Firm").wait_for()
    page.get_by_role("link", name="Results").click()
    page.get_by_role("heading", name="Results").wait_for()
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(state="visible")
    chart.locator("canvas, svg").first.wait_for(state="visible")
    with page.expect_download() as download:
        page.get_by_role("button", name="Report (HTML)").click()
    report = download.value
    assert report.suggested_filename.endswith(".html")
    html = Path(report.path()).read_text(encoding="utf-8")
    assert "results for Acme *Pumps*" in html
    assert "<svg" in html or "<img" in html  # the charts travel with the page
    context.close()
