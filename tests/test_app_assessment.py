"""Take the assessment (AppTest on the real entry point and a real SQLite store): the invitation
link, answering step by step with drafts saved, resume, review of open items, submit, thanks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.app_support import PILOT, app, seed, use_fixture_environment


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    return seed(use_fixture_environment(tmp_path, monkeypatch))


def _open(token):
    at = app(token=token)
    at.run()
    assert not at.exception
    return at


def _click(at, key):
    at.button(key=key).click().run()
    assert not at.exception
    return at


def _radio(at, item_id):
    return next(r for r in at.radio if r.key.endswith(f"{PILOT}.{item_id}"))


def test_without_a_token_asks_for_the_code_and_rejects_a_wrong_one(seeded):
    at = app("app_pages/assessment.py")
    at.run()
    assert at.title[0].value == "Take the assessment"
    at.text_input[0].input("not-a-real-code")
    at.button[0].click().run()
    assert "not valid" in at.error[0].value
    at.text_input[0].input(seeded.tokens["sales"])
    at.button[0].click().run()
    assert at.header[0].value == "Welcome"


def test_link_opens_only_the_assessment_in_the_invitation_language(seeded):
    at = _open(seeded.tokens["rnd"])  # invited in German
    assert at.header[0].value == "Willkommen"
    assert "Acme \\*Pumps\\*" in at.markdown[-1].value or any(
        "Acme \\*Pumps\\*" in m.value for m in at.markdown
    )  # the name is escaped, not bold
    assert at.button(key="take.start").label == "Beginnen"
    assert at.progress[0].value == 0


def test_a_respondent_link_reaches_no_other_page(seeded):
    # With an invitation token and no account, the assessment is the only page registered.
    for other in ("app_pages/results.py", "app_pages/instruments.py"):
        at = app(other, token=seeded.tokens["sales"])
        at.run()
        assert at.header[0].value == "Welcome"


def test_answers_are_saved_on_every_step_and_resumed(seeded):
    token = seeded.tokens["sales"]
    at = _click(_open(token), "take.start")
    assert at.header[0].value == "Listening"
    assert [r.options[0] for r in at.radio] == ["Strongly disagree"] * 3
    assert at.radio[0].options[-1] == "Not applicable"
    assert all(r.horizontal for r in at.radio)
    assert all(r.value is None for r in at.radio)
    _radio(at, "PR-LIS-1").set_value(4)
    _radio(at, "PR-LIS-3").set_value("na")
    _click(at, "take.next")
    assert at.header[0].value == "Trying together"
    assert seeded.store.resume(token).answers == {PILOT: {"PR-LIS-1": 4, "PR-LIS-3": "na"}}
    assert seeded.store.resume(token).status == "draft"

    # Back saves too, and the earlier step shows what was stored.
    _radio(at, "PR-TRY-1").set_value(2)
    _click(at, "take.back")
    assert at.header[0].value == "Listening"
    assert _radio(at, "PR-LIS-1").value == 4
    assert seeded.store.resume(token).answers[PILOT]["PR-TRY-1"] == 2

    # Clearing is not possible with a radio, but a changed answer replaces the stored one.
    _radio(at, "PR-LIS-1").set_value(5)
    _click(at, "take.next")
    assert seeded.store.resume(token).answers[PILOT]["PR-LIS-1"] == 5

    # A new session with the same link continues at the first step with an open item.
    again = _open(token)
    assert again.header[0].value == "Listening"  # PR-LIS-2 is still open
    assert _radio(again, "PR-LIS-1").value == 5
    assert _radio(again, "PR-LIS-3").value == "na"
    assert _radio(again, "PR-LIS-2").value is None


def test_review_lists_open_items_and_blocks_submit_until_answered(seeded):
    token = seeded.tokens["service"]
    seeded.store.save_draft(
        token, PILOT, {"PR-LIS-1": 3, "PR-LIS-2": 3, "PR-LIS-3": 3, "PR-TRY-1": 4}
    )
    at = _open(token)
    assert at.header[0].value == "Trying together"
    _click(at, "take.next")
    assert at.header[0].value == "Review and submit"
    assert "1 statement(s) still need an answer" in at.warning[0].value
    assert [t.value for t in at.text] == ["• Customers test our prototypes."]
    assert at.button(key="take.submit").disabled
    assert any("optional statement" in c.value for c in at.caption)

    _click(at, "take.goto.2")
    assert at.header[0].value == "Trying together"
    _radio(at, "PR-TRY-2").set_value(5)
    _click(at, "take.next")
    assert "Every statement has an answer" in at.success[0].value
    assert not at.button(key="take.submit").disabled
    _click(at, "take.submit")
    assert at.title[0].value == "Thank you!"
    state = seeded.store.resume(token)
    assert state.status == "submitted"
    assert state.answers[PILOT]["PR-TRY-2"] == 5

    # The same link later says the answers are in and cannot change.
    later = _open(token)
    assert later.title[0].value == "Thank you!"
    assert "can no longer be changed" in later.info[0].value


def test_language_choice_is_stored_with_the_invitation(seeded):
    token = seeded.tokens["sales"]
    at = _open(token)
    at.selectbox[0].set_value("de").run()
    assert at.header[0].value == "Willkommen"
    assert seeded.store.invitation_by_token(token).language == "de"
    _click(at, "take.start")
    assert at.header[0].value == "Zuhören"
    assert _radio(at, "PR-LIS-1").options[0] == "Stimme gar nicht zu"


def test_store_refusals_are_shown_as_messages(seeded):
    # A campaign that has closed: the store refuses the draft and the page says why.
    closed = seeded.store.create_campaign(
        seeded.organisation.id,
        "Closed",
        instruments=[PILOT],
        closes_at=datetime.now(UTC) - timedelta(days=1),
    )
    _invitation, token = seeded.store.create_invitation(closed.id, role="sales")
    at = _click(_open(token), "take.start")
    _radio(at, "PR-LIS-1").set_value(4)
    _click(at, "take.next")
    assert at.header[0].value == "Listening"  # stays on the step
    assert "could not be accepted" in at.error[0].value
    assert any("the campaign closed on" in t.value for t in at.text)
    assert not any(seeded.store.resume(token).answers.values())


def test_a_response_submitted_elsewhere_shows_as_submitted(seeded):
    token = seeded.tokens["sales"]
    at = _click(_open(token), "take.start")
    seeded.store.save_draft(
        token, PILOT, {i: 3 for i in ("PR-LIS-1", "PR-LIS-2", "PR-LIS-3", "PR-TRY-1", "PR-TRY-2")}
    )
    seeded.store.submit(token)  # in another tab, meanwhile
    _click(at, "take.next")
    assert at.title[0].value == "Thank you!"
    assert seeded.store.resume(token).answers[PILOT]["PR-LIS-1"] == 3
