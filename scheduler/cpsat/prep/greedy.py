"""A first plan in plain Python: place requests one by one where they fit best.

CP-SAT is slow to find a first solution on big or tight problems, and in practice it
ignores a partial hint; it starts well from a *complete, feasible* one. This module builds
a plan that respects every hard rule (it works on the pruned candidates, so single-session
rules already hold, and tracks locations, trainers and groups for the rules between
sessions); ``solve.py`` turns it into a complete hint. Requests that do not fit stay
unscheduled: leaving demand out is always feasible, the search then repairs it.

Order: requests holding frozen sessions, then by priority, then the least flexible first.
Each session takes the cheapest placement by the objective's own weights (travel,
preferences, capacity, room stability, min days, isolated sessions, trainer idle time),
ties going to the earliest slot and the smallest fitting location (keeping big rooms free
for big groups). Nothing here is optimal; it only has to be valid and reasonable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from scheduler.cpsat.prep.candidates import (
    Candidates,
    RequestCandidates,
    SessionCandidates,
    mask_slots,
)
from scheduler.cpsat.settings import DEFAULT_SETTINGS, GreedySettings
from scheduler.problem import (
    GroupId,
    LocationId,
    PlannedSession,
    Problem,
    RequestId,
    TimeOfDay,
    TrainerId,
)


@dataclass(slots=True)
class _Busy:
    """One placed session as a resource sees it: slots [start, start + size) at ``loc``."""

    start: int
    duration: int  # minutes
    loc: LocationId
    key: tuple[RequestId, int]


@dataclass(slots=True)
class _Placement:
    day: int
    slot: int  # within the day
    loc: LocationId
    trainers: tuple[TrainerId, ...]
    cost: float


@dataclass(slots=True)
class _State:
    loc: dict[tuple[LocationId, int], list[_Busy]] = field(default_factory=dict)
    trainer: dict[tuple[TrainerId, int], list[_Busy]] = field(default_factory=dict)
    group: dict[tuple[GroupId, int], list[_Busy]] = field(default_factory=dict)
    week_minutes: dict[tuple[TrainerId, tuple[int, int]], int] = field(default_factory=dict)


class Greedy:
    """Builds one plan; ``plan()`` returns the placed sessions."""

    def __init__(
        self,
        problem: Problem,
        cands: Candidates,
        fail_first: bool = False,
        settings: GreedySettings = DEFAULT_SETTINGS.greedy,
    ) -> None:
        self.fail_first = fail_first
        self.settings = settings
        self.problem = problem
        self.cands = cands
        self.grid = cands.grid
        self.g = problem.grid_minutes
        self.w = problem.weights
        self.travel = problem.travel
        self.locs = {loc.id: loc for loc in problem.locations}
        self.trainers = {t.id: t for t in problem.trainers}
        self.groups = {g.id: g for g in problem.groups}
        self.state = _State()
        self.placed: dict[tuple[RequestId, int], PlannedSession] = {}
        self._ref = {(s.request, s.index): s for s in problem.reference}
        self._week: dict[int, tuple[int, int]] = {}
        self._tod: dict[int, TimeOfDay] = {}

    # --- small helpers ---
    def week(self, day: int) -> tuple[int, int]:
        found = self._week.get(day)
        if found is None:
            iso = self.grid.day_at(day).isocalendar()
            found = self._week[day] = (iso[0], iso[1])
        return found

    def time_of_day(self, slot: int) -> TimeOfDay:
        found = self._tod.get(slot)
        if found is None:
            minutes = slot * self.g
            found = self._tod[slot] = TimeOfDay.of(time(minutes // 60, minutes % 60))
        return found

    def _gap_ok(self, busy: list[_Busy], start: int, dur: int, loc: LocationId) -> bool:
        """No overlap with ``busy`` and enough travel time between different places."""
        ceil = self.grid.ceil_slots
        for b in busy:
            t = 0 if b.loc == loc else self.travel.between(b.loc, loc)
            if b.start <= start:
                if start - b.start < ceil(b.duration + t):
                    return False
            elif b.start - start < ceil(dur + t):
                return False
        return True

    def _loc_ok(self, lid: LocationId, day: int, start: int, dur: int) -> bool:
        busy = self.state.loc.get((lid, day))
        if not busy:
            return True
        buf = self.locs[lid].buffer_minutes
        ceil = self.grid.ceil_slots
        for b in busy:
            if b.start <= start:
                if start - b.start < ceil(b.duration + buf):
                    return False
            elif b.start - start < ceil(dur + buf):
                return False
        return True

    # --- the plan ---
    def plan(self) -> list[PlannedSession]:
        order = [rc for rc in self.cands.requests if rc.schedulable and rc.sessions]
        order.sort(key=self._order_key)
        spd = self.grid.slots_per_day
        for rc in order:  # frozen sessions first: everything else fits around them
            for sc in rc.sessions:
                if sc.frozen is not None:
                    slot = self.grid.slot(sc.frozen.start)
                    self._commit(rc, sc, slot // spd, slot % spd, sc.frozen.location,
                                 tuple(sc.frozen.trainers), [])  # fmt: skip
        for rc in order:
            if not self._place_request(rc):
                for sc in rc.sessions:  # a must-schedule request that failed: plan incomplete
                    if sc.frozen is not None:
                        self._release(rc, sc.frozen)
        return sorted(self.placed.values(), key=lambda s: (s.request, s.index))

    def _order_key(self, rc: RequestCandidates) -> tuple[int, float, float, str]:
        first = rc.sessions[0]
        if self.fail_first:  # fewest spare start days first, priority only breaks ties
            days = sum(bin(m).count("1") for m in first.day_masks.values())
            must = 0 if rc.must_schedule else 1
            return (must, days - len(rc.sessions), -rc.request.priority, rc.request.id)
        options = sum(bin(m).count("1") for m in first.day_masks.values()) * len(
            first.location_masks
        )
        return (0 if rc.must_schedule else 1, -rc.request.priority, options / len(rc.sessions),
                rc.request.id)  # fmt: skip

    def _place_request(self, rc: RequestCandidates) -> bool:
        done: list[PlannedSession] = []
        prev: tuple[int, int, SessionCandidates] | None = None  # (day, abs start, cand)
        for sc in rc.sessions:
            if sc.frozen is not None:  # committed up front
                slot = self.grid.slot(sc.frozen.start)
                prev = (slot // self.grid.slots_per_day, slot, sc)
                continue
            best = self._best(rc, sc, prev, done, self._next_frozen(rc, sc))
            if best is None:
                for s in done:  # roll back: all sessions or none
                    self._release(rc, s)
                return False
            self._commit(rc, sc, best.day, best.slot, best.loc, best.trainers, done)
            prev = (best.day, best.day * self.grid.slots_per_day + best.slot, sc)
        return True

    def _next_frozen(self, rc: RequestCandidates, sc: SessionCandidates) -> tuple[int, int] | None:
        """(day, absolute slot) of the next frozen session of the request, if any."""
        for later in rc.sessions:
            if later.index > sc.index and later.frozen is not None:
                slot = self.grid.slot(later.frozen.start)
                return slot // self.grid.slots_per_day, slot
        return None

    def _commit(
        self,
        rc: RequestCandidates,
        sc: SessionCandidates,
        day: int,
        slot: int,
        loc: LocationId,
        trainers: tuple[TrainerId, ...],
        done: list[PlannedSession],
    ) -> None:
        key = (sc.request, sc.index)
        busy = _Busy(slot, sc.duration, loc, key)
        st = self.state
        if not sc.at_school:
            st.loc.setdefault((loc, day), []).append(busy)
        for tid in trainers:
            st.trainer.setdefault((tid, day), []).append(busy)
            wk = (tid, self.week(day))
            st.week_minutes[wk] = st.week_minutes.get(wk, 0) + sc.duration
        for gid in rc.request.groups:
            st.group.setdefault((gid, day), []).append(busy)
        start = self.grid.datetime_at(day * self.grid.slots_per_day + slot)
        session = PlannedSession(sc.request, sc.index, loc, trainers, start,
                                 start + timedelta(minutes=sc.duration))  # fmt: skip
        if sc.frozen is not None:
            session = sc.frozen
        self.placed[key] = session
        done.append(session)

    def _release(self, rc: RequestCandidates, s: PlannedSession) -> None:
        key = (s.request, s.index)
        if key not in self.placed:
            return
        slot = self.grid.slot(s.start)
        day = slot // self.grid.slots_per_day
        st = self.state
        for table, ids in ((st.loc, [s.location]), (st.trainer, s.trainers),
                           (st.group, rc.request.groups)):  # fmt: skip
            for rid in ids:
                busy = table.get((rid, day))  # type: ignore[call-overload]
                if busy:
                    busy[:] = [b for b in busy if b.key != key]
        minutes = int((s.end - s.start).total_seconds() // 60)
        for tid in s.trainers:
            wk = (tid, self.week(day))
            st.week_minutes[wk] -= minutes
        del self.placed[key]

    def _starts(
        self, sc: SessionCandidates, day: int, mask: int, rc: RequestCandidates
    ) -> list[int]:
        """Start slots worth trying on ``day``: all of them on a coarse grid, else corners."""
        if bin(mask).count("1") <= self.settings.max_exact_slots:
            return mask_slots(mask)
        out: set[int] = set()
        m, i = mask, 0
        while m:  # first slot of every run of allowed starts
            low = (m & -m).bit_length() - 1
            i += low
            m >>= low
            out.add(i)
            run = (~m & (m + 1)).bit_length() - 1
            m >>= run
            i += run
        size = sc.size
        st = self.state
        neighbours: list[_Busy] = []
        for gid in rc.request.groups:
            neighbours += st.group.get((gid, day), [])
        for tid in sc.trainer_masks:
            neighbours += st.trainer.get((tid, day), [])
        for b in neighbours:  # right after, or right before, a session already placed
            out.add(b.start + self.grid.ceil_slots(b.duration))
            out.add(b.start - size)
        return sorted(s for s in out if s >= 0 and mask >> s & 1)

    def _best(
        self,
        rc: RequestCandidates,
        sc: SessionCandidates,
        prev: tuple[int, int, SessionCandidates] | None,
        done: list[PlannedSession],
        nxt: tuple[int, int] | None,
    ) -> _Placement | None:
        act = rc.activity
        spd = self.grid.slots_per_day
        best: _Placement | None = None
        tried = 0
        used_locs = {s.location for s in done}
        used_days = {self.grid.slot(s.start) // spd for s in done}
        ref = self._ref.get((sc.request, sc.index))
        for day in sc.days:
            if prev is not None:
                pday, pstart, pcand = prev
                gap = day - pday
                if gap < act.min_days_between:
                    continue
                if act.max_days_between is not None and gap > act.max_days_between:
                    break
                lowest = pstart + pcand.size - day * spd
            else:
                lowest = 0
            mask = sc.day_masks[day]
            if lowest > 0:
                mask &= ~((1 << lowest) - 1)
            if nxt is not None:  # a frozen later session bounds this one (rough, may skip)
                nday, nstart = nxt
                if nday - day < act.min_days_between:
                    continue
                if act.max_days_between is not None and nday - day > act.max_days_between:
                    continue
                highest = nstart - sc.size - day * spd
                mask &= (1 << max(0, highest + 1)) - 1
            if not mask:
                continue
            for slot in self._starts(sc, day, mask, rc):
                for lid, lmasks in sc.location_masks.items():
                    if not lmasks.get(day, 0) >> slot & 1:
                        continue
                    if act.same_location and done and lid != done[0].location:
                        continue
                    place = self._try(rc, sc, day, slot, lid, used_locs, used_days, ref)
                    if place is None:
                        continue
                    tried += 1
                    if best is None or place.cost < best.cost:
                        best = place
            if tried >= self.settings.max_tried:
                break
        return best

    def _try(
        self,
        rc: RequestCandidates,
        sc: SessionCandidates,
        day: int,
        slot: int,
        lid: LocationId,
        used_locs: set[LocationId],
        used_days: set[int],
        ref: PlannedSession | None,
    ) -> _Placement | None:
        st, w, dur = self.state, self.w, sc.duration
        if not sc.at_school and not self._loc_ok(lid, day, slot, dur):
            return None
        cost = 0.0
        req = rc.request
        for gid in req.groups:
            busy = st.group.get((gid, day))
            if busy and not self._gap_ok(busy, slot, dur, lid):
                return None
        # trainers: the fixed one, then the cheapest others that are free
        options: list[tuple[float, TrainerId]] = []
        for tid, tmasks in sc.trainer_masks.items():
            if not tmasks.get(day, 0) >> slot & 1:
                continue
            busy = st.trainer.get((tid, day))
            if busy and not self._gap_ok(busy, slot, dur, lid):
                continue
            t = self.trainers[tid]
            if t.max_minutes_per_week is not None:
                used = st.week_minutes.get((tid, self.week(day)), 0)
                if used + dur > t.max_minutes_per_week:
                    continue
            c = 0.0
            if w.trainer_travel and t.home is not None:
                c += w.trainer_travel * self.travel.between(t.home, lid)
            if w.trainer_idle and busy:
                c += w.trainer_idle * _idle_delta(busy, slot, dur, self.g)
            options.append((tid != sc.fixed_trainer, c, tid))
        if len(options) < sc.trainers_needed:
            return None
        options.sort()
        chosen = options[: sc.trainers_needed]
        if sc.fixed_trainer is not None and chosen[0][2] != sc.fixed_trainer:
            return None
        cost += sum(c for _, c, _ in chosen)
        trainers = tuple(sorted(tid for _, _, tid in chosen))
        cost += self._session_cost(rc, sc, day, slot, lid, used_locs, used_days)
        if ref is not None:
            start = self.grid.datetime_at(day * self.grid.slots_per_day + slot)
            same = ref.location == lid and ref.start == start
            if not (same and set(ref.trainers) == set(trainers)):
                cost += w.stability
        # ties: earliest day and slot, then the smallest location that fits
        cost += 1e-3 * (self.locs[lid].capacity / 1000.0) + 1e-6 * (day * 100 + slot)
        return _Placement(day, slot, lid, trainers, cost)

    def _session_cost(
        self,
        rc: RequestCandidates,
        sc: SessionCandidates,
        day: int,
        slot: int,
        lid: LocationId,
        used_locs: set[LocationId],
        used_days: set[int],
    ) -> float:
        w, req, act = self.w, rc.request, rc.activity
        loc = self.locs[lid]
        cost = 0.0
        if w.group_travel and not sc.at_school:
            for gid in req.groups:
                home = self.groups[gid].home
                if home is not None:
                    cost += w.group_travel * self.travel.between(home, lid)
        prefs = req.preferences
        if w.preference:
            miss = 0
            if prefs.weekdays and self.grid.day_at(day).isoweekday() not in prefs.weekdays:
                miss += 1
            if prefs.time_of_day is not None and self.time_of_day(slot) != prefs.time_of_day:
                miss += 1
            if prefs.partners and loc.partner not in prefs.partners:
                miss += 1
            if prefs.locations and lid not in prefs.locations:
                miss += 1
            cost += w.preference * miss
        if w.over_capacity and act.capacity_soft:
            cost += w.over_capacity * max(0, rc.participants - loc.capacity)
        if w.room_stability and used_locs and lid not in used_locs:
            cost += w.room_stability
        short = used_days and len(used_days) < act.min_distinct_days
        if w.min_days and short and day in used_days:
            cost += w.min_days
        if w.isolated and sc.duration % self.g == 0:
            size = sc.size
            for gid in req.groups:
                busy = self.state.group.get((gid, day), [])
                touching = any(
                    b.start + self.grid.ceil_slots(b.duration) == slot or b.start == slot + size
                    for b in busy
                    if b.duration % self.g == 0
                )
                # a lone session costs itself; touching a lone one also saves that one's cost
                cost += w.isolated * (-1 if touching else 1)
        return cost


def _idle_delta(busy: list[_Busy], slot: int, dur: int, g: int) -> int:
    """Growth of (last end - first start) minus the session's own minutes, in minutes."""
    lo = min(b.start * g for b in busy)
    hi = max(b.start * g + b.duration for b in busy)
    s, e = slot * g, slot * g + dur
    return max(0, (max(hi, e) - min(lo, s)) - (hi - lo) - dur)


def greedy_plan(
    problem: Problem,
    cands: Candidates,
    *,
    fail_first: bool = False,
    settings: GreedySettings = DEFAULT_SETTINGS.greedy,
) -> list[PlannedSession]:
    """A valid plan of the requests that fit, placed one by one (see the module doc).

    ``fail_first`` orders requests by how few start options they have instead of by
    priority: it fits more demand on some tight problems and less on others.
    """
    return Greedy(problem, cands, fail_first, settings).plan()


__all__ = ["greedy_plan"]
