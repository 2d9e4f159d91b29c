"""Stored response sums (scoring.sums): exact to add and remove, and the statistics computed
from them match pingouin, R multilevel and the statistics computed from the answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from scoring.agreement import icc_membership, icc_membership_from_sums
from scoring.instrument_scoring import instrument_reliability, score_instrument
from scoring.sums import InstrumentSums, response_sums
from scoring.validity import instrument_cfa, instrument_cfa_from_sums
from survey.instrument.registry import default_registry

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def instrument():  # type: ignore[no-untyped-def]
    # A shipped instrument with reverse-keyed items and several scales.
    found = [
        inst
        for inst in default_registry().latest()
        if any(item.reverse for item in inst.items) and len(inst.scales) >= 3
    ]
    assert found, "a shipped instrument with reverse-keyed items is needed for these tests"
    return found[0]


def _answers(instrument, n: int, seed: int, holes: float = 0.08) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Answers with one factor per scale, reverse-keyed items reversed, some left open."""
    rng = np.random.default_rng(seed)
    columns = {}
    for scale in instrument.scales:
        factor = rng.normal(size=n)
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            mid, half = (rs.min + rs.max) / 2, (rs.max - rs.min) / 2
            raw = mid + half * (0.6 * factor + 0.5 * rng.normal(size=n)) * 0.8
            if item.reverse:
                raw = rs.min + rs.max - raw
            columns[item.id] = np.clip(np.rint(raw), rs.min, rs.max)
    frame = pd.DataFrame(columns)
    frame = frame.mask(rng.random(frame.shape) < holes)
    return frame[instrument.item_ids]


def test_sums_add_and_remove_exactly(instrument) -> None:  # type: ignore[no-untyped-def]
    answers = _answers(instrument, 500, seed=1)
    whole = response_sums(answers, instrument)
    one_by_one = response_sums(answers.iloc[:0], instrument)
    for start in range(0, len(answers), 37):
        one_by_one = one_by_one + response_sums(answers.iloc[start : start + 37], instrument)
    for name, array in whole.arrays().items():
        assert np.array_equal(array, one_by_one.arrays()[name]), name  # bit for bit
    first = response_sums(answers.iloc[:200], instrument)
    rest = whole - first
    expected = response_sums(answers.iloc[200:], instrument)
    for name, array in expected.arrays().items():
        assert np.array_equal(array, rest.arrays()[name]), name


def test_arrays_round_trip_and_refuse_a_foreign_shape(instrument) -> None:  # type: ignore[no-untyped-def]
    sums = response_sums(_answers(instrument, 50, seed=2), instrument)
    back = InstrumentSums.from_arrays(instrument, sums.arrays())
    assert back.rows == 50 and back.complete == sums.complete
    assert np.array_equal(back.pair_p, sums.pair_p)
    broken = dict(sums.arrays(), counts=np.zeros(3))
    with pytest.raises(ValueError, match="counts have shape"):
        InstrumentSums.from_arrays(instrument, broken)
    with pytest.raises(ValueError, match="lack the array"):
        InstrumentSums.from_arrays(instrument, {"pair_n": sums.pair_n})


def test_sums_of_other_versions_do_not_mix(instrument) -> None:  # type: ignore[no-untyped-def]
    other = next(inst for inst in default_registry().latest() if inst.key != instrument.key)
    a = response_sums(_answers(instrument, 10, seed=3), instrument)
    b = response_sums(_answers(other, 10, seed=3), other)
    with pytest.raises(ValueError, match="different instrument versions"):
        _ = a + b
    with pytest.raises(ValueError, match="cannot remove 10 responses from sums over 0"):
        _ = response_sums(_answers(instrument, 0, seed=3), instrument) - a


def test_bad_answers_name_the_column(instrument) -> None:  # type: ignore[no-untyped-def]
    answers = _answers(instrument, 5, seed=4)
    first = instrument.item_ids[0]
    answers.loc[2, first] = 99
    with pytest.raises(ValueError, match=f"column '{first}' has 99 in row 2, outside"):
        response_sums(answers, instrument)
    answers[first] = answers[first].astype(object)
    answers.loc[1, first] = "often"
    with pytest.raises(ValueError, match=f"column '{first}' has a non-numeric value 'often'"):
        response_sums(answers, instrument)


def test_reliability_from_sums_matches_pingouin(instrument) -> None:  # type: ignore[no-untyped-def]
    answers = _answers(instrument, 400, seed=5)
    sums = response_sums(answers.iloc[:150], instrument) + response_sums(
        answers.iloc[150:], instrument
    )
    got = instrument_reliability(sums)
    for scale in instrument.scales:
        keyed = pd.DataFrame(
            {
                item.id: (
                    instrument.item_response_scale(item, scale).min
                    + instrument.item_response_scale(item, scale).max
                    - answers[item.id]
                    if item.reverse
                    else answers[item.id]
                )
                for item in scale.items
            }
        )
        alpha, _ci = pg.cronbach_alpha(data=keyed, nan_policy="pairwise")
        assert got.reliability.loc[scale.id, "alpha"] == pytest.approx(alpha, abs=1e-12)
        means = got.items.loc[scale.id, "mean"]
        np.testing.assert_allclose(means.to_numpy(), keyed.mean().to_numpy(), rtol=1e-12)


def test_reliability_from_sums_equals_scoring_the_answers(instrument) -> None:  # type: ignore[no-untyped-def]
    answers = _answers(instrument, 300, seed=6, holes=0.15)
    from_sums = instrument_reliability(response_sums(answers, instrument))
    from_data = score_instrument(answers, instrument)
    pd.testing.assert_frame_equal(from_sums.reliability, from_data.reliability, rtol=1e-9)
    pd.testing.assert_frame_equal(from_sums.items, from_data.items, rtol=1e-9)
    pd.testing.assert_frame_equal(
        from_sums.flags.reset_index(drop=True), from_data.flags.reset_index(drop=True)
    )


def test_cfa_from_sums_equals_cfa_of_the_answers(instrument) -> None:  # type: ignore[no-untyped-def]
    answers = _answers(instrument, 900, seed=7, holes=0.01)
    from_sums = instrument_cfa_from_sums(response_sums(answers, instrument), instrument)
    from_data = instrument_cfa(answers, instrument)
    assert from_sums.n == from_data.n == int(answers.notna().all(axis=1).sum())
    for field in ("chi2", "cfi", "tli", "rmsea", "srmr"):
        assert getattr(from_sums, field) == pytest.approx(getattr(from_data, field), rel=1e-6)
    pd.testing.assert_frame_equal(from_sums.loadings, from_data.loadings, rtol=1e-5)


def test_cfa_from_sums_refuses_too_few_complete_cases(instrument) -> None:  # type: ignore[no-untyped-def]
    sums = response_sums(_answers(instrument, 30, seed=8), instrument)
    with pytest.raises(ValueError, match=r"CFA needs at least \d+ complete cases"):
        instrument_cfa_from_sums(sums, instrument)


def test_icc_membership_from_sums_matches_multilevel() -> None:
    data = pd.read_csv(REF / "agreement_lq2002.csv")
    expected = pd.read_csv(REF / "agreement_lq2002_membership.csv").set_index("scale")
    long = data.melt(id_vars="COMPID", value_vars=["LEAD", "TSIG", "HOSTILE"], var_name="scale")
    sums = (
        long.assign(square=long["value"] ** 2)
        .groupby(["scale", "COMPID"])
        .agg(n=("value", "count"), total=("value", "sum"), squares=("square", "sum"))
        .reset_index()
        .rename(columns={"COMPID": "group"})
    )
    got = icc_membership_from_sums(sums).set_index("scale")
    np.testing.assert_allclose(got.loc[expected.index, "ICC1"], expected["ICC1"], rtol=1e-9)
    np.testing.assert_allclose(got.loc[expected.index, "ICC2"], expected["ICC2"], rtol=1e-9)
    direct = icc_membership(data[["LEAD", "TSIG", "HOSTILE"]], data["COMPID"]).set_index("scale")
    pd.testing.assert_frame_equal(got.loc[direct.index], direct, rtol=1e-9, check_dtype=False)
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['squares'\]"):
        icc_membership_from_sums(sums.drop(columns="squares"))
