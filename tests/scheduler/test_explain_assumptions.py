"""Explanations from CP-SAT assumptions: one situation per reason code of a minimal core.

Built with the shared ProblemBuilder: Monday 2027-09-06 to Friday 2027-09-10 (ISO week
2027-W36), locations open 08:00-17:00 on weekdays, trainers and groups always available, a
120-minute workshop ``w``. The solution is written by hand: it holds the other requests'
sessions and leaves ``r1`` out; ``why_unscheduled`` tries to place ``r1`` around them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler.cpsat.why import why_unscheduled
from scheduler.explain import Code, Reason, explain
from scheduler.problem import LocationId, PlannedSession, Problem, RequestId, TrainerId
from scheduler.solution import Solution, Status
from tests.scheduler.builder import MONDAY, ProblemBuilder, at, weekly

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + timedelta(days=i) for i in range(1, 5))


def booked(
    rid: str,
    where: str,
    who: str,
    start: datetime,
    minutes: int = 120,
    index: int = 1,
) -> PlannedSession:
    """A session of another request in the hand-made solution."""
    end = start + timedelta(minutes=minutes)
    return PlannedSession(RequestId(rid), index, LocationId(where), (TrainerId(who),), start, end)


def why(p: Problem, *sessions: PlannedSession, rid: str = "r1") -> Reason:
    """The single reason CP-SAT gives for ``rid`` left out of a plan of ``sessions``."""
    reasons = why_unscheduled(p, Solution(Status.FEASIBLE, sessions), RequestId(rid))
    assert len(reasons) == 1, reasons
    assert reasons[0].source == "cp-sat"
    return reasons[0]


def test_blocked_by_sessions_names_the_blocking_requests_and_their_priorities() -> None:
    # loc1 opens only Monday 09:00-13:00; r2 (priority 4) holds 09:00-11:00 and r3
    # (priority 2) 11:00-13:00, so every start of r1 overlaps one of them. The trainers and
    # groups differ, so the location alone is the core.
    p = (
        ProblemBuilder()
        .location("loc1", availability=weekly("09:00", "13:00", (1,)))
        .trainer("t1")
        .trainer("t2")
        .trainer("t3")
        .group("g1")
        .group("g2")
        .group("g3")
        .activity("w")
        .request("r1")
        .request("r2", groups=("g2",), priority=4)
        .request("r3", groups=("g3",), priority=2)
        .build()
    )
    reason = why(
        p,
        booked("r2", "loc1", "t2", at(MONDAY, "09:00")),
        booked("r3", "loc1", "t3", at(MONDAY, "11:00")),
    )
    assert reason.code == Code.BLOCKED_BY_SESSIONS
    assert reason.message == (
        "location loc1 is booked on all candidate slots between 2027-09-06 and 2027-09-10 "
        "by r2 (priority 4), r3 (priority 2) (this request has priority 1)"
    )
    assert reason.details["core"] == ["location_busy[loc1]"]
    assert reason.details["minimal"] is True
    assert [
        (c["request"], c["priority"], c["higher_priority"]) for c in reason.details["competitors"]
    ] == [  # type: ignore[index, union-attr]
        ("r2", 4, True),
        ("r3", 2, True),
    ]


def test_blocked_by_sessions_keeps_the_dates_when_only_they_make_it_tight() -> None:
    # r1 may only take place on Tuesday, when t1 (the only trainer) teaches r2 all day at
    # loc2; on other days t1 is free. The core is t1's bookings together with r1's dates;
    # the free location loc1 is not part of it.
    p = (
        ProblemBuilder()
        .location("loc1")
        .location("loc2")
        .trainer("t1")
        .group("g1")
        .group("g2")
        .activity("w")
        .activity("day", duration_minutes=540)
        .request("r1", earliest=TUESDAY, latest=TUESDAY)
        .request("r2", "day", groups=("g2",), priority=3)
        .build()
    )
    reason = why(p, booked("r2", "loc2", "t1", at(TUESDAY, "08:00"), minutes=540))
    assert reason.code == Code.BLOCKED_BY_SESSIONS
    assert reason.details["core"] == ["request_dates", "trainer_busy[t1]"]
    assert reason.message == (
        "trainer t1 is booked on all candidate slots between 2027-09-07 and 2027-09-07 "
        "by r2 (priority 3) (this request has priority 1)"
    )


def test_trainer_hours_exhausted() -> None:
    # t1, the only trainer qualified for W, may teach 4 hours a week and already teaches r2
    # and r3 (2 hours each) this week: nothing is left for r1, though loc1 is free.
    p = (
        ProblemBuilder()
        .location("loc1")
        .location("loc2")
        .trainer("t1", qualifications=("W",), max_minutes_per_week=240)
        .trainer("t2")
        .group("g1")
        .group("g2")
        .activity("w", qualification="W")
        .request("r1")
        .request("r2", groups=("g2",))
        .request("r3", groups=("g2",), priority=2)
        .build()
    )
    reason = why(
        p,
        booked("r2", "loc2", "t1", at(MONDAY, "09:00")),
        booked("r3", "loc2", "t1", at(TUESDAY, "09:00")),
    )
    assert reason.code == Code.TRAINER_HOURS_EXHAUSTED
    assert reason.message == (
        "t1 has used 4 of 4 hours in week 2027-W36; r1 needs 1 session(s) of 2 hours"
    )
    (hours,) = reason.details["hours"]  # type: ignore[misc]
    assert hours == {
        "trainer": "t1",
        "week": "2027-W36",
        "used_minutes": 240,
        "max_minutes": 240,
        "session_minutes": 120,
        "sessions": [
            "r2#1 at loc2 on 2027-09-06 09:00-11:00",
            "r3#1 at loc2 on 2027-09-07 09:00-11:00",
        ],
    }


def test_day_gaps_unreachable_lists_the_days_still_free() -> None:
    # Two sessions exactly two days apart: Mon+Wed, Tue+Thu or Wed+Fri. r2 fills loc1 on
    # Wednesday and Thursday, so each pair loses one day although Mon, Tue and Fri are free.
    p = (
        ProblemBuilder()
        .location("loc1")
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .group("g2")
        .activity("w", sessions=2, min_days_between=2, max_days_between=2)
        .activity("day", sessions=2, duration_minutes=540)
        .request("r1")
        .request("r2", "day", groups=("g2",))
        .build()
    )
    reason = why(
        p,
        booked("r2", "loc1", "t2", at(WEDNESDAY, "08:00"), minutes=540),
        booked("r2", "loc1", "t2", at(THURSDAY, "08:00"), minutes=540, index=2),
    )
    assert reason.code == Code.DAY_GAPS_UNREACHABLE
    assert reason.details["core"] == ["location_busy[loc1]", "day_gaps"]
    assert reason.details["free_days"] == [MONDAY, TUESDAY, FRIDAY]
    assert reason.message == (
        "its 2 sessions cannot be placed exactly 2 day(s) apart between 2027-09-06 and "
        "2027-09-10: location loc1 is booked by r2 (priority 1) (days with a free slot: "
        "Mon 2027-09-06, Tue 2027-09-07, Fri 2027-09-10)"
    )


def test_control_the_same_plan_without_day_gaps_fits() -> None:
    # The harmless variant of the case above: any two days will do, so r1 fits on Monday.
    p = (
        ProblemBuilder()
        .location("loc1")
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .group("g2")
        .activity("w", sessions=2)
        .activity("day", sessions=2, duration_minutes=540)
        .request("r1")
        .request("r2", "day", groups=("g2",))
        .build()
    )
    reason = why(
        p,
        booked("r2", "loc1", "t2", at(WEDNESDAY, "08:00"), minutes=540),
        booked("r2", "loc1", "t2", at(THURSDAY, "08:00"), minutes=540, index=2),
    )
    assert reason.code == Code.SOLVER_TRADEOFF


def test_solver_tradeoff_gives_the_placement_found() -> None:
    # The plan holds r2 on Monday 08:00-10:00 with t1 at loc1 and leaves r1 out, although
    # r1 fits right after it (the earliest start is reported).
    p = (
        ProblemBuilder()
        .location("loc1")
        .trainer("t1")
        .group("g1")
        .group("g2")
        .activity("w")
        .request("r1")
        .request("r2", groups=("g2",))
        .build()
    )
    reason = why(p, booked("r2", "loc1", "t1", at(MONDAY, "08:00")))
    assert reason.code == Code.SOLVER_TRADEOFF
    assert reason.message == (
        "r1 fits at loc1 on 2027-09-06 10:00-12:00 with t1, next to every other session of "
        "this plan; the solver left it out to keep a better objective (or ran out of time)"
    )
    assert reason.details["placement"] == [
        {
            "index": 1,
            "location": "loc1",
            "trainers": ["t1"],
            "start": at(MONDAY, "10:00"),
            "end": at(MONDAY, "12:00"),
        }
    ]


def _two_sessions_but_hours_for_one() -> tuple[Problem, Solution]:
    """t1 may teach 4 hours a week and teaches r2 for 2: r1's two sessions need 4 more.

    Each session alone still fits t1's week, so the domain analysis finds free slots.
    """
    p = (
        ProblemBuilder()
        .location("loc1")
        .trainer("t1", qualifications=("W",), max_minutes_per_week=240)
        .group("g1")
        .group("g2")
        .activity("w", sessions=2, qualification="W")
        .request("r1")
        .request("r2", groups=("g2",), priority=2)
        .build()
    )
    return p, Solution(Status.FEASIBLE, (booked("r2", "loc1", "t1", at(FRIDAY, "09:00")),))


def test_explain_gives_the_cp_sat_reason_where_the_domain_said_no_combination() -> None:
    p, solution = _two_sessions_but_hours_for_one()
    (before,) = explain(p, solution, solver_seconds=0)[RequestId("r1")]
    assert before.code == Code.NO_COMBINATION
    (after,) = explain(p, solution)[RequestId("r1")]
    assert (after.code, after.source) == (Code.TRAINER_HOURS_EXHAUSTED, "cp-sat")
    assert after.message == (
        "t1 has used 2 of 4 hours in week 2027-W36; r1 needs 2 session(s) of 2 hours"
    )


def test_explain_keeps_capacity_taken_and_marks_the_decisive_resource() -> None:
    # t1 is the only trainer and teaches r2 at loc2 all Monday, the only day; loc2 is
    # taken too, but loc1 is free: capacity_taken names both, the core only t1.
    p = (
        ProblemBuilder(days=1)
        .location("loc1")
        .location("loc2")
        .trainer("t1")
        .group("g1")
        .group("g2")
        .activity("w")
        .activity("day", duration_minutes=540)
        .request("r1")
        .request("r2", "day", groups=("g2",))
        .build()
    )
    solution = Solution(
        Status.FEASIBLE, (booked("r2", "loc2", "t1", at(MONDAY, "08:00"), minutes=540),)
    )
    (reason,) = explain(p, solution)[RequestId("r1")]
    assert reason.code == Code.CAPACITY_TAKEN
    assert reason.details["decisive"] == ["trainer_busy[t1]"]


def test_explain_without_time_for_the_solver_keeps_the_domain_reasons() -> None:
    p, solution = _two_sessions_but_hours_for_one()
    reasons = explain(p, solution, solver_seconds=0, requests=[RequestId("r1")])
    assert [r.code for r in reasons[RequestId("r1")]] == [Code.NO_COMBINATION]
    assert list(explain(p, solution, requests=[]).keys()) == []


def test_blocked_by_sessions_through_travel_time() -> None:
    # loc1 is open only 10:00-12:00; t1, the only trainer, teaches r2 at loc2 until 10:00
    # and needs 30 minutes to get to loc1. Nothing overlaps: the travel is the core.
    p = (
        ProblemBuilder(days=1)
        .location("loc1", availability=weekly("10:00", "12:00"))
        .location("loc2", capacity=10)
        .trainer("t1")
        .group("g1")
        .group("g2", headcount=8)
        .activity("w")
        .request("r1")
        .request("r2", groups=("g2",))
        .travel("loc1", "loc2", 30)
        .build()
    )
    reason = why(p, booked("r2", "loc2", "t1", at(MONDAY, "08:00")))
    assert reason.code == Code.BLOCKED_BY_SESSIONS
    assert reason.details["core"] == ["travel_between_sessions[trainer t1]"]
    assert reason.message == (
        "trainer t1 cannot travel in time to or from r2 (priority 1) from any candidate slot "
        "between 2027-09-06 and 2027-09-06 (this request has priority 1)"
    )


def test_same_location_unreachable() -> None:
    # Two sessions on different days at one location; both locations open Mon-Tue
    # 08:00-12:00. r2 leaves loc1 free only on Monday 08:00, r3 leaves loc2 free only on
    # Tuesday 08:00: Mon at loc1 + Tue at loc2 would do, but not at one location.
    p = (
        ProblemBuilder(days=2)
        .location("loc1", availability=weekly("08:00", "12:00"))
        .location("loc2", availability=weekly("08:00", "12:00"))
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .group("g2")
        .activity("w", sessions=2, min_days_between=1, same_location=True)
        .activity("twice", sessions=2)
        .request("r1")
        .request("r2", "twice", groups=("g2",))
        .request("r3", "twice", groups=("g2",), priority=2)
        .build()
    )
    reason = why(
        p,
        booked("r2", "loc1", "t2", at(MONDAY, "10:00")),
        booked("r2", "loc1", "t2", at(TUESDAY, "08:00"), minutes=240, index=2),
        booked("r3", "loc2", "t2", at(MONDAY, "08:00"), minutes=240),
        booked("r3", "loc2", "t2", at(TUESDAY, "10:00"), index=2),
    )
    assert reason.code == Code.SAME_LOCATION_UNREACHABLE
    assert reason.details["core"] == [
        "location_busy[loc1]",
        "location_busy[loc2]",
        "same_location",
    ]
    assert reason.message == (
        "its 2 sessions cannot share one location between 2027-09-06 and 2027-09-07: "
        "location loc1 is booked by r2 (priority 1); location loc2 is booked by r3 (priority 2)"
    )
