"""Campaigns and the instrument versions they pin.

A campaign pins instrument versions (by id, version and sha256) when it is created; answers are
validated against exactly those versions, and a pinned file must not change afterwards.

Examples
--------
>>> from survey.instrument.examples import example_instrument
>>> from survey.storage import open_store
>>> store = open_store("sqlite://")
>>> pinned, sides = check_campaign(store.registry, ["cocreation-practices"], ["self"])
>>> [inst.id for inst in pinned], sides
(['cocreation-practices'], ('self',))
>>> check_campaign(store.registry, ["cocreation-practices"], ["supplier"])
Traceback (most recent call last):
ValueError: sides must be a non-empty subset of self, customer, partner
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from survey.instrument.answers import AnswerProblem
from survey.instrument.model import Instrument
from survey.instrument.registry import PinnedContentChanged, Registry, check_pinned
from survey.storage import fields
from survey.storage import models as m
from survey.storage.errors import NameTaken, NotFound, StorageError, SubmissionError
from survey.storage.fields import clean, excerpt
from survey.storage.organisations import organisation_row
from survey.storage.records import Campaign
from survey.storage.rows import from_db_time, insert_campaign, to_db_time, utcnow
from survey.vocab import SIDES

#: Pinned versions per campaign id: they never change once a campaign exists.
PinCache = dict[int, list[Any]]


def check_campaign(
    registry: Registry,
    instruments: Sequence[str],
    sides: Iterable[str],
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> tuple[list[Instrument], tuple[str, ...]]:
    """Check what a new campaign asks for and look up the versions it will pin.

    Parameters
    ----------
    registry : Registry
    instruments : sequence of str
        ``id`` (the newest version now) or ``id@version``; one version per instrument.
    sides : iterable of str
        A non-empty subset of :data:`survey.vocab.SIDES`.
    opens_at, closes_at : datetime.datetime, optional
        ``closes_at`` must be after ``opens_at``.

    Returns
    -------
    tuple of (list of Instrument, tuple of str)
        The instrument versions to pin, in order, and the sides.

    Raises
    ------
    ValueError
        Naming what is wrong (also for an unknown instrument).
    """
    sides = tuple(sides)
    if not sides or any(side not in SIDES for side in sides):
        raise ValueError(f"sides must be a non-empty subset of {', '.join(SIDES)}")
    if not instruments:
        raise ValueError("a campaign needs at least one instrument")
    pinned = [registry.get(ref) for ref in instruments]
    if len({inst.id for inst in pinned}) != len(pinned):
        raise ValueError("a campaign uses one version of each instrument")
    opens, closes = to_db_time(opens_at), to_db_time(closes_at)
    if opens and closes and closes <= opens:
        raise ValueError("closes_at must be after opens_at")
    return pinned, sides


def create_campaign(
    conn: Connection,
    organisation_id: int,
    name: str,
    *,
    instruments: Sequence[Instrument],
    sides: tuple[str, ...],
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Campaign:
    """Create a campaign (checked with :func:`check_campaign`) with a name unique in its
    organisation.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    organisation_id : int
    name : str
        Checked by :data:`survey.storage.fields.CAMPAIGN_NAME` (trimmed).
    instruments : sequence of Instrument
        The versions to pin, in order.
    sides : tuple of str
    opens_at, closes_at : datetime.datetime, optional
        Aware or naive UTC.

    Returns
    -------
    Campaign

    Raises
    ------
    FieldError
        When the name breaks its field rule.
    NotFound
        When the organisation does not exist.
    NameTaken
        When the organisation has a campaign of that name.
    """
    name = clean(fields.CAMPAIGN_NAME, name)
    organisation_row(conn, organisation_id)
    taken = conn.execute(
        select(m.Campaign.id).where(
            m.Campaign.organisation_id == organisation_id, m.Campaign.name == name
        )
    ).first()
    if taken:
        raise NameTaken(
            f"the organisation has a campaign named {excerpt(name)} already",
            kind="campaign",
            name=name,
        )
    campaign_id = insert_campaign(
        conn,
        organisation_id=organisation_id,
        name=name,
        sides=sides,
        instruments=instruments,
        created_at=utcnow(),
        opens_at=to_db_time(opens_at),
        closes_at=to_db_time(closes_at),
    )
    return campaign(conn, campaign_id)


def campaigns(conn: Connection, organisation_id: int | None = None) -> list[Campaign]:
    """Campaigns in the order created, of one organisation or (``None``) of all.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    organisation_id : int, optional

    Returns
    -------
    list of Campaign
    """
    where = [] if organisation_id is None else [m.Campaign.organisation_id == organisation_id]
    return _campaigns(conn, where)


def campaign(conn: Connection, campaign_id: int) -> Campaign:
    """One campaign with its pinned instrument versions.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    campaign_id : int

    Returns
    -------
    Campaign

    Raises
    ------
    NotFound
        When there is no such campaign.
    """
    found = _campaigns(conn, [m.Campaign.id == campaign_id])
    if not found:
        raise NotFound(f"no campaign {campaign_id}")
    return found[0]


def _campaigns(conn: Connection, where: list[Any]) -> list[Campaign]:
    rows = conn.execute(select(m.Campaign.__table__).where(*where).order_by(m.Campaign.id)).all()
    if not rows:
        return []
    pins = conn.execute(
        select(m.CampaignInstrument.__table__)
        .where(m.CampaignInstrument.campaign_id.in_([row.id for row in rows]))
        .order_by(m.CampaignInstrument.campaign_id, m.CampaignInstrument.position)
    ).all()
    refs: dict[int, list[str]] = {}
    for pin in pins:
        refs.setdefault(pin.campaign_id, []).append(f"{pin.instrument_id}@{pin.version}")
    return [
        Campaign(
            row.id,
            row.organisation_id,
            row.name,
            refs.get(row.id, []),
            tuple(row.sides.split(",")),
            from_db_time(row.opens_at),
            from_db_time(row.closes_at),
            from_db_time(row.created_at) or datetime.now(UTC),
        )
        for row in rows
    ]


def pins(conn: Connection, campaign_id: int, cache: PinCache) -> list[Any]:
    """The campaign's ``campaign_instruments`` rows in order, kept in ``cache`` once found.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    campaign_id : int
    cache : dict
        Pins by campaign id (the store keeps one); a campaign's pins never change.

    Returns
    -------
    list of rows
        Empty for an unknown campaign (not cached).
    """
    found = cache.get(campaign_id)
    if found is None:
        found = list(
            conn.execute(
                select(m.CampaignInstrument.__table__)
                .where(m.CampaignInstrument.campaign_id == campaign_id)
                .order_by(m.CampaignInstrument.position)
            ).all()
        )
        if found:
            cache[campaign_id] = found
    return found


def pin_for(pinned: list[Any], ref: str) -> Any:
    """The pin of ``pinned`` that ``ref`` (``id`` or ``id@version``) names.

    Parameters
    ----------
    pinned : list of rows
        A campaign's pins (:func:`pins`).
    ref : str

    Returns
    -------
    row of ``campaign_instruments``

    Raises
    ------
    SubmissionError
        When the campaign does not use that instrument (version).
    """
    instrument_id, _, version = ref.partition("@")
    for pin in pinned:
        if pin.instrument_id == instrument_id and (not version or pin.version == version):
            return pin
    used = ", ".join(f"{p.instrument_id}@{p.version}" for p in pinned)
    raise SubmissionError([AnswerProblem(None, f"this campaign uses {used}, not {ref}", ref)])


def pinned_instrument(registry: Registry, pin: Any) -> Instrument:
    """The instrument version a pin names, as long as its file is unchanged.

    Parameters
    ----------
    registry : Registry
    pin : row of ``campaign_instruments``

    Returns
    -------
    Instrument

    Raises
    ------
    StorageError
        When the file's sha256 differs from the pinned one (published versions must not be
        edited), with the message of :func:`survey.instrument.registry.check_pinned`, the one
        check every reader of stored responses applies.
    ValueError
        When the registry does not have that version.
    """
    try:
        return check_pinned(registry, f"{pin.instrument_id}@{pin.version}", pin.sha256)
    except PinnedContentChanged as exc:
        raise StorageError(str(exc)) from None


def check_window(campaign: Campaign) -> None:
    """Raise unless the campaign is open now.

    Parameters
    ----------
    campaign : Campaign

    Raises
    ------
    SubmissionError
        Before ``opens_at`` or after ``closes_at``.
    """
    now = datetime.now(UTC)
    if campaign.opens_at and now < campaign.opens_at:
        raise SubmissionError(
            [AnswerProblem(None, f"the campaign opens on {campaign.opens_at:%Y-%m-%d}")]
        )
    if campaign.closes_at and now > campaign.closes_at:
        raise SubmissionError(
            [AnswerProblem(None, f"the campaign closed on {campaign.closes_at:%Y-%m-%d}")]
        )
