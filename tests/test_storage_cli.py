"""The storage CLI (setup, db upgrade, demo, export) and the demo cohort's properties."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pingouin as pg
import pytest
import typer
from typer.testing import CliRunner

from survey.cli.database import DEMO_ACCOUNTS, register
from survey.instrument.registry import Registry
from survey.storage import Store, open_store
from survey.storage.demo import generate_demo


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, test_instruments_dir: Path) -> None:
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(test_instruments_dir))
    monkeypatch.setenv("COCREATE_PSEUDONYM_SECRET", "test-secret")


def test_setup_seeds_once_and_prints_accounts(
    cli_env: None, tmp_path: Path, test_registry: Registry
) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'cocreate.db'}"
    runner = CliRunner()
    first = runner.invoke(_app(), ["setup", "--db", url, "--organizations", "6"])
    assert first.exit_code == 0, first.output
    for _role, email, password, _name in DEMO_ACCOUNTS:
        assert email in first.stdout and password in first.stdout
    assert "?t=" in first.stdout
    second = runner.invoke(_app(), ["setup", "--db", url])
    assert second.exit_code == 0 and "Database ready (6 organisations)" in second.stdout
    store = open_store(url, registry=test_registry)
    try:
        firm = store.authenticate(DEMO_ACCOUNTS[2][1], DEMO_ACCOUNTS[2][2])
        assert firm is not None and firm.role == "firm_admin"
        assert len(store.organisations(user=firm)) == 1
        consultant = store.user(DEMO_ACCOUNTS[1][1])
        assert 1 <= len(store.organisations(user=consultant)) < 6
        live = [c for c in store.campaigns() if c.name == "Live demo"]
        assert live and live[0].organisation_id == firm.organisation_id
    finally:
        store.close()


def test_db_upgrade_and_bad_arguments(cli_env: None, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    ok = CliRunner().invoke(_app(), ["db", "upgrade", "--db", url])
    assert ok.exit_code == 0 and "is current" in ok.stdout
    bad = CliRunner().invoke(_app(), ["db", "upgrade", "--db", "nosuchdriver://x"])
    assert bad.exit_code == 2 and "not a database URL" in bad.stderr
    unknown = CliRunner().invoke(
        _app(), ["demo", "--db", url, "--organizations", "2", "--instrument", "gamma"]
    )
    assert unknown.exit_code == 1 and "unknown instrument 'gamma'" in unknown.stderr


def _cohort(url: str, registry: Registry, seed: int) -> Store:
    store = open_store(url, registry=registry)
    generate_demo(store, 40, seed)
    return store


def test_demo_is_deterministic_and_looks_like_survey_data(
    tmp_path: Path, test_registry: Registry
) -> None:
    one = _cohort(f"sqlite:///{tmp_path / 'a.db'}", test_registry, seed=11)
    two = _cohort(f"sqlite:///{tmp_path / 'b.db'}", test_registry, seed=11)
    other = _cohort(f"sqlite:///{tmp_path / 'c.db'}", test_registry, seed=12)
    a, b = one.responses(include_drafts=True), two.responses(include_drafts=True)
    pd.testing.assert_frame_equal(a.answers, b.answers)
    pd.testing.assert_frame_equal(
        a.respondents.drop(columns=["started_at", "submitted_at"]),
        b.respondents.drop(columns=["started_at", "submitted_at"]),
    )
    assert not a.answers.equals(other.responses(include_drafts=True).answers)
    submitted = one.responses(instrument="alpha")
    resp = submitted.respondents
    for campaign in one.campaigns():
        invited = one.invitations(campaign.id)
        assert 3 <= sum(i.side == "self" for i in invited) <= 8
        assert sum(i.side == "customer" for i in invited) <= 3
    assert set(resp["side"]) == {"self", "customer"}
    assert resp.groupby("organisation_id")["campaign_id"].nunique().max() == 2
    assert (a.respondents["status"] == "draft").any()
    assert submitted.not_applicable.to_numpy().any()
    instrument = test_registry.get("alpha@1.0.0")
    for scale in instrument.scales:
        items = submitted.answers[[i.id for i in scale.items]].copy()
        for item in scale.items:
            if item.reverse:
                items[item.id] = 6 - items[item.id]
        alpha = pg.cronbach_alpha(items)[0]  # independent implementation
        assert 0.7 <= alpha <= 0.92, (scale.id, alpha)
        # Reverse-keyed items correlate negatively with the rest before reversing.
        raw = submitted.answers[[i.id for i in scale.items]]
        assert raw.corr().iloc[-1, :-1].lt(0).all()
    for store in (one, two, other):
        store.close()


def test_erase_command(cli_env: None, tmp_path: Path, test_registry: Registry) -> None:
    url = f"sqlite:///{tmp_path / 'erase.db'}"
    store = open_store(url, registry=test_registry)
    generate_demo(store, 2, seed=1)
    org = store.organisations()[0]
    invitation = store.invitations(store.campaigns(org.id)[0].id)[0]
    store.close()
    runner = CliRunner()
    none = runner.invoke(_app(), ["erase", "--db", url])
    assert none.exit_code == 2 and "exactly one" in none.stderr
    one = runner.invoke(_app(), ["erase", "--db", url, "--invitation", str(invitation.id)])
    assert one.exit_code == 0 and "1 invitations" in one.stdout
    missing = runner.invoke(_app(), ["erase", "--db", url, "--invitation", str(invitation.id)])
    assert missing.exit_code == 1 and "no invitation" in missing.stderr
    whole = runner.invoke(
        _app(), ["erase", "--db", url, "--organization", org.name, "--by", "dpo@example.org"]
    )
    assert whole.exit_code == 0 and "1 organisations" in whole.stdout
    store = open_store(url, registry=test_registry)
    assert [o.name for o in store.organisations()] != [] and org.id not in [
        o.id for o in store.organisations()
    ]
    record = store.erasures()
    assert record["kind"].tolist() == ["invitation", "organisation"]
    assert record["erased_by"].isna().tolist() == [True, False]
    assert record["erased_by"].iloc[1] == "dpo@example.org"
    store.close()


def test_demo_spans_instrument_versions(tmp_path: Path, test_instruments_dir: Path) -> None:
    import shutil

    import yaml

    from survey.instrument.registry import load_registry

    root = tmp_path / "instruments"
    shutil.copytree(test_instruments_dir, root)
    data = yaml.safe_load((root / "alpha" / "1.0.0.yaml").read_text(encoding="utf-8"))
    data["version"] = "1.1.0"
    data["changelog"] = [{"version": "1.1.0", "date": "2026-06-01", "changes": ["reworded"]}]
    (root / "alpha" / "1.1.0.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    registry = load_registry([root])
    store = open_store(f"sqlite:///{tmp_path / 'v.db'}", registry=registry)
    generate_demo(store, 30, seed=5)
    versions = store.responses(instrument="alpha").respondents
    by_version = versions.groupby("version")["organisation_id"].nunique()
    assert set(by_version.index) == {"1.0.0", "1.1.0"}
    # Only first rounds of two-round organisations use the older version.
    older = versions[versions["version"] == "1.0.0"]
    assert older.groupby("organisation_id")["campaign_id"].nunique().eq(1).all()
    store.close()
