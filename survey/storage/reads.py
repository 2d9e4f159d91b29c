"""Reads for analysis and overviews: instruments in use, stored scores, and table sizes.

The cohort reads (indices from stored scores) are in :mod:`survey.storage.scores`, the running
totals in :mod:`survey.storage.totals`, the wide table of answers in
:mod:`survey.storage.responses`.

Examples
--------
>>> from survey.storage import open_store
>>> store = open_store("sqlite://")
>>> org = store.create_organisation("Acme", industry="Machinery", size_band="1-49", region="EU")
>>> campaign = store.create_campaign(org.id, "Pilot", instruments=["cocreation-practices@1.0.0"])
>>> store.read(instruments_in_use)
['cocreation-practices@1.0.0']
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, exists, func, select

from survey.storage import models as m
from survey.vocab import ResponseStatus


def instruments_in_use(conn: Connection) -> list[str]:
    """Every instrument version some campaign uses.

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    list of str
        ``id@version``, sorted.
    """
    ci = m.CampaignInstrument.__table__
    rows = conn.execute(select(ci.c.instrument_id, ci.c.version).distinct()).all()
    return sorted(f"{instrument_id}@{version}" for instrument_id, version in rows)


def response_scores(conn: Connection) -> pd.DataFrame:
    """Every stored scale score.

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    pandas.DataFrame
        Columns ``response_id``, ``scale``, ``score`` and ``index`` (floats), by response and
        scale.
    """
    s = m.ResponseScore.__table__
    rows = conn.execute(select(s).order_by(s.c.response_id, s.c.scale)).all()
    frame = pd.DataFrame(
        [tuple(row) for row in rows], columns=["response_id", "scale", "score", "index"]
    )
    return frame.astype({"score": float, "index": float})


def scores_missing(conn: Connection) -> bool:
    """Whether some submitted response has no stored scores (a database from before scores
    were stored).

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    bool
    """
    r, s = m.Response.__table__, m.ResponseScore.__table__
    found = conn.execute(
        select(r.c.id)
        .where(r.c.status == ResponseStatus.SUBMITTED, ~exists().where(s.c.response_id == r.c.id))
        .limit(1)
    ).first()
    return found is not None


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows per table (for checks and the CLI).

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    dict of str to int
        Every table of the schema, in dependency order.
    """
    return {
        table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for table in m.Base.metadata.sorted_tables
    }
