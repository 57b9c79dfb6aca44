"""notices: change notices after publishing, request decisions and planner alerts, with the
state of their e-mail

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-06 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("party_role", sa.String(length=20), nullable=False),
        sa.Column("party_key", sa.String(length=80), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("email_to", sa.String(length=200), nullable=False),
        sa.Column("email_status", sa.String(length=20), nullable=False),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_error", sa.String(length=500), nullable=False),
        sa.Column("email_tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('plan_changes', 'request_decision', 'session_request_decision', "
            "'planner_alert')",
            name=op.f("ck_notices_kind"),
        ),
        sa.CheckConstraint(
            "party_role IN ('school', 'company', 'trainer', 'planner')",
            name=op.f("ck_notices_party_role"),
        ),
        sa.CheckConstraint("language IN ('nl', 'en')", name=op.f("ck_notices_language")),
        sa.CheckConstraint(
            "email_status IN ('pending', 'sending', 'sent', 'failed', 'no_address', 'mail_off')",
            name=op.f("ck_notices_email_status"),
        ),
        sa.CheckConstraint(
            "email_attempts >= 0", name=op.f("ck_notices_email_attempts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_notices_publication_id_publications"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index(op.f("ix_notices_created_at"), "notices", ["created_at"])
    op.create_index(op.f("ix_notices_publication_id"), "notices", ["publication_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notices_publication_id"), table_name="notices")
    op.drop_index(op.f("ix_notices_created_at"), table_name="notices")
    op.drop_table("notices")
