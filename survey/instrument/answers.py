"""Checking one answer against its item: the rule every way in (the app's drafts and
submissions, file imports) applies before anything is stored."""

from __future__ import annotations

from typing import Any

import numpy as np

from survey.instrument.model import Instrument, ResponseScale

#: The stored value of a "not applicable" answer.
NOT_APPLICABLE = "na"


def check_answer(instrument: Instrument, item_id: str, value: Any) -> tuple[Any, str | None]:
    """Normalise one answer and say what is wrong with it, if anything.

    Returns ``(value, problem)``: ``value`` is an ``int``, ``"na"`` or ``None`` (remove);
    ``problem`` is ``None`` when the answer is acceptable.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()
    >>> check_answer(inst, "A-1", "4")
    (4, None)
    >>> check_answer(inst, "A-1", 7)[1]
    'value 7 is outside the scale 1..5'
    >>> check_answer(inst, "A-1", "na")[1]
    "'not applicable' is not allowed for this item (its scale has no such option)"
    """
    rs = _item_scales(instrument).get(item_id)
    if rs is None:
        return value, f"not an item of {instrument.key}"
    if value is None:
        return None, None
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in (NOT_APPLICABLE, "n/a", "not applicable"):
            if not rs.not_applicable:
                return value, (
                    "'not applicable' is not allowed for this item (its scale has no such option)"
                )
            return NOT_APPLICABLE, None
        try:
            value = int(text)
        except ValueError:
            return value, f"{value!r} is not a point of the scale {rs.min}..{rs.max}"
    if isinstance(value, bool):
        return value, f"{value!r} is not a point of the scale {rs.min}..{rs.max}"
    if isinstance(value, float | np.floating):
        if not float(value).is_integer():
            return value, f"{value!r} is not a whole point of the scale {rs.min}..{rs.max}"
        value = int(value)
    if not isinstance(value, int | np.integer):
        return value, f"{value!r} is not a point of the scale {rs.min}..{rs.max}"
    value = int(value)
    if not rs.min <= value <= rs.max:
        return value, f"value {value} is outside the scale {rs.min}..{rs.max}"
    return value, None


_ITEM_SCALES: dict[tuple[str, str], dict[str, ResponseScale]] = {}


def _item_scales(instrument: Instrument) -> dict[str, ResponseScale]:
    """Item id -> its response scale, computed once per instrument version and content."""
    key = (instrument.key, instrument.sha256)
    found = _ITEM_SCALES.get(key)
    if found is None:
        found = {
            item.id: instrument.item_response_scale(item, scale)
            for scale in instrument.scales
            for item in scale.items
        }
        _ITEM_SCALES[key] = found
    return found
