"""Periods a group cannot come at all (exams, internship, trip): the engine, the validator
and the explanations, where the period binds and where it is harmless.

The solving tests plan two weeks around the start of summer time (Sunday 2027-03-28), so a
period in the first week moves the session into the DST week.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from scheduler import Availability, DateRange, Solution, SolveOptions, Status
from scheduler.explain import Code, explain
from scheduler.problem import Problem, RequestId
from scheduler.validate import validate
from tests.scheduler.builder import (
    MON,
    ProblemBuilder,
    at,
    day,
    group,
    hours,
    placed,
    problem,
    request,
    run,
    sess,
    weekly,
)

WEEK12 = date(2027, 3, 22)  # Monday of ISO week 2027-W12
WEEK13 = date(2027, 3, 29)  # Monday of the week after the clocks go forward (2027-03-28)
INTERNSHIP = DateRange(WEEK12, WEEK12 + timedelta(days=4), "internship", "BPV Dekker")


def away(*periods: DateRange, base: Availability | None = None) -> Availability:
    """A group's weekday hours with ``periods`` it cannot come at all."""
    hours_ = base or weekly("08:30", "16:30")
    return Availability(weekly=hours_.weekly, closures=periods)


def two_weeks(g1: Availability | None = None, g2: Availability | None = None) -> ProblemBuilder:
    """W12 and W13 2027: one location, one trainer, groups g1 and g2, workshop w."""
    return (
        ProblemBuilder(first_day=WEEK12, days=14)
        .location("hall")
        .trainer("anna")
        .group("g1", headcount=12, availability=g1 or weekly("08:30", "16:30"))
        .group("g2", headcount=12, availability=g2 or weekly("08:30", "16:30"))
        .activity("w")
    )


# --- the engine ------------------------------------------------------------------------


def test_a_session_moves_out_of_the_groups_internship_into_the_dst_week() -> None:
    exams = DateRange(WEEK13, WEEK13 + timedelta(days=3), "exam")  # Monday-Thursday of W13
    problem_ = two_weeks(g1=away(INTERNSHIP, exams)).request("r1").build()
    solution = run(problem_)  # run() also has the validator check the plan
    assert solution.unscheduled == ()
    assert placed(solution, "r1").start.date() == date(2027, 4, 2)  # the one day left


def test_a_combined_class_stays_away_when_any_of_its_groups_is_away() -> None:
    b = two_weeks(g2=away(INTERNSHIP))
    b.request("both", groups=("g1", "g2"), latest=WEEK13)  # g2 can come only on W13's Monday
    b.request("g1-only", groups=("g1",), latest=WEEK12)
    solution = run(b.build())
    assert solution.unscheduled == ()
    assert placed(solution, "both").start.date() == WEEK13
    assert placed(solution, "g1-only").start.date() == WEEK12


def test_a_request_inside_the_period_stays_unscheduled_with_the_period_as_reason() -> None:
    problem_ = two_weeks(g1=away(INTERNSHIP)).request("r1", latest=WEEK12 + timedelta(4)).build()
    solution = run(problem_)
    assert solution.unscheduled == ("r1",)
    (reason,) = explain(problem_, solution)[RequestId("r1")]
    assert reason.code == Code.GROUP_UNAVAILABLE
    assert reason.message == (
        "group g1 is on internship 2027-03-22..2027-03-26 (BPV Dekker): no working day "
        "between 2027-03-22 and 2027-03-26 when the group can come"
    )


@pytest.mark.parametrize(
    "period",
    [
        DateRange(WEEK13, WEEK13 + timedelta(days=4), "exam"),  # after the request's dates
        DateRange(date(2027, 3, 27), date(2027, 3, 28), "trip"),  # the weekend of the DST change
    ],
)
def test_a_period_outside_the_requests_dates_changes_nothing(period: DateRange) -> None:
    options = SolveOptions(time_limit_seconds=10, deterministic=True)
    without = two_weeks().request("r1", latest=WEEK12 + timedelta(days=4)).build()
    with_period = replace(
        without, groups=(replace(without.groups[0], availability=away(period)), without.groups[1])
    )
    a, b = run(without, options), run(with_period, options)
    assert b.sessions == a.sessions and b.unscheduled == a.unscheduled == ()
    assert b.objective == a.objective


def test_the_time_first_engine_keeps_out_of_the_period_too() -> None:
    exams = DateRange(WEEK13, WEEK13 + timedelta(days=3), "exam")
    problem_ = two_weeks(g1=away(INTERNSHIP, exams)).request("r1").build()
    solution = run(
        problem_, SolveOptions(time_limit_seconds=10, deterministic=True, time_first=True)
    )
    assert solution.unscheduled == ()
    assert placed(solution, "r1").start.date() == date(2027, 4, 2)


# --- the validator ---------------------------------------------------------------------

EXAMS = DateRange(day(1), day(2), "exam", "schoolexamens")


def test_the_validator_refuses_a_session_on_a_day_the_group_cannot_come() -> None:
    p = problem(groups=(group(availability=away(EXAMS, base=hours("08:00", "18:00"))),))
    report = validate(p, Solution(Status.FEASIBLE, (sess(on=day(2)),)))
    assert [(v.rule, v.check, v.message) for v in report.violations] == [
        (
            "groups",
            "away",
            "session R1#1 at L1 on 2027-02-03 09:00-11:00: group G1 has exams "
            "2027-02-02..2027-02-03 (schoolexamens)",
        )
    ]
    assert report.violations[0].request == "R1" and report.violations[0].index == 1
    # the day after the exams is fine
    assert validate(p, Solution(Status.FEASIBLE, (sess(on=day(3)),))).ok


def test_the_validator_checks_every_group_of_a_combined_class() -> None:
    trip = DateRange(day(2), day(2), "trip")
    p = problem(
        groups=(
            group(headcount=10),
            group("G2", 10, availability=away(trip, base=hours("08:00", "18:00"))),
        ),
        requests=(request(groups=("G1", "G2")),),
    )
    report = validate(p, Solution(Status.FEASIBLE, (sess(on=day(2)),)))
    assert [v.message.split(": ", 1)[1] for v in report.violations] == [
        "group G2 is on a trip 2027-02-03"
    ]


def test_a_session_that_took_place_before_the_period_was_entered_stays_valid() -> None:
    kept = sess(on=day(1))
    p = problem(
        groups=(group(availability=away(EXAMS, base=hours("08:00", "18:00"))),),
        reference=(kept,),
        now=at(day(3), "08:00"),
    )
    assert validate(p, Solution(Status.FEASIBLE, (kept,))).ok


# --- the explanations ------------------------------------------------------------------


def why(p: Problem, rid: str = "R1") -> list[tuple[str, str]]:
    return [(r.code, r.message) for r in explain(p, Solution(Status.FEASIBLE))[RequestId(rid)]]


def test_every_group_away_on_different_days_is_named() -> None:
    trip = DateRange(MON, day(1), "trip", "Keulen")
    exams = DateRange(day(2), day(4), "exam")
    p = problem(
        groups=(
            group(headcount=10, availability=away(trip, base=hours("08:00", "18:00"))),
            group("G2", 10, availability=away(exams, base=hours("08:00", "18:00"))),
        ),
        requests=(request(groups=("G1", "G2")),),
    )
    reasons = explain(p, Solution(Status.FEASIBLE))[RequestId("R1")]
    assert [(r.code, r.message) for r in reasons] == [
        (
            Code.GROUP_UNAVAILABLE,
            "group G1 is on a trip 2027-02-01..2027-02-02 (Keulen); group G2 has exams "
            "2027-02-03..2027-02-05: no working day between 2027-02-01 and 2027-02-05 when "
            "all its groups can come",
        )
    ]
    assert reasons[0].details == {
        "groups": {
            "G1": [{"first": MON, "last": day(1), "reason": "trip", "note": "Keulen"}],
            "G2": [{"first": day(2), "last": day(4), "reason": "exam", "note": ""}],
        },
        "days": 5,
        "earliest": MON,
        "latest": day(4),
    }


def test_a_group_away_and_a_trainer_away_are_both_named() -> None:
    other = DateRange(MON, day(4), "other")
    p = problem(
        groups=(group(availability=away(other, base=hours("08:00", "18:00"))),),
        trainers=(
            replace(
                problem().trainers[0],
                availability=Availability(
                    weekly=hours("08:00", "18:00").weekly,
                    closures=(DateRange(MON, day(4), "ziek"),),
                ),
            ),
        ),
    )
    assert [code for code, _ in why(p)] == [Code.GROUP_UNAVAILABLE, Code.TRAINERS_UNAVAILABLE]
    assert why(p)[0][1].startswith("group G1 is away 2027-02-01..2027-02-05: ")


def test_a_period_that_cuts_the_window_is_named_among_its_limits() -> None:
    internship = DateRange(MON, day(2), "internship", "BPV")
    p = problem(
        groups=(group(availability=away(internship, base=hours("08:00", "18:00"))),),
        activities=(replace(problem().activities[0], sessions=3, min_days_between=1),),
    )
    reasons = explain(p, Solution(Status.FEASIBLE))[RequestId("R1")]
    assert [r.code for r in reasons] == [Code.SESSIONS_DO_NOT_FIT_WINDOW]
    assert "group G1 is on internship 2027-02-01..2027-02-03 (BPV)" in reasons[0].message
    assert reasons[0].details["group_unavailable"] == {
        "G1": [{"first": MON, "last": day(2), "reason": "internship", "note": "BPV"}]
    }


def test_a_period_on_days_the_request_does_not_use_is_not_mentioned() -> None:
    # the group is away on Monday; the request fits on the other days and is explained
    # only by the plan (nothing blocks it), so the period plays no part in the answer
    p = problem(groups=(group(availability=away(DateRange(MON, MON, "trip"))),))
    for _code, message in why(p):
        assert "trip" not in message


def test_a_running_course_whose_group_goes_on_internship_says_so() -> None:
    monday = date(2027, 9, 6)
    later = DateRange(monday + timedelta(days=14), monday + timedelta(days=20), "internship")
    b = (
        ProblemBuilder(first_day=monday, days=19)
        .location("hall")
        .trainer("anna")
        .group("g1", availability=away(later))
        .activity("crs", sessions=3, min_days_between=7, max_days_between=7)
        .request("r1", "crs")
    )
    for k in (1, 2, 3):
        b.planned("r1", k, "hall", ("anna",), at(monday + timedelta(days=7 * (k - 1)), "09:00"))
    b.now = at(monday + timedelta(days=8), "08:00")
    problem_ = b.build()
    solution = run(problem_)
    assert solution.incomplete == ("r1",)
    (reason,) = explain(problem_, solution)[RequestId("r1")]
    assert reason.code == Code.COURSE_CANNOT_BE_COMPLETED
    assert reason.details["rule"] == "group_unavailable"
    assert "and group g1 is on internship 2027-09-20..2027-09-26;" in reason.message
    assert reason.details["blocking"] == [
        {
            "group": "g1",
            "first": later.first,
            "last": later.last,
            "reason": "internship",
            "note": "",
        }
    ]
