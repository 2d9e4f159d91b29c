"""The collection store: accounts, organisations, campaigns, invitations, answers and reads.

One :class:`Store` wraps one database (SQLite or PostgreSQL). Every write is one transaction,
retried as a whole when SQLite reports the database locked or PostgreSQL picks it as a deadlock
victim, and bumps ``data_version`` so that readers (the app's caches) know the data changed.

Answers are validated against the instrument version the campaign pinned: values must be points of
the item's response scale, "not applicable" (``"na"``) only where that scale allows it, and a
submitted response must answer every required item. Nothing invalid is stored, and a submitted
response never changes again.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from scoring.sums import InstrumentSums
from survey.ingest.table import RESPONDENT_COLUMNS, ResponseTable
from survey.instrument.answers import NOT_APPLICABLE, check_answer
from survey.instrument.model import Instrument
from survey.instrument.registry import Registry, default_registry
from survey.storage import accounts, campaigns, invitations, organisations, scores, totals
from survey.storage import models as m
from survey.storage.engine import fetch_plain, make_engine, retrying, upgrade_database
from survey.storage.errors import (
    AccessDenied,
    AlreadySubmitted,
    NotFound,
    SubmissionError,
)
from survey.storage.organisations import organisation_row
from survey.storage.records import (
    Campaign,
    Invitation,
    Organisation,
    ResponseState,
    User,
    invitation_record,
)
from survey.storage.rows import (
    from_db_time,
    to_db_time,
    utcnow,
)
from survey.storage.scores import write_scores

T = TypeVar("T")

#: The value that stands for "not applicable" in answers passed in and handed out.


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------
class Store:
    """All reads and writes of the collection database.

    Create it with :func:`open_store`. Safe to share between threads; several processes (app
    instances) may open the same database.
    """

    def __init__(self, engine: Engine, registry: Registry | None = None) -> None:
        self.engine = engine
        self._registry = registry
        #: argon2id with the library's defaults; tests may swap in cheaper parameters.
        self.password_hasher = accounts.DEFAULT_HASHER
        # SQLite has one write lock per file. Threads of this process queue here, in order,
        # instead of polling the file lock (SQLite's busy handler sleeps in growing steps, which
        # wastes most of the time under contention); other processes still meet busy_timeout.
        self._pin_cache: campaigns.PinCache = {}
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else None

    # -- plumbing -----------------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = default_registry()
        return self._registry

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every connection (SQLite then folds its WAL back into the file)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, action: Callable[[Connection], T]) -> T:
        """Run ``action`` in one write transaction (retried whole on lock errors)."""

        def attempt() -> T:
            with self.engine.connect().execution_options(cocreate_write=True) as conn:
                with conn.begin():
                    result = action(conn)
                    conn.execute(
                        update(m.Meta)
                        .where(m.Meta.key == "data_version")
                        .values(value=m.Meta.value + 1)
                    )
                return result

        if self._write_lock is None:
            return retrying(attempt)
        with self._write_lock:
            return retrying(attempt)

    def read(self, action: Callable[[Connection], T]) -> T:
        def attempt() -> T:
            with self.engine.connect() as conn:
                return action(conn)

        return retrying(attempt)

    def _insert_ignore(self, table: Any) -> Any:
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        return dialect.insert(table)

    def data_version(self) -> int:
        """A number that grows with every write: the app keys its caches on it."""
        return self.read(
            lambda conn: int(
                conn.execute(select(m.Meta.value).where(m.Meta.key == "data_version")).scalar_one()
            )
        )

    def instrument(self, ref: str) -> Instrument:
        """An instrument version from the registry (``ValueError`` when unknown)."""
        return self.registry.get(ref)

    # -- accounts -----------------------------------------------------------------------------
    def create_user(
        self,
        email: str,
        password: str,
        role: str,
        *,
        organisation_id: int | None = None,
        name: str | None = None,
    ) -> User:
        """Create an account; the password is kept only as an argon2id hash."""
        email = accounts.check_new_user(email, password, role, organisation_id)
        password_hash = self.password_hasher.hash(password)
        return self.write(
            lambda conn: accounts.insert_user(
                conn,
                email=email,
                password_hash=password_hash,
                role=role,
                organisation_id=organisation_id,
                name=name,
            )
        )

    def authenticate(self, email: str, password: str) -> User | None:
        """The account for ``email`` if ``password`` matches, else ``None``."""
        row = self.read(lambda conn: accounts.user_row(conn, email))
        return accounts.verify_password(self.password_hasher, row, password)

    def users(self) -> list[User]:
        return self.read(accounts.users)

    def user(self, email: str) -> User:
        return self.read(lambda conn: accounts.user(conn, email))

    # -- organisations ------------------------------------------------------------------------
    def create_organisation(
        self,
        name: str,
        *,
        industry: str,
        size_band: str,
        region: str,
        consultant_id: int | None = None,
    ) -> Organisation:
        return self.write(
            lambda conn: organisations.create_organisation(
                conn,
                name,
                industry=industry,
                size_band=size_band,
                region=region,
                consultant_id=consultant_id,
            )
        )

    def visible_organisations(self, user: User | None) -> list[Organisation]:
        """What ``user`` may see: admins and researchers everything, consultants their clients,
        firm admins their own organisation; ``None`` (system use) everything."""
        return self.read(lambda conn: organisations.visible_organisations(conn, user))

    def organisations(self, *, user: User | None = None) -> list[Organisation]:
        return self.visible_organisations(user)

    def require_access(self, user: User | None, organisation_id: int) -> None:
        """Raise :class:`AccessDenied` unless ``user`` may see the organisation."""
        if user is not None and not self.read(
            lambda conn: organisations.may_see(conn, user, organisation_id)
        ):
            raise AccessDenied(f"{user.email} may not see organisation {organisation_id}")

    def organisation(self, key: int | str) -> Organisation:
        """An organisation by id or by name."""
        return self.read(lambda conn: organisations.organisation(conn, key))

    # -- campaigns ----------------------------------------------------------------------------
    def create_campaign(
        self,
        organisation_id: int,
        name: str,
        *,
        instruments: Sequence[str],
        sides: Iterable[str] = ("self",),
        opens_at: datetime | None = None,
        closes_at: datetime | None = None,
    ) -> Campaign:
        """A campaign pinning instrument versions (``id`` means the newest version now)."""
        pinned, checked_sides = campaigns.check_campaign(
            self.registry, instruments, sides, opens_at, closes_at
        )
        return self.write(
            lambda conn: campaigns.create_campaign(
                conn,
                organisation_id,
                name,
                instruments=pinned,
                sides=checked_sides,
                opens_at=opens_at,
                closes_at=closes_at,
            )
        )

    def campaigns(self, organisation_id: int | None = None) -> list[Campaign]:
        return self.read(lambda conn: campaigns.campaigns(conn, organisation_id))

    def campaign(self, campaign_id: int) -> Campaign:
        return self.read(lambda conn: campaigns.campaign(conn, campaign_id))

    # -- invitations --------------------------------------------------------------------------
    def create_invitation(
        self,
        campaign_id: int,
        *,
        role: str,
        side: str = "self",
        language: str = "en",
        email: str | None = None,
    ) -> tuple[Invitation, str]:
        """A new invitation and its token (returned only here; only its hash is stored)."""
        invitations.check_invitation(role, side)
        token = invitations.new_token()
        created = self.write(
            lambda conn: invitations.create_invitation(
                conn, campaign_id, token, role=role, side=side, language=language, email=email
            )
        )
        return created, token

    def invitation_by_token(self, token: str) -> Invitation:
        return self.read(lambda conn: invitations.invitation(conn, token))

    def invitations(self, campaign_id: int) -> list[Invitation]:
        return self.read(lambda conn: invitations.invitations(conn, campaign_id))

    def invitation_email(self, invitation_id: int) -> str | None:
        return self.read(lambda conn: invitations.invitation_email(conn, invitation_id))

    def set_language(self, token: str, language: str) -> None:
        self.write(lambda conn: invitations.set_language(conn, token, language))

    # -- answering ----------------------------------------------------------------------------
    def _state(
        self, conn: Connection, invitation_row: Any, campaign: Campaign | None = None
    ) -> ResponseState:
        if campaign is None:
            campaign = campaigns.campaign(conn, invitation_row.campaign_id)
        responses = conn.execute(
            select(m.Response.__table__).where(m.Response.invitation_id == invitation_row.id)
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
            status = "new"
        elif statuses == {"submitted"} and len(responses) >= len(campaign.instruments):
            status = "submitted"
        else:
            status = "draft"
        saved = [row.last_saved_at for row in responses]
        return ResponseState(
            invitation=invitation_record(invitation_row),
            campaign=campaign,
            answers=answers,
            status=status,
            submitted_at=from_db_time(max(submitted)) if status == "submitted" else None,
            response_ids={ref: rid for rid, ref in by_id.items()},
            last_saved_at=from_db_time(max(saved)) if saved else None,
        )

    def resume(self, token: str) -> ResponseState:
        """Everything a respondent saved so far, to continue exactly where they stopped."""
        return self.read(lambda conn: self._state(conn, invitations.invitation_row(conn, token)))

    def _response_for_update(
        self, conn: Connection, invitation_row: Any, pin: Any, now: datetime
    ) -> Any:
        """The invitation's response to a pinned instrument, created if new, locked for update."""
        conn.execute(
            self._insert_ignore(m.Response.__table__)
            .values(
                invitation_id=invitation_row.id,
                campaign_id=invitation_row.campaign_id,
                instrument_id=pin.instrument_id,
                version=pin.version,
                sha256=pin.sha256,
                status="draft",
                started_at=now,
                last_saved_at=now,
            )
            .on_conflict_do_nothing()
        )
        return conn.execute(
            select(m.Response.__table__)
            .where(
                m.Response.invitation_id == invitation_row.id,
                m.Response.instrument_id == pin.instrument_id,
                m.Response.version == pin.version,
            )
            .with_for_update()
        ).one()

    def save_draft(
        self, token: str, instrument_ref: str, answers: Mapping[str, int | str | None]
    ) -> ResponseState:
        """Save some answers of a draft (``None`` removes one, ``"na"`` = not applicable).

        Raises :class:`SubmissionError` listing every invalid answer; then nothing is stored.
        """

        def action(conn: Connection) -> ResponseState:
            invitation_row = invitations.invitation_row(conn, token)
            campaign = campaigns.campaign(conn, invitation_row.campaign_id)
            pin = campaigns.pin_for(
                campaigns.pins(conn, campaign.id, self._pin_cache), instrument_ref
            )
            instrument = campaigns.pinned_instrument(self.registry, pin)
            clean: dict[str, Any] = {}
            problems = []
            for item_id, raw in answers.items():
                value, problem = check_answer(instrument, item_id, raw)
                if problem:
                    problems.append(
                        {
                            "item": item_id,
                            "instrument": instrument.key,
                            "value": raw,
                            "problem": problem,
                        }
                    )
                clean[item_id] = value
            if problems:
                raise SubmissionError(problems)
            campaigns.check_window(campaign)
            now = utcnow()
            response = self._response_for_update(conn, invitation_row, pin, now)
            if response.status != "draft":
                raise AlreadySubmitted(
                    [
                        {
                            "item": None,
                            "instrument": instrument.key,
                            "problem": "this response was submitted and can no longer change",
                        }
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
            conn.execute(
                update(m.Response).where(m.Response.id == response.id).values(last_saved_at=now)
            )
            return self._state(conn, invitation_row, campaign)

        return self.write(action)

    def submit(self, token: str) -> ResponseState:
        """Validate and freeze every response of the invitation, in one transaction.

        Idempotent: submitting again returns the stored state and changes nothing.
        """

        def action(conn: Connection) -> ResponseState:
            invitation_row = invitations.invitation_row(conn, token)
            state = self._state(conn, invitation_row)
            if state.status == "submitted":
                return state
            campaigns.check_window(state.campaign)
            now = utcnow()
            problems: list[dict[str, Any]] = []
            to_freeze = []
            for pin in campaigns.pins(conn, invitation_row.campaign_id, self._pin_cache):
                instrument = campaigns.pinned_instrument(self.registry, pin)
                response = self._response_for_update(conn, invitation_row, pin, now)
                if response.status == "submitted":
                    continue
                to_freeze.append(response.id)
                stored = {
                    row.item_id: (NOT_APPLICABLE if row.value is None else row.value)
                    for row in conn.execute(
                        select(m.Answer.item_id, m.Answer.value).where(
                            m.Answer.response_id == response.id
                        )
                    )
                }
                problems.extend(_response_problems(instrument, stored))
            if problems:
                raise SubmissionError(problems)
            conn.execute(
                update(m.Response)
                .where(m.Response.id.in_(to_freeze), m.Response.status == "draft")
                .values(status="submitted", submitted_at=now, last_saved_at=now)
            )
            write_scores(conn, self.registry, to_freeze)
            return self._state(conn, invitation_row, state.campaign)

        return self.write(action)

    # -- reads for analysis -------------------------------------------------------------------
    def _response_query(
        self,
        *,
        instrument: str | None,
        campaign_id: int | None,
        organisation_id: int | None,
        side: str | None,
        submitted_from: datetime | None,
        submitted_to: datetime | None,
        include_drafts: bool,
    ) -> Select[Any]:
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
            conditions.append(r.c.status == "submitted")
        return query.where(and_(*conditions)) if conditions else query

    def responses(
        self,
        *,
        instrument: str | None = None,
        campaign_id: int | None = None,
        organisation_id: int | None = None,
        side: str | None = None,
        submitted_from: datetime | None = None,
        submitted_to: datetime | None = None,
        include_drafts: bool = False,
    ) -> ResponseTable:
        """Responses as a wide table (``instrument``: ``id`` (all versions) or ``id@version``)."""
        query = self._response_query(
            instrument=instrument,
            campaign_id=campaign_id,
            organisation_id=organisation_id,
            side=side,
            submitted_from=submitted_from,
            submitted_to=submitted_to,
            include_drafts=include_drafts,
        ).order_by(m.Response.id)
        sub = query.subquery()

        def action(conn: Connection) -> tuple[list[Any], list[str], list[Any]]:
            # All reads run in one transaction, so they see the same snapshot.
            respondent_rows = fetch_plain(conn, query)
            versions = sorted({(row[9], row[10]) for row in respondent_rows})
            order = self._item_order(conn, versions)
            if not order:
                return respondent_rows, order, []
            # Items come back as their column number and values as plain integers, so that
            # millions of answers turn into one integer array without per-row Python work.
            code = case({item: k for k, item in enumerate(order)}, value=m.Answer.item_id, else_=-1)
            answer_query = select(
                m.Answer.response_id,
                code,
                func.coalesce(m.Answer.value, 0),
                case((m.Answer.not_applicable, 1), else_=0),
            ).join(sub, sub.c.response_id == m.Answer.response_id)
            return respondent_rows, order, fetch_plain(conn, answer_query)

        respondent_rows, order, answer_rows = self.read(action)
        return _table(respondent_rows, order, answer_rows)

    def _item_order(self, conn: Connection, versions: Iterable[tuple[str, str]]) -> list[str]:
        """Item columns: each version's items in instrument order (stored ids if not on disk)."""
        order: list[str] = []
        for instrument_id, version in versions:
            try:
                order.extend(self.instrument(f"{instrument_id}@{version}").item_ids)
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

    def cohort_indices(self, instrument: Instrument, *, side: str = "self") -> pd.DataFrame:
        """Every organisation's mean index per scale in its latest campaign on ``instrument``
        (:func:`survey.storage.scores.cohort_indices`, from the stored scores)."""
        return self.read(lambda conn: scores.cohort_indices(conn, instrument, side=side))

    def cohort_index_spread(self, instrument: Instrument, *, side: str = "self") -> pd.DataFrame:
        """Per scale, ``n``, ``mean`` and ``sd`` of the respondents' indices in that cohort
        (:func:`survey.storage.scores.cohort_index_spread`)."""
        return self.read(lambda conn: scores.cohort_index_spread(conn, instrument, side=side))

    def cohort_summary(
        self, instrument: Instrument, *, side: str = "self"
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """:meth:`cohort_indices` and :meth:`cohort_index_spread` from one grouped query."""
        return self.read(lambda conn: scores.cohort_summary(conn, instrument, side=side))

    def instruments_in_use(self) -> list[str]:
        """Every instrument version some campaign uses, as ``id@version`` (sorted)."""
        ci = m.CampaignInstrument.__table__
        rows = self.read(
            lambda conn: conn.execute(select(ci.c.instrument_id, ci.c.version).distinct()).all()
        )
        return sorted(f"{instrument_id}@{version}" for instrument_id, version in rows)

    def instrument_sums(self, instrument: Instrument, *, side: str = "self") -> InstrumentSums:
        """The response sums over every submitted response to ``instrument`` from ``side``
        (:func:`survey.storage.totals.instrument_sums`): reliability without the answers."""
        return self.read(lambda conn: totals.instrument_sums(conn, instrument, side))

    def campaign_totals(self, instrument: Instrument, *, side: str = "self") -> pd.DataFrame:
        """Per campaign and scale, the running totals of the responses' indices
        (:func:`survey.storage.totals.campaign_totals`)."""
        return self.read(lambda conn: totals.campaign_totals(conn, instrument, side))

    def rebuild_totals(self) -> int:
        """Recompute the running totals from the stored answer arrays and scores; returns the
        number of responses counted (:func:`survey.storage.totals.rebuild_totals`)."""
        return self.write(lambda conn: totals.rebuild_totals(conn, self.registry))

    def response_scores(self) -> pd.DataFrame:
        """Every stored scale score: ``response_id``, ``scale``, ``score``, ``index``."""
        s = m.ResponseScore.__table__
        rows = self.read(
            lambda conn: conn.execute(select(s).order_by(s.c.response_id, s.c.scale)).all()
        )
        frame = pd.DataFrame(
            [tuple(row) for row in rows], columns=["response_id", "scale", "score", "index"]
        )
        return frame.astype({"score": float, "index": float})

    def backfill_scores(self) -> int:
        """Score the submitted responses that have no stored scores (databases from before
        scores were stored); returns how many were scored. Reads only when none are missing."""
        r, s = m.Response.__table__, m.ResponseScore.__table__
        missing = self.read(
            lambda conn: conn.execute(
                select(r.c.id)
                .where(r.c.status == "submitted", ~exists().where(s.c.response_id == r.c.id))
                .limit(1)
            ).first()
        )
        if missing is None:
            return 0
        return self.write(lambda conn: scores.write_scores(conn, self.registry))

    def campaign_progress(self, campaign_id: int) -> pd.DataFrame:
        """Per role and side: invitations sent, started (anything saved) and submitted."""
        i, r = m.Invitation.__table__, m.Response.__table__

        def action(conn: Connection) -> list[Any]:
            campaigns.campaign(conn, campaign_id)
            per_invitation = (
                select(
                    i.c.id,
                    i.c.role,
                    i.c.side,
                    func.count(r.c.id).label("n"),
                    func.sum(case((r.c.status == "submitted", 1), else_=0)).label("done"),
                )
                .select_from(i)
                .outerjoin(r, r.c.invitation_id == i.c.id)
                .where(i.c.campaign_id == campaign_id)
                .group_by(i.c.id, i.c.role, i.c.side)
                .subquery()
            )
            return list(
                conn.execute(
                    select(
                        per_invitation.c.role,
                        per_invitation.c.side,
                        per_invitation.c.n,
                        per_invitation.c.done,
                    )
                ).all()
            )

        rows = self.read(action)
        frame = pd.DataFrame(rows, columns=["role", "side", "n", "done"])
        frame["done"] = frame["done"].fillna(0)
        frame["invited"] = 1
        frame["started"] = (frame["n"] > 0).astype(int)
        frame["submitted"] = ((frame["n"] > 0) & (frame["done"] == frame["n"])).astype(int)
        out = (
            frame.groupby(["role", "side"], as_index=False)[["invited", "started", "submitted"]]
            .sum()
            .sort_values(["side", "role"], ignore_index=True)
        )
        return out.astype({"invited": int, "started": int, "submitted": int})

    # -- erasure ------------------------------------------------------------------------------
    def _record_erasure(
        self,
        conn: Connection,
        kind: str,
        target_id: int,
        counts: dict[str, int],
        by: str | None,
        reason: str | None,
    ) -> dict[str, int]:
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

    def _delete_responses(self, conn: Connection, response_ids: Select[Any]) -> dict[str, int]:
        # Scores and totals are derived from the answers; the erasure record counts what was
        # collected. The totals lose the responses first, while their arrays still exist.
        totals.uncount_responses(conn, self.registry, list(conn.execute(response_ids).scalars()))
        conn.execute(delete(m.ResponseScore).where(m.ResponseScore.response_id.in_(response_ids)))
        conn.execute(delete(m.ResponseVector).where(m.ResponseVector.response_id.in_(response_ids)))
        answers = conn.execute(delete(m.Answer).where(m.Answer.response_id.in_(response_ids)))
        responses = conn.execute(delete(m.Response).where(m.Response.id.in_(response_ids)))
        return {"answers": answers.rowcount, "responses": responses.rowcount}

    def erase_response(
        self, response_id: int, *, by: str | None = None, reason: str | None = None
    ) -> dict[str, int]:
        """Delete one response and its answers; returns rows deleted per table."""

        def action(conn: Connection) -> dict[str, int]:
            if (
                conn.execute(select(m.Response.id).where(m.Response.id == response_id)).first()
                is None
            ):
                raise NotFound(f"no response {response_id}")
            ids = select(m.Response.id).where(m.Response.id == response_id)
            counts = self._delete_responses(conn, ids)
            return self._record_erasure(conn, "response", response_id, counts, by, reason)

        return self.write(action)

    def erase_invitation(
        self, invitation_id: int, *, by: str | None = None, reason: str | None = None
    ) -> dict[str, int]:
        """Delete one respondent: their answers, responses, contact and invitation."""

        def action(conn: Connection) -> dict[str, int]:
            if (
                conn.execute(
                    select(m.Invitation.id).where(m.Invitation.id == invitation_id)
                ).first()
                is None
            ):
                raise NotFound(f"no invitation {invitation_id}")
            ids = select(m.Response.id).where(m.Response.invitation_id == invitation_id)
            counts = self._delete_responses(conn, ids)
            counts["invitation_contacts"] = conn.execute(
                delete(m.InvitationContact).where(
                    m.InvitationContact.invitation_id == invitation_id
                )
            ).rowcount
            counts["invitations"] = conn.execute(
                delete(m.Invitation).where(m.Invitation.id == invitation_id)
            ).rowcount
            return self._record_erasure(conn, "invitation", invitation_id, counts, by, reason)

        return self.write(action)

    def erase_organisation(
        self, organisation_id: int, *, by: str | None = None, reason: str | None = None
    ) -> dict[str, int]:
        """Delete an organisation with everything collected for it and its firm admin accounts."""

        def action(conn: Connection) -> dict[str, int]:
            organisation_row(conn, organisation_id)
            campaign_ids = select(m.Campaign.id).where(
                m.Campaign.organisation_id == organisation_id
            )
            invitation_ids = select(m.Invitation.id).where(
                m.Invitation.campaign_id.in_(campaign_ids)
            )
            counts = self._delete_responses(
                conn, select(m.Response.id).where(m.Response.campaign_id.in_(campaign_ids))
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
                    delete(m.CampaignInstrument).where(
                        m.CampaignInstrument.campaign_id.in_(campaign_ids)
                    ),
                ),
                (
                    "campaigns",
                    delete(m.Campaign).where(m.Campaign.organisation_id == organisation_id),
                ),
                (
                    "users",
                    delete(m.User).where(
                        m.User.organisation_id == organisation_id, m.User.role == "firm_admin"
                    ),
                ),
                (
                    "organisations",
                    delete(m.Organisation).where(m.Organisation.id == organisation_id),
                ),
            ]
            for name, statement in steps:
                counts[name] = conn.execute(statement).rowcount
            # Other accounts that pointed at the organisation keep existing, detached.
            conn.execute(
                update(m.User)
                .where(m.User.organisation_id == organisation_id)
                .values(organisation_id=None)
            )
            return self._record_erasure(conn, "organisation", organisation_id, counts, by, reason)

        return self.write(action)

    def erasures(self) -> pd.DataFrame:
        """The record of every erasure: kind, target_id, erased_by, reason, counts, erased_at."""
        rows = self.read(
            lambda conn: conn.execute(
                select(m.ErasureRecord.__table__).order_by(m.ErasureRecord.id)
            ).all()
        )
        frame = pd.DataFrame(
            [tuple(row) for row in rows],
            columns=["id", "kind", "target_id", "erased_by", "reason", "counts", "erased_at"],
        )
        frame["counts"] = [json.loads(c) for c in frame["counts"]]
        return frame

    def table_counts(self) -> dict[str, int]:
        """Rows per table (for checks and the CLI)."""

        def action(conn: Connection) -> dict[str, int]:
            return {
                table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for table in m.Base.metadata.sorted_tables
            }

        return self.read(action)


def _table(respondent_rows: list[Any], order: list[str], answer_rows: list[Any]) -> ResponseTable:
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


def _response_problems(instrument: Instrument, stored: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Everything that keeps ``stored`` answers from being a complete, valid response."""
    problems = []
    for scale in instrument.scales:
        for item in scale.items:
            value = stored.get(item.id)
            if value is None:
                if item.required:
                    problems.append(
                        {
                            "item": item.id,
                            "instrument": instrument.key,
                            "problem": "required item is not answered",
                        }
                    )
                continue
            _, problem = check_answer(instrument, item.id, value)
            if problem:
                problems.append(
                    {
                        "item": item.id,
                        "instrument": instrument.key,
                        "value": value,
                        "problem": problem,
                    }
                )
    for item_id in stored:
        if item_id not in set(instrument.item_ids):
            problems.append(
                {
                    "item": item_id,
                    "instrument": instrument.key,
                    "problem": f"not an item of {instrument.key}",
                }
            )
    return problems


def open_store(url: str | None = None, *, registry: Registry | None = None) -> Store:
    """Open (creating and migrating when needed) the database at ``url``.

    ``url`` ``None`` uses ``COCREATE_DATABASE_URL``, else the embedded SQLite file.
    """
    engine = make_engine(url)
    upgrade_database(engine)
    store = Store(engine, registry)
    store.backfill_scores()
    if store.read(totals.needs_rebuild):
        store.rebuild_totals()
    return store
