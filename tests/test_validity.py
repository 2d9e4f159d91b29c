"""CFA against lavaan (tests/reference/validity_reference.R) on HolzingerSwineford1939."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.validity import cfa, free_parameters, instrument_cfa, minimum_cases
from survey.instrument.examples import example_instrument
from survey.instrument.model import Instrument

REF = Path(__file__).parent / "reference"
HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(REF / "validity_hs1939.csv")


@pytest.fixture(scope="module")
def hs_fit(hs: pd.DataFrame):  # type: ignore[no-untyped-def]
    return cfa(hs, HS_MODEL)


def test_fit_indices_match_lavaan(hs_fit) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads((REF / "validity_hs1939_fit.json").read_text())
    assert hs_fit.n == expected["ntotal"] == 301
    assert hs_fit.dof == expected["df"]
    assert hs_fit.chi2 == pytest.approx(expected["chisq"], abs=1e-3)
    assert hs_fit.pval == pytest.approx(expected["pvalue"], rel=1e-3)
    for index in ["cfi", "tli", "rmsea", "srmr"]:
        assert getattr(hs_fit, index) == pytest.approx(expected[index], abs=1e-3), index


def test_loadings_match_lavaan(hs_fit) -> None:  # type: ignore[no-untyped-def]
    expected = pd.read_csv(REF / "validity_hs1939_loadings.csv")
    got = hs_fit.loadings
    assert list(got.columns) == ["factor", "item", "estimate", "std_estimate", "se", "pval"]
    assert got[["factor", "item"]].values.tolist() == expected[["factor", "item"]].values.tolist()
    np.testing.assert_allclose(got["estimate"], expected["estimate"], atol=1e-2)
    np.testing.assert_allclose(got["std_estimate"], expected["std_estimate"], atol=1e-2)
    free = expected["se"] > 0
    np.testing.assert_allclose(got.loc[free, "se"], expected.loc[free, "se"], atol=1e-2)
    np.testing.assert_allclose(got.loc[free, "pval"], expected.loc[free, "pval"], atol=1e-6)
    assert got.loc[~free, "se"].isna().all()  # marker loadings are fixed to 1
    assert (got.loc[~free, "estimate"] == 1).all()


def test_fit_table(hs_fit) -> None:  # type: ignore[no-untyped-def]
    table = hs_fit.fit_table()
    assert table.columns.tolist() == ["n", "chi2", "dof", "pval", "cfi", "tli", "rmsea", "srmr"]
    assert table.loc[0, "srmr"] == hs_fit.srmr


def test_minimum_cases_rule() -> None:
    assert free_parameters(HS_MODEL) == 21
    assert minimum_cases(HS_MODEL) == 105
    assert minimum_cases({"a": ["1", "2", "3"]}) == 100


def test_refuses_small_samples_with_the_numbers(hs: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"at least 105 complete cases .* the data have 90"):
        cfa(hs.iloc[:90], HS_MODEL)
    holed = hs.iloc[:110].copy()
    holed.loc[:9, "x5"] = np.nan  # listwise: 100 complete cases remain
    with pytest.raises(ValueError, match=r"the data have 100 \(of 110 rows\)"):
        cfa(holed, HS_MODEL)
    with pytest.raises(ValueError, match="at least 10 complete cases"):
        cfa(hs.iloc[:5], HS_MODEL, min_cases=3)  # never below items + 1


def test_rejects_bad_models_and_data(hs: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="at least 2 items"):
        cfa(hs, {"a": ["x1"], "b": ["x2", "x3"]})
    with pytest.raises(ValueError, match="more than one factor"):
        cfa(hs, {"a": ["x1", "x2"], "b": ["x2", "x3"]})
    with pytest.raises(ValueError, match=r"no column\(s\) \['x10'\]"):
        cfa(hs, {"a": ["x1", "x2", "x10"]})
    text = hs.astype(object)
    text.loc[4, "x2"] = "n/a"
    with pytest.raises(ValueError, match="non-numeric value 'n/a' in row 4, column 'x2'"):
        cfa(text, HS_MODEL)


def _instrument(reverse: set[str]) -> Instrument:
    """The public example instrument with its scales ``a`` and ``b`` only, ``reverse`` keyed."""
    data = example_instrument().model_dump()
    data["scales"] = [scale for scale in data["scales"] if scale["id"] in ("a", "b")]
    for scale in data["scales"]:
        for item in scale["items"]:
            item["reverse"] = item["id"] in reverse
    data["dimensions"] = []
    data["recommendations"] = [r for r in data["recommendations"] if r["scale"] != "c"]
    return Instrument.model_validate(data)


def test_instrument_cfa_reverses_items_first() -> None:
    rng = np.random.default_rng(11)
    f = np.repeat(rng.normal(size=(220, 2)), 3, axis=1)
    x = np.clip(np.rint(3 + f + rng.normal(scale=0.8, size=(220, 6))), 1, 5)
    columns = ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3"]
    keyed = pd.DataFrame(x, columns=columns)
    raw = keyed.copy()
    raw["A-2"] = 6 - raw["A-2"]  # as a respondent answers a reverse-worded item
    got = instrument_cfa(raw.assign(extra="ignored"), _instrument({"A-2"}))
    direct = cfa(keyed, {"a": columns[:3], "b": columns[3:]})
    assert got.chi2 == pytest.approx(direct.chi2, rel=1e-6)
    pd.testing.assert_frame_equal(got.loadings, direct.loadings)
    assert (got.loadings["std_estimate"] > 0).all()
    with pytest.raises(ValueError, match=r"lack the item column\(s\) \['B-3'\]"):
        instrument_cfa(raw.drop(columns="B-3"), _instrument(set()))
    out_of_range = raw.copy()
    out_of_range.loc[7, "B-1"] = 9
    with pytest.raises(ValueError, match=r"'B-1' has 9 in row 7, outside .* 1..5"):
        instrument_cfa(out_of_range, _instrument(set()))
