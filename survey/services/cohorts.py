"""The benchmark cohort: one row per organisation with its 0-100 index on every scale.

A benchmark compares one organisation with others on the same instrument version
(:func:`scoring.benchmark.benchmark`). The table it needs comes from the scale scores stored
when each response was submitted, the same path as the Results page's cohort
(:func:`survey.storage.scores.organisation_cohort`, :meth:`Store.cohort_indices`): per
organisation the mean of its respondents' indices in its latest campaign, with the columns
the cohort filters use (industry, size band, region, version). Nothing is re-scored here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from survey.instrument.model import Instrument
from survey.instrument.registry import check_hashes
from survey.storage import Store
from survey.storage.reads import stored_hashes
from survey.storage.scores import COHORT_DESCRIPTORS, organisation_cohort

#: Descriptive columns of a cohort table (the rest are scale ids).
DESCRIPTORS = COHORT_DESCRIPTORS


def organisation_indices(
    store: Store, instrument: Instrument, *, side: str = "self"
) -> pd.DataFrame:
    """One row per organisation: descriptors and its mean index on every scale.

    Parameters
    ----------
    store : Store
        Where the responses and their stored scale scores are.
    instrument : Instrument
        The instrument version of the cohort.
    side : str
        The respondents' side (default ``"self"``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DESCRIPTORS` then one column per scale id, one row per organisation
        with a submitted response to ``instrument``, sorted by organisation id. Each
        organisation counts once, with its most recent campaign (highest campaign id).

    Notes
    -----
    The indices are those of :meth:`Store.cohort_indices`: the stored 0-100 indices of
    :func:`scoring.instrument_scoring.score_instrument`, averaged per organisation with
    missing indices skipped.

    Raises
    ------
    survey.instrument.registry.PinnedContentChanged
        When the stored responses were given under other content than the instrument file
        now holds (their scale names would be the edited file's).
    """
    hashes = store.read(lambda conn: stored_hashes(conn, instrument.id, instrument.version))
    check_hashes(store.registry, instrument.key, hashes)
    return store.read(lambda conn: organisation_cohort(conn, instrument, side=side))


def filter_options(
    table: pd.DataFrame, columns: Sequence[str] = ("industry", "size_band", "region")
) -> dict[str, list[str]]:
    """The distinct values of each filter column, sorted, for the cohort pickers.

    >>> filter_options(pd.DataFrame({"industry": ["b", "a", "b"], "region": ["x", "x", "y"]}),
    ...                ["industry", "region"])
    {'industry': ['a', 'b'], 'region': ['x', 'y']}
    """
    return {c: sorted(str(v) for v in table[c].dropna().unique()) for c in columns}
