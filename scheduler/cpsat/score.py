"""The objective recomputed in plain Python from a list of sessions.

The model's auxiliary variables (max/min/ceil components) are exact only at the optimum;
a Solution found before that must still report the true cost of its sessions, so the
engine scores what it returns here, straight from the table in docs/scheduler-rules.md.
Tests compare this with the model's own objective at the optimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from scheduler.cpsat.prep.candidates import window_minutes
from scheduler.problem import (
    COMPONENTS,
    Activity,
    GroupId,
    PartnerId,
    PlannedSession,
    Problem,
    RequestId,
    TimeOfDay,
    TrainerId,
)


def _minutes(a: PlannedSession) -> int:
    return int((a.end - a.start).total_seconds() // 60)


def open_minutes_by_partner(problem: Problem) -> dict[PartnerId, int]:
    """Open minutes of each partner's hosting locations over the non-holiday horizon."""
    days = [d for d in problem.days() if not problem.is_holiday(d)]
    out: dict[PartnerId, int] = {}
    for loc in problem.locations:
        if loc.hosts_training:
            out[loc.partner] = out.get(loc.partner, 0) + sum(
                window_minutes(loc.availability, d) for d in days
            )
    return out


def raw_components(problem: Problem, sessions: Sequence[PlannedSession]) -> dict[str, int]:
    """Raw (unweighted) value of every component for these sessions."""
    travel = problem.travel
    reqs = {r.id: r for r in problem.requests}
    acts = {a.code: a for a in problem.activities}
    locs = {loc.id: loc for loc in problem.locations}
    groups = {g.id: g for g in problem.groups}
    trainers = {t.id: t for t in problem.trainers}
    mine = [s for s in sessions if s.request in reqs]
    scheduled = {s.request for s in mine}
    raw = dict.fromkeys(COMPONENTS, 0)

    def act_of(s: PlannedSession) -> Activity:
        return acts[reqs[s.request].activity]

    raw["unscheduled"] = sum(r.priority for r in problem.requests if r.id not in scheduled)
    for s in mine:
        req, act = reqs[s.request], act_of(s)
        if not act.at_school:
            for gid in req.groups:
                home = groups[gid].home
                if home is not None:
                    raw["group_travel"] += travel.between(home, s.location)
        for tid in s.trainers:
            home = trainers[tid].home
            if home is not None:
                raw["trainer_travel"] += travel.between(home, s.location)
        prefs = req.preferences
        if prefs.weekdays and s.start.isoweekday() not in prefs.weekdays:
            raw["preference"] += 1
        if prefs.time_of_day is not None and TimeOfDay.of(s.start.time()) != prefs.time_of_day:
            raw["preference"] += 1
        if prefs.partners and locs[s.location].partner not in prefs.partners:
            raw["preference"] += 1
        if prefs.locations and s.location not in prefs.locations:
            raw["preference"] += 1
        if act.capacity_soft:
            raw["over_capacity"] += max(0, problem.participants(req) - locs[s.location].capacity)

    by_school: dict[PartnerId, list[RequestId]] = {}
    for r in problem.requests:
        for school in dict.fromkeys(groups[g].school for g in r.groups):
            by_school.setdefault(school, []).append(r.id)
    history = problem.history
    if by_school:
        worst = min(
            100
            * (history.school(school).scheduled + sum(rid in scheduled for rid in rids))
            // (history.school(school).requests + len(rids))
            for school, rids in by_school.items()
        )
        raw["fairness"] = 100 - worst

    opens = open_minutes_by_partner(problem)
    total = sum(opens.values()) + history.open_minutes
    hosted_sessions = [s for s in mine if not act_of(s).at_school]
    n_all = len(hosted_sessions) + history.hosted_sessions
    for partner, minutes in opens.items():
        before = history.host(partner)
        share = 1000 * (minutes + before.open_minutes) // total if total else 0
        hosted = before.sessions + sum(
            1 for s in hosted_sessions if locs[s.location].partner == partner
        )
        raw["host_balance"] += max(0, -(-(1000 * hosted - share * n_all) // 1000))

    placed = {(s.request, s.index): s for s in mine}
    for ref in problem.reference:
        if ref.request not in reqs:
            continue
        got = placed.get((ref.request, ref.index))
        if got is None or (got.location, got.start, got.end, set(got.trainers)) != (
            ref.location,
            ref.start,
            ref.end,
            set(ref.trainers),
        ):
            raw["stability"] += 1

    per_trainer_day: dict[tuple[TrainerId, date], list[PlannedSession]] = {}
    for s in mine:
        for tid in s.trainers:
            per_trainer_day.setdefault((tid, s.start.date()), []).append(s)
    for day_sessions in per_trainer_day.values():
        span = max(s.end for s in day_sessions) - min(s.start for s in day_sessions)
        raw["trainer_idle"] += int(span.total_seconds() // 60) - sum(
            _minutes(s) for s in day_sessions
        )

    by_request: dict[RequestId, list[PlannedSession]] = {}
    for s in mine:
        by_request.setdefault(s.request, []).append(s)
    for rid, rs in by_request.items():
        act = acts[reqs[rid].activity]
        raw["room_stability"] += len({s.location for s in rs}) - 1
        raw["min_days"] += max(0, act.min_distinct_days - len({s.start.date() for s in rs}))

    by_group: dict[GroupId, list[PlannedSession]] = {}
    for s in mine:
        for gid in reqs[s.request].groups:
            by_group.setdefault(gid, []).append(s)
    for gs in by_group.values():
        for a in gs:
            touching = any(
                b is not a
                and b.start.date() == a.start.date()
                and (b.end == a.start or b.start == a.end)
                for b in gs
            )
            raw["isolated"] += 0 if touching else 1
    return raw


def weighted_components(problem: Problem, sessions: Sequence[PlannedSession]) -> dict[str, int]:
    """Weighted cost per component, every name of the table present."""
    raw = raw_components(problem, sessions)
    return {name: getattr(problem.weights, name) * value for name, value in raw.items()}


__all__ = ["COMPONENTS", "open_minutes_by_partner", "raw_components", "weighted_components"]
