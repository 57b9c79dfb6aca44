"""Rule 8 (frozen sessions, ``now``) and Solution.changes against the reference plan."""

from __future__ import annotations

from datetime import time, timedelta

from scheduler import Status
from tests.scheduler.builder import MONDAY, ProblemBuilder, at, placed, run

TUESDAY = MONDAY + timedelta(days=1)


def two_day(**weights: int) -> ProblemBuilder:
    b = (
        ProblemBuilder(days=2)
        .location("loc1")
        .location("loc2")
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .activity("w")
        .request("r1")
    )
    return b.with_weights(**weights) if weights else b


def test_pinned_session_is_kept_exactly() -> None:
    # pinned at loc2 with t2 on Tuesday 15:00 although nothing forces it
    b = two_day().planned("r1", 1, "loc2", ("t2",), at(TUESDAY, "15:00"), pinned=True)
    s = placed(run(b.build()), "r1")
    assert (s.location, s.trainers, s.start) == ("loc2", ("t2",), at(TUESDAY, "15:00"))
    assert s.pinned


def test_session_before_now_is_frozen_and_later_sessions_start_after_now() -> None:
    # now = Monday 12:00. r1 was planned Monday 09:00 (frozen, kept even though it is
    # in the past); r2 must start at or after now.
    b = two_day().group("g2").request("r2", groups=("g2",))
    b.now = at(MONDAY, "12:00")
    b.planned("r1", 1, "loc1", ("t1",), at(MONDAY, "09:00"))
    solution = run(b.build())
    assert placed(solution, "r1").start == at(MONDAY, "09:00")
    assert placed(solution, "r2").start >= at(MONDAY, "12:00")


def test_now_late_in_the_horizon_leaves_no_room() -> None:
    # now is Tuesday 16:00 and the location closes at 17:00: a 2-hour workshop cannot start
    b = two_day()
    b.now = at(TUESDAY, "16:00")
    assert run(b.build()).unscheduled == ("r1",)


def test_frozen_sessions_that_conflict_make_the_problem_infeasible() -> None:
    # two pinned sessions at the same place and time: no valid solution can exist
    b = two_day().group("g2").request("r2", groups=("g2",))
    b.planned("r1", 1, "loc1", ("t1",), at(MONDAY, "09:00"), pinned=True)
    b.planned("r2", 1, "loc1", ("t2",), at(MONDAY, "10:00"), pinned=True)
    solution = run(b.build())
    assert solution.status is Status.INFEASIBLE
    assert solution.sessions == () and solution.objective is None


def test_frozen_session_breaking_a_rule_is_reported_infeasible() -> None:
    # pinned at 07:00, before the location opens: infeasible, with the reason in statistics
    b = two_day().planned("r1", 1, "loc1", ("t1",), at(MONDAY, "07:00"), pinned=True)
    solution = run(b.build())
    assert solution.status is Status.INFEASIBLE
    assert "r1#1" in str(solution.statistics["infeasible_reason"])


def test_stability_keeps_the_reference_plan() -> None:
    # unpinned reference on Tuesday 13:00 at loc2; with a stability weight it stays there
    b = two_day(stability=500).planned("r1", 1, "loc2", ("t1",), at(TUESDAY, "13:00"))
    solution = run(b.build())
    assert placed(solution, "r1").start == at(TUESDAY, "13:00")
    assert solution.changes == () and solution.components["stability"] == 0


def test_changes_list_moved_cancelled_and_new() -> None:
    # r1 referenced at 07:00 (before opening): must move. r9 is withdrawn: cancelled.
    # r2 has no reference: new.
    b = two_day().group("g2").request("r2", groups=("g2",))
    b.planned("r1", 1, "loc1", ("t1",), at(MONDAY, "07:00"))
    b.planned("r9", 1, "loc1", ("t1",), at(MONDAY, "13:00"))
    solution = run(b.build())
    kinds = [(c.request, c.index, c.kind) for c in solution.changes]
    assert kinds == [("r1", 1, "moved"), ("r2", 1, "new"), ("r9", 1, "cancelled")]
    moved = solution.changes[0]
    assert moved.before is not None and moved.before.start.time() == time(7)
    assert moved.after == placed(solution, "r1")


def test_reference_trainer_order_is_not_a_change() -> None:
    # two trainers per session; the reference lists them in the other order: not moved
    b = (
        ProblemBuilder(days=1)
        .location("loc1")
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .activity("w", participants_per_trainer=10)
        .request("r1")
        .with_weights(stability=500)
        .planned("r1", 1, "loc1", ("t2", "t1"), at(MONDAY, "09:00"))
    )
    solution = run(b.build())
    assert solution.changes == () and solution.components["stability"] == 0
