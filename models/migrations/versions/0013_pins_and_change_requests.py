"""pins and change requests: sessions kept in every later solve; parties asking to cancel or
move one published session

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-06 23:00:00

Two new tables; nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("session_index", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("session_index >= 1", name=op.f("ck_pins_session_index_positive")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_pins_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pins")),
        sa.UniqueConstraint("request_id", "session_index", name=op.f("uq_pins_request_id")),
    )
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("wish", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("asked_role", sa.String(length=20), nullable=False),
        sa.Column("asked_partner", sa.String(length=80), nullable=True),
        sa.Column("asked_trainer", sa.String(length=80), nullable=True),
        sa.Column("asked_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("kind IN ('cancel', 'move')", name=op.f("ck_change_requests_kind")),
        sa.CheckConstraint(
            "status IN ('open', 'moved', 'cancelled', 'refused')",
            name=op.f("ck_change_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["published_session_id"],
            ["published_sessions.id"],
            name=op.f("fk_change_requests_published_session_id_published_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["solve_runs.id"],
            name=op.f("fk_change_requests_run_id_solve_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    op.create_index(
        op.f("ix_change_requests_published_session_id"),
        "change_requests",
        ["published_session_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_change_requests_published_session_id"), table_name="change_requests")
    op.drop_table("change_requests")
    op.drop_table("pins")
