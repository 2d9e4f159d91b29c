"""Storage behaviour on SQLite and on a real PostgreSQL server (the ``store`` fixture runs both)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from survey.storage import (
    AccessDenied,
    AlreadySubmitted,
    NotFound,
    Store,
    SubmissionError,
    open_store,
)
from survey.storage import models as m
from survey.storage.rows import token_hash

ALPHA = [f"A-{s}-{i}" for s in (1, 2) for i in range(1, 5)]
BETA = ["B-1-1", "B-1-2", "B-1-3"]


def full_alpha(value: int = 4) -> dict[str, int | str]:
    return dict.fromkeys(ALPHA, value)


@pytest.fixture
def campaign(store: Store):
    org = store.create_organisation("Acme", industry="Machinery", size_band="50-249", region="DACH")
    return store.create_campaign(
        org.id, "2026", instruments=["alpha", "beta@1.0.0"], sides=("self", "customer")
    )


def test_new_database_is_migrated_and_empty(store: Store) -> None:
    counts = store.table_counts()
    with store.engine.connect() as conn:
        keys = sorted(conn.execute(select(m.Meta.key)).scalars())
    assert keys == ["data_version", "totals_built"]  # nothing to count yet: totals complete
    assert sum(v for k, v in counts.items() if k != "meta") == 0
    assert store.data_version() == 0


def test_campaign_pins_instrument_versions_and_hashes(store: Store, campaign) -> None:
    assert campaign.instruments == ["alpha@1.0.0", "beta@1.0.0"]
    assert campaign.sides == ("self", "customer")
    with store.engine.connect() as conn:
        pins = conn.execute(select(m.CampaignInstrument.sha256)).scalars().all()
    assert sorted(pins) == sorted(store.instrument(r).sha256 for r in campaign.instruments)


def test_token_is_long_random_and_stored_only_hashed(store: Store, campaign) -> None:
    invitation, token = store.create_invitation(campaign.id, role="sales", email="a@b.example")
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    with store.engine.connect() as conn:
        stored = conn.execute(select(m.Invitation.token_hash)).scalar_one()
        contact = conn.execute(select(m.InvitationContact.email)).scalar_one()
    assert stored == token_hash(token) != token
    assert contact == "a@b.example"
    assert store.invitation_by_token(token) == invitation
    with pytest.raises(NotFound):
        store.invitation_by_token(token[:-1])


def test_invitation_rejects_unknown_role_and_side(store: Store, campaign) -> None:
    with pytest.raises(ValueError, match="role 'ceo'"):
        store.create_invitation(campaign.id, role="ceo")
    with pytest.raises(ValueError, match="not 'partner'"):
        store.create_invitation(campaign.id, role="partner", side="partner")


def test_save_and_resume_exactly_where_stopped(store: Store, campaign) -> None:
    _, token = store.create_invitation(campaign.id, role="rnd")
    assert store.resume(token).status == "new"
    store.save_draft(token, "alpha", {"A-1-1": 2, "A-2-1": "na"})
    store.save_draft(token, "alpha@1.0.0", {"A-1-2": "5", "A-2-1": None})
    state = store.resume(token)
    assert state.status == "draft"
    assert state.answers == {"alpha@1.0.0": {"A-1-1": 2, "A-1-2": 5}, "beta@1.0.0": {}}
    store.save_draft(token, "alpha", {"A-2-2": "na"})
    assert store.resume(token).answers["alpha@1.0.0"]["A-2-2"] == "na"


def test_invalid_answers_name_item_and_problem_and_store_nothing(store: Store, campaign) -> None:
    _, token = store.create_invitation(campaign.id, role="rnd")
    store.save_draft(token, "alpha", {"A-1-1": 3})
    version = store.data_version()
    with pytest.raises(SubmissionError) as caught:
        store.save_draft(
            token, "alpha", {"A-1-1": 1, "A-1-2": 6, "A-1-3": "na", "A-1-4": 2.5, "NOPE": 1}
        )
    problems = {p.item: p.problem for p in caught.value.problems}
    assert problems == {
        "A-1-2": "value 6 is outside the scale 1..5",
        "A-1-3": "'not applicable' is not allowed for this item (its scale has no such option)",
        "A-1-4": "2.5 is not a whole point of the scale 1..5",
        "NOPE": "not an item of alpha@1.0.0",
    }
    assert store.resume(token).answers["alpha@1.0.0"] == {"A-1-1": 3}
    assert store.data_version() == version


def test_submit_validates_required_items_then_freezes(store: Store, campaign) -> None:
    _, token = store.create_invitation(campaign.id, role="service")
    store.save_draft(token, "alpha", {**full_alpha(), "A-1-3": None})
    with pytest.raises(SubmissionError) as caught:
        store.submit(token)
    missing = {(p.instrument, p.item) for p in caught.value.problems}
    assert missing == {
        ("alpha@1.0.0", "A-1-3"),
        ("beta@1.0.0", "B-1-1"),
        ("beta@1.0.0", "B-1-2"),
    }  # B-1-3 is optional
    assert store.resume(token).status == "draft"
    store.save_draft(token, "alpha", {"A-1-3": 1, "A-2-4": "na"})
    store.save_draft(token, "beta", {"B-1-1": 5, "B-1-2": 1})
    first = store.submit(token)
    assert first.status == "submitted"
    second = store.submit(token)  # idempotent
    assert second.submitted_at == first.submitted_at
    with pytest.raises(AlreadySubmitted):
        store.save_draft(token, "alpha", {"A-1-1": 1})
    table = store.responses()
    assert len(table) == 2
    assert table.respondents["status"].eq("submitted").all()
    assert store.resume(token).answers["alpha@1.0.0"]["A-1-1"] == 4


def test_responses_wide_table(store: Store, campaign) -> None:
    _, t1 = store.create_invitation(campaign.id, role="sales")
    _, t2 = store.create_invitation(campaign.id, role="customer", side="customer", language="de")
    _, t3 = store.create_invitation(campaign.id, role="management")
    for token, value in ((t1, 2), (t2, 5)):
        store.save_draft(token, "alpha", {**full_alpha(value), "A-2-3": "na"})
        store.save_draft(token, "beta", {"B-1-1": value, "B-1-2": 3})
        store.submit(token)
    store.save_draft(t3, "alpha", {"A-1-1": 1})
    table = store.responses(instrument="alpha")
    assert list(table.answers.columns) == ALPHA
    assert table.answers.index.name == "response_id"
    assert len(table) == 2
    assert table.answers["A-1-1"].tolist() == [2.0, 5.0]
    assert math.isnan(table.answers.loc[table.answers.index[0], "A-2-3"])
    assert table.not_applicable["A-2-3"].all() and not table.not_applicable["A-1-1"].any()
    resp = table.respondents
    assert resp["side"].tolist() == ["self", "customer"]
    assert resp["language"].tolist() == ["en", "de"]
    assert resp["organisation"].eq("Acme").all() and resp["industry"].eq("Machinery").all()
    assert str(resp["submitted_at"].dt.tz) == "UTC"
    assert len(store.responses(instrument="alpha", side="customer")) == 1
    drafts = store.responses(instrument="alpha@1.0.0", include_drafts=True)
    assert len(drafts) == 3 and drafts.answers.iloc[2].notna().sum() == 1
    both = store.responses()
    assert list(both.answers.columns) == ALPHA + BETA
    soon = datetime.now(UTC) + timedelta(hours=1)
    assert len(store.responses(submitted_from=soon)) == 0
    progress = store.campaign_progress(campaign.id).set_index(["role", "side"])
    assert progress.loc[("management", "self")].tolist() == [1, 1, 0]
    assert progress.loc[("sales", "self")].tolist() == [1, 1, 1]


def test_empty_read_has_stable_columns(store: Store) -> None:
    table = store.responses(instrument="alpha@1.0.0")
    assert len(table) == 0
    assert "organisation" in table.respondents.columns


def test_closed_campaign_refuses_answers(store: Store) -> None:
    org = store.create_organisation("Old", industry="x", size_band="1-49", region="r")
    past = datetime.now(UTC) - timedelta(days=2)
    campaign = store.create_campaign(
        org.id, "old", instruments=["beta"], opens_at=past - timedelta(days=30), closes_at=past
    )
    _, token = store.create_invitation(campaign.id, role="sales")
    with pytest.raises(SubmissionError, match="closed"):
        store.save_draft(token, "beta", {"B-1-1": 3})


def test_data_version_bumps_on_writes(store: Store, campaign) -> None:
    before = store.data_version()
    _, token = store.create_invitation(campaign.id, role="sales")
    store.save_draft(token, "beta", {"B-1-1": 3})
    assert store.data_version() == before + 2


def test_accounts_and_visibility(store: Store) -> None:
    store.password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    consultant = store.create_user("C@Example.org", "secret-pass", "consultant", name="Cora")
    own = store.create_organisation(
        "Client", industry="x", size_band="1-49", region="r", consultant_id=consultant.id
    )
    other = store.create_organisation("Other", industry="x", size_band="1-49", region="r")
    firm = store.create_user("f@example.org", "secret-pass", "firm_admin", organisation_id=other.id)
    admin = store.create_user("a@example.org", "secret-pass", "admin")
    with store.engine.connect() as conn:
        stored = conn.execute(select(m.User.password_hash).where(m.User.id == admin.id)).scalar()
    assert stored.startswith("$argon2id$") and "secret-pass" not in stored
    assert store.authenticate("c@example.org", "secret-pass") == consultant
    assert store.authenticate("c@example.org", "wrong-pass") is None
    assert store.authenticate("nobody@example.org", "secret-pass") is None
    assert [o.name for o in store.organisations(user=consultant)] == ["Client"]
    assert [o.name for o in store.organisations(user=firm)] == ["Other"]
    assert [o.name for o in store.organisations(user=admin)] == ["Client", "Other"]
    store.require_access(consultant, own.id)
    with pytest.raises(AccessDenied):
        store.require_access(consultant, other.id)
    with pytest.raises(ValueError, match="exists already"):
        store.create_user("c@example.org", "another-pass", "researcher")
    with pytest.raises(ValueError, match="8 characters"):
        store.create_user("new@example.org", "short", "researcher")


def _orphans(store: Store) -> dict[str, int]:
    checks = {
        "answers": select(func.count())
        .select_from(m.Answer)
        .where(~m.Answer.response_id.in_(select(m.Response.id))),
        "responses": select(func.count())
        .select_from(m.Response)
        .where(~m.Response.invitation_id.in_(select(m.Invitation.id))),
        "contacts": select(func.count())
        .select_from(m.InvitationContact)
        .where(~m.InvitationContact.invitation_id.in_(select(m.Invitation.id))),
        "invitations": select(func.count())
        .select_from(m.Invitation)
        .where(~m.Invitation.campaign_id.in_(select(m.Campaign.id))),
        "campaigns": select(func.count())
        .select_from(m.Campaign)
        .where(~m.Campaign.organisation_id.in_(select(m.Organisation.id))),
    }
    with store.engine.connect() as conn:
        return {name: conn.execute(query).scalar_one() for name, query in checks.items()}


def test_erasure_of_respondent_and_organisation(store: Store, campaign) -> None:
    inv1, t1 = store.create_invitation(campaign.id, role="sales", email="one@example.org")
    _, t2 = store.create_invitation(campaign.id, role="rnd", email="two@example.org")
    for token in (t1, t2):
        store.save_draft(token, "alpha", full_alpha())
        store.save_draft(token, "beta", {"B-1-1": 2, "B-1-2": 2})
        store.submit(token)
    counts = store.erase_invitation(inv1.id, by="admin@example.org", reason="request")
    assert counts == {"answers": 10, "responses": 2, "invitation_contacts": 1, "invitations": 1}
    with pytest.raises(NotFound):
        store.resume(t1)
    assert len(store.responses()) == 2
    response_id = int(store.responses(instrument="beta").answers.index[0])
    assert store.erase_response(response_id) == {"answers": 2, "responses": 1}
    store.create_user(
        "firm@example.org", "secret-pass", "firm_admin", organisation_id=campaign.organisation_id
    )
    counts = store.erase_organisation(campaign.organisation_id, by="admin@example.org")
    assert counts["organisations"] == 1 and counts["campaigns"] == 1 and counts["users"] == 1
    assert counts["answers"] == 8 and counts["invitations"] == 1
    assert _orphans(store) == dict.fromkeys(
        ["answers", "responses", "contacts", "invitations", "campaigns"], 0
    )
    left = store.table_counts()
    assert {k: v for k, v in left.items() if k not in ("meta", "erasures")} == dict.fromkeys(
        [k for k in left if k not in ("meta", "erasures")], 0
    )
    record = store.erasures()
    assert record["kind"].tolist() == ["invitation", "response", "organisation"]
    assert record["erased_by"].tolist()[0] == "admin@example.org"


def test_reopening_keeps_data_and_does_not_migrate_again(store_url: str, test_registry) -> None:
    first = open_store(store_url, registry=test_registry)
    first.create_organisation("Keep", industry="x", size_band="1-49", region="r")
    first.close()
    second = open_store(store_url, registry=test_registry)
    assert [o.name for o in second.organisations()] == ["Keep"]
    second.close()


def test_migrations_match_the_models(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, m.Base.metadata)
    assert differences == []


def test_ids_are_not_reused_after_erasure(store: Store) -> None:
    first = store.create_organisation("First", industry="x", size_band="1-49", region="r")
    store.erase_organisation(first.id)
    second = store.create_organisation("Second", industry="x", size_band="1-49", region="r")
    assert second.id > first.id


def test_instruments_in_use_lists_each_pinned_version_once(store: Store) -> None:
    assert store.instruments_in_use() == []
    first = store.create_organisation("One", industry="x", size_band="1-49", region="r")
    second = store.create_organisation("Two", industry="x", size_band="1-49", region="r")
    store.create_campaign(first.id, "a", instruments=["alpha", "beta"])
    store.create_campaign(second.id, "b", instruments=["alpha"])
    assert store.instruments_in_use() == ["alpha@1.0.0", "beta@1.0.0"]
