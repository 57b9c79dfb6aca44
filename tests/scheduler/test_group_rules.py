"""Rule 5, groups: no overlap, travel between places, availability, travel limit."""

from __future__ import annotations

from datetime import time

from scheduler import EquipmentCode, EquipmentNeed
from tests.scheduler.builder import ProblemBuilder, placed, run, weekly


def two_requests_one_group(travel: int = 0, morning_only: bool = True) -> ProblemBuilder:
    """Group g1 asks for two workshops needing equipment found at different locations."""
    window = weekly("08:00", "12:00") if morning_only else weekly("08:00", "17:00")
    return (
        ProblemBuilder(days=1)
        .location("loc1", equipment={"a": 1}, availability=window)
        .location("loc2", equipment={"b": 1}, availability=window)
        .travel("loc1", "loc2", travel)
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .activity("wa", equipment=(EquipmentNeed(EquipmentCode("a"), 1),))
        .activity("wb", equipment=(EquipmentNeed(EquipmentCode("b"), 1),))
        .request("r1", "wa")
        .request("r2", "wb")
    )


def test_group_sessions_never_overlap() -> None:
    # two trainers, two places, but one group: the sessions run one after the other
    solution = run(two_requests_one_group().build())
    assert solution.unscheduled == ()
    a, b = sorted(solution.sessions, key=lambda s: s.start)
    assert a.end <= b.start


def test_group_travel_time_blocks_back_to_back_sessions() -> None:
    # 4 hours open, two 2-hour sessions 30 minutes apart: one must wait
    assert len(run(two_requests_one_group(travel=30).build()).unscheduled) == 1


def test_group_travel_time_respected_when_day_is_long_enough() -> None:
    # control: open all day, so the second session starts >= 30 minutes after the first ends
    solution = run(two_requests_one_group(travel=30, morning_only=False).build())
    assert solution.unscheduled == ()
    a, b = sorted(solution.sessions, key=lambda s: s.start)
    assert (b.start - a.end).total_seconds() >= 30 * 60


def test_session_lies_inside_group_availability() -> None:
    # the group can only come 13:00-15:00
    b = (
        ProblemBuilder(days=1)
        .location("loc1")
        .trainer("t1")
        .group("g1", availability=weekly("13:00", "15:00"))
        .activity("w")
        .request("r1")
    )
    assert placed(run(b.build()), "r1").start.time() == time(13)


def test_group_max_travel_excludes_far_locations() -> None:
    # loc1 is 60 minutes from school, loc2 is 20; the group travels at most 45
    b = (
        ProblemBuilder(days=1)
        .location("site", hosts_training=False)
        .location("loc1")
        .location("loc2")
        .travel("site", "loc1", 60)
        .travel("site", "loc2", 20)
        .trainer("t1")
        .group("g1", home="site", max_travel_minutes=45)
        .activity("w")
        .request("r1")
    )
    assert placed(run(b.build()), "r1").location == "loc2"


def test_group_max_travel_can_leave_request_unscheduled() -> None:
    b = (
        ProblemBuilder(days=1)
        .location("site", hosts_training=False)
        .location("loc1")
        .travel("site", "loc1", 60)
        .trainer("t1")
        .group("g1", home="site", max_travel_minutes=45)
        .activity("w")
        .request("r1")
    )
    assert run(b.build()).unscheduled == ("r1",)
