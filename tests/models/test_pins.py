"""Pins in real solves: a pinned session is kept exactly; one that a later absence made
impossible is released and reported, never an infeasible solve (issue 25, like issue 8's
broken running course)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Engine, select

from models import entities as e
from models.audit import CLI
from models.bridge import Horizon, build_problem
from models.db import session_scope
from models.pins import pin_session, release_broken_pins
from models.planning import plan, reference_run
from models.publish import publish
from models.store import load_files
from scheduler import SolveOptions, Status, solve
from tests.conftest import MINI
from tests.feeds.factory import make_run
from tests.http.test_pins import PLAN, PUBLISHED_AT, WS, make_plan_valid

HORIZON = Horizon("2027-W11", "2027-W14")
NOW = datetime(2027, 3, 1, 8, 0)  # Amsterdam wall time, before every session
OPTIONS = SolveOptions(time_limit_seconds=5, workers=1, deterministic=True)


def _published_and_pinned(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
        make_plan_valid(session)
        publish(session, make_run(session, PLAN), now=PUBLISHED_AT)
        pin_session(session, WS, actor=CLI, now=PUBLISHED_AT)


def _sick_on_16_march(engine: Engine) -> None:
    with session_scope(engine) as session:
        sanne = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one()
        sanne.absences.append(
            e.TrainerAbsence(first=date(2027, 3, 16), last=date(2027, 3, 16), category="sick")
        )


def test_a_pinned_session_is_kept_exactly_and_stored_as_pinned(engine: Engine) -> None:
    _published_and_pinned(engine)
    result = plan(engine, HORIZON, OPTIONS, now=NOW)
    assert result.solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.report.ok, result.report.violations
    assert result.broken_pins == ()
    ws = [s for s in result.solution.sessions if s.request == "r-ws-1"]
    assert [(s.start, s.location, s.trainers, s.pinned) for s in ws] == [
        (datetime(2027, 3, 16, 13), "ww-hal", ("t-sanne",), True)
    ]
    with session_scope(engine) as session:
        run = session.get_one(e.SolveRun, result.run_id)
        assert {a.uid: a.pinned for a in run.assignments}[WS] is True
        assert run.parameters["broken_pins"] == []


def test_a_pin_an_absence_made_impossible_is_released_and_reported(engine: Engine) -> None:
    _published_and_pinned(engine)
    _sick_on_16_march(engine)

    # what the engine would say if the pin were forced: no plan at all
    with session_scope(engine) as session:
        problem = build_problem(session, HORIZON, now=NOW, reference=reference_run(session))
    forced = replace(
        problem,
        reference=tuple(
            replace(s, pinned=True) if s.request == "r-ws-1" else s for s in problem.reference
        ),
    )
    assert solve(forced, OPTIONS).status is Status.INFEASIBLE

    result = plan(engine, HORIZON, OPTIONS, now=NOW)
    assert result.solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.report.ok, result.report.violations
    assert [(b.uid, b.rule, b.check) for b in result.broken_pins] == [
        (WS, "trainers", "unavailable")
    ]
    assert "t-sanne" in result.broken_pins[0].message
    ws = [s for s in result.solution.sessions if s.request == "r-ws-1"]
    assert all(s.start.date() != date(2027, 3, 16) for s in ws)  # re-planned or left out
    others = {(s.request, s.index): s.start for s in result.solution.sessions}
    assert others[("r-sc-1", 1)] == datetime(2027, 3, 26, 8, 30)  # the rest stays put
    with session_scope(engine) as session:
        run = session.get_one(e.SolveRun, result.run_id)
        assert [b["uid"] for b in run.parameters["broken_pins"]] == [WS]
        assert "pin r-ws-1#1 released, it cannot be kept (trainers/unavailable)" in run.log
        assert session.scalars(select(e.Pin)).one().session_index == 1  # the pin stays


def test_a_pin_in_the_past_is_history_and_stays_kept(engine: Engine) -> None:
    _published_and_pinned(engine)
    _sick_on_16_march(engine)
    with session_scope(engine) as session:
        broken: list[object] = []
        problem = build_problem(
            session,
            HORIZON,
            now=datetime(2027, 3, 17, 8),  # the session took place the day before
            reference=reference_run(session),
            broken_pins=broken,  # type: ignore[arg-type]
        )
    assert broken == []
    kept = [s for s in problem.reference if s.request == "r-ws-1"]
    assert [s.pinned for s in kept] == [True]


def test_of_two_pinned_sessions_that_clash_the_later_one_is_released(engine: Engine) -> None:
    _published_and_pinned(engine)
    with session_scope(engine) as session:
        problem = build_problem(session, HORIZON, now=NOW, reference=reference_run(session))
    ws = next(s for s in problem.reference if s.request == "r-ws-1")
    gl = next(s for s in problem.reference if s.request == "r-gl-1")
    # as if the guest lesson had been pinned on Tuesday 16 March at 14:00, in r-ws-1's time
    clash = replace(gl, start=datetime(2027, 3, 16, 14), end=datetime(2027, 3, 16, 15, 30),
                    pinned=True)  # fmt: skip
    both = replace(problem, reference=(ws, clash))
    released, broken = release_broken_pins(both, {("r-ws-1", 1), ("r-gl-1", 1)})
    assert [(b.request, b.index, b.rule, b.check) for b in broken] == [
        ("r-gl-1", 1, "trainers", "double_booked")  # the first of its clashes the rules name
    ]
    assert [(s.request, s.pinned) for s in released.reference] == [
        ("r-ws-1", True), ("r-gl-1", False)
    ]
