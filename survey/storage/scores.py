"""Stored scale scores: written when responses are submitted, read as cohort statistics.

Every submitted response gets one ``response_scores`` row per scale of its instrument version:
the scale score and 0-100 index that :func:`scoring.instrument_scoring.score_instrument`
gives it (keys, reverse items, ``min_valid_share``, "not applicable" as missing). They are
written in the transaction that submits or imports the response (:func:`write_scores`), and
for older databases when the store is opened. A cohort's organisation-level indices are then
one grouped query (:func:`cohort_indices`, and with each organisation's descriptors for the
benchmark :func:`organisation_cohort`) instead of reading and scoring every stored answer.
A response's scores depend on its own answers only, so they never go stale; erasing the
response erases them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, exists, insert, select

from scoring.instrument_scoring import score_instrument
from survey.instrument.model import Instrument
from survey.instrument.registry import Registry
from survey.storage import models as m
from survey.storage.totals import campaign_totals, count_responses

#: Responses scored per batch (bounds the IN lists and the wide answer array).
BATCH = 5_000


def _pending(conn: Connection, response_ids: Sequence[int] | None) -> list[tuple[int, str, str]]:
    r, s = m.Response.__table__, m.ResponseScore.__table__
    query = select(r.c.id, r.c.instrument_id, r.c.version).where(
        r.c.status == "submitted", ~exists().where(s.c.response_id == r.c.id)
    )
    if response_ids is None:
        return [tuple(row) for row in conn.execute(query.order_by(r.c.id))]
    found: list[tuple[int, str, str]] = []
    ids = sorted(set(response_ids))
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        found.extend(tuple(row) for row in conn.execute(query.where(r.c.id.in_(chunk))))
    return sorted(found)


def _wide_answers(conn: Connection, ids: list[int], instrument: Instrument) -> pd.DataFrame:
    """The responses' answers, rows ``ids`` x the instrument's items (NaN: missing or N/A)."""
    a = m.Answer.__table__
    column = {item: k for k, item in enumerate(instrument.item_ids)}
    row = {rid: k for k, rid in enumerate(ids)}
    data = np.full((len(ids), len(column)), np.nan)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        answers = conn.execute(
            select(a.c.response_id, a.c.item_id, a.c.value).where(
                a.c.response_id.in_(chunk), a.c.value.is_not(None)
            )
        ).all()
        for response_id, item_id, value in answers:
            k = column.get(item_id)
            if k is not None:
                data[row[response_id], k] = float(value)
    return pd.DataFrame(data, index=pd.Index(ids, name="response_id"), columns=instrument.item_ids)


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def write_scores(
    conn: Connection, registry: Registry, response_ids: Sequence[int] | None = None
) -> int:
    """Store the scale scores of submitted responses that have none yet.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection inside the write transaction that submitted (or imported) the responses.
    registry : Registry
        Where the responses' instrument versions are read from; responses to a version it does
        not hold are left unscored (no cohort can use them).
    response_ids : sequence of int, optional
        Only these responses (those just submitted); default every submitted response without
        scores (the backfill of a database created before scores were stored).

    Returns
    -------
    int
        The number of responses scored.

    Notes
    -----
    Scores are those of :func:`scoring.instrument_scoring.score_instrument` without the
    reliability statistics: per scale, the mean of the keyed valid answers when at least
    ``min_valid_share`` of the items are answered, and the index
    :math:`100 (score - min) / (max - min)`.
    """
    pending = _pending(conn, response_ids)
    scored = 0
    by_version = itertools.groupby(
        sorted(pending, key=lambda p: (p[1], p[2], p[0])), key=lambda p: (p[1], p[2])
    )
    for (instrument_id, version), group in by_version:
        try:
            instrument = registry.get(f"{instrument_id}@{version}")
        except ValueError:
            continue
        ids = [p[0] for p in group]
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            wide = _wide_answers(conn, batch, instrument)
            result = score_instrument(wide, instrument, reliability=False)
            vectors = [
                {"response_id": int(rid), "answers": values.astype("<f8").tobytes()}
                for rid, values in zip(batch, wide.to_numpy(), strict=True)
            ]
            # Replaced, not added: a backfill may meet arrays whose scores were lost. A response
            # with an array is already in the running totals, so only the others are counted.
            already: set[int] = set()
            for start_ids in range(0, len(batch), 900):
                chunk = batch[start_ids : start_ids + 900]
                already.update(
                    conn.execute(
                        select(m.ResponseVector.response_id).where(
                            m.ResponseVector.response_id.in_(chunk)
                        )
                    ).scalars()
                )
                conn.execute(
                    delete(m.ResponseVector).where(m.ResponseVector.response_id.in_(chunk))
                )
            conn.execute(insert(m.ResponseVector), vectors)
            scales = [str(c) for c in result.scores.columns]
            scores, index = result.scores.to_numpy(), result.index.to_numpy()
            rows = [
                {
                    "response_id": int(rid),
                    "scale": scale,
                    "score": _none_if_nan(scores[i, j]),
                    "index": _none_if_nan(index[i, j]),
                }
                for i, rid in enumerate(batch)
                for j, scale in enumerate(scales)
            ]
            if rows:
                conn.execute(insert(m.ResponseScore), rows)
            count_responses(conn, registry, [rid for rid in batch if rid not in already])
            scored += len(batch)
    return scored


def _latest_campaign_sums(conn: Connection, instrument: Instrument, side: str) -> pd.DataFrame:
    """Per organisation's latest campaign and scale: count, sum and sum of squares of the
    respondents' indices, from the running totals (:mod:`survey.storage.totals`)."""
    frame = campaign_totals(conn, instrument, side)
    frame = frame.rename(columns={"scored": "n", "index_sum": "total", "index_squares": "squares"})
    frame = frame[["organisation_id", "campaign_id", "scale", "responses", "n", "total", "squares"]]
    latest = frame.groupby("organisation_id")["campaign_id"].transform("max")
    return frame[frame["campaign_id"] == latest]


def cohort_indices(conn: Connection, instrument: Instrument, *, side: str = "self") -> pd.DataFrame:
    """Every organisation's mean index per scale in its latest campaign on ``instrument``.

    From the stored scores: the respondents of ``side`` with a submitted response to this
    version, in each organisation's latest campaign (highest campaign id); per organisation
    and scale the mean of the respondents' indices (missing indices skipped).

    Returns
    -------
    pandas.DataFrame
        Index ``organisation_id``; columns the scale ids in the instrument's order (NaN where
        no respondent of the organisation has an index), sorted by organisation id.
    """
    return _indices_from(_latest_campaign_sums(conn, instrument, side), instrument)


def _indices_from(sums: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums["total"] / sums["n"].where(sums["n"] > 0)
    table = sums.assign(index=means).pivot(index="organisation_id", columns="scale", values="index")
    scale_ids = [scale.id for scale in instrument.scales]
    table = table.reindex(columns=scale_ids).astype(float).sort_index()
    table.columns = pd.Index(scale_ids)
    table.index = table.index.astype(np.int64)
    table.index.name = "organisation_id"
    return table


def cohort_index_spread(
    conn: Connection, instrument: Instrument, *, side: str = "self"
) -> pd.DataFrame:
    """Per scale, the number, mean and SD (ddof 1) of the cohort respondents' indices.

    The respondents are those of :func:`cohort_indices`; the SD comes from the count, sum
    and sum of squares of the indices, :math:`\\sqrt{(Q - S^2/n) / (n - 1)}`.

    Returns
    -------
    pandas.DataFrame
        Index the scale ids in the instrument's order; columns ``n``, ``mean``, ``sd``.
    """
    return _spread_from(_latest_campaign_sums(conn, instrument, side), instrument)


def _spread_from(sums: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    sums = sums.groupby("scale")[["n", "total", "squares"]].sum()
    scale_ids = [scale.id for scale in instrument.scales]
    sums = sums.reindex(scale_ids).fillna(0.0)
    n = sums["n"].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (sums["total"] / n.where(n > 0)).astype(float)
        var = (sums["squares"] - sums["total"] ** 2 / n.where(n > 0)) / (n - 1).where(n > 1)
    sd = np.sqrt(var.clip(lower=0.0)).astype(float)
    out = pd.DataFrame({"n": n, "mean": mean, "sd": sd}, index=pd.Index(scale_ids, name="scale"))
    return out


#: Descriptive columns of :func:`organisation_cohort` (the rest are scale ids).
COHORT_DESCRIPTORS = [
    "organisation_id",
    "organisation",
    "industry",
    "size_band",
    "region",
    "version",
    "campaign_id",
    "respondents",
]


def organisation_cohort(
    conn: Connection, instrument: Instrument, *, side: str = "self"
) -> pd.DataFrame:
    """:func:`cohort_indices` with each organisation's descriptors, for the benchmark filters.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection (read transaction).
    instrument : Instrument
        The instrument version of the cohort.
    side : str
        The respondents' side (default ``"self"``, the organisations' own people).

    Returns
    -------
    pandas.DataFrame
        One row per organisation with a submitted response to ``instrument`` from ``side``,
        sorted by organisation id: the columns :data:`COHORT_DESCRIPTORS` (name, industry,
        size band and region of the organisation; the instrument version; the organisation's
        latest campaign and its number of submitted responses) then one column per scale id
        with the mean index of :func:`cohort_indices` (the same stored scores and campaigns).
    """
    sums = _latest_campaign_sums(conn, instrument, side)
    indices = _indices_from(sums, instrument)
    scale_ids = [scale.id for scale in instrument.scales]
    columns = [*COHORT_DESCRIPTORS, *scale_ids]
    if indices.empty:
        return pd.DataFrame(columns=columns)
    campaigns = sums.groupby("organisation_id").agg(
        campaign_id=("campaign_id", "max"), respondents=("responses", "max")
    )
    o = m.Organisation.__table__
    ids = [int(i) for i in indices.index]
    rows: list[tuple[object, ...]] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        rows.extend(
            tuple(row)
            for row in conn.execute(
                select(o.c.id, o.c.name, o.c.industry, o.c.size_band, o.c.region).where(
                    o.c.id.in_(chunk)
                )
            )
        )
    organisations = pd.DataFrame.from_records(
        rows, columns=["organisation_id", "organisation", "industry", "size_band", "region"]
    ).set_index("organisation_id")
    organisations.index = organisations.index.astype(np.int64)
    table = organisations.join(campaigns.astype(np.int64)).assign(version=instrument.version)
    table = table.join(indices, how="right").reset_index()
    return table[columns]


def cohort_summary(
    conn: Connection, instrument: Instrument, *, side: str = "self"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`cohort_indices` and :func:`cohort_index_spread` from one grouped query."""
    sums = _latest_campaign_sums(conn, instrument, side)
    return _indices_from(sums, instrument), _spread_from(sums, instrument)
