"""Running aggregates of submitted responses, kept up to date as responses come and go.

Two tables hold everything the cohort statistics of the app need, so that a page never reads
one row per response:

* ``campaign_scale_totals``: per campaign, instrument version, side and scale, the number of
  responses and the count, sum and sum of squares of their 0-100 indices (benchmarks, the
  spread of indices for the reliable change index, agreement between organisations);
* ``instrument_sums``: per instrument version and side, the :class:`scoring.sums.InstrumentSums`
  of every submitted response (reliability, item statistics, the factor model).

A response is counted exactly when it has a ``response_vectors`` row: :func:`count_responses`
runs in the transaction that writes the vectors (submit, import, demo) and
:func:`uncount_responses` in the one that erases them. Response sums are exact under adding
and subtracting (see :mod:`scoring.sums`); the index totals are sums of floats and may differ
from a fresh sum in the last bits. :func:`rebuild_totals` recomputes both tables from the
vectors and scores (databases from before the tables existed, or a repair).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, insert, select, update

from scoring.sums import InstrumentSums, empty_sums, response_sums
from survey.instrument.model import Instrument
from survey.instrument.registry import Registry
from survey.storage import models as m
from survey.storage.engine import fetch_plain
from survey.storage.rows import dialect_insert

#: Responses read per batch when counting or rebuilding.
BATCH = 5_000
TOTAL_COLUMNS = ["responses", "scored", "index_sum", "index_squares"]


def _batches(ids: Sequence[int]) -> Iterator[list[int]]:
    ordered = sorted(set(int(i) for i in ids))
    for start in range(0, len(ordered), 900):  # bounded IN lists (SQLite's variable limit)
        yield ordered[start : start + 900]


def _counted(conn: Connection, response_ids: Sequence[int]) -> list[Any]:
    """The responses among ``response_ids`` that have an answer array, as rows of id,
    instrument, version, campaign, side and the array."""
    r, i, v = m.Response.__table__, m.Invitation.__table__, m.ResponseVector.__table__
    rows: list[Any] = []
    for chunk in _batches(response_ids):
        rows.extend(
            conn.execute(
                select(
                    r.c.id, r.c.instrument_id, r.c.version, r.c.campaign_id, i.c.side, v.c.answers
                )
                .select_from(r)
                .join(i, i.c.id == r.c.invitation_id)
                .join(v, v.c.response_id == r.c.id)
                .where(r.c.id.in_(chunk))
            ).all()
        )
    return rows


def _indices(conn: Connection, response_ids: Sequence[int]) -> list[Any]:
    """Rows of response id, scale and index (None below the min-valid share)."""
    s = m.ResponseScore.__table__
    rows: list[Any] = []
    for chunk in _batches(response_ids):
        rows.extend(
            conn.execute(
                select(s.c.response_id, s.c.scale, s.c.index).where(s.c.response_id.in_(chunk))
            ).all()
        )
    return rows


def _apply(conn: Connection, registry: Registry, response_ids: Sequence[int], sign: int) -> int:
    """Add (``sign`` 1) or remove (-1) the responses' contributions; returns how many."""
    # Plain Python on purpose: a submission counts one response, where pandas' fixed cost per
    # call would dominate; a batch of thousands is still a few milliseconds per thousand.
    counted = _counted(conn, response_ids)
    if not counted:
        return 0
    groups: dict[tuple[str, str], list[Any]] = {}
    for row in counted:
        groups.setdefault((row.instrument_id, row.version), []).append(row)
    indices: dict[int, list[Any]] = {}
    for row in _indices(conn, [row.id for row in counted]):
        indices.setdefault(row.response_id, []).append(row)
    done = 0
    for (instrument_id, version), group in groups.items():
        try:
            instrument = registry.get(f"{instrument_id}@{version}")
        except ValueError:
            continue  # a version the registry does not hold was never counted
        k = len(instrument.item_ids)
        by_side: dict[str, list[Any]] = {}
        for row in group:
            by_side.setdefault(str(row.side), []).append(row)
        for side, rows in by_side.items():
            values = np.frombuffer(b"".join(row.answers for row in rows), dtype="<f8")
            frame = pd.DataFrame(values.reshape(len(rows), k), columns=instrument.item_ids)
            _apply_sums(conn, instrument, side, response_sums(frame, instrument), sign)
        _apply_campaign_totals(conn, instrument, group, indices, sign)
        done += len(group)
    return done


def count_responses(conn: Connection, registry: Registry, response_ids: Sequence[int]) -> int:
    """Add submitted responses (with answer arrays just written) to both aggregates."""
    return _apply(conn, registry, response_ids, 1)


def uncount_responses(conn: Connection, registry: Registry, response_ids: Sequence[int]) -> int:
    """Remove responses from both aggregates; call before deleting their answer arrays."""
    return _apply(conn, registry, response_ids, -1)


def _apply_campaign_totals(
    conn: Connection,
    instrument: Instrument,
    group: list[Any],
    indices: dict[int, list[Any]],
    sign: int,
) -> None:
    totals: dict[tuple[int, str, str], list[float]] = {}
    for response in group:
        for _rid, scale, index in indices.get(response.id, []):
            total = totals.setdefault(
                (response.campaign_id, str(response.side), scale), [0, 0, 0.0, 0.0]
            )
            total[0] += 1
            if index is not None and not math.isnan(index):
                total[1] += 1
                total[2] += index
                total[3] += index * index
    if not totals:
        return
    rows: list[dict[str, Any]] = [
        {
            "campaign_id": int(campaign_id),
            "instrument_id": instrument.id,
            "version": instrument.version,
            "side": side,
            "scale": scale,
            "responses": sign * int(total[0]),
            "scored": sign * int(total[1]),
            "index_sum": sign * float(total[2]),
            "index_squares": sign * float(total[3]),
        }
        for (campaign_id, side, scale), total in totals.items()
    ]
    t = m.CampaignScaleTotal.__table__
    statement = dialect_insert(conn, t)
    statement = statement.on_conflict_do_update(
        index_elements=["campaign_id", "instrument_id", "version", "side", "scale"],
        set_={column: t.c[column] + statement.excluded[column] for column in TOTAL_COLUMNS},
    )
    conn.execute(statement, rows)
    conn.execute(delete(m.CampaignScaleTotal).where(t.c.responses <= 0))


def _apply_sums(
    conn: Connection, instrument: Instrument, side: str, delta: InstrumentSums, sign: int
) -> None:
    t = m.InstrumentSum.__table__
    key = (t.c.instrument_id == instrument.id, t.c.version == instrument.version, t.c.side == side)
    # Create the row first, then lock it: two first submissions at once on PostgreSQL would
    # otherwise both insert, and later ones would add to a value read before another's write.
    conn.execute(
        dialect_insert(conn, t)
        .values(
            instrument_id=instrument.id,
            version=instrument.version,
            side=side,
            responses=0,
            data=b"",
        )
        .on_conflict_do_nothing()
    )
    stored = conn.execute(select(t.c.data).where(*key).with_for_update()).scalar_one()
    current = InstrumentSums.from_bytes(instrument, stored) if stored else empty_sums(instrument)
    updated = current + delta if sign > 0 else current - delta
    if updated.rows == 0:
        conn.execute(delete(m.InstrumentSum).where(*key))
    else:
        conn.execute(
            update(m.InstrumentSum)
            .where(*key)
            .values(responses=updated.rows, data=updated.to_bytes())
        )


def instrument_sums(conn: Connection, instrument: Instrument, side: str = "self") -> InstrumentSums:
    """The sums over every submitted response to ``instrument`` from ``side`` (empty sums
    when there is none)."""
    t = m.InstrumentSum.__table__
    stored = conn.execute(
        select(t.c.data).where(
            t.c.instrument_id == instrument.id, t.c.version == instrument.version, t.c.side == side
        )
    ).scalar_one_or_none()
    if stored:
        return InstrumentSums.from_bytes(instrument, stored)
    return empty_sums(instrument)


def campaign_totals(conn: Connection, instrument: Instrument, side: str = "self") -> pd.DataFrame:
    """Per campaign and scale of ``instrument`` (responses from ``side``): the organisation,
    ``responses``, ``scored`` (responses with an index), ``index_sum`` and ``index_squares``."""
    t, c = m.CampaignScaleTotal.__table__, m.Campaign.__table__
    query = (
        select(
            t.c.campaign_id,
            c.c.organisation_id,
            t.c.scale,
            t.c.responses,
            t.c.scored,
            t.c.index_sum,
            t.c.index_squares,
        )
        .join(c, c.c.id == t.c.campaign_id)
        .where(
            t.c.instrument_id == instrument.id, t.c.version == instrument.version, t.c.side == side
        )
    )
    frame = pd.DataFrame.from_records(
        fetch_plain(conn, query),
        columns=["campaign_id", "organisation_id", "scale", *TOTAL_COLUMNS],
    )
    return frame.astype(
        {
            "campaign_id": np.int64,
            "organisation_id": np.int64,
            "responses": np.int64,
            "scored": np.int64,
            "index_sum": float,
            "index_squares": float,
        }
    )


#: The ``meta`` row that says the totals hold every stored response.
BUILT_KEY = "totals_built"


def rebuild_totals(conn: Connection, registry: Registry) -> int:
    """Recompute both aggregates from the stored answer arrays and scores; returns the number
    of responses counted. Marks the database as having its totals (``meta.totals_built``)."""
    conn.execute(delete(m.CampaignScaleTotal))
    conn.execute(delete(m.InstrumentSum))
    v = m.ResponseVector.__table__
    ids = [row[0] for row in conn.execute(select(v.c.response_id).order_by(v.c.response_id))]
    counted = 0
    for start in range(0, len(ids), BATCH):
        counted += count_responses(conn, registry, ids[start : start + BATCH])
    conn.execute(delete(m.Meta).where(m.Meta.key == BUILT_KEY))
    conn.execute(insert(m.Meta).values(key=BUILT_KEY, value=1))
    return counted


def needs_rebuild(conn: Connection) -> bool:
    """Whether the totals were never built for this database's responses (a database that
    had responses before migration 0003)."""
    built = conn.execute(select(m.Meta.key).where(m.Meta.key == BUILT_KEY)).first()
    return built is None
