"""The data of the time-indexed models: units of sessions, fixed sessions, the model.

See ``build.py`` for what the models are and how they are built; ``objective.py``
adds their soft rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.sat.python import cp_model

from scheduler.cpsat.prep.candidates import Candidates, RequestCandidates, SessionCandidates
from scheduler.problem import (
    Group,
    GroupId,
    Location,
    LocationId,
    PlannedSession,
    Problem,
    RequestId,
    Trainer,
    TrainerId,
)
from scheduler.timegrid import TimeGrid, minute_of_day

Term = cp_model.LinearExprT
Lit = cp_model.IntVar


@dataclass(slots=True)
class Unit:
    """Sessions of one request placed together: ``count`` of them, one literal per start."""

    rc: RequestCandidates
    sessions: list[SessionCandidates]
    present: Lit
    x: dict[int, Lit]  # absolute start slot -> a session of the unit starts there
    size: int  # slots the session lasts (without buffers)
    locations: frozenset[LocationId] | None  # None: at_school, no location is booked
    must_trainers: frozenset[TrainerId]  # on every session of the unit
    free_trainers: frozenset[TrainerId]  # chosen among these ...
    free_needed: int  # ... this many per session
    z: dict[tuple[int, LocationId], Lit] = field(default_factory=dict)  # neighbourhoods only
    w: dict[tuple[int, TrainerId], Lit] = field(default_factory=dict)  # neighbourhoods only

    @property
    def count(self) -> int:
        return len(self.sessions)

    @property
    def request(self) -> RequestId:
        return self.rc.request.id

    @property
    def duration(self) -> int:
        return self.sessions[0].duration

    @property
    def groups(self) -> tuple[GroupId, ...]:
        return self.rc.request.groups

    @property
    def places(self) -> frozenset[LocationId]:
        """Where its sessions may take place (the home of an at_school activity)."""
        return frozenset(self.sessions[0].location_masks)

    def start_expr(self) -> Term:
        return sum(t * lit for t, lit in self.x.items())

    def trainer_lits(self, tid: TrainerId) -> dict[int, Lit]:
        """Start -> literal meaning "a session starts there with trainer ``tid``"."""
        if tid in self.must_trainers:
            return self.x
        return {t: lit for (t, k), lit in self.w.items() if k == tid}


@dataclass(frozen=True, slots=True)
class Busy:
    """A session that stays where it is, as the rules of a neighbourhood see it."""

    start: int  # absolute slot
    size: int  # slots
    duration: int  # minutes
    location: LocationId
    session: PlannedSession


class Occupancy:
    """Slots held per resource, as one bit mask per day: is [start, start + size) free?"""

    def __init__(self, slots_per_day: int) -> None:
        self.spd = slots_per_day
        self._masks: dict[tuple[str, int], int] = {}
        self._blocked: dict[tuple[str, int, int], int] = {}

    def add(self, key: str, start: int, size: int) -> None:
        self._blocked.clear()
        for s in range(start, start + size):
            day, i = divmod(s, self.spd)
            self._masks[(key, day)] = self._masks.get((key, day), 0) | 1 << i

    def blocked_starts(self, key: str, day: int, size: int) -> int:
        """Bits i of ``day`` at which [i, i + size) would clash (cached per key, day, size)."""
        ck = (key, day, size)
        found = self._blocked.get(ck)
        if found is None:
            held = self._masks.get((key, day), 0) | self._masks.get((key, day + 1), 0) << self.spd
            found = 0
            for k in range(size):
                found |= held >> k
            found &= (1 << self.spd) - 1
            self._blocked[ck] = found
        return found

    def clashes(self, key: str, start: int, size: int) -> bool:
        end = start + size
        while start < end:
            day, i = divmod(start, self.spd)
            mask = self._masks.get((key, day), 0)
            n = min(end - start, self.spd - i)
            if mask >> i & ((1 << n) - 1):
                return True
            start += n
        return False


@dataclass(slots=True)
class Background:
    """The fixed sessions of a neighbourhood, indexed by what they occupy."""

    held: Occupancy
    sessions: list[PlannedSession] = field(default_factory=list)
    by_group: dict[GroupId, list[Busy]] = field(default_factory=dict)
    by_trainer: dict[TrainerId, list[Busy]] = field(default_factory=dict)
    by_location: dict[LocationId, list[Busy]] = field(default_factory=dict)  # not at_school
    scheduled: set[RequestId] = field(default_factory=set)


@dataclass(slots=True)
class SlotModel:
    """A time-indexed model; ``exact`` for a neighbourhood, else the time-first model."""

    problem: Problem
    cands: Candidates
    model: cp_model.CpModel
    exact: bool
    background: Background
    units: list[Unit] = field(default_factory=list)
    present: dict[RequestId, Lit] = field(default_factory=dict)
    objective: Term = 0
    costs: dict[str, tuple[int, Term]] = field(default_factory=dict)  # rule -> weight, terms
    any_travel: bool = False  # some two places are apart
    _by_request: dict[RequestId, list[Unit]] = field(default_factory=dict)
    _locations: dict[LocationId, Location] = field(default_factory=dict)
    _trainers: dict[TrainerId, Trainer] = field(default_factory=dict)
    _groups: dict[GroupId, Group] = field(default_factory=dict)
    _when: dict[int, str] = field(default_factory=dict)

    @classmethod
    def new(cls, problem: Problem, cands: Candidates, *, exact: bool) -> SlotModel:
        travel = problem.travel
        return cls(
            problem,
            cands,
            cp_model.CpModel(),
            exact,
            Background(Occupancy(cands.grid.slots_per_day)),
            any_travel=travel.default > 0 or any(v > 0 for v in travel.minutes.values()),
            _locations={loc.id: loc for loc in problem.locations},
            _trainers={t.id: t for t in problem.trainers},
            _groups={g.id: g for g in problem.groups},
        )

    def location(self, lid: LocationId) -> Location:
        return self._locations[lid]

    def trainer(self, tid: TrainerId) -> Trainer:
        return self._trainers[tid]

    def group(self, gid: GroupId) -> Group:
        return self._groups[gid]

    def when(self, t: int) -> str:
        """A slot as wall time, for variable names."""
        found = self._when.get(t)
        if found is None:
            found = self._when[t] = f"{self.grid.datetime_at(t):%Y-%m-%d %H:%M}"
        return found

    @property
    def grid(self) -> TimeGrid:
        return self.cands.grid

    def units_of(self, rid: RequestId) -> list[Unit]:
        return self._by_request.get(rid, [])

    def starts(self, values: list[int]) -> dict[tuple[RequestId, int], int]:
        """(request, session index) -> start slot in the assignment ``values``."""
        out: dict[tuple[RequestId, int], int] = {}
        for u in self.units:
            if not values[u.present.index]:
                continue
            chosen = sorted(t for t, lit in u.x.items() if values[lit.index])
            for sc, t in zip(u.sessions, chosen, strict=True):
                out[(sc.request, sc.index)] = t
        return out

    def sessions(self, values: list[int]) -> list[PlannedSession]:
        """The free requests' sessions in ``values`` (a neighbourhood model's solution)."""
        assert self.exact
        grid, out = self.grid, []
        for u in self.units:
            if not values[u.present.index]:
                continue
            chosen = sorted((t, lid) for (t, lid), lit in u.z.items() if values[lit.index])
            if u.locations is None:  # at_school: at the home, no location literal
                (home,) = u.places
                chosen = sorted((t, home) for t, lit in u.x.items() if values[lit.index])
            for sc, (t, lid) in zip(u.sessions, chosen, strict=True):
                free = [k for (s, k), lit in u.w.items() if s == t and values[lit.index]]
                start = grid.datetime_at(t)
                out.append(
                    sc.frozen
                    or PlannedSession(
                        request=sc.request,
                        index=sc.index,
                        location=lid,
                        trainers=tuple(sorted({*u.must_trainers, *free})),
                        start=start,
                        end=start + timedelta(minutes=sc.duration),
                    )
                )
        return out

    def hint_from(self, plan: Iterable[PlannedSession]) -> dict[int, int]:
        """Proto index -> value of the literals that place ``plan``'s sessions (others 0)."""
        grid = self.grid
        placed = {(s.request, s.index): s for s in plan}
        out: dict[int, int] = {}
        for rid, lit in self.present.items():
            units = self.units_of(rid)
            on = all((sc.request, sc.index) in placed for u in units for sc in u.sessions)
            out[lit.index] = int(on)
            for u in units:
                mine = [placed[(sc.request, sc.index)] for sc in u.sessions] if on else []
                starts = {grid.slot(s.start) for s in mine}
                where = {(grid.slot(s.start), s.location) for s in mine}
                who = {(grid.slot(s.start), t) for s in mine for t in s.trainers}
                for t, x in u.x.items():
                    out[x.index] = int(t in starts)
                for key, z in u.z.items():
                    out[z.index] = int(key in where)
                for key, w in u.w.items():
                    out[w.index] = int(key in who)
        return out


class OpenLocations:
    """Whether a location is open during a slot (one of its windows that day covers it)."""

    def __init__(self, sm: SlotModel) -> None:
        self.problem = sm.problem
        self.grid = sm.grid
        self._open: dict[tuple[LocationId, int], int] = {}  # (location, day) -> slot mask

    def mask(self, lid: LocationId, day: int) -> int:
        key = (lid, day)
        found = self._open.get(key)
        if found is None:
            g = self.grid.grid_minutes
            found = 0
            windows = self.problem.location(lid).availability.windows_on(self.grid.day_at(day))
            for start, end in windows:
                for s in range(-(-minute_of_day(start) // g), minute_of_day(end) // g):
                    found |= 1 << s
            self._open[key] = found
        return found

    def is_open(self, lid: LocationId, slot: int) -> bool:
        day, i = divmod(slot, self.grid.slots_per_day)
        return bool(self.mask(lid, day) >> i & 1)

    def count(self, pool: frozenset[LocationId], slot: int) -> int:
        return sum(1 for lid in pool if self.is_open(lid, slot))


__all__ = [
    "Background",
    "Busy",
    "Lit",
    "Occupancy",
    "OpenLocations",
    "SlotModel",
    "Term",
    "Unit",
]
