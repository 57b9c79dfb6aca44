"""Rough, solver-free checks of what a request could get: used by the example tests.

Not the engine: only necessary conditions (a location with the equipment and room within
the group's travel limit, a qualified trainer, a weekday on which group, location and
trainer are all open long enough, inside the request window and not a holiday). A request
failing one of them can never be planned, so the example must not have many.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from models.scenario import Activity, Location, Request, Scenario, Trainer, WeeklyWindow
from models.travel import estimate_minutes


def _minutes(w: WeeklyWindow) -> tuple[int, int]:
    return w.start.hour * 60 + w.start.minute, w.end.hour * 60 + w.end.minute


def _spans(weekly: list[WeeklyWindow], day: date) -> list[tuple[int, int]]:
    return [
        _minutes(w)
        for w in weekly
        if w.weekday == day.isoweekday()
        and (w.valid_from is None or day >= w.valid_from)
        and (w.valid_to is None or day <= w.valid_to)
    ]


def _common(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            s, e = max(s1, s2), min(e1, e2)
            if e > s:
                out.append((s, e))
    return out


def in_window(r: Request, first: date, last: date) -> bool:
    """The request's window meets [first, last] and it is still wanted."""
    return r.status != "withdrawn" and r.earliest <= last and r.latest >= first


def blockers(sc: Scenario, r: Request) -> list[str]:
    """Reasons the request can never be planned (empty: it might be)."""
    act: Activity = next(a for a in sc.activities if a.code == r.activity)
    groups = [g for g in sc.groups if g.key in r.groups]
    locs = {loc.key: loc for loc in sc.locations}
    people = sum(g.headcount for g in groups)
    reasons = []
    if act.max_participants is not None and people > act.max_participants:
        reasons.append(f"{people} participants > max {act.max_participants}")
    if act.at_school:
        homes = {g.home for g in groups}
        candidates: list[Location] = [locs[h] for h in homes if h] if len(homes) == 1 else []
    else:
        candidates = []
        for loc in sc.locations:
            if not loc.hosts_training:
                continue
            if people > loc.capacity and not act.capacity_soft:
                continue
            if any(
                loc.equipment.get(n.code, 0)
                < n.quantity * (people if n.per == "participant" else 1)
                for n in act.equipment
            ):
                continue
            if any(
                g.home and g.max_travel_minutes is not None
                and estimate_minutes((locs[g.home].lat, locs[g.home].lon), (loc.lat, loc.lon))
                > g.max_travel_minutes
                for g in groups
            ):
                continue
            candidates.append(loc)
    if not candidates:
        reasons.append("no location fits (equipment, room, travel)")
    needed = 1 if act.participants_per_trainer is None else max(
        1, math.ceil(people / act.participants_per_trainer)
    )
    trainers: list[Trainer] = [
        t for t in sc.trainers
        if (act.qualification is None or act.qualification in t.qualifications)
        and (act.kind != "guest_lesson" or t.certified)
    ]
    if r.trainer is not None and r.trainer not in {t.key for t in trainers}:
        reasons.append(f"fixed trainer {r.trainer} cannot give {act.code}")
    if len(trainers) < needed:
        reasons.append(f"{len(trainers)} qualified trainers, {needed} needed")
    holidays = [(h.first, h.last) for h in sc.holidays]
    days = 0
    day = r.earliest
    while day <= r.latest and candidates and trainers:
        if not any(a <= day <= b for a, b in holidays):
            group_spans: list[tuple[int, int]] = [(0, 24 * 60)]
            for g in groups:
                group_spans = _common(group_spans, _spans(g.availability.weekly, day))
            for loc in candidates:
                if any(c.first <= day <= c.last for c in loc.availability.closures):
                    continue
                if act.at_school:
                    spans = group_spans
                else:
                    open_ = _spans(loc.availability.weekly, day) + [
                        (w.start.hour * 60 + w.start.minute, w.end.hour * 60 + w.end.minute)
                        for w in loc.availability.one_off if w.date == day
                    ]
                    spans = _common(group_spans, open_)
                free = {
                    t.key
                    for t in trainers
                    if not any(a.first <= day <= a.last for a in t.availability.absences)
                    and any(
                        e - s >= act.duration_minutes
                        for s, e in _common(spans, _spans(t.availability.weekly, day))
                    )
                }
                if len(free) >= needed and (r.trainer is None or r.trainer in free):
                    days += 1
                    break
        day += timedelta(days=1)
    if candidates and len(trainers) >= needed and days < act.sessions:
        reasons.append(f"only {days} usable days for {act.sessions} sessions")
    return reasons


