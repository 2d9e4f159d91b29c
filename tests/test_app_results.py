"""The Results page: the firm's profile, agreement warning, view gap, change, benchmark, and no
stale numbers after a submit (AppTest on a real SQLite store)."""

from __future__ import annotations

import pytest

from tests.app_support import PILOT, answer_all, app, seed, seed_cohort, use_fixture_environment

PAGE = "app_pages/results.py"


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    return seed(use_fixture_environment(tmp_path, monkeypatch))


def _open(user):
    at = app(PAGE, user=user)
    at.run()
    assert not at.exception
    return at


def _markdown(at):
    return [m.value for m in at.markdown]


def test_no_answers_yet_says_so(seeded):
    at = _open(seeded.firm_admin)
    assert at.title[0].value == "Results: Acme \\*Pumps\\*"  # the name is shown as typed
    assert "No submitted responses" in at.info[0].value


def test_profile_stage_narrative_and_disagreement(seeded):
    answer_all(seeded.store, seeded.tokens["rnd"], value=5)
    answer_all(seeded.store, seeded.tokens["sales"], value=1)
    at = _open(seeded.firm_admin)
    assert len(at.selectbox(key="results.campaign.1").options) == 1
    # A firm admin has no organisation picker: only their own organisation exists for them.
    assert not [s for s in at.selectbox if s.label == "Organisation"]
    assert "**Respondents**: 2" in _markdown(at)
    assert any(m.startswith("##### Stage") for m in _markdown(at))
    assert len(at.get("vega_lite_chart")) >= 1  # one instrument: its section, with the profile
    assert "disagree strongly" in at.warning[0].value
    assert any("too small for a benchmark" in i.value for i in at.info)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Report (PDF)", "Report (HTML)"]


def test_results_follow_a_new_submission_at_once(seeded):
    answer_all(seeded.store, seeded.tokens["rnd"], value=4)
    at = _open(seeded.firm_admin)
    assert "**Respondents**: 1" in _markdown(at)
    answer_all(seeded.store, seeded.tokens["sales"], value=4)
    at.run()
    assert "**Respondents**: 2" in _markdown(at)


def test_german_results_use_the_instrument_texts(seeded):
    answer_all(seeded.store, seeded.tokens["rnd"], value=4)
    at = _open(seeded.firm_admin)
    at.selectbox(key="results.language").set_value("de").run()
    assert any("Stufe 2: Beteiligen" in m for m in _markdown(at))
    assert "Kunden wirken an der Arbeit mit." in _markdown(at)


def test_benchmark_view_gap_and_change(seeded):
    store = seeded.store
    answer_all(store, seeded.tokens["rnd"], value=2)
    answer_all(store, seeded.tokens["sales"], value=3)
    seed_cohort(seeded, n=6)
    later = store.create_campaign(
        seeded.organisation.id, "Autumn 2026", instruments=[PILOT], sides=("self", "customer")
    )
    for role, side, value in (
        ("sales", "self", 5),
        ("rnd", "self", 4),
        ("customer", "customer", 2),
        ("customer", "customer", 3),
    ):
        _invitation, token = store.create_invitation(later.id, role=role, side=side)
        answer_all(store, token, value=value)
    at = _open(seeded.firm_admin)
    assert at.selectbox(key="results.campaign.1").value == later.id  # newest first
    subheaders = [s.value for s in at.subheader]
    assert "Our view and the customer view" in subheaders
    assert "Change since Spring 2026" in subheaders
    assert any(s.startswith("Position in the cohort (6 organisations)") for s in subheaders)
    change = next(f.value for f in at.dataframe if "RCI" in f.value.columns)
    assert (change["Δ"] > 0).all()


def test_a_consultant_picks_among_their_clients_only(seeded):
    at = _open(seeded.consultant)
    assert at.title[0].value == "Results: Acme \\*Pumps\\*"
    assert not [s for s in at.selectbox if s.label == "Organisation"]  # one client
    admin = _open(seeded.admin)
    picker = next(s for s in admin.selectbox if s.label == "Organisation")
    assert len(picker.options) == 2


def test_several_instruments_open_on_the_overview_and_show_one_section_at_a_time(
    tmp_path, monkeypatch
):
    # The demo cohort of `cocreate setup` on the shipped instruments (four per campaign).
    from survey.cli.database import setup
    from survey.storage import open_store

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("COCREATE_DATABASE_URL", url)
    monkeypatch.delenv("COCREATE_INSTRUMENTS_DIR", raising=False)
    setup(db=url, organizations=8, seed=5)
    store = open_store(url)
    firm = next(user for user in store.users() if user.role == "firm_admin")
    live = next(c for c in store.campaigns(firm.organisation_id) if c.name == "Live demo")
    for number in range(2):  # two colleagues answer the live campaign's four instruments
        _invitation, token = store.create_invitation(live.id, role="sales")
        for ref in live.instruments:
            items = store.instrument(ref).items
            store.save_draft(
                token, ref, {item.id: 2 + (number + k) % 3 for k, item in enumerate(items)}
            )
        store.submit(token)
    at = _open(firm)
    view = at.segmented_control[0]
    assert view.value == "overview"
    assert len(view.options) == 5  # the overview and four instruments
    assert len(at.get("vega_lite_chart")) == 1  # the overall index per instrument
    assert not at.subheader  # no section is laid out yet
    section = view.options[1]
    view.set_value(section).run()
    assert not at.exception
    assert any(s.value == "Recommendations" for s in at.subheader)
    assert any(m.startswith("##### Stage") for m in _markdown(at))
    store.close()
