"""Reads for analysis and overviews: response progress, instruments in use, stored scores, and
table sizes.

Progress has one source, :func:`progress` (one grouped query: invitations per organisation,
campaign, role and side, with how many were started and submitted); :func:`campaign_progress`,
:func:`organisation_progress` and :func:`progress_totals` only group or add up its rows.

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

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, and_, case, exists, func, select

from survey.storage import campaigns
from survey.storage import models as m
from survey.vocab import ResponseStatus

#: What :func:`progress` counts: invitations, those with anything saved, those submitted.
COUNTS = ["invited", "started", "submitted"]
#: The columns of :func:`organisation_progress`.
PROGRESS_COLUMNS = ["organisation_id", "campaigns", *COUNTS]


def progress(
    conn: Connection,
    *,
    organisation_ids: Iterable[int] | None = None,
    campaign_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Invitations, started and submitted, per organisation, campaign, role and side.

    An invitation is *started* when it has any saved response and *submitted* when all of its
    responses are submitted (a submit freezes them together).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    organisation_ids, campaign_ids : iterable of int, optional
        Only these organisations' or campaigns' invitations (both: both conditions); neither:
        every campaign.

    Returns
    -------
    pandas.DataFrame
        Columns ``organisation_id``, ``campaign_id``, ``role``, ``side``, ``invited``,
        ``started`` and ``submitted`` (ints). A campaign without invitations has one row with
        ``role`` and ``side`` missing and zero counts, so every campaign read appears.

    Notes
    -----
    One query, grouped twice (per invitation, then per campaign, role and side), whatever the
    number of organisations.

    Examples
    --------
    >>> from survey.storage import open_store
    >>> store = open_store("sqlite://")
    >>> org = store.create_organisation("Acme", industry="x", size_band="1-49", region="y")
    >>> campaign = store.create_campaign(org.id, "Pilot", instruments=["cocreation-practices"])
    >>> empty = store.read(lambda conn: progress(conn, organisation_ids=[org.id]))
    >>> empty[["role", *COUNTS]].values.tolist()
    [[None, 0, 0, 0]]
    >>> _ = store.create_invitation(campaign.id, role="sales")
    >>> store.read(lambda conn: progress(conn, campaign_ids=[campaign.id]))[COUNTS].sum().tolist()
    [1, 0, 0]
    """
    c, i, r = m.Campaign.__table__, m.Invitation.__table__, m.Response.__table__
    conditions = []
    if organisation_ids is not None:
        conditions.append(c.c.organisation_id.in_(sorted({int(k) for k in organisation_ids})))
    if campaign_ids is not None:
        conditions.append(c.c.id.in_(sorted({int(k) for k in campaign_ids})))
    per_invitation = (
        select(
            c.c.organisation_id,
            c.c.id.label("campaign_id"),
            i.c.id.label("invitation_id"),
            i.c.role,
            i.c.side,
            func.count(r.c.id).label("n"),
            func.sum(case((r.c.status == ResponseStatus.SUBMITTED, 1), else_=0)).label("done"),
        )
        .select_from(c)
        .outerjoin(i, i.c.campaign_id == c.c.id)
        .outerjoin(r, r.c.invitation_id == i.c.id)
        .where(*conditions)
        .group_by(c.c.organisation_id, c.c.id, i.c.id, i.c.role, i.c.side)
        .subquery()
    )
    p = per_invitation.c
    query = select(
        p.organisation_id,
        p.campaign_id,
        p.role,
        p.side,
        func.count(p.invitation_id).label("invited"),
        func.sum(case((p.n > 0, 1), else_=0)).label("started"),
        func.sum(case((and_(p.n > 0, p.done == p.n), 1), else_=0)).label("submitted"),
    ).group_by(p.organisation_id, p.campaign_id, p.role, p.side)
    frame = pd.DataFrame(
        [tuple(row) for row in conn.execute(query)],
        columns=["organisation_id", "campaign_id", "role", "side", *COUNTS],
    )
    return frame.astype(dict.fromkeys(["organisation_id", "campaign_id", *COUNTS], int))


def campaign_progress(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """One campaign's :func:`progress` per role and side.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    campaign_id : int

    Returns
    -------
    pandas.DataFrame
        Columns ``role``, ``side``, ``invited``, ``started`` and ``submitted``, one row per
        role and side invited, by side then role; no rows without invitations.

    Raises
    ------
    NotFound
        When there is no such campaign.

    Examples
    --------
    >>> from survey.storage import open_store
    >>> store = open_store("sqlite://")
    >>> org = store.create_organisation("Acme", industry="x", size_band="1-49", region="y")
    >>> campaign = store.create_campaign(org.id, "Pilot", instruments=["cocreation-practices"])
    >>> for role in ("sales", "rnd", "sales"):
    ...     _ = store.create_invitation(campaign.id, role=role)
    >>> store.read(lambda conn: campaign_progress(conn, campaign.id)).values.tolist()
    [['rnd', 'self', 1, 0, 0], ['sales', 'self', 2, 0, 0]]
    """
    campaigns.campaign(conn, campaign_id)
    frame = progress(conn, campaign_ids=[campaign_id])
    frame = frame[frame["invited"] > 0]
    out = (
        frame.groupby(["role", "side"], as_index=False)[COUNTS]
        .sum()
        .sort_values(["side", "role"], ignore_index=True)
    )
    return out.astype(dict.fromkeys(COUNTS, int))


def organisation_progress(conn: Connection, organisation_ids: Iterable[int]) -> pd.DataFrame:
    """Per organisation: campaigns, and :func:`progress` added up over them.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    organisation_ids : iterable of int
        The organisations to report (others are not read).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROGRESS_COLUMNS` (``organisation_id``, ``campaigns``, ``invited``,
        ``started``, ``submitted``), one row per id asked for, by id, zeros where nothing
        exists; no rows for no ids.

    Examples
    --------
    >>> from survey.storage import open_store
    >>> store = open_store("sqlite://")
    >>> org = store.create_organisation("Acme", industry="x", size_band="1-49", region="y")
    >>> for name in ("One", "Two"):
    ...     campaign = store.create_campaign(org.id, name, instruments=["cocreation-practices"])
    >>> _ = store.create_invitation(campaign.id, role="sales")
    >>> store.read(lambda conn: organisation_progress(conn, [org.id, 99])).values.tolist()
    [[1, 2, 1, 0, 0], [99, 0, 0, 0, 0]]
    """
    ids = sorted({int(k) for k in organisation_ids})
    if not ids:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    frame = progress(conn, organisation_ids=ids)
    grouped = frame.groupby("organisation_id")
    out = pd.DataFrame({"organisation_id": ids}).set_index("organisation_id")
    out["campaigns"] = grouped["campaign_id"].nunique()
    for column in COUNTS:
        out[column] = grouped[column].sum()
    return out.fillna(0).astype(int).reset_index()[PROGRESS_COLUMNS]


def progress_totals(progress: pd.DataFrame) -> dict[str, float]:
    """Invited, started and submitted over all rows of a progress frame, and the response
    rate (submitted share).

    Parameters
    ----------
    progress : pandas.DataFrame
        With columns ``invited``, ``started`` and ``submitted`` (:func:`campaign_progress`).

    Returns
    -------
    dict
        ``invited``, ``started``, ``submitted`` (ints) and ``rate`` (0 when nobody was invited,
        rounded to 4 places).

    Examples
    --------
    >>> frame = pd.DataFrame({"role": ["sales", "rnd"], "side": ["self", "self"],
    ...                       "invited": [4, 2], "started": [3, 1], "submitted": [2, 1]})
    >>> progress_totals(frame)
    {'invited': 6, 'started': 4, 'submitted': 3, 'rate': 0.5}
    """
    invited, started, submitted = (
        int(progress[column].sum()) if len(progress) else 0 for column in COUNTS
    )
    return {
        "invited": invited,
        "started": started,
        "submitted": submitted,
        "rate": round(submitted / invited, 4) if invited else 0.0,
    }


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


def stored_hashes(conn: Connection, instrument_id: str, version: str) -> dict[str, int]:
    """The content hashes stored responses to one instrument version were given under.

    Every response records the SHA-256 its campaign pinned; a reader that shows the version's
    texts beside statistics of those responses checks them with
    :func:`survey.instrument.registry.check_hashes`.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    instrument_id, version : str

    Returns
    -------
    dict of str to int
        Responses (drafts included) per SHA-256.
    """
    r = m.Response.__table__
    rows = conn.execute(
        select(r.c.sha256, func.count())
        .where(r.c.instrument_id == instrument_id, r.c.version == version)
        .group_by(r.c.sha256)
    ).all()
    return {str(sha256): int(count) for sha256, count in rows}


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
