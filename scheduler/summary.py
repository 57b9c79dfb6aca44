"""Figures a planner reads after a solve: who got what, how full each place is.

Plain Python over Problem + Solution, shared by the CLI summary, its ``--json`` output and
the demo, so that every view of a run shows the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

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
    per_school: dict[str, Share] = field(default_factory=dict)
    per_activity: dict[str, Share] = field(default_factory=dict)
    per_location: dict[str, Utilisation] = field(default_factory=dict)
    per_company: dict[str, Utilisation] = field(default_factory=dict)
    group_travel_minutes: int = 0
    trainer_travel_minutes: int = 0

    @property
    def unscheduled(self) -> int:
        return self.requests - self.scheduled


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def open_minutes(problem: Problem) -> dict[str, int]:
    """Open minutes of each hosting location over the horizon's non-holiday days."""
    out: dict[str, int] = {}
    for loc in problem.locations:
        if not loc.hosts_training:
            continue
        total = 0
        for day in problem.days():
            if problem.is_holiday(day):
                continue
            for start, end in loc.availability.windows_on(day):
                total += (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        out[loc.id] = total
    return out


def summarize(problem: Problem, solution: Solution) -> Summary:
    scheduled = set(solution.scheduled)
    activities = {a.code: a for a in problem.activities}
    groups = {g.id: g for g in problem.groups}
    locations = {loc.id: loc for loc in problem.locations}
    trainers = {t.id: t for t in problem.trainers}

    school_req: Counter[str] = Counter()
    school_ok: Counter[str] = Counter()
    act_req: Counter[str] = Counter()
    act_ok: Counter[str] = Counter()
    for request in problem.requests:
        schools = {groups[g].school for g in request.groups}
        done = request.id in scheduled
        for school in schools:
            school_req[school] += 1
            school_ok[school] += done
        act_req[request.activity] += 1
        act_ok[request.activity] += done

    booked: Counter[str] = Counter()
    count: Counter[str] = Counter()
    group_travel = trainer_travel = 0
    requests = {r.id: r for r in problem.requests}
    for s in solution.sessions:
        request = requests.get(s.request)
        if request is None:
            continue
        activity = activities[request.activity]
        for tid in s.trainers:
            home = trainers[tid].home if tid in trainers else None
            if home is not None:
                trainer_travel += problem.travel.between(home, s.location)
        if activity.at_school:
            continue
        booked[s.location] += _minutes(s.start, s.end)
        count[s.location] += 1
        for gid in request.groups:
            home = groups[gid].home
            if home is not None:
                group_travel += problem.travel.between(home, s.location)

    opened = open_minutes(problem)
    per_location = {
        lid: Utilisation(booked[lid], minutes, count[lid]) for lid, minutes in opened.items()
    }
    company: dict[PartnerId, list[Utilisation]] = defaultdict(list)
    for lid, util in per_location.items():
        company[locations[lid].partner].append(util)
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
        scheduled=len(scheduled & set(requests)),
        sessions=len(solution.sessions),
        per_school={k: Share(school_ok[k], v) for k, v in sorted(school_req.items())},
        per_activity={k: Share(act_ok[k], v) for k, v in sorted(act_req.items())},
        per_location=dict(sorted(per_location.items())),
        per_company=per_company,
        group_travel_minutes=group_travel,
        trainer_travel_minutes=trainer_travel,
    )
