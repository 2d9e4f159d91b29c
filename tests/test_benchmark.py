"""Benchmarks against scipy / pingouin / pandas, with the cohort-size floor and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from scoring.benchmark import (
    MIN_COHORT,
    MIN_COHORT_FLOOR,
    benchmark,
    check_cohort_size,
    cohort_summary,
    filter_cohort,
    percentile_rank,
    reliable_change,
    view_gap,
)


@pytest.fixture()
def orgs() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 40
    return pd.DataFrame(
        {
            "industry": rng.choice(["machinery", "chemicals", "software"], size=n),
            "size_band": rng.choice(["small", "medium", "large"], size=n),
            "region": rng.choice(["EU", "NA"], size=n),
            "version": rng.choice(["1.0.0", "1.1.0"], size=n),
            "co-design": np.round(rng.uniform(0, 100, size=n), 1),
            "embedding": np.round(rng.uniform(0, 100, size=n), 0),
        },
        index=[f"org{i}" for i in range(n)],
    )


def test_filter_cohort(orgs: pd.DataFrame) -> None:
    got = filter_cohort(orgs, industry="machinery", region=["EU"], size_band=None)
    expected = orgs[(orgs["industry"] == "machinery") & (orgs["region"] == "EU")]
    pd.testing.assert_frame_equal(got, expected)
    assert len(filter_cohort(orgs)) == len(orgs)
    with pytest.raises(ValueError, match=r"cannot filter on \['sector'\]"):
        filter_cohort(orgs, sector="machinery")


def test_cohort_size_floor_and_messages() -> None:
    check_cohort_size(5)
    check_cohort_size(3, 3)
    with pytest.raises(ValueError, match=r"the cohort has 4 organisations; .* at least 5"):
        check_cohort_size(4)
    with pytest.raises(ValueError, match=r"the cohort has 1 organisation; .* at least 3"):
        check_cohort_size(1, 3)
    with pytest.raises(ValueError, match="min_cohort is 2, below the floor of 3"):
        check_cohort_size(10, 2)


def test_the_min_cohort_setting_never_goes_below_the_floor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from survey import settings

    monkeypatch.delenv("COCREATE_MIN_COHORT", raising=False)
    assert settings.min_cohort() == MIN_COHORT == 5
    monkeypatch.setenv("COCREATE_MIN_COHORT", "2")
    assert settings.min_cohort() == MIN_COHORT_FLOOR == 3
    check_cohort_size(3, settings.min_cohort())
    monkeypatch.setenv("COCREATE_MIN_COHORT", "8")
    assert settings.min_cohort() == 8


def test_functions_refuse_small_cohorts(orgs: pd.DataFrame) -> None:
    small = orgs.iloc[:4]
    with pytest.raises(ValueError, match="has 4 organisations"):
        cohort_summary(small)
    with pytest.raises(ValueError, match="has 4 organisations"):
        benchmark({"co-design": 50.0}, small)
    with pytest.raises(ValueError, match="below the floor"):
        benchmark({"co-design": 50.0}, orgs, min_cohort=2)
    assert len(benchmark({"co-design": 50.0}, small, min_cohort=4)) == 1
    # Own row excluded: 5 rows leave 4.
    with pytest.raises(ValueError, match="has 4 organisations"):
        benchmark({"co-design": 50.0}, orgs.iloc[:5], exclude="org0")


def test_cohort_summary_matches_pandas(orgs: pd.DataFrame) -> None:
    got = cohort_summary(orgs).set_index("scale")
    assert got.index.tolist() == ["co-design", "embedding"]
    for scale in got.index:
        x = orgs[scale].to_numpy()
        assert got.loc[scale, "n"] == x.size
        assert got.loc[scale, "mean"] == pytest.approx(np.mean(x))
        assert got.loc[scale, "sd"] == pytest.approx(np.std(x, ddof=1))
        q1, med, q3 = np.percentile(x, [25, 50, 75])  # numpy "linear" = type 7
        assert got.loc[scale, ["q1", "median", "q3"]].tolist() == pytest.approx([q1, med, q3])
        assert got.loc[scale, "min"] == x.min() and got.loc[scale, "max"] == x.max()


def test_small_scale_cells_are_suppressed(orgs: pd.DataFrame) -> None:
    holed = orgs.iloc[:6].copy()
    holed.loc[holed.index[:3], "embedding"] = np.nan  # 3 organisations answered
    summary = cohort_summary(holed).set_index("scale")
    assert summary.loc["embedding", "n"] == 3
    assert summary.loc["embedding", ["mean", "sd", "q1", "max"]].isna().all()
    position = benchmark({"co-design": 50.0, "embedding": 50.0}, holed).set_index("scale")
    assert position.loc["embedding", ["cohort_mean", "z", "percentile"]].isna().all()
    assert not math.isnan(position.loc["co-design", "percentile"])


def test_benchmark_matches_scipy(orgs: pd.DataFrame) -> None:
    own = orgs.loc["org3", ["co-design", "embedding"]].astype(float)
    got = benchmark(own, orgs, exclude="org3").set_index("scale")
    cohort = orgs.drop(index="org3")
    for scale in ["co-design", "embedding"]:
        x = cohort[scale].to_numpy()
        assert got.loc[scale, "n"] == 39
        assert got.loc[scale, "z"] == pytest.approx((own[scale] - x.mean()) / x.std(ddof=1))
        assert got.loc[scale, "percentile"] == pytest.approx(
            stats.percentileofscore(x, own[scale], kind="mean")
        )


def test_percentile_rank_ties_and_missing() -> None:
    # embedding is rounded to whole numbers, so ties are common; scipy's "mean" kind agrees.
    cohort = [10, 20, 20, 20, 30, np.nan]
    assert percentile_rank(20, cohort) == pytest.approx(
        stats.percentileofscore([10, 20, 20, 20, 30], 20, kind="mean")
    )
    assert percentile_rank(20, cohort) == 50.0
    assert math.isnan(percentile_rank(float("nan"), cohort))
    assert math.isnan(percentile_rank(5, []))


@given(
    st.lists(st.floats(min_value=0, max_value=100), min_size=1, max_size=30),
    st.floats(min_value=0, max_value=100),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_rank_is_monotone_in_the_score(cohort: list[float], a: float, b: float) -> None:
    lo, hi = sorted([a, b])
    p_lo, p_hi = percentile_rank(lo, cohort), percentile_rank(hi, cohort)
    assert 0 <= p_lo <= p_hi <= 100


def test_view_gap_matches_scipy_and_pingouin() -> None:
    rng = np.random.default_rng(9)
    own = pd.DataFrame({"co-design": rng.normal(4.0, 0.4, 12), "embedding": rng.normal(3, 1, 12)})
    customers = pd.DataFrame(
        {
            "co-design": rng.normal(3.5, 0.8, 7),
            "embedding": rng.normal(3.1, 0.5, 7),
            "extra": rng.normal(size=7),
        }
    )
    got = view_gap(own, customers, confidence=0.9).set_index("scale")
    assert got.index.tolist() == ["co-design", "embedding"]
    for scale in got.index:
        ref = stats.ttest_ind(own[scale], customers[scale], equal_var=False)
        ci = ref.confidence_interval(confidence_level=0.9)
        assert got.loc[scale, "T"] == pytest.approx(ref.statistic)
        assert got.loc[scale, "pval"] == pytest.approx(ref.pvalue)
        assert got.loc[scale, "dof"] == pytest.approx(ref.df)
        assert got.loc[scale, "ci_low"] == pytest.approx(ci.low)
        assert got.loc[scale, "ci_high"] == pytest.approx(ci.high)
        pg_ref = pg.ttest(own[scale], customers[scale], correction=True, confidence=0.9)
        assert got.loc[scale, "dof"] == pytest.approx(pg_ref["dof"].iloc[0])
        low, high = pg_ref["CI90"].iloc[0]  # pingouin rounds to 2 decimals
        assert got.loc[scale, "ci_low"] == pytest.approx(low, abs=0.005 + 1e-12)
        assert got.loc[scale, "ci_high"] == pytest.approx(high, abs=0.005 + 1e-12)
        assert got.loc[scale, "gap"] == pytest.approx(own[scale].mean() - customers[scale].mean())


def test_view_gap_small_sides_and_errors() -> None:
    own = pd.DataFrame({"a": [4.0, 4.5, np.nan]})
    other = pd.DataFrame({"a": [3.0]})
    got = view_gap(own, other).iloc[0]
    assert got["n_self"] == 2 and got["n_other"] == 1
    assert got["gap"] == pytest.approx(1.25)
    assert math.isnan(got["ci_low"]) and math.isnan(got["pval"])
    with pytest.raises(ValueError, match="share no scale"):
        view_gap(own, pd.DataFrame({"b": [1.0]}))
    with pytest.raises(ValueError, match=r"other_scores has no column\(s\) \['a'\]"):
        view_gap(own, pd.DataFrame({"b": [1.0]}), scales=["a"])


def test_reliable_change_formula() -> None:
    before = {"co-design": 40.0, "embedding": 55.0, "coordination": 60.0}
    after = pd.Series({"co-design": 50.0, "embedding": 52.0})
    got = reliable_change(
        before,
        after,
        sd={"co-design": 10.0, "embedding": 12.0},
        reliability={"co-design": 0.91, "embedding": 0.75},
    ).set_index("scale")
    assert got.index.tolist() == ["co-design", "embedding"]  # scales in both campaigns
    se_diff = np.sqrt(2 * np.array([10.0, 12.0]) ** 2 * (1 - np.array([0.91, 0.75])))
    np.testing.assert_allclose(got["se_diff"], se_diff)
    np.testing.assert_allclose(got["rci"], np.array([10.0, -3.0]) / se_diff)
    assert got["reliable"].tolist() == [True, False]
    lenient = reliable_change(before, after, sd=12.0, reliability=0.75, critical=0.3)
    assert lenient["reliable"].tolist() == [True, True]
    with pytest.raises(ValueError, match=r"reliability of scale 'co-design' must be in \[0, 1\)"):
        reliable_change(before, after, sd=10, reliability=1.0)
    with pytest.raises(ValueError, match="sd has no value for scale 'embedding'"):
        reliable_change(before, after, sd={"co-design": 1.0}, reliability=0.8)
