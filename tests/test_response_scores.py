"""Scale scores stored at submission equal score_instrument's, feed the cohort, and are erased.

Runs on SQLite and PostgreSQL (the ``store`` fixture). The reference is
:func:`scoring.instrument_scoring.score_instrument` run on the answers read back with
``store.responses`` (with the reliability statistics, the full path), compared with what the
store wrote through the demo generator, a live submission and the backfill of an old database.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete

from scoring.instrument_scoring import score_instrument
from scoring.sums import response_sums
from survey.storage import models as m
from survey.storage import open_store, totals
from survey.storage.demo import generate_demo


def _expected(store) -> pd.DataFrame:
    """Long table response_id, scale, score, index from score_instrument on stored answers."""
    table = store.responses()
    frames = []
    who = table.respondents
    for (instrument_id, version), group in who.groupby(["instrument", "version"]):
        instrument = store.instrument(f"{instrument_id}@{version}")
        result = score_instrument(table.answers.loc[group.index, instrument.item_ids], instrument)
        scores = result.scores.rename(columns=str).stack(future_stack=True).rename("score")
        index = result.index.rename(columns=str).stack(future_stack=True).rename("index")
        frames.append(pd.concat([scores, index], axis=1))
    out = pd.concat(frames).reset_index()
    out.columns = ["response_id", "scale", "score", "index"]
    return out.sort_values(["response_id", "scale"], ignore_index=True)


def _unscored(store) -> int:
    """Responses without stored scores: drafts (only submitted responses are scored)."""
    table = store.responses(include_drafts=True)
    return int((table.respondents["status"] != "submitted").sum())


def _assert_same(stored: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert stored[["response_id", "scale"]].values.tolist() == (
        expected[["response_id", "scale"]].values.tolist()
    )
    for column in ("score", "index"):
        np.testing.assert_allclose(stored[column], expected[column], rtol=1e-12, atol=1e-12)
    assert stored["score"].isna().tolist() == expected["score"].isna().tolist()


def test_demo_and_submitted_scores_equal_score_instrument(store):
    generate_demo(store, 6, seed=3)
    # One live submission with a "not applicable" and a reverse-keyed item in play.
    org = store.organisations()[0]
    instrument = store.registry.latest()[0]
    campaign = store.create_campaign(org.id, "live", instruments=[instrument.key])
    _, token = store.create_invitation(campaign.id, role="sales")
    answers = {item.id: 1 + k % 5 for k, item in enumerate(instrument.items)}
    store.save_draft(token, instrument.key, answers)
    store.submit(token)

    stored = store.response_scores()
    expected = _expected(store)
    assert len(stored) > 0
    _assert_same(stored, expected)
    # The new response is scored too.
    response_id = store.resume(token).response_ids[instrument.key]
    assert set(stored.loc[stored["response_id"] == response_id, "scale"]) == {
        s.id for s in instrument.scales
    }


def _latest_campaign_indices(store, instrument):  # type: ignore[no-untyped-def]
    """Every self response of each organisation's latest campaign, scored from its answers:
    (respondents, the rows kept, their 0-100 indices with scale ids as columns)."""
    table = store.responses(instrument=instrument.key, side="self")
    who = table.respondents
    latest = who.groupby("organisation_id")["campaign_id"].transform("max")
    rows = who.index[who["campaign_id"] == latest]
    result = score_instrument(table.answers.loc[rows, instrument.item_ids], instrument)
    return who, rows, result.index.rename(columns=str)


def test_cohort_indices_match_scoring_every_answer(store):
    generate_demo(store, 8, seed=5)
    instrument = store.registry.latest()[0]
    who, rows, index = _latest_campaign_indices(store, instrument)
    expected = index.groupby(who.loc[rows, "organisation_id"]).mean()

    got = store.cohort_indices(instrument)
    assert got.index.tolist() == sorted(expected.index.tolist())
    np.testing.assert_allclose(got.to_numpy(), expected.loc[got.index, got.columns].to_numpy())
    spread = store.cohort_index_spread(instrument)
    np.testing.assert_allclose(spread["sd"], index.std()[spread.index], rtol=1e-9)
    assert spread["n"].tolist() == index.notna().sum()[spread.index].tolist()


def test_benchmark_cohort_reads_the_stored_scores_of_every_latest_campaign(store):
    """The Consultant page's cohort table (stored scores) equals scoring every answer."""
    from survey.services.cohorts import DESCRIPTORS, organisation_indices

    generate_demo(store, 8, seed=5)
    instrument = store.registry.latest()[0]
    who, rows, index = _latest_campaign_indices(store, instrument)
    expected = index.groupby(who.loc[rows, "organisation_id"]).mean()

    got = organisation_indices(store, instrument)
    scales = [scale.id for scale in instrument.scales]
    assert list(got.columns) == [*DESCRIPTORS, *scales]
    assert got["organisation_id"].tolist() == sorted(expected.index.tolist())
    np.testing.assert_allclose(
        got[scales].to_numpy(), expected.loc[got["organisation_id"], scales].to_numpy()
    )
    np.testing.assert_allclose(
        got[scales].to_numpy(), store.cohort_indices(instrument).loc[got["organisation_id"]]
    )
    first = who.loc[rows].groupby("organisation_id")
    assert got["respondents"].tolist() == first.size().loc[got["organisation_id"]].tolist()
    assert (
        got["campaign_id"].tolist()
        == first["campaign_id"].max().loc[got["organisation_id"]].tolist()
    )
    for column in ("organisation", "industry", "size_band", "region", "version"):
        assert got[column].tolist() == first[column].first().loc[got["organisation_id"]].tolist()
    customers = organisation_indices(store, instrument, side="customer")
    assert list(customers.columns) == [*DESCRIPTORS, *scales]


def test_erasure_removes_scores_and_backfill_restores_missing_ones(store):
    generate_demo(store, 3, seed=7)
    stored = store.response_scores()
    response_id = int(stored["response_id"].iloc[0])
    counts = store.erase_response(response_id)
    assert "response_scores" not in counts  # derived data; the record lists what was collected
    after = store.response_scores()
    assert response_id not in set(after["response_id"])
    assert len(after) < len(stored)

    organisation = store.organisations()[0]
    store.erase_organisation(organisation.id)
    remaining = store.response_scores()
    ids = set(store.responses().respondents.index)
    assert set(remaining["response_id"]) == ids

    # A database written before scores were stored: the store scores it when opened.
    store.write(lambda conn: conn.execute(delete(m.ResponseScore)))
    assert len(store.response_scores()) == 0
    assert store.backfill_scores() == len(ids)
    _assert_same(store.response_scores(), _expected(store))
    assert store.backfill_scores() == 0


@pytest.mark.parametrize("reliability", [True, False])
def test_scores_only_option_gives_the_same_scores(reliability):
    from survey.instrument.examples import example_instrument

    demo = example_instrument()
    answers = pd.DataFrame({f"{s}-{j}": [5.0, 1.0, np.nan, 3.0] for s in "ABC" for j in (1, 2, 3)})
    full = score_instrument(answers, demo)
    fast = score_instrument(answers, demo, reliability=reliability)
    pd.testing.assert_frame_equal(full.scores, fast.scores)
    pd.testing.assert_frame_equal(full.index, fast.index)
    if not reliability:
        assert fast.reliability["alpha"].isna().all()
        assert fast.reliability["k"].tolist() == full.reliability["k"].tolist()


def _assert_totals_match_the_answers(store) -> None:
    """The running totals equal sums recomputed from every stored answer (exactly for the
    response sums, to rounding for the index totals)."""
    table = store.responses()
    who = table.respondents
    scored = _expected(store).set_index("response_id")
    for (instrument_id, version), group in who.groupby(["instrument", "version"]):
        instrument = store.instrument(f"{instrument_id}@{version}")
        for side, rows in group.groupby("side"):
            expected = response_sums(
                table.answers.loc[rows.index, instrument.item_ids].astype(float), instrument
            )
            got = store.instrument_sums(instrument, side=side)
            for name, array in expected.arrays().items():
                assert np.array_equal(got.arrays()[name], array), (instrument.key, side, name)
            index = scored.loc[rows.index].join(rows[["campaign_id"]])
            want = index.groupby(["campaign_id", "scale"])["index"].agg(["size", "count", "sum"])
            have = store.campaign_totals(instrument, side=side).set_index(["campaign_id", "scale"])
            have = have.loc[want.index]
            assert have["responses"].tolist() == want["size"].tolist()
            assert have["scored"].tolist() == want["count"].tolist()
            np.testing.assert_allclose(have["index_sum"], want["sum"], rtol=1e-9, atol=1e-9)
    counts = store.table_counts()
    assert counts["campaign_scale_totals"] == sum(
        len(store.campaign_totals(store.instrument(f"{i}@{v}"), side=s))
        for (i, v, s) in who[["instrument", "version", "side"]]
        .drop_duplicates()
        .itertuples(index=False)
    )


def test_running_totals_follow_submissions_and_erasures(store):
    # A new database has nothing to count: migration 0003 marks its totals as built.
    assert store.read(lambda conn: not totals.needs_rebuild(conn))
    generate_demo(store, 6, seed=9)
    _assert_totals_match_the_answers(store)
    # A live submission, then erasures of a response and a whole organisation.
    org = store.organisations()[0]
    instrument = store.registry.latest()[0]
    campaign = store.create_campaign(org.id, "live", instruments=[instrument.key])
    _, token = store.create_invitation(campaign.id, role="sales")
    store.save_draft(token, instrument.key, {item.id: 3 for item in instrument.items})
    store.submit(token)
    store.submit(token)  # a second click changes nothing
    _assert_totals_match_the_answers(store)
    store.erase_response(int(store.responses().respondents.index[0]))
    store.erase_organisation(store.organisations()[1].id)
    _assert_totals_match_the_answers(store)

    # A database from before the totals were kept: they are rebuilt when it is opened.
    before = store.instrument_sums(instrument).arrays()
    assert store.read(lambda conn: not totals.needs_rebuild(conn))  # marked as built
    store.write(
        lambda conn: (
            conn.execute(delete(m.InstrumentSum)),
            conn.execute(delete(m.CampaignScaleTotal)),
            conn.execute(delete(m.Meta).where(m.Meta.key == totals.BUILT_KEY)),
        )
    )
    assert store.instrument_sums(instrument).rows == 0
    reopened = open_store(
        store.engine.url.render_as_string(hide_password=False), registry=store.registry
    )
    after = reopened.instrument_sums(instrument).arrays()
    assert all(np.array_equal(before[name], after[name]) for name in before)
    reopened.close()
    _assert_totals_match_the_answers(store)
