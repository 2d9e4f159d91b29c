"""Stored scale scores: written when responses are submitted, read as cohort statistics.

Every submitted response gets one ``response_scores`` row per scale of its instrument version:
the scale score and 0-100 index that :func:`scoring.instrument_scoring.score_instrument`
gives it (keys, reverse items, ``min_valid_share``, "not applicable" as missing). They are
written in the transaction that submits or imports the response (:func:`write_scores`), and
for older databases when the store is opened. A cohort's organisation-level indices are then
one grouped query (:func:`cohort_indices`) instead of reading and scoring every stored answer.
A response's scores depend on its own answers only, so they never go stale; erasing the
response erases them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, exists, func, insert, select

from scoring.instrument_scoring import score_instrument
from survey.instrument import Instrument
from survey.registry import Registry
from survey.storage import models as m

#: Responses scored per batch (bounds the IN lists and the wide answer array).
BATCH = 5_000

#: Columns of :func:`cohort_indices` besides the scale ids.
COHORT_COLUMNS = ["organisation_id", "campaign_id", "respondents"]


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
            result = score_instrument(
                _wide_answers(conn, batch, instrument), instrument, reliability=False
            )
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
            scored += len(batch)
    return scored


def _cohort_filters(instrument: Instrument, side: str) -> list[Any]:
    r, i = m.Response.__table__, m.Invitation.__table__
    return [
        r.c.instrument_id == instrument.id,
        r.c.version == instrument.version,
        r.c.status == "submitted",
        i.c.side == side,
    ]


def _latest_campaigns(instrument: Instrument, side: str) -> Any:
    """Each organisation's latest campaign (highest id) with a submitted response here."""
    r, i, c = m.Response.__table__, m.Invitation.__table__, m.Campaign.__table__
    return (
        select(c.c.organisation_id, func.max(r.c.campaign_id).label("campaign_id"))
        .select_from(r)
        .join(i, i.c.id == r.c.invitation_id)
        .join(c, c.c.id == r.c.campaign_id)
        .where(*_cohort_filters(instrument, side))
        .group_by(c.c.organisation_id)
        .subquery()
    )


def _cohort_rows(instrument: Instrument, side: str) -> Any:
    r, i = m.Response.__table__, m.Invitation.__table__
    latest = _latest_campaigns(instrument, side)
    return (
        select(r.c.id.label("response_id"), latest.c.organisation_id, latest.c.campaign_id)
        .select_from(r)
        .join(i, i.c.id == r.c.invitation_id)
        .join(latest, latest.c.campaign_id == r.c.campaign_id)
        .where(*_cohort_filters(instrument, side))
        .subquery()
    )


def cohort_indices(conn: Connection, instrument: Instrument, *, side: str = "self") -> pd.DataFrame:
    """Every organisation's mean index per scale in its latest campaign on ``instrument``.

    One grouped query over the stored scores: the respondents of ``side`` with a submitted
    response to this version, in each organisation's latest campaign (highest campaign id);
    per organisation and scale the mean of the respondents' indices (NULL indices skipped).

    Returns
    -------
    pandas.DataFrame
        Index ``organisation_id``; columns the scale ids in the instrument's order (NaN where
        no respondent of the organisation has an index), sorted by organisation id.
    """
    s = m.ResponseScore.__table__
    rows = _cohort_rows(instrument, side)
    query = (
        select(rows.c.organisation_id, s.c.scale, func.avg(s.c.index))
        .select_from(rows)
        .join(s, s.c.response_id == rows.c.response_id)
        .group_by(rows.c.organisation_id, s.c.scale)
    )
    frame = pd.DataFrame(conn.execute(query).all(), columns=["organisation_id", "scale", "index"])
    scale_ids = [scale.id for scale in instrument.scales]
    table = frame.pivot(index="organisation_id", columns="scale", values="index")
    table = table.reindex(columns=scale_ids).astype(float).sort_index()
    table.columns = pd.Index(scale_ids)
    table.index = table.index.astype(np.int64)
    table.index.name = "organisation_id"
    return table


def cohort_index_spread(
    conn: Connection, instrument: Instrument, *, side: str = "self"
) -> pd.DataFrame:
    """Per scale, the number, mean and SD (ddof 1) of the cohort respondents' indices.

    The respondents are those of :func:`cohort_indices`; the SD is computed in the database
    from the count, sum and sum of squares of the indices.

    Returns
    -------
    pandas.DataFrame
        Index the scale ids in the instrument's order; columns ``n``, ``mean``, ``sd``.
    """
    s = m.ResponseScore.__table__
    rows = _cohort_rows(instrument, side)
    query = (
        select(
            s.c.scale,
            func.count(s.c.index),
            func.sum(s.c.index),
            func.sum(s.c.index * s.c.index),
        )
        .select_from(rows)
        .join(s, and_(s.c.response_id == rows.c.response_id))
        .group_by(s.c.scale)
    )
    out = {}
    for scale, n, total, squares in conn.execute(query).all():
        n = int(n or 0)
        mean = float(total) / n if n else float("nan")
        if n > 1:
            var = max((float(squares) - float(total) ** 2 / n) / (n - 1), 0.0)
            sd = math.sqrt(var)
        else:
            sd = float("nan")
        out[scale] = (n, mean, sd)
    scale_ids = [scale.id for scale in instrument.scales]
    return pd.DataFrame(
        [out.get(s_id, (0, float("nan"), float("nan"))) for s_id in scale_ids],
        index=pd.Index(scale_ids, name="scale"),
        columns=["n", "mean", "sd"],
    )
