"""Row-level helpers shared by the store's modules, the importers and the demo data.

The database's clock (naive UTC), the form in which invitation tokens are kept, and the bulk
inserts of organisations, campaigns (with their pinned instrument versions) and answers. They
check nothing: callers validate names, rights and values first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.dialects import postgresql, sqlite

from survey.instrument.model import Instrument
from survey.storage import models as m


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the database stores.

    Returns
    -------
    datetime.datetime
        Naive (``tzinfo`` ``None``), in UTC.

    Examples
    --------
    >>> utcnow().tzinfo is None
    True
    """
    return datetime.now(UTC).replace(tzinfo=None)


def to_db_time(value: datetime | None) -> datetime | None:
    """``value`` as the database stores it: aware datetimes turn into naive UTC.

    Parameters
    ----------
    value : datetime.datetime or None
        Naive values are taken to be UTC already and pass unchanged.

    Returns
    -------
    datetime.datetime or None

    Examples
    --------
    >>> from datetime import timedelta, timezone
    >>> to_db_time(datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))))
    datetime.datetime(2026, 1, 1, 10, 0)
    >>> to_db_time(None) is None
    True
    """
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db_time(value: datetime | None) -> datetime | None:
    """A stored (naive UTC) time as an aware UTC datetime.

    Parameters
    ----------
    value : datetime.datetime or None

    Returns
    -------
    datetime.datetime or None

    Examples
    --------
    >>> from_db_time(datetime(2026, 1, 1)).isoformat()
    '2026-01-01T00:00:00+00:00'
    """
    return None if value is None else value.replace(tzinfo=UTC)


def token_hash(token: str) -> str:
    """SHA-256 of an invitation token, the only form in which tokens are stored.

    Parameters
    ----------
    token : str

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> token_hash("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def insert_organisation(
    conn: Connection,
    *,
    name: str,
    industry: str,
    size_band: str,
    region: str,
    created_at: datetime,
    consultant_id: int | None = None,
) -> int:
    """Insert one organisation row (callers check names and rights).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    name, industry, size_band, region : str
    created_at : datetime.datetime
        Naive UTC (:func:`utcnow`).
    consultant_id : int, optional

    Returns
    -------
    int
        The new organisation's id.
    """
    return int(
        conn.execute(
            insert(m.Organisation)
            .values(
                name=name,
                industry=industry,
                size_band=size_band,
                region=region,
                consultant_id=consultant_id,
                created_at=created_at,
            )
            .returning(m.Organisation.id)
        ).scalar_one()
    )


def insert_campaign(
    conn: Connection,
    *,
    organisation_id: int,
    name: str,
    sides: Iterable[str],
    instruments: Sequence[Instrument],
    created_at: datetime,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> int:
    """Insert a campaign and pin its instrument versions in order.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    organisation_id : int
    name : str
    sides : iterable of str
        Stored comma-separated.
    instruments : sequence of Instrument
        Pinned by id, version and sha256, in this order.
    created_at, opens_at, closes_at : datetime.datetime
        Naive UTC.

    Returns
    -------
    int
        The new campaign's id.
    """
    campaign_id = int(
        conn.execute(
            insert(m.Campaign)
            .values(
                organisation_id=organisation_id,
                name=name,
                sides=",".join(sides),
                opens_at=opens_at,
                closes_at=closes_at,
                created_at=created_at,
            )
            .returning(m.Campaign.id)
        ).scalar_one()
    )
    conn.execute(
        insert(m.CampaignInstrument),
        [
            {
                "campaign_id": campaign_id,
                "instrument_id": inst.id,
                "version": inst.version,
                "sha256": inst.sha256,
                "position": position,
            }
            for position, inst in enumerate(instruments)
        ],
    )
    return campaign_id


def insert_answers(conn: Connection, rows: list[tuple[int, str, int | None, bool]]) -> None:
    """Bulk insert ``(response_id, item_id, value, not_applicable)`` rows on the driver.

    Used by the demo and imports, where SQLAlchemy's per-row parameter handling would cost
    more than the database's work.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a write transaction.
    rows : list of tuple
        ``(response_id, item_id, value, not_applicable)``; ``value`` ``None`` when not
        applicable. Sent in batches of 50,000.

    Returns
    -------
    None
    """
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    statement = (
        "INSERT INTO answers (response_id, item_id, value, not_applicable) "
        f"VALUES ({mark}, {mark}, {mark}, {mark})"
    )
    for start in range(0, len(rows), 50_000):
        conn.exec_driver_sql(statement, rows[start : start + 50_000])


def dialect_insert(conn: Connection, table: Any) -> Any:
    """An ``INSERT`` of the connection's dialect, so that ``on_conflict_do_nothing`` and
    ``on_conflict_do_update`` (SQLite and PostgreSQL spell them alike) are available.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    table : sqlalchemy.Table

    Returns
    -------
    sqlalchemy.sql.dml.Insert
        PostgreSQL's on a PostgreSQL connection, SQLite's otherwise.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
