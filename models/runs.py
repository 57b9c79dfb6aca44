"""Solve-run leases: a running solve proves it is alive, so a dead one becomes a failed run.

A solve holds a lease on its run: the watch thread of models/run_watch.py writes the run's
``heartbeat_at`` every quarter of ``lease_seconds``, each time in its own short transaction.
Whoever looks at runs (solve start, publish, explain, server start-up) calls
``expire_stale_runs``: a run still queued or ``running`` whose last heartbeat is older than
its lease is marked ``failed``, with the reason in its log. The lease needs no process ids:
a solve may run in a worker process or on another machine; only the database and the
clocks (kept by NTP) are shared. (The local runner also uses the pid of its own server to
fail, at start-up, the runs of a server that died: docs/runner.md.)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.orm import Session

from models import entities as e
from models.db import write_retrying

ENV_LEASE = "CAMPUS_RUN_LEASE_SECONDS"
DEFAULT_LEASE_SECONDS = 60.0

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class LeaseLost(RuntimeError):
    """The run was marked failed while this process was still solving it."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def lease_seconds() -> float:
    """The lease a new run takes: ``$CAMPUS_RUN_LEASE_SECONDS``, default 60 s."""
    text = os.environ.get(ENV_LEASE, "").strip()
    if not text:
        return DEFAULT_LEASE_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{ENV_LEASE} must be a number of seconds > 0 (got {text!r})")
    return value


def renew(session: Session, run_id: int, *, now: datetime) -> bool:
    """Move the run's heartbeat to ``now``; False when the run is no longer ``running``.

    One conditional UPDATE, so it also takes the write lock: whatever the caller writes
    after it in the same transaction cannot race an expiry.
    """
    result = session.execute(
        update(e.SolveRun)
        .where(e.SolveRun.id == run_id, e.SolveRun.status == "running")
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _append(log_text: str, line: str) -> str:
    return f"{log_text}\n{line}" if log_text else line


def expire_stale_runs(session: Session, *, now: datetime | None = None) -> list[int]:
    """Mark every ``running`` or ``queued`` run whose lease expired as ``failed``; their ids.

    A queued run's lease counts from its creation: no worker took it in time.

    Each run is changed only if its heartbeat is still too old when written (compare and
    set), so a solve that renews at the same moment keeps its run.
    """
    moment = _as_utc(now or utc_now())
    expired: list[int] = []
    running = session.execute(
        select(
            e.SolveRun.id,
            e.SolveRun.created_at,
            e.SolveRun.heartbeat_at,
            e.SolveRun.lease_seconds,
            e.SolveRun.log,
            e.SolveRun.status,
        ).where(e.SolveRun.status.in_(e.ACTIVE_RUN_STATUSES))
    ).all()
    for run_id, created_at, heartbeat_at, lease, log_text, status in running:
        last = _as_utc(heartbeat_at or created_at)
        if moment - last <= timedelta(seconds=lease):
            continue
        reason = (
            f"failed: its lease expired at {moment:%Y-%m-%d %H:%M:%S} UTC, no heartbeat since "
            f"{last:%Y-%m-%d %H:%M:%S} UTC (lease {lease:g} s): the solving process was "
            "killed, crashed or lost its database"
        )
        cutoff = moment - timedelta(seconds=lease)
        still_stale = or_(
            e.SolveRun.heartbeat_at < cutoff,
            and_(e.SolveRun.heartbeat_at.is_(None), e.SolveRun.created_at < cutoff),
        )
        result = session.execute(
            update(e.SolveRun)
            .where(e.SolveRun.id == run_id, e.SolveRun.status == status, still_stale)
            .values(status="failed", log=_append(log_text or "", reason))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            log.warning("run %d: %s", run_id, reason)
            expired.append(run_id)
    return expired


def expire_stale_runs_now(engine: Engine) -> list[int]:
    """``expire_stale_runs`` in its own short transaction, retried while the database is busy."""
    return write_retrying(engine, lambda session: expire_stale_runs(session), what="expire runs")


def mark_failed(engine: Engine, run_id: int, reason: str) -> bool:
    """Fail a run still ``running`` or ``queued`` with ``reason`` in its log; False if not.

    Retried while the database is busy; when even that fails the error is logged, not
    raised (the caller is already failing), and the run's lease expires it later.
    """

    def fail(session: Session) -> bool:
        return end_active(session, run_id, "failed", f"failed: {reason}")

    try:
        return write_retrying(engine, fail, what=f"mark run {run_id} failed")
    except Exception:
        log.exception("run %d could not be marked failed; its lease will expire it", run_id)
        return False


def end_active(session: Session, run_id: int, status: str, line: str) -> bool:
    """Move a ``queued`` or ``running`` run to ``status`` with ``line`` in its log.

    Compare and set: False when the run had already ended (a stored plan stays stored).
    """
    run = session.get(e.SolveRun, run_id, populate_existing=True)
    if run is None or run.status not in e.ACTIVE_RUN_STATUSES:
        return False
    result = session.execute(
        update(e.SolveRun)
        .where(e.SolveRun.id == run_id, e.SolveRun.status == run.status)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(run)
    run.log = _append(run.log or "", line)
    if run.snapshot_at is not None and run.wall_seconds is None:  # how long it ran
        ran = utc_now() - _as_utc(run.snapshot_at)
        run.wall_seconds = round(max(0.0, ran.total_seconds()), 3)
    return True


def mark_cancelled(engine: Engine, run_id: int, *, now: datetime | None = None) -> bool:
    """End a run whose cancel was requested as ``cancelled``; False if it had ended."""
    moment = _as_utc(now or utc_now())
    line = f"cancelled at {moment:%Y-%m-%d %H:%M:%S} UTC, as requested; no plan was stored"
    return write_retrying(
        engine,
        lambda session: end_active(session, run_id, "cancelled", line),
        what=f"mark run {run_id} cancelled",
    )
