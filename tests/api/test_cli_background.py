"""`campus solve --background`, `campus runs cancel` and the progress in `campus runs show`.

The mini campus over 2027-W12..W13 (the start of daylight saving time), SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.bridge import Horizon
from models.db import session_scope
from models.planning import start_run
from models.store import load_files
from scheduler import SolveOptions
from tests.conftest import MINI
from tests.http.solve_jobs_helpers import wait_for

runner = CliRunner()
WEEKS = "2027-W12..2027-W13"


def _campus(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", url], catch_exceptions=False)
    return result.exit_code, result.output


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_solve_in_the_background_prints_the_run_and_its_worker_solves_it(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    url = _url(engine)
    code, out = _campus(url, "solve", "--weeks", WEEKS, "--time-limit", "2", "--background",
                        "--now", "2027-03-01T08:00", "--json")  # fmt: skip
    assert code == 0, out
    assert json.loads(out) == {"run": 1, "horizon": WEEKS, "status": "queued"}

    def ended() -> dict[str, object] | None:
        code, out = _campus(url, "runs", "show", "1", "--json")
        assert code == 0, out
        run = json.loads(out)
        return run if run["status"] not in ("queued", "running") else None

    run = wait_for("the background solve to end", ended)
    assert run["status"] in ("optimal", "feasible")
    assert 1 <= run["scheduled"] <= run["requests"] == run["progress"]["requests"] == 3
    assert run["items"], "the worker stored the run's sessions"


def test_runs_cancel_ends_a_queued_run_at_once_and_frees_its_horizon(engine: Engine) -> None:
    url = _url(engine)
    with session_scope(engine) as session:
        load_files(session, [MINI])
    run_id = start_run(engine, Horizon.parse(WEEKS), SolveOptions(), status="queued")
    # one solve per horizon: a foreground solve of an overlapping week is refused meanwhile
    code, out = _campus(url, "solve", "--weeks", "2027-W13..2027-W14", "--time-limit", "1")
    assert code == 1
    assert f"run {run_id} is queued on {WEEKS}, which overlaps this horizon" in out
    assert f"campus runs cancel {run_id}" in out
    code, out = _campus(url, "runs", "cancel", str(run_id))
    assert (code, out.strip()) == (0, f"run {run_id} cancelled.")
    with session_scope(engine) as session:
        run = session.get_one(e.SolveRun, run_id)
        assert run.status == "cancelled" and run.cancel_requested_at is not None
        audit = session.scalars(select(e.AuditEvent).filter_by(entity="solve_run")).one()
        assert (audit.entity_key, audit.actor_role) == (str(run_id), "cli")
    code, out = _campus(url, "runs", "cancel", str(run_id))
    assert code == 1 and "has already ended (cancelled)" in out
    code, out = _campus(url, "runs", "cancel", "99")
    assert code == 1 and "no solve run 99" in out
    code, out = _campus(url, "solve", "--weeks", "2027-W13..2027-W14", "--time-limit", "1",
                        "--now", "2027-03-01T08:00", "--json")  # fmt: skip
    assert code == 0, out


def test_runs_show_gives_the_progress_of_a_running_solve(engine: Engine) -> None:
    url = _url(engine)
    run_id = start_run(engine, Horizon.parse(WEEKS), SolveOptions(time_limit_seconds=60))
    with session_scope(engine) as session:
        run = session.get_one(e.SolveRun, run_id)
        run.snapshot_at = datetime.now(UTC)
        run.progress_at = datetime.now(UTC)
        run.progress_seconds, run.progress_objective, run.progress_bound = 1.5, 12345.0, 12000.0
        run.progress_gap, run.progress_placed, run.requests_total = 0.028, 5, 9
        run.progress_group_travel, run.progress_trainer_travel = 1254, 1604
    code, out = _campus(url, "runs", "show", str(run_id))
    assert code == 0, out
    assert "best objective 12,345, bound 12000, gap 2.80%, 5/9 requests placed" in out
    assert "requests placed, travel: groups 1,254 min, trainers 1,604 min" in out
    code, out = _campus(url, "runs", "cancel", str(run_id))
    assert code == 0 and "cancel requested" in out
    code, out = _campus(url, "runs", "show", str(run_id), "--json")
    shown = json.loads(out)
    assert shown["status"] == "running" and shown["cancel_requested_at"] is not None
    assert shown["progress"]["placed"] == 5 and shown["progress"]["requests"] == 9
    assert shown["progress"]["group_travel_minutes"] == 1254
    assert shown["progress"]["trainer_travel_minutes"] == 1604
    code, out = _campus(url, "runs", "show", str(run_id))
    assert "; cancel requested at" in out
