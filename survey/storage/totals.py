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

import io
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from scoring.sums import InstrumentSums, response_sums
from survey.instrument import Instrument
from survey.registry import Registry
from survey.storage import models as m
from survey.storage.engine import fetch_plain

#: Responses read per batch when counting or rebuilding.
BATCH = 5_000
TOTAL_COLUMNS = ["responses", "scored", "index_sum", "index_squares"]


def _dialect_insert(conn: Connection, table: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _batches(ids: Sequence[int]) -> Iterator[list[int]]:
    ordered = sorted(set(int(i) for i in ids))
    for start in range(0, len(ordered), 900):  # bounded IN lists (SQLite's variable limit)
        yield ordered[start : start + 900]


def _counted(conn: Connection, response_ids: Sequence[int]) -> pd.DataFrame:
    """The responses among ``response_ids`` that have an answer array: id, instrument,
    version, campaign, side and the array."""
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
    return pd.DataFrame(
        [tuple(row) for row in rows],
        columns=["response_id", "instrument_id", "version", "campaign_id", "side", "answers"],
    )


def _indices(conn: Connection, response_ids: Sequence[int]) -> pd.DataFrame:
    s = m.ResponseScore.__table__
    rows: list[Any] = []
    for chunk in _batches(response_ids):
        rows.extend(
            conn.execute(
                select(s.c.response_id, s.c.scale, s.c.index).where(s.c.response_id.in_(chunk))
            ).all()
        )
    frame = pd.DataFrame([tuple(row) for row in rows], columns=["response_id", "scale", "index"])
    return frame.astype({"index": float})


def _apply(conn: Connection, registry: Registry, response_ids: Sequence[int], sign: int) -> int:
    """Add (``sign`` 1) or remove (-1) the responses' contributions; returns how many."""
    counted = _counted(conn, response_ids)
    if counted.empty:
        return 0
    indices = _indices(conn, counted["response_id"].tolist())
    done = 0
    for (instrument_id, version), group in counted.groupby(["instrument_id", "version"]):
        try:
            instrument = registry.get(f"{instrument_id}@{version}")
        except ValueError:
            continue  # a version the registry does not hold was never counted
        k = len(instrument.item_ids)
        for side, rows in group.groupby("side"):
            values = np.frombuffer(b"".join(rows["answers"]), dtype="<f8").reshape(len(rows), k)
            delta = response_sums(pd.DataFrame(values, columns=instrument.item_ids), instrument)
            _apply_sums(conn, instrument, str(side), delta, sign)
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
    group: pd.DataFrame,
    indices: pd.DataFrame,
    sign: int,
) -> None:
    who = group[["response_id", "campaign_id", "side"]]
    frame = indices.merge(who, on="response_id")
    if frame.empty:
        return
    frame["square"] = frame["index"] ** 2
    grouped = frame.groupby(["campaign_id", "side", "scale"]).agg(
        responses=("response_id", "size"),
        scored=("index", "count"),
        index_sum=("index", "sum"),
        index_squares=("square", "sum"),
    )
    rows: list[dict[str, Any]] = [
        {
            "campaign_id": int(row["campaign_id"]),
            "instrument_id": instrument.id,
            "version": instrument.version,
            "side": str(row["side"]),
            "scale": str(row["scale"]),
            "responses": sign * int(row["responses"]),
            "scored": sign * int(row["scored"]),
            "index_sum": sign * float(row["index_sum"]),
            "index_squares": sign * float(row["index_squares"]),
        }
        for row in grouped.reset_index().to_dict("records")
    ]
    t = m.CampaignScaleTotal.__table__
    statement = _dialect_insert(conn, t)
    statement = statement.on_conflict_do_update(
        index_elements=["campaign_id", "instrument_id", "version", "side", "scale"],
        set_={column: t.c[column] + statement.excluded[column] for column in TOTAL_COLUMNS},
    )
    conn.execute(statement, rows)
    conn.execute(delete(m.CampaignScaleTotal).where(t.c.responses <= 0))


def _pack(sums: InstrumentSums) -> bytes:
    buffer = io.BytesIO()
    arrays: dict[str, Any] = sums.arrays()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _unpack(instrument: Instrument, data: bytes) -> InstrumentSums:
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        return InstrumentSums.from_arrays(instrument, {name: stored[name] for name in stored})


def _apply_sums(
    conn: Connection, instrument: Instrument, side: str, delta: InstrumentSums, sign: int
) -> None:
    t = m.InstrumentSum.__table__
    key = (t.c.instrument_id == instrument.id, t.c.version == instrument.version, t.c.side == side)
    # Create the row first, then lock it: two first submissions at once on PostgreSQL would
    # otherwise both insert, and later ones would add to a value read before another's write.
    conn.execute(
        _dialect_insert(conn, t)
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
    current = _unpack(instrument, stored) if stored else delta - delta
    updated = current + delta if sign > 0 else current - delta
    if updated.rows == 0:
        conn.execute(delete(m.InstrumentSum).where(*key))
    else:
        conn.execute(
            update(m.InstrumentSum).where(*key).values(responses=updated.rows, data=_pack(updated))
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
        return _unpack(instrument, stored)
    return response_sums(pd.DataFrame(columns=instrument.item_ids, dtype=float), instrument)


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


def rebuild_totals(conn: Connection, registry: Registry) -> int:
    """Recompute both aggregates from the stored answer arrays and scores; returns the number
    of responses counted."""
    conn.execute(delete(m.CampaignScaleTotal))
    conn.execute(delete(m.InstrumentSum))
    v = m.ResponseVector.__table__
    ids = [row[0] for row in conn.execute(select(v.c.response_id).order_by(v.c.response_id))]
    counted = 0
    for start in range(0, len(ids), BATCH):
        counted += count_responses(conn, registry, ids[start : start + BATCH])
    return counted


def needs_rebuild(conn: Connection) -> bool:
    """Whether answer arrays exist but nothing was counted (a database from before the
    aggregates were kept)."""
    v, t = m.ResponseVector.__table__, m.InstrumentSum.__table__
    has_vectors = conn.execute(select(v.c.response_id).limit(1)).first() is not None
    has_sums = conn.execute(select(t.c.side).limit(1)).first() is not None
    return has_vectors and not has_sums
