"""What changed between two versions of an instrument.

Items are matched by id: an id present in both versions is the same item (the format's rule),
so a change of its text is a rewording and a change of its scale is a move. Whether answers to
the two versions may be pooled is a separate, declared matter (``comparability``), which the
diff reports beside the changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from survey.instrument.model import Instrument


@dataclass(frozen=True)
class ItemChange:
    item: str
    scale: str | None = None
    before: Any = None
    after: Any = None
    language: str | None = None


@dataclass(frozen=True)
class ThresholdChange:
    """A maturity stage whose lower bound on the 0-100 index changed (None: the stage is
    absent from that version)."""

    stage: str
    before: float | None = None
    after: float | None = None


@dataclass
class InstrumentDiff:
    """Changes from version ``a`` to version ``b`` of one instrument, one list per kind."""

    a: str
    b: str
    added: list[ItemChange] = field(default_factory=list)
    removed: list[ItemChange] = field(default_factory=list)
    reworded: list[ItemChange] = field(default_factory=list)
    moved: list[ItemChange] = field(default_factory=list)
    rekeyed: list[ItemChange] = field(default_factory=list)
    scales_added: list[str] = field(default_factory=list)
    scales_removed: list[str] = field(default_factory=list)
    thresholds: list[ThresholdChange] = field(default_factory=list)
    comparable: dict[str, str] = field(default_factory=dict)

    KINDS = ("added", "removed", "reworded", "moved", "rekeyed")

    @property
    def empty(self) -> bool:
        return not any(
            getattr(self, kind)
            for kind in (*self.KINDS, "scales_added", "scales_removed", "thresholds")
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def diff_instruments(a: Instrument, b: Instrument) -> InstrumentDiff:
    """Compare two versions of the same instrument.

    Examples
    --------
    >>> from survey.instrument.registry import get_instrument
    >>> d = diff_instruments(get_instrument("sustained-purposeful-engagement@1.0.0"),
    ...                      get_instrument("sustained-purposeful-engagement@1.1.0"))
    >>> len(d.added), len(d.removed), len(d.reworded) >= 1
    (1, 1, True)
    """
    if a.id != b.id:
        raise ValueError(
            f"cannot diff different instruments: {a.id!r} and {b.id!r}; "
            "compare two versions of one instrument"
        )
    result = InstrumentDiff(a=a.key, b=b.key)
    items_a = {item.id: (scale.id, item) for scale in a.scales for item in scale.items}
    items_b = {item.id: (scale.id, item) for scale in b.scales for item in scale.items}
    for item_id, (scale_id, item) in items_b.items():
        if item_id not in items_a:
            result.added.append(ItemChange(item_id, scale_id, after=b.text(item.text)))
    for item_id, (scale_id, item) in items_a.items():
        if item_id not in items_b:
            result.removed.append(ItemChange(item_id, scale_id, before=a.text(item.text)))
            continue
        scale_b, item_b = items_b[item_id]
        for language in sorted(set(item.text) | set(item_b.text)):
            if item.text.get(language) != item_b.text.get(language):
                result.reworded.append(
                    ItemChange(
                        item_id,
                        scale_b,
                        before=item.text.get(language),
                        after=item_b.text.get(language),
                        language=language,
                    )
                )
        if scale_b != scale_id:
            result.moved.append(ItemChange(item_id, scale_b, before=scale_id, after=scale_b))
        if item.reverse != item_b.reverse:
            result.rekeyed.append(
                ItemChange(item_id, scale_b, before=item.reverse, after=item_b.reverse)
            )
    scales_a, scales_b = {s.id for s in a.scales}, {s.id for s in b.scales}
    result.scales_added = sorted(scales_b - scales_a)
    result.scales_removed = sorted(scales_a - scales_b)
    stages_a = {stage.id: stage.min_index for stage in a.stages}
    stages_b = {stage.id: stage.min_index for stage in b.stages}
    for stage_id in sorted(set(stages_a) | set(stages_b)):
        if stages_a.get(stage_id) != stages_b.get(stage_id):
            result.thresholds.append(
                ThresholdChange(stage_id, stages_a.get(stage_id), stages_b.get(stage_id))
            )
    if b.comparability is not None and b.comparability.previous_version == a.version:
        result.comparable = dict(b.comparability.items)
    elif a.comparability is not None and a.comparability.previous_version == b.version:
        result.comparable = {old: new for new, old in a.comparability.items.items()}
    return result
