"""request life cycle: submitted -> accepted | declined, withdrawn; decline reason and
decision/withdrawal times

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-06 20:00:00

Existing ``open`` requests become ``accepted``: until now ``open`` requests were planned
exactly like accepted ones, so this keeps every plan as it is (making them ``submitted``
would silently take them out of the next solve). The CHECK constraint on ``status`` changes;
on SQLite that is done by rewriting the table's stored definition (the documented
``writable_schema`` procedure for changing a CHECK constraint), because a batch rebuild of
``requests`` would drop the table, and with foreign keys on SQLite then deletes the rows that
refer to it (request groups, assignments, published sessions).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD = "status IN ('open', 'accepted', 'withdrawn')"
NEW = "status IN ('submitted', 'accepted', 'declined', 'withdrawn')"
BOTH = "status IN ('open', 'submitted', 'accepted', 'declined', 'withdrawn')"
NAME = "ck_requests_status"


def _swap_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(NAME), "requests", type_="check")
        op.create_check_constraint(op.f(NAME), "requests", new)
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'requests'"
    ).scalar_one()
    if old not in sql:
        raise RuntimeError(f"requests: expected the CHECK {old!r} in {sql!r}")
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'requests'",
        (sql.replace(old, new),),
    )
    bind.exec_driver_sql("PRAGMA writable_schema = RESET")


def upgrade() -> None:
    op.execute("UPDATE requests SET status = 'accepted' WHERE status = 'open'")
    _swap_check(OLD, NEW)
    op.add_column(
        "requests", sa.Column("decline_reason", sa.Text(), nullable=False, server_default="")
    )
    op.add_column("requests", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "requests",
        sa.Column("decided_by", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column("requests", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35), not a batch rebuild (see the module docstring).
    for column in ("withdrawn_at", "decided_by", "decided_at", "decline_reason"):
        op.drop_column("requests", column)
    # The old life cycle had no submitted or declined: a submitted request was "open", a
    # declined one is not planned, like a withdrawn one.
    _swap_check(NEW, BOTH)  # while the rows change, both generations of statuses are valid
    op.execute("UPDATE requests SET status = 'withdrawn' WHERE status = 'declined'")
    op.execute("UPDATE requests SET status = 'open' WHERE status = 'submitted'")
    _swap_check(BOTH, OLD)
