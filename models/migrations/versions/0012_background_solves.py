"""background solves: queued and cancelled runs, live progress, counts, a cancel request

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-06 22:40:00

solve_runs gains the statuses ``queued`` (accepted, no worker has taken it yet) and
``cancelled``; the live progress a worker writes while solving (``progress_*``); the time
the data snapshot was taken (``snapshot_at``); how many requests the run planned and
scheduled (``requests_total``, ``requests_scheduled``: until now only the log said, so the
existing runs get them from their log lines); a cancel request (``cancel_requested_at``);
and which runner runs it (``runner``).

The CHECK constraint on ``status`` changes; on SQLite by rewriting the table's stored
definition, as 0010 does for requests: a batch rebuild of ``solve_runs`` would drop the
table, and with foreign keys on SQLite then deletes the assignments and publications that
refer to it.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

OLD = "status IN ('running', 'optimal', 'feasible', 'infeasible', 'unknown', 'failed')"
NEW = (
    "status IN ('queued', 'running', 'optimal', 'feasible', 'infeasible', 'unknown', "
    "'failed', 'cancelled')"
)
NAME = "ck_solve_runs_status"
COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("snapshot_at", sa.DateTime(timezone=True)),
    ("progress_at", sa.DateTime(timezone=True)),
    ("progress_seconds", sa.Float()),
    ("progress_objective", sa.Float()),
    ("progress_bound", sa.Float()),
    ("progress_gap", sa.Float()),
    ("progress_placed", sa.Integer()),
    ("requests_total", sa.Integer()),
    ("requests_scheduled", sa.Integer()),
    ("cancel_requested_at", sa.DateTime(timezone=True)),
)
# The summary lines models/planning.run_log has always written.
_REQUESTS = re.compile(r"^horizon \S+, (\d+) requests$", re.MULTILINE)
_SCHEDULED = re.compile(r"^scheduled (\d+), unscheduled (\d+)", re.MULTILINE)


def _swap_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(NAME), "solve_runs", type_="check")
        op.create_check_constraint(op.f(NAME), "solve_runs", new)
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'solve_runs'"
    ).scalar_one()
    if old not in sql:
        raise RuntimeError(f"solve_runs: expected the CHECK {old!r} in {sql!r}")
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'solve_runs'",
        (sql.replace(old, new),),
    )
    bind.exec_driver_sql("PRAGMA writable_schema = RESET")


def _counts_from_logs() -> None:
    bind = op.get_bind()
    runs = sa.table(
        "solve_runs",
        sa.column("id", sa.Integer()),
        sa.column("log", sa.Text()),
        sa.column("requests_total", sa.Integer()),
        sa.column("requests_scheduled", sa.Integer()),
    )
    for run_id, text in bind.execute(sa.select(runs.c.id, runs.c.log)).all():
        requests = _REQUESTS.search(text or "")
        scheduled = _SCHEDULED.search(text or "")
        if requests is None and scheduled is None:
            continue
        bind.execute(
            runs.update()
            .where(runs.c.id == run_id)
            .values(
                requests_total=int(requests.group(1)) if requests else None,
                requests_scheduled=int(scheduled.group(1)) if scheduled else None,
            )
        )


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch rebuild (see the module docstring).
    for name, kind in COLUMNS:
        op.add_column("solve_runs", sa.Column(name, kind, nullable=True))
    op.add_column(
        "solve_runs",
        sa.Column("runner", sa.String(length=200), nullable=False, server_default=""),
    )
    _counts_from_logs()
    _swap_check(OLD, NEW)


def downgrade() -> None:
    # The old statuses have neither queued nor cancelled: both never stored a plan, so they
    # become failed runs that say why.
    op.execute(
        "UPDATE solve_runs SET status = 'failed', "
        "log = log || CASE WHEN log = '' THEN '' ELSE char(10) END "
        "|| 'failed: was ' || status || ' before the downgrade to revision 0010' "
        "WHERE status IN ('queued', 'cancelled')"
        if op.get_bind().dialect.name == "sqlite"
        else "UPDATE solve_runs SET status = 'failed', "
        "log = log || CASE WHEN log = '' THEN '' ELSE chr(10) END "
        "|| 'failed: was ' || status || ' before the downgrade to revision 0010' "
        "WHERE status IN ('queued', 'cancelled')"
    )
    _swap_check(NEW, OLD)
    # Plain DROP COLUMN (SQLite >= 3.35), not a batch rebuild.
    op.drop_column("solve_runs", "runner")
    for name, _kind in reversed(COLUMNS):
        op.drop_column("solve_runs", name)
