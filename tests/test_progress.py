"""Store.organisation_progress: the client list's totals agree with the store's per-campaign
progress."""

from __future__ import annotations

from tests.app_support import PILOT, answer_all, seed, seed_cohort, use_fixture_environment


def test_totals_match_campaign_progress(tmp_path, monkeypatch):
    seeded = seed(use_fixture_environment(tmp_path, monkeypatch))
    store = seeded.store
    answer_all(store, seeded.tokens["rnd"])
    store.save_draft(seeded.tokens["sales"], PILOT, {"PR-LIS-1": 3})
    seed_cohort(seeded, n=2)
    organisations = store.organisations()
    found = store.organisation_progress([o.id for o in organisations] + [999]).set_index(
        "organisation_id"
    )
    for org in organisations:
        campaigns = store.campaigns(org.id)
        expected = {"campaigns": len(campaigns), "invited": 0, "started": 0, "submitted": 0}
        for campaign in campaigns:
            progress = store.campaign_progress(campaign.id)
            for column in ("invited", "started", "submitted"):
                expected[column] += int(progress[column].sum())
        assert found.loc[org.id].to_dict() == expected, org.name
    assert found.loc[999].to_dict() == {"campaigns": 0, "invited": 0, "started": 0, "submitted": 0}
    assert found.loc[seeded.organisation.id].to_dict() == {
        "campaigns": 1,
        "invited": 3,
        "started": 2,
        "submitted": 1,
    }
    assert store.organisation_progress([]).empty


def test_totals_on_sqlite_and_postgresql(store):
    """The grouped queries give the same counts on both backends (``store`` fixture)."""
    instrument = store.instrument("alpha@1.0.0")
    answers = {item.id: 3 for item in instrument.items}
    first = store.create_organisation("First", industry="x", size_band="1-49", region="y")
    second = store.create_organisation("Second", industry="x", size_band="1-49", region="y")
    for org, (submitted, drafts, untouched) in ((first, (2, 1, 1)), (second, (0, 0, 2))):
        for name in ("One", "Two"):
            campaign = store.create_campaign(org.id, name, instruments=[instrument.key])
            for kind, count in (("submitted", submitted), ("draft", drafts), ("new", untouched)):
                for _ in range(count):
                    _invitation, token = store.create_invitation(campaign.id, role="sales")
                    if kind != "new":
                        store.save_draft(token, instrument.key, answers)
                    if kind == "submitted":
                        store.submit(token)
    found = store.organisation_progress([first.id, second.id]).set_index("organisation_id")
    assert found.loc[first.id].to_dict() == {
        "campaigns": 2,
        "invited": 8,
        "started": 6,
        "submitted": 4,
    }
    assert found.loc[second.id].to_dict() == {
        "campaigns": 2,
        "invited": 4,
        "started": 0,
        "submitted": 0,
    }
