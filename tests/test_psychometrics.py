"""The Research page's statistics from the running totals equal those computed from every
stored answer (score_instrument, icc_membership), on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.agreement import icc_membership
from scoring.instrument_scoring import score_instrument
from survey.services.psychometrics import instrument_factor_model, instrument_psychometrics
from survey.storage.demo import generate_demo


def test_psychometrics_from_totals_equal_scoring_every_answer(store):
    generate_demo(store, 12, seed=21)
    for instrument in store.registry.latest():
        table = store.responses(instrument=instrument.key, side="self")
        if len(table) == 0:
            continue
        answers = table.answers[instrument.item_ids].astype(float)
        direct = score_instrument(answers, instrument)
        found = instrument_psychometrics(store, instrument)
        assert found.responses == len(table)
        assert found.organisations == table.respondents["organisation_id"].nunique()
        expected = direct.reliability.reset_index()
        pd.testing.assert_frame_equal(found.reliability, expected, rtol=1e-9)
        scores = direct.scores.rename(columns=str)
        groups = table.respondents.loc[scores.index, "organisation_id"]
        icc = icc_membership(scores, groups)
        for column in ("n", "n_groups", "F", "ICC1", "ICC2"):
            np.testing.assert_allclose(
                found.agreement[column].astype(float), icc[column].astype(float), rtol=1e-8
            )


def test_factor_model_needs_enough_complete_responses(store):
    generate_demo(store, 2, seed=22)
    instrument = store.registry.latest()[0]
    with pytest.raises(ValueError, match=r"CFA needs at least \d+ complete cases"):
        instrument_factor_model(store, instrument)
