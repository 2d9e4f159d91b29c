"""Erasure: deleting a response, a respondent or a whole organisation, and the record of it.

Every erasure deletes what was collected together with what is derived from it (stored scores,
answer arrays, running totals) and writes one ``erasure_records`` row with the rows deleted per
table, who asked and why; that record is all that remains.

Examples
--------
>>> from survey.storage import open_store
>>> store = open_store("sqlite://")
>>> org = store.create_organisation("Acme", industry="Machinery", size_band="1-49", region="EU")
>>> counts = store.write(lambda conn: erase_organisation(conn, store.registry, org.id, by="dpo"))
>>> counts["organisations"], counts["campaigns"]
(1, 0)
>>> store.read(erasures)[["kind", "erased_by"]].values.tolist()
[['organisation', 'dpo']]
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, delete, insert, select, update

from survey.instrument.registry import Registry
from survey.storage import fields, totals
from survey.storage import models as m
from survey.storage.errors import NotFound
from survey.storage.fields import clean_optional
from survey.storage.organisations import organisation_row
from survey.storage.rows import utcnow
from survey.vocab import UserRole


def record_erasure(
    conn: Connection,
    kind: str,
    target_id: int,
    counts: dict[str, int],
    by: str | None,
    reason: str | None,
) -> dict[str, int]:
    """Write the record of one erasure.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The erasure's write transaction.
    kind : str
        ``response``, ``invitation`` or ``organisation``.
    target_id : int
    counts : dict of str to int
        Rows deleted per table.
    by, reason : str or None
        Who asked, and why (:data:`survey.storage.fields.ERASED_BY`,
        :data:`survey.storage.fields.ERASURE_REASON`; a refusal undoes the erasure).

    Returns
    -------
    dict of str to int
        ``counts``.

    Raises
    ------
    FieldError
        When ``by`` or ``reason`` breaks its field rule.
    """
    by = clean_optional(fields.ERASED_BY, by)
    reason = clean_optional(fields.ERASURE_REASON, reason)
    conn.execute(
        insert(m.ErasureRecord).values(
            kind=kind,
            target_id=target_id,
            erased_by=by,
            reason=reason,
            counts=json.dumps(counts, sort_keys=True),
            erased_at=utcnow(),
        )
    )
    return counts


def delete_responses(
    conn: Connection, registry: Registry, response_ids: Select[Any]
) -> dict[str, int]:
    """Delete responses with their answers and everything derived from them.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    registry : Registry
        The running totals need the instruments to take the responses out.
    response_ids : sqlalchemy.Select
        Selects the ids of the responses to delete.

    Returns
    -------
    dict of str to int
        ``answers`` and ``responses`` deleted (scores and totals are derived, not counted).
    """
    # The totals lose the responses first, while their arrays still exist.
    totals.uncount_responses(conn, registry, list(conn.execute(response_ids).scalars()))
    conn.execute(delete(m.ResponseScore).where(m.ResponseScore.response_id.in_(response_ids)))
    conn.execute(delete(m.ResponseVector).where(m.ResponseVector.response_id.in_(response_ids)))
    answers = conn.execute(delete(m.Answer).where(m.Answer.response_id.in_(response_ids)))
    responses = conn.execute(delete(m.Response).where(m.Response.id.in_(response_ids)))
    return {"answers": answers.rowcount, "responses": responses.rowcount}


def erase_response(
    conn: Connection,
    registry: Registry,
    response_id: int,
    *,
    by: str | None = None,
    reason: str | None = None,
) -> dict[str, int]:
    """Delete one response and its answers.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    registry : Registry
    response_id : int
    by, reason : str, optional
        Kept in the erasure record.

    Returns
    -------
    dict of str to int
        Rows deleted per table.

    Raises
    ------
    NotFound
        When there is no such response.
    """
    if conn.execute(select(m.Response.id).where(m.Response.id == response_id)).first() is None:
        raise NotFound(f"no response {response_id}")
    ids = select(m.Response.id).where(m.Response.id == response_id)
    counts = delete_responses(conn, registry, ids)
    return record_erasure(conn, "response", response_id, counts, by, reason)


def erase_invitation(
    conn: Connection,
    registry: Registry,
    invitation_id: int,
    *,
    by: str | None = None,
    reason: str | None = None,
) -> dict[str, int]:
    """Delete one respondent: their answers, responses, contact and invitation.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    registry : Registry
    invitation_id : int
    by, reason : str, optional
        Kept in the erasure record.

    Returns
    -------
    dict of str to int
        Rows deleted per table.

    Raises
    ------
    NotFound
        When there is no such invitation.
    """
    if (
        conn.execute(select(m.Invitation.id).where(m.Invitation.id == invitation_id)).first()
        is None
    ):
        raise NotFound(f"no invitation {invitation_id}")
    ids = select(m.Response.id).where(m.Response.invitation_id == invitation_id)
    counts = delete_responses(conn, registry, ids)
    counts["invitation_contacts"] = conn.execute(
        delete(m.InvitationContact).where(m.InvitationContact.invitation_id == invitation_id)
    ).rowcount
    counts["invitations"] = conn.execute(
        delete(m.Invitation).where(m.Invitation.id == invitation_id)
    ).rowcount
    return record_erasure(conn, "invitation", invitation_id, counts, by, reason)


def erase_organisation(
    conn: Connection,
    registry: Registry,
    organisation_id: int,
    *,
    by: str | None = None,
    reason: str | None = None,
) -> dict[str, int]:
    """Delete an organisation with everything collected for it and its firm admin accounts.

    Other accounts that pointed at the organisation keep existing, detached.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    registry : Registry
    organisation_id : int
    by, reason : str, optional
        Kept in the erasure record.

    Returns
    -------
    dict of str to int
        Rows deleted per table.

    Raises
    ------
    NotFound
        When there is no such organisation.
    """
    organisation_row(conn, organisation_id)
    campaign_ids = select(m.Campaign.id).where(m.Campaign.organisation_id == organisation_id)
    invitation_ids = select(m.Invitation.id).where(m.Invitation.campaign_id.in_(campaign_ids))
    counts = delete_responses(
        conn, registry, select(m.Response.id).where(m.Response.campaign_id.in_(campaign_ids))
    )
    steps: list[tuple[str, Any]] = [
        (
            "invitation_contacts",
            delete(m.InvitationContact).where(
                m.InvitationContact.invitation_id.in_(invitation_ids)
            ),
        ),
        (
            "invitations",
            delete(m.Invitation).where(m.Invitation.campaign_id.in_(campaign_ids)),
        ),
        ("imports", delete(m.Import).where(m.Import.campaign_id.in_(campaign_ids))),
        (
            "campaign_instruments",
            delete(m.CampaignInstrument).where(m.CampaignInstrument.campaign_id.in_(campaign_ids)),
        ),
        (
            "campaigns",
            delete(m.Campaign).where(m.Campaign.organisation_id == organisation_id),
        ),
        (
            "users",
            delete(m.User).where(
                m.User.organisation_id == organisation_id, m.User.role == UserRole.FIRM_ADMIN
            ),
        ),
        (
            "organisations",
            delete(m.Organisation).where(m.Organisation.id == organisation_id),
        ),
    ]
    for name, statement in steps:
        counts[name] = conn.execute(statement).rowcount
    conn.execute(
        update(m.User).where(m.User.organisation_id == organisation_id).values(organisation_id=None)
    )
    return record_erasure(conn, "organisation", organisation_id, counts, by, reason)


def erasures(conn: Connection) -> pd.DataFrame:
    """The record of every erasure, oldest first.

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``kind``, ``target_id``, ``erased_by``, ``reason``, ``counts`` (a dict
        per row) and ``erased_at``.
    """
    rows = conn.execute(select(m.ErasureRecord.__table__).order_by(m.ErasureRecord.id)).all()
    frame = pd.DataFrame(
        [tuple(row) for row in rows],
        columns=["id", "kind", "target_id", "erased_by", "reason", "counts", "erased_at"],
    )
    frame["counts"] = [json.loads(c) for c in frame["counts"]]
    return frame
