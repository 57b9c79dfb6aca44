"""Re-planning in the middle of a running course degrades gracefully (issue 23, item 3).

Sessions 1 and 2 of a three-session course have taken place; then its venue closes, or its
fixed trainer falls ill, for the rest of its dates. The course is reported as one that
cannot be completed, its past sessions stay exactly as they were, and every other request
is planned as usual; the solve as a whole never becomes infeasible.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler import DateRange, Solution, SolveOptions, Status
from scheduler.explain import explain
from scheduler.problem import Availability, Problem, WeeklyWindow
from tests.scheduler.builder import MONDAY, ProblemBuilder, at, hm, placed, run

WEEK3 = MONDAY + timedelta(days=14)
NOW = at(MONDAY + timedelta(days=8), "08:00")  # Tuesday of week 2: sessions 1 and 2 are past


def _open(*closures: DateRange) -> Availability:
    days = tuple(WeeklyWindow(d, hm("08:00"), hm("17:00")) for d in range(1, 6))
    return Availability(weekly=days, closures=closures)


def course(
    hall: Availability | None = None, anna: Availability | None = None, fixed: bool = False
) -> Problem:
    """A weekly three-session course in hall, sessions 1-2 taken place; and a workshop."""
    b = (
        ProblemBuilder(first_day=MONDAY, days=19)
        .location("hall", availability=hall or _open())
        .location("lab", availability=_open())
        .trainer("anna", availability=anna or _open())
        .trainer("bram", availability=_open())
        .group("g1")
        .group("g2")
        .activity("crs", sessions=3, min_days_between=7, max_days_between=7, same_location=True)
        .activity("w")
        .request("r1", "crs", trainer="anna" if fixed else None)
        .request("r2", "w", groups=("g2",), earliest=WEEK3, latest=WEEK3)
    )
    for k in (1, 2, 3):
        b.planned("r1", k, "hall", ("anna",), at(MONDAY + timedelta(days=7 * (k - 1)), "09:00"))
    b.planned("r2", 1, "hall", ("bram",), at(WEEK3, "13:00"))
    b.now = NOW
    return b.build()


def kept_as_they_were(solution: Solution) -> None:
    assert [(s.index, s.start, s.location) for s in solution.sessions if s.request == "r1"] == [
        (1, at(MONDAY, "09:00"), "hall"),
        (2, at(MONDAY + timedelta(days=7), "09:00"), "hall"),
    ]


def test_a_closure_of_the_course_venue_breaks_only_that_course() -> None:
    closed = DateRange(WEEK3, WEEK3 + timedelta(days=4), "lekkage")
    problem = course(hall=_open(closed))
    solution = run(problem)
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert solution.incomplete == ("r1",)
    kept_as_they_were(solution)
    assert placed(solution, "r2").location == "lab"  # the rest is planned as usual
    assert solution.scheduled == ("r2",) and solution.unscheduled == ()
    assert [(c.request, c.index, c.kind) for c in solution.changes if c.request == "r1"] == [
        ("r1", 3, "cancelled")
    ]
    (reason,) = explain(problem, solution, solver_seconds=0)["r1"]
    assert reason.code == "course_cannot_be_completed"
    assert reason.details["session"] == 3
    assert reason.details["rule"] == "same_location"
    assert reason.details["blocking"] == [
        {"location": "hall", "first": WEEK3, "last": WEEK3 + timedelta(days=4), "reason": "lekkage"}
    ]
    options = {o["option"]: o for o in reason.details["options"]}
    assert options["another_location"]["locations"] == ["lab"]
    assert "planner_decision" in options
    assert "lekkage" in reason.message and "r1#3" in reason.message


def test_the_fixed_trainer_falling_ill_breaks_only_that_course() -> None:
    ill = DateRange(WEEK3, WEEK3 + timedelta(days=4), "ziek")
    problem = course(anna=_open(ill), fixed=True)
    solution = run(problem)
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert solution.incomplete == ("r1",)
    kept_as_they_were(solution)
    assert solution.scheduled == ("r2",)
    (reason,) = explain(problem, solution, solver_seconds=0)["r1"]
    assert reason.code == "course_cannot_be_completed"
    assert reason.details["rule"] == "fixed_trainer"
    assert reason.details["blocking"] == [
        {"trainer": "anna", "first": WEEK3, "last": WEEK3 + timedelta(days=4), "reason": "ziek"}
    ]
    options = {o["option"]: o for o in reason.details["options"]}
    assert options["another_trainer"]["trainers"] == ["bram"]
    assert "another_location" not in options
    assert "ziek" in reason.message


def test_a_course_that_can_still_finish_is_completed_not_reported() -> None:
    # the venue closes only on Monday: session 3 must be exactly 7 days after session 2,
    # so that would break it; closed on Tuesday instead, nothing changes
    closed = DateRange(WEEK3 + timedelta(days=1), WEEK3 + timedelta(days=1), "lekkage")
    solution = run(course(hall=_open(closed)))
    assert solution.incomplete == ()
    third = placed(solution, "r1", 3)
    assert (third.start.date(), third.location) == (WEEK3, "hall")


def test_the_validator_accepts_an_incomplete_course_only_with_frozen_sessions() -> None:
    from dataclasses import replace

    from scheduler.validate import validate

    closed = DateRange(WEEK3, WEEK3 + timedelta(days=4), "lekkage")
    problem = course(hall=_open(closed))
    solution = run(problem)
    assert validate(problem, solution).ok
    unlisted = replace(solution, incomplete=())
    assert [v.check for v in validate(problem, unlisted).violations] == ["all_or_none"]
    r2 = placed(solution, "r2")
    listed_wrongly = replace(solution, incomplete=("r1", "r2"))
    checks = [v.check for v in validate(problem, listed_wrongly).violations]
    assert checks == ["incomplete"], (checks, r2)


def test_a_closure_entered_afterwards_does_not_undo_the_past() -> None:
    # the closure is registered from the day of session 2 on: session 2 took place anyway
    closed = DateRange(MONDAY + timedelta(days=7), WEEK3 + timedelta(days=4), "lekkage")
    problem = course(hall=_open(closed))
    solution = run(problem)  # validates: the past sessions are history, not violations
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert solution.incomplete == ("r1",)
    kept_as_they_were(solution)
    assert placed(solution, "r2").location == "lab"


def test_taking_the_other_trainer_option_completes_the_course() -> None:
    from dataclasses import replace

    ill = DateRange(WEEK3, WEEK3 + timedelta(days=4), "ziek")
    problem = course(anna=_open(ill), fixed=True)
    # the planner follows the option: bram becomes the course's fixed trainer; sessions 1
    # and 2 were given by anna and stay as they took place
    bram = tuple(replace(r, trainer="bram") if r.id == "r1" else r for r in problem.requests)
    solution = run(replace(problem, requests=bram))
    assert solution.incomplete == ()
    kept_as_they_were_plus_third = [s for s in solution.sessions if s.request == "r1"]
    assert [s.trainers for s in kept_as_they_were_plus_third] == [("anna",), ("anna",), ("bram",)]


def test_what_changed_after_a_session_took_place_does_not_undo_it() -> None:
    from dataclasses import replace

    # the course now asks for qualification W, which no trainer holds: sessions 1 and 2
    # are history and stay; session 3 can no longer be given, so the course is incomplete
    problem = course()
    acts = tuple(
        replace(a, qualification="W", min_participants=1) if a.code == "crs" else a
        for a in problem.activities
    )
    problem = replace(problem, activities=acts)
    solution = run(problem)
    assert solution.incomplete == ("r1",)
    kept_as_they_were(solution)


@pytest.mark.parametrize("time_first", [True, False])
def test_both_engines_degrade_gracefully(time_first: bool) -> None:
    from dataclasses import replace

    options = SolveOptions(time_limit_seconds=5, deterministic=True, time_first=time_first)
    venue = DateRange(MONDAY + timedelta(days=7), WEEK3 + timedelta(days=4), "lekkage")
    ill = DateRange(WEEK3, WEEK3 + timedelta(days=4), "ziek")
    for problem in (course(hall=_open(venue)), course(anna=_open(ill), fixed=True)):
        solution = run(problem, options)
        assert solution.incomplete == ("r1",) and solution.scheduled == ("r2",)
        kept_as_they_were(solution)
    problem = course(anna=_open(ill), fixed=True)
    bram = tuple(replace(r, trainer="bram") if r.id == "r1" else r for r in problem.requests)
    assert run(replace(problem, requests=bram), options).incomplete == ()


def test_courses_that_can_finish_alone_but_not_together_never_block_the_plan() -> None:
    # r1 and r3 both need anna on the Monday of week 3 (sessions exactly 7 days apart),
    # and she is only there 09:00-11:00 on Mondays: each course could finish alone, not
    # both. Rather than no plan, both keep their past sessions and the workshop is planned.
    mondays = Availability(weekly=(WeeklyWindow(1, hm("09:00"), hm("11:00")),))
    b = (
        ProblemBuilder(first_day=MONDAY, days=19)
        .location("hall", availability=_open())
        .location("lab", availability=_open())
        .trainer("anna", availability=mondays)
        .trainer("bram", availability=_open())
        .group("g1")
        .group("g2")
        .group("g3")
        .activity("crs", sessions=3, min_days_between=7, max_days_between=7)
        .activity("w")
        .request("r1", "crs", trainer="anna")
        .request("r3", "crs", groups=("g3",), trainer="anna")
        .request("r2", "w", groups=("g2",), earliest=WEEK3, latest=WEEK3)
    )
    for k in (1, 2):
        day = MONDAY + timedelta(days=7 * (k - 1))
        b.planned("r1", k, "hall", ("anna",), at(day, "09:00"))
        b.planned("r3", k, "lab", ("anna",), at(day, "13:00"))  # before her hours changed
    b.now = NOW
    problem = b.build()
    solution = run(problem)
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert solution.incomplete == ("r1", "r3")
    assert solution.scheduled == ("r2",)
    assert len([s for s in solution.sessions if s.request in ("r1", "r3")]) == 4
    reason = explain(problem, solution, solver_seconds=0)["r1"][0]
    assert (reason.code, reason.details["rule"]) == (
        "course_cannot_be_completed",
        "running_courses_together",
    )
    assert "together with the other running course(s) r3" in reason.message
