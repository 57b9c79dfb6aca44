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
        trainer.absences.append(e.TrainerAbsence(first=day, last=day, category="sick"))
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


# --- a change in the middle of a running course (issue 23) ---------------------------------

COURSE_WEEKS = Horizon.parse("2027-W12..2027-W13")


def _course_planned(engine: Engine, *, fixed: str | None = None) -> PlanResult:
    """r6 (two weekly sessions) planned over weeks 12-13, optionally with a fixed trainer."""
    from datetime import datetime

    with session_scope(engine) as session:
        load_files(session, [CAMPUS])
        session.scalars(select(e.ActivityType).filter_by(code="CRS")).one().same_location = True
        if fixed is not None:
            r6 = session.scalars(select(e.Request).filter_by(key="r6")).one()
            r6.trainer = session.scalars(select(e.Trainer).filter_by(key=fixed)).one()
    first = plan(engine, COURSE_WEEKS, OPTIONS, now=datetime(2027, 3, 1, 8, 0))
    assert first.report.ok and sorted(first.solution.scheduled) == ["r1", "r2", "r3", "r4", "r6"]
    return first


def _after_session_1(engine: Engine, first: PlanResult) -> PlanResult:
    """Re-plan the same weeks on the evening of r6's first session."""
    from datetime import datetime, time

    one = next(s for s in first.solution.sessions if s.request == "r6" and s.index == 1)
    again = plan(engine, COURSE_WEEKS, OPTIONS, now=datetime.combine(one.start.date(), time(20)))
    assert again.solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert again.report.ok, again.report.violations
    # the course keeps its first session as it took place; every other request is planned
    assert again.solution.incomplete == ("r6",)
    assert [s for s in again.solution.sessions if s.request == "r6"] == [one]
    assert sorted(again.solution.scheduled) == ["r1", "r2", "r3", "r4"]
    return again


def test_a_closure_of_a_running_course_s_venue_leaves_the_rest_planned(engine: Engine) -> None:
    from datetime import date

    from models.planning import explain_request

    first = _course_planned(engine)
    venue = next(s.location for s in first.solution.sessions if s.request == "r6")
    with session_scope(engine) as session:
        loc = session.scalars(select(e.Location).filter_by(key=venue)).one()
        loc.closures.append(
            e.LocationClosure(first=date(2027, 3, 29), last=date(2027, 4, 2), reason="lekkage")
        )
    again = _after_session_1(engine, first)
    found = explain_request(engine, "r6")
    assert found.run.id == again.run_id and found.note is None
    (reason,) = found.reasons or ()
    assert reason.code == "course_cannot_be_completed"
    assert (reason.details["session"], reason.details["rule"]) == (2, "same_location")
    other = {"acme-hal": "volt-lab", "volt-lab": "acme-hal"}[venue]
    assert {"option": "another_location", "locations": [other]} in reason.details["options"]
    assert "lekkage" in reason.message


def test_the_fixed_trainer_of_a_running_course_falling_ill(engine: Engine) -> None:
    from datetime import date

    from models.planning import explain_request

    first = _course_planned(engine, fixed="t-cem")
    with session_scope(engine) as session:
        cem = session.scalars(select(e.Trainer).filter_by(key="t-cem")).one()
        cem.absences.append(
            e.TrainerAbsence(first=date(2027, 3, 29), last=date(2027, 4, 2), category="sick")
        )
    _after_session_1(engine, first)
    (reason,) = explain_request(engine, "r6").reasons or ()
    assert (reason.code, reason.details["rule"]) == ("course_cannot_be_completed", "fixed_trainer")
    assert {"option": "another_trainer", "trainers": ["t-anna", "t-bram"]} in reason.details[
        "options"
    ]
    assert "t-cem is away 2027-03-29..2027-04-02 (afwezig)" in reason.message  # sick: not said


def test_explain_says_when_the_newest_run_found_no_plan(
    planned: tuple[Engine, PlanResult],
) -> None:
    from datetime import UTC, datetime

    from models.planning import explain_request

    engine, first = planned
    with session_scope(engine) as session:
        failed = e.SolveRun(
            created_at=datetime.now(UTC), first_week="2027-W12", last_week="2027-W12",
            status="infeasible", parameters={},
        )  # fmt: skip
        session.add(failed)
        session.flush()
        failed_id = failed.id
    found = explain_request(engine, "r1")
    assert found.run.id == first.run_id and found.reasons is None
    assert found.note == (
        f"run {failed_id}, the newest, has no plan (status infeasible); "
        f"these reasons are for run {first.run_id}, the newest with a plan"
    )
