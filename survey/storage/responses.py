"""Responses: drafts saved step by step, the submission that freezes them, and the wide table
of answers that analyses read.

Answers are validated against the instrument version the campaign pinned: values must be points
of the item's response scale, "not applicable" (``"na"``) only where that scale allows it, and a
submitted response must answer every required item. Nothing invalid is stored, and a submitted
response never changes again.

Examples
--------
>>> from survey.storage import open_store
>>> store = open_store("sqlite://")
>>> org = store.create_organisation("Acme", industry="Machinery", size_band="1-49", region="EU")
>>> campaign = store.create_campaign(org.id, "Pilot", instruments=["cocreation-practices"])
>>> _, token = store.create_invitation(campaign.id, role="sales")
>>> store.read(lambda conn: state(conn, invitation_row(conn, token))).status
'new'
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, and_, case, delete, func, insert, select, update

from survey.ingest.table import RESPONDENT_COLUMNS, ResponseTable
from survey.instrument.answers import (
    NOT_APPLICABLE,
    AnswerProblem,
    check_answer,
    response_problems,
)
from survey.instrument.registry import Registry
from survey.storage import campaigns
from survey.storage import models as m
from survey.storage.campaigns import PinCache
from survey.storage.engine import fetch_plain
from survey.storage.errors import AlreadySubmitted, SubmissionError
from survey.storage.invitations import invitation_row
from survey.storage.records import Campaign, ResponseState, invitation_record
from survey.storage.rows import dialect_insert, from_db_time, to_db_time, utcnow
from survey.storage.scores import write_scores
from survey.vocab import ResponseStatus

#: The status of an invitation with nothing saved yet (responses are ``draft`` or ``submitted``).
NEW = "new"


def state(conn: Connection, invitation: Any, campaign: Campaign | None = None) -> ResponseState:
    """Where the respondent of an invitation stands: answers per pinned version and status.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    invitation : row of ``invitations``
        As :func:`survey.storage.invitations.invitation_row` returns it.
    campaign : Campaign, optional
        The invitation's campaign, when the caller has it already.

    Returns
    -------
    ResponseState
        ``status`` is ``"new"`` (nothing saved), ``"draft"``, or ``"submitted"`` once every
        pinned instrument's response is submitted.
    """
    if campaign is None:
        campaign = campaigns.campaign(conn, invitation.campaign_id)
    responses = conn.execute(
        select(m.Response.__table__).where(m.Response.invitation_id == invitation.id)
    ).all()
    by_id = {row.id: f"{row.instrument_id}@{row.version}" for row in responses}
    answers: dict[str, dict[str, int | str]] = {ref: {} for ref in campaign.instruments}
    if responses:
        rows = conn.execute(
            select(m.Answer.response_id, m.Answer.item_id, m.Answer.value).where(
                m.Answer.response_id.in_(list(by_id))
            )
        ).all()
        for response_id, item_id, value in rows:
            answers.setdefault(by_id[response_id], {})[item_id] = (
                NOT_APPLICABLE if value is None else int(value)
            )
    statuses = {row.status for row in responses}
    submitted = [row.submitted_at for row in responses if row.submitted_at is not None]
    if not responses:
        status = NEW
    elif statuses == {ResponseStatus.SUBMITTED} and len(responses) >= len(campaign.instruments):
        status = ResponseStatus.SUBMITTED.value
    else:
        status = ResponseStatus.DRAFT.value
    saved = [row.last_saved_at for row in responses]
    return ResponseState(
        invitation=invitation_record(invitation),
        campaign=campaign,
        answers=answers,
        status=status,
        submitted_at=from_db_time(max(submitted)) if status == ResponseStatus.SUBMITTED else None,
        response_ids={ref: rid for rid, ref in by_id.items()},
        last_saved_at=from_db_time(max(saved)) if saved else None,
    )


def resume(conn: Connection, token: str) -> ResponseState:
    """Everything the respondent of ``token`` saved so far, to continue where they stopped.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    token : str

    Returns
    -------
    ResponseState

    Raises
    ------
    NotFound
        When ``token`` opens no invitation.
    """
    return state(conn, invitation_row(conn, token))


def response_for_update(conn: Connection, invitation: Any, pin: Any, now: datetime) -> Any:
    """The invitation's response to a pinned instrument, created if new, locked for update.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    invitation : row of ``invitations``
    pin : row of ``campaign_instruments``
    now : datetime.datetime
        Naive UTC: ``started_at`` and ``last_saved_at`` of a new response.

    Returns
    -------
    row of ``responses``
    """
    conn.execute(
        dialect_insert(conn, m.Response.__table__)
        .values(
            invitation_id=invitation.id,
            campaign_id=invitation.campaign_id,
            instrument_id=pin.instrument_id,
            version=pin.version,
            sha256=pin.sha256,
            status=ResponseStatus.DRAFT,
            started_at=now,
            last_saved_at=now,
        )
        .on_conflict_do_nothing()
    )
    return conn.execute(
        select(m.Response.__table__)
        .where(
            m.Response.invitation_id == invitation.id,
            m.Response.instrument_id == pin.instrument_id,
            m.Response.version == pin.version,
        )
        .with_for_update()
    ).one()


def save_draft(
    conn: Connection,
    registry: Registry,
    pin_cache: PinCache,
    token: str,
    instrument_ref: str,
    answers: Mapping[str, int | str | None],
) -> ResponseState:
    """Save some answers of a draft (``None`` removes one, ``"na"`` = not applicable).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    registry : Registry
        Where the pinned versions are read.
    pin_cache : dict
        The store's pins by campaign (:func:`survey.storage.campaigns.pins`).
    token : str
    instrument_ref : str
        ``id`` or ``id@version`` of an instrument the campaign pinned.
    answers : mapping of str to int, str or None
        Item id to value.

    Returns
    -------
    ResponseState
        After the save.

    Raises
    ------
    SubmissionError
        Listing every invalid answer (then nothing is stored), or when the campaign is not
        open.
    AlreadySubmitted
        When the response was submitted.
    NotFound
        When ``token`` opens no invitation.
    """
    invitation = invitation_row(conn, token)
    campaign = campaigns.campaign(conn, invitation.campaign_id)
    pin = campaigns.pin_for(campaigns.pins(conn, campaign.id, pin_cache), instrument_ref)
    instrument = campaigns.pinned_instrument(registry, pin)
    clean: dict[str, Any] = {}
    problems: list[AnswerProblem] = []
    for item_id, raw in answers.items():
        value, problem = check_answer(instrument, item_id, raw)
        if problem:
            problems.append(AnswerProblem(item_id, problem, instrument.key, raw))
        clean[item_id] = value
    if problems:
        raise SubmissionError(problems)
    campaigns.check_window(campaign)
    now = utcnow()
    response = response_for_update(conn, invitation, pin, now)
    if response.status != ResponseStatus.DRAFT:
        raise AlreadySubmitted(
            [
                AnswerProblem(
                    None, "this response was submitted and can no longer change", instrument.key
                )
            ]
        )
    if clean:
        conn.execute(
            delete(m.Answer).where(
                m.Answer.response_id == response.id, m.Answer.item_id.in_(list(clean))
            )
        )
        rows = [
            {
                "response_id": response.id,
                "item_id": item_id,
                "value": None if value == NOT_APPLICABLE else value,
                "not_applicable": value == NOT_APPLICABLE,
            }
            for item_id, value in clean.items()
            if value is not None
        ]
        if rows:
            conn.execute(insert(m.Answer), rows)
    conn.execute(update(m.Response).where(m.Response.id == response.id).values(last_saved_at=now))
    return state(conn, invitation, campaign)


def submit(conn: Connection, registry: Registry, pin_cache: PinCache, token: str) -> ResponseState:
    """Validate and freeze every response of the invitation, and store their scores.

    Idempotent: submitting again returns the stored state and changes nothing.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    registry : Registry
    pin_cache : dict
        The store's pins by campaign.
    token : str

    Returns
    -------
    ResponseState

    Raises
    ------
    SubmissionError
        Listing every problem of every response (:func:`response_problems`), or when the
        campaign is not open; then nothing changes.
    NotFound
        When ``token`` opens no invitation.
    """
    invitation = invitation_row(conn, token)
    current = state(conn, invitation)
    if current.status == ResponseStatus.SUBMITTED:
        return current
    campaigns.check_window(current.campaign)
    now = utcnow()
    problems: list[AnswerProblem] = []
    to_freeze = []
    for pin in campaigns.pins(conn, invitation.campaign_id, pin_cache):
        instrument = campaigns.pinned_instrument(registry, pin)
        response = response_for_update(conn, invitation, pin, now)
        if response.status == ResponseStatus.SUBMITTED:
            continue
        to_freeze.append(response.id)
        stored = {
            row.item_id: (NOT_APPLICABLE if row.value is None else row.value)
            for row in conn.execute(
                select(m.Answer.item_id, m.Answer.value).where(m.Answer.response_id == response.id)
            )
        }
        problems.extend(response_problems(instrument, stored))
    if problems:
        raise SubmissionError(problems)
    conn.execute(
        update(m.Response)
        .where(m.Response.id.in_(to_freeze), m.Response.status == ResponseStatus.DRAFT)
        .values(status=ResponseStatus.SUBMITTED, submitted_at=now, last_saved_at=now)
    )
    write_scores(conn, registry, to_freeze)
    return state(conn, invitation, current.campaign)


# --------------------------------------------------------------------------------------------
# The wide table of answers
# --------------------------------------------------------------------------------------------
def response_query(
    *,
    instrument: str | None = None,
    campaign_id: int | None = None,
    organisation_id: int | None = None,
    side: str | None = None,
    submitted_from: datetime | None = None,
    submitted_to: datetime | None = None,
    include_drafts: bool = False,
) -> Select[Any]:
    """The query of responses with their respondent columns, filtered.

    Parameters
    ----------
    instrument : str, optional
        ``id`` (all versions) or ``id@version``.
    campaign_id, organisation_id : int, optional
    side : str, optional
    submitted_from, submitted_to : datetime.datetime, optional
        Inclusive bounds on ``submitted_at``.
    include_drafts : bool
        Drafts too (otherwise submitted responses only).

    Returns
    -------
    sqlalchemy.Select
        Columns ``response_id`` then :data:`survey.ingest.table.RESPONDENT_COLUMNS`.

    Examples
    --------
    >>> [c.name for c in response_query().selected_columns][:3]
    ['response_id', 'organisation_id', 'organisation']
    """
    r, i, c, o = (
        m.Response.__table__,
        m.Invitation.__table__,
        m.Campaign.__table__,
        m.Organisation.__table__,
    )
    query = (
        select(
            r.c.id.label("response_id"),
            o.c.id.label("organisation_id"),
            o.c.name.label("organisation"),
            c.c.id.label("campaign_id"),
            c.c.name.label("campaign"),
            i.c.id.label("invitation_id"),
            i.c.role,
            i.c.side,
            i.c.language,
            r.c.instrument_id.label("instrument"),
            r.c.version,
            r.c.sha256,
            r.c.status,
            r.c.started_at,
            r.c.submitted_at,
            o.c.industry,
            o.c.size_band,
            o.c.region,
        )
        .select_from(r)
        .join(i, i.c.id == r.c.invitation_id)
        .join(c, c.c.id == r.c.campaign_id)
        .join(o, o.c.id == c.c.organisation_id)
    )
    conditions = []
    if instrument:
        instrument_id, _, version = instrument.partition("@")
        conditions.append(r.c.instrument_id == instrument_id)
        if version:
            conditions.append(r.c.version == version)
    if campaign_id is not None:
        conditions.append(r.c.campaign_id == campaign_id)
    if organisation_id is not None:
        conditions.append(c.c.organisation_id == organisation_id)
    if side is not None:
        conditions.append(i.c.side == side)
    if submitted_from is not None:
        conditions.append(r.c.submitted_at >= to_db_time(submitted_from))
    if submitted_to is not None:
        conditions.append(r.c.submitted_at <= to_db_time(submitted_to))
    if not include_drafts:
        conditions.append(r.c.status == ResponseStatus.SUBMITTED)
    return query.where(and_(*conditions)) if conditions else query


def responses(conn: Connection, registry: Registry, query: Select[Any]) -> ResponseTable:
    """The responses of ``query`` (:func:`response_query`) as a wide table.

    All reads run on ``conn``, so in one transaction they see the same snapshot.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    registry : Registry
        Gives each version's item order.
    query : sqlalchemy.Select
        From :func:`response_query`.

    Returns
    -------
    ResponseTable
        One row per response; item columns of every version, each in instrument order.
    """
    query = query.order_by(m.Response.id)
    sub = query.subquery()
    respondent_rows = fetch_plain(conn, query)
    versions = sorted({(row[9], row[10]) for row in respondent_rows})
    order = item_order(conn, registry, versions)
    answer_rows: list[Any] = []
    if order:
        # Items come back as their column number and values as plain integers, so that
        # millions of answers turn into one integer array without per-row Python work.
        code = case({item: k for k, item in enumerate(order)}, value=m.Answer.item_id, else_=-1)
        answer_query = select(
            m.Answer.response_id,
            code,
            func.coalesce(m.Answer.value, 0),
            case((m.Answer.not_applicable, 1), else_=0),
        ).join(sub, sub.c.response_id == m.Answer.response_id)
        answer_rows = fetch_plain(conn, answer_query)
    return response_table(respondent_rows, order, answer_rows)


def item_order(
    conn: Connection, registry: Registry, versions: Iterable[tuple[str, str]]
) -> list[str]:
    """Item columns: each version's items in instrument order (stored ids if not on disk).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    registry : Registry
    versions : iterable of (str, str)
        ``(instrument_id, version)`` pairs.

    Returns
    -------
    list of str
        Item ids, each once.
    """
    order: list[str] = []
    for instrument_id, version in versions:
        try:
            order.extend(registry.get(f"{instrument_id}@{version}").item_ids)
        except ValueError:
            stored = conn.execute(
                select(m.Answer.item_id)
                .distinct()
                .join(m.Response, m.Response.id == m.Answer.response_id)
                .where(m.Response.instrument_id == instrument_id, m.Response.version == version)
                .order_by(m.Answer.item_id)
            ).scalars()
            order.extend(stored)
    return list(dict.fromkeys(order))


def response_table(
    respondent_rows: list[Any], order: list[str], answer_rows: list[Any]
) -> ResponseTable:
    """Build the :class:`ResponseTable` from plain rows.

    Parameters
    ----------
    respondent_rows : list of tuple
        ``response_id`` then :data:`survey.ingest.table.RESPONDENT_COLUMNS`.
    order : list of str
        The item columns.
    answer_rows : list of tuple
        ``(response_id, column number, value, not_applicable 0/1)``; column ``-1`` or an
        unknown response is skipped.

    Returns
    -------
    ResponseTable
    """
    respondents = pd.DataFrame.from_records(
        respondent_rows, columns=["response_id", *RESPONDENT_COLUMNS], nrows=len(respondent_rows)
    ).set_index("response_id")
    if respondents.index.dtype != np.int64:
        respondents.index = respondents.index.astype(np.int64)
    for column in ("started_at", "submitted_at"):
        # SQLite hands back ISO strings, PostgreSQL naive datetimes; both are UTC.
        respondents[column] = pd.to_datetime(respondents[column], utc=True, format="ISO8601")
    index = respondents.index
    n = len(answer_rows)
    flat = np.fromiter(itertools.chain.from_iterable(answer_rows), dtype=np.int64, count=4 * n)
    flat = flat.reshape(n, 4)
    rows = index.get_indexer(pd.Index(flat[:, 0]))
    cols = flat[:, 1]
    keep = (rows >= 0) & (cols >= 0)
    rows, cols, flat = rows[keep], cols[keep], flat[keep]
    is_na = flat[:, 3] == 1
    data = np.full((len(index), len(order)), np.nan)
    na = np.zeros((len(index), len(order)), dtype=bool)
    data[rows, cols] = np.where(is_na, np.nan, flat[:, 2].astype(float))
    na[rows, cols] = is_na
    columns = pd.Index(order, name="item")
    return ResponseTable(
        answers=pd.DataFrame(data, index=index, columns=columns),
        not_applicable=pd.DataFrame(na, index=index, columns=columns),
        respondents=respondents,
    )
