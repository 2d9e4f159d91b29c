"""organisation names unique per consultant instead of across the database

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Two consultants may have clients of the same name; refusing one because of the other told a
consultant about another's clients. Names stay unique among one consultant's clients
(``uq_organisations_consultant_id_name``) and among organisations without a consultant (the
partial index ``uq_organisations_name_unowned``: a unique constraint treats NULLs as distinct).

On SQLite the table is rebuilt (batch mode): :func:`survey.storage.engine.upgrade_database`
turns foreign key enforcement off around the migration, so that dropping the old table does
not run its ``ON DELETE`` actions, and checks the keys before committing. The AUTOINCREMENT
high-water mark is carried over, so that the id of an erased organisation never comes back.

Downgrading restores the database-wide unique name and fails when two consultants' clients
share a name by then.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UNOWNED = sa.text("consultant_id IS NULL")


def _sequence() -> int | None:
    """SQLite's AUTOINCREMENT high-water mark of ``organisations`` (None elsewhere)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    return bind.execute(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'organisations'")
    ).scalar()


def _restore_sequence(seq: int | None) -> None:
    if seq is None:
        return
    bind = op.get_bind()
    bind.execute(
        sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = 'organisations'"),
        {"seq": seq},
    )
    bind.execute(
        sa.text(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'organisations', :seq "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'organisations')"
        ),
        {"seq": seq},
    )


def upgrade() -> None:
    seq = _sequence()
    with op.batch_alter_table(
        "organisations", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.drop_constraint("uq_organisations_name", type_="unique")
        batch.create_unique_constraint(
            "uq_organisations_consultant_id_name", ["consultant_id", "name"]
        )
    _restore_sequence(seq)
    op.create_index(
        "uq_organisations_name_unowned",
        "organisations",
        ["name"],
        unique=True,
        sqlite_where=UNOWNED,
        postgresql_where=UNOWNED,
    )


def downgrade() -> None:
    op.drop_index("uq_organisations_name_unowned", table_name="organisations")
    seq = _sequence()
    with op.batch_alter_table(
        "organisations", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.drop_constraint("uq_organisations_consultant_id_name", type_="unique")
        batch.create_unique_constraint("uq_organisations_name", ["name"])
    _restore_sequence(seq)
