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
from survey.storage import models as m
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


def test_cohort_indices_match_scoring_every_answer(store):
    generate_demo(store, 8, seed=5)
    instrument = store.registry.latest()[0]
    table = store.responses(instrument=instrument.key, side="self")
    who = table.respondents
    latest = who.groupby("organisation_id")["campaign_id"].transform("max")
    rows = who.index[who["campaign_id"] == latest]
    result = score_instrument(table.answers.loc[rows, instrument.item_ids], instrument)
    index = result.index.rename(columns=str)
    expected = index.groupby(who.loc[rows, "organisation_id"]).mean()

    got = store.cohort_indices(instrument)
    assert got.index.tolist() == sorted(expected.index.tolist())
    np.testing.assert_allclose(got.to_numpy(), expected.loc[got.index, got.columns].to_numpy())
    spread = store.cohort_index_spread(instrument)
    np.testing.assert_allclose(spread["sd"], index.std()[spread.index], rtol=1e-9)
    assert spread["n"].tolist() == index.notna().sum()[spread.index].tolist()


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
    from scoring.maturity import _example_instrument

    demo = _example_instrument()
    answers = pd.DataFrame({f"{s}-{j}": [5.0, 1.0, np.nan, 3.0] for s in "ABC" for j in (1, 2, 3)})
    full = score_instrument(answers, demo)
    fast = score_instrument(answers, demo, reliability=reliability)
    pd.testing.assert_frame_equal(full.scores, fast.scores)
    pd.testing.assert_frame_equal(full.index, fast.index)
    if not reliability:
        assert fast.reliability["alpha"].isna().all()
        assert fast.reliability["k"].tolist() == full.reliability["k"].tolist()


def test_cohort_answers_equal_the_stored_answers_and_go_with_erasure(store):
    generate_demo(store, 6, seed=9)
    instrument = store.registry.latest()[0]
    table = store.responses(instrument=instrument.key, side="self")
    who = table.respondents
    latest = who.groupby("organisation_id")["campaign_id"].transform("max")
    rows = who.index[who["campaign_id"] == latest]
    expected = table.answers.loc[rows, instrument.item_ids].astype(float)

    got = store.cohort_answers(instrument)
    assert got.index.tolist() == expected.index.tolist()
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())  # NaN where NaN

    response_id = int(got.index[0])
    store.erase_response(response_id)
    assert response_id not in store.cohort_answers(instrument).index
    counts = store.table_counts()
    assert counts["response_vectors"] == counts["responses"] - _unscored(store)
