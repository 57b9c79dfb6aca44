"""Reasons that only a combination of rules produces, in both languages.

The conftest of this folder renders every reason the scheduler tests produce in Dutch and
English; this file adds the code no other test reaches (``blocked_in_combination``) and
pins the Dutch and English words of a few reasons a planner reads most.
"""

from __future__ import annotations

from datetime import timedelta

from models.words import render
from scheduler.cpsat.why import why_unscheduled
from scheduler.explain import Code
from scheduler.problem import RequestId
from scheduler.solution import Solution, Status
from tests.scheduler.builder import MONDAY, ProblemBuilder, at, session, weekly

FRIDAY = MONDAY + timedelta(days=4)
NEXT_MONDAY = MONDAY + timedelta(days=7)


def test_weekly_hours_and_a_busy_trainer_together_are_blocked_in_combination() -> None:
    # r1 may take place on Friday of W36 or Monday of W37 (loc1 opens those days 08-10).
    # On Friday t1, the only trainer qualified for W, has used all 4 weekly hours (r2); on
    # Monday t1 teaches r3 at that hour. Neither rule alone keeps r1 out: together they do.
    p = (
        ProblemBuilder(MONDAY, days=12)
        .location("loc1", availability=weekly("08:00", "10:00", (1, 5)))
        .location("loc2", hosts_training=False)  # where r2 and r3 take place, never r1
        .trainer("t1", qualifications=("W",), max_minutes_per_week=240)
        .trainer("t2")
        .group("g1")
        .group("g2")
        .activity("w", qualification="W")
        .request("r1", earliest=FRIDAY, latest=NEXT_MONDAY)
        .request("r2", groups=("g2",), priority=2)
        .request("r3", groups=("g2",), priority=3)
        .build()
    )
    solution = Solution(
        Status.FEASIBLE,
        (
            session("r2", 1, "loc2", ("t1",), at(MONDAY, "09:00")),
            session("r2", 2, "loc2", ("t1",), at(MONDAY + timedelta(days=1), "09:00")),
            session("r3", 1, "loc2", ("t1",), at(NEXT_MONDAY, "08:00")),
        ),
    )
    (reason,) = why_unscheduled(p, solution, RequestId("r1"))
    assert reason.code == Code.BLOCKED_IN_COMBINATION
    assert set(reason.details["core"]) == {  # type: ignore[arg-type]
        "request_dates", "trainer_weekly_hours[t1,2027-W36]", "trainer_busy[t1]",
    }  # fmt: skip
    assert render(reason, "en") == (
        "no placement between Fri 10 Sep 2027 and Mon 13 Sep 2027 meets all of: trainer t1 is "
        "booked by r3 (priority 3); t1 has already used 4 of 4 hours in week 2027-W36 (this "
        "request has priority 1)"
    )
    assert render(reason, "nl") == (
        "geen plaatsing tussen vr 10 sep 2027 en ma 13 sep 2027 voldoet aan alles: "
        "trainer t1 is bezet door r3 (prioriteit 3); t1 heeft in week 2027-W36 al 4 van 4 "
        "uur gebruikt (deze aanvraag heeft prioriteit 1)"
    )
