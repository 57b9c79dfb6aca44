"""The objective of docs/scheduler-rules.md, recomputed in plain Python for the validator.

One function per component returns its raw integer; ``raw_costs`` calls them in the doc's
table order and ``weigh`` multiplies by ``problem.weights``. Nothing here is shared with the
CP-SAT model: the test suite compares the solver's reported components with these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from scheduler.lookup import Lookup, minutes_between, same_placement, spans_on
from scheduler.problem import (
    COMPONENTS,
    GroupId,
    LocationId,
    PartnerId,
    PlannedSession,
    RequestId,
    TimeOfDay,
    TrainerId,
)
from scheduler.solution import Solution


def _known(lk: Lookup, solution: Solution) -> list[PlannedSession]:
    """Sessions of requests in the problem; others are shape violations and cost nothing."""
    return [s for s in solution.sessions if s.request in lk.requests]


def _scheduled(lk: Lookup, solution: Solution) -> set[RequestId]:
    return {s.request for s in _known(lk, solution)}


def _at_school(lk: Lookup, session: PlannedSession) -> bool:
    return lk.activity_of(lk.requests[session.request]).at_school


def unscheduled(lk: Lookup, solution: Solution) -> int:
    """Sum of priority over requests without any session."""
    done = _scheduled(lk, solution)
    return sum(r.priority for r in lk.problem.requests if r.id not in done)


def group_travel(lk: Lookup, solution: Solution) -> int:
    """Travel from each group's home to a non-at_school session's location."""
    total = 0
    for s in _known(lk, solution):
        if _at_school(lk, s):
            continue
        for gid in lk.requests[s.request].groups:
            home = lk.groups[gid].home
            if home is not None:
                total += lk.travel(home, s.location)
    return total


def trainer_travel(lk: Lookup, solution: Solution) -> int:
    """Travel from each trainer's home to the location of each of their sessions."""
    total = 0
    for s in _known(lk, solution):
        for tid in dict.fromkeys(s.trainers):
            trainer = lk.trainers.get(tid)
            if trainer is not None and trainer.home is not None:
                total += lk.travel(trainer.home, s.location)
    return total


def preference(lk: Lookup, solution: Solution) -> int:
    """One per unmet wish (weekday, time of day, partner, location) per session."""
    total = 0
    for s in _known(lk, solution):
        prefs = lk.requests[s.request].preferences
        if prefs.weekdays and s.start.isoweekday() not in prefs.weekdays:
            total += 1
        if prefs.time_of_day is not None and TimeOfDay.of(s.start.time()) != prefs.time_of_day:
            total += 1
        if prefs.partners:
            loc = lk.locations.get(s.location)
            if loc is None or loc.partner not in prefs.partners:
                total += 1
        if prefs.locations and s.location not in prefs.locations:
            total += 1
    return total


def fairness(lk: Lookup, solution: Solution) -> int:
    """100 minus the worst school's scheduled percentage (floored), over the school year so
    far: each school of this problem adds its history (requests before the horizon, and how
    many were scheduled) to this plan's counts."""
    if not lk.problem.requests:
        return 0
    done = _scheduled(lk, solution)
    asked: dict[PartnerId, int] = defaultdict(int)
    served: dict[PartnerId, int] = defaultdict(int)
    for r in lk.problem.requests:
        for school in lk.schools_of(r):
            asked[school] += 1
            served[school] += r.id in done
    history = lk.problem.history
    shares = []
    for school, n in asked.items():
        before = history.school(PartnerId(school))
        shares.append(100 * (before.scheduled + served[school]) // (before.requests + n))
    return 100 - min(shares)


def open_minutes_by_location(lk: Lookup) -> dict[LocationId, int]:
    """Open minutes of each hosting location over the horizon's non-holiday days."""
    days = [d for d in lk.problem.days() if not lk.problem.is_holiday(d)]
    return {
        loc.id: sum(b - a for d in days for a, b in spans_on(loc.availability, d))
        for loc in lk.problem.locations
        if loc.hosts_training
    }


def open_minutes(lk: Lookup) -> dict[PartnerId, int]:
    """Open minutes of each hosting partner's hosting locations over non-holiday horizon days."""
    result: dict[PartnerId, int] = {}
    for lid, minutes in open_minutes_by_location(lk).items():
        partner = lk.locations[lid].partner
        result[partner] = result.get(partner, 0) + minutes
    return result


def host_balance(lk: Lookup, solution: Solution) -> int:
    """Sessions a hosting partner holds beyond its share of the campus's open minutes, over
    the school year so far (the problem's history added to the horizon's counts)."""
    history = lk.problem.history
    open_by_partner = open_minutes(lk)
    open_total = sum(open_by_partner.values()) + history.open_minutes
    hosted: dict[PartnerId, int] = defaultdict(int)
    n = history.hosted_sessions
    for s in _known(lk, solution):
        loc = lk.locations.get(s.location)
        if loc is None or _at_school(lk, s):
            continue
        hosted[loc.partner] += 1
        n += 1
    total = 0
    for partner, open_p in open_by_partner.items():
        before = history.host(partner)
        share = 1000 * (open_p + before.open_minutes) // open_total if open_total else 0
        excess = 1000 * (hosted[partner] + before.sessions) - share * n
        total += max(0, -(-excess // 1000))  # ceil for integers
    return total


def stability(lk: Lookup, solution: Solution) -> int:
    """Reference sessions (of requests still asked) that are gone or placed differently."""
    placed = {}
    for s in solution.sessions:
        placed.setdefault((s.request, s.index), s)
    total = 0
    for ref in lk.problem.reference:
        if ref.request not in lk.requests:
            continue
        now = placed.get((ref.request, ref.index))
        total += now is None or not same_placement(ref, now)
    return total


def trainer_idle(lk: Lookup, solution: Solution) -> int:
    """Per trainer and day: span from first start to last end minus the minutes worked."""
    by_day: dict[tuple[TrainerId, date], list[PlannedSession]] = defaultdict(list)
    for s in _known(lk, solution):
        for tid in dict.fromkeys(s.trainers):
            if tid in lk.trainers:
                by_day[tid, s.start.date()].append(s)
    total = 0
    for sessions in by_day.values():
        first = min(s.start for s in sessions)
        last = max(s.end for s in sessions)
        worked = sum(minutes_between(s.start, s.end) for s in sessions)
        total += minutes_between(first, last) - worked
    return total


def room_stability(lk: Lookup, solution: Solution) -> int:
    """Per scheduled request: distinct locations used minus one."""
    locs: dict[RequestId, set[str]] = defaultdict(set)
    for s in _known(lk, solution):
        locs[s.request].add(s.location)
    return sum(len(v) - 1 for v in locs.values())


def min_days(lk: Lookup, solution: Solution) -> int:
    """Per scheduled request: days short of the activity's min_distinct_days."""
    days: dict[RequestId, set[date]] = defaultdict(set)
    for s in _known(lk, solution):
        days[s.request].add(s.start.date())
    total = 0
    for rid, used in days.items():
        wanted = lk.activity_of(lk.requests[rid]).min_distinct_days
        total += max(0, wanted - len(used))
    return total


def isolated(lk: Lookup, solution: Solution) -> int:
    """Per group and session: 1 when no other session of the group that day touches it."""
    by_day: dict[tuple[GroupId, date], list[PlannedSession]] = defaultdict(list)
    for s in _known(lk, solution):
        for gid in lk.requests[s.request].groups:
            by_day[gid, s.start.date()].append(s)
    total = 0
    for sessions in by_day.values():
        for i, s in enumerate(sessions):
            touching = any(
                o.end == s.start or o.start == s.end for j, o in enumerate(sessions) if j != i
            )
            total += not touching
    return total


def over_capacity(lk: Lookup, solution: Solution) -> int:
    """Participants above the location's capacity, for capacity_soft activities."""
    total = 0
    for s in _known(lk, solution):
        request = lk.requests[s.request]
        loc = lk.locations.get(s.location)
        if loc is None or not lk.activity_of(request).capacity_soft:
            continue
        total += max(0, lk.participants(request) - loc.capacity)
    return total


RULES: dict[str, Callable[[Lookup, Solution], int]] = {name: globals()[name] for name in COMPONENTS}
"""Every objective component's function, named as the component (``COMPONENTS``)."""


def raw_costs(lk: Lookup, solution: Solution) -> dict[str, int]:
    """Raw value of every component, keyed by the doc's names."""
    return {name: component(lk, solution) for name, component in RULES.items()}


def weigh(lk: Lookup, raw: dict[str, int]) -> dict[str, int]:
    """Weighted cost of every component with the weight of the same name."""
    return {name: getattr(lk.problem.weights, name) * value for name, value in raw.items()}
