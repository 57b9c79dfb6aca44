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
