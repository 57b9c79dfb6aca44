"""run lease: heartbeat_at and lease_seconds on solve_runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 17:05:00

Runs that are "running" when this migration runs get their creation time as their last
heartbeat, so a run left behind by a killed solve of an older release expires at the next
look instead of staying "running" for good.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("solve_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("lease_seconds", sa.Float(), nullable=False, server_default="60")
        )
    op.execute("UPDATE solve_runs SET heartbeat_at = created_at WHERE status = 'running'")
    # The server default stays: dropping it would make SQLite rebuild the table, and with
    # foreign keys on, dropping the old solve_runs fails on the publications that refer to
    # it (and would cascade into assignments).


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), not a batch rebuild (see above).
    op.drop_column("solve_runs", "lease_seconds")
    op.drop_column("solve_runs", "heartbeat_at")
