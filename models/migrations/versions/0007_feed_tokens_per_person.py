"""feed tokens per person: several labelled tokens per subject, and when each was last fetched

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 19:40:00

One working token per (view, subject) becomes one per (view, subject, label): a school can
give each teacher their own feed URL and revoke one without the others. Existing tokens keep
their labels (most are empty) and have never been fetched as far as the database knows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("uq_feed_tokens_view"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_feed_tokens_view"), ["view", "subject_key", "label", "active"]
        )


def downgrade() -> None:
    several = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT view, subject_key FROM feed_tokens WHERE active IS NOT NULL "
                "GROUP BY view, subject_key HAVING COUNT(*) > 1"
            )
        )
        .first()
    )
    if several is not None:
        raise RuntimeError(
            f"the {several[0]} {several[1] or 'campus'} has several working feed tokens; the "
            "older schema allows one per subject: revoke the others (campus feeds revoke ID) "
            "before downgrading"
        )
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_feed_tokens_view"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_feed_tokens_view"), ["view", "subject_key", "active"]
        )
        batch_op.drop_column("last_fetched_at")
