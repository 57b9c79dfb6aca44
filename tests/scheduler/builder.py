"""The one builder of test problems: each test states only what matters to its rule.

``ProblemBuilder`` is the builder: it collects parts step by step (defaults: a
Monday-Friday horizon in September 2027, locations open 08:00-17:00 on weekdays, trainers
and groups always available, a 120-minute one-session workshop, no soft costs but
``unscheduled``). Every part is made by one constructor each (``loc``, ``trainer``,
``group``, ``activity``, ``request``, ``session``), which the builder's steps call with
their defaults. ``problem()`` is a thin wrapper over the builder kept for the validator and
explanation tests (test_validate.py and test_explain.py: about 70 calls of ``problem()`` and
600 of the part constructors, with their February 2027 defaults in their expected
messages); it gives the builder one week in February 2027 and replaces whatever fields it is
given (see "problems in one call" below). ``random_problem`` makes random campuses that
exercise every rule.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from scheduler import (
    ALWAYS,
    Activity,
    ActivityCode,
    Availability,
    DatedWindow,
    DateRange,
    EquipmentCode,
    Group,
    GroupId,
    Location,
    LocationId,
    PartnerId,
    PlannedSession,
    Problem,
    Request,
    RequestId,
    Solution,
    SolveOptions,
    Status,
    Trainer,
    TrainerId,
    Travel,
    WeeklyWindow,
    Weights,
    solve,
)
from scheduler.validate import validate

MONDAY = date(2027, 9, 6)
QUICK = SolveOptions(time_limit_seconds=10, deterministic=True)
NO_SOFT = Weights(
    unscheduled=10_000,
    group_travel=0,
    trainer_travel=0,
    preference=0,
    fairness=0,
    host_balance=0,
    stability=0,
    trainer_idle=0,
    room_stability=0,
    min_days=0,
    isolated=0,
    over_capacity=0,
)


def hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, hm(clock))


def weekly(start: str = "08:00", end: str = "17:00", days: range | tuple[int, ...] = range(1, 6)):
    """An Availability open ``start``-``end`` on the given ISO weekdays."""
    return Availability(weekly=tuple(WeeklyWindow(d, hm(start), hm(end)) for d in days))


def session(
    rid: str,
    index: int,
    location: str,
    trainers: tuple[str, ...],
    start: datetime,
    minutes: int = 120,
    pinned: bool = False,
) -> PlannedSession:
    """A planned session of ``minutes`` from ``start``."""
    return PlannedSession(
        RequestId(rid),
        index,
        LocationId(location),
        tuple(TrainerId(t) for t in trainers),
        start,
        start + timedelta(minutes=minutes),
        pinned,
    )


def on_day(day: date, start: str, end: str) -> Availability:
    return Availability(one_off=(DatedWindow(day, hm(start), hm(end)),))


class ProblemBuilder:
    """Collects parts, then ``build()`` makes a validated Problem."""

    def __init__(self, first_day: date = MONDAY, days: int = 5, grid_minutes: int = 15) -> None:
        self.first_day = first_day
        self.last_day = first_day + timedelta(days=days - 1)
        self.grid_minutes = grid_minutes
        self.locations: list[Location] = []
        self.trainers: list[Trainer] = []
        self.activities: list[Activity] = []
        self.groups: list[Group] = []
        self.requests: list[Request] = []
        self.reference: list[PlannedSession] = []
        self.holidays: list[DateRange] = []
        self.travel_minutes: dict[tuple[LocationId, LocationId], int] = {}
        self.travel_default = 0
        self.now: datetime | None = None
        self.weights = NO_SOFT

    def location(
        self,
        lid: str,
        partner: str = "company",
        capacity: int = 30,
        equipment: dict[str, int] | None = None,
        availability: Availability | None = None,
        **kw: Any,
    ) -> ProblemBuilder:
        self.locations.append(
            loc(
                lid,
                partner,
                capacity,
                equipment={EquipmentCode(k): v for k, v in (equipment or {}).items()},
                availability=availability or weekly(),
                **kw,
            )
        )
        return self

    def trainer(
        self,
        tid: str,
        partner: str = "company",
        qualifications: tuple[str, ...] = (),
        availability: Availability = ALWAYS,
        **kw: Any,
    ) -> ProblemBuilder:
        self.trainers.append(
            trainer(
                tid,
                partner,
                qualifications=frozenset(qualifications),
                availability=availability,
                **kw,
            )
        )
        return self

    def activity(self, code: str = "w", **kw: Any) -> ProblemBuilder:
        self.activities.append(activity(code, **kw))
        return self

    def group(
        self, gid: str, school: str = "school", headcount: int = 20, **kw: Any
    ) -> ProblemBuilder:
        self.groups.append(group(gid, school, headcount, **kw))
        return self

    def request(
        self,
        rid: str,
        activity: str = "w",
        groups: tuple[str, ...] = ("g1",),
        earliest: date | None = None,
        latest: date | None = None,
        **kw: Any,
    ) -> ProblemBuilder:
        self.requests.append(
            request(
                rid,
                activity,
                groups,
                earliest=earliest or self.first_day,
                latest=latest or self.last_day,
                **kw,
            )
        )
        return self

    def travel(self, a: str, b: str, minutes: int) -> ProblemBuilder:
        self.travel_minutes[(LocationId(a), LocationId(b))] = minutes
        return self

    def planned(
        self,
        rid: str,
        index: int,
        location: str,
        trainers: tuple[str, ...],
        start: datetime,
        minutes: int = 120,
        pinned: bool = False,
    ) -> ProblemBuilder:
        self.reference.append(session(rid, index, location, trainers, start, minutes, pinned))
        return self

    def with_weights(self, **kw: int) -> ProblemBuilder:
        self.weights = replace(self.weights, **kw)
        return self

    def build(self) -> Problem:
        return Problem(
            first_day=self.first_day,
            last_day=self.last_day,
            locations=tuple(self.locations),
            trainers=tuple(self.trainers),
            activities=tuple(self.activities),
            groups=tuple(self.groups),
            requests=tuple(self.requests),
            holidays=tuple(self.holidays),
            travel=Travel(dict(self.travel_minutes), self.travel_default),
            reference=tuple(self.reference),
            now=self.now,
            grid_minutes=self.grid_minutes,
            weights=self.weights,
        )


def basic(**activity: Any) -> ProblemBuilder:
    """One location, one trainer, one group, one request for activity ``w``."""
    return (
        ProblemBuilder()
        .location("loc1")
        .trainer("t1")
        .group("g1")
        .activity("w", **activity)
        .request("r1")
    )


def run(problem: Problem, options: SolveOptions = QUICK) -> Solution:
    """Solve, and check what every test wants: a result that agrees with itself."""
    solution = solve(problem, options)
    if solution.status is Status.OPTIMAL:
        # the model's own objective equals the plain-Python recomputation at the optimum
        assert solution.statistics["model_objective"] == solution.objective, solution.components
    if solution.status in (Status.OPTIMAL, Status.FEASIBLE):
        assert set(solution.components) == set(Weights.__dataclass_fields__)
        assert sum(solution.components.values()) == solution.objective
        # the independent validator finds no hard violation and the same costs
        report = validate(problem, solution)
        assert report.ok, report.violations
        assert dict(report.components) == dict(solution.components)
    return solution


def placed(solution: Solution, rid: str, index: int = 1) -> PlannedSession:
    return next(s for s in solution.sessions if s.request == rid and s.index == index)


def random_problem(
    seed: int,
    weeks: int = 1,
    locations: int = 4,
    trainers: int = 5,
    schools: int = 2,
    requests: int = 6,
    first_day: date = MONDAY,
    grid_minutes: int = 15,
    **weights: int,
) -> Problem:
    """A random but plausible campus exercising every rule (for cross-checks and scale)."""
    import random

    rnd = random.Random(seed)
    b = ProblemBuilder(first_day, days=7 * weeks, grid_minutes=grid_minutes)
    b.weights = replace(Weights(isolated=1), **weights)
    b.travel_default = 20
    partners = [f"company{i}" for i in range(max(1, locations // 2))]
    equipment = ["heatpump", "pv", "bim"]
    for i in range(locations):
        b.location(
            f"loc{i}",
            partner=partners[i % len(partners)],
            capacity=rnd.choice([12, 16, 20, 30]),
            equipment={e: rnd.randint(1, 4) for e in equipment if rnd.random() < 0.5},
            availability=weekly(rnd.choice(["08:00", "09:00"]), rnd.choice(["16:00", "17:30"])),
            buffer_minutes=rnd.choice([0, 0, 15, 30]),
        )
    for s in range(schools):
        b.location(f"site{s}", partner=f"school{s}", capacity=30, hosts_training=False)
    for i in range(locations):
        for j in range(i + 1, locations):
            if rnd.random() < 0.5:
                b.travel(f"loc{i}", f"loc{j}", rnd.choice([10, 25, 45]))
    quals = ["W", "E", "BIM"]
    for i in range(trainers):
        b.trainer(
            f"t{i}",
            partner=partners[i % len(partners)],
            qualifications=tuple(q for q in quals if rnd.random() < 0.6),
            certified=rnd.random() < 0.5,
            availability=weekly(
                rnd.choice(["08:00", "10:00"]),
                rnd.choice(["15:00", "18:00"]),
                tuple(d for d in range(1, 6) if rnd.random() < 0.8) or (1,),
            ),
            max_minutes_per_week=rnd.choice([None, None, 240, 480]),
            home=LocationId(f"loc{rnd.randrange(locations)}") if rnd.random() < 0.7 else None,
        )
    for s in range(schools):
        for k in range(2):
            b.group(
                f"g{s}{k}",
                school=f"school{s}",
                headcount=rnd.randint(8, 24),
                home=LocationId(f"site{s}"),
                availability=weekly("08:30", "16:00"),
                max_travel_minutes=rnd.choice([None, 30, 45]),
            )
    from scheduler import ActivityKind, EquipmentNeed

    b.activity("ws", duration_minutes=120, qualification="W")
    b.activity(
        "course",
        kind=ActivityKind.SKILLS_COURSE,
        sessions=3,
        duration_minutes=90,
        min_days_between=1,
        max_days_between=3,
        qualification="E",
        equipment=(EquipmentNeed(EquipmentCode("pv"), 1),),
        participants_per_trainer=12,
    )
    b.activity("pair", sessions=2, duration_minutes=60, same_location=False, min_distinct_days=2)
    b.activity(
        "guest", kind=ActivityKind.GUEST_LESSON, at_school=True, duration_minutes=45, team="BIM"
    )
    b.activity("open", kind=ActivityKind.OPEN_DAY, duration_minutes=180, capacity_soft=True)
    codes = ["ws", "course", "pair", "guest", "open"]
    groups = [g.id for g in b.groups]
    from scheduler import Preferences, TimeOfDay

    for r in range(requests):
        school = rnd.randrange(schools)
        gs = [f"g{school}0"] + ([f"g{school}1"] if rnd.random() < 0.3 else [])
        first = b.first_day + timedelta(days=rnd.randrange(max(1, 7 * weeks - 4)))
        prefs = Preferences(
            weekdays=frozenset(rnd.sample(range(1, 6), 2)) if rnd.random() < 0.4 else frozenset(),
            time_of_day=rnd.choice([None, TimeOfDay.MORNING, TimeOfDay.AFTERNOON]),
            partners=frozenset({PartnerId(rnd.choice(partners))})
            if rnd.random() < 0.3
            else frozenset(),
        )
        blocked = (DatedWindow(first, hm("10:00"), hm("11:00")),) if rnd.random() < 0.3 else ()
        b.request(
            f"r{r:02d}",
            rnd.choice(codes),
            tuple(gs),
            earliest=first,
            latest=min(b.last_day, first + timedelta(days=rnd.randint(3, 10))),
            priority=rnd.randint(1, 3),
            preferences=prefs,
            blocked=blocked,
        )
    _ = groups
    if weeks > 1:
        b.holidays.append(
            DateRange(b.first_day + timedelta(days=9), b.first_day + timedelta(days=9))
        )
    return b.build()


# --- problems in one call ----------------------------------------------------------------
# For the validator and explanation tests (no solver): one week in February 2027, location
# L1 of partner P1 open on weekdays 08:00-18:00, trainer T1 of P1, group G1 of school S1
# (20 pupils), activity A (one 2-hour session), request R1 for G1, the default weights;
# each argument overrides. The part constructors below are the builder's too.

MON = date(2027, 2, 1)  # a Monday; the default horizon is MON..FRI


def day(n: int, start: date = MON) -> date:
    return start + timedelta(days=n)


def hours(start: str, end: str, days: range = range(1, 6)) -> Availability:
    """Open on the given ISO weekdays from start to end ('HH:MM')."""
    return weekly(start, end, days)


def loc(lid: str = "L1", partner: str = "P1", capacity: int = 30, **kw: object) -> Location:
    kw.setdefault("availability", hours("08:00", "18:00"))
    return Location(LocationId(lid), PartnerId(partner), capacity, **kw)  # type: ignore[arg-type]


def trainer(tid: str = "T1", partner: str = "P1", **kw: object) -> Trainer:
    return Trainer(TrainerId(tid), PartnerId(partner), **kw)  # type: ignore[arg-type]


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
    """A thin wrapper over ``ProblemBuilder``: the week above, then ``kw``'s fields."""
    b = ProblemBuilder(MON, days=5)
    b.locations, b.trainers, b.activities = [loc()], [trainer()], [activity()]
    b.groups, b.requests = [group()], [request()]
    b.weights = Weights()
    return replace(b.build(), **kw)  # type: ignore[arg-type]


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
    return session(rid, index, where, who, at(on, start), minutes, pinned)
