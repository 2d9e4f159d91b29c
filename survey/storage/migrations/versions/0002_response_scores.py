"""response scores and vectors: each submitted response's scale scores and answer array

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Existing submitted responses are scored by :func:`survey.storage.open_store` right after the
upgrade (scoring needs the instrument files, which a migration should not depend on).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "response_scores",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("scale", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("index", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_response_scores_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "scale", name=op.f("pk_response_scores")),
    )
    op.create_table(
        "response_vectors",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_response_vectors_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_response_vectors")),
    )


def downgrade() -> None:
    op.drop_table("response_vectors")
    op.drop_table("response_scores")
