"""Checking one answer against its item: the rule every way in (the app's drafts and
submissions, file imports) applies before anything is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class AnswerProblem:
    """One reason why answers cannot be saved or submitted.

    Attributes
    ----------
    item : str or None
        The item id, or ``None`` for a problem with the whole response (the campaign is
        closed, the instrument is not the campaign's).
    problem : str
        What is wrong, in words.
    instrument : str or None
        ``id@version`` of the instrument, where known.
    value : object
        The value given, where one was given and is wrong.

    Examples
    --------
    >>> AnswerProblem("A-1", "value 6 is outside the scale 1..5", "demo@1.0.0", 6).item
    'A-1'
    """

    item: str | None
    problem: str
    instrument: str | None = None
    value: Any = None


def response_problems(instrument: Instrument, stored: Mapping[str, Any]) -> list[AnswerProblem]:
    """Everything that keeps ``stored`` answers from being a complete, valid response.

    Parameters
    ----------
    instrument : Instrument
        The pinned version.
    stored : mapping of str to int or str
        Item id to stored value (``"na"`` for not applicable).

    Returns
    -------
    list of AnswerProblem
        In instrument order, then answers to items the instrument does not have.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()
    >>> answers = {item_id: 3 for item_id in inst.item_ids}
    >>> response_problems(inst, answers)
    []
    >>> [p.problem for p in response_problems(inst, {**answers, "A-1": None, "Z-9": 1})]
    ['required item is not answered', 'not an item of demo@1.0.0']
    """
    problems: list[AnswerProblem] = []
    for scale in instrument.scales:
        for item in scale.items:
            value = stored.get(item.id)
            if value is None:
                if item.required:
                    problems.append(
                        AnswerProblem(item.id, "required item is not answered", instrument.key)
                    )
                continue
            _, problem = check_answer(instrument, item.id, value)
            if problem:
                problems.append(AnswerProblem(item.id, problem, instrument.key, value))
    for item_id in stored:
        if item_id not in set(instrument.item_ids):
            problems.append(
                AnswerProblem(item_id, f"not an item of {instrument.key}", instrument.key)
            )
    return problems
