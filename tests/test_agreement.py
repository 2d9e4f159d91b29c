"""Agreement statistics against R psych / multilevel (tests/reference/agreement_reference.R),
pingouin, and hand-checkable textbook examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from scoring.agreement import (
    aggregate_organisations,
    icc,
    icc_membership,
    null_variance,
    rwg,
    rwg_j,
)

REF = Path(__file__).parent / "reference"
LEAD = [f"LEAD{i:02d}" for i in range(1, 12)]
TSIG = [f"TSIG{i:02d}" for i in range(1, 4)]
HOSTIL = [f"HOSTIL{i:02d}" for i in range(1, 6)]
SCALE_ITEMS = {"LEAD": LEAD, "TSIG": TSIG, "HOSTILE": HOSTIL}


@pytest.fixture(scope="module")
def lq2002() -> pd.DataFrame:
    return pd.read_csv(REF / "agreement_lq2002.csv")


# -- ICC ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data_file", "ref_file", "rows"),
    [
        ("agreement_sf.csv", "agreement_sf_icc.csv", None),
        ("agreement_lq2002.csv", "agreement_lq2002_icc.csv", 40),
    ],
)
def test_icc_matches_psych(data_file: str, ref_file: str, rows: int | None) -> None:
    data = pd.read_csv(REF / data_file)
    if rows is not None:
        data = data.iloc[:rows][LEAD[3:8]]
    expected = pd.read_csv(REF / ref_file).set_index("type")
    got = icc(data)
    assert list(got.index) == list(expected.index)
    for column in ["ICC", "F", "ci_low", "ci_high"]:
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(got["df1"], expected["df1"])
    np.testing.assert_array_equal(got["df2"], expected["df2"])
    np.testing.assert_allclose(got["pval"], expected["pval"], rtol=1e-6, atol=1e-300)


def test_icc_matches_pingouin() -> None:
    rng = np.random.default_rng(7)
    target = rng.normal(size=(25, 1))
    rater = rng.normal(scale=0.5, size=(1, 5))
    wide = pd.DataFrame(
        target + rater + rng.normal(scale=0.8, size=(25, 5)), columns=[f"r{i}" for i in range(5)]
    )
    long = wide.reset_index().melt(id_vars="index", var_name="rater", value_name="score")
    ref = pg.intraclass_corr(data=long, targets="index", raters="rater", ratings="score")
    # pingouin 0.7 labels: ICC(1,1), ICC(A,1), ICC(C,1), ICC(1,k), ICC(A,k), ICC(C,k).
    ref = ref.set_index("Type")
    labels = ["ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)"]
    got = icc(wide)
    np.testing.assert_allclose(got["ICC"], ref.loc[labels, "ICC"], rtol=1e-10)
    np.testing.assert_allclose(got["F"], ref.loc[labels, "F"], rtol=1e-10)
    np.testing.assert_allclose(got["pval"], ref.loc[labels, "pval"], rtol=1e-8)
    # pingouin rounds its bounds to 2 decimals.
    ci = np.vstack(ref.loc[labels, "CI95"].to_numpy())
    np.testing.assert_allclose(got["ci_low"], ci[:, 0], atol=0.005 + 1e-12)
    np.testing.assert_allclose(got["ci_high"], ci[:, 1], atol=0.005 + 1e-12)


def test_icc_missing_ratings_raise_or_are_omitted() -> None:
    data = pd.read_csv(REF / "agreement_sf.csv")
    holed = data.astype(float)
    holed.loc[2, "J3"] = np.nan
    with pytest.raises(ValueError, match=r"1 target\(s\) have missing ratings \(2\)"):
        icc(holed)
    pd.testing.assert_frame_equal(icc(holed, nan_policy="omit"), icc(data.drop(index=2)))


def test_icc_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 2 targets and 2 raters"):
        icc(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(ValueError, match="non-numeric value 'x' in row 1, column 'b'"):
        icc(pd.DataFrame({"a": [1, 2, 3], "b": [1, "x", 3]}))
    with pytest.raises(ValueError, match="confidence"):
        icc(pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]}), confidence=95)


# -- rwg ----------------------------------------------------------------------------------------


def test_null_variance_is_uniform_variance() -> None:
    for a in (2, 4, 5, 7, 11):
        points = np.arange(1, a + 1)
        assert null_variance(a) == pytest.approx(points.var())
    with pytest.raises(ValueError, match="at least 2"):
        null_variance(1)
    with pytest.raises(ValueError, match="whole number"):
        null_variance(4.5)  # type: ignore[arg-type]


def test_rwg_textbook_examples() -> None:
    # Perfect agreement, the uniform null itself, and truncation of a split group.
    assert rwg([3, 3, 3, 3], n_options=5) == 1.0
    # One answer on each point: sample variance 2.5 exceeds the null variance 2 -> 0.
    assert rwg([1, 2, 3, 4, 5], n_options=5) == 0.0
    assert rwg([2, 4, 2, 4], n_options=5) == pytest.approx(1 - (4 / 3) / 2)
    assert rwg([1, 5, 1, 5, 1, 5], n_options=5) == 0.0
    assert np.isnan(rwg([4], n_options=5))
    assert rwg([4, np.nan, 5], n_options=5) == pytest.approx(1 - 0.5 / 2)


@pytest.mark.parametrize("item", ["LEAD01", "LEAD03", "TSIG02", "HOSTIL01"])
def test_rwg_matches_multilevel(lq2002: pd.DataFrame, item: str) -> None:
    expected = pd.read_csv(REF / "agreement_lq2002_rwg.csv")
    expected = expected[expected["item"] == item].set_index("COMPID")
    for company, group in lq2002.groupby("COMPID"):
        got = rwg(group[item], n_options=5)
        assert got == pytest.approx(expected.loc[company, "rwg"], abs=1e-12), company


@pytest.mark.parametrize("scale", ["LEAD", "TSIG", "HOSTILE"])
def test_rwg_j_matches_multilevel(lq2002: pd.DataFrame, scale: str) -> None:
    expected = pd.read_csv(REF / "agreement_lq2002_rwgj.csv")
    expected = expected[expected["scale"] == scale].set_index("COMPID")
    assert len(expected) == lq2002["COMPID"].nunique()
    for company, group in lq2002.groupby("COMPID"):
        got = rwg_j(group[SCALE_ITEMS[scale]], n_options=5)
        assert got == pytest.approx(expected.loc[company, "rwg_j"], abs=1e-12), company


def test_rwg_j_hand_example_and_reduction_to_rwg() -> None:
    # Item variances 1/3, 1/3, 1/3 -> ratio 1/6 against the 5-point null of 2, J = 3:
    # 3 * 5/6 / (3 * 5/6 + 1/6) = 15/16.
    team = pd.DataFrame({"A": [4, 4, 5], "B": [4, 5, 5], "C": [2, 2, 1]})
    assert rwg_j(team, n_options=5) == pytest.approx(15 / 16)
    single = pd.DataFrame({"A": [2, 4, 2, 4]})
    assert rwg_j(single, n_options=5) == pytest.approx(rwg([2, 4, 2, 4], n_options=5))
    split = pd.DataFrame({"A": [1, 5, 1, 5], "B": [5, 1, 5, 1]})
    assert rwg_j(split, n_options=5) == 0.0
    assert np.isnan(rwg_j(pd.DataFrame({"A": [1, np.nan], "B": [2, 3]}), n_options=5))


# -- ICC of membership --------------------------------------------------------------------------


def test_icc_membership_matches_multilevel(lq2002: pd.DataFrame) -> None:
    expected = pd.read_csv(REF / "agreement_lq2002_membership.csv").set_index("scale")
    got = icc_membership(lq2002[["LEAD", "TSIG", "HOSTILE"]], lq2002["COMPID"]).set_index("scale")
    np.testing.assert_allclose(got.loc[expected.index, "ICC1"], expected["ICC1"], rtol=1e-10)
    np.testing.assert_allclose(got.loc[expected.index, "ICC2"], expected["ICC2"], rtol=1e-10)
    assert (got["n"] == len(lq2002)).all()
    assert (got["n_groups"] == 49).all()


def test_icc_membership_f_test_matches_pingouin_anova(lq2002: pd.DataFrame) -> None:
    ref = pg.anova(data=lq2002, dv="TSIG", between="COMPID")
    got = icc_membership(lq2002["TSIG"], lq2002["COMPID"]).iloc[0]
    assert got["F"] == pytest.approx(ref["F"].iloc[0], rel=1e-10)
    assert got["pval"] == pytest.approx(ref["p_unc"].iloc[0], rel=1e-8)  # pingouin 0.7 name
    assert (got["df1"], got["df2"]) == (ref["ddof1"].iloc[0], ref["ddof2"].iloc[0])


def test_icc_membership_leaves_out_missing_scores() -> None:
    scores = pd.Series([1.0, 2.0, np.nan, 4.0, 5.0, 6.0], name="s")
    full = icc_membership(scores.dropna(), ["a", "a", "b", "b", "b"])
    holed = icc_membership(scores, ["a", "a", "a", "b", "b", "b"])
    pd.testing.assert_frame_equal(full, holed)
    with pytest.raises(ValueError, match="groups has 2 entries for 6 rows"):
        icc_membership(scores, ["a", "b"])


# -- aggregation --------------------------------------------------------------------------------


def test_aggregate_organisations_against_pandas_and_multilevel(lq2002: pd.DataFrame) -> None:
    scores = lq2002[["LEAD", "TSIG"]]
    out = aggregate_organisations(
        scores,
        lq2002["COMPID"],
        item_data=lq2002,
        keys={"LEAD": LEAD, "TSIG": TSIG},
        n_options=5,
    )
    assert list(out.columns) == [
        "organisation",
        "scale",
        "n",
        "mean",
        "sd",
        "rwg_j",
        "agreement_low",
    ]
    by_org = lq2002.groupby("COMPID")
    expected = pd.read_csv(REF / "agreement_lq2002_rwgj.csv").set_index(["scale", "COMPID"])
    for (company, scale), row in out.set_index(["organisation", "scale"]).iterrows():
        assert row["n"] == by_org[scale].count()[company]
        assert row["mean"] == pytest.approx(by_org[scale].mean()[company])
        assert row["sd"] == pytest.approx(by_org[scale].std()[company])
        assert row["rwg_j"] == pytest.approx(expected.loc[(scale, company), "rwg_j"])
        assert row["agreement_low"] == (row["rwg_j"] < 0.70)
    assert len(out) == 2 * 49


def test_aggregate_organisations_flags_and_conventions() -> None:
    answers = pd.DataFrame(
        {"A1": [4, 4, 5, 1, 5, 3], "A2": [4, 5, 5, 5, 1, 3], "A3": [2, 2, 1, 5, 1, 3]}
    )
    scores = pd.DataFrame({"a": [4.0, 13 / 3, 5.0, 7 / 3, 3.0, 3.0]})
    orgs = ["x", "x", "x", "y", "y", "z"]
    out = aggregate_organisations(
        scores, orgs, item_data=answers, keys={"a": ["A1", "A2", "-A3"]}, n_options={"a": 5}
    )
    assert out["agreement_low"].tolist() == [False, True, pd.NA]
    assert np.isnan(out.loc[2, "sd"])  # one respondent: no spread, no agreement
    strict = aggregate_organisations(
        scores, orgs, item_data=answers, keys={"a": ["A1", "A2", "-A3"]}, n_options=5, min_rwg=0.95
    )
    assert strict["agreement_low"].tolist() == [True, True, pd.NA]
    without_items = aggregate_organisations(scores, orgs)
    assert without_items["rwg_j"].isna().all()
    assert without_items["agreement_low"].isna().all()
    with pytest.raises(ValueError, match="needs keys"):
        aggregate_organisations(scores, orgs, item_data=answers)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['A9'\]"):
        aggregate_organisations(
            scores, orgs, item_data=answers, keys={"a": ["A1", "A9"]}, n_options=5
        )
    with pytest.raises(ValueError, match="min_rwg"):
        aggregate_organisations(scores, orgs, min_rwg=70)
