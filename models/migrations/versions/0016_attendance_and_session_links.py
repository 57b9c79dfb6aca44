"""attendance of published sessions, and the campus secret that signs session-page links

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-06 22:40:00

``session_attendance``: one row per published session that a trainer or planner marked held
(with the number who attended) or not held. ``campus_secrets``: secrets the campus generates
for itself; this migration generates ``session-links`` (256 random bits), which signs the
``/sessions/<uid>`` links of the calendar feeds, so that every database has its own and no
secret is ever part of the repository.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_session_id", sa.Integer(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marked_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.CheckConstraint(
            "attended IS NULL OR attended >= 0",
            name=op.f("ck_session_attendance_attended_not_negative"),
        ),
        sa.CheckConstraint(
            "held OR attended IS NULL", name=op.f("ck_session_attendance_attended_only_if_held")
        ),
        sa.ForeignKeyConstraint(
            ["published_session_id"],
            ["published_sessions.id"],
            name=op.f("fk_session_attendance_published_session_id_published_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attendance")),
        sa.UniqueConstraint(
            "published_session_id", name=op.f("uq_session_attendance_published_session_id")
        ),
    )
    secrets_table = op.create_table(
        "campus_secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_campus_secrets")),
    )
    op.bulk_insert(
        secrets_table,
        [
            {
                "name": "session-links",
                "value": secrets.token_urlsafe(32),
                "created_at": datetime.now(UTC),
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("campus_secrets")
    op.drop_table("session_attendance")
