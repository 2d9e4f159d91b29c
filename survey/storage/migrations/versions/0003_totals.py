"""campaign scale totals and instrument sums: running aggregates of submitted responses

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Both tables are derived from ``response_vectors`` and ``response_scores``; they are filled for
existing responses by :func:`survey.storage.open_store` right after the upgrade (the sums need
the instrument files, which a migration should not depend on). The ``meta`` row
``totals_built`` records that the totals hold every response: set here when there is no
response yet, and by the rebuild otherwise.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_scale_totals",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=30), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("scale", sa.String(length=100), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("index_sum", sa.Float(), nullable=False),
        sa.Column("index_squares", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_scale_totals_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id",
            "instrument_id",
            "version",
            "side",
            "scale",
            name=op.f("pk_campaign_scale_totals"),
        ),
    )
    op.create_index(
        "ix_campaign_scale_totals_instrument",
        "campaign_scale_totals",
        ["instrument_id", "version", "side"],
    )
    op.create_table(
        "instrument_sums",
        sa.Column("instrument_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=30), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "instrument_id", "version", "side", name=op.f("pk_instrument_sums")
        ),
    )

    op.execute(
        "INSERT INTO meta (key, value) SELECT 'totals_built', 1 "
        "WHERE NOT EXISTS (SELECT 1 FROM response_vectors)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM meta WHERE key = 'totals_built'")
    op.drop_table("instrument_sums")
    op.drop_index("ix_campaign_scale_totals_instrument", table_name="campaign_scale_totals")
    op.drop_table("campaign_scale_totals")
