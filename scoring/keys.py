"""Scoring keys: which items make up a scale and which of them are reverse keyed.

A key maps a scale id to its item ids, a leading ``-`` marking a reverse-keyed item, as in R
psych's ``make.keys`` lists and :meth:`survey.instrument.model.Instrument.keys`::

    {"agree": ["-A1", "A2", "A3"], "open": ["O1", "-O2", "O3"]}

A reverse-keyed answer ``x`` is scored ``scale_min + scale_max - x``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = ["ScaleKey", "parse_keys", "reverse_keyed"]


@dataclass(frozen=True)
class ScaleKey:
    """One scale of a scoring key: its id, its items in order and the reverse-keyed ones.

    Examples
    --------
    >>> key = ScaleKey("agree", ("A1", "A2"), frozenset({"A1"}))
    >>> key.signs
    (-1, 1)
    >>> key.k
    2
    """

    scale: str
    items: tuple[str, ...]
    reverse: frozenset[str]

    @property
    def k(self) -> int:
        """The number of items."""
        return len(self.items)

    @property
    def signs(self) -> tuple[int, ...]:
        """``-1`` for a reverse-keyed item, ``1`` otherwise, in item order."""
        return tuple(-1 if item in self.reverse else 1 for item in self.items)


def parse_keys(keys: Mapping[str, Sequence[str]], *, min_items: int = 2) -> dict[str, ScaleKey]:
    """Read a scoring key (scale id -> item ids, ``-`` marking reverse-keyed items).

    Parameters
    ----------
    keys : mapping of str to sequence of str
        Scale id to item ids, e.g. ``{"agree": ["-A1", "A2"]}``.
    min_items : int
        The fewest items a scale may have (2: reliability needs at least two items).

    Returns
    -------
    dict of str to ScaleKey
        The scales in the order given.

    Raises
    ------
    ValueError
        When the key is empty, a scale lists no or too few items, an item is not a non-empty
        string, or an item appears twice in one scale. The message names the scale and the fix.

    Notes
    -----
    An item may belong to several scales, even with different keying. Within a scale each item
    appears once.

    Examples
    --------
    >>> parsed = parse_keys({"agree": ["-A1", "A2", "A3"]})
    >>> parsed["agree"].items
    ('A1', 'A2', 'A3')
    >>> sorted(parsed["agree"].reverse)
    ['A1']
    >>> parse_keys({"agree": ["A1"]})
    Traceback (most recent call last):
    ...
    ValueError: scale 'agree' has 1 item (A1); a scale needs at least 2 items ...
    """
    if not isinstance(keys, Mapping) or len(keys) == 0:
        raise ValueError(
            "keys is empty or not a mapping; give scale ids mapped to item ids, "
            "e.g. {'agree': ['-A1', 'A2', 'A3']}"
        )
    parsed: dict[str, ScaleKey] = {}
    for scale, entries in keys.items():
        if not isinstance(scale, str) or not scale:
            raise ValueError(f"scale id {scale!r} is not a non-empty string; name every scale")
        if isinstance(entries, str) or not isinstance(entries, Sequence):
            raise ValueError(
                f"scale {scale!r}: items must be a list of item ids, got {entries!r}; "
                f"write e.g. {{{scale!r}: ['-A1', 'A2']}}"
            )
        items: list[str] = []
        reverse: set[str] = set()
        for entry in entries:
            if not isinstance(entry, str) or entry.strip("-").strip() == "":
                raise ValueError(
                    f"scale {scale!r} lists {entry!r}, which is not an item id; "
                    "give item ids as strings, with a leading '-' for reverse-keyed items"
                )
            item = entry[1:] if entry.startswith("-") else entry
            if item in items:
                raise ValueError(
                    f"scale {scale!r} lists item {item!r} twice; keep one entry per item"
                )
            items.append(item)
            if entry.startswith("-"):
                reverse.add(item)
        if len(items) < min_items:
            raise ValueError(
                f"scale {scale!r} has {len(items)} item{'s' if len(items) != 1 else ''} "
                f"({', '.join(items) or 'none'}); a scale needs at least {min_items} items to be "
                "scored for reliability: add items to it or drop the scale from keys"
            )
        parsed[scale] = ScaleKey(scale, tuple(items), frozenset(reverse))
    return parsed


_T = TypeVar("_T", float, np.ndarray, pd.Series, pd.DataFrame)


def reverse_keyed(values: _T, *, scale_min: float, scale_max: float) -> _T:
    """Reverse-key answers: ``scale_min + scale_max - x``.

    Parameters
    ----------
    values : float, numpy.ndarray, pandas.Series or pandas.DataFrame
        Answers on the scale ``scale_min..scale_max``; missing values stay missing.
    scale_min, scale_max : float
        The lowest and highest point of the response scale.

    Returns
    -------
    The same type as ``values``, reverse keyed.

    Notes
    -----
    The map :math:`x \\mapsto \\min + \\max - x` mirrors the scale around its midpoint, so
    applying it twice gives the answers back.

    Examples
    --------
    >>> reverse_keyed(np.array([1.0, 2.0, np.nan, 5.0]), scale_min=1, scale_max=5)
    array([ 5.,  4., nan,  1.])
    >>> reverse_keyed(2, scale_min=1, scale_max=7)
    6
    """
    if not scale_min < scale_max:
        raise ValueError(
            f"scale_min ({scale_min}) must be smaller than scale_max ({scale_max}); "
            "give the lowest and highest point of the response scale"
        )
    return scale_min + scale_max - values
