"""Maturity: POMP indices, stages, archetypes, profiles and recommendations on inline
instruments, with hand-computed expectations and property tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.maturity import archetype, index_scores, profile, recommendations, stage_of
from survey.instrument.model import Instrument, Stage

STAGES = [
    Stage(stage=n, id=f"s{n}", name={"en": f"S{n}"}, min_index=t, narrative={"en": "."})
    for n, t in [(1, 0), (2, 20), (3, 40), (4, 60), (5, 80)]
]


def practices_instrument() -> Instrument:
    """Seven practice scales in three dimensions, two languages, links to capabilities."""
    dims = {
        "linking": ["co-diagnosis", "co-ideation"],
        "materializing": ["co-design", "co-testing"],
        "institutionalizing": ["embedding", "contracting"],
    }
    links = {
        "co-design": ["caps/developmental", "caps/concerted"],
        "co-testing": ["caps/empowered"],
        "embedding": ["caps/ethical"],
    }
    scales = []
    for sid in [s for group in dims.values() for s in group] + ["coordination"]:
        scales.append(
            {
                "id": sid,
                "name": {"en": sid.title(), "de": sid.upper()},
                "definition": {"en": ".", "de": "."},
                "response_scale": "freq-5",
                "supported_by": links.get(sid, []),
                "items": [
                    {"id": f"P-{sid.upper()}-{j}", "text": {"en": ".", "de": "."}}
                    for j in (1, 2, 3)
                ],
            }
        )
    return Instrument.model_validate(
        {
            "id": "practices",
            "version": "1.0.0",
            "title": {"en": "Practices", "de": "Praktiken"},
            "description": {"en": ".", "de": "."},
            "languages": ["en", "de"],
            "response_scales": [
                {
                    "id": "freq-5",
                    "min": 1,
                    "max": 5,
                    "kind": "frequency",
                    "labels": {i: {"en": str(i), "de": str(i)} for i in range(1, 6)},
                }
            ],
            "scales": scales,
            "dimensions": [
                {"id": d, "name": {"en": d.title(), "de": d.upper()}, "scales": s}
                for d, s in dims.items()
            ],
            "stages": [
                {
                    "stage": s.stage,
                    "id": s.id,
                    "name": {"en": f"Stage {s.stage}", "de": f"Stufe {s.stage}"},
                    "min_index": s.min_index,
                    "narrative": {"en": f"Narrative {s.stage}", "de": f"Erzählung {s.stage}"},
                }
                for s in STAGES
            ],
            "recommendations": [
                {
                    "id": "design-early",
                    "scale": "co-design",
                    "stages": [1, 2, 3],
                    "text": {"en": "Run a joint lab.", "de": "Gemeinsames Labor."},
                },
                {
                    "id": "design-late",
                    "scale": "co-design",
                    "stages": [4, 5],
                    "text": {"en": "Scale the lab.", "de": "Labor ausweiten."},
                },
                {
                    "id": "embed",
                    "scale": "embedding",
                    "stages": [2, 3],
                    "text": {"en": "Outcome-based contracts.", "de": "Ergebnisverträge."},
                },
                {
                    "id": "test",
                    "scale": "co-testing",
                    "stages": [3],
                    "text": {"en": "Open trials.", "de": "Offene Versuche."},
                },
            ],
            "changelog": [{"version": "1.0.0", "date": "2026-01-01", "changes": ["new"]}],
        }
    )


FIRM = {
    "co-diagnosis": 80.0,
    "co-ideation": 70.0,
    "co-design": 30.0,
    "co-testing": 40.0,
    "embedding": 25.0,
    "contracting": 45.0,
    "coordination": 60.0,
}


# -- index --------------------------------------------------------------------------------------


def test_index_scores_is_pomp() -> None:
    scores = pd.DataFrame({"a": [1.0, 3.0, 5.0, np.nan], "b": [1.0, 4.0, 7.0, 2.5]})
    got = index_scores(scores, {"a": 1, "b": 1}, {"a": 5, "b": 7})
    expected = pd.DataFrame({"a": [0.0, 50.0, 100.0, np.nan], "b": [0.0, 50.0, 100.0, 25.0]})
    pd.testing.assert_frame_equal(got, expected)
    assert index_scores(2.0, 0, 4) == 50.0
    with pytest.raises(ValueError, match=r"'a' has the score 6 in row 1, outside the scale 1..5"):
        index_scores(pd.DataFrame({"a": [1.0, 6.0]}), 1, 5)
    with pytest.raises(ValueError, match="scale_max has no value for column 'b'"):
        index_scores(scores, 1, {"a": 5})
    with pytest.raises(ValueError, match="must be greater than scale_min"):
        index_scores(pd.Series([1.0]), 5, 5)


@given(
    st.floats(min_value=-10, max_value=10),
    st.floats(min_value=0.01, max_value=10),
    st.floats(min_value=0, max_value=1),
)
def test_pomp_index_within_0_100(lo: float, width: float, share: float) -> None:
    hi = lo + width
    x = lo + share * width
    value = index_scores(min(max(x, lo), hi), lo, hi)
    assert isinstance(value, float)
    assert 0.0 <= value <= 100.0
    assert value == pytest.approx(100 * (min(max(x, lo), hi) - lo) / width, abs=1e-6)


# -- stages -------------------------------------------------------------------------------------


def test_stage_thresholds_are_lower_bounds() -> None:
    got = [stage_of(x, STAGES).stage for x in [0, 19.99, 20, 39.9, 40, 60, 79.99, 80, 100]]
    assert got == [1, 1, 2, 2, 3, 4, 4, 5, 5]
    assert stage_of(float("nan"), STAGES) is None
    late_start = [s for s in STAGES if s.stage > 1]
    assert stage_of(10, late_start) is None
    with pytest.raises(ValueError, match=r"within 0\.\.100"):
        stage_of(101, STAGES)
    with pytest.raises(ValueError, match="no maturity stages"):
        stage_of(50, [])


@given(st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_stage_of_is_monotone(a: float, b: float) -> None:
    lo, hi = sorted([a, b])
    stage_lo, stage_hi = stage_of(lo, STAGES), stage_of(hi, STAGES)
    assert stage_lo is not None and stage_hi is not None
    assert stage_lo.stage <= stage_hi.stage
    assert stage_hi.min_index <= hi


# -- archetype ----------------------------------------------------------------------------------


def test_archetype_rule() -> None:
    assert archetype({"linking": 70, "materializing": 50, "institutionalizing": 30}) == (
        "linking-led"
    )
    assert archetype({"linking": 30, "materializing": 50, "institutionalizing": 60}) == (
        "institutionalizing-led"
    )
    assert archetype({"linking": 50, "materializing": 59.9, "institutionalizing": 55}) == (
        "balanced"
    )
    assert archetype({"linking": 50, "materializing": 60, "institutionalizing": 55}) == (
        "materializing-led"
    )  # a spread of exactly the margin is not balanced
    assert archetype({"linking": 60, "materializing": 60, "institutionalizing": 20}) == (
        "linking-led"
    )  # tie at the top: first in the instrument's order
    assert archetype({"linking": 50, "materializing": 58}, balance_margin=5) == (
        "materializing-led"
    )
    assert archetype({"linking": 50, "materializing": float("nan")}) is None


# -- profile ------------------------------------------------------------------------------------


def test_profile_stages_strengths_gaps() -> None:
    inst = practices_instrument()
    p = profile(FIRM, inst)
    overall = sum(FIRM.values()) / len(FIRM)  # 50.0
    assert p.overall_index == pytest.approx(overall)
    assert p.stage == 3
    stages = p.stages.set_index("level")
    assert stages.loc["overall", "stage_name"] == "Stage 3"
    assert stages.loc["overall", "narrative"] == "Narrative 3"
    assert stages.loc["linking", "index"] == pytest.approx(75.0)
    assert stages.loc["linking", "stage"] == 4
    assert stages.loc["materializing", "index"] == pytest.approx(35.0)
    assert stages.loc["materializing", "stage"] == 2
    assert stages.loc["institutionalizing", "index"] == pytest.approx(35.0)
    assert p.archetype == "linking-led"
    assert p.strengths["scale"].tolist() == ["co-diagnosis", "co-ideation", "coordination"]
    assert p.gaps["scale"].tolist() == ["embedding", "co-design", "co-testing"]
    assert p.gaps["dimension"].tolist() == ["institutionalizing", "materializing", "materializing"]
    assert p.gaps["name"].tolist() == ["Embedding", "Co-Design", "Co-Testing"]


def test_profile_cartwheel_names_weak_capabilities() -> None:
    p = profile(
        FIRM,
        practices_instrument(),
        linked_index={"caps/developmental": 35.0, "caps/concerted": 65.0, "caps/ethical": 20.0},
    )
    rows = p.cartwheel.set_index(["scale", "supported_by"])
    assert rows.index.tolist() == [
        ("co-design", "caps/developmental"),
        ("co-design", "caps/concerted"),
        ("co-testing", "caps/empowered"),
        ("embedding", "caps/ethical"),
    ]
    assert rows["supporting_weak"].tolist() == [True, False, pd.NA, True]
    assert math.isnan(rows.loc[("co-testing", "caps/empowered"), "supporting_index"])
    strict = profile(FIRM, practices_instrument(), weak_below=28)
    assert strict.cartwheel["scale"].unique().tolist() == ["embedding"]


def test_profile_in_another_language_and_missing_scales() -> None:
    inst = practices_instrument()
    partial = {k: v for k, v in FIRM.items() if k != "coordination"}
    p = profile(partial, inst, language="de")
    assert p.overall_index == pytest.approx(sum(partial.values()) / 6)
    assert p.stages.loc[0, "name"] == "Praktiken"
    assert p.stages.loc[0, "stage_name"] == "Stufe 3"
    assert p.gaps.loc[0, "name"] == "EMBEDDING"
    assert set(p.recommendations["text"]) <= {
        "Gemeinsames Labor.",
        "Ergebnisverträge.",
        "Offene Versuche.",
    }
    with pytest.raises(ValueError, match="no texts in 'fr'"):
        profile(FIRM, inst, language="fr")
    with pytest.raises(ValueError, match=r"has no scale\(s\) \['co-dreaming'\]"):
        profile({**FIRM, "co-dreaming": 10}, inst)
    with pytest.raises(ValueError, match="indices run from 0 to 100"):
        profile({**FIRM, "co-design": 320.0}, inst)


def test_recommendations_for_weakest_scales_at_stage() -> None:
    inst = practices_instrument()
    recs = recommendations(FIRM, inst)  # overall stage 3; weakest: embedding, co-design, co-testing
    assert recs["recommendation"].tolist() == ["embed", "design-early", "test"]
    assert recs["text"].tolist() == ["Outcome-based contracts.", "Run a joint lab.", "Open trials."]
    assert (recs["stage"] == 3).all()
    later = recommendations(FIRM, inst, stage=4)
    assert later["recommendation"].tolist() == ["design-late"]
    one = recommendations(FIRM, inst, n_scales=1, language="de")
    assert one["text"].tolist() == ["Ergebnisverträge."]
    none = recommendations(FIRM, inst, stage=5, n_scales=1)
    assert none.empty and list(none.columns) == [
        "scale",
        "index",
        "stage",
        "recommendation",
        "text",
    ]
    assert profile(FIRM, inst).recommendations.equals(recs)


def test_profile_archetype_on_chosen_dimensions() -> None:
    inst = practices_instrument()
    firm = {**FIRM, "co-diagnosis": 40.0, "co-ideation": 40.0, "embedding": 45.0}
    # linking 40, materializing 35, institutionalizing 45: spread 10 -> led by institutionalizing
    assert profile(firm, inst).archetype == "institutionalizing-led"
    two = profile(firm, inst, archetype_dimensions=["linking", "materializing"])
    assert two.archetype == "balanced"  # 40 vs 35: spread 5
    with pytest.raises(ValueError, match=r"no dimension\(s\) \['orchestrating'\]"):
        profile(firm, inst, archetype_dimensions=["orchestrating"])


def test_archetype_reads_only_the_dimensions_the_instrument_counts() -> None:
    from survey.instrument.registry import get_instrument

    practices = get_instrument("cocreation-practices@1.0.0")
    assert [d.id for d in practices.dimensions if not d.archetype] == ["orchestrating"]
    # coordination (orchestrating) far ahead: with every dimension it would lead
    index = {s.id: 40.0 for s in practices.scales}
    index.update(
        {"coordination": 95.0, "co-diagnosis": 70.0, "co-ideation": 70.0, "co-valuation": 70.0}
    )
    result = profile(pd.Series(index), practices)
    assert result.archetype == "linking-led"
    everything = [d.id for d in practices.dimensions]
    assert profile(pd.Series(index), practices, archetype_dimensions=everything).archetype == (
        "orchestrating-led"
    )
