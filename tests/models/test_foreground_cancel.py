"""A foreground solve (`campus solve`'s path) whose run is cancelled meanwhile stores nothing.

The cancel request is seen within about a second and the run ends as ``cancelled`` at once;
the solve in this process still returns (at its time limit) and then refuses to store.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from models import entities as e
from models.bridge import Horizon
from models.db import session_scope, write_retrying
from models.planning import RunCancelled, plan
from models.runner import request_cancel
from scheduler import SolveOptions
from tests.http.solve_jobs_helpers import LONG_WEEKS, load_long_campus, wait_for


def test_a_cancelled_foreground_solve_ends_cancelled_and_stores_no_plan(engine: Engine) -> None:
    load_long_campus(engine)
    outcome: list[BaseException] = []

    def solve() -> None:
        try:
            plan(engine, Horizon.parse(LONG_WEEKS), SolveOptions(time_limit_seconds=3, seed=1),
                 now=datetime(2027, 1, 15, 12))  # fmt: skip
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=solve)
    thread.start()

    def running() -> int | None:
        with session_scope(engine) as session:
            run = session.query(e.SolveRun).one_or_none()
            return run.id if run is not None and run.progress_at is not None else None

    run_id = wait_for("the solve to report progress", running)
    write_retrying(engine, lambda s: request_cancel(s, run_id, now=datetime.now(UTC)))

    def status() -> str | None:
        with session_scope(engine) as session:
            found = session.get_one(e.SolveRun, run_id).status
            return found if found != "running" else None

    assert wait_for("the run to end", status) == "cancelled"
    thread.join()
    assert len(outcome) == 1 and isinstance(outcome[0], RunCancelled)
    with pytest.raises(RunCancelled, match="its plan was not stored"):
        raise outcome[0]
    with session_scope(engine) as session:
        run = session.get_one(e.SolveRun, run_id)
        assert run.status == "cancelled" and run.assignments == []
        assert "cancelled at" in run.log
