"""A solve's progress in its run row carries travel: live from the engine's reports, and
once the run ends the travel of the stored plan, exactly as the summary counts it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from models import entities as e
from models.bridge import Horizon
from models.db import session_scope
from models.planning import plan
from models.runs_read import run_progress
from models.store import load_files
from scheduler import Progress, SolveOptions, Status
from scheduler.summary import summarize
from tests.conftest import DATA

CAMPUS = DATA / "replan-campus.yaml"


def test_a_finished_run_keeps_the_travel_of_its_plan(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, [CAMPUS])
    seen: list[Progress] = []
    result = plan(
        engine,
        Horizon.parse("2027-W12"),
        SolveOptions(time_limit_seconds=10, workers=2),
        now=datetime(2027, 3, 1, 8, 0),
        progress=seen.append,
    )
    assert result.solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    summary = summarize(result.problem, result.solution)
    assert summary.group_travel_minutes > 0
    with session_scope(engine) as session:
        run = session.get_one(e.SolveRun, result.run_id)
        progress = run_progress(run)
    assert progress.group_travel_minutes == summary.group_travel_minutes
    assert progress.trainer_travel_minutes == summary.trainer_travel_minutes
    # the engine reported the same figures for the plan it returned
    assert (seen[-1].group_travel_minutes, seen[-1].trainer_travel_minutes) == (
        summary.group_travel_minutes,
        summary.trainer_travel_minutes,
    )
