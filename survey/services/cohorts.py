"""The benchmark cohort: one row per organisation with its 0-100 index on every scale.

A benchmark compares one organisation with others on the same instrument version
(:func:`scoring.benchmark.benchmark`). This module turns stored responses into the table it
needs: respondents' 0-100 scale indices (:func:`scoring.instrument_scoring.score_instrument`),
averaged per organisation, with the columns the cohort filters use (industry, size band,
region, version).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from scoring.instrument_scoring import score_instrument
from survey.instrument.model import Instrument

#: Descriptive columns of a cohort table (the rest are scale ids).
DESCRIPTORS = [
    "organisation_id",
    "organisation",
    "industry",
    "size_band",
    "region",
    "version",
    "campaign_id",
    "respondents",
]


def respondent_indices(answers: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Each respondent's 0-100 index per scale of ``instrument``.

    Parameters
    ----------
    answers : pandas.DataFrame
        Wide answers (rows responses, columns item ids; NaN for missing or not applicable).
    instrument : Instrument
        Scales, keys, response ranges and the minimum share of answered items.

    Returns
    -------
    pandas.DataFrame
        Same index as ``answers``, one column per scale id, in the instrument's order.

    Notes
    -----
    :func:`scoring.instrument_scoring.score_instrument`: a scale's score is the mean of its
    keyed answers when at least ``scoring.min_valid_share`` of its items are answered; the
    index is :math:`100 (x - min) / (max - min)`.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> demo = example_instrument()
    >>> answers = pd.DataFrame({f"{s}-{j}": [5.0, 1.0] for s in "ABC" for j in (1, 2, 3)})
    >>> respondent_indices(answers, demo)
           a      b      c
    0  100.0  100.0  100.0
    1    0.0    0.0    0.0
    """
    index = score_instrument(answers, instrument).index
    index.columns = pd.Index([str(c) for c in index.columns])
    return index[[scale.id for scale in instrument.scales]]


def organisation_indices(
    answers: pd.DataFrame,
    respondents: pd.DataFrame,
    instrument: Instrument,
    *,
    latest_campaign_only: bool = True,
) -> pd.DataFrame:
    """One row per organisation: descriptors and its mean index on every scale.

    Parameters
    ----------
    answers, respondents : pandas.DataFrame
        A response table's wide answers and its respondent table (same index), for one
        instrument version.
    instrument : Instrument
        That version.
    latest_campaign_only : bool
        Use only each organisation's most recent campaign (highest campaign id), so that an
        organisation that ran several campaigns counts once (default True).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DESCRIPTORS` then one column per scale id, one row per organisation,
        sorted by organisation id.
    """
    if len(answers) == 0:
        return pd.DataFrame(columns=[*DESCRIPTORS, *(s.id for s in instrument.scales)])
    missing = [c for c in ("organisation_id", "campaign_id") if c not in respondents.columns]
    if missing:
        raise ValueError(
            f"respondents lacks the column(s) {missing}: pass ResponseTable.respondents"
        )
    who = respondents.loc[answers.index]
    if latest_campaign_only:
        latest = who.groupby("organisation_id")["campaign_id"].transform("max")
        who = who[who["campaign_id"] == latest]
    indices = respondent_indices(answers.loc[who.index], instrument)
    grouped = indices.groupby(who["organisation_id"])
    means = grouped.mean()
    first = who.groupby("organisation_id").agg(
        organisation=("organisation", "first"),
        industry=("industry", "first"),
        size_band=("size_band", "first"),
        region=("region", "first"),
        version=("version", "first"),
        campaign_id=("campaign_id", "max"),
        respondents=("campaign_id", "size"),
    )
    table = first.join(means).reset_index()
    return table[[*DESCRIPTORS, *(s.id for s in instrument.scales)]]


def filter_options(
    table: pd.DataFrame, columns: Sequence[str] = ("industry", "size_band", "region")
) -> dict[str, list[str]]:
    """The distinct values of each filter column, sorted, for the cohort pickers.

    >>> filter_options(pd.DataFrame({"industry": ["b", "a", "b"], "region": ["x", "x", "y"]}),
    ...                ["industry", "region"])
    {'industry': ['a', 'b'], 'region': ['x', 'y']}
    """
    return {c: sorted(str(v) for v in table[c].dropna().unique()) for c in columns}
