"""Alembic environment: runs on the connection that :func:`survey.storage.open_store` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from survey.storage.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        from survey.storage.engine import make_engine, sqlite_pragma

        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # As in upgrade_database: a batch rebuild must not run ON DELETE actions.
                sqlite_pragma(conn, "PRAGMA foreign_keys = OFF")
            config.attributes["connection"] = conn
            run_migrations_online()
        engine.dispose()
        return
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several app instances may start at once: one migrates, the others wait.
            connection.execute(text("SELECT pg_advisory_xact_lock(727272)"))
        context.run_migrations()


# Only when Alembic runs this file (pytest's doctest collection merely imports it).
if hasattr(context, "config"):
    if context.is_offline_mode():
        raise SystemExit("offline migrations are not supported; run 'cocreate db upgrade'")
    run_migrations_online()
