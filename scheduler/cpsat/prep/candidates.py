"""Prune impossible combinations before a single variable exists.

For every session we compute, per candidate day, which start slots are possible
(a bit mask: bit i = a start at slot i of that day), and the same per candidate location
and per candidate trainer. Capacity, equipment, travel limits, qualifications,
availability windows, holidays, the request's dates and blocked times, the wall-clock hour
daylight saving skips or repeats, ``problem.now`` and frozen sessions are all applied here,
so the model only sees combinations that satisfy every single-session rule; the model adds
the rules between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.problem import (
    Activity,
    Availability,
    Group,
    Location,
    LocationId,
    PlannedSession,
    Problem,
    Request,
    RequestId,
    Trainer,
    TrainerId,
)
from scheduler.timegrid import TimeGrid, irregular_spans, minute_of_day

DayMasks = dict[int, int]  # day index -> mask of allowed start slots within that day


def mask_slots(mask: int) -> list[int]:
    """The set bits of ``mask``, ascending."""
    out = []
    i = 0
    while mask:
        if mask & 1:
            out.append(i)
        mask >>= 1
        i += 1
    return out


def mask_runs(mask: int) -> list[tuple[int, int]]:
    """Maximal runs of set bits as inclusive (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    i = 0
    while mask:
        if mask & 1:
            j = i
            while mask & 1:
                mask >>= 1
                j += 1
            runs.append((i, j - 1))
            i = j
        else:
            low = (mask & -mask).bit_length() - 1
            mask >>= low
            i += low
    return runs


def _range_mask(lo: int, hi: int) -> int:
    return ((1 << (hi - lo + 1)) - 1) << lo if hi >= lo else 0


@dataclass(slots=True)
class SessionCandidates:
    """Where and when one session may run, and with whom."""

    request: RequestId
    index: int
    duration: int  # minutes
    size: int  # slots covered by the duration (ceil)
    at_school: bool
    day_masks: DayMasks
    location_masks: dict[LocationId, DayMasks]
    trainer_masks: dict[TrainerId, DayMasks]
    trainers_needed: int
    fixed_trainer: TrainerId | None = None
    frozen: PlannedSession | None = None

    @property
    def name(self) -> str:
        return f"{self.request}#{self.index}"

    @property
    def days(self) -> list[int]:
        return sorted(self.day_masks)

    @property
    def locations(self) -> list[LocationId]:
        return list(self.location_masks)

    @property
    def trainers(self) -> list[TrainerId]:
        return list(self.trainer_masks)


@dataclass(slots=True)
class RequestCandidates:
    request: Request
    activity: Activity
    participants: int
    sessions: list[SessionCandidates] = field(default_factory=list)
    reason: str | None = None  # why the request can only be unscheduled
    must_schedule: bool = False  # it holds frozen sessions

    @property
    def schedulable(self) -> bool:
        return self.reason is None


@dataclass(slots=True)
class Candidates:
    grid: TimeGrid
    requests: list[RequestCandidates]
    infeasible: list[str]  # why no solution can exist (frozen sessions breaking a rule)

    def sessions(self) -> list[SessionCandidates]:
        return [s for rc in self.requests if rc.schedulable for s in rc.sessions]


def frozen_sessions(problem: Problem) -> dict[tuple[RequestId, int], PlannedSession]:
    """Reference sessions that must be kept: pinned, or started before ``problem.now``."""
    ids = {r.id for r in problem.requests}
    out: dict[tuple[RequestId, int], PlannedSession] = {}
    for s in problem.reference:
        if s.request not in ids:
            continue
        if s.pinned or (problem.now is not None and s.start < problem.now):
            out.setdefault((s.request, s.index), s)
    return out


class _Pruner:
    """Caches window masks per (thing, day, duration): many requests share them."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.grid = TimeGrid(problem.first_day, problem.grid_minutes)
        self._cache: dict[tuple[str, str, int, int], int] = {}

    def window_mask(self, kind: str, key: str, avail: Availability, day: date, dur: int) -> int:
        """Starts whose whole session fits inside one open span on ``day``."""
        ck = (kind, key, self.grid.day_index(day), dur)
        found = self._cache.get(ck)
        if found is not None:
            return found
        g = self.grid.grid_minutes
        mask = 0
        for start, end in avail.windows_on(day):
            lo = -(-minute_of_day(start) // g)
            hi = (minute_of_day(end) - dur) // g
            mask |= _range_mask(lo, hi)
        self._cache[ck] = mask
        return mask

    def group_mask(self, groups: list[Group], day: date, dur: int) -> int:
        mask = _range_mask(0, self.grid.slots_per_day - 1)
        for grp in groups:
            mask &= self.window_mask("g", grp.id, grp.availability, day, dur)
        return mask

    def location_mask(self, loc: Location, at_school: bool, day: date, dur: int) -> int:
        if at_school:  # school hours are the group's windows; closures still count
            closed = any(c.contains(day) for c in loc.availability.closures)
            return 0 if closed else _range_mask(0, self.grid.slots_per_day - 1)
        return self.window_mask("l", loc.id, loc.availability, day, dur)

    def trainer_mask(self, trainer: Trainer, day: date, dur: int) -> int:
        return self.window_mask("t", trainer.id, trainer.availability, day, dur)

    def request_mask(self, request: Request, day: date, dur: int, honour_now: bool) -> int:
        """Starts clear of the request's blocked times and the DST night hour, not before now."""
        g = self.grid.grid_minutes
        mask = _range_mask(0, self.grid.slots_per_day - 1)
        for b in request.blocked:
            if b.day != day:
                continue
            bs, be = minute_of_day(b.start), minute_of_day(b.end)
            # overlap when start < be and start + dur > bs
            lo = (bs - dur) // g + 1
            hi = -(-be // g) - 1
            mask &= ~_range_mask(max(lo, 0), hi)
        for bs, be in irregular_spans(day):  # the clock skips or repeats these minutes
            mask &= ~_range_mask(max((bs - dur) // g + 1, 0), -(-be // g) - 1)
        now = self.problem.now
        if honour_now and now is not None:
            if day < now.date():
                return 0
            if day == now.date():
                seconds = now.hour * 3600 + now.minute * 60 + now.second + (now.microsecond > 0)
                mask &= ~_range_mask(0, -(-seconds // (60 * g)) - 1)
        return mask


def _at_least(masks: list[int], k: int, slots: int) -> int:
    """Bits set in at least ``k`` of ``masks``."""
    if k <= 1:
        out = 0
        for m in masks:
            out |= m
        return out
    out = 0
    for i in range(slots):
        bit = 1 << i
        if sum(1 for m in masks if m & bit) >= k:
            out |= bit
    return out


def build_candidates(problem: Problem) -> Candidates:
    """Candidate days, locations, trainers and start masks for every session."""
    pruner = _Pruner(problem)
    frozen = frozen_sessions(problem)
    infeasible: list[str] = []
    out = []
    for request in problem.requests:
        rc = _request_candidates(problem, pruner, request, frozen, infeasible)
        out.append(rc)
    return Candidates(pruner.grid, out, infeasible)


def _static_filters(
    problem: Problem, request: Request, act: Activity, participants: int
) -> tuple[list[Location], list[Trainer], str | None]:
    """Locations and trainers that fit whatever the time; or why nothing can fit."""
    groups = [problem.group(g) for g in request.groups]
    if participants < act.min_participants:
        return [], [], f"{participants} participants, activity needs {act.min_participants}"
    if act.max_participants is not None and participants > act.max_participants:
        return [], [], f"{participants} participants, activity allows {act.max_participants}"
    if act.at_school:
        homes = {g.home for g in groups}
        if len(homes) != 1 or None in homes:
            return [], [], "at_school activity, but the groups do not share one home"
        (home,) = homes
        assert home is not None
        locations = [problem.location(home)]
    else:
        locations = [
            loc
            for loc in problem.locations
            if loc.hosts_training
            and (act.capacity_soft or participants <= loc.capacity)
            and all(
                loc.equipment.get(need.equipment, 0) >= need.required(participants)
                for need in act.equipment
            )
            and all(
                g.home is None
                or g.max_travel_minutes is None
                or problem.travel.between(g.home, loc.id) <= g.max_travel_minutes
                for g in groups
            )
        ]
    trainers = [
        t
        for t in problem.trainers
        if (act.qualification is None or act.qualification in t.qualifications)
        and (t.certified or not act.needs_certificate)
        and (t.max_minutes_per_week is None or t.max_minutes_per_week >= act.duration_minutes)
    ]
    if not locations:
        return [], [], "no location fits (capacity, equipment, travel limit)"
    needed = act.trainers_needed(participants)
    ids = {t.id for t in trainers}
    if request.trainer is not None and request.trainer not in ids:
        return [], [], f"fixed trainer {request.trainer} is not qualified"
    if len(trainers) < needed:
        return [], [], f"{needed} trainers needed, {len(trainers)} qualified"
    return locations, trainers, None


@dataclass(slots=True)
class _DayInfo:
    combined: int
    locations: dict[LocationId, int]
    trainers: dict[TrainerId, int]


def _day_info(
    pruner: _Pruner,
    request: Request,
    act: Activity,
    groups: list[Group],
    locations: list[Location],
    trainers: list[Trainer],
    needed: int,
    day: date,
    honour_now: bool,
) -> _DayInfo | None:
    """Allowed starts on ``day`` overall and per location/trainer; None when none."""
    dur = act.duration_minutes
    base = pruner.group_mask(groups, day, dur)
    if base:
        base &= pruner.request_mask(request, day, dur, honour_now)
    if not base:
        return None
    locs: dict[LocationId, int] = {}
    any_loc = 0
    for loc in locations:
        m = pruner.location_mask(loc, act.at_school, day, dur) & base
        if m:
            locs[loc.id] = m
            any_loc |= m
    if not any_loc:
        return None
    trs: dict[TrainerId, int] = {}
    for t in trainers:
        m = pruner.trainer_mask(t, day, dur) & any_loc
        if m:
            trs[t.id] = m
    combined = any_loc & _at_least(list(trs.values()), needed, pruner.grid.slots_per_day)
    if request.trainer is not None:
        combined &= trs.get(request.trainer, 0)
    if not combined:
        return None
    return _DayInfo(
        combined,
        {k: m & combined for k, m in locs.items() if m & combined},
        {k: m & combined for k, m in trs.items() if m & combined},
    )


def _request_candidates(
    problem: Problem,
    pruner: _Pruner,
    request: Request,
    frozen: dict[tuple[RequestId, int], PlannedSession],
    infeasible: list[str],
) -> RequestCandidates:
    act = problem.activity(request.activity)
    participants = problem.participants(request)
    rc = RequestCandidates(request, act, participants)
    mine = {k: s for (rid, k), s in frozen.items() if rid == request.id}
    rc.must_schedule = bool(mine)
    locations, trainers, reason = _static_filters(problem, request, act, participants)
    past = problem.now is not None and all(s.start < problem.now for s in mine.values())
    if reason is not None and mine and past and set(mine) == set(range(1, act.sessions + 1)):
        reason = None  # it all took place: history, whatever changed since (rule 8)
    if reason is not None:
        rc.reason = reason
        for s in mine.values():
            infeasible.append(f"frozen session {s.request}#{s.index}: request {reason}")
        return rc
    for k in sorted(mine):
        if k > act.sessions:
            infeasible.append(
                f"frozen session {request.id}#{k}: activity has only {act.sessions} sessions"
            )
    groups = [problem.group(g) for g in request.groups]
    needed = act.trainers_needed(participants)
    grid = pruner.grid
    first = max(problem.first_day, request.earliest)
    last = min(problem.last_day, request.latest)
    infos: dict[int, _DayInfo] = {}
    for offset in range((last - first).days + 1):
        day = date.fromordinal(first.toordinal() + offset)
        if problem.is_holiday(day):
            continue
        info = _day_info(
            pruner, request, act, groups, locations, trainers, needed, day, honour_now=True
        )
        if info is not None:
            infos[grid.day_index(day)] = info
    n = act.sessions
    mdb = act.min_days_between
    all_days = sorted(infos)
    size = grid.ceil_slots(act.duration_minutes)
    for k in range(1, n + 1):
        fz = mine.get(k)
        if fz is not None:
            sc = _frozen_candidate(
                problem, pruner, request, act, groups, locations, trainers, needed, fz
            )
            if isinstance(sc, str):
                infeasible.append(sc)
                rc.reason = "holds an invalid frozen session"
                return rc
            sc.size = size
            rc.sessions.append(sc)
            continue
        days = all_days
        if not mine and days:  # session k cannot come before k-1 gaps after the first day
            lo, hi = days[0] + (k - 1) * mdb, days[-1] - (n - k) * mdb
            days = [d for d in days if lo <= d <= hi]
        if not days:
            rc.reason = f"no possible day for session {k}"
            rc.sessions = []
            for s in mine.values():
                infeasible.append(f"frozen session {s.request}#{s.index}: request {rc.reason}")
            return rc
        loc_masks: dict[LocationId, DayMasks] = {}
        tr_masks: dict[TrainerId, DayMasks] = {}
        for d in days:
            for lid, m in infos[d].locations.items():
                loc_masks.setdefault(lid, {})[d] = m
            for tid, m in infos[d].trainers.items():
                tr_masks.setdefault(tid, {})[d] = m
        rc.sessions.append(
            SessionCandidates(
                request=request.id,
                index=k,
                duration=act.duration_minutes,
                size=size,
                at_school=act.at_school,
                day_masks={d: infos[d].combined for d in days},
                location_masks={
                    loc.id: loc_masks[loc.id] for loc in locations if loc.id in loc_masks
                },
                trainer_masks={t.id: tr_masks[t.id] for t in trainers if t.id in tr_masks},
                trainers_needed=needed,
                fixed_trainer=request.trainer,
            )
        )
    return rc


def _frozen_candidate(
    problem: Problem,
    pruner: _Pruner,
    request: Request,
    act: Activity,
    groups: list[Group],
    locations: list[Location],
    trainers: list[Trainer],
    needed: int,
    fz: PlannedSession,
) -> SessionCandidates | str:
    """The one placement of a frozen session, or why it breaks a hard rule."""
    grid = pruner.grid
    name = f"frozen session {fz.request}#{fz.index}"
    day = fz.start.date()
    if not grid.is_on_grid(fz.start):
        return f"{name}: start {fz.start:%H:%M} is not on the {grid.grid_minutes}-minute grid"
    if fz.end - fz.start != timedelta(minutes=act.duration_minutes) or fz.end.date() != day:
        return f"{name}: does not last {act.duration_minutes} minutes within one day"
    # a session that started before now is history: what was changed afterwards (a holiday,
    # closure, absence, qualification, fixed trainer, the request's dates, the group's size)
    # does not undo it; only the rules between sessions still apply (scheduler-rules.md, 8)
    history = problem.now is not None and fz.start < problem.now
    if len(set(fz.trainers)) != len(fz.trainers):
        return f"{name}: lists a trainer twice"
    if history:
        needed = len(fz.trainers)
    elif not request.earliest <= day <= request.latest:
        return f"{name}: {day} outside the request window"
    elif problem.is_holiday(day):
        return f"{name}: {day} is a holiday"
    elif fz.location not in {loc.id for loc in locations}:
        return f"{name}: location {fz.location} does not fit the activity"
    elif len(fz.trainers) != needed:
        return f"{name}: has {len(fz.trainers)} trainers, {needed} needed"
    elif request.trainer is not None and request.trainer not in fz.trainers:
        return f"{name}: misses the request's fixed trainer {request.trainer}"
    elif any(t not in {x.id for x in trainers} for t in fz.trainers):
        return f"{name}: a trainer lacks the qualification or certificate"
    bit = 1 << (minute_of_day(fz.start) // grid.grid_minutes)
    info = _day_info(
        pruner,
        request,
        act,
        groups,
        [loc for loc in locations if loc.id == fz.location],
        [t for t in trainers if t.id in fz.trainers],
        needed,
        day,
        honour_now=False,
    )
    if not history and (info is None or not info.combined & bit):
        return f"{name}: outside the open times of its location, trainers or groups"
    d = grid.day_index(day)
    return SessionCandidates(
        request=request.id,
        index=fz.index,
        duration=act.duration_minutes,
        size=grid.ceil_slots(act.duration_minutes),
        at_school=act.at_school,
        day_masks={d: bit},
        location_masks={fz.location: {d: bit}},
        trainer_masks={t: {d: bit} for t in fz.trainers},
        trainers_needed=needed,
        fixed_trainer=request.trainer if request.trainer in fz.trainers else None,
        frozen=fz,
    )


def window_minutes(avail: Availability, day: date) -> int:
    """Open minutes on ``day`` (merged spans)."""
    return sum(minute_of_day(e) - minute_of_day(s) for s, e in avail.windows_on(day))


__all__ = [
    "Candidates",
    "RequestCandidates",
    "SessionCandidates",
    "build_candidates",
    "frozen_sessions",
    "mask_runs",
    "mask_slots",
    "window_minutes",
]
