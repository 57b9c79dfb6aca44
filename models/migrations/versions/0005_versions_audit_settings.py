"""versions, audit, settings: row versions (ETags) on API-edited tables, audit_events,
campus_settings, replan_marks

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 19:40:00

Every existing row starts at version 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VERSIONED_TABLES = (
    "partners", "equipment_types", "locations", "location_windows",
    "location_one_off_windows", "location_closures", "holidays", "trainers",
    "trainer_windows", "trainer_absences", "activity_types", "groups", "group_windows",
    "requests",
)  # fmt: skip


def upgrade() -> None:
    for table in VERSIONED_TABLES:
        # A plain ADD COLUMN: a batch rebuild of a referenced table fails under SQLite's
        # foreign keys (see 0003).
        op.add_column(
            table, sa.Column("version", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("actor_key_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'erase')",
            name=op.f("ck_audit_events_action"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_table(
        "campus_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.CheckConstraint("id = 1", name=op.f("ck_campus_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campus_settings")),
    )
    op.create_table(
        "replan_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_session_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_session_id"],
            ["published_sessions.id"],
            name=op.f("fk_replan_marks_published_session_id_published_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replan_marks")),
    )
    op.create_index(
        op.f("ix_replan_marks_published_session_id"), "replan_marks", ["published_session_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_replan_marks_published_session_id"), table_name="replan_marks")
    op.drop_table("replan_marks")
    op.drop_table("campus_settings")
    op.drop_index(op.f("ix_audit_events_at"), table_name="audit_events")
    op.drop_table("audit_events")
    for table in VERSIONED_TABLES:
        op.drop_column(table, "version")
