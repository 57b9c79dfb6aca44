"""The figures a planner reads after a solve (CLI summary, --json, demo)."""

from __future__ import annotations

from scheduler import LocationId, PlannedSession, RequestId, Solution, Status, TrainerId
from scheduler.summary import summarize
from tests.scheduler.builder import MONDAY, ProblemBuilder, at, weekly


def test_summary_counts_shares_utilisation_and_travel() -> None:
    problem = (
        ProblemBuilder()  # Monday to Friday
        .location("hall", partner="acme", availability=weekly("09:00", "17:00"))  # 5 x 8 h
        .location("lab", partner="acme", availability=weekly("13:00", "17:00"))  # 5 x 4 h
        .location("site", partner="school-a", hosts_training=False)
        .trainer("t1", home=LocationId("hall"))
        .group("g1", school="school-a", home=LocationId("site"))
        .group("g2", school="school-b", home=LocationId("site"))
        .activity("w", duration_minutes=120)
        .request("r1", groups=("g1",))
        .request("r2", groups=("g2",))
        .travel("site", "hall", 25)
        .build()
    )
    start = at(MONDAY, "09:00")
    session = PlannedSession(
        RequestId("r1"), 1, LocationId("hall"), (TrainerId("t1"),), start,
        start.replace(hour=11),
    )  # fmt: skip
    summary = summarize(problem, Solution(Status.FEASIBLE, (session,), (RequestId("r2"),)))
    assert (summary.requests, summary.scheduled, summary.unscheduled) == (2, 1, 1)
    assert summary.per_school["school-a"].scheduled == 1
    assert summary.per_school["school-b"].unscheduled == 1
    hall = summary.per_location["hall"]
    assert (hall.booked_minutes, hall.open_minutes, hall.sessions) == (120, 40 * 60, 1)
    assert "site" not in summary.per_location  # a school site hosts no training
    acme = summary.per_company["acme"]
    assert acme.open_minutes == (40 + 20) * 60 and acme.ratio == 120 / 3600
    assert summary.group_travel_minutes == 25  # school site to the hall, one way
    assert summary.trainer_travel_minutes == 0  # the trainer's home is the hall
