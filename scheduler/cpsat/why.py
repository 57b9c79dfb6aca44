"""Why one request stayed out of a plan, from an infeasible core of CP-SAT assumptions.

The domain analysis in ``scheduler.explain`` ends in ``no_combination`` or ``capacity_taken``
when each requirement can be met alone. Here a small model tries to place every session of
that one request with the rest of the solution held fixed. Candidates (day, start, location)
and trainers come from a plain enumeration of the static rules (windows, fit, qualification),
so only the rules that depend on the other sessions or tie the sessions together become
constraints, grouped in named families (``location_busy[L]``, ``trainer_weekly_hours[T,W]``,
``day_gaps``, ...), each guarded by one assumption literal. When the model is infeasible
the solver names a sufficient set of assumptions; a deletion loop shrinks it to a minimal
one, which reads as the cause. When it is feasible the request did fit: the solver traded
it off, and the placement found is itself an actionable answer.

Private to explanations: it shares nothing with the main model in this package, which is
built for speed on a whole campus, not for one request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ortools.sat.python import cp_model

from scheduler.cpsat.budget import TimeBudget, limit
from scheduler.lookup import (
    Lookup,
    covers,
    fmt_session,
    hhmm,
    is_frozen_reference,
    minute_of,
    minutes_between,
    spans_on,
)
from scheduler.problem import (
    Activity,
    Location,
    LocationId,
    PlannedSession,
    Problem,
    Request,
    RequestId,
    TrainerId,
)
from scheduler.reasons import Code, Reason
from scheduler.solution import Solution
from scheduler.timegrid import irregular_spans

SOURCE = "cp-sat"
DAY = 24 * 60

LOCATION_BUSY = "location_busy"
TRAINER_BUSY = "trainer_busy"
GROUP_BUSY = "group_busy"
TRAVEL = "travel_between_sessions"
WEEKLY_HOURS = "trainer_weekly_hours"
DAY_GAPS = "day_gaps"
SAME_LOCATION = "same_location"
OWN_SESSIONS_APART = "own_sessions_apart"
REQUEST_DATES = "request_dates"

BUSY_KINDS = frozenset({LOCATION_BUSY, TRAINER_BUSY, GROUP_BUSY, TRAVEL})
DELETION_ORDER = (
    REQUEST_DATES, TRAVEL, GROUP_BUSY, TRAINER_BUSY, LOCATION_BUSY,
    OWN_SESSIONS_APART, WEEKLY_HOURS, SAME_LOCATION, DAY_GAPS,
)  # fmt: skip
"""Families tried first are dropped first from a core: the dates lead, as a core without
them holds even on wider dates."""


@dataclass(frozen=True, slots=True, order=True)
class Family:
    """A named group of constraints switched on by one assumption literal."""

    kind: str
    role: str = ""  # "location", "trainer" or "group" when about one resource
    subject: str = ""  # that resource's id
    week: str = ""  # ISO week "2027-W05" for trainer_weekly_hours

    @property
    def label(self) -> str:
        """Readable and stable: 'location_busy[L1]', 'travel_between_sessions[trainer T1]'."""
        if self.kind == TRAVEL:
            return f"{self.kind}[{self.role} {self.subject}]"
        if self.week:
            return f"{self.kind}[{self.subject},{self.week}]"
        return f"{self.kind}[{self.subject}]" if self.subject else self.kind


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# --- the plain enumeration ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Slot:
    """A start time of one session, with the locations and trainers open for it."""

    day: date
    minute: int
    end: int
    locations: tuple[LocationId, ...]
    trainers: tuple[TrainerId, ...]
    in_dates: bool  # inside earliest..latest and clear of the request's blocked times

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.day, time()) + timedelta(minutes=self.minute)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.day, time()) + timedelta(minutes=self.end)


@dataclass
class _Candidates:
    """Static candidates of one request and which families forbid each of them."""

    lk: Lookup
    request: Request
    activity: Activity
    needed: int
    days: list[date]
    slots: list[_Slot] = field(default_factory=list)
    at_time: dict[int, set[Family]] = field(default_factory=lambda: defaultdict(set))
    at_place: dict[tuple[int, LocationId], set[Family]] = field(
        default_factory=lambda: defaultdict(set)
    )
    by_trainer: dict[tuple[int, TrainerId], set[Family]] = field(
        default_factory=lambda: defaultdict(set)
    )
    by_trainer_at: dict[tuple[int, LocationId, TrainerId], set[Family]] = field(
        default_factory=lambda: defaultdict(set)
    )
    blockers: dict[Family, dict[PlannedSession, bool]] = field(
        default_factory=lambda: defaultdict(dict)
    )  # session -> does it block a slot inside the request's dates
    week_used: dict[tuple[TrainerId, str], list[PlannedSession]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @property
    def duration(self) -> int:
        return self.activity.duration_minutes


def _fitting_locations(lk: Lookup, request: Request, act: Activity, n: int) -> list[Location]:
    """Rules 1, 2 and 5 on the location alone (as in docs/scheduler-rules.md)."""
    if act.at_school:
        home = lk.school_home(request)
        return [lk.locations[home]] if home in lk.locations else []

    def fits(loc: Location) -> bool:
        if not loc.hosts_training or (not act.capacity_soft and loc.capacity < n):
            return False
        if any(loc.equipment.get(e.equipment, 0) < e.required(n) for e in act.equipment):
            return False
        groups = [lk.groups[gid] for gid in request.groups]
        return all(
            g.home is None
            or g.max_travel_minutes is None
            or lk.travel(g.home, loc.id) <= g.max_travel_minutes
            for g in groups
        )

    return [loc for loc in lk.problem.locations if fits(loc)]


def _enumerate(lk: Lookup, request: Request, margin_days: int) -> _Candidates:
    """Every start allowed by the static rules, ``margin_days`` beyond the request's dates."""
    problem, act = lk.problem, lk.activity_of(request)
    n = lk.participants(request)
    needed = act.trainers_needed(n)
    first = max(problem.first_day, request.earliest - timedelta(days=margin_days))
    last = min(problem.last_day, request.latest + timedelta(days=margin_days))
    if problem.now is not None:
        first = max(first, problem.now.date())
    days = [
        first + timedelta(days=i)
        for i in range((last - first).days + 1)
        if not problem.is_holiday(first + timedelta(days=i))
    ]
    c = _Candidates(lk, request, act, needed, days)
    locations = _fitting_locations(lk, request, act, n)
    trainers = [
        t
        for t in problem.trainers
        if (act.qualification is None or act.qualification in t.qualifications)
        and (t.certified or not act.needs_certificate)
    ]
    groups = [lk.groups[g] for g in request.groups]
    dur = act.duration_minutes
    for d in days:
        if act.at_school:
            loc_spans = [
                (loc, [] if any(x.contains(d) for x in loc.availability.closures) else [(0, DAY)])
                for loc in locations
            ]
        else:
            loc_spans = [(loc, spans_on(loc.availability, d)) for loc in locations]
        group_spans = [spans_on(g.availability, d) for g in groups]
        trainer_spans = [(t.id, spans_on(t.availability, d)) for t in trainers]
        in_window = request.earliest <= d <= request.latest
        for m in range(0, DAY - dur + 1, problem.grid_minutes):
            end = m + dur
            start_at = datetime.combine(d, time()) + timedelta(minutes=m)
            if problem.now is not None and start_at < problem.now:
                continue
            if not all(covers(sp, m, end) for sp in group_spans):
                continue
            if any(bs < end and m < be for bs, be in irregular_spans(d)):
                continue  # the DST night hour
            locs = tuple(loc.id for loc, sp in loc_spans if covers(sp, m, end))
            people = tuple(tid for tid, sp in trainer_spans if covers(sp, m, end))
            fixed_ok = request.trainer is None or request.trainer in people
            if not locs or len(people) < needed or not fixed_ok:
                continue
            blocked = any(
                b.day == d and minute_of(b.start) < end and m < minute_of(b.end)
                for b in request.blocked
            )
            c.slots.append(_Slot(d, m, end, locs, people, in_window and not blocked))
    return c


def _facts(c: _Candidates, solution: Solution) -> None:
    """Mark which families forbid each candidate, and which sessions are to blame."""
    lk, request = c.lk, c.request
    at_school = c.activity.at_school
    by_loc: dict[tuple[str, date], list[PlannedSession]] = defaultdict(list)
    by_trainer: dict[tuple[str, date], list[PlannedSession]] = defaultdict(list)
    by_group: dict[tuple[str, date], list[PlannedSession]] = defaultdict(list)
    for s in solution.sessions:
        other = lk.requests.get(s.request)
        if other is None or s.request == request.id:
            continue
        day = s.start.date()
        if not lk.activity_of(other).at_school:
            by_loc[s.location, day].append(s)
        for tid in dict.fromkeys(s.trainers):
            by_trainer[tid, day].append(s)
            c.week_used[tid, _iso_week(day)].append(s)
        for gid in other.groups:
            by_group[gid, day].append(s)

    def blame(family: Family, s: PlannedSession, slot: _Slot) -> None:
        c.blockers[family][s] = c.blockers[family].get(s, False) or slot.in_dates

    def person(
        sessions: list[PlannedSession], slot: _Slot
    ) -> tuple[list[PlannedSession], dict[LocationId, list[PlannedSession]]]:
        """Overlapping sessions, and per location the ones too close to travel from/to."""
        start, end = slot.start_at, slot.end_at
        overlap = [o for o in sessions if o.start < end and start < o.end]
        far: dict[LocationId, list[PlannedSession]] = defaultdict(list)
        for o in sessions:
            if o in overlap:
                continue
            gap = minutes_between(o.end, start) if o.end <= start else minutes_between(end, o.start)
            for lid in slot.locations:
                if gap < lk.travel(lid, o.location):
                    far[lid].append(o)
        return overlap, far

    for i, slot in enumerate(c.slots):
        if not slot.in_dates:
            c.at_time[i].add(Family(REQUEST_DATES))
        for gid in request.groups:
            overlap, far = person(by_group.get((gid, slot.day), []), slot)
            for o in overlap:
                c.at_time[i].add(fam := Family(GROUP_BUSY, "group", gid))
                blame(fam, o, slot)
            for lid, found in far.items():
                for o in found:
                    c.at_place[i, lid].add(fam := Family(TRAVEL, "group", gid))
                    blame(fam, o, slot)
        for tid in slot.trainers:
            overlap, far = person(by_trainer.get((tid, slot.day), []), slot)
            for o in overlap:
                c.by_trainer[i, tid].add(fam := Family(TRAINER_BUSY, "trainer", tid))
                blame(fam, o, slot)
            for lid, found in far.items():
                for o in found:
                    c.by_trainer_at[i, lid, tid].add(fam := Family(TRAVEL, "trainer", tid))
                    blame(fam, o, slot)
        if at_school:
            continue
        for lid in slot.locations:
            pad = timedelta(minutes=lk.locations[lid].buffer_minutes)
            for o in by_loc.get((lid, slot.day), []):
                if o.start < slot.end_at + pad and slot.start_at < o.end + pad:
                    c.at_place[i, lid].add(fam := Family(LOCATION_BUSY, "location", lid))
                    blame(fam, o, slot)


# --- the small model ----------------------------------------------------------------------


class _Model:
    """One request's sessions over its candidates; every family behind one literal.

    Variables follow the static rules (a session starts at one candidate slot, at one of
    its open locations, with enough open trainers); each family adds its constraints
    behind the literal ``literals[family]``, which the solver assumes true.
    """

    def __init__(self, c: _Candidates) -> None:
        self.c = c
        self.model = cp_model.CpModel()
        self.literals: dict[Family, cp_model.IntVar] = {}
        self.sessions = range(1, c.activity.sessions + 1)
        self.trainers = sorted({t for s in c.slots for t in s.trainers})
        self.locations = sorted({lid for s in c.slots for lid in s.locations})
        self.when: dict[tuple[int, int], cp_model.IntVar] = {}  # (session, slot)
        self.place: dict[tuple[int, int, LocationId], cp_model.IntVar] = {}
        self.teach = {
            (k, t): self.model.new_bool_var(f"teach[{k},{t}]")
            for k in self.sessions
            for t in self.trainers
        }
        for k in self.sessions:
            self._one_placement(k)
        self._sessions_in_order()
        self._day_gaps()
        self._same_location()
        self._trainer_weekly_hours()
        self.model.minimize(self.start(1))  # a found fit is the earliest: easy to check by hand

    def lit(self, family: Family) -> cp_model.IntVar:
        if family not in self.literals:
            self.literals[family] = self.model.new_bool_var(family.label)
        return self.literals[family]

    def start(self, k: int) -> cp_model.LinearExpr:
        first = self.c.days[0]
        return cp_model.LinearExpr.weighted_sum(
            [self.when[k, i] for i in range(len(self.c.slots))],
            [(s.day - first).days * DAY + s.minute for s in self.c.slots],
        )

    def day(self, k: int) -> cp_model.LinearExpr:
        first = self.c.days[0]
        return cp_model.LinearExpr.weighted_sum(
            [self.when[k, i] for i in range(len(self.c.slots))],
            [(s.day - first).days for s in self.c.slots],
        )

    def at_location(self, k: int, lid: LocationId) -> cp_model.LinearExpr:
        return cp_model.LinearExpr.sum(
            [x for (kk, _, loc), x in self.place.items() if kk == k and loc == lid]
        )

    def _one_placement(self, k: int) -> None:
        """Busy resources, travel and dates forbid single candidates (clauses on literals)."""
        c, model, teach = self.c, self.model, self.teach
        for i, slot in enumerate(c.slots):
            name = f"{k},{slot.day} {hhmm(slot.minute)}"
            at = self.when[k, i] = model.new_bool_var(f"when[{name}]")
            xs = {lid: model.new_bool_var(f"at[{name},{lid}]") for lid in slot.locations}
            self.place.update({(k, i, lid): x for lid, x in xs.items()})
            model.add(cp_model.LinearExpr.sum(list(xs.values())) == at)
            for f in c.at_time.get(i, ()):
                model.add_bool_or([~self.lit(f), ~at])
            for lid, x in xs.items():
                for f in c.at_place.get((i, lid), ()):
                    model.add_bool_or([~self.lit(f), ~x])
            for t in self.trainers:
                if t not in slot.trainers:
                    model.add_bool_or([~at, ~teach[k, t]])  # outside t's hours: static
                    continue
                for f in c.by_trainer.get((i, t), ()):
                    model.add_bool_or([~self.lit(f), ~at, ~teach[k, t]])
                for lid, x in xs.items():
                    for f in c.by_trainer_at.get((i, lid, t), ()):
                        model.add_bool_or([~self.lit(f), ~x, ~teach[k, t]])
        model.add_exactly_one(self.when[k, i] for i in range(len(c.slots)))
        model.add(cp_model.LinearExpr.sum([teach[k, t] for t in self.trainers]) == c.needed)
        if c.request.trainer is not None:
            model.add(teach[k, c.request.trainer] == 1)

    def _sessions_in_order(self) -> None:
        """Session k+1 starts after session k ends (always), with the location's buffer or
        the travel time between them (family ``own_sessions_apart``).

        The order itself is no family: numbering is not a cause a planner can act on, and
        without it a core would blame day gaps for sessions stacked in one slot.
        """
        c, model = self.c, self.model
        if len(self.sessions) < 2:
            return
        gaps: dict[tuple[LocationId, LocationId], int] = {}
        for a in self.locations:
            for b in self.locations:
                same = 0 if c.activity.at_school else c.lk.locations[a].buffer_minutes
                gap = same if a == b else c.lk.travel(a, b)
                if gap > 0:
                    gaps[a, b] = gap
        where: dict[tuple[int, LocationId], cp_model.IntVar] = {}
        for k in self.sessions[:-1]:
            model.add(self.start(k + 1) >= self.start(k) + c.duration)
            if not gaps:
                continue
            apart = self.lit(Family(OWN_SESSIONS_APART))
            same_day = model.new_bool_var(f"same_day[{k},{k + 1}]")
            model.add(self.day(k + 1) == self.day(k)).only_enforce_if(same_day)
            model.add(self.day(k + 1) != self.day(k)).only_enforce_if(~same_day)
            for kk in (k, k + 1):
                for lid in self.locations:
                    if (kk, lid) not in where:
                        where[kk, lid] = model.new_bool_var(f"where[{kk},{lid}]")
                        model.add(self.at_location(kk, lid) == where[kk, lid])
            for (a, b), gap in gaps.items():
                model.add(self.start(k + 1) >= self.start(k) + c.duration + gap).only_enforce_if(
                    [apart, same_day, where[k, a], where[k + 1, b]]
                )

    def _day_gaps(self) -> None:
        """min_days_between <= days between consecutive sessions <= max_days_between."""
        act = self.c.activity
        if len(self.sessions) < 2 or (act.min_days_between == 0 and act.max_days_between is None):
            return
        gaps = self.lit(Family(DAY_GAPS))
        for k in self.sessions[:-1]:
            apart = self.day(k + 1) - self.day(k)
            self.model.add(apart >= act.min_days_between).only_enforce_if(gaps)
            if act.max_days_between is not None:
                self.model.add(apart <= act.max_days_between).only_enforce_if(gaps)

    def _same_location(self) -> None:
        """With same_location every session sits where the first one does."""
        if len(self.sessions) < 2 or not self.c.activity.same_location:
            return
        if len(self.locations) < 2:
            return
        one = self.lit(Family(SAME_LOCATION))
        for k in self.sessions[1:]:
            for lid in self.locations:
                same = self.at_location(k, lid) == self.at_location(1, lid)
                self.model.add(same).only_enforce_if(one)

    def _trainer_weekly_hours(self) -> None:
        """Per trainer and ISO week: minutes already taught plus this request's <= maximum."""
        c, model, n = self.c, self.model, len(self.sessions)
        weeks: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(c.slots):
            weeks[_iso_week(s.day)].append(i)
        for tid in self.trainers:
            limit = c.lk.trainers[tid].max_minutes_per_week
            if limit is None:
                continue
            for week, slots in sorted(weeks.items()):
                used = sum(
                    minutes_between(o.start, o.end) for o in c.week_used.get((tid, week), [])
                )
                room = max(0, (limit - used) // c.duration)  # sessions that still fit
                if room >= n:
                    continue
                taught = []
                for k in self.sessions:
                    z = model.new_bool_var(f"teaches_in[{k},{tid},{week}]")
                    in_week = cp_model.LinearExpr.sum([self.when[k, i] for i in slots])
                    model.add(z >= self.teach[k, tid] + in_week - 1)
                    taught.append(z)
                family = Family(WEEKLY_HOURS, "trainer", tid, week)
                model.add(cp_model.LinearExpr.sum(taught) <= room).only_enforce_if(self.lit(family))

    def solve(self, assumed: Iterable[Family], seconds: float) -> tuple[int, cp_model.CpSolver]:
        """One solve assuming ``assumed`` true (the other families are free to be off)."""
        self.model.clear_assumptions()
        self.model.add_assumptions([self.literals[f] for f in assumed])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # small model, shared machine, reproducible cores
        limit(solver.parameters, seconds, deterministic=False)
        return solver.solve(self.model), solver

    def core(self, solver: cp_model.CpSolver) -> set[Family]:
        by_index = {v.index: f for f, v in self.literals.items()}
        return {by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()}


# --- from a core to a reason --------------------------------------------------------------


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


def _spacing(act: Activity) -> str:
    if act.max_days_between == act.min_days_between:
        return f"exactly {act.min_days_between} day(s) apart"
    if act.max_days_between is None:
        return f"at least {act.min_days_between} day(s) apart"
    return f"{act.min_days_between}..{act.max_days_between} days apart"


@dataclass(frozen=True, slots=True)
class _Story:
    """What one family of a core says: a head and a tail around the scope of the slots."""

    family: Family
    head: str
    tail: str = ""
    blockers: tuple[PlannedSession, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.head} {self.tail}".strip()


def _ranked(c: _Candidates, sessions: Iterable[PlannedSession]) -> list[RequestId]:
    rids = {s.request for s in sessions}
    return sorted(rids, key=lambda r: (-c.lk.requests[r].priority, r))


def _who(c: _Candidates, sessions: Iterable[PlannedSession]) -> str:
    """Blocking requests with their priority; one whose blocking sessions all started
    already (or are pinned) says so, so nobody is asked to move what cannot move."""
    sessions = list(sessions)
    movable = _movable(c, sessions)

    def named(r: RequestId) -> str:
        held = "" if r in movable else ", already started or pinned"
        return f"{r} (priority {c.lk.requests[r].priority}{held})"

    return ", ".join(named(r) for r in _ranked(c, sessions))


def _movable(c: _Candidates, sessions: Iterable[PlannedSession]) -> set[RequestId]:
    return {s.request for s in sessions if not is_frozen_reference(c.lk.problem, s)}


def _story(c: _Candidates, f: Family, in_dates: bool) -> _Story:
    """One family in a planner's words; ``in_dates``: only blockers inside the dates count."""
    found = c.blockers.get(f, {})
    blockers = tuple(s for s, inside in found.items() if inside or not in_dates) or tuple(found)
    blockers = tuple(sorted(blockers, key=lambda s: (s.start, s.request, s.index)))
    who = _who(c, blockers)
    r, act = c.request, c.activity
    if f.kind in (LOCATION_BUSY, TRAINER_BUSY, GROUP_BUSY):
        return _Story(f, f"{f.role} {f.subject} is booked", f"by {who}", blockers)
    if f.kind == TRAVEL:
        return _Story(
            f, f"{f.role} {f.subject} cannot travel in time", f"to or from {who}", blockers
        )
    if f.kind == WEEKLY_HOURS:
        used = sum(
            minutes_between(o.start, o.end) for o in c.week_used.get((f.subject, f.week), [])
        )
        limit = c.lk.trainers[TrainerId(f.subject)].max_minutes_per_week or 0
        head = f"{f.subject} has used {_hours(used)} of {_hours(limit)} hours in week {f.week}"
        return _Story(f, head, "", tuple(c.week_used.get((f.subject, f.week), [])))
    if f.kind == DAY_GAPS:
        return _Story(f, f"its sessions must be {_spacing(act)}")
    if f.kind == SAME_LOCATION:
        return _Story(f, "its sessions must share one location")
    if f.kind == OWN_SESSIONS_APART:
        return _Story(f, "its own sessions need the location's buffer or travel time between them")
    blocked = " outside its blocked times" if r.blocked else ""
    return _Story(f, f"it must take place between {r.earliest} and {r.latest}{blocked}")


def _free_days(c: _Candidates, core: set[Family]) -> list[date]:
    """Days with a slot that no single-slot family of the core forbids."""
    days: set[date] = set()
    for i, slot in enumerate(c.slots):
        if c.at_time.get(i, set()) & core:
            continue
        for lid in slot.locations:
            if c.at_place.get((i, lid), set()) & core:
                continue
            free = [
                t
                for t in slot.trainers
                if not (c.by_trainer.get((i, t), set()) | c.by_trainer_at.get((i, lid, t), set()))
                & core
            ]
            fixed = c.request.trainer
            if len(free) >= c.needed and (fixed is None or fixed in free):
                days.add(slot.day)
                break
    return sorted(days)


def _core_reason(c: _Candidates, core: list[Family], minimal: bool, margin_days: int) -> Reason:
    """A minimal core as one reason; its code says which kind of rule dominates."""
    r, act, n = c.request, c.activity, c.activity.sessions
    dated = any(f.kind == REQUEST_DATES for f in core)
    stories = [_story(c, f, dated) for f in core if f.kind != REQUEST_DATES]
    kinds = {s.family.kind for s in stories}
    scoped = dated or (c.days[0] >= r.earliest and c.days[-1] <= r.latest)
    if scoped:
        scope = f" between {r.earliest} and {r.latest}"
        if c.lk.problem.last_day < r.latest:
            scope += f" (the horizon ends on {c.lk.problem.last_day})"
    else:
        scope = f" from {c.days[0]} to {c.days[-1]} (its dates widened by up to {margin_days} days)"
    priority = f" (this request has priority {r.priority})"
    details: dict[str, object] = {
        "core": [f.label for f in core],
        "minimal": minimal,
        "priority": r.priority,
        "request": r.id,
        "sessions": n,
        "session_minutes": c.duration,
        "earliest": r.earliest,
        "latest": r.latest,
        "scope": {
            "first": r.earliest if scoped else c.days[0],
            "last": r.latest if scoped else c.days[-1],
            "widened_by": 0 if scoped else margin_days,
        },
        "families": [
            {
                "family": s.family.label,
                "kind": s.family.kind,
                "subject": s.family.subject,
                "role": s.family.role,
                "week": s.family.week,
            }
            | {"text": s.text}
            for s in stories
        ],
    }
    if c.lk.problem.last_day < r.latest:
        details["horizon_end"] = c.lk.problem.last_day
    weekly = [_hours_detail(c, s.family) for s in stories if s.family.kind == WEEKLY_HOURS]
    if weekly:  # the hours used and allowed, whatever the core's code
        details["hours"] = weekly
    busy = [s for s in stories if s.family.kind in BUSY_KINDS]
    if busy:
        details["competitors"] = _competitors(c, busy)
    if kinds and kinds <= BUSY_KINDS:
        if len(stories) == 1:
            (s,) = stories
            if s.family.kind == TRAVEL:
                message = f"{s.text} from any candidate slot{scope}{priority}"
            else:
                message = f"{s.head} on all candidate slots{scope} {s.tail}{priority}"
        else:
            texts = "; ".join(s.text for s in stories)
            message = f"every candidate slot{scope} is blocked: {texts}{priority}"
        return Reason(Code.BLOCKED_BY_SESSIONS, message, details, SOURCE)
    if kinds == {WEEKLY_HOURS}:
        texts = "; ".join(s.text for s in stories)
        where = f", and it must take place between {r.earliest} and {r.latest}" if dated else ""
        message = f"{texts}; {r.id} needs {n} session(s) of {_hours(c.duration)} hours{where}"
        return Reason(Code.TRAINER_HOURS_EXHAUSTED, message, details, SOURCE)
    others = "; ".join(s.text for s in stories if s.family.kind not in (DAY_GAPS, SAME_LOCATION))
    others = f": {others}" if others else ""
    if DAY_GAPS in kinds:
        free = _free_days(c, set(core))
        details.update(
            min_days_between=act.min_days_between,
            max_days_between=act.max_days_between,
            free_days=free,
            same_location=SAME_LOCATION in kinds,
        )
        where = " at one location" if SAME_LOCATION in kinds else ""
        days = ", ".join(f"{d:%a} {d}" for d in free) or "none"
        message = (
            f"its {n} sessions cannot be placed {_spacing(act)}{where}{scope}{others} "
            f"(days with a free slot: {days})"
        )
        return Reason(Code.DAY_GAPS_UNREACHABLE, message, details, SOURCE)
    if SAME_LOCATION in kinds:
        message = f"its {n} sessions cannot share one location{scope}{others}"
        return Reason(Code.SAME_LOCATION_UNREACHABLE, message, details, SOURCE)
    texts = "; ".join(s.text for s in stories) or "its dates"
    message = f"no placement{scope} meets all of: {texts}{priority}"
    return Reason(Code.BLOCKED_IN_COMBINATION, message, details, SOURCE)


def _hours_detail(c: _Candidates, f: Family) -> dict[str, object]:
    sessions = c.week_used.get((f.subject, f.week), [])
    return {
        "trainer": f.subject,
        "week": f.week,
        "used_minutes": sum(minutes_between(o.start, o.end) for o in sessions),
        "max_minutes": c.lk.trainers[TrainerId(f.subject)].max_minutes_per_week,
        "session_minutes": c.duration,
        "sessions": sorted(fmt_session(o) for o in sessions),
    }


def _competitors(c: _Candidates, stories: list[_Story]) -> list[dict[str, object]]:
    """The blocking requests, highest priority first, with what of theirs is in the way."""
    families: dict[RequestId, set[str]] = defaultdict(set)
    sessions: dict[RequestId, set[str]] = defaultdict(set)
    for story in stories:
        for s in story.blockers:
            families[s.request].add(story.family.label)
            sessions[s.request].add(fmt_session(s))
    own = c.request.priority
    movable = _movable(c, (s for st in stories for s in st.blockers))
    return [
        {
            "request": rid,
            "priority": c.lk.requests[rid].priority,
            "higher_priority": c.lk.requests[rid].priority > own,
            "families": sorted(families[rid]),
            "sessions": sorted(sessions[rid]),
            "movable": rid in movable,
        }
        for rid in _ranked(c, (s for st in stories for s in st.blockers))
    ]


def _tradeoff(c: _Candidates, m: _Model, solver: cp_model.CpSolver) -> Reason:
    """The request fits next to everything else: say where, so a planner can place it."""
    placed = []
    for k in m.sessions:
        i = next(i for i in range(len(c.slots)) if solver.boolean_value(m.when[k, i]))
        slot = c.slots[i]
        lid = next(lid for lid in slot.locations if solver.boolean_value(m.place[k, i, lid]))
        who = tuple(t for t in m.trainers if solver.boolean_value(m.teach[k, t]))
        placed.append(PlannedSession(c.request.id, k, lid, who, slot.start_at, slot.end_at))
    where = "; ".join(
        (f"#{s.index} " if len(placed) > 1 else "")
        + f"at {s.location} on {s.start:%Y-%m-%d %H:%M}-{s.end:%H:%M} with {', '.join(s.trainers)}"
        for s in placed
    )
    return Reason(
        Code.SOLVER_TRADEOFF,
        f"{c.request.id} fits {where}, next to every other session of this plan; the solver "
        "left it out to keep a better objective (or ran out of time)",
        {
            "request": c.request.id,
            "placement": [
                {
                    "index": s.index,
                    "location": s.location,
                    "trainers": list(s.trainers),
                    "start": s.start,
                    "end": s.end,
                }
                for s in placed
            ],
            "priority": c.request.priority,
        },
        SOURCE,
    )


# --- the public entry ---------------------------------------------------------------------


def _minimise(m: _Model, core: list[Family], clock: TimeBudget) -> tuple[list[Family], bool]:
    """Deletion loop: drop each family whose removal keeps the rest infeasible."""
    confirmed = 0  # core[:confirmed] are needed: without any of them the rest fits
    minimal = True
    while confirmed < len(core):
        left = clock.left()
        if left <= 0:
            return core, False
        trial = core[:confirmed] + core[confirmed + 1 :]
        status, solver = m.solve(trial, left)
        if status == cp_model.INFEASIBLE:
            smaller = m.core(solver)
            # a needed family is in every infeasible subset, so filtering keeps core[:confirmed]
            core = [f for f in trial if f in smaller] if smaller else trial
        else:
            minimal = minimal and status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            confirmed += 1
    return core, minimal


def _deletion_key(f: Family) -> tuple[int, Family]:
    return (DELETION_ORDER.index(f.kind), f)


def why_unscheduled(
    problem: Problem,
    solution: Solution,
    request_id: RequestId,
    *,
    seconds: float = 1.0,
    margin_days: int = 7,
    max_candidates: int = 30_000,
    lookup: Lookup | None = None,
) -> tuple[Reason, ...]:
    """CP-SAT's view of why ``request_id`` is not in ``solution`` (empty when it cannot tell).

    ``seconds`` bounds the whole analysis (enumeration aside); ``margin_days`` lets the
    model look that far beyond the request's dates, so a core that keeps ``request_dates``
    says the dates matter; above ``max_candidates`` placements the margin is dropped, then
    the analysis.
    """
    clock = TimeBudget(seconds, deterministic=False)
    lk = lookup or Lookup.of(problem)
    request = lk.requests.get(request_id)
    if request is None or request_id in {s.request for s in solution.sessions}:
        return ()
    act = lk.activity_of(request)
    n = lk.participants(request)
    if n < act.min_participants or (act.max_participants is not None and n > act.max_participants):
        return ()
    if any(s.request == request_id and is_frozen_reference(problem, s) for s in problem.reference):
        return ()  # its own frozen sessions pin it: a matter for the validator
    c = _enumerate(lk, request, margin_days)
    size = act.sessions * sum(len(s.locations) for s in c.slots)
    if size > max_candidates and margin_days:
        c, margin_days = _enumerate(lk, request, 0), 0
        size = act.sessions * sum(len(s.locations) for s in c.slots)
    if not c.slots or size > max_candidates:
        return ()
    _facts(c, solution)
    m = _Model(c)
    families = sorted(m.literals, key=_deletion_key)
    status, solver = m.solve(families, clock.left())
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return (_tradeoff(c, m, solver),)
    if status != cp_model.INFEASIBLE:
        return ()
    found = m.core(solver)
    core, minimal = _minimise(m, [f for f in families if f in found] or families, clock)
    if not core:
        return ()  # infeasible on its own: the domain analysis says why
    return (_core_reason(c, core, minimal, margin_days),)
