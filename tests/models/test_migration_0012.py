"""Migration 0012 (background solves) down and up again, keeping every run and its plan.

Down: queued and cancelled runs become failed runs that say why (the old statuses have
neither), the new columns go. Up: the counts of older runs come back from their log lines.
Assignments and publications survive both ways (a table rebuild would have cascaded them).
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, func, inspect, select, text

from models import entities as e
from models.bridge import Horizon
from models.db import session_scope
from models.migrate import alembic_config, upgrade
from models.planning import plan, start_run
from models.publish import publish
from models.store import load_files
from scheduler import SolveOptions
from tests.conftest import MINI


def test_0012_goes_down_and_up_keeping_runs_plans_and_counts(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    options = SolveOptions(time_limit_seconds=5, deterministic=True)
    solved = plan(engine, Horizon("2027-W12", "2027-W13"), options, now=datetime(2027, 3, 1, 8))
    with session_scope(engine) as session:
        publish(session, now=datetime(2027, 1, 14, 8, tzinfo=UTC))
    queued = start_run(engine, Horizon.parse("2027-W20"), options, status="queued", runner="t")
    cancelled = start_run(engine, Horizon.parse("2027-W21"), options, status="queued", runner="t")
    with session_scope(engine) as session:
        session.get_one(e.SolveRun, cancelled).status = "cancelled"
        assignments = session.scalar(select(func.count()).select_from(e.Assignment))
    assert assignments

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("solve_runs")}
        assert "requests_total" not in columns and "cancel_requested_at" not in columns
        rows = dict(connection.execute(text("SELECT id, status FROM solve_runs")).all())
        assert rows == {solved.run_id: solved.solution.status.value, queued: "failed",
                        cancelled: "failed"}  # fmt: skip
        log = connection.execute(
            text("SELECT log FROM solve_runs WHERE id = :id"), {"id": cancelled}
        ).scalar_one()
        assert log.endswith("failed: was cancelled before the downgrade to revision 0010")
        assert connection.execute(text("SELECT count(*) FROM assignments")).scalar() == assignments
        assert connection.execute(text("SELECT count(*) FROM publications")).scalar() == 1

    upgrade(engine)
    with session_scope(engine) as session:
        run = session.get_one(e.SolveRun, solved.run_id)
        assert run.requests_total == len(solved.problem.requests)
        assert run.requests_scheduled == len(solved.solution.scheduled)
        assert len(run.assignments) == assignments
        assert session.get_one(e.SolveRun, queued).requests_total is None
    # the new statuses are accepted again
    with session_scope(engine) as session:
        session.get_one(e.SolveRun, queued).status = "cancelled"
