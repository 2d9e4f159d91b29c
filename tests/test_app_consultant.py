"""The Consultant page: own clients only, new organisation and campaign, invitation links that
work, response progress, and a benchmark that enforces the minimum cohort."""

from __future__ import annotations

import re

import pytest

from tests.app_support import PILOT, answer_all, app, seed, seed_cohort, use_fixture_environment

PAGE = "app_pages/consultant.py"


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    return seed(use_fixture_environment(tmp_path, monkeypatch))


def _open(user, section="Clients"):
    at = app(PAGE, user=user)
    at.run()
    assert not at.exception
    if section != "Clients":
        at.button_group(key="consultant.section").set_value(section).run()
        assert not at.exception
    return at


def _client_table(at):
    return next(frame.value for frame in at.dataframe if "Organisation" in frame.value.columns)


def test_a_consultant_sees_only_their_clients(seeded):
    at = _open(seeded.consultant)
    assert list(_client_table(at)["Organisation"]) == ["Acme *Pumps*"]
    other = _open(seeded.other_consultant)
    assert list(_client_table(other)["Organisation"]) == ["Borealis Valves"]
    admin = _open(seeded.admin)
    assert set(_client_table(admin)["Organisation"]) == {"Acme *Pumps*", "Borealis Valves"}


def test_create_an_organisation_with_validation(seeded):
    at = _open(seeded.consultant, "New client")
    at.button(key="FormSubmitter:consultant.new_org-Create organisation").click().run()
    assert "Give the organisation's name, industry, region." in at.error[0].value
    name_box = next(t for t in at.text_input if t.label == "Name")
    name_box.input("Caldera Heat")
    next(s for s in at.selectbox if s.label == "Industry").set_value("Machinery")
    next(s for s in at.selectbox if s.label == "Region").set_value("Europe")
    at.button(key="FormSubmitter:consultant.new_org-Create organisation").click().run()
    assert not at.exception
    assert "Created the organisation Caldera Heat" in at.success[0].value
    at.button_group(key="consultant.section").set_value("Clients").run()
    assert set(_client_table(at)["Organisation"]) == {"Acme *Pumps*", "Caldera Heat"}
    created = seeded.store.organisation("Caldera Heat")
    assert created.consultant_id == seeded.consultant.id
    assert (created.industry, created.region, created.size_band) == (
        "Machinery",
        "Europe",
        "50-249",
    )


def test_create_a_campaign_and_see_its_progress(seeded):
    answer_all(seeded.store, seeded.tokens["rnd"])
    seeded.store.save_draft(seeded.tokens["sales"], PILOT, {"PR-LIS-1": 2})
    at = _open(seeded.consultant, "Campaigns")
    progress = [p for p in at.progress if "invited have submitted" in p.proto.text]
    assert progress[0].proto.text == "1 of 3 invited have submitted (2 started)"
    name = next(t for t in at.text_input if t.label == "Campaign name")
    name.input("Autumn 2026")
    at.button(key="FormSubmitter:consultant.new_campaign-Create campaign").click().run()
    assert not at.exception
    assert any("Autumn 2026" in s.value for s in at.success)
    names = [c.name for c in seeded.store.campaigns(seeded.organisation.id)]
    assert "Autumn 2026" in names


def test_generated_links_open_the_assessment(seeded):
    at = _open(seeded.consultant, "Invitation links")
    next(n for n in at.number_input if n.label == "How many").set_value(3)
    next(s for s in at.selectbox if s.label == "Role").set_value("management")
    at.button(key="FormSubmitter:consultant.links-Generate links").click().run()
    assert not at.exception
    links = at.code[0].value.splitlines()
    assert len(links) == 3
    tokens = [re.search(r"\?t=([A-Za-z0-9_\-]+)$", link).group(1) for link in links]
    for token in tokens:
        invitation = seeded.store.invitation_by_token(token)
        assert (invitation.campaign_id, invitation.role) == (seeded.campaign.id, "management")
    assert "cannot be shown again" in at.success[0].value


def test_benchmark_refuses_a_cohort_below_the_minimum(seeded):
    answer_all(seeded.store, seeded.tokens["rnd"])
    seed_cohort(seeded, n=3)
    at = _open(seeded.consultant, "Benchmark")
    assert any("benchmarks need at least 5" in w.value for w in at.warning)
    assert not at.get("vega_lite_chart")


def test_benchmark_against_a_cohort_marks_the_client(seeded):
    answer_all(seeded.store, seeded.tokens["rnd"], value=5)
    seed_cohort(seeded, n=6)
    at = _open(seeded.consultant, "Benchmark")
    assert not at.warning
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    table = next(f.value for f in at.dataframe if "Percentile" in f.value.columns)
    assert list(table["Scale"]) == ["Listening", "Trying together"]
    assert table["Cohort n"].tolist() == [6, 6]
    # The client answered 5 everywhere, the top of the scale: above every cohort member
    # except those that also answered 5 (ties count half).
    assert (table["Percentile"] > 50).all()


def test_a_duplicate_name_is_refused_and_shown_as_typed(seeded):
    at = _open(seeded.consultant, "New client")
    next(t for t in at.text_input if t.label == "Name").input("Acme *Pumps*")
    next(s for s in at.selectbox if s.label == "Industry").set_value("Machinery")
    next(s for s in at.selectbox if s.label == "Region").set_value("Europe")
    at.button(key="FormSubmitter:consultant.new_org-Create organisation").click().run()
    assert not at.exception
    # The store's message repeats the name; the asterisks stay literal (escaped Markdown).
    assert "Acme \\*Pumps\\*" in at.error[0].value
    assert "exists already" in at.error[0].value


def _generate_one(at):
    next(n for n in at.number_input if n.label == "How many").set_value(1)
    at.button(key="FormSubmitter:consultant.links-Generate links").click().run()
    assert not at.exception
    return at.code[0].value.splitlines()


def test_links_use_the_public_address_when_it_is_set(seeded, monkeypatch):
    monkeypatch.setenv("COCREATE_PUBLIC_URL", "https://survey.example.org/cocreate")
    at = app(PAGE, user=seeded.consultant)
    at.context["url"] = "http://10.0.0.7:8501/consultant"
    at.run()
    at.button_group(key="consultant.section").set_value("Invitation links").run()
    [link] = _generate_one(at)
    assert link.startswith("https://survey.example.org/cocreate/?t=")
    token = link.rsplit("=", 1)[1]
    assert seeded.store.invitation_by_token(token).campaign_id == seeded.campaign.id


def test_links_use_the_browser_address_otherwise(seeded, monkeypatch):
    monkeypatch.delenv("COCREATE_PUBLIC_URL", raising=False)
    at = app(PAGE, user=seeded.consultant)
    at.context["url"] = "http://10.0.0.7:8501/consultant"
    at.run()
    at.button_group(key="consultant.section").set_value("Invitation links").run()
    [link] = _generate_one(at)
    assert link.startswith("http://10.0.0.7:8501/?t=")


def test_a_bad_public_address_creates_no_invitation(seeded, monkeypatch):
    monkeypatch.setenv("COCREATE_PUBLIC_URL", "survey.example.org")
    before = seeded.store.campaign_progress(seeded.campaign.id)["invited"].sum()
    at = _open(seeded.consultant, "Invitation links")
    next(n for n in at.number_input if n.label == "How many").set_value(2)
    at.button(key="FormSubmitter:consultant.links-Generate links").click().run()
    # The configured value is shown as typed (escaped), never as Markdown.
    assert "(survey\\.example\\.org) is not an absolute" in at.error[0].value
    assert seeded.store.campaign_progress(seeded.campaign.id)["invited"].sum() == before
