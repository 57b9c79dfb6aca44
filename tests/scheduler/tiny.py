"""Tiny hand-made problems for the validator and explanation tests (no solver).

One week in February 2027: location L1 of partner P1 open on weekdays 08:00-18:00, trainer
T1, group G1 of school S1 (20 pupils), activity A (one 2-hour session), request R1 for G1.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from scheduler.problem import (
    Activity,
    ActivityCode,
    Availability,
    Group,
    GroupId,
    Location,
    LocationId,
    PartnerId,
    PlannedSession,
    Problem,
    Request,
    RequestId,
    Trainer,
    TrainerId,
    WeeklyWindow,
)

MON = date(2027, 2, 1)  # a Monday; the default horizon is MON..FRI


def day(n: int, start: date = MON) -> date:
    return start + timedelta(days=n)


def hours(start: str, end: str, days: range = range(1, 6)) -> Availability:
    """Open on the given ISO weekdays from start to end ('HH:MM')."""
    a, b = time.fromisoformat(start), time.fromisoformat(end)
    return Availability(weekly=tuple(WeeklyWindow(d, a, b) for d in days))


def loc(lid: str = "L1", partner: str = "P1", capacity: int = 30, **kw: object) -> Location:
    kw.setdefault("availability", hours("08:00", "18:00"))
    return Location(LocationId(lid), PartnerId(partner), capacity, **kw)  # type: ignore[arg-type]


def trainer(tid: str = "T1", **kw: object) -> Trainer:
    return Trainer(TrainerId(tid), PartnerId("P1"), **kw)  # type: ignore[arg-type]


def group(gid: str = "G1", school: str = "S1", headcount: int = 20, **kw: object) -> Group:
    return Group(GroupId(gid), PartnerId(school), headcount, **kw)  # type: ignore[arg-type]


def activity(code: str = "A", **kw: object) -> Activity:
    return Activity(ActivityCode(code), **kw)  # type: ignore[arg-type]


def request(
    rid: str = "R1", act: str = "A", groups: tuple[str, ...] = ("G1",), **kw: object
) -> Request:
    kw.setdefault("earliest", MON)
    kw.setdefault("latest", day(4))
    return Request(
        RequestId(rid),
        ActivityCode(act),
        tuple(GroupId(g) for g in groups),
        **kw,  # type: ignore[arg-type]
    )


def problem(**kw: object) -> Problem:
    kw.setdefault("first_day", MON)
    kw.setdefault("last_day", day(4))
    kw.setdefault("locations", (loc(),))
    kw.setdefault("trainers", (trainer(),))
    kw.setdefault("activities", (activity(),))
    kw.setdefault("groups", (group(),))
    kw.setdefault("requests", (request(),))
    return Problem(**kw)  # type: ignore[arg-type]


def sess(
    rid: str = "R1",
    index: int = 1,
    where: str = "L1",
    who: tuple[str, ...] = ("T1",),
    on: date = MON,
    start: str = "09:00",
    minutes: int = 120,
    pinned: bool = False,
) -> PlannedSession:
    begin = datetime.combine(on, time.fromisoformat(start))
    return PlannedSession(
        RequestId(rid),
        index,
        LocationId(where),
        tuple(TrainerId(t) for t in who),
        begin,
        begin + timedelta(minutes=minutes),
        pinned,
    )
