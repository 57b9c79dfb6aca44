"""Time-indexed models: one literal per (session, start slot), for problems on a coarse grid.

The full model (``model.py``) gives each session an integer start and an optional interval
per candidate location. On a coarse grid with nearly full locations it finds good
timetables slowly and its bound stays weak. Here every candidate start of a session is a
literal, so "at most one session of this group in this slot" is a clique the LP relaxation
sees, and costs per start (adjacency, days used, wishes) are linear. Two models are built
from the same units and rules:

* the **time-first model** of the whole problem (``build_slot_model``) decides starts only.
  Locations and trainers chosen among several candidates are not assigned but counted per
  slot: the sessions that can only use a set of locations are at most the open locations of
  that set (Hall's condition on every candidate set), likewise for trainers. When candidate
  sets are nested (every location fits every session, or capacity is all that differs)
  those counts are what an assignment needs. Every location- or trainer-dependent cost is
  replaced by the least it can be (over capacity by matching sizes to capacities per slot;
  travel and partner wishes by the best candidate; room stability, trainer idle time and
  host balance by 0), so its optimum is a lower bound of the whole problem's.
* a **neighbourhood model** (``build_neighbourhood``) frees a few requests of a plan and
  keeps every other session where it is. Free sessions get one literal per (start,
  location) and per (start, trainer) they may take; the fixed sessions prune what conflicts
  with them and enter every rule as constants. Every rule and cost is then exact, so large-
  neighbourhood search on it never accepts a plan that breaks a rule or is not better.

Sessions of one request that are interchangeable (same candidates, no day gaps, none
frozen) form one unit with one literal per start: the request starts ``n`` of them, in time
order. That removes the symmetry between identical sessions. Soft rules are in
``objective.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from scheduler.cpsat.prep.candidates import (
    Candidates,
    RequestCandidates,
    SessionCandidates,
    mask_slots,
)
from scheduler.cpsat.settings import DEFAULT_SETTINGS
from scheduler.cpsat.timefirst.model import (
    Background,
    Busy,
    Lit,
    OpenLocations,
    SlotModel,
    Term,
    Unit,
)
from scheduler.cpsat.timefirst.objective import SOFT_RULES
from scheduler.problem import GroupId, LocationId, PlannedSession, Problem, RequestId, TrainerId


def start_literals(cands: Candidates) -> int:
    """How many start literals the time-first model of ``cands`` needs."""
    total = 0
    for rc in cands.requests:
        if not rc.schedulable or not rc.sessions:
            continue
        batches = [rc.sessions[:1]] if _interchangeable(rc) else [[sc] for sc in rc.sessions]
        for (sc,) in batches:
            total += sum(bin(m).count("1") for m in sc.day_masks.values())
    return total


def _interchangeable(rc: RequestCandidates) -> bool:
    """Whether the request's sessions may share one literal per start (see module doc)."""
    act = rc.activity
    if act.min_days_between > 0 or act.max_days_between is not None:
        return False
    first = rc.sessions[0]
    return all(
        sc.frozen is None
        and sc.day_masks == first.day_masks
        and sc.location_masks == first.location_masks
        and sc.trainer_masks == first.trainer_masks
        for sc in rc.sessions
    )


# --- building --------------------------------------------------------------------------------


def build_slot_model(
    problem: Problem,
    cands: Candidates,
    *,
    max_start_literals: int = DEFAULT_SETTINGS.time_first.max_start_literals,
) -> SlotModel | None:
    """The time-first model of the whole problem, or None when it would be too large."""
    if cands.infeasible or start_literals(cands) > max_start_literals:
        return None
    sm = SlotModel.new(problem, cands, exact=False)
    for rc in cands.requests:
        if rc.schedulable and rc.sessions:
            _add_request(sm, rc, {})
    for rule in TIME_RULES + COUNTED_RULES:
        rule(sm)
    _minimise(sm)
    return sm


def build_neighbourhood(
    problem: Problem,
    cands: Candidates,
    fixed: Iterable[PlannedSession],
    free: set[RequestId],
    keep_starts: dict[tuple[RequestId, int], int] | None = None,
) -> SlotModel:
    """An exact model of ``free``'s sessions around the ``fixed`` sessions of a plan.

    Sessions listed in ``keep_starts`` keep that start (their locations and trainers may
    change). A plan that keeps every rule is always a solution (hint it with ``hint_from``).
    """
    sm = SlotModel.new(problem, cands, exact=True)
    _background(sm, [s for s in fixed if s.request not in free])
    for rc in cands.requests:
        if rc.request.id in free and rc.schedulable and rc.sessions:
            _add_request(sm, rc, keep_starts or {})
    for rule in TIME_RULES + EXACT_RULES:
        rule(sm)
    _minimise(sm)
    return sm


def _minimise(sm: SlotModel) -> None:
    for name, rule in SOFT_RULES.items():
        weight = getattr(sm.problem.weights, name)
        if weight:
            sm.costs[name] = (weight, sum(rule(sm)))
    sm.objective = sum(weight * cost for weight, cost in sm.costs.values())
    sm.model.minimize(sm.objective)


def _background(sm: SlotModel, fixed: list[PlannedSession]) -> None:
    grid, problem, bg = sm.grid, sm.problem, sm.background
    acts = {a.code: a for a in problem.activities}
    reqs = {r.id: r for r in problem.requests}
    bg.sessions = fixed
    for s in fixed:
        req = reqs.get(s.request)
        if req is None:
            continue
        bg.scheduled.add(s.request)
        duration = int((s.end - s.start).total_seconds() // 60)
        start = grid.slot(s.start)
        busy = Busy(start, grid.ceil_slots(duration), duration, s.location, s)
        for gid in req.groups:
            bg.by_group.setdefault(gid, []).append(busy)
            bg.held.add("g:" + gid, start, busy.size)
        for tid in s.trainers:
            bg.by_trainer.setdefault(tid, []).append(busy)
            bg.held.add("t:" + tid, start, busy.size)
        if not acts[req.activity].at_school:
            buffer = sm.location(s.location).buffer_minutes
            held = Busy(start, grid.ceil_slots(duration + buffer), duration, s.location, s)
            bg.by_location.setdefault(s.location, []).append(held)
            bg.held.add("l:" + s.location, start, held.size)


def _add_request(sm: SlotModel, rc: RequestCandidates, keep: list[PlannedSession] | None) -> None:
    """The request's units; in a neighbourhood, pruned against the fixed sessions."""
    m, rid = sm.model, rc.request.id
    present = m.new_bool_var(f"scheduled[{rid}]")
    sm.present[rid] = present
    if rc.must_schedule:
        m.add(present == 1)
    batches = [rc.sessions] if _interchangeable(rc) else [[sc] for sc in rc.sessions]
    for batch in batches:
        sc = batch[0]
        forced = len(sc.trainer_masks) == sc.trainers_needed
        must = set(sc.trainer_masks) if forced else set()
        if sc.fixed_trainer is not None:
            must.add(sc.fixed_trainer)
        free = frozenset(sc.trainer_masks) - must
        unit = Unit(
            rc=rc,
            sessions=list(batch),
            present=present,
            x={},
            size=sc.size,
            locations=None if sc.at_school else frozenset(sc.location_masks),
            must_trainers=frozenset(must),
            free_trainers=free,
            free_needed=sc.trainers_needed - len(must) if free else 0,
        )
        starts = _candidate_starts(sm, sc)
        kept = {keep[key] for s in batch if (key := (s.request, s.index)) in keep}
        if kept:
            starts = [t for t in starts if t in kept]
        if sm.exact:
            _exact_literals(sm, unit, starts)
        else:
            name = sc.name if len(batch) == 1 else f"{rid}#*"
            unit.x = {t: m.new_bool_var(f"starts[{name},{sm.when(t)}]") for t in starts}
        m.add(sum(unit.x.values()) == len(batch) * present)
        sm.units.append(unit)
        sm._by_request.setdefault(rid, []).append(unit)


def _candidate_starts(sm: SlotModel, sc: SessionCandidates) -> list[int]:
    spd = sm.grid.slots_per_day
    return sorted(d * spd + s for d, mask in sc.day_masks.items() for s in mask_slots(mask))


def _exact_literals(sm: SlotModel, u: Unit, starts: list[int]) -> None:
    """Literals per (start, location) and (start, free trainer) that no fixed session rules
    out; a start keeps its literal only if it still has a location and enough trainers."""
    m, bg, spd = sm.model, sm.background, sm.grid.slots_per_day
    sc = u.sessions[0]
    name = sc.name if u.count == 1 else f"{u.request}#*"
    ceil = sm.grid.ceil_slots
    mine = ["g:" + gid for gid in u.groups] + ["t:" + tid for tid in u.must_trainers]
    near = []
    if sm.any_travel:
        near = [b for gid in u.groups for b in bg.by_group.get(gid, [])]
        near += [b for tid in u.must_trainers for b in bg.by_trainer.get(tid, [])]
    held = {lid: ceil(u.duration + sm.location(lid).buffer_minutes) for lid in sc.location_masks}
    blocked = bg.held.blocked_starts
    for t in starts:
        day, bit = t // spd, 1 << (t % spd)
        if any(blocked(key, day, u.size) & bit for key in mine):
            continue
        places = []
        for lid, masks in sc.location_masks.items():
            if not masks.get(day, 0) & bit:
                continue
            if u.locations is not None and blocked("l:" + lid, day, held[lid]) & bit:
                continue
            if near and any(_too_close(sm, b, t, u.duration, lid) for b in near):
                continue
            places.append(lid)
        trainers = []
        for tid in sorted(u.free_trainers):
            if not sc.trainer_masks[tid].get(day, 0) & bit:
                continue
            if blocked("t:" + tid, day, u.size) & bit:
                continue
            trainers.append(tid)
        if not places or len(trainers) < u.free_needed:
            continue
        x = m.new_bool_var(f"starts[{name},{sm.when(t)}]")
        u.x[t] = x
        if u.locations is None:
            pass  # at_school: the place is the home, booked by nobody else
        elif len(places) == 1:
            u.z[(t, places[0])] = x
        else:
            for lid in places:
                u.z[(t, lid)] = m.new_bool_var(f"at[{name},{sm.when(t)},{lid}]")
            m.add(sum(u.z[(t, lid)] for lid in places) == x)
        if u.free_needed:
            lits = {k: m.new_bool_var(f"trainer[{name},{sm.when(t)},{k}]") for k in trainers}
            u.w.update({(t, tid): lit for tid, lit in lits.items()})
            m.add(sum(lits.values()) == u.free_needed * x)
            for tid, lit in lits.items():  # travel to or from a fixed session of the trainer
                for b in bg.by_trainer.get(tid, []) if sm.any_travel else []:
                    for lid in places:
                        if _too_close(sm, b, t, u.duration, lid):
                            m.add_bool_or([lit.negated(), _at(u, t, lid).negated()])


def _at(u: Unit, t: int, lid: LocationId) -> Lit:
    return u.z.get((t, lid), u.x[t])


def _too_close(sm: SlotModel, b: Busy, t: int, duration: int, lid: LocationId) -> bool:
    """Whether a session at ``t`` in ``lid`` leaves too little travel time to or from ``b``."""
    spd = sm.grid.slots_per_day
    if b.start // spd != t // spd or b.location == lid:
        return False
    need = sm.problem.travel.between(b.location, lid)
    if need <= 0:
        return False
    ceil = sm.grid.ceil_slots
    if b.start <= t:
        return t - b.start < ceil(b.duration + need)
    return b.start - t < ceil(duration + need)


# --- hard rules on starts (both models) --------------------------------------------------


def _cover(lits: dict[int, Lit], size: int, into: dict[int, list[Lit]]) -> None:
    """Add, per slot, the literals of the starts that make a session occupy it."""
    for t, lit in lits.items():
        for s in range(t, t + size):
            into.setdefault(s, []).append(lit)


def _at_most_one_per_slot(sm: SlotModel, cover: dict[int, list[Lit]]) -> None:
    for lits in cover.values():
        if len(lits) > 1:
            sm.model.add_at_most_one(lits)


def _groups_never_overlap(sm: SlotModel) -> None:
    """A group attends one session at a time (this also orders a request's own sessions)."""
    by_group: dict[GroupId, dict[int, list[Lit]]] = {}
    for u in sm.units:
        for gid in u.groups:
            _cover(u.x, u.size, by_group.setdefault(gid, {}))
    for cover in by_group.values():
        _at_most_one_per_slot(sm, cover)


def _trainers_never_overlap(sm: SlotModel) -> None:
    """A trainer gives one session at a time: the ones who must give it, and in a
    neighbourhood also the ones chosen."""
    by_trainer: dict[TrainerId, dict[int, list[Lit]]] = {}
    for u in sm.units:
        for tid in sorted(u.must_trainers | (u.free_trainers if sm.exact else frozenset())):
            _cover(u.trainer_lits(tid), u.size, by_trainer.setdefault(tid, {}))
    for cover in by_trainer.values():
        _at_most_one_per_slot(sm, cover)


def _sessions_in_order(sm: SlotModel) -> None:
    """Sessions of a request placed one by one keep their order and day gaps."""
    m, spd = sm.model, sm.grid.slots_per_day
    by_request: dict[RequestId, list[Unit]] = {}
    for u in sm.units:
        by_request.setdefault(u.request, []).append(u)
    for units in by_request.values():
        act = units[0].rc.activity
        for prev, nxt in itertools.pairwise(units):
            pres = prev.present
            m.add(nxt.start_expr() >= prev.start_expr() + prev.size).only_enforce_if(pres)
            day_prev = sum((t // spd) * lit for t, lit in prev.x.items())
            day_next = sum((t // spd) * lit for t, lit in nxt.x.items())
            if act.min_days_between > 0:
                m.add(day_next - day_prev >= act.min_days_between).only_enforce_if(pres)
            if act.max_days_between is not None:
                m.add(day_next - day_prev <= act.max_days_between).only_enforce_if(pres)


def _trainer_max_minutes_per_week(sm: SlotModel) -> None:
    """Per ISO week a trainer's minutes stay within max_minutes_per_week (fixed ones count)."""
    spd = sm.grid.slots_per_day
    terms: dict[tuple[TrainerId, tuple[int, int]], list[Term]] = {}
    for u in sm.units:
        for tid in sorted(u.must_trainers | (u.free_trainers if sm.exact else frozenset())):
            if sm.trainer(tid).max_minutes_per_week is None:
                continue
            for t, lit in u.trainer_lits(tid).items():
                iso = sm.grid.day_at(t // spd).isocalendar()
                terms.setdefault((tid, (iso[0], iso[1])), []).append(u.duration * lit)
    for (tid, week), parts in terms.items():
        cap = sm.trainer(tid).max_minutes_per_week
        assert cap is not None
        used = sum(
            b.duration
            for b in sm.background.by_trainer.get(tid, [])
            if tuple(b.session.start.isocalendar()[:2]) == week
        )
        sm.model.add(sum(parts) <= cap - used)


# --- the time-first model: locations and free trainers counted per slot -------------------


def _trainers_counted(sm: SlotModel) -> None:
    """Per slot, sessions choosing among a set of trainers need no more than it holds."""
    pools = {u.free_trainers | u.must_trainers for u in sm.units if u.free_needed}
    for pool in sorted(pools, key=sorted):  # sorted: the same model in every process
        terms: dict[int, list[Term]] = {}
        demand: dict[int, int] = {}
        for u in sm.units:
            full = u.free_trainers | u.must_trainers
            if full <= pool:
                need = u.free_needed + len(u.must_trainers)
            else:
                need = len(u.must_trainers & pool)
            if not need:
                continue
            cover: dict[int, list[Lit]] = {}
            _cover(u.x, u.size, cover)
            for s, lits in cover.items():
                terms.setdefault(s, []).extend(need * lit for lit in lits)
                demand[s] = demand.get(s, 0) + need * len(lits)
        for s, parts in terms.items():
            if demand[s] > len(pool):
                sm.model.add(sum(parts) <= len(pool))


def _locations_counted(sm: SlotModel) -> None:
    """Per slot, the sessions that can only use a set of locations fit in its open ones."""
    booking = [u for u in sm.units if u.locations is not None]
    pools = {u.locations for u in booking if u.locations is not None}
    if pools:
        pools.add(frozenset().union(*pools))
    opens = OpenLocations(sm)
    held: dict[int, set[LocationId]] = {}  # slot -> closed locations a past session still holds
    for u in booking:
        for sc in u.sessions:
            if sc.frozen is not None:  # history may lie in a closure entered afterwards
                first = sm.grid.slot(sc.frozen.start)
                for s in range(first, first + u.size):
                    if not opens.is_open(sc.frozen.location, s):
                        held.setdefault(s, set()).add(sc.frozen.location)
    for pool in sorted(pools, key=sorted):  # sorted: the same model in every process
        cover: dict[int, list[Lit]] = {}
        for u in booking:
            if u.locations is not None and u.locations <= pool:
                _cover(u.x, u.size, cover)
        for s, lits in cover.items():
            room = opens.count(pool, s) + len(held.get(s, set()) & pool)
            if len(lits) > room:
                sm.model.add(sum(lits) <= room)


# --- neighbourhoods: locations, chosen trainers and travel, exactly -----------------------


def _locations_never_double_booked(sm: SlotModel) -> None:
    """Free sessions at one location never overlap, buffers included (fixed ones pruned)."""
    by_location: dict[LocationId, dict[int, list[Lit]]] = {}
    ceil = sm.grid.ceil_slots
    for u in sm.units:
        if u.locations is None:
            continue
        for (t, lid), lit in u.z.items():
            held = ceil(u.duration + sm.location(lid).buffer_minutes)
            _cover({t: lit}, held, by_location.setdefault(lid, {}))
    for cover in by_location.values():
        _at_most_one_per_slot(sm, cover)


def _same_location(sm: SlotModel) -> None:
    """Requests whose activity wants one location use one (a neighbourhood decides it)."""
    m = sm.model
    for rid, present in sm.present.items():
        units = sm.units_of(rid)
        if not units or not units[0].rc.activity.same_location:
            continue
        places = frozenset().union(*(u.places for u in units))
        if len(places) < 2:
            continue
        one = {lid: m.new_bool_var(f"uses_only[{rid},{lid}]") for lid in sorted(places)}
        m.add(sum(one.values()) == present)
        for u in units:
            for (_t, lid), lit in u.z.items():
                m.add_implication(lit, one[lid])


def _travel_between_free(sm: SlotModel) -> None:
    """Two free sessions of a group or trainer on one day at two places leave time to travel
    (fixed ones were pruned)."""
    travel = sm.problem.travel
    if not sm.any_travel:
        return
    spd, ceil = sm.grid.slots_per_day, sm.grid.ceil_slots
    owners: dict[tuple[str, str], list[tuple[Unit, int, LocationId, list[Lit]]]] = {}
    for u in sm.units:
        placements = [(t, lid, lit) for (t, lid), lit in u.z.items()]
        if u.locations is None:
            (home,) = u.places
            placements = [(t, home, lit) for t, lit in u.x.items()]
        for t, lid, lit in placements:
            for gid in u.groups:
                owners.setdefault(("g", gid), []).append((u, t, lid, [lit]))
            for tid in sorted(u.must_trainers):
                owners.setdefault(("t", tid), []).append((u, t, lid, [lit]))
            for tid in sorted(u.free_trainers):
                w = u.w.get((t, tid))
                if w is not None:
                    owners.setdefault(("t", tid), []).append((u, t, lid, [lit, w]))
    for items in owners.values():
        by_day: dict[int, list[tuple[Unit, int, LocationId, list[Lit]]]] = {}
        for item in items:
            by_day.setdefault(item[1] // spd, []).append(item)
        for day_items in by_day.values():
            for (ua, ta, la, lits_a), (ub, tb, lb, lits_b) in itertools.combinations(day_items, 2):
                if la == lb or (ua is ub and ta == tb):
                    continue
                need = travel.between(la, lb)
                if need <= 0:
                    continue
                if ta <= tb:
                    close = tb - ta < ceil(ua.duration + need) and tb >= ta + ua.size
                else:
                    close = ta - tb < ceil(ub.duration + need) and ta >= tb + ub.size
                if close:
                    sm.model.add_bool_or([lit.negated() for lit in dict.fromkeys(lits_a + lits_b)])


TIME_RULES = (_groups_never_overlap, _trainers_never_overlap, _sessions_in_order,
              _trainer_max_minutes_per_week)  # fmt: skip
COUNTED_RULES = (_trainers_counted, _locations_counted)
EXACT_RULES = (_locations_never_double_booked, _same_location, _travel_between_free)

__all__ = [
    "Background",
    "Busy",
    "OpenLocations",
    "SlotModel",
    "Unit",
    "build_neighbourhood",
    "build_slot_model",
    "start_literals",
]
