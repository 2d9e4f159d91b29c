"""The collection store: one facade over the storage modules.

One :class:`Store` wraps one database (SQLite or PostgreSQL). Every write is one transaction,
retried as a whole when SQLite reports the database locked or PostgreSQL picks it as a deadlock
victim, and bumps ``data_version`` so that readers (the app's caches) know the data changed.

The work is done by functions on a ``Connection``, one module per aggregate:
:mod:`~survey.storage.accounts`, :mod:`~survey.storage.organisations`,
:mod:`~survey.storage.campaigns`, :mod:`~survey.storage.invitations`,
:mod:`~survey.storage.responses` (drafts, submission, the wide table), :mod:`~survey.storage.reads`
(progress and other overviews), :mod:`~survey.storage.scores` and :mod:`~survey.storage.totals`
(cohort reads), :mod:`~survey.storage.erasure`. Each method here runs one of them in
:meth:`Store.write` or :meth:`Store.read`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    select,
    update,
)
from sqlalchemy.exc import DataError, IntegrityError

from scoring.sums import InstrumentSums
from survey.ingest.table import ResponseTable
from survey.instrument.model import Instrument
from survey.instrument.registry import Registry, default_registry
from survey.storage import (
    accounts,
    campaigns,
    erasure,
    invitations,
    organisations,
    reads,
    responses,
    scores,
    totals,
)
from survey.storage import models as m
from survey.storage.engine import make_engine, retrying, upgrade_database
from survey.storage.errors import (
    AccessDenied,
    DatabaseRefused,
)
from survey.storage.records import (
    Campaign,
    Invitation,
    Organisation,
    ResponseState,
    User,
)

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
        self._pin_cache: campaigns.PinCache = {}
        # SQLite has one write lock per file. Threads of this process queue here, in order,
        # instead of polling the file lock (SQLite's busy handler sleeps in growing steps, which
        # wastes most of the time under contention); other processes still meet busy_timeout.
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

        try:
            if self._write_lock is None:
                return retrying(attempt)
            with self._write_lock:
                return retrying(attempt)
        except (DataError, IntegrityError) as exc:
            raise refusal(exc) from None

    def read(self, action: Callable[[Connection], T]) -> T:
        def attempt() -> T:
            with self.engine.connect() as conn:
                return action(conn)

        try:
            return retrying(attempt)
        except DataError as exc:
            raise refusal(exc) from None

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

    def organisation(self, key: int | str, *, user: User | None = None) -> Organisation:
        """An organisation by id, or by name among those ``user`` may see (``None``: all).

        A name several of them share raises :class:`AmbiguousName` listing their ids."""
        return self.read(lambda conn: organisations.organisation(conn, key, user))

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
        languages = invitations.campaign_languages(self.registry, self.campaign(campaign_id))
        token = invitations.new_token()
        created = self.write(
            lambda conn: invitations.create_invitation(
                conn,
                campaign_id,
                token,
                role=role,
                side=side,
                language=language,
                email=email,
                languages=languages,
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
        """Change the respondent's language to one of their campaign's languages."""
        campaign = self.campaign(self.invitation_by_token(token).campaign_id)
        languages = invitations.campaign_languages(self.registry, campaign)
        self.write(lambda conn: invitations.set_language(conn, token, language, languages))

    # -- answering ----------------------------------------------------------------------------
    def resume(self, token: str) -> ResponseState:
        """Everything a respondent saved so far, to continue exactly where they stopped."""
        return self.read(lambda conn: responses.resume(conn, token))

    def save_draft(
        self, token: str, instrument_ref: str, answers: Mapping[str, int | str | None]
    ) -> ResponseState:
        """Save some answers of a draft (``None`` removes one, ``"na"`` = not applicable).

        Raises :class:`SubmissionError` listing every invalid answer; then nothing is stored.
        """
        return self.write(
            lambda conn: responses.save_draft(
                conn, self.registry, self._pin_cache, token, instrument_ref, answers
            )
        )

    def submit(self, token: str) -> ResponseState:
        """Validate and freeze every response of the invitation, in one transaction.

        Idempotent: submitting again returns the stored state and changes nothing.
        """
        return self.write(
            lambda conn: responses.submit(conn, self.registry, self._pin_cache, token)
        )

    # -- reads for analysis -------------------------------------------------------------------
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
        query = responses.response_query(
            instrument=instrument,
            campaign_id=campaign_id,
            organisation_id=organisation_id,
            side=side,
            submitted_from=submitted_from,
            submitted_to=submitted_to,
            include_drafts=include_drafts,
        )
        return self.read(lambda conn: responses.responses(conn, self.registry, query))

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
        return self.read(reads.instruments_in_use)

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
        return self.read(reads.response_scores)

    def backfill_scores(self) -> int:
        """Score the submitted responses that have no stored scores (databases from before
        scores were stored); returns how many were scored. Reads only when none are missing."""
        if not self.read(reads.scores_missing):
            return 0
        return self.write(lambda conn: scores.write_scores(conn, self.registry))

    def campaign_progress(self, campaign_id: int) -> pd.DataFrame:
        """Per role and side: invitations sent, started (anything saved) and submitted
        (:func:`survey.storage.reads.campaign_progress`)."""
        return self.read(lambda conn: reads.campaign_progress(conn, campaign_id))

    def organisation_progress(self, organisation_ids: Iterable[int]) -> pd.DataFrame:
        """Per organisation: campaigns, invitations, started and submitted, in one query
        (:func:`survey.storage.reads.organisation_progress`)."""
        return self.read(lambda conn: reads.organisation_progress(conn, organisation_ids))

    # -- erasure ------------------------------------------------------------------------------
    def erase_response(
        self, response_id: int, *, by: str | None = None, reason: str | None = None
    ) -> dict[str, int]:
        """Delete one response and its answers; returns rows deleted per table."""
        return self.write(
            lambda conn: erasure.erase_response(
                conn, self.registry, response_id, by=by, reason=reason
            )
        )

    def erase_invitation(
        self, invitation_id: int, *, by: str | None = None, reason: str | None = None
    ) -> dict[str, int]:
        """Delete one respondent: their answers, responses, contact and invitation."""
        return self.write(
            lambda conn: erasure.erase_invitation(
                conn, self.registry, invitation_id, by=by, reason=reason
            )
        )

    def erase_organisation(
        self, organisation_id: int, *, by: str | None = None, reason: str | None = None
    ) -> dict[str, int]:
        """Delete an organisation with everything collected for it and its firm admin accounts."""
        return self.write(
            lambda conn: erasure.erase_organisation(
                conn, self.registry, organisation_id, by=by, reason=reason
            )
        )

    def erasures(self) -> pd.DataFrame:
        """The record of every erasure: kind, target_id, erased_by, reason, counts, erased_at."""
        return self.read(erasure.erasures)

    def table_counts(self) -> dict[str, int]:
        """Rows per table (for checks and the CLI)."""
        return self.read(reads.table_counts)


def refusal(exc: DataError | IntegrityError) -> DatabaseRefused:
    """A database error as a :class:`DatabaseRefused` a user may read: the constraint or the
    first line of the driver's message, never the SQL statement, its parameters or the
    details that repeat other rows' values.

    Parameters
    ----------
    exc : sqlalchemy.exc.DataError or sqlalchemy.exc.IntegrityError

    Returns
    -------
    DatabaseRefused

    Examples
    --------
    >>> from sqlalchemy.exc import IntegrityError
    >>> error = IntegrityError("INSERT INTO t VALUES (?)", ("secret",),
    ...                        Exception("UNIQUE constraint failed: t.name"))
    >>> str(refusal(error))
    'the database refused the request (UNIQUE constraint failed: t.name); nothing was changed'
    """
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    first = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    reason = f"constraint {constraint}" if constraint else first
    return DatabaseRefused(f"the database refused the request ({reason}); nothing was changed")


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
