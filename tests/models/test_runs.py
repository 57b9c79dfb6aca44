"""Solve-run leases and the failure path: no run stays "running" once its solve is gone."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import models.planning
from models import entities as e
from models.bridge import Horizon
from models.db import make_engine, session_scope, write_retrying
from models.migrate import alembic_config, upgrade
from models.planning import plan
from models.runs import (
    ENV_LEASE,
    LeaseLost,
    expire_stale_runs,
    lease_seconds,
    mark_failed,
    renew,
)
from models.store import load_files
from scheduler import SolveOptions
from tests.conftest import MINI

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
HORIZON = Horizon.parse("2027-W11..2027-W14")
OPTIONS = SolveOptions(time_limit_seconds=10, workers=1, deterministic=True)


def _run(session: Session, status: str, heartbeat: datetime | None, lease: float = 60) -> int:
    run = e.SolveRun(
        created_at=NOW - timedelta(hours=1),
        first_week="2027-W11",
        last_week="2027-W14",
        status=status,
        heartbeat_at=heartbeat,
        lease_seconds=lease,
        parameters={},
        log="horizon ...",
    )
    session.add(run)
    session.flush()
    return run.id


def _status(engine: Engine) -> dict[int, tuple[str, str]]:
    with session_scope(engine) as session:
        return {r.id: (r.status, r.log) for r in session.scalars(select(e.SolveRun))}


def test_only_runs_whose_lease_expired_are_failed_with_the_reason(engine: Engine) -> None:
    with session_scope(engine) as session:
        dead = _run(session, "running", NOW - timedelta(seconds=61))
        alive = _run(session, "running", NOW - timedelta(seconds=59))
        short = _run(session, "running", NOW - timedelta(seconds=3), lease=2)
        done = _run(session, "optimal", NOW - timedelta(days=1))
    with session_scope(engine) as session:
        assert sorted(expire_stale_runs(session, now=NOW)) == [dead, short]
    runs = _status(engine)
    assert runs[alive][0] == "running" and runs[done][0] == "optimal"
    for run_id in (dead, short):
        status, log = runs[run_id]
        # The log keeps what was there and says why, for the planner reading the run.
        assert status == "failed" and log.startswith("horizon ...\nfailed: its lease expired")
        assert "killed, crashed or lost its database" in log
    with session_scope(engine) as session:  # nothing left to expire: a second look is a no-op
        assert expire_stale_runs(session, now=NOW) == []


def test_a_renewed_lease_keeps_the_run_and_a_failed_run_cannot_be_renewed(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        run_id = _run(session, "running", NOW - timedelta(seconds=120))
        assert renew(session, run_id, now=NOW)
    with session_scope(engine) as session:
        assert expire_stale_runs(session, now=NOW + timedelta(seconds=30)) == []
        assert expire_stale_runs(session, now=NOW + timedelta(seconds=61)) == [run_id]
    with session_scope(engine) as session:
        assert not renew(session, run_id, now=NOW)  # the solve learns it lost its lease


def test_lease_length_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_LEASE, raising=False)
    assert lease_seconds() == 60
    monkeypatch.setenv(ENV_LEASE, "2.5")
    assert lease_seconds() == 2.5
    for bad in ("0", "-1", "soon", "inf"):
        monkeypatch.setenv(ENV_LEASE, bad)
        with pytest.raises(ValueError, match=f"{ENV_LEASE} must be a number of seconds > 0"):
            lease_seconds()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'campus.db'}")
    upgrade(engine)
    return engine


def test_write_retrying_starts_a_locked_transaction_again(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    calls: list[int] = []

    def work(session: Session) -> int:
        calls.append(1)
        session.add(
            e.SolveRun(
                created_at=NOW, first_week="2027-W11", last_week="2027-W11", status="failed"
            )
        )
        session.flush()
        if len(calls) < 3:  # what SQLite says when the busy timeout ran out
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return len(calls)

    assert write_retrying(engine, work) == 3
    assert len(_status(engine)) == 1  # the two failed attempts left nothing behind


def test_write_retrying_gives_up_and_does_not_retry_real_errors(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    calls: list[int] = []

    def locked(_session: Session) -> None:
        calls.append(1)
        raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))

    with pytest.raises(OperationalError, match="database is locked"):
        write_retrying(engine, locked, attempts=2)
    assert len(calls) == 2

    def broken(_session: Session) -> None:
        calls.append(1)
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    with pytest.raises(OperationalError, match="no such table"):
        write_retrying(engine, broken)
    assert len(calls) == 3


def test_the_failure_path_waits_out_a_writer_holding_the_database(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    # The bug of issue 22: marking the run failed also met "database is locked".
    engine = sqlite_engine
    with session_scope(engine) as session:
        run_id = _run(session, "running", NOW)
    blocker = sqlite3.connect(tmp_path / "campus.db", isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another process's write transaction
    blocker.execute("UPDATE solve_runs SET log = 'held' WHERE id != ?", (run_id,))

    release = threading.Timer(0.5, lambda: blocker.execute("COMMIT"))
    release.start()
    try:
        assert mark_failed(engine, run_id, "RuntimeError: boom")
    finally:
        release.join()
        blocker.close()
    assert _status(engine)[run_id] == ("failed", "horizon ...\nfailed: RuntimeError: boom")


def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'campus.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.fixture
def campus(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    return engine


def test_a_solve_that_raises_leaves_a_failed_run_with_the_reason(
    campus: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the solver crashed")

    monkeypatch.setattr(models.planning, "solve", broken)
    with pytest.raises(RuntimeError):
        plan(campus, HORIZON, OPTIONS)
    [(status, log)] = _status(campus).values()
    assert status == "failed" and log.endswith("failed: RuntimeError: the solver crashed")


def test_a_solve_that_lost_its_lease_does_not_store_its_plan(
    campus: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_solve = models.planning.solve

    def solve_while_expired(*args: object) -> object:
        # Another process decides the lease expired (say the database was unreachable).
        with session_scope(campus) as session:
            assert len(expire_stale_runs(session, now=datetime.now(UTC) + timedelta(hours=1)))
        return real_solve(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(models.planning, "solve", solve_while_expired)
    with pytest.raises(LeaseLost, match=r"run \d+ was marked failed while it was solving"):
        plan(campus, HORIZON, OPTIONS)
    [(status, log)] = _status(campus).values()
    assert status == "failed" and "lease expired" in log
    with session_scope(campus) as session:
        assert session.scalars(select(e.Assignment)).all() == []


def test_a_solve_records_its_lease_and_finishes_its_run(campus: Engine) -> None:
    result = plan(campus, HORIZON, OPTIONS)
    with session_scope(campus) as session:
        run = session.get_one(e.SolveRun, result.run_id)
        assert run.status == "optimal" and run.lease_seconds == 60
        assert run.heartbeat_at is not None


def test_migration_gives_runs_left_running_by_an_older_release_a_lease(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'campus.db'}")
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO solve_runs (created_at, first_week, last_week, status, parameters,"
                " components, log) VALUES (:at, '2027-W11', '2027-W11', 'running', '{}', '{}',"
                " '')"
            ),
            {"at": NOW.replace(tzinfo=None)},
        )
        connection.execute(
            text(
                "INSERT INTO publications (version, run_id, published_at, summary)"
                " VALUES (1, 1, :at, '{}')"
            ),
            {"at": NOW.replace(tzinfo=None)},
        )
    upgrade(engine)
    with session_scope(engine) as session:
        run = session.scalars(select(e.SolveRun)).one()
        assert run.heartbeat_at is not None and run.lease_seconds == 60
        # What refers to the run survives (a rebuild of solve_runs would fail or cascade).
        assert len(session.scalars(select(e.Publication)).all()) == 1
        assert expire_stale_runs(session, now=NOW + timedelta(seconds=61)) == [run.id]
    config = alembic_config(str(engine.url))
    with engine.begin() as connection:  # and back, keeping the rows
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM publications")).scalar() == 1
        columns = connection.execute(text("PRAGMA table_info(solve_runs)")).all()
        assert "heartbeat_at" not in {c[1] for c in columns}
