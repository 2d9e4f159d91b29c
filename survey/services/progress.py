"""Response progress of many organisations at once, for the consultant's client list.

:meth:`survey.storage.Store.campaign_progress` answers for one campaign; a consultant with
hundreds of clients needs the totals of all of them in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import distinct, func, select

from survey.storage import models as m

PROGRESS_COLUMNS = ["organisation_id", "campaigns", "invited", "started", "submitted"]


def organisation_progress(store: Any, organisation_ids: Iterable[int]) -> pd.DataFrame:
    """Per organisation: campaigns, invitations, invitations started and submitted.

    Parameters
    ----------
    store : survey.storage.Store
        The store to read.
    organisation_ids : iterable of int
        The organisations to report (others are not read).

    Returns
    -------
    pandas.DataFrame
        Columns ``organisation_id``, ``campaigns``, ``invited``, ``started`` (an invitation
        with anything saved) and ``submitted`` (an invitation whose answers were submitted;
        a submit freezes all of an invitation's responses at once), one row per id asked for,
        zeros where nothing exists.

    Notes
    -----
    Two grouped queries (campaigns, then invitations left-joined to their responses), whatever
    the number of organisations.
    """
    ids = sorted({int(i) for i in organisation_ids})
    if not ids:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    c, i, r = m.Campaign.__table__, m.Invitation.__table__, m.Response.__table__
    campaigns = (
        select(c.c.organisation_id, func.count(c.c.id).label("campaigns"))
        .where(c.c.organisation_id.in_(ids))
        .group_by(c.c.organisation_id)
    )
    invitations = (
        select(
            c.c.organisation_id,
            func.count(distinct(i.c.id)).label("invited"),
            func.count(distinct(r.c.invitation_id)).label("started"),
        )
        .select_from(c.join(i, i.c.campaign_id == c.c.id).outerjoin(r, r.c.invitation_id == i.c.id))
        .where(c.c.organisation_id.in_(ids))
        .group_by(c.c.organisation_id)
    )
    submitted = (
        select(c.c.organisation_id, func.count(distinct(r.c.invitation_id)).label("submitted"))
        .select_from(c.join(i, i.c.campaign_id == c.c.id).join(r, r.c.invitation_id == i.c.id))
        .where(c.c.organisation_id.in_(ids), r.c.status == "submitted")
        .group_by(c.c.organisation_id)
    )

    def read(conn: Any) -> tuple[list[Any], list[Any], list[Any]]:
        return (
            list(conn.execute(campaigns)),
            list(conn.execute(invitations)),
            list(conn.execute(submitted)),
        )

    campaign_rows, invitation_rows, submitted_rows = store.read(read)
    out = pd.DataFrame({"organisation_id": ids}).set_index("organisation_id")
    out["campaigns"] = pd.Series({row[0]: row[1] for row in campaign_rows})
    out["invited"] = pd.Series({row[0]: row[1] for row in invitation_rows})
    out["started"] = pd.Series({row[0]: row[2] for row in invitation_rows})
    out["submitted"] = pd.Series({row[0]: row[1] for row in submitted_rows})
    return out.fillna(0).astype(int).reset_index()[PROGRESS_COLUMNS]
