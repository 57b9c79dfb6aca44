"""The decision variables, held in one container with query methods.

Rules never index raw dicts: they ask the container for "the sessions that may use
location L" or "the literal meaning session s has trainer t". Variable names read like the
problem (``start[r12#2]``, ``at[r12#2,loc3]``) so a model dump or a log is legible.

Literals are shared where a choice is forced: a session with one candidate location uses
its request's presence literal as ``at``; a trainer that must be on the session (fixed, or
exactly as many candidates as needed) uses it as ``tr``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.cpsat.prep.candidates import (
    Candidates,
    RequestCandidates,
    SessionCandidates,
    mask_runs,
)
from scheduler.problem import GroupId, LocationId, Problem, RequestId, TrainerId
from scheduler.timegrid import TimeGrid

Literal = cp_model.IntVar  # a Boolean variable (or its negation)


@dataclass(slots=True)
class SessionVars:
    """One session's variables; ``cand`` keeps what pruning allowed."""

    cand: SessionCandidates
    groups: tuple[GroupId, ...]
    present: cp_model.IntVar
    start: cp_model.IntVar
    day: cp_model.IntVar | int
    at: dict[LocationId, cp_model.IntVar]
    tr: dict[TrainerId, cp_model.IntVar]
    interval: cp_model.IntervalVar
    on: dict[int, cp_model.IntVar] | None = None  # lazily created day literals
    location_intervals: dict[LocationId, cp_model.IntervalVar] = field(default_factory=dict)
    trainer_intervals: dict[TrainerId, cp_model.IntervalVar] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.cand.name

    @property
    def request(self) -> RequestId:
        return self.cand.request

    @property
    def index(self) -> int:
        return self.cand.index

    @property
    def size(self) -> int:
        return self.cand.size


def domain_of(grid: TimeGrid, masks: dict[int, int]) -> cp_model.Domain:
    """Absolute start slots allowed by per-day masks."""
    spd = grid.slots_per_day
    intervals = [
        [d * spd + lo, d * spd + hi] for d in sorted(masks) for lo, hi in mask_runs(masks[d])
    ]
    return cp_model.Domain.from_intervals(intervals)


class ModelVars:
    """All variables of one model, with the queries the rules need."""

    def __init__(self, model: cp_model.CpModel, problem: Problem, cands: Candidates) -> None:
        self.model = model
        self.problem = problem
        self.cands = cands
        self.grid = cands.grid
        self._present: dict[RequestId, cp_model.IntVar] = {}
        self._requests: dict[RequestId, RequestCandidates] = {}
        self._sessions: list[SessionVars] = []
        self._by_request: dict[RequestId, list[SessionVars]] = {}
        self._at_location: dict[LocationId, list[SessionVars]] = {}
        self._with_trainer: dict[TrainerId, list[SessionVars]] = {}
        self._of_group: dict[GroupId, list[SessionVars]] = {}
        for rc in cands.requests:
            self._requests[rc.request.id] = rc
            if not rc.schedulable:
                continue
            present = model.new_bool_var(f"scheduled[{rc.request.id}]")
            self._present[rc.request.id] = present
            for sc in rc.sessions:
                self._add_session(rc, sc, present)

    def _add_session(
        self, rc: RequestCandidates, sc: SessionCandidates, present: cp_model.IntVar
    ) -> None:
        m, grid, name = self.model, self.grid, sc.name
        spd = grid.slots_per_day
        start = m.new_int_var_from_domain(domain_of(grid, sc.day_masks), f"start[{name}]")
        days = sc.days
        day: cp_model.IntVar | int
        if len(days) == 1:
            day = days[0]
        else:
            day = m.new_int_var_from_domain(cp_model.Domain.from_values(days), f"day[{name}]")
        m.add(start >= spd * day)
        m.add(start <= spd * day + spd - 1)
        if len(sc.location_masks) == 1:
            at = {lid: present for lid in sc.location_masks}
        else:
            at = {lid: m.new_bool_var(f"at[{name},{lid}]") for lid in sc.location_masks}
        forced = len(sc.trainer_masks) == sc.trainers_needed
        tr = {
            tid: present
            if forced or tid == sc.fixed_trainer
            else m.new_bool_var(f"trainer[{name},{tid}]")
            for tid in sc.trainer_masks
        }
        interval = m.new_optional_fixed_size_interval_var(start, sc.size, present, f"slot[{name}]")
        sv = SessionVars(sc, rc.request.groups, present, start, day, at, tr, interval)
        self._sessions.append(sv)
        self._by_request.setdefault(sc.request, []).append(sv)
        for lid in at:
            self._at_location.setdefault(lid, []).append(sv)
        for tid in tr:
            self._with_trainer.setdefault(tid, []).append(sv)
        for gid in rc.request.groups:
            self._of_group.setdefault(gid, []).append(sv)

    # --- queries ---
    def sessions(self) -> list[SessionVars]:
        return self._sessions

    def requests(self) -> list[RequestCandidates]:
        return list(self._requests.values())

    def request_candidates(self, rid: RequestId) -> RequestCandidates:
        return self._requests[rid]

    def present(self, rid: RequestId) -> cp_model.IntVar | None:
        """The request's scheduled literal; None when pruning left it unschedulable."""
        return self._present.get(rid)

    def sessions_of_request(self, rid: RequestId) -> list[SessionVars]:
        return self._by_request.get(rid, [])

    def session(self, rid: RequestId, index: int) -> SessionVars | None:
        return next((s for s in self.sessions_of_request(rid) if s.index == index), None)

    def locations_in_use(self) -> Iterator[tuple[LocationId, list[SessionVars]]]:
        yield from self._at_location.items()

    def trainers_in_use(self) -> Iterator[tuple[TrainerId, list[SessionVars]]]:
        yield from self._with_trainer.items()

    def groups_in_use(self) -> Iterator[tuple[GroupId, list[SessionVars]]]:
        yield from self._of_group.items()

    def location_interval(
        self, sv: SessionVars, lid: LocationId, size: int
    ) -> cp_model.IntervalVar:
        """Optional interval of ``sv`` at ``lid`` covering ``size`` slots (duration + buffer)."""
        found = sv.location_intervals.get(lid)
        if found is None:
            found = self.model.new_optional_fixed_size_interval_var(
                sv.start, size, sv.at[lid], f"slot[{sv.name},{lid}]"
            )
            sv.location_intervals[lid] = found
        return found

    def trainer_interval(self, sv: SessionVars, tid: TrainerId) -> cp_model.IntervalVar:
        found = sv.trainer_intervals.get(tid)
        if found is None:
            if sv.tr[tid] is sv.present:
                found = sv.interval
            else:
                found = self.model.new_optional_fixed_size_interval_var(
                    sv.start, sv.size, sv.tr[tid], f"slot[{sv.name},{tid}]"
                )
            sv.trainer_intervals[tid] = found
        return found

    def day_literals(self, sv: SessionVars) -> dict[int, cp_model.IntVar]:
        """One literal per candidate day (created on first use): day-based rules get linear."""
        if sv.on is None:
            days = sv.cand.days
            if len(days) == 1:
                sv.on = {days[0]: sv.present}
            else:
                m = self.model
                sv.on = {d: m.new_bool_var(f"on[{sv.name},{self.grid.day_at(d)}]") for d in days}
                m.add(sum(sv.on.values()) == sv.present)
                m.add(sum(d * lit for d, lit in sv.on.items()) == sv.day).only_enforce_if(
                    sv.present
                )
        return sv.on

    def time_of_day(self, sv: SessionVars) -> cp_model.LinearExprT:
        """Start slot within its day."""
        return sv.start - self.grid.slots_per_day * sv.day
