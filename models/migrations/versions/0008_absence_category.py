"""absence category: trainer_absences.category (sick, leave, training, other)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:00:00

Existing absences get the category their reason text maps to (the table of
models/absences.py as it was when this migration was written, copied here so that a later
change to the table does not change what this migration does), and the reason text is
cleared: no free text about a trainer's health stays in the database. Downgrading writes
the category back into the reason.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_REASON_WORDS = {
    "sick": "sick", "ziek": "sick", "ziekte": "sick", "ziekmelding": "sick",
    "leave": "leave", "verlof": "leave", "vakantie": "leave", "vrij": "leave",
    "holiday": "leave", "vacation": "leave", "zwangerschapsverlof": "leave",
    "training": "training", "cursus": "training", "opleiding": "training", "course": "training",
    "other": "other", "overig": "other", "afwezig": "other",
}  # fmt: skip


def _category(reason: str) -> str:
    for word in re.findall(r"[a-z]+", (reason or "").lower()):
        if word in _REASON_WORDS:
            return _REASON_WORDS[word]
    return "other"


def upgrade() -> None:
    # trainer_absences is referenced by no other table, so SQLite's batch rebuild is safe.
    with op.batch_alter_table("trainer_absences") as batch:
        batch.add_column(
            sa.Column("category", sa.String(length=20), nullable=False, server_default="other")
        )
        batch.create_check_constraint(
            op.f("ck_trainer_absences_category"),
            "category IN ('sick', 'leave', 'training', 'other')",
        )
    bind = op.get_bind()
    table = sa.table(
        "trainer_absences",
        sa.column("id", sa.Integer()),
        sa.column("reason", sa.String()),
        sa.column("category", sa.String()),
    )
    rows = bind.execute(sa.select(table.c.id, table.c.reason)).all()
    for row_id, reason in rows:
        bind.execute(
            table.update()
            .where(table.c.id == row_id)
            .values(category=_category(reason), reason="")
        )


def downgrade() -> None:
    bind = op.get_bind()
    table = sa.table(
        "trainer_absences", sa.column("reason", sa.String()), sa.column("category", sa.String())
    )
    bind.execute(table.update().values(reason=table.c.category))
    with op.batch_alter_table("trainer_absences") as batch:
        batch.drop_constraint(op.f("ck_trainer_absences_category"), type_="check")
        batch.drop_column("category")
