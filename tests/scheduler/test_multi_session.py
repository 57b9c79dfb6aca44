"""Rule 6, multi_session: all or none, order, day gaps, same location."""

from __future__ import annotations

from datetime import timedelta

from scheduler import Availability, Status
from tests.scheduler.builder import MONDAY, ProblemBuilder, run, weekly


def course(
    days: int = 5, availability: Availability | None = None, **activity: object
) -> ProblemBuilder:
    return (
        ProblemBuilder(days=days)
        .location("loc1", availability=availability)
        .trainer("t1")
        .group("g1")
        .activity("c", **activity)
        .request("r1", "c")
    )


def test_all_sessions_or_none() -> None:
    # 3 sessions at least 2 days apart need days 0, 2, 4: a 4-day horizon fits none of them
    solution = run(course(days=4, sessions=3, min_days_between=2).build())
    assert solution.status is Status.OPTIMAL
    assert solution.sessions == () and solution.unscheduled == ("r1",)


def test_min_days_between_spreads_sessions() -> None:
    # a 5-day horizon: the only way is Monday, Wednesday, Friday
    solution = run(course(sessions=3, min_days_between=2).build())
    days = [s.start.date() for s in solution.sessions]
    assert days == [MONDAY, MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)]
    assert [s.index for s in solution.sessions] == [1, 2, 3]


def test_max_days_between_binds() -> None:
    # the location is open Monday and Thursday only; max 2 days apart is impossible
    mon_thu = weekly(days=(1, 4))
    b = course(availability=mon_thu, sessions=2, min_days_between=1, max_days_between=2)
    assert run(b.build()).unscheduled == ("r1",)
    # control: max 3 days apart allows Monday and Thursday
    b = course(availability=mon_thu, sessions=2, min_days_between=1, max_days_between=3)
    days = [s.start.date().isoweekday() for s in run(b.build()).sessions]
    assert days == [1, 4]


def test_same_day_sessions_follow_each_other() -> None:
    # one day, two sessions of 2 hours: session 2 starts at or after session 1 ends
    solution = run(course(days=1, sessions=2).build())
    first, second = solution.sessions
    assert first.index == 1 and second.start >= first.end


def split_locations(same_location: bool) -> ProblemBuilder:
    """loc1 only opens Monday, loc2 only Tuesday; the course needs two different days."""
    return (
        ProblemBuilder(days=2)
        .location("loc1", availability=weekly(days=(1,)))
        .location("loc2", availability=weekly(days=(2,)))
        .trainer("t1")
        .group("g1")
        .activity("c", sessions=2, min_days_between=1, same_location=same_location)
        .request("r1", "c")
    )


def test_same_location_binds() -> None:
    # every session at one location is impossible here
    assert run(split_locations(True).build()).unscheduled == ("r1",)


def test_without_same_location_sessions_may_move() -> None:
    solution = run(split_locations(False).build())
    assert [s.location for s in solution.sessions] == ["loc1", "loc2"]
