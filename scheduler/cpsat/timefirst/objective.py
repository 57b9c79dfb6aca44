"""Soft rules of the time-indexed models (``build.py``), each returning its raw terms.

In a neighbourhood model (``sm.exact``) every term is exact for the free requests and for
what they change of fixed sessions (a fixed session that may lose or gain a neighbour, a
partner's share of all sessions, a trainer's day); what cannot change is left out as a
constant. In the time-first model a term that depends on locations or chosen trainers is
the least it can be, so its objective bounds the problem's from below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from scheduler.cpsat.prep.candidates import frozen_sessions
from scheduler.cpsat.score import open_minutes_by_partner
from scheduler.cpsat.timefirst.model import Lit, OpenLocations, SlotModel, Term, Unit
from scheduler.problem import (
    COMPONENTS,
    GroupId,
    LocationId,
    PartnerId,
    RequestId,
    TimeOfDay,
    TrainerId,
)


def _placements(u: Unit) -> list[tuple[int, LocationId, Lit]]:
    """(start, location, literal) of every placement of a neighbourhood's unit."""
    if u.locations is None:
        (home,) = u.places
        return [(t, home, lit) for t, lit in u.x.items()]
    return [(t, lid, lit) for (t, lid), lit in u.z.items()]


def _unscheduled(sm: SlotModel) -> list[Term]:
    """Priority of every request left unscheduled (fixed requests are constants)."""
    terms: list[Term] = []
    for rc in sm.cands.requests:
        lit = sm.present.get(rc.request.id)
        prio = rc.request.priority
        if lit is not None:
            terms.append(prio - prio * lit)
        elif not sm.exact:
            terms.append(prio)
    return terms


def _group_travel(sm: SlotModel) -> list[Term]:
    """Each group's travel from home; the nearest candidate in the time-first model."""
    travel, terms = sm.problem.travel, []
    for u in sm.units:
        if u.locations is None:
            continue
        homes = [h for gid in u.groups if (h := sm.group(gid).home) is not None]
        if not homes:
            continue
        cost = {lid: sum(travel.between(h, lid) for h in homes) for lid in u.locations}
        if sm.exact:
            terms += [cost[lid] * lit for (_t, lid), lit in u.z.items() if cost[lid]]
        elif min(cost.values()):
            terms.append(min(cost.values()) * u.count * u.present)
    return terms


def _trainer_travel(sm: SlotModel) -> list[Term]:
    """Trainers' travel from home; the time-first model counts the ones who must go, to the
    nearest candidate place."""
    problem, terms = sm.problem, []
    travel = problem.travel
    for u in sm.units:
        places = u.places
        for tid in sorted(u.must_trainers):
            home = sm.trainer(tid).home
            if home is None:
                continue
            cost = {lid: travel.between(home, lid) for lid in places}
            if sm.exact:
                terms += [cost[lid] * lit for _t, lid, lit in _placements(u) if cost[lid]]
            elif min(cost.values()):
                terms.append(min(cost.values()) * u.count * u.present)
        if sm.exact:
            terms += _chosen_trainer_travel(sm, u)
    return terms


def _chosen_trainer_travel(sm: SlotModel, u: Unit) -> list[Term]:
    """Travel of a chosen trainer depends on the location too: >= the location's cost when
    the trainer is on the session."""
    m, travel, terms = sm.model, sm.problem.travel, []
    by_start: dict[int, list[tuple[LocationId, Lit]]] = {}
    for t, lid, lit in _placements(u):
        by_start.setdefault(t, []).append((lid, lit))
    for (t, tid), w in u.w.items():
        home = sm.trainer(tid).home
        if home is None:
            continue
        costs = [(travel.between(home, lid), lit) for lid, lit in by_start.get(t, [])]
        top = max((c for c, _ in costs), default=0)
        if top == 0:
            continue
        if len({c for c, _ in costs}) == 1:
            terms.append(top * w)
            continue
        cost = m.new_int_var(0, top, f"trainer_travel[{u.request},{t},{tid}]")
        m.add(cost >= sum(c * lit for c, lit in costs) - top * (1 - w))
        terms.append(cost)
    return terms


def _preference(sm: SlotModel) -> list[Term]:
    """Weekday and time-of-day wishes per start; partner and location wishes per place (the
    best candidate in the time-first model)."""
    grid, g, terms = sm.grid, sm.problem.grid_minutes, []
    spd = grid.slots_per_day
    for u in sm.units:
        prefs = u.rc.request.preferences
        for t, lit in u.x.items():
            miss = 0
            if prefs.weekdays and grid.day_at(t // spd).isoweekday() not in prefs.weekdays:
                miss += 1
            if prefs.time_of_day is not None:
                minutes = (t % spd) * g
                if TimeOfDay.of(time(minutes // 60, minutes % 60)) is not prefs.time_of_day:
                    miss += 1
            if miss:
                terms.append(miss * lit)
        if not prefs.partners and not prefs.locations:
            continue
        wrong = {lid: _unwished(sm, u, lid) for lid in u.places}
        if sm.exact:
            terms += [wrong[lid] * lit for _t, lid, lit in _placements(u) if wrong[lid]]
        elif least := min(wrong.values()):
            terms.append(least * u.count * u.present)
    return terms


def _unwished(sm: SlotModel, u: Unit, lid: LocationId) -> int:
    """Partner and location wishes a place misses."""
    prefs = u.rc.request.preferences
    partner = sm.location(lid).partner
    return int(bool(prefs.partners) and partner not in prefs.partners) + int(
        bool(prefs.locations) and lid not in prefs.locations
    )


def _fairness(sm: SlotModel) -> list[Term]:
    """100 minus the worst school's percentage (floored) of scheduled requests."""
    by_school: dict[PartnerId, list[RequestId]] = {}
    for r in sm.problem.requests:
        for school in dict.fromkeys(sm.group(g).school for g in r.groups):
            by_school.setdefault(school, []).append(r.id)
    if not by_school:
        return []
    worst = sm.model.new_int_var(0, 100, "fairness_worst_percentage")
    scheduled, history = sm.background.scheduled, sm.problem.history
    for school, rids in by_school.items():
        before = history.school(school)
        count: Term = before.scheduled + sum(
            lit if (lit := sm.present.get(rid)) is not None else int(rid in scheduled)
            for rid in rids
        )
        sm.model.add(worst * (before.requests + len(rids)) <= 100 * count)
    return [100 - worst]


def _host_balance(sm: SlotModel) -> list[Term]:
    """Sessions a partner hosts beyond its share of the open minutes (neighbourhoods only:
    the time-first model does not know the partners, and 0 is the least it can be)."""
    if not sm.exact:
        return []
    m, problem, history = sm.model, sm.problem, sm.problem.history
    opens = open_minutes_by_partner(problem)
    total = sum(opens.values()) + history.open_minutes
    acts = {a.code: a for a in problem.activities}
    reqs = {r.id: r for r in problem.requests}
    fixed = [
        s for s in sm.background.sessions if s.request in reqs
        and not acts[reqs[s.request].activity].at_school
    ]  # fmt: skip
    free = [(lid, lit) for u in sm.units if u.locations is not None for _t, lid, lit in
            _placements(u)]  # fmt: skip
    if not free:
        return []
    n_all = history.hosted_sessions + len(fixed) + sum(lit for _lid, lit in free)
    terms: list[Term] = []
    for partner, minutes in opens.items():
        before = history.host(partner)
        share = 1000 * (minutes + before.open_minutes) // total if total else 0
        if share >= 1000:
            continue
        hosted = before.sessions + sum(
            1 for s in fixed if sm.location(s.location).partner == partner
        )
        mine = [lit for lid, lit in free if sm.location(lid).partner == partner]
        if not mine and not hosted:
            continue
        excess = m.new_int_var(0, hosted + len(free), f"host_excess[{partner}]")
        m.add(1000 * excess >= 1000 * (hosted + sum(mine)) - share * n_all)
        terms.append(excess)
    return terms


def _stability(sm: SlotModel) -> list[Term]:
    """One per reference session not kept exactly; the time-first model counts a session
    as kept when its start is (the least it can be)."""
    m, grid = sm.model, sm.grid
    frozen = frozen_sessions(sm.problem)
    ids = {r.id for r in sm.problem.requests}
    terms: list[Term] = []
    kept_at: dict[int, tuple[Lit, list[Lit]]] = {}
    for ref in sm.problem.reference:
        if ref.request not in ids:
            continue
        if sm.exact and ref.request not in sm.present:
            continue  # a fixed request: its cost does not change
        fz = frozen.get((ref.request, ref.index))
        if fz is not None:
            if not sm.exact:
                same = (fz.location, fz.start, fz.end, set(fz.trainers)) == (
                    ref.location, ref.start, ref.end, set(ref.trainers))  # fmt: skip
                terms.append(0 if same else 1)
            continue
        mine = sm.units_of(ref.request)
        unit = next((u for u in mine if any(sc.index == ref.index for sc in u.sessions)), None)
        t = grid.slot(ref.start) if grid.is_on_grid(ref.start) else None
        duration = (ref.end - ref.start).total_seconds() / 60
        if unit is None or t is None or t not in unit.x or duration != unit.duration:
            terms.append(1)
            continue
        if sm.exact:
            keep = _kept_exactly(sm, unit, ref.index, t, ref.location, ref.trainers)
            terms.append(1 if keep is None else 1 - keep)
            continue
        if unit.locations is not None and ref.location not in unit.locations:
            terms.append(1)
            continue
        keep = m.new_bool_var(f"kept[{ref.request}#{ref.index}]")
        kept_at.setdefault(unit.x[t].index, (unit.x[t], []))[1].append(keep)
        terms.append(1 - keep)
    for lit, keeps in kept_at.values():
        m.add(sum(keeps) <= lit)
    return terms


def _kept_exactly(
    sm: SlotModel, u: Unit, index: int, t: int, lid: LocationId, trainers: tuple[TrainerId, ...]
) -> Lit | None:
    """A literal true only if session ``index`` of ``u`` is placed as the reference was."""
    where = {lid_: lit for t_, lid_, lit in _placements(u) if t_ == t}
    allowed = u.must_trainers | {k for (s, k) in u.w if s == t}
    ref = set(trainers)
    if (
        lid not in where
        or not ref <= allowed
        or not u.must_trainers <= ref
        or len(ref) != len(u.must_trainers) + u.free_needed
    ):
        return None
    m = sm.model
    keep = m.new_bool_var(f"kept[{u.request}#{index}]")
    m.add_implication(keep, where[lid])
    for tid in trainers:
        if tid not in u.must_trainers:
            m.add_implication(keep, u.w[(t, tid)])
    position = [sc.index for sc in u.sessions].index(index)
    if u.count > 1:  # the index-th session of the unit: exactly so many start before
        m.add(sum(lit for s, lit in u.x.items() if s < t) == position).only_enforce_if(keep)
    return keep


def _trainer_idle(sm: SlotModel) -> list[Term]:
    """Per trainer and day a free session may touch: last end - first start - busy minutes
    (neighbourhoods only; 0 is the least it can be)."""
    if not sm.exact:
        return []
    m, grid = sm.model, sm.grid
    g, spd = grid.grid_minutes, grid.slots_per_day
    touched: dict[tuple[TrainerId, int], list[tuple[Unit, int, Lit]]] = {}
    for u in sm.units:
        for tid in sorted(u.must_trainers | u.free_trainers):
            for t, lit in u.trainer_lits(tid).items():
                touched.setdefault((tid, t // spd), []).append((u, t, lit))
    fixed: dict[tuple[TrainerId, int], list[tuple[int, int]]] = {}
    for tid, busy in sm.background.by_trainer.items():
        for b in busy:
            tod = (b.start % spd) * g
            fixed.setdefault((tid, b.start // spd), []).append((tod, tod + b.duration))
    terms: list[Term] = []
    for (tid, day), items in touched.items():
        spans = fixed.get((tid, day), [])
        if not spans and len(items) < 2:
            continue  # one session alone on a day is never idle
        label = f"{tid},{grid.day_at(day)}"
        first = m.new_int_var(0, 24 * 60, f"first_start[{label}]")
        last = m.new_int_var(0, 24 * 60, f"last_end[{label}]")
        m.add(last >= first)
        if spans:
            m.add(first <= min(a for a, _ in spans))
            m.add(last >= max(b for _, b in spans))
        for u, t, lit in items:
            tod = (t % spd) * g
            m.add(first <= tod).only_enforce_if(lit)
            m.add(last >= tod + u.duration).only_enforce_if(lit)
        # declared >= 0 (sessions never overlap), which keeps the LP bound from going negative
        idle = m.new_int_var(0, 24 * 60, f"idle[{label}]")
        busy = sum(b - a for a, b in spans)
        m.add(idle == last - first - busy - sum(u.duration * lit for u, _t, lit in items))
        terms.append(idle)
    return terms


def _room_stability(sm: SlotModel) -> list[Term]:
    """Distinct locations a free multi-session request uses, minus one (neighbourhoods only;
    0 is the least it can be)."""
    if not sm.exact:
        return []
    m, terms = sm.model, []
    for rid, present in sm.present.items():
        units = sm.units_of(rid)
        if sum(u.count for u in units) < 2 or units[0].rc.activity.same_location:
            continue
        places = sorted(frozenset().union(*(u.places for u in units)))
        if len(places) < 2:
            continue
        used = {lid: m.new_bool_var(f"uses[{rid},{lid}]") for lid in places}
        for u in units:
            for _t, lid, lit in _placements(u):
                m.add(used[lid] >= lit)  # linear, so the LP relaxation sees it
        extra = m.new_int_var(0, len(places) - 1, f"extra_locations[{rid}]")  # >= 0 for the LP
        m.add(extra == sum(used.values()) - present)
        terms.append(extra)
    return terms


def _min_days(sm: SlotModel) -> list[Term]:
    """Days a scheduled request falls short of its activity's min_distinct_days."""
    m, spd, terms = sm.model, sm.grid.slots_per_day, []
    for rid, present in sm.present.items():
        units = sm.units_of(rid)
        if not units:
            continue
        act = units[0].rc.activity
        need, n = act.min_distinct_days, sum(u.count for u in units)
        if need <= 1:
            continue
        if act.min_days_between >= 1:  # every session on its own day
            if need > n:
                terms.append((need - n) * present)
            continue
        on_day: dict[int, list[Lit]] = {}
        for u in units:
            for t, lit in u.x.items():
                on_day.setdefault(t // spd, []).append(lit)
        used = []
        for d, lits in sorted(on_day.items()):
            z = m.new_bool_var(f"uses_day[{rid},{sm.grid.day_at(d)}]")
            m.add(z <= sum(lits))
            used.append(z)
        short = m.new_int_var(0, need, f"days_short[{rid}]")
        m.add(short >= need * present - sum(used))
        terms.append(short)
    return terms


def _isolated(sm: SlotModel) -> list[Term]:
    """Per group: a session with no session of the group ending at its start or starting at
    its end, on its day. Fixed sessions of the group count as neighbours, and count
    themselves where a free session may become (or stop being) their neighbour."""
    m, g, spd = sm.model, sm.problem.grid_minutes, sm.grid.slots_per_day
    by_group: dict[GroupId, list[Unit]] = {}
    for u in sm.units:
        for gid in u.groups:
            by_group.setdefault(gid, []).append(u)
    terms: list[Term] = []
    for gid, units in by_group.items():
        starting: dict[int, list[Lit]] = {}
        ending: dict[int, list[Lit]] = {}
        for u in units:
            for t, lit in u.x.items():
                starting.setdefault(t, []).append(lit)
                end = t + u.size
                if u.duration % g == 0 and end // spd == t // spd:
                    ending.setdefault(end, []).append(lit)
        fixed_starts: set[int] = set()
        fixed_ends: set[int] = set()
        fixed = sm.background.by_group.get(gid, [])
        for b in fixed:
            fixed_starts.add(b.start)
            if b.duration % g == 0 and (b.start + b.size) // spd == b.start // spd:
                fixed_ends.add(b.start + b.size)
        batches: dict[tuple[int, int], list[Lit]] = {}  # (start, size or 0 off the grid)
        for u in units:
            size = u.size if u.duration % g == 0 else 0
            for t, lit in u.x.items():
                batches.setdefault((t, size), []).append(lit)
        for (t, size), lits in sorted(batches.items()):
            after_slot = t + size if size and (t + size) // spd == t // spd else None
            if t in fixed_ends or (after_slot is not None and after_slot in fixed_starts):
                continue  # a fixed neighbour: never isolated
            before = ending.get(t, [])
            after = starting.get(after_slot, []) if after_slot is not None else []
            if not before and not after:
                terms.extend(lits)
                continue
            iso = m.new_bool_var(f"isolated[{gid},{sm.when(t)}]")
            m.add(iso >= sum(lits) - sum(before) - sum(after))
            terms.append(iso)
        for b in fixed:  # a fixed session whose neighbours may change
            aligned = b.duration % g == 0 and (b.start + b.size) // spd == b.start // spd
            end = b.start + b.size if aligned else None
            if b.start in fixed_ends or (end is not None and end in fixed_starts):
                continue
            before = ending.get(b.start, [])
            after = starting.get(end, []) if end is not None else []
            if not before and not after:
                continue  # isolated whatever the free sessions do: a constant
            iso = m.new_bool_var(f"isolated[{gid},{sm.when(b.start)}]")
            m.add(iso >= 1 - sum(before) - sum(after))
            terms.append(iso)
    return terms


def _over_capacity(sm: SlotModel) -> list[Term]:
    """Participants above capacity for capacity_soft activities: exact per place in a
    neighbourhood, the least matching per start slot in the time-first model."""
    if sm.exact:
        terms: list[Term] = []
        for u in sm.units:
            if not u.rc.activity.capacity_soft or u.locations is None:
                continue
            for (_t, lid), lit in u.z.items():
                excess = u.rc.participants - sm.location(lid).capacity
                if excess > 0:
                    terms.append(excess * lit)
        return terms
    return _least_over_capacity(sm)


def _least_over_capacity(sm: SlotModel) -> list[Term]:
    """Per start slot, the least excess of matching sizes to capacities (largest first).

    With sessions sorted by participants and locations by capacity, matching them in order
    costs, summed over v >= 1, max(0, sessions with >= v participants - locations with
    capacity >= v), and no matching costs less. Sessions starting at one slot need distinct
    locations, so this per start slot is a lower bound (exact for one-slot sessions).
    Sessions with a hard capacity count among the large ones: they need a large location.
    """
    soft = [u for u in sm.units if u.rc.activity.capacity_soft and u.locations is not None]
    if not soft:
        return []
    booking = [u for u in sm.units if u.locations is not None]
    pool = frozenset().union(*(u.locations for u in booking if u.locations is not None))
    caps = {lid: sm.location(lid).capacity for lid in pool}
    top = max(u.rc.participants for u in soft)
    # both counts are constant between consecutive breaks (a size s stops counting at s + 1)
    breaks = sorted(
        {1}
        | {u.rc.participants + 1 for u in booking if u.rc.participants < top}
        | {c + 1 for c in caps.values() if 0 < c + 1 <= top}
    )
    opens = OpenLocations(sm)
    starting: dict[int, list[tuple[int, Lit]]] = {}
    for u in booking:
        for t, lit in u.x.items():
            starting.setdefault(t, []).append((u.rc.participants, lit))
    m, terms = sm.model, []
    for t, items in sorted(starting.items()):
        open_caps = [caps[lid] for lid in pool if opens.is_open(lid, t)]
        short = []  # (v, width, rooms, sessions) where the sessions may outnumber the rooms
        for i, v in enumerate(breaks):
            width = (breaks[i + 1] if i + 1 < len(breaks) else top + 1) - v
            big = sum(1 for p, _ in items if p >= v)
            rooms = sum(1 for c in open_caps if c >= v)
            if big > rooms:
                short.append((v, width, rooms, big))
        # the sessions with >= v participants, counted from the largest v down: each literal
        # enters one link of the chain instead of the sum of every smaller v
        above: Term = 0
        ceiling = top + 1
        for v, width, rooms, big in reversed(short):
            label = f"{sm.when(t)},{v}"
            count = m.new_int_var(0, big, f"starting_with_at_least[{label}]")
            m.add(count == above + sum(lit for p, lit in items if v <= p < ceiling))
            excess = m.new_int_var(0, big, f"over_capacity[{label}]")
            m.add(excess >= count - rooms)
            terms.append(width * excess)
            above, ceiling = count, v
    return terms


# one function per component, named after it with a leading underscore
SOFT_RULES: dict[str, Callable[[SlotModel], list[Term]]] = {
    name: globals()["_" + name] for name in COMPONENTS
}

__all__ = ["SOFT_RULES"]
