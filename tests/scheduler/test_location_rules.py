"""Rules 1-3: location_available, location_fits, location_never_double_booked."""

from __future__ import annotations

from datetime import time, timedelta

from scheduler import (
    ActivityKind,
    Availability,
    DateRange,
    EquipmentCode,
    EquipmentNeed,
    Status,
    WeeklyWindow,
)
from tests.scheduler.builder import MONDAY, ProblemBuilder, placed, run, weekly


def one_day(**activity: object) -> ProblemBuilder:
    return ProblemBuilder(days=1).trainer("t1").group("g1").activity("w", **activity).request("r1")


def test_session_lies_inside_the_location_open_span() -> None:
    # open 13:00-15:30 only: a 2-hour session can start 13:00, 13:15 or 13:30
    problem = one_day().location("loc1", availability=weekly("13:00", "15:30")).build()
    s = placed(run(problem), "r1")
    assert time(13) <= s.start.time() <= time(13, 30)


def test_location_open_too_short_leaves_request_unscheduled() -> None:
    # open 1 hour, the workshop lasts 2: nothing fits
    problem = one_day().location("loc1", availability=weekly("10:00", "11:00")).build()
    solution = run(problem)
    assert solution.status is Status.OPTIMAL
    assert solution.unscheduled == ("r1",)
    assert solution.components["unscheduled"] == 10_000


def test_holiday_blocks_the_whole_day() -> None:
    # a one-day horizon that is a holiday: unscheduled; the control day schedules it
    b = one_day().location("loc1")
    b.holidays.append(DateRange(MONDAY, MONDAY, "Koningsdag"))
    assert run(b.build()).unscheduled == ("r1",)
    assert run(one_day().location("loc1").build()).unscheduled == ()


def test_start_is_on_the_grid() -> None:
    # 60-minute grid, open 08:30-11:00: only 09:00 is both on the grid and fits
    b = one_day().location("loc1", availability=weekly("08:30", "11:00"))
    b.grid_minutes = 60
    assert placed(run(b.build()), "r1").start.time() == time(9)


def test_location_not_hosting_training_is_never_used() -> None:
    # the only location is a school site: a workshop cannot go there
    problem = one_day().location("site", hosts_training=False).build()
    assert run(problem).unscheduled == ("r1",)


def guest_lesson(closures: tuple[DateRange, ...] = ()) -> ProblemBuilder:
    """A guest lesson at the group's school site, which has no open windows of its own."""
    site = Availability(weekly=(WeeklyWindow(7, time(8), time(9)),), closures=closures)
    return (
        ProblemBuilder(days=2)
        .location("site", hosts_training=False, availability=site)
        .trainer("t1", certified=True)
        .group("g1", home="site", availability=weekly("10:00", "12:00"))
        .activity("gl", kind=ActivityKind.GUEST_LESSON, at_school=True, duration_minutes=60)
        .request("r1", "gl")
    )


def test_at_school_activity_ignores_location_windows() -> None:
    # the site is only "open" on Sundays, yet the lesson runs in school hours on Monday
    s = placed(run(guest_lesson().build()), "r1")
    assert s.location == "site" and time(10) <= s.start.time() <= time(11)


def test_at_school_activity_respects_location_closures() -> None:
    # the school is closed on Monday: the lesson moves to Tuesday
    s = placed(run(guest_lesson((DateRange(MONDAY, MONDAY),)).build()), "r1")
    assert s.start.date() == MONDAY + timedelta(days=1)


def test_capacity_too_small_leaves_request_unscheduled() -> None:
    # 20 pupils, room for 16
    problem = one_day().location("loc1", capacity=16).build()
    assert run(problem).unscheduled == ("r1",)
    assert run(one_day().location("loc1", capacity=20).build()).unscheduled == ()


def test_soft_capacity_allows_a_full_room_at_a_cost() -> None:
    # capacity_soft: 20 pupils in a room for 16 is allowed, 4 over at weight 10
    b = one_day(capacity_soft=True).location("loc1", capacity=16)
    b.with_weights(over_capacity=10)
    solution = run(b.build())
    assert solution.unscheduled == ()
    assert solution.components["over_capacity"] == 40


def test_equipment_per_participant_picks_the_equipped_location() -> None:
    # one heat pump per pupil: loc1 has 10, loc2 has 25 -> loc2
    need = (EquipmentNeed(EquipmentCode("heatpump"), 1, per_participant=True),)
    b = (
        one_day(equipment=need)
        .location("loc1", equipment={"heatpump": 10})
        .location("loc2", equipment={"heatpump": 25})
    )
    assert placed(run(b.build()), "r1").location == "loc2"


def test_participants_outside_activity_bounds_leave_request_unscheduled() -> None:
    assert run(one_day(max_participants=15).location("loc1").build()).unscheduled == ("r1",)
    assert run(one_day(min_participants=25).location("loc1").build()).unscheduled == ("r1",)
    exact = one_day(min_participants=20, max_participants=20).location("loc1").build()
    assert run(exact).unscheduled == ()


def test_location_never_double_booked_two_sessions_back_to_back() -> None:
    # open 08:00-12:00: two 2-hour workshops for two groups fit exactly back to back
    b = (
        ProblemBuilder(days=1)
        .location("loc1", availability=weekly("08:00", "12:00"))
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .group("g2")
        .activity("w")
        .request("r1", groups=("g1",))
        .request("r2", groups=("g2",))
    )
    solution = run(b.build())
    assert solution.unscheduled == ()
    starts = sorted(s.start.time() for s in solution.sessions)
    assert starts == [time(8), time(10)]


def test_location_buffer_pushes_second_session_out() -> None:
    # with a 15-minute buffer the two no longer fit in 4 hours: one stays unscheduled
    b = (
        ProblemBuilder(days=1)
        .location("loc1", availability=weekly("08:00", "12:00"), buffer_minutes=15)
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .group("g2")
        .activity("w")
        .request("r1", groups=("g1",))
        .request("r2", groups=("g2",))
    )
    assert len(run(b.build()).unscheduled) == 1
