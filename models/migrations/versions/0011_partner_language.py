"""partner language: partners.language, the preferred language (nl or en), Dutch by default

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-06 20:00:00

Every existing partner gets "nl".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with its CHECK as a column constraint: a batch rebuild of a
    # referenced table fails under SQLite's foreign keys (see 0003).
    op.add_column(
        "partners",
        sa.Column(
            "language",
            sa.String(length=2),
            sa.CheckConstraint("language IN ('nl', 'en')", name=op.f("ck_partners_language")),
            nullable=False,
            server_default="nl",
        ),
    )


def downgrade() -> None:
    op.drop_column("partners", "language")
