"""Reliability statistics of one scale, checked against pandas, pingouin and R psych.

R psych values come from tests/reference/psych_reference.R (committed with its output);
these tests never call R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring.keys import ScaleKey, parse_keys, reverse_keyed
from scoring.moments import pairwise_correlation, pairwise_covariance, scan_scales
from scoring.reliability import (
    alpha_ci,
    average_r,
    cronbach_alpha,
    item_statistics,
    omega_total,
    one_factor_loadings,
    scale_reliability,
    standardized_alpha,
)

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def psych_ref() -> dict:
    return json.loads((REFERENCE / "psych_reference.json").read_text())


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "bfi_items.csv")


def latent_items(n: int, k: int, seed: int, missing: float = 0.0) -> pd.DataFrame:
    """Answers 1..5 generated from one latent factor, with a share of missing cells."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=(n, 1))
    raw = 3 + 0.9 * factor + rng.normal(size=(n, k))
    data = pd.DataFrame(np.clip(np.round(raw), 1, 5), columns=[f"I{j}" for j in range(k)])
    if missing:
        data = data.mask(rng.random(data.shape) < missing)
    return data


# ------------------------------------------------------------------------------------------
# Pairwise moments equal pandas
# ------------------------------------------------------------------------------------------
def test_pairwise_covariance_and_correlation_equal_pandas_on_bfi(bfi: pd.DataFrame) -> None:
    np.testing.assert_allclose(pairwise_covariance(bfi), bfi.cov(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(pairwise_correlation(bfi), bfi.corr(), rtol=0, atol=1e-12)


def test_pairwise_moments_equal_pandas_with_heavy_missingness_and_no_overlap() -> None:
    data = latent_items(300, 6, seed=3, missing=0.4)
    data.loc[:150, "I0"] = np.nan
    data.loc[150:, "I1"] = np.nan  # I0 and I1 share exactly one row: covariance undefined
    data["I5"] = data["I5"] * 1000 + 1e6  # large offset: the one-pass sums must stay exact
    pairs = [(pairwise_covariance(data), data.cov()), (pairwise_correlation(data), data.corr())]
    for ours, theirs in pairs:
        np.testing.assert_array_equal(ours.isna(), theirs.isna())
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    values=arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 5)),
        # Survey-like values (quarter points, some missing); not denormal-scale floats.
        elements=st.one_of(st.just(np.nan), st.integers(-40, 40).map(lambda v: v / 4)),
    )
)
def test_pairwise_moments_equal_pandas_on_arbitrary_data(values: np.ndarray) -> None:
    data = pd.DataFrame(values, columns=[f"c{j}" for j in range(values.shape[1])])
    for ours, theirs in (
        (pairwise_covariance(data), data.cov()),
        (pairwise_correlation(data), data.corr()),
    ):
        np.testing.assert_array_equal(ours.isna().to_numpy(), theirs.isna().to_numpy())
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


def test_chunked_accumulation_equals_a_single_chunk() -> None:
    data = latent_items(1000, 5, seed=4, missing=0.1)
    key = [ScaleKey("s", tuple(data.columns), frozenset({"I2"}))]
    one = scan_scales(data, key, scale_min=1, scale_max=5, missing="pairwise", chunk_rows=10_000)
    many = scan_scales(data, key, scale_min=1, scale_max=5, missing="pairwise", chunk_rows=37)
    np.testing.assert_allclose(one.moments["s"].cov, many.moments["s"].cov, atol=1e-12)
    assert one.scores is not None and many.scores is not None
    np.testing.assert_allclose(one.scores, many.scores, atol=1e-12)
    assert (one.moments["s"].n, one.moments["s"].n_complete) == (
        many.moments["s"].n,
        many.moments["s"].n_complete,
    )


def test_pairwise_covariance_rejects_text_columns() -> None:
    with pytest.raises(ValueError, match=r"column 'b' of data is not numeric.*pd\.to_numeric"):
        pairwise_covariance(pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}))


# ------------------------------------------------------------------------------------------
# Against pingouin
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("missing", [0.0, 0.08])
@pytest.mark.parametrize("policy", ["pairwise", "listwise"])
def test_cronbach_alpha_equals_pingouin(missing: float, policy: str) -> None:
    data = latent_items(400, 7, seed=11, missing=missing)
    expected, _ = pg.cronbach_alpha(data, nan_policy=policy)
    assert cronbach_alpha(data, missing=policy) == pytest.approx(expected, abs=1e-12)


def test_cronbach_alpha_equals_pingouin_on_its_own_data_set() -> None:
    data = pg.read_dataset("cronbach_wide_missing")
    assert cronbach_alpha(data) == pytest.approx(pg.cronbach_alpha(data)[0], abs=1e-12)
    listwise = cronbach_alpha(data, missing="listwise")
    assert listwise == pytest.approx(pg.cronbach_alpha(data, nan_policy="listwise")[0], abs=1e-12)


@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_feldt_interval_equals_pingouin_on_complete_data(level: float) -> None:
    data = latent_items(250, 6, seed=5)
    _, (low, high) = pg.cronbach_alpha(data, ci=level)
    rel = scale_reliability(data, ci=level)
    # pingouin rounds its interval to 3 decimals.
    assert rel.alpha_ci[0] == pytest.approx(low, abs=5e-4 + 1e-12)
    assert rel.alpha_ci[1] == pytest.approx(high, abs=5e-4 + 1e-12)


def test_alpha_ci_is_nan_when_undefined() -> None:
    assert all(np.isnan(alpha_ci(float("nan"), 100, 5)))
    assert all(np.isnan(alpha_ci(0.8, 1, 5)))
    with pytest.raises(ValueError, match="ci must be between 0 and 1"):
        alpha_ci(0.8, 100, 5, ci=95)


# ------------------------------------------------------------------------------------------
# Against R psych on bfi (reverse-keyed items reversed by the function under test)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["pairwise", "listwise"])
def test_scale_reliability_equals_psych_on_bfi(
    psych_ref: dict, bfi: pd.DataFrame, policy: str
) -> None:
    for scale, ref in psych_ref["scales"].items():
        expected = ref[policy]
        items = bfi[expected["items"]]
        rel = scale_reliability(
            items, reverse=ref["reverse"], scale_min=1, scale_max=6, missing=policy
        )
        assert rel.alpha == pytest.approx(expected["alpha"], abs=1e-10), scale
        assert rel.std_alpha == pytest.approx(expected["std_alpha"], abs=1e-10), scale
        assert rel.average_r == pytest.approx(expected["average_r"], abs=1e-10), scale
        # psych's own minres optimiser stops at its default tolerance (~1e-8 here).
        assert rel.omega_total == pytest.approx(expected["omega_total"], abs=1e-6), scale
        assert rel.n == expected["n"] and rel.k == 5
        np.testing.assert_allclose(rel.alpha_ci, expected["feldt"], atol=1e-10)
        np.testing.assert_allclose(rel.items["r_drop"], expected["r_drop"], atol=1e-10)
        np.testing.assert_allclose(
            rel.items["alpha_if_deleted"], expected["alpha_if_deleted"], atol=1e-10
        )
        np.testing.assert_allclose(rel.items["mean"], expected["mean"], atol=1e-10)
        np.testing.assert_allclose(rel.items["sd"], expected["sd"], atol=1e-10)


def test_single_statistic_functions_agree_with_psych(psych_ref: dict, bfi: pd.DataFrame) -> None:
    ref = psych_ref["scales"]["conscientious"]
    items = bfi[ref["pairwise"]["items"]]
    kw = {"reverse": ref["reverse"], "scale_min": 1, "scale_max": 6}
    assert cronbach_alpha(items, **kw) == pytest.approx(ref["pairwise"]["alpha"], abs=1e-10)
    assert standardized_alpha(items, **kw) == pytest.approx(ref["pairwise"]["std_alpha"], abs=1e-10)
    assert average_r(items, **kw) == pytest.approx(ref["pairwise"]["average_r"], abs=1e-10)
    assert omega_total(items, **kw) == pytest.approx(ref["pairwise"]["omega_total"], abs=1e-6)
    stats = item_statistics(items, **kw)
    np.testing.assert_allclose(stats["r_drop"], ref["pairwise"]["r_drop"], atol=1e-10)
    assert list(stats.columns) == ["mean", "sd", "missing_share", "r_drop", "alpha_if_deleted"]
    np.testing.assert_allclose(stats["missing_share"], items.isna().mean())


def test_feldt_n_convention_with_respondents_skipping_the_scale(
    psych_ref: dict, bfi: pd.DataFrame
) -> None:
    ref = psych_ref["agree_first_40_blank"]
    items = bfi[psych_ref["scales"]["agree"]["pairwise"]["items"]].copy()
    items.iloc[: ref["rows_blanked"]] = np.nan
    rel = scale_reliability(items, reverse=["A1"], scale_min=1, scale_max=6)
    assert rel.alpha == pytest.approx(ref["alpha"], abs=1e-10)
    assert rel.n == ref["n"] == len(items) - ref["rows_blanked"]
    np.testing.assert_allclose(rel.alpha_ci, ref["feldt"], atol=1e-10)
    # psych counts the 40 empty rows; the documented convention does not.
    assert abs(rel.alpha_ci[0] - ref["feldt_psych"][0]) > 1e-5


# ------------------------------------------------------------------------------------------
# Omega and the minres fit
# ------------------------------------------------------------------------------------------
def test_one_factor_loadings_recover_an_exact_one_factor_matrix() -> None:
    lam = np.array([0.9, 0.75, 0.6, 0.5, 0.3])
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1.0)
    np.testing.assert_allclose(one_factor_loadings(corr), lam, atol=1e-6)
    # Reflecting an item reflects its loading but leaves omega's ingredients unchanged.
    flip = np.diag([1.0, -1.0, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(np.abs(one_factor_loadings(flip @ corr @ flip)), lam, atol=1e-6)


def test_omega_is_nan_for_two_items_and_loadings_refuse_them() -> None:
    data = latent_items(100, 2, seed=2)
    assert np.isnan(omega_total(data))
    with pytest.raises(ValueError, match="at least 3 items"):
        one_factor_loadings(np.eye(2))


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------
answers = arrays(
    np.float64,
    st.tuples(st.integers(5, 30), st.integers(2, 6)),
    elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]),
)


@settings(max_examples=25, deadline=None)
@given(values=answers)
def test_reverse_keying_twice_is_identity(values: np.ndarray) -> None:
    twice = reverse_keyed(reverse_keyed(values, scale_min=1, scale_max=5), scale_min=1, scale_max=5)
    np.testing.assert_array_equal(twice, values)


@settings(max_examples=25, deadline=None)
@given(values=answers, shift=st.floats(-50, 50, allow_nan=False))
def test_alpha_unchanged_by_adding_a_constant(values: np.ndarray, shift: float) -> None:
    data = pd.DataFrame(values, columns=[f"I{j}" for j in range(values.shape[1])])
    before = cronbach_alpha(data)
    after = cronbach_alpha(data + shift)
    if np.isnan(before):
        assert np.isnan(after)
    else:
        assert after == pytest.approx(before, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(values=answers)
def test_reversing_every_item_leaves_alpha_unchanged(values: np.ndarray) -> None:
    data = pd.DataFrame(values, columns=[f"I{j}" for j in range(values.shape[1])])
    flipped = reverse_keyed(data, scale_min=1, scale_max=5)
    before = cronbach_alpha(data)
    after = cronbach_alpha(flipped, reverse=list(data.columns), scale_min=1, scale_max=5)
    assert (np.isnan(before) and np.isnan(after)) or after == pytest.approx(before, abs=1e-9)


# ------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------
def test_reverse_without_range_is_refused_with_the_fix() -> None:
    data = latent_items(20, 3, seed=0)
    with pytest.raises(ValueError, match=r"reverse keying I1 needs the response range.*scale_min"):
        scale_reliability(data, reverse=["I1"])


def test_reverse_naming_an_unknown_column() -> None:
    data = latent_items(20, 3, seed=0)
    with pytest.raises(ValueError, match=r"reverse names 'X9', not a column of items"):
        cronbach_alpha(data, reverse=["X9"], scale_min=1, scale_max=5)


def test_one_item_and_empty_items_are_refused() -> None:
    with pytest.raises(ValueError, match="reliability needs at least 2 items"):
        scale_reliability(latent_items(20, 1, seed=0))
    with pytest.raises(ValueError, match="items has no rows"):
        scale_reliability(latent_items(20, 3, seed=0).iloc[:0])


def test_values_outside_the_range_name_column_and_row() -> None:
    data = latent_items(20, 3, seed=0)
    data.loc[7, "I2"] = 9
    with pytest.raises(ValueError, match=r"column 'I2' holds 9 at row 7.*outside the response"):
        scale_reliability(data, scale_min=1, scale_max=5)


def test_missing_policy_is_checked() -> None:
    with pytest.raises(ValueError, match="missing must be 'pairwise' or 'listwise'"):
        cronbach_alpha(latent_items(20, 3, seed=0), missing="mean")


def test_parse_keys_messages() -> None:
    with pytest.raises(ValueError, match=r"scale 'a' lists item 'X1' twice"):
        parse_keys({"a": ["X1", "-X1", "X2"]})
    with pytest.raises(ValueError, match="keys is empty"):
        parse_keys({})
    with pytest.raises(ValueError, match=r"scale 'a': items must be a list"):
        parse_keys({"a": "X1"})
