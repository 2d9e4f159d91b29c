"""score_instrument / score_versions on inline instruments, against plain pandas means.

These tests need scoring.items (the reliability core, merged from its own branch)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from scoring.instrument_scoring import comparable_items, score_instrument, score_versions
from survey.instrument.model import Instrument


def _instrument(version: str = "1.0.0", **changes: object) -> Instrument:
    def scale(sid: str, rs: str, reverse: tuple[int, ...] = ()) -> dict[str, object]:
        return {
            "id": sid,
            "name": {"en": sid},
            "definition": {"en": "."},
            "response_scale": rs,
            "items": [
                {"id": f"{sid.upper()}-{j}", "text": {"en": "."}, "reverse": j in reverse}
                for j in (1, 2, 3, 4)
            ],
        }

    data: dict[str, object] = {
        "id": "practices",
        "version": version,
        "title": {"en": "P"},
        "description": {"en": "."},
        "languages": ["en"],
        "response_scales": [
            {
                "id": "agree-5",
                "min": 1,
                "max": 5,
                "labels": {i: {"en": str(i)} for i in range(1, 6)},
            },
            {
                "id": "freq-7",
                "min": 0,
                "max": 6,
                "labels": {i: {"en": str(i)} for i in range(0, 7)},
            },
        ],
        "scoring": {"min_valid_share": 0.5},
        "scales": [
            scale("dia", "agree-5", (2,)),
            scale("ide", "agree-5"),
            scale("des", "freq-7", (4,)),
        ],
        "dimensions": [
            {"id": "linking", "name": {"en": "L"}, "scales": ["dia", "ide"]},
            {"id": "materializing", "name": {"en": "M"}, "scales": ["des"]},
        ],
        "stages": [
            {"stage": 1, "id": "one", "name": {"en": "1"}, "min_index": 0, "narrative": {"en": "."}}
        ],
        "changelog": [{"version": version, "date": "2026-01-01", "changes": ["x"]}],
    }
    data.update(changes)
    return Instrument.model_validate(data)


def _responses(instrument: Instrument, n: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = {}
    for scale in instrument.scales:
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            out[item.id] = rng.integers(rs.min, rs.max + 1, size=n).astype(float)
    frame = pd.DataFrame(out)
    holes = rng.random(frame.shape) < 0.15
    return frame.mask(holes).assign(respondent=[f"r{i}" for i in range(n)])


def _mean_scores(responses: pd.DataFrame, instrument: Instrument, share: float) -> pd.DataFrame:
    """Independent reference: reverse by hand, then a row mean where enough items answered."""
    out = {}
    for scale in instrument.scales:
        cols = {}
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            x = responses[item.id].astype(float)
            cols[item.id] = (rs.min + rs.max - x) if item.reverse else x
        block = pd.DataFrame(cols)
        answered = block.notna().sum(axis=1)
        mean = block.mean(axis=1)
        out[scale.id] = mean.where(answered >= max(1, np.ceil(share * len(scale.items))))
    return pd.DataFrame(out)


def test_scores_and_indices_against_plain_means() -> None:
    inst = _instrument()
    data = _responses(inst)
    res = score_instrument(data, inst)
    expected = _mean_scores(data, inst, 0.5)
    np.testing.assert_allclose(res.scores.to_numpy(), expected.to_numpy(), equal_nan=True)
    assert list(res.scores.columns) == ["dia", "ide", "des"]
    pomp = pd.DataFrame(
        {
            "dia": 100 * (expected["dia"] - 1) / 4,
            "ide": 100 * (expected["ide"] - 1) / 4,
            "des": 100 * expected["des"] / 6,
        }
    )
    np.testing.assert_allclose(res.index.to_numpy(), pomp.to_numpy(), equal_nan=True)
    np.testing.assert_allclose(
        res.dimension_scores["linking"], expected[["dia", "ide"]].mean(axis=1), equal_nan=True
    )
    np.testing.assert_allclose(
        res.dimension_index["linking"], pomp[["dia", "ide"]].mean(axis=1), equal_nan=True
    )
    np.testing.assert_allclose(res.overall_index, pomp.mean(axis=1), equal_nan=True)
    values = res.index.to_numpy()
    values = values[~np.isnan(values)]
    assert values.size > 0 and ((values >= 0) & (values <= 100)).all()
    assert list(res.reliability.index) == ["dia", "ide", "des"]
    assert set(res.items.index.get_level_values(0)) == {"dia", "ide", "des"}


def test_min_valid_rule_comes_from_the_instrument() -> None:
    strict = _instrument(scoring={"min_valid_share": 1.0})
    data = _responses(strict, seed=3)
    res = score_instrument(data, strict)
    expected = _mean_scores(data, strict, 1.0)
    np.testing.assert_allclose(res.scores.to_numpy(), expected.to_numpy(), equal_nan=True)
    lenient = score_instrument(data, strict, min_valid=0.25)
    assert lenient.scores.notna().sum().sum() > res.scores.notna().sum().sum()
    anything = score_instrument(data, _instrument(scoring={"min_valid_share": 0.0}))
    one_answer = _mean_scores(data, strict, 0.0)
    np.testing.assert_allclose(anything.scores.to_numpy(), one_answer.to_numpy(), equal_nan=True)


def test_missing_columns_and_mixed_ranges_are_refused() -> None:
    inst = _instrument()
    data = _responses(inst)
    with pytest.raises(ValueError, match=r"practices@1.0.0 lack the item column\(s\) \['IDE-3'\]"):
        score_instrument(data.drop(columns="IDE-3"), inst)
    raw = inst.model_dump()
    raw["scales"][0]["items"][0]["response_scale"] = "freq-7"
    mixed = Instrument.model_validate(raw)
    with pytest.raises(ValueError, match=r"scale 'dia' of practices@1\.0\.0 mixes response ranges"):
        score_instrument(data, mixed)


def _next_version(
    inst: Instrument, version: str, edit, mapping: dict[str, str] | None
) -> Instrument:  # type: ignore[no-untyped-def]
    raw = copy.deepcopy(inst.model_dump())
    raw["version"] = version
    edit(raw)
    raw["changelog"].append({"version": version, "date": "2026-06-01", "changes": ["edit"]})
    if mapping is not None:
        raw["comparability"] = {"previous_version": inst.version, "items": mapping}
    return Instrument.model_validate(raw)


def test_score_versions_pools_comparable_items() -> None:
    v1 = _instrument()

    def rename_and_flip(raw: dict) -> None:  # type: ignore[type-arg]
        raw["scales"][1]["items"][3]["id"] = "IDE-4B"  # reworded: not comparable
        raw["scales"][0]["items"][0]["reverse"] = True  # DIA-1 turned round, still comparable
        raw["scales"][0]["items"][0]["id"] = "DIA-1R"

    ids = [i for i in v1.item_ids if i not in ("IDE-4", "DIA-1")]
    v2 = _next_version(v1, "1.1.0", rename_and_flip, {**{i: i for i in ids}, "DIA-1R": "DIA-1"})
    d1, d2 = _responses(v1, n=20, seed=1), _responses(v2, n=25, seed=2)

    chain = comparable_items([v2, v1])
    assert chain["1.0.0"]["DIA-1R"] == "DIA-1"
    assert chain["1.0.0"]["IDE-4B"] is None
    assert chain["1.1.0"]["IDE-4B"] == "IDE-4B"

    with pytest.raises(
        ValueError,
        match=r"scale 'ide' .* item\(s\) \['IDE-4B'\] of 1.1.0 have "
        r"no comparable item in 1.0.0",
    ):
        score_versions([(v1, d1), (v2, d2)])

    res = score_versions([(v1, d1), (v2, d2)], comparable_only=True)
    assert res.scores.index.get_level_values("version").value_counts().to_dict() == {
        "1.0.0": 20,
        "1.1.0": 25,
    }
    # Reference: old answers to DIA-1 are in the old direction (not reversed) and must be
    # turned round to mean what the reverse-keyed DIA-1R means; ide uses IDE-1..3 only.
    old = d1.rename(columns={"DIA-1": "DIA-1R"})
    old["DIA-1R"] = 6 - old["DIA-1R"]
    subset = _next_version(v2, "1.1.1", lambda raw: raw["scales"][1]["items"].pop(3), None)
    expected = pd.concat([_mean_scores(old, subset, 0.5), _mean_scores(d2, subset, 0.5)])
    np.testing.assert_allclose(res.scores.to_numpy(), expected.to_numpy(), equal_nan=True)


def test_score_versions_chains_and_explains_gaps() -> None:
    v1 = _instrument()
    v2 = _next_version(v1, "1.1.0", lambda raw: None, {i: i for i in v1.item_ids})
    v3 = _next_version(v2, "2.0.0", lambda raw: None, {i: i for i in v1.item_ids})
    d = {
        v: _responses(i, n=10, seed=k)
        for k, (v, i) in enumerate({"1": v1, "2": v2, "3": v3}.items())
    }
    res = score_versions([(v1, d["1"]), (v2, d["2"].iloc[:0]), (v3, d["3"])])
    expected = pd.concat([_mean_scores(d["1"], v1, 0.5), _mean_scores(d["3"], v1, 0.5)])
    np.testing.assert_allclose(res.scores.to_numpy(), expected.to_numpy(), equal_nan=True)
    with pytest.raises(ValueError, match=r"pass practices@1.1.0 too"):
        score_versions([(v1, d["1"]), (v3, d["3"])])
    no_lineage = _next_version(v1, "1.2.0", lambda raw: None, None)
    with pytest.raises(ValueError, match="cannot be pooled"):
        score_versions([(v1, d["1"]), (no_lineage, d["2"])])
    with pytest.raises(ValueError, match="given more than once"):
        score_versions([(v1, d["1"]), (v1, d["2"])])
