"""Psychometrics of an instrument version over every submitted response, from the running totals.

What the Research page shows (reliability, item statistics, flags, agreement between
organisations, the factor model) is computed from the aggregates the store keeps at each
submission (:mod:`survey.storage.totals`), so it costs the same for 100 responses as for
100,000 and never reads an answer. The statistics are those of :mod:`scoring`; this module
only reads the store and names the pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from scoring.agreement import icc_membership_from_sums
from scoring.instrument_scoring import instrument_reliability
from scoring.validity import CFAResult, instrument_cfa_from_sums
from survey.instrument.model import Instrument
from survey.instrument.registry import check_hashes

if TYPE_CHECKING:
    from survey.storage.store import Store


@dataclass(frozen=True)
class Psychometrics:
    """Reliability and agreement of one instrument version from one side's respondents.

    ``reliability``, ``items`` and ``flags`` are the tables of
    :func:`scoring.instrument_scoring.instrument_reliability` (None without responses);
    ``agreement`` the ICC(1)/ICC(2) of organisation membership per scale (None with fewer than
    two organisations).
    """

    instrument: Instrument
    side: str
    responses: int
    organisations: int
    reliability: pd.DataFrame | None
    items: pd.DataFrame | None
    flags: pd.DataFrame | None
    agreement: pd.DataFrame | None


def check_stored_pins(store: Store, instrument: Instrument) -> None:
    """Refuse statistics of responses given under other content than ``instrument`` holds.

    Parameters
    ----------
    store : survey.storage.Store
    instrument : Instrument
        The version whose texts are shown beside the statistics.

    Raises
    ------
    survey.instrument.registry.PinnedContentChanged
        Naming the version, both hashes and the fix.
    """
    from survey.storage.reads import stored_hashes

    hashes = store.read(lambda conn: stored_hashes(conn, instrument.id, instrument.version))
    check_hashes(store.registry, instrument.key, hashes)


def instrument_psychometrics(
    store: Store, instrument: Instrument, side: str = "self"
) -> Psychometrics:
    """Reliability, item statistics, flags and agreement over every submitted response to
    ``instrument`` from ``side``.

    Notes
    -----
    Agreement is the one-way ANOVA of the respondents' 0-100 indices on their organisation
    (every campaign of the organisation pooled), from per-organisation counts and sums
    (:func:`scoring.agreement.icc_membership_from_sums`); ICC(1) and ICC(2) equal those of
    the scale scores, which are a linear rescaling of the indices.

    Raises
    ------
    survey.instrument.registry.PinnedContentChanged
        When the responses were given under other content than the instrument file now
        holds (:func:`check_stored_pins`).
    """
    check_stored_pins(store, instrument)
    sums = store.instrument_sums(instrument, side=side)
    totals = store.campaign_totals(instrument, side=side)
    organisations = int(totals["organisation_id"].nunique())
    if sums.rows == 0:
        return Psychometrics(instrument, side, 0, organisations, None, None, None, None)
    reliability = instrument_reliability(sums)
    agreement = None
    if organisations >= 2:
        per_org = (
            totals.groupby(["scale", "organisation_id"], sort=False)[
                ["scored", "index_sum", "index_squares"]
            ]
            .sum()
            .reset_index()
            .rename(
                columns={
                    "organisation_id": "group",
                    "scored": "n",
                    "index_sum": "total",
                    "index_squares": "squares",
                }
            )
        )
        order = {scale.id: k for k, scale in enumerate(instrument.scales)}
        per_org = per_org.sort_values("scale", key=lambda s: s.map(order), kind="mergesort")
        agreement = icc_membership_from_sums(per_org)
    return Psychometrics(
        instrument=instrument,
        side=side,
        responses=sums.rows,
        organisations=organisations,
        reliability=reliability.reliability.reset_index(),
        items=reliability.items.reset_index(),
        flags=reliability.flags,
        agreement=agreement,
    )


def instrument_factor_model(store: Store, instrument: Instrument, side: str = "self") -> CFAResult:
    """The CFA of ``instrument`` (one factor per scale) over the complete responses from
    ``side``, fitted to the covariance matrix kept in the running sums.

    Raises
    ------
    ValueError
        With too few complete responses or a model that does not converge (the message says
        how many are needed); :class:`~survey.instrument.registry.PinnedContentChanged` (a
        ``ValueError``) when the instrument file changed under the responses.
    """
    check_stored_pins(store, instrument)
    return instrument_cfa_from_sums(store.instrument_sums(instrument, side=side), instrument)
