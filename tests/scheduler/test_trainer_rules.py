"""Rule 4, trainers: count, fixed trainer, qualification, windows, overlap, travel, week cap."""

from __future__ import annotations

from datetime import time

from scheduler import ActivityKind, EquipmentCode, EquipmentNeed
from tests.scheduler.builder import ProblemBuilder, placed, run, weekly


def one_day(**activity: object) -> ProblemBuilder:
    return ProblemBuilder(days=1).location("loc1").group("g1").activity("w", **activity)


def test_large_group_gets_enough_trainers() -> None:
    # 20 pupils, 10 per trainer: two distinct trainers on the session
    b = one_day(participants_per_trainer=10).trainer("t1").trainer("t2").trainer("t3")
    s = placed(run(b.request("r1").build()), "r1")
    assert len(set(s.trainers)) == 2


def test_too_few_trainers_leave_request_unscheduled() -> None:
    # 20 pupils, 10 per trainer, only one trainer exists
    b = one_day(participants_per_trainer=10).trainer("t1").request("r1")
    assert run(b.build()).unscheduled == ("r1",)


def test_fixed_trainer_is_on_every_session() -> None:
    # three trainers could teach; the request insists on t2 for both sessions
    b = (
        ProblemBuilder(days=3)
        .location("loc1")
        .group("g1")
        .activity("w", sessions=2, min_days_between=1)
        .trainer("t1")
        .trainer("t2")
        .trainer("t3")
        .request("r1", trainer="t2")
    )
    solution = run(b.build())
    assert [s.trainers for s in solution.sessions] == [("t2",), ("t2",)]


def test_unqualified_trainer_is_never_assigned() -> None:
    # t1 lacks W; t2 has it -> t2. Without t2 the request is unscheduled.
    b = one_day(qualification="W").trainer("t1").trainer("t2", qualifications=("W",))
    assert placed(run(b.request("r1").build()), "r1").trainers == ("t2",)
    alone = one_day(qualification="W").trainer("t1").request("r1")
    assert run(alone.build()).unscheduled == ("r1",)


def test_guest_lesson_needs_a_certified_trainer() -> None:
    b = (
        ProblemBuilder(days=1)
        .location("site", hosts_training=False)
        .group("g1", home="site")
        .activity("gl", kind=ActivityKind.GUEST_LESSON, at_school=True, duration_minutes=60)
        .trainer("t1")
        .trainer("t2", certified=True)
        .request("r1", "gl")
    )
    assert placed(run(b.build()), "r1").trainers == ("t2",)


def test_session_lies_inside_trainer_availability() -> None:
    # the trainer only works 14:00-16:00: the 2-hour session starts at 14:00
    b = one_day().trainer("t1", availability=weekly("14:00", "16:00")).request("r1")
    assert placed(run(b.build()), "r1").start.time() == time(14)


def test_trainer_never_in_two_sessions_at_once() -> None:
    # two locations, two groups, one trainer available only 09:00-11:00: one request waits
    b = (
        ProblemBuilder(days=1)
        .location("loc1")
        .location("loc2")
        .group("g1")
        .group("g2")
        .activity("w")
        .trainer("t1", availability=weekly("09:00", "11:00"))
        .request("r1", groups=("g1",))
        .request("r2", groups=("g2",))
    )
    assert len(run(b.build()).unscheduled) == 1


def travelling_trainer(minutes: int, days: int = 1) -> ProblemBuilder:
    """One trainer, two workshops that need the equipment of two different locations.

    Both locations are open 08:00-12:00 and both groups can come all morning, so the only
    way to run both is back to back: 08:00-10:00 at one place, 10:00-12:00 at the other.
    """
    need = {"a": EquipmentNeed(EquipmentCode("a"), 1), "b": EquipmentNeed(EquipmentCode("b"), 1)}
    return (
        ProblemBuilder(days=days)
        .location("loc1", equipment={"a": 1}, availability=weekly("08:00", "12:00"))
        .location("loc2", equipment={"b": 1}, availability=weekly("08:00", "12:00"))
        .travel("loc1", "loc2", minutes)
        .trainer("t1")
        .group("g1")
        .group("g2")
        .activity("wa", equipment=(need["a"],))
        .activity("wb", equipment=(need["b"],))
        .request("r1", "wa", groups=("g1",))
        .request("r2", "wb", groups=("g2",))
    )


def test_trainer_travel_time_blocks_back_to_back_sessions() -> None:
    # 30 minutes between the locations: back to back is impossible, one stays unscheduled
    assert len(run(travelling_trainer(30).build()).unscheduled) == 1


def test_trainer_without_travel_time_can_work_back_to_back() -> None:
    # control: same places, no travel time: both run, one after the other
    solution = run(travelling_trainer(0).build())
    assert solution.unscheduled == ()
    assert sorted(s.start.time() for s in solution.sessions) == [time(8), time(10)]


def test_trainer_travel_time_is_fine_on_different_days() -> None:
    # a second day lets the trainer do one workshop per day despite the 30 minutes
    solution = run(travelling_trainer(30, days=2).build())
    assert solution.unscheduled == ()
    assert len({s.start.date() for s in solution.sessions}) == 2


def weekly_cap(days: int) -> ProblemBuilder:
    return (
        ProblemBuilder(days=days)
        .location("loc1")
        .group("g1")
        .group("g2")
        .activity("w")
        .trainer("t1", max_minutes_per_week=180)
        .request("r1", groups=("g1",))
        .request("r2", groups=("g2",))
    )


def test_trainer_weekly_maximum_leaves_second_request_unscheduled() -> None:
    # 180 minutes a week, two 2-hour workshops in one week: only one fits
    assert len(run(weekly_cap(5).build()).unscheduled) == 1


def test_trainer_weekly_maximum_counts_per_iso_week() -> None:
    # control: a two-week horizon; one workshop in each ISO week
    solution = run(weekly_cap(12).build())
    assert solution.unscheduled == ()
    weeks = {s.start.isocalendar()[1] for s in solution.sessions}
    assert len(weeks) == 2
