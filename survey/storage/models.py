"""The tables of the collection database (SQLAlchemy 2.0 declarative models).

Answers are kept in long form (one row per response and item) so that any instrument version can
be stored without schema changes; every response records the instrument id, version and content
hash it was given under. E-mail addresses live in their own table (:class:`InvitationContact`) so
that answers can be exported or analysed without ever touching contact data.

Timestamps are stored as naive UTC (SQLite has no time zones); :mod:`survey.storage.records` turns
them into aware UTC datetimes when it hands them out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from survey.vocab import RESPONDENT_ROLES, SIDES, STATUSES, USER_ROLES

# Stable constraint names, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Ids are never reused on SQLite either: an erased response's id must not come back for another.
_AUTOINCREMENT = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Key/value facts about the database; ``data_version`` bumps with every write."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", USER_ROLES), name="role"), _AUTOINCREMENT)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    # A firm admin belongs to one organisation; erasing the organisation detaches the account.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class Organisation(Base):
    """A client organisation. Its name is unique per consultant (migration 0004): one
    consultant's clients have different names, organisations without a consultant have
    different names, and two consultants' clients may share one."""

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("consultant_id", "name", name="uq_organisations_consultant_id_name"),
        Index(
            "uq_organisations_name_unowned",
            "name",
            unique=True,
            sqlite_where=text("consultant_id IS NULL"),
            postgresql_where=text("consultant_id IS NULL"),
        ),
        _AUTOINCREMENT,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    industry: Mapped[str] = mapped_column(String(100), nullable=False)
    size_band: Mapped[str] = mapped_column(String(50), nullable=False)
    region: Mapped[str] = mapped_column(String(100), nullable=False)
    consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("organisation_id", "name"), _AUTOINCREMENT)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: Comma-separated subset of SIDES, e.g. ``self,customer``.
    sides: Mapped[str] = mapped_column(String(50), nullable=False)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class CampaignInstrument(Base):
    """An instrument version a campaign uses, pinned by its content hash."""

    __tablename__ = "campaign_instruments"
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    instrument_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(30), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(_in("role", RESPONDENT_ROLES), name="role"),
        CheckConstraint(_in("side", SIDES), name="side"),
        _AUTOINCREMENT,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: SHA-256 (hex) of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    side: Mapped[str] = mapped_column(String(20), nullable=False)
    language: Mapped[str] = mapped_column(String(10), nullable=False)
    #: The respondent id of an imported response (as in the source file), else NULL.
    external_id: Mapped[str | None] = mapped_column(String(200))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class InvitationContact(Base):
    """Contact data, kept apart from answers."""

    __tablename__ = "invitation_contacts"
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(320), nullable=False)


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("invitation_id", "instrument_id", "version"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_responses_instrument", "instrument_id", "version", "status"),
        _AUTOINCREMENT,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), nullable=False
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False, index=True
    )
    instrument_id: Mapped[str] = mapped_column(String(100), nullable=False)
    version: Mapped[str] = mapped_column(String(30), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_saved_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)


class Answer(Base):
    """One item's answer: a point of the scale, or not applicable (``value`` NULL)."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint(
            "(value IS NULL) = (not_applicable = TRUE)", name="value_or_not_applicable"
        ),
        # Clustered by (response_id, item_id): a response's answers sit together on disk.
        {"sqlite_with_rowid": False},
    )
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer)
    not_applicable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Import(Base):
    """A file of responses collected elsewhere and brought into a campaign."""

    __tablename__ = "imports"
    __table_args__ = (_AUTOINCREMENT,)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False, index=True
    )
    filename: Mapped[str] = mapped_column(String(500), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class ErasureRecord(Base):
    """That an erasure happened: what, when, by whom and how many rows. Never the data."""

    __tablename__ = "erasures"
    __table_args__ = (_AUTOINCREMENT,)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    erased_by: Mapped[str | None] = mapped_column(String(320))
    reason: Mapped[str | None] = mapped_column(Text)
    #: JSON object of table name -> rows deleted.
    counts: Mapped[str] = mapped_column(Text, nullable=False)
    erased_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class ResponseScore(Base):
    """A submitted response's score and 0-100 index on one scale, stored when it is submitted.

    Derived data: written by :mod:`survey.storage.scores` with
    :func:`scoring.instrument_scoring.score_instrument` in the transaction that submits (or
    imports) the response, so that cohort statistics are one grouped query instead of scoring
    every stored answer. ``score`` and ``index`` are NULL below the scale's min-valid share.
    """

    __tablename__ = "response_scores"
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    scale: Mapped[str] = mapped_column(String(100), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)
    index: Mapped[float | None] = mapped_column(Float)


class ResponseVector(Base):
    """A submitted response's answers in the instrument's item order, as one array.

    Derived data written with :class:`ResponseScore`: float64 little-endian, NaN for an
    unanswered or "not applicable" item. Cohort reliability (the reliable change index) reads
    these rows, one per response, instead of one answer row per item.
    """

    __tablename__ = "response_vectors"
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    answers: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class CampaignScaleTotal(Base):
    """Per campaign, instrument version, side and scale: how many submitted responses there
    are and the count, sum and sum of squares of their 0-100 indices.

    Derived data kept up to date in the transaction that submits, imports or erases a
    response (:mod:`survey.storage.totals`): benchmarks, the spread of indices and the
    agreement between organisations read these few rows instead of one score per response.
    """

    __tablename__ = "campaign_scale_totals"
    __table_args__ = (
        Index("ix_campaign_scale_totals_instrument", "instrument_id", "version", "side"),
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    instrument_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(30), primary_key=True)
    side: Mapped[str] = mapped_column(String(20), primary_key=True)
    scale: Mapped[str] = mapped_column(String(100), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, nullable=False)
    scored: Mapped[int] = mapped_column(Integer, nullable=False)
    index_sum: Mapped[float] = mapped_column(Float, nullable=False)
    index_squares: Mapped[float] = mapped_column(Float, nullable=False)


class InstrumentSum(Base):
    """Per instrument version and side, the response sums of :mod:`scoring.sums` over every
    submitted response: what reliability, item statistics and the factor model need.

    Derived data kept up to date with :class:`CampaignScaleTotal`; ``data`` holds the arrays
    of :meth:`scoring.sums.InstrumentSums.arrays` back to back as float64 little-endian
    (their shapes follow from the instrument version).
    """

    __tablename__ = "instrument_sums"
    instrument_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(30), primary_key=True)
    side: Mapped[str] = mapped_column(String(20), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
