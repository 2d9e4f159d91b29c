"""Database URLs, engines and retries.

The embedded default is a SQLite file under ``./data/`` in WAL mode (readers never block the
writer), with foreign keys on and a busy timeout. SQLite allows one writer at a time; write
transactions here start with ``BEGIN IMMEDIATE`` so that a writer waits for the lock up front
instead of failing half-way when a read turns into a write, and :func:`retrying` repeats a
transaction with exponential backoff when the database still reports itself locked (or, on
PostgreSQL, when a transaction was chosen as a deadlock or serialisation victim).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from survey import settings

T = TypeVar("T")

#: How long a SQLite connection waits for the write lock before reporting it busy (ms).
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Attempts of one transaction before a lock or deadlock error is given up on.
MAX_ATTEMPTS = 12


def database_url(url: str | None = None) -> URL:
    """The URL to use: ``url``, else ``COCREATE_DATABASE_URL``, else the embedded SQLite file.

    Plain ``postgresql://`` URLs are given the psycopg 3 driver.

    >>> str(database_url("postgresql://u@localhost/db"))
    'postgresql+psycopg://u@localhost/db'
    >>> database_url("sqlite:///data/x.db").database
    'data/x.db'
    """
    parsed = make_url(url or settings.get("database_url"))
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def make_engine(url: str | URL | None = None, **options: Any) -> Engine:
    """An engine for ``url`` with the pragmas, pooling and transaction style this package needs.

    ``options`` go to :func:`sqlalchemy.create_engine` (e.g. ``poolclass``).
    """
    parsed = url if isinstance(url, URL) else database_url(url)
    if is_sqlite(parsed):
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **options,
        )
        _configure_sqlite(engine)
        return engine
    defaults: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 30}
    if "poolclass" in options:
        defaults = {"pool_pre_ping": True}
    return create_engine(parsed, **(defaults | options))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN is switched off so that we can issue BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL: a committed answer survives a power cut, not just a killed process.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("cocreate_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        if "database is locked" in text or "database is busy" in text:
            return True
    if isinstance(exc, DBAPIError):
        # PostgreSQL: serialization_failure, deadlock_detected.
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code in ("40001", "40P01"):
            return True
    return False


def retrying(action: Callable[[], T], *, attempts: int = MAX_ATTEMPTS) -> T:
    """Run ``action`` (a whole transaction), repeating it with jittered backoff on lock errors."""
    delay = 0.01
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except DBAPIError as exc:
            if attempt == attempts or not _retryable(exc):
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")  # pragma: no cover


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | URL | None = None) -> Any:
    """An Alembic config for the package's migrations (no ``alembic.ini`` needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision (no writes when it is current)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return
    with engine.connect().execution_options(cocreate_write=True) as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table: with foreign keys enforced, dropping the old
            # table would run its ON DELETE actions (cascading into campaigns). The pragma only
            # takes effect outside a transaction, so it is set on the driver's connection before
            # the migration's transaction begins, the keys are checked before the commit, and
            # enforcement is back on before the connection returns to the pool.
            sqlite_pragma(connection, "PRAGMA foreign_keys = OFF")
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                sqlite_pragma(connection, "PRAGMA foreign_keys = ON")


def sqlite_pragma(connection: Connection, pragma: str) -> None:
    """Run ``pragma`` on the SQLite driver connection itself, outside any transaction.

    ``PRAGMA foreign_keys`` has no effect inside a transaction, and SQLAlchemy would begin one
    for a statement run through ``connection``; the driver's connection (without implicit
    transactions, see :func:`make_engine`) takes it at once.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        A SQLite connection not in a transaction.
    pragma : str
        The statement, e.g. ``PRAGMA foreign_keys = OFF``.
    """
    driver = connection.connection.driver_connection
    driver.execute(pragma)  # type: ignore[union-attr]


def fetch_plain(conn: Connection, statement: Any) -> list[Any]:
    """Rows of ``statement`` as plain driver tuples.

    Building SQLAlchemy ``Row`` objects costs more than the query itself for millions of
    answers; the statement is compiled by SQLAlchemy (with its parameter conversions) and run on
    the connection's own driver cursor, inside the transaction already begun.
    """
    compiled = statement.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    processors = compiled._bind_processors
    values = {
        key: processors[key](value) if key in processors else value for key, value in params.items()
    }
    args: Any = (
        tuple(values[key] for key in compiled.positiontup or ()) if compiled.positional else values
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, args)
        return list(cursor.fetchall())
    finally:
        cursor.close()
