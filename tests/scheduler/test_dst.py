"""Daylight saving never moves a session: wall time in, wall time out; UTC at the edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from scheduler.timegrid import TimeGrid, from_aware, to_aware
from tests.scheduler.builder import ProblemBuilder, placed, run, weekly

SPRING_SUNDAY = date(2027, 3, 28)  # clocks go 02:00 -> 03:00
AUTUMN_SUNDAY = date(2027, 10, 31)  # clocks go 03:00 -> 02:00


@pytest.mark.parametrize(
    ("monday", "utc_before", "utc_after"),
    [
        # week of 2027-03-22 runs into summer time: 08:00Z on Friday, 07:00Z on Monday after
        (date(2027, 3, 22), 8, 7),
        # week of 2027-10-25 runs into winter time: 07:00Z on Friday, 08:00Z on Monday after
        (date(2027, 10, 25), 7, 8),
    ],
)
def test_nine_oclock_stays_nine_oclock_across_the_switch(
    monday: date, utc_before: int, utc_after: int
) -> None:
    # a 2-session course at 09:00-11:00 on Friday and the Monday after the switch
    b = (
        ProblemBuilder(first_day=monday, days=14)
        .location("loc1", availability=weekly("09:00", "11:00", days=(1, 5)))
        .trainer("t1")
        .group("g1")
        .activity("c", sessions=2, min_days_between=1)
        .request("r1", "c", earliest=monday + timedelta(days=4), latest=monday + timedelta(days=7))
    )
    solution = run(b.build())
    first, second = placed(solution, "r1", 1), placed(solution, "r1", 2)
    assert first.start == datetime.combine(monday + timedelta(days=4), time(9))
    assert second.start == datetime.combine(monday + timedelta(days=7), time(9))
    assert to_aware(first.start).astimezone(UTC).hour == utc_before
    assert to_aware(second.start).astimezone(UTC).hour == utc_after


def test_timegrid_converts_dst_weeks_to_the_right_utc() -> None:
    summer = datetime(2027, 3, 29, 9, 0)  # Monday after the spring switch
    winter = datetime(2027, 11, 1, 9, 0)  # Monday after the autumn switch
    assert to_aware(summer).astimezone(UTC).time() == time(7, 0)
    assert to_aware(winter).astimezone(UTC).time() == time(8, 0)
    assert from_aware(datetime(2027, 3, 29, 7, 0, tzinfo=UTC)) == summer
    assert from_aware(datetime(2027, 11, 1, 8, 0, tzinfo=UTC)) == winter


def test_slots_count_wall_time_not_elapsed_time() -> None:
    # the spring Sunday has 23 hours, yet Monday 09:00 is still day 1 slot 36
    grid = TimeGrid(SPRING_SUNDAY, 15)
    slot = grid.slot(datetime(2027, 3, 29, 9, 0))
    assert slot == grid.slots_per_day + 36
    assert grid.datetime_at(slot) == datetime(2027, 3, 29, 9, 0)
    autumn = TimeGrid(AUTUMN_SUNDAY, 15)
    assert autumn.datetime_at(autumn.slot(datetime(2027, 11, 1, 9))) == datetime(2027, 11, 1, 9)


def test_timegrid_refuses_off_grid_and_aware_times() -> None:
    grid = TimeGrid(SPRING_SUNDAY, 15)
    with pytest.raises(ValueError):
        grid.slot(datetime(2027, 3, 29, 9, 5))
    with pytest.raises(ValueError):
        grid.slot(datetime(2027, 3, 29, 9, 0, tzinfo=UTC))
    with pytest.raises(ValueError):
        from_aware(datetime(2027, 3, 29, 9, 0))


def _night_problem(sunday: date, minutes: int, *requests: tuple[str, date]) -> ProblemBuilder:
    """A location open on Sunday nights 01:00-04:00 (a weekly window across the DST hour)."""
    b = (
        ProblemBuilder(first_day=sunday - timedelta(days=13), days=14)
        .location("loc1", availability=weekly("01:00", "04:00", days=(7,)))
        .trainer("t1")
        .group("g1")
        .activity("w", duration_minutes=minutes)
    )
    for rid, day in requests:
        b.request(rid, "w", earliest=day, latest=day)
    return b


@pytest.mark.parametrize("sunday", [SPRING_SUNDAY, AUTUMN_SUNDAY])
def test_no_session_touches_the_hour_the_clocks_skip_or_repeat(sunday: date) -> None:
    # 120 minutes fit in 01:00-04:00 on the Sunday before, but not around 02:00-03:00
    # on the switch day; the same weekly window stays valid on the other Sunday
    week_before = sunday - timedelta(days=7)
    problem = _night_problem(sunday, 120, ("before", week_before), ("switch", sunday)).build()
    solution = run(problem)
    assert placed(solution, "before").start.date() == week_before
    assert solution.unscheduled == ("switch",)
    # an hour fits on the switch day, before or after the odd hour, never in it
    solution = run(_night_problem(sunday, 60, ("switch", sunday)).build())
    start = placed(solution, "switch").start.time()
    assert start in (time(1, 0), time(3, 0))


def test_explanations_agree_that_the_skipped_hour_cannot_be_used() -> None:
    from scheduler.explain import explain

    problem = _night_problem(SPRING_SUNDAY, 120, ("switch", SPRING_SUNDAY)).build()
    solution = run(problem)
    (reason,) = explain(problem, solution, solver_seconds=0)["switch"]
    assert reason.code == "no_common_time"


@pytest.mark.parametrize(
    ("start", "check"),
    [
        (datetime(2027, 3, 28, 2, 0), "nonexistent_time"),
        (datetime(2027, 3, 28, 1, 30), "nonexistent_time"),  # runs into the gap
        (datetime(2027, 10, 31, 2, 15), "repeated_time"),
    ],
)
def test_the_validator_rejects_a_session_in_the_odd_hour(start: datetime, check: str) -> None:
    from scheduler import PlannedSession, RequestId, Solution, Status
    from scheduler.problem import LocationId, TrainerId
    from scheduler.validate import validate

    sunday = start.date()
    problem = _night_problem(sunday, 60, ("r1", sunday)).build()
    session = PlannedSession(
        RequestId("r1"), 1, LocationId("loc1"), (TrainerId("t1"),), start,
        start + timedelta(minutes=60),
    )  # fmt: skip
    report = validate(problem, Solution(Status.FEASIBLE, sessions=(session,)))
    assert [v.check for v in report.violations] == [check]
    three = datetime.combine(sunday, time(3))
    ok = PlannedSession(
        RequestId("r1"), 1, LocationId("loc1"), (TrainerId("t1"),), three,
        three + timedelta(minutes=60),
    )  # fmt: skip
    assert validate(problem, Solution(Status.FEASIBLE, sessions=(ok,))).ok
