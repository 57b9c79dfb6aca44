"""solve_runs.progress_group_travel / progress_trainer_travel: travel in a solve's progress

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:15:00

The travel minutes (groups, trainers) of the plan a running solve last reported, so the
planner watching it sees what the plan costs in travel. Nullable: runs solved before this
revision, and engines that cannot tell, leave them empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ("progress_group_travel", "progress_trainer_travel")


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch rebuild (as in 0012).
    for name in COLUMNS:
        op.add_column("solve_runs", sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35), not a batch rebuild.
    for name in reversed(COLUMNS):
        op.drop_column("solve_runs", name)
