"""group unavailability: periods a group cannot come at all (exams, internship, trip)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_unavailability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "last >= first", name=op.f("ck_group_unavailability_last_not_before_first")
        ),
        sa.CheckConstraint(
            "reason IN ('exam', 'internship', 'trip', 'other')",
            name=op.f("ck_group_unavailability_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_unavailability_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_unavailability")),
    )


def downgrade() -> None:
    op.drop_table("group_unavailability")
