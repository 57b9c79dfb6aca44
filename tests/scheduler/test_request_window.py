"""Rule 7, request_window: dates, blocked times, at_school homes."""

from __future__ import annotations

from datetime import time, timedelta

from scheduler import ActivityKind, DatedWindow
from tests.scheduler.builder import MONDAY, ProblemBuilder, hm, placed, run, weekly


def week(**request: object) -> ProblemBuilder:
    return (
        ProblemBuilder(days=5)
        .location("loc1")
        .trainer("t1")
        .group("g1")
        .activity("w")
        .request("r1", **request)
    )


def test_sessions_stay_between_earliest_and_latest() -> None:
    thursday = MONDAY + timedelta(days=3)
    s = placed(run(week(earliest=thursday, latest=thursday).build()), "r1")
    assert s.start.date() == thursday


def test_window_outside_the_horizon_leaves_request_unscheduled() -> None:
    later = MONDAY + timedelta(days=10)
    assert run(week(earliest=later, latest=later).build()).unscheduled == ("r1",)


def test_blocked_time_is_avoided() -> None:
    # one day, open 08:00-12:00, blocked 08:00-10:15: the earliest start left is 10:15,
    # and 10:15-12:15 runs past closing time, so the request stays unscheduled
    blocked = (DatedWindow(MONDAY, hm("08:00"), hm("10:15")),)
    b = (
        ProblemBuilder(days=1)
        .location("loc1", availability=weekly("08:00", "12:00"))
        .trainer("t1")
        .group("g1")
        .activity("w")
        .request("r1", blocked=blocked)
    )
    assert run(b.build()).unscheduled == ("r1",)


def test_blocked_time_moves_the_session() -> None:
    # control: blocked 08:00-10:00 exactly; touching is not overlapping, so 10:00 works
    blocked = (DatedWindow(MONDAY, hm("08:00"), hm("10:00")),)
    b = (
        ProblemBuilder(days=1)
        .location("loc1", availability=weekly("08:00", "12:00"))
        .trainer("t1")
        .group("g1")
        .activity("w")
        .request("r1", blocked=blocked)
    )
    assert placed(run(b.build()), "r1").start.time() == time(10)


def guest_lesson(homes: tuple[str, str]) -> ProblemBuilder:
    return (
        ProblemBuilder(days=1)
        .location("siteA", hosts_training=False)
        .location("siteB", hosts_training=False)
        .trainer("t1", certified=True)
        .group("g1", home=homes[0])
        .group("g2", home=homes[1])
        .activity("gl", kind=ActivityKind.GUEST_LESSON, at_school=True, duration_minutes=60)
        .request("r1", "gl", groups=("g1", "g2"))
    )


def test_at_school_session_is_at_the_groups_home() -> None:
    assert placed(run(guest_lesson(("siteB", "siteB")).build()), "r1").location == "siteB"


def test_at_school_groups_with_different_homes_are_unschedulable() -> None:
    assert run(guest_lesson(("siteA", "siteB")).build()).unscheduled == ("r1",)
