"""score_items: scores and reliability of many scales, checked against R psych and pingouin."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring import ScoreResult, score_items
from scoring.items import FlagThresholds, reliability_flags
from scoring.reliability import scale_reliability

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def psych_ref() -> dict:
    return json.loads((REFERENCE / "psych_reference.json").read_text())


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "bfi_items.csv")


def latent_data(n: int, scales: int, k: int, seed: int, missing: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n, scales))
    columns = {}
    for s in range(scales):
        for j in range(k):
            raw = 3 + 0.9 * factors[:, s] + rng.normal(size=n)
            columns[f"S{s}I{j}"] = np.clip(np.round(raw), 1, 5)
    data = pd.DataFrame(columns)
    if missing:
        data = data.mask(rng.random(data.shape) < missing)
    return data


def keys_for(scales: int, k: int, reverse_first: bool = False) -> dict[str, list[str]]:
    return {
        f"s{s}": [("-" if reverse_first and j == 0 else "") + f"S{s}I{j}" for j in range(k)]
        for s in range(scales)
    }


# ------------------------------------------------------------------------------------------
# Against R psych (bfi)
# ------------------------------------------------------------------------------------------
def test_scores_equal_psych_score_items(psych_ref: dict, bfi: pd.DataFrame) -> None:
    # min_valid 0.2 of 5 items = one answer, as scoreItems(impute = "none") scores anyone.
    res = score_items(bfi, psych_ref["keys"], scale_min=1, scale_max=6, min_valid=0.2)
    expected = pd.read_csv(REFERENCE / "bfi_scores_psych.csv")
    assert list(res.scores.columns) == list(expected.columns)
    np.testing.assert_allclose(res.scores.to_numpy(), expected.to_numpy(), atol=1e-10)
    for scale, value in psych_ref["score_items_alpha"].items():
        assert res.reliability.loc[scale, "alpha"] == pytest.approx(value, abs=1e-10)


@pytest.mark.parametrize("policy", ["pairwise", "listwise"])
def test_reliability_and_items_equal_psych(psych_ref: dict, bfi: pd.DataFrame, policy: str) -> None:
    res = score_items(bfi, psych_ref["keys"], scale_min=1, scale_max=6, missing=policy)
    for scale, ref in psych_ref["scales"].items():
        expected = ref[policy]
        row = res.reliability.loc[scale]
        for column in ("alpha", "std_alpha", "average_r"):
            assert row[column] == pytest.approx(expected[column], abs=1e-10), (scale, column)
        assert row["omega_total"] == pytest.approx(expected["omega_total"], abs=1e-6), scale
        assert row["alpha_ci_low"] == pytest.approx(expected["feldt"][0], abs=1e-10)
        assert row["alpha_ci_high"] == pytest.approx(expected["feldt"][1], abs=1e-10)
        assert (row["n"], row["k"]) == (expected["n"], 5)
        items = res.items.loc[scale]
        assert list(items.index) == expected["items"]
        for column in ("r_drop", "alpha_if_deleted", "mean", "sd"):
            np.testing.assert_allclose(items[column], expected[column], atol=1e-10)


def test_alpha_equals_pingouin_per_scale_with_missing_values() -> None:
    data = latent_data(500, 3, 6, seed=8, missing=0.05)
    res = score_items(data, keys_for(3, 6), scale_min=1, scale_max=5)
    for s in range(3):
        items = data[[f"S{s}I{j}" for j in range(6)]]
        expected, _ = pg.cronbach_alpha(items)
        assert res.reliability.loc[f"s{s}", "alpha"] == pytest.approx(expected, abs=1e-12)


# ------------------------------------------------------------------------------------------
# Shape of the result
# ------------------------------------------------------------------------------------------
def test_result_tables_have_the_documented_columns(bfi: pd.DataFrame, psych_ref: dict) -> None:
    res = score_items(bfi, psych_ref["keys"], scale_min=1, scale_max=6)
    assert isinstance(res, ScoreResult)
    assert res.scores.index.equals(bfi.index)
    assert list(res.reliability.columns) == [
        "alpha", "std_alpha", "alpha_ci_low", "alpha_ci_high", "omega_total", "average_r", "n", "k",
    ]  # fmt: skip
    assert res.reliability.index.name == "scale"
    assert list(res.items.columns) == ["mean", "sd", "missing_share", "r_drop", "alpha_if_deleted"]
    assert res.items.index.names == ["scale", "item"]
    assert list(res.flags.columns) == ["scale", "item", "code", "message"]


def test_min_valid_share_decides_who_gets_a_score(bfi: pd.DataFrame, psych_ref: dict) -> None:
    data = bfi.copy()
    agree = ["A1", "A2", "A3", "A4", "A5"]
    data.loc[0, agree[:3]] = np.nan  # 2 of 5 answered: below one half
    data.loc[1, agree[:2]] = np.nan  # 3 of 5 answered
    res = score_items(data, psych_ref["keys"], scale_min=1, scale_max=6, min_valid=0.5)
    answered = data[agree].notna().sum(axis=1)
    expected_nan = answered < math.ceil(0.5 * 5)
    np.testing.assert_array_equal(res.scores["agree"].isna(), expected_nan)
    keyed = data[agree].assign(A1=7 - data["A1"])
    assert res.scores.loc[1, "agree"] == pytest.approx(keyed.loc[1].mean())
    everyone = score_items(data, psych_ref["keys"], scale_min=1, scale_max=6, min_valid=1.0)
    np.testing.assert_array_equal(everyone.scores["agree"].isna(), answered < 5)


def test_an_item_may_sit_in_two_scales_with_different_keying() -> None:
    data = latent_data(200, 1, 4, seed=2)
    keys = {"a": ["S0I0", "S0I1", "S0I2"], "b": ["-S0I0", "S0I3", "S0I1"]}
    res = score_items(data, keys, scale_min=1, scale_max=5)
    expected = ((6 - data["S0I0"]) + data["S0I3"] + data["S0I1"]) / 3
    np.testing.assert_allclose(res.scores["b"], expected, atol=1e-12)
    one_scale = scale_reliability(
        data[["S0I0", "S0I3", "S0I1"]], reverse=["S0I0"], scale_min=1, scale_max=5
    )
    pd.testing.assert_frame_equal(res.items.loc["b"], one_scale.items)
    assert res.reliability.loc["b", "alpha"] == pytest.approx(one_scale.alpha, abs=1e-12)
    assert res.items.loc[("a", "S0I0"), "mean"] == pytest.approx(data["S0I0"].mean())


def test_nullable_integer_columns_are_accepted() -> None:
    data = latent_data(60, 1, 3, seed=6, missing=0.1)
    nullable = data.astype("Int64")
    a = score_items(data, keys_for(1, 3), scale_min=1, scale_max=5)
    b = score_items(nullable, keys_for(1, 3), scale_min=1, scale_max=5)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.reliability, b.reliability)


# ------------------------------------------------------------------------------------------
# Flags
# ------------------------------------------------------------------------------------------
def test_flags_point_at_a_miskeyed_item_and_a_small_sample() -> None:
    data = latent_data(400, 1, 5, seed=9)
    # S0I4 is worded in reverse but keyed as if it were not.
    data["S0I4"] = 6 - data["S0I4"]
    res = score_items(data, keys_for(1, 5), scale_min=1, scale_max=5)
    item_flags = res.flags[res.flags["item"] == "S0I4"]
    assert set(item_flags["code"]) == {"low_r_drop", "alpha_if_deleted_higher"}
    message = item_flags.loc[item_flags["code"] == "low_r_drop", "message"].iloc[0]
    assert "should be reverse keyed" in message
    assert set(res.flags.loc[res.flags["item"].isna(), "code"]) <= {"low_alpha", "low_omega"}

    fixed = score_items(data, {"s0": [*keys_for(1, 4)["s0"], "-S0I4"]}, scale_min=1, scale_max=5)
    assert fixed.flags.empty

    small = score_items(data.head(20), keys_for(1, 5), scale_min=1, scale_max=5)
    few = small.flags[small.flags["code"] == "few_complete"]
    assert len(few) == 1 and few["item"].iloc[0] is None
    assert "only 20 respondents answered every item of scale 's0'" in few["message"].iloc[0]


def test_zero_variance_and_not_estimable_flags() -> None:
    data = latent_data(50, 1, 3, seed=1)
    data["S0I1"] = 3.0
    res = score_items(data, keys_for(1, 3), scale_min=1, scale_max=5)
    codes = dict(zip(res.flags["item"].fillna("-"), res.flags["code"], strict=False))
    assert codes["S0I1"] == "zero_variance"
    blank = latent_data(50, 1, 3, seed=1).assign(S0I0=3.0, S0I1=3.0, S0I2=3.0)
    res = score_items(blank, keys_for(1, 3), scale_min=1, scale_max=5)
    assert "not_estimable" in set(res.flags["code"])


def test_flag_thresholds_can_be_set() -> None:
    data = latent_data(300, 1, 4, seed=3)
    res = score_items(data, keys_for(1, 4), scale_min=1, scale_max=5)
    strict = reliability_flags(
        res.reliability, res.items, thresholds=FlagThresholds(min_alpha=0.99, min_omega=0.99)
    )
    assert {"low_alpha", "low_omega"} <= set(strict["code"])
    assert "0.99" in strict.loc[strict["code"] == "low_alpha", "message"].iloc[0]


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------
answers = arrays(
    np.float64,
    st.tuples(st.integers(3, 25), st.just(6)),
    elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.nan]),
)
KEYS = {"a": ["I0", "-I1", "I2"], "b": ["-I3", "-I4", "I5"]}
COLUMNS = [f"I{j}" for j in range(6)]


@settings(max_examples=25, deadline=None)
@given(values=answers, min_valid=st.sampled_from([0.2, 0.5, 1.0]))
def test_scores_stay_inside_the_scale(values: np.ndarray, min_valid: float) -> None:
    res = score_items(
        pd.DataFrame(values, columns=COLUMNS), KEYS, scale_min=1, scale_max=7, min_valid=min_valid
    )
    scores = res.scores.to_numpy()
    finite = scores[np.isfinite(scores)]
    assert np.all((finite >= 1 - 1e-12) & (finite <= 7 + 1e-12))


@settings(max_examples=25, deadline=None)
@given(values=answers)
def test_reverse_keying_twice_gives_the_same_scores(values: np.ndarray) -> None:
    data = pd.DataFrame(values, columns=COLUMNS)
    res = score_items(data, KEYS, scale_min=1, scale_max=7)
    flipped = 8 - data

    def flip(item: str) -> str:
        return item[1:] if item.startswith("-") else "-" + item

    both = {scale: [flip(i) for i in items] for scale, items in KEYS.items()}
    res2 = score_items(flipped, both, scale_min=1, scale_max=7)
    np.testing.assert_allclose(res.scores, res2.scores, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 120))
def test_listwise_equals_pairwise_on_complete_data(seed: int, n: int) -> None:
    data = latent_data(n, 2, 4, seed=seed)
    keys = {"a": ["S0I0", "-S0I1", "S0I2", "S0I3"], "b": ["-S1I0", "S1I1", "S1I2", "S1I3"]}
    pair = score_items(data, keys, scale_min=1, scale_max=5, missing="pairwise")
    lst = score_items(data, keys, scale_min=1, scale_max=5, missing="listwise")
    pd.testing.assert_frame_equal(pair.scores, lst.scores)
    pd.testing.assert_frame_equal(pair.reliability, lst.reliability, atol=1e-9)
    pd.testing.assert_frame_equal(pair.items, lst.items, atol=1e-9)


# ------------------------------------------------------------------------------------------
# Bad input: ValueError naming the column or scale and the fix
# ------------------------------------------------------------------------------------------
def small() -> pd.DataFrame:
    return latent_data(20, 1, 3, seed=0)


def test_unknown_item_names_scale_item_and_suggestion() -> None:
    with pytest.raises(ValueError) as err:
        score_items(small(), {"agree": ["S0I0", "S0I1", "S0X2"]}, scale_min=1, scale_max=5)
    message = str(err.value)
    assert "scale 'agree' lists item 'S0X2'" in message
    assert "did you mean 'S0I2'" in message
    assert "correct the key or add the column" in message


def test_non_numeric_column_is_named_with_the_fix() -> None:
    data = small().astype({"S0I1": str})
    with pytest.raises(ValueError, match=r"column 'S0I1' of data is not numeric.*pd\.to_numeric"):
        score_items(data, keys_for(1, 3), scale_min=1, scale_max=5)


def test_boolean_column_is_not_numeric_here() -> None:
    data = small().assign(S0I1=True)
    with pytest.raises(ValueError, match=r"column 'S0I1' of data is not numeric \(dtype bool\)"):
        score_items(data, keys_for(1, 3), scale_min=1, scale_max=5)


def test_out_of_range_value_names_column_row_and_fix() -> None:
    data = small()
    data.index = [f"r{i}" for i in range(len(data))]
    data.loc["r12", "S0I2"] = 0
    data.loc["r15", "S0I2"] = 6
    with pytest.raises(ValueError) as err:
        score_items(data, keys_for(1, 3), scale_min=1, scale_max=5)
    message = str(err.value)
    assert "column 'S0I2' holds 0 at row 'r12' (and 1 more such value" in message
    assert "outside the response scale 1..5" in message
    assert "recode it, set it to NaN" in message


def test_empty_data_is_refused() -> None:
    with pytest.raises(ValueError, match="data has no rows"):
        score_items(small().iloc[:0], keys_for(1, 3), scale_min=1, scale_max=5)


def test_one_item_scale_names_the_scale() -> None:
    with pytest.raises(ValueError) as err:
        score_items(small(), {"solo": ["S0I0"], "ok": ["S0I1", "S0I2"]}, scale_min=1, scale_max=5)
    assert "scale 'solo' has 1 item (S0I0)" in str(err.value)
    assert "add items to it or drop the scale" in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"scale_min": 5, "scale_max": 1}, r"scale_min \(5\) must be smaller than scale_max"),
        ({"scale_min": 1, "scale_max": 5, "min_valid": 0}, r"min_valid must be a share in"),
        ({"scale_min": 1, "scale_max": 5, "min_valid": 50}, r"min_valid must be a share in"),
        ({"scale_min": 1, "scale_max": 5, "missing": "mean"}, r"missing must be 'pairwise'"),
        ({"scale_min": None, "scale_max": 5}, r"scale_min must be a finite number"),
    ],
)
def test_argument_errors(kwargs: dict, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        score_items(small(), keys_for(1, 3), **kwargs)
