"""The instruments we ship: valid, published, complete in both languages, and as the issue
describes them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from survey.instrument.diff import diff_instruments
from survey.instrument.model import Instrument
from survey.instrument.registry import (
    LOCK_NAME,
    default_registry,
    instruments_dir,
    read_lock,
    validate,
)

EXPECTED_SCALES = {
    "interaction-capabilities": [
        "individuated", "relational", "ethical", "empowered", "developmental", "concerted",
    ],
    "cocreation-practices": [
        "co-diagnosis", "co-ideation", "co-valuation", "co-design", "co-testing",
        "co-launching", "embedding", "coordination",
    ],
    "cocreation-readiness": [
        "sensing", "seizing", "social-capital", "knowledge-sharing", "networked-interface",
        "ecosystem-awareness", "co-destruction-safeguards",
    ],
    "sustained-purposeful-engagement": ["purpose", "engagement", "sustainment"],
}  # fmt: skip


def test_shipped_instruments_have_no_issue_not_even_a_warning() -> None:
    registry, issues = validate()
    assert [str(i) for i in issues] == []
    assert len(registry) == 5


def test_every_version_is_published_with_its_hash() -> None:
    lock, issues = read_lock(instruments_dir() / LOCK_NAME)
    assert issues == []
    assert lock == {i.key: i.sha256 for i in default_registry()}


@pytest.mark.parametrize("instrument_id", sorted(EXPECTED_SCALES))
def test_scales_items_and_keying(instrument_id: str) -> None:
    instrument = default_registry().get(f"{instrument_id}@1.0.0")
    assert [s.id for s in instrument.scales] == EXPECTED_SCALES[instrument_id]
    assert all(3 <= len(s.items) <= 5 for s in instrument.scales)
    assert any(item.reverse for item in instrument.items)
    assert instrument.languages == ["en", "de"]
    assert [stage.stage for stage in instrument.stages] == [1, 2, 3, 4, 5]
    recommended = {r.scale for r in instrument.recommendations}
    assert recommended == set(EXPECTED_SCALES[instrument_id])


def test_practices_are_grouped_by_the_three_dimensions() -> None:
    practices = default_registry().get("cocreation-practices")
    groups = {d.id: d.scales for d in practices.dimensions}
    assert groups["linking"] == ["co-diagnosis", "co-ideation", "co-valuation"]
    assert groups["materializing"] == ["co-design", "co-testing", "co-launching"]
    assert groups["institutionalizing"] == ["embedding"]
    # the cartwheel: each practice names the capabilities that carry it
    assert all(s.supported_by for s in practices.scales)


def test_republished_instrument_diff_and_mapping() -> None:
    registry = default_registry()
    old = registry.get("sustained-purposeful-engagement@1.0.0")
    new = registry.get("sustained-purposeful-engagement@1.1.0")
    diff = diff_instruments(old, new)
    assert [c.item for c in diff.added] == ["SPE-SUS-5"]
    assert [c.item for c in diff.removed] == ["SPE-ENG-2"]
    assert {c.item for c in diff.reworded} == {"SPE-PUR-3"}
    assert new.comparability is not None
    assert set(new.comparability.items) == set(new.item_ids) - {"SPE-SUS-5"}


def test_hash_ignores_formatting_and_explicit_defaults(tmp_path: Path) -> None:
    source = default_registry().files["interaction-capabilities@1.0.0"]
    data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    original = Instrument.model_validate(data)
    for scale in data["scales"]:
        for item in scale["items"]:
            item.setdefault("reverse", False)  # explicit default: same content
    assert Instrument.model_validate(data).sha256 == original.sha256
    data["scales"][0]["items"][0]["text"]["en"] += " "
    assert Instrument.model_validate(data).sha256 != original.sha256
