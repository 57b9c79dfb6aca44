"""api keys: bearer keys of the HTTP API (hash only)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("partner_key", sa.String(length=80), nullable=True),
        sa.Column("trainer_key", sa.String(length=80), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('planner', 'company', 'school', 'trainer')", name=op.f("ck_api_keys_role")
        ),
        sa.CheckConstraint(
            "(partner_key IS NOT NULL) = (role IN ('company', 'school'))",
            name=op.f("ck_api_keys_partner_iff_role"),
        ),
        sa.CheckConstraint(
            "(trainer_key IS NOT NULL) = (role = 'trainer')",
            name=op.f("ck_api_keys_trainer_iff_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
