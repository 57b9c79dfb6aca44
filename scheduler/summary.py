"""Figures a planner reads after a solve: who got what, how full each place is.

Plain Python over Problem + Solution, shared by the CLI summary, its ``--json`` output and
the demo, so that every view of a run shows the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from scheduler import costs
from scheduler.costs import open_minutes_by_location
from scheduler.lookup import Lookup, minutes_between
from scheduler.problem import PartnerId, Problem
from scheduler.solution import Solution


@dataclass(frozen=True)
class Share:
    """Scheduled out of requested, for a school or an activity."""

    scheduled: int
    requested: int

    @property
    def unscheduled(self) -> int:
        return self.requested - self.scheduled


@dataclass(frozen=True)
class Utilisation:
    """Booked minutes out of open minutes over the horizon (holidays and closures excluded)."""

    booked_minutes: int
    open_minutes: int
    sessions: int

    @property
    def ratio(self) -> float:
        return self.booked_minutes / self.open_minutes if self.open_minutes else 0.0


@dataclass(frozen=True)
class Summary:
    requests: int
    scheduled: int
    sessions: int
    incomplete: int = 0  # running courses kept only in their past (frozen) sessions
    per_school: dict[str, Share] = field(default_factory=dict)
    per_activity: dict[str, Share] = field(default_factory=dict)
    per_location: dict[str, Utilisation] = field(default_factory=dict)
    per_company: dict[str, Utilisation] = field(default_factory=dict)
    group_travel_minutes: int = 0
    trainer_travel_minutes: int = 0

    @property
    def unscheduled(self) -> int:
        """Requests without any session (incomplete courses are counted apart)."""
        return self.requests - self.scheduled - self.incomplete


def summarize(problem: Problem, solution: Solution) -> Summary:
    scheduled = set(solution.scheduled)
    lookup = Lookup.of(problem)

    school_req: Counter[str] = Counter()
    school_ok: Counter[str] = Counter()
    act_req: Counter[str] = Counter()
    act_ok: Counter[str] = Counter()
    for request in problem.requests:
        schools = lookup.schools_of(request)
        done = request.id in scheduled
        for school in schools:
            school_req[school] += 1
            school_ok[school] += done
        act_req[request.activity] += 1
        act_ok[request.activity] += done

    booked: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for s in solution.sessions:
        request = lookup.requests.get(s.request)
        if request is None or lookup.activity_of(request).at_school:
            continue
        booked[s.location] += minutes_between(s.start, s.end)
        count[s.location] += 1

    opened = open_minutes_by_location(lookup)
    per_location = {
        lid: Utilisation(booked[lid], minutes, count[lid]) for lid, minutes in opened.items()
    }
    company: dict[PartnerId, list[Utilisation]] = defaultdict(list)
    for lid, util in per_location.items():
        company[lookup.locations[lid].partner].append(util)
    per_company = {
        pid: Utilisation(
            sum(u.booked_minutes for u in utils),
            sum(u.open_minutes for u in utils),
            sum(u.sessions for u in utils),
        )
        for pid, utils in sorted(company.items())
    }
    return Summary(
        requests=len(problem.requests),
        scheduled=len(scheduled & set(lookup.requests)),
        sessions=len(solution.sessions),
        incomplete=len(set(solution.incomplete) & set(lookup.requests)),
        per_school={k: Share(school_ok[k], v) for k, v in sorted(school_req.items())},
        per_activity={k: Share(act_ok[k], v) for k, v in sorted(act_req.items())},
        per_location=dict(sorted(per_location.items())),
        per_company=per_company,
        group_travel_minutes=costs.group_travel(lookup, solution),
        trainer_travel_minutes=costs.trainer_travel(lookup, solution),
    )
