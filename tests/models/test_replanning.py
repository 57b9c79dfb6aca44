"""Re-planning through the database: after a change, the previous plan is kept wherever
possible and the difference is reported (the week of 2027-03-22, just before daylight
saving starts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from models import entities as e
from models.bridge import Horizon
from models.db import session_scope
from models.planning import PlanResult, plan
from models.store import load_files
from scheduler import SolveOptions, Status
from tests.conftest import DATA

CAMPUS = DATA / "replan-campus.yaml"
WEEK = Horizon.parse("2027-W12")
OPTIONS = SolveOptions(time_limit_seconds=20, workers=2)


def replan(engine: Engine) -> PlanResult:
    from datetime import datetime

    result = plan(engine, WEEK, OPTIONS, now=datetime(2027, 3, 1, 8, 0))
    assert result.solution.status is Status.OPTIMAL
    assert result.report.ok, result.report.violations
    return result


def kinds(result: PlanResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"moved": [], "cancelled": [], "new": []}
    for change in result.solution.changes:
        out[change.kind].append(f"{change.request}#{change.index}")
    return out


@pytest.fixture
def planned(engine: Engine) -> tuple[Engine, PlanResult]:
    with session_scope(engine) as session:
        load_files(session, [CAMPUS])
    first = replan(engine)
    assert sorted(first.solution.scheduled) == ["r1", "r2", "r3", "r4"]
    return engine, first


def load_text(engine: Engine, tmp_path: Path, text: str) -> None:
    path = tmp_path / "change.yaml"
    path.write_text(CAMPUS.read_text(encoding="utf-8") + text, encoding="utf-8")
    with session_scope(engine) as session:
        load_files(session, [path])


def test_an_unchanged_campus_gets_an_unchanged_plan(planned: tuple[Engine, PlanResult]) -> None:
    engine, first = planned
    again = replan(engine)
    assert again.solution.sessions == first.solution.sessions
    assert kinds(again) == {"moved": [], "cancelled": [], "new": []}


def test_a_location_closing_a_day_moves_only_its_sessions_that_day(
    planned: tuple[Engine, PlanResult], tmp_path: Path
) -> None:
    engine, first = planned
    victim = first.solution.sessions[0]
    day = victim.start.date()
    with session_scope(engine) as session:
        loc = session.scalars(select(e.Location).filter_by(key=victim.location)).one()
        loc.closures.append(e.LocationClosure(first=day, last=day, reason="lekkage"))
    again = replan(engine)
    hit = {
        f"{s.request}#{s.index}"
        for s in first.solution.sessions
        if s.location == victim.location and s.start.date() == day
    }
    assert set(kinds(again)["moved"]) == hit
    assert kinds(again)["cancelled"] == [] and kinds(again)["new"] == []
    assert sorted(again.solution.scheduled) == ["r1", "r2", "r3", "r4"]


def test_a_trainer_falling_ill_changes_only_their_sessions(
    planned: tuple[Engine, PlanResult],
) -> None:
    engine, first = planned
    victim = first.solution.sessions[0]
    ill = victim.trainers[0]
    day = victim.start.date()
    with session_scope(engine) as session:
        trainer = session.scalars(select(e.Trainer).filter_by(key=ill)).one()
        trainer.absences.append(e.TrainerAbsence(first=day, last=day, reason="ziek"))
    again = replan(engine)
    hit = {
        f"{s.request}#{s.index}"
        for s in first.solution.sessions
        if ill in s.trainers and s.start.date() == day
    }
    assert set(kinds(again)["moved"]) == hit
    for s in again.solution.sessions:
        assert not (ill in s.trainers and s.start.date() == day)


def test_a_new_request_is_added_without_moving_the_others(
    planned: tuple[Engine, PlanResult], tmp_path: Path
) -> None:
    engine, _ = planned
    load_text(
        engine,
        tmp_path,
        "  - {key: r5, activity: WS, groups: [g1], earliest: 2027-03-22, latest: 2027-03-26}\n",
    )
    again = replan(engine)
    assert kinds(again) == {"moved": [], "cancelled": [], "new": ["r5#1"]}


def test_replanning_compares_against_the_published_plan(
    planned: tuple[Engine, PlanResult],
) -> None:
    from datetime import UTC, datetime

    from models.publish import publish

    engine, first = planned
    with session_scope(engine) as session:
        publish(session, session.get(e.SolveRun, first.run_id), now=datetime.now(UTC))
    second = replan(engine)  # not published
    third = replan(engine)
    with session_scope(engine) as session:
        for result in (second, third):
            run = session.get_one(e.SolveRun, result.run_id)
            assert run.parameters["reference_run"] == first.run_id


def test_replanning_one_week_keeps_a_course_s_sessions_in_other_weeks(engine: Engine) -> None:
    from datetime import datetime

    with session_scope(engine) as session:
        load_files(session, [CAMPUS])
    both = plan(engine, Horizon.parse("2027-W12..2027-W13"), OPTIONS, now=datetime(2027, 3, 1))
    course = [s for s in both.solution.sessions if s.request == "r6"]
    assert [s.start.isocalendar().week for s in course] == [12, 13]
    # Re-plan week 13 only: session 1 (week 12) is outside the horizon, so it stays pinned
    # where it is, and session 2 keeps its place seven days later.
    again = plan(engine, Horizon.parse("2027-W13"), OPTIONS, now=datetime(2027, 3, 1))
    assert again.report.ok, again.report.violations
    assert again.solution.changes == ()
    kept = [s for s in again.solution.sessions if s.request == "r6"]
    assert [(s.start, s.location) for s in kept] == [(s.start, s.location) for s in course]


def test_an_interrupted_solve_leaves_a_failed_run_not_a_running_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    import models.planning

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    with session_scope(engine) as session:
        load_files(session, [CAMPUS])
    monkeypatch.setattr(models.planning, "solve", interrupted)
    with pytest.raises(KeyboardInterrupt):
        plan(engine, WEEK, OPTIONS, now=datetime(2027, 3, 1))
    with session_scope(engine) as session:
        assert [r.status for r in session.scalars(select(e.SolveRun))] == ["failed"]
