"""Why a request stayed unscheduled, in reasons a planner can act on.

The analysis narrows a request's candidate domain in the order a planner would fix things:
what the request asks for (participants, school home, dates), which locations and trainers
could ever serve it, when they are all open together, whether all its sessions fit in its
window, and finally whether the solution's other sessions took every free slot. The first
stage that empties the domain gives the reasons; each carries machine-readable ``details``.

Plain Python over the Problem, like the validator (shared helpers in ``scheduler.lookup``);
nothing here knows about CP-SAT. Where the domain analysis ends without a definite cause
(``no_combination``, ``capacity_taken``), ``scheduler.cpsat.why`` places the request in a
small CP-SAT model with the rest of the plan fixed and reads the cause from a minimal core
of assumptions; those reasons carry ``source="cp-sat"``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from scheduler.cpsat.why import why_unscheduled
from scheduler.lookup import (
    Lookup,
    covers,
    fmt_away,
    fmt_session,
    hhmm,
    minute_of,
    minutes_between,
    spans_on,
)
from scheduler.problem import (
    Activity,
    Availability,
    DateRange,
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
from scheduler.reasons import Code, Reason
from scheduler.solution import Solution
from scheduler.timegrid import irregular_spans

DAY = 24 * 60


Slot = tuple[date, int]  # a day and a start minute on the grid


@dataclass(frozen=True, slots=True)
class _Busy:
    """The solution's sessions indexed by the resource they occupy and their day."""

    lk: Lookup
    by_location: Mapping[tuple[LocationId, date], list[PlannedSession]]
    by_trainer: Mapping[tuple[TrainerId, date], list[PlannedSession]]
    by_group: Mapping[tuple[str, date], list[PlannedSession]]
    week_minutes: Mapping[tuple[TrainerId, int, int], list[PlannedSession]]

    @classmethod
    def of(cls, lk: Lookup, solution: Solution) -> _Busy:
        by_location: dict[tuple[LocationId, date], list[PlannedSession]] = defaultdict(list)
        by_trainer: dict[tuple[TrainerId, date], list[PlannedSession]] = defaultdict(list)
        by_group: dict[tuple[str, date], list[PlannedSession]] = defaultdict(list)
        weeks: dict[tuple[TrainerId, int, int], list[PlannedSession]] = defaultdict(list)
        for s in solution.sessions:
            request = lk.requests.get(s.request)
            if request is None:
                continue
            day = s.start.date()
            if not lk.activity_of(request).at_school:
                by_location[s.location, day].append(s)
            for tid in dict.fromkeys(s.trainers):
                by_trainer[tid, day].append(s)
                year, week, _ = day.isocalendar()
                weeks[tid, year, week].append(s)
            for gid in request.groups:
                by_group[gid, day].append(s)
        return cls(lk, by_location, by_trainer, by_group, weeks)

    def clashes(
        self, sessions: Iterable[PlannedSession], start: datetime, end: datetime, where: LocationId
    ) -> list[PlannedSession]:
        """Sessions overlapping [start, end) or too close to reach from/to ``where``."""
        found = []
        for o in sessions:
            if o.start < end and start < o.end:
                found.append(o)
                continue
            gap = minutes_between(o.end, start) if o.end <= start else minutes_between(end, o.start)
            if gap < self.lk.travel(where, o.location):
                found.append(o)
        return found

    def split(
        self, sessions: Iterable[PlannedSession], start: datetime, end: datetime, where: LocationId
    ) -> tuple[list[PlannedSession], list[PlannedSession]]:
        """``clashes`` told apart: sessions overlapping [start, end), and the ones only too
        close to travel from or to ``where`` in time."""
        found = self.clashes(sessions, start, end, where)
        overlap = [o for o in found if o.start < end and start < o.end]
        return overlap, [o for o in found if o not in overlap]

    def location_clashes(
        self, loc: Location, start: datetime, end: datetime
    ) -> list[PlannedSession]:
        pad = timedelta(minutes=loc.buffer_minutes)
        return [
            o
            for o in self.by_location.get((loc.id, start.date()), [])
            if o.start < end + pad and start < o.end + pad
        ]

    def trainer_clashes(
        self, trainer: Trainer, start: datetime, end: datetime, where: LocationId
    ) -> list[PlannedSession]:
        found = self.clashes(self.by_trainer.get((trainer.id, start.date()), []), start, end, where)
        if trainer.max_minutes_per_week is not None:
            year, week, _ = start.date().isocalendar()
            week_sessions = self.week_minutes.get((trainer.id, year, week), [])
            used = sum(minutes_between(o.start, o.end) for o in week_sessions)
            if used + minutes_between(start, end) > trainer.max_minutes_per_week:
                found += [o for o in week_sessions if o not in found]
        return found


@dataclass
class _Analysis:
    """The candidate domain of one request, narrowed stage by stage."""

    lk: Lookup
    request: Request
    activity: Activity
    participants: int
    days: list[date] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    trainers: list[Trainer] = field(default_factory=list)
    needed: int = 1

    @property
    def fixed(self) -> TrainerId | None:
        return self.request.trainer

    @property
    def duration(self) -> int:
        return self.activity.duration_minutes

    @property
    def dates(self) -> str:
        return f"between {self.request.earliest} and {self.request.latest}"

    @property
    def when(self) -> dict[str, object]:
        """The request's dates, for the details the rendered words need."""
        return {"earliest": self.request.earliest, "latest": self.request.latest}


# --- stage 1: what the request itself asks -------------------------------------------------


def _participants(a: _Analysis) -> list[Reason]:
    act, n = a.activity, a.participants
    if act.min_participants <= n and (act.max_participants is None or n <= act.max_participants):
        return []
    bounds = f"{act.min_participants}-{act.max_participants or '…'}"
    return [
        Reason(
            Code.PARTICIPANTS_OUT_OF_RANGE,
            f"{n} participants, activity {act.code} allows {bounds}",
            {
                "participants": n,
                "min": act.min_participants,
                "max": act.max_participants,
                "activity": act.code,
            },
        )
    ]


def _school_home(a: _Analysis) -> list[Reason]:
    if not a.activity.at_school or a.lk.school_home(a.request) is not None:
        return []
    homes = {g: a.lk.groups[g].home for g in a.request.groups}
    listed = ", ".join(f"{g}: {h or 'no home'}" for g, h in homes.items())
    return [
        Reason(
            Code.AT_SCHOOL_GROUPS_DIFFER,
            f"activity {a.activity.code} takes place at the school, but the groups do not "
            f"share one school site ({listed})",
            {"homes": homes, "activity": a.activity.code},
        )
    ]


def _days(a: _Analysis) -> list[Reason]:
    problem, r = a.lk.problem, a.request
    first = max(r.earliest, problem.first_day)
    last = min(r.latest, problem.last_day)
    if problem.now is not None:
        first = max(first, problem.now.date())
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    a.days = [d for d in span if not problem.is_holiday(d)]
    if a.days:
        return []
    holidays = [d.isoformat() for d in span if problem.is_holiday(d)]
    return [
        Reason(
            Code.NO_DAYS_IN_WINDOW,
            f"no working day {a.dates} inside the horizon {problem.first_day}.."
            f"{problem.last_day}"
            + (f" after now ({problem.now:%Y-%m-%d %H:%M})" if problem.now else "")
            + (f"; holidays: {', '.join(holidays)}" if holidays else ""),
            {
                "earliest": r.earliest,
                "latest": r.latest,
                "horizon": (problem.first_day, problem.last_day),
                "now": problem.now,
                "holidays": holidays,
            },
        )
    ]


def _location_fits(a: _Analysis) -> list[Reason]:
    if a.activity.at_school:
        home = a.lk.school_home(a.request)
        a.locations = [a.lk.locations[home]] if home is not None else []
        return []
    act, n = a.activity, a.participants
    hosting = ("hosting training", lambda loc: loc.hosts_training)
    tests: list[tuple[str, Callable[[Location], bool]]] = []
    if not act.capacity_soft:
        tests.append((f"capacity >= {n}", lambda loc: loc.capacity >= n))
    for need in act.equipment:
        qty, code = need.required(n), need.equipment
        tests.append((f"{qty}x {code}", lambda loc, c=code, q=qty: loc.equipment.get(c, 0) >= q))
    near: list[tuple[str, Callable[[Location], bool]]] = []
    for gid in a.request.groups:
        g = a.lk.groups[gid]
        if g.home is not None and g.max_travel_minutes is not None:
            home, limit = g.home, g.max_travel_minutes
            near.append(
                (
                    f"within {limit} min of {home} (home of group {gid})",
                    lambda loc, h=home, m=limit: a.lk.travel(h, loc.id) <= m,
                )
            )
    every = [hosting, *tests, *near]
    everywhere = a.lk.problem.locations
    a.locations = [loc for loc in everywhere if all(ok(loc) for _, ok in every)]
    if a.locations:
        return []
    removed = {label: [loc.id for loc in everywhere if not ok(loc)] for label, ok in every}
    message = "no location"
    if tests:
        message += " with " + " and ".join(label for label, _ in tests)
    if near:
        message += " " + " and ".join(label for label, _ in near)
    not_hosting = [
        loc.id
        for loc in everywhere
        if all(ok(loc) for _, ok in tests + near) and not hosting[1](loc)
    ]
    needs: dict[str, object] = {
        "capacity": None if act.capacity_soft else n,
        "equipment": [
            {"equipment": e.equipment, "quantity": e.required(n)} for e in act.equipment
        ],
        "travel": [
            {"group": gid, "home": g.home, "minutes": g.max_travel_minutes}
            for gid in a.request.groups
            if (g := a.lk.groups[gid]).home is not None and g.max_travel_minutes is not None
        ],
    }
    if not_hosting:
        message += f" that hosts training ({', '.join(not_hosting)} would fit but do not host)"
    return [
        Reason(
            Code.NO_LOCATION_FITS,
            message,
            {
                "removed_by": {k: v for k, v in removed.items() if v},
                "participants": n,
                "needs": needs,
                "not_hosting": not_hosting,
            },
        )
    ]


def _qualified(a: _Analysis) -> list[Reason]:
    """Enough trainers with the qualification and, for guest lessons, the certificate.

    Qualification and certificate are told apart: a trainer who holds the qualification
    but lacks the teaching certificate is told exactly that.
    """
    act = a.activity
    a.needed = act.trainers_needed(a.participants)

    def qualified(t: Trainer) -> bool:
        return act.qualification is None or act.qualification in t.qualifications

    def certified(t: Trainer) -> bool:
        return t.certified or not act.needs_certificate

    able = [t for t in a.lk.problem.trainers if qualified(t)]
    a.trainers = [t for t in able if certified(t)]
    skill = f"qualified for {act.qualification}" if act.qualification else ""
    details = {
        "qualification": act.qualification,
        "certificate": act.needs_certificate,
        "needed": a.needed,
        "qualified": [t.id for t in a.trainers],
        "without_certificate": [t.id for t in able if not certified(t)],
        "kind": act.kind.value,
    }
    reasons = []
    fixed = a.lk.trainers.get(a.fixed) if a.fixed is not None else None
    if fixed is not None and not qualified(fixed):
        reasons.append(
            Reason(
                Code.FIXED_TRAINER_UNQUALIFIED,
                f"fixed trainer {fixed.id} is not {skill}",
                {**details, "trainer": fixed.id},
            )
        )
    elif fixed is not None and not certified(fixed):
        held = f"is {skill} but" if skill else ""
        reasons.append(
            Reason(
                Code.FIXED_TRAINER_UNCERTIFIED,
                f"fixed trainer {fixed.id} {held} has no teaching certificate, which a "
                f"{act.kind.value.replace('_', ' ')} needs".replace("  ", " "),
                {**details, "trainer": fixed.id},
            )
        )
    if len(a.trainers) < a.needed:
        have = ", ".join(t.id for t in a.trainers)
        only = f", only {have}" if have else ""
        lacking = [t.id for t in able if not certified(t)]
        if act.needs_certificate and len(able) >= a.needed:  # the certificate is what lacks
            verb = "is" if len(lacking) == 1 else "are"
            kind = act.kind.value.replace("_", " ")
            without = f"{', '.join(lacking)} {verb} {skill or 'available'} without it"
            if have:
                message = (
                    f"{a.needed} trainers {skill + ' ' if skill else ''}with the teaching "
                    f"certificate a {kind} needs are needed{only}; {without}"
                )
            else:
                message = (
                    f"no trainer {skill + ' ' if skill else ''}has the teaching certificate "
                    f"a {kind} needs ({without})"
                )
            reasons.append(Reason(Code.NO_CERTIFIED_TRAINER, message, details))
        else:
            what = " and ".join(x for x in (skill, "certified" * act.needs_certificate) if x)
            if a.needed == 1 or not have:
                message = f"no trainer {what}" if what else "no trainers"
            else:
                message = f"{a.needed} trainers {what or 'at all'} needed{only}"
            reasons.append(Reason(Code.NO_QUALIFIED_TRAINER, message, details))
    return reasons


# --- stage 2: are the people there at all in these days ------------------------------------


def _absences(av: Availability, days: list[date]) -> list[DateRange]:
    first, last = days[0], days[-1]
    return [c for c in av.closures if c.first <= last and first <= c.last]


def _fmt_absences(ranges: list[DateRange]) -> str:
    parts = [f"{c.first}..{c.last}" + (f" ({c.reason})" if c.reason else "") for c in ranges]
    return f"away {', '.join(parts)}" if parts else "never free long enough"


def _has_time(a: _Analysis, av: Availability) -> bool:
    return any(b - s >= a.duration for d in a.days for s, b in spans_on(av, d))


def _trainer_days(a: _Analysis) -> list[Reason]:
    reasons = []
    if a.fixed is not None:
        fixed = a.lk.trainers[a.fixed]
        if not _has_time(a, fixed.availability):
            away = _absences(fixed.availability, a.days)
            reasons.append(
                Reason(
                    Code.FIXED_TRAINER_UNAVAILABLE,
                    f"fixed trainer {fixed.id} is {_fmt_absences(away)} {a.dates}",
                    {
                        "trainer": fixed.id,
                        "absences": [(c.first, c.last, c.reason) for c in away],
                        **a.when,
                    },
                )
            )
    free = [t for t in a.trainers if _has_time(a, t.availability)]
    if len(free) < a.needed:
        away = {t.id: _absences(t.availability, a.days) for t in a.trainers if t not in free}
        excuses = "; ".join(f"{tid} is {_fmt_absences(r)}" for tid, r in away.items())
        if len(a.trainers) == 1:
            message = f"only trainer {a.trainers[0].id} is qualified and is "
            message += f"{_fmt_absences(away[a.trainers[0].id])} {a.dates}"
        else:
            names = ", ".join(t.id for t in free) or "none"
            message = (
                f"{a.needed} qualified trainer(s) needed {a.dates}, available: {names} ({excuses})"
            )
        reasons.append(
            Reason(
                Code.TRAINERS_UNAVAILABLE,
                message,
                {
                    "qualified": [t.id for t in a.trainers],
                    "available": [t.id for t in free],
                    "needed": a.needed,
                    "absences": {
                        tid: [(c.first, c.last, c.reason) for c in r] for tid, r in away.items()
                    },
                    **a.when,
                },
            )
        )
    a.trainers = free
    return reasons


def _away(group: Group, days: list[date]) -> list[DateRange]:
    """The group's unavailability periods that touch ``days`` (sorted, non-empty)."""
    return _absences(group.availability, days) if days else []


def _all_away(groups: list[Group], days: list[date]) -> bool:
    """Whether on each of ``days`` at least one of the groups cannot come at all."""
    return bool(days) and all(
        any(c.contains(d) for g in groups for c in g.availability.closures) for d in days
    )


def _fmt_group_away(group: Group, periods: list[DateRange]) -> str:
    return f"group {group.id} " + ", ".join(fmt_away(c) for c in periods)


def _away_details(groups: dict[str, list[DateRange]]) -> dict[str, list[dict[str, object]]]:
    return {
        gid: [
            {"first": c.first, "last": c.last, "reason": c.reason, "note": c.note}
            for c in periods
        ]
        for gid, periods in groups.items()
    }


def _group_days(a: _Analysis) -> list[Reason]:
    """A group that cannot come at all on any of the days (exams, internship, trip).

    Only when the periods cover every day: days left over are the later stages' business,
    which name the periods among the limits of the dates.
    """
    groups = [a.lk.groups[g] for g in a.request.groups]
    if not _all_away(groups, a.days):
        return []
    away = {g.id: _away(g, a.days) for g in groups}
    away = {gid: periods for gid, periods in away.items() if periods}
    who = "the group" if len(groups) == 1 else "all its groups"
    return [
        Reason(
            Code.GROUP_UNAVAILABLE,
            "; ".join(_fmt_group_away(a.lk.groups[gid], p) for gid, p in away.items())
            + f": no working day {a.dates} when {who} can come",
            {"groups": _away_details(away), "days": len(a.days), **a.when},
        )
    ]


# --- stage 3: when do location, groups, trainers and dates meet ----------------------------


def _location_spans(a: _Analysis, loc: Location, day: date) -> list[tuple[int, int]]:
    """At school the site's hours do not count (the group's do), only its closures."""
    if a.activity.at_school:
        closed = any(c.contains(day) for c in loc.availability.closures)
        return [] if closed else [(0, DAY)]
    return spans_on(loc.availability, day)


def _starts(a: _Analysis, day: date) -> list[int]:
    """Grid starts on ``day`` not blocked by the request, the DST hour or ``now``."""
    grid, dur = a.lk.problem.grid_minutes, a.duration
    now = a.lk.problem.now
    result = []
    for m in range(0, DAY - dur + 1, grid):
        if any(
            b.day == day and minute_of(b.start) < m + dur and m < minute_of(b.end)
            for b in a.request.blocked
        ):
            continue
        if now is not None and _at(day, m) < now:
            continue
        if any(bs < m + dur and m < be for bs, be in irregular_spans(day)):
            continue  # the DST night hour: skipped or repeated by the clock
        result.append(m)
    return result


def _at(day: date, minute: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=minute)


@dataclass(frozen=True, slots=True)
class _Slot:
    day: date
    start: int
    locations: tuple[Location, ...]
    trainers: tuple[Trainer, ...]


def _slots(a: _Analysis) -> list[_Slot]:
    """Every placement of one session allowed by all windows, ignoring other sessions."""
    slots = []
    groups = [a.lk.groups[g] for g in a.request.groups]
    for day in a.days:
        loc_spans = [(loc, _location_spans(a, loc, day)) for loc in a.locations]
        group_spans = [spans_on(g.availability, day) for g in groups]
        trainer_spans = [(t, spans_on(t.availability, day)) for t in a.trainers]
        for m in _starts(a, day):
            end = m + a.duration
            if not all(covers(sp, m, end) for sp in group_spans):
                continue
            locs = tuple(loc for loc, sp in loc_spans if covers(sp, m, end))
            people = tuple(t for t, sp in trainer_spans if covers(sp, m, end))
            if locs and _enough(a, people):
                slots.append(_Slot(day, m, locs, people))
    return slots


def _enough(a: _Analysis, people: Iterable[Trainer]) -> bool:
    ids = {t.id for t in people}
    return len(ids) >= a.needed and (a.fixed is None or a.fixed in ids)


def _no_common_time(a: _Analysis) -> list[Reason]:
    """Say which factors never meet, so the planner knows whose hours to widen."""
    groups = [a.lk.groups[g] for g in a.request.groups]

    def long_enough(spans: list[tuple[int, int]]) -> bool:
        return any(b - s >= a.duration for s, b in spans)

    counts = {
        "locations": sum(
            any(long_enough(_location_spans(a, loc, d)) for loc in a.locations) for d in a.days
        ),
        "groups": sum(
            all(long_enough(spans_on(g.availability, d)) for g in groups) for d in a.days
        ),
        "trainers": sum(
            _enough(a, [t for t in a.trainers if long_enough(spans_on(t.availability, d))])
            for d in a.days
        ),
    }
    per_day = {}
    for d in a.days:
        per_day[d.isoformat()] = {
            "locations": {loc.id: _fmt(_location_spans(a, loc, d)) for loc in a.locations},
            "groups": {g.id: _fmt(spans_on(g.availability, d)) for g in groups},
            "trainers": {t.id: _fmt(spans_on(t.availability, d)) for t in a.trainers},
        }
    who = ", ".join(g.id for g in groups)
    limits, details = _limits(a)
    return [
        Reason(
            Code.NO_COMMON_TIME,
            f"no {a.duration}-minute slot {a.dates} where a fitting location "
            f"({', '.join(loc.id for loc in a.locations)}), group(s) {who} and "
            f"{a.needed} qualified trainer(s) are all available"
            + (f" ({limits})" if limits else ""),
            {
                "duration_minutes": a.duration,
                "days": len(a.days),
                "open_days": counts,
                "windows": per_day,
                "locations": [loc.id for loc in a.locations],
                "groups": [g.id for g in groups],
                "needed": a.needed,
                **a.when,
                **details,
            },
        )
    ]


def _fmt(spans: list[tuple[int, int]]) -> str:
    return ", ".join(f"{hhmm(s)}-{hhmm(b)}" for s, b in spans) or "closed"


# --- stage 4: do all sessions fit in the window --------------------------------------------


def _chain(a: _Analysis, starts: Iterable[Slot]) -> int:
    """Most sessions placeable in order with the activity's day spacing (DP over days)."""
    act, dur = a.activity, a.duration
    per_day: dict[date, list[int]] = defaultdict(list)
    for d, m in starts:
        per_day[d].append(m)
    best: dict[date, int] = {}
    for d in sorted(per_day):
        if act.min_days_between == 0:
            here, last_end = 0, -1
            for m in sorted(per_day[d]):
                if m >= last_end:
                    here, last_end = here + 1, m + dur
        else:
            here = 1
        before = [
            n
            for prev, n in best.items()
            if max(act.min_days_between, 1) <= (d - prev).days
            and (act.max_days_between is None or (d - prev).days <= act.max_days_between)
        ]
        best[d] = here + max(before, default=0)
    return max(best.values(), default=0)


def _max_sessions(a: _Analysis, slots: Iterable[tuple[Slot, LocationId]]) -> int:
    """Chain length over usable (slot, location) pairs, per location with same_location."""
    by_loc: dict[LocationId, set[Slot]] = defaultdict(set)
    for slot, loc in slots:
        by_loc[loc].add(slot)
    if a.activity.same_location:
        return max((_chain(a, s) for s in by_loc.values()), default=0)
    return _chain(a, set().union(*by_loc.values()))


def _limits(a: _Analysis) -> tuple[str, dict[str, object]]:
    """What cuts days out of the request's dates: the horizon, now, holidays, closures of
    the fitting locations, periods its groups cannot come, absences of the trainers; named
    with their reasons."""
    problem, r = a.lk.problem, a.request
    parts: list[str] = []
    details: dict[str, object] = {}
    if problem.last_day < r.latest:
        parts.append(f"the horizon ends on {problem.last_day}")
        details["horizon_end"] = problem.last_day
    if problem.first_day > r.earliest:
        parts.append(f"the horizon starts on {problem.first_day}")
        details["horizon_start"] = problem.first_day
    if problem.now is not None and problem.now.date() > max(r.earliest, problem.first_day):
        parts.append(f"it is now {problem.now:%Y-%m-%d %H:%M}")
        details["now"] = problem.now
    first = max(r.earliest, problem.first_day)
    last = min(r.latest, problem.last_day)
    if last < first:
        return "; ".join(parts), details
    span = [first, last]
    holidays = [h for h in problem.holidays if h.first <= last and first <= h.last]
    if holidays:
        parts.append("holidays " + _fmt_ranges(holidays))
        details["holidays"] = [(h.first, h.last, h.reason) for h in holidays]
    if not a.activity.at_school:
        closed = {loc.id: _absences(loc.availability, span) for loc in a.locations}
        closed = {k: v for k, v in closed.items() if v}
        if closed:
            parts.append(
                "closed: " + "; ".join(f"{k} {_fmt_ranges(v)}" for k, v in closed.items())
            )
            details["closures"] = {
                k: [(c.first, c.last, c.reason) for c in v] for k, v in closed.items()
            }
    groups = [a.lk.groups[g] for g in r.groups]
    gone = {g.id: _away(g, span) for g in groups}
    gone = {k: v for k, v in gone.items() if v}
    if gone:
        parts += [_fmt_group_away(a.lk.groups[k], v) for k, v in gone.items()]
        details["group_unavailable"] = _away_details(gone)
    people = [a.lk.trainers[a.fixed]] if a.fixed is not None else a.trainers
    away = {t.id: _absences(t.availability, span) for t in people}
    away = {k: v for k, v in away.items() if v}
    if away:
        parts.append("away: " + "; ".join(f"{k} {_fmt_ranges(v)}" for k, v in away.items()))
        details["absences"] = {k: [(c.first, c.last, c.reason) for c in v] for k, v in away.items()}
    return "; ".join(parts), details


def _fmt_ranges(ranges: Iterable[DateRange]) -> str:
    return ", ".join(
        (f"{c.first}" if c.first == c.last else f"{c.first}..{c.last}")
        + (f" ({c.reason})" if c.reason else "")
        for c in ranges
    )


def _window_reason(a: _Analysis, fits: int, candidate_days: list[date]) -> Reason:
    act = a.activity
    spacing = f"at least {act.min_days_between} day(s) apart"
    if act.max_days_between is not None:
        spacing += f" and at most {act.max_days_between}"
    where = " at one location" if act.same_location else ""
    limits, details = _limits(a)
    return Reason(
        Code.SESSIONS_DO_NOT_FIT_WINDOW,
        f"{act.sessions} sessions {spacing}{where} do not fit {a.dates}"
        + (f" ({limits})" if limits else "")
        + f": only {fits} fit on the candidate days "
        f"({', '.join(d.isoformat() for d in candidate_days)})",
        {
            "sessions": act.sessions,
            "fits": fits,
            "min_days_between": act.min_days_between,
            "max_days_between": act.max_days_between,
            "same_location": act.same_location,
            "candidate_days": candidate_days,
            **a.when,
            **details,
        },
    )


# --- stage 5: did the rest of the solution take it ----------------------------------------


def _free_pairs(
    a: _Analysis, slots: list[_Slot], busy: _Busy
) -> tuple[list[tuple[Slot, LocationId]], dict[tuple[str, str], set[PlannedSession]]]:
    """Slot/location pairs still free in the solution, and who occupies the others.

    Blame is only laid where it decides: nothing at a slot with a free location; a busy
    location only when no capable location was free at that slot and the people were not
    already in the way everywhere; busy trainers only when too few are left; and travel
    time under its own name (``travel``) when the person is free but cannot get there.
    """
    free: list[tuple[Slot, LocationId]] = []
    blockers: dict[tuple[str, str], set[PlannedSession]] = defaultdict(set)
    groups = a.request.groups
    for slot in slots:
        start = _at(slot.day, slot.start)
        end = start + timedelta(minutes=a.duration)
        places: list[tuple[list[PlannedSession], dict[tuple[str, str], set[PlannedSession]]]]
        places = []
        for loc in slot.locations:
            taken = [] if a.activity.at_school else busy.location_clashes(loc, start, end)
            people: dict[tuple[str, str], set[PlannedSession]] = defaultdict(set)
            for gid in groups:
                day_sessions = busy.by_group.get((gid, slot.day), [])
                overlap, far = busy.split(day_sessions, start, end, loc.id)
                if overlap:
                    people["group", gid].update(overlap)
                elif far:
                    people["travel", f"group {gid}"].update(far)
            clashes = {t.id: busy.trainer_clashes(t, start, end, loc.id) for t in slot.trainers}
            if not _enough(a, [t for t in slot.trainers if not clashes[t.id]]):
                for t in slot.trainers:
                    day_sessions = busy.by_trainer.get((t.id, slot.day), [])
                    overlap, far = busy.split(day_sessions, start, end, loc.id)
                    hours = [o for o in clashes[t.id] if o not in overlap and o not in far]
                    if overlap or hours:
                        people["trainer", t.id].update(overlap + hours)
                    elif far:
                        people["travel", f"trainer {t.id}"].update(far)
            if not taken and not people:
                free.append(((slot.day, slot.start), loc.id))
            places.append((taken, people))
        if any(not taken and not people for taken, people in places):
            continue  # a free place at this slot: nothing here is to blame
        people_everywhere = all(people for _, people in places)
        for (taken, people), loc in zip(places, slot.locations, strict=True):
            if taken and not people_everywhere:
                blockers["location", loc.id].update(taken)
            for key, found in people.items():
                blockers[key].update(found)
    return free, blockers


def _capacity_taken(
    a: _Analysis,
    slots: list[_Slot],
    blockers: Mapping[tuple[str, str], set[PlannedSession]],
    free: int,
) -> Reason:
    lk = a.lk
    competitors: dict[RequestId, set[str]] = defaultdict(set)
    sessions: dict[RequestId, set[str]] = defaultdict(set)
    for (kind, rid_), found in blockers.items():
        for s in found:
            competitors[s.request].add(f"{kind} {rid_}")
            sessions[s.request].add(fmt_session(s))
    ranked = sorted(competitors, key=lambda r: (-lk.requests[r].priority, r))
    now = lk.problem.now
    fixed = {
        s.request
        for found in blockers.values()
        for s in found
        if s.pinned or (now is not None and s.start < now)
    }
    movable = {
        s.request
        for found in blockers.values()
        for s in found
        if not (s.pinned or (now is not None and s.start < now))
    }

    def named(r: RequestId) -> str:
        """A competitor; one whose blocking sessions all took place (or are pinned) says so,
        so nobody is asked to move what cannot move."""
        held = ", already started or pinned" if r in fixed and r not in movable else ""
        return f"{r} (priority {lk.requests[r].priority}{held})"

    parts = []
    blocked: list[dict[str, object]] = []
    for kind, rid_ in sorted(blockers):
        reqs = sorted(
            {s.request for s in blockers[kind, rid_]}, key=lambda r: (-lk.requests[r].priority, r)
        )
        blocked.append({"kind": kind, "subject": rid_, "requests": reqs})
        who = ", ".join(named(r) for r in reqs)
        if kind == "travel":
            parts.append(f"{rid_} cannot travel in time to or from {who}")
        else:
            parts.append(f"{kind} {rid_} by {who}")
    own = a.request.priority
    return Reason(
        Code.CAPACITY_TAKEN,
        f"all {len(slots)} candidate slot(s) {a.dates} are taken in this plan: "
        + "; ".join(parts)
        + f" (this request has priority {own})",
        {
            "priority": own,
            **a.when,
            "candidate_slots": len(slots),
            "free_slots": free,
            "blocked": blocked,
            "competitors": [
                {
                    "request": r,
                    "priority": lk.requests[r].priority,
                    "higher_priority": lk.requests[r].priority > own,
                    "resources": sorted(competitors[r]),
                    "sessions": sorted(sessions[r]),
                    "movable": r in movable,
                }
                for r in ranked
            ],
        },
    )


# --- a running course that cannot be completed --------------------------------------------


def _next_days(lk: Lookup, request: Request, before: PlannedSession | None) -> list[date]:
    """Days the first missing session may use: its dates, the horizon, now, the spacing."""
    problem, act = lk.problem, lk.activity_of(request)
    first = max(request.earliest, problem.first_day)
    last = min(request.latest, problem.last_day)
    if problem.now is not None:
        first = max(first, problem.now.date())
    if before is not None:
        first = max(first, before.start.date() + timedelta(days=act.min_days_between))
        if act.max_days_between is not None:
            last = min(last, before.start.date() + timedelta(days=act.max_days_between))
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in span if not problem.is_holiday(d)]


def _open_on(av: Availability, days: list[date], minutes: int) -> list[date]:
    return [d for d in days if any(b - s >= minutes for s, b in spans_on(av, d))]


def _closures(av: Availability, days: list[date], **who: str) -> list[dict[str, object]]:
    if not days:
        return []
    return [
        {**who, "first": c.first, "last": c.last, "reason": c.reason}
        for c in _absences(av, days)
    ]


def _fmt_closures(found: list[dict[str, object]]) -> str:
    return ", ".join(
        f"{c['first']}..{c['last']}" + (f" ({c['reason']})" if c["reason"] else "") for c in found
    )


def _incomplete_course(lk: Lookup, request: Request, solution: Solution) -> Reason:
    """Which session of a running course cannot follow, which rule stops it, and the options.

    The rules are tried in the order a planner would change them: its groups' periods away
    (exams, internship, trip), the fixed trainer, the one location the course must keep,
    its dates (spacing, request window, horizon).
    """
    act = lk.activity_of(request)
    kept = sorted((s for s in solution.sessions if s.request == request.id), key=lambda s: s.index)
    have = {s.index for s in kept}
    k = next(i for i in range(1, act.sessions + 1) if i not in have)
    before = next((s for s in kept if s.index == k - 1), None)
    days = _next_days(lk, request, before)
    dur = act.duration_minutes
    done = ", ".join(f"#{s.index}" for s in kept)
    where = sorted({s.location for s in kept})
    rule, blocking, why = "combination", [], ""
    options: list[dict[str, object]] = []
    fixed = lk.trainers.get(request.trainer) if request.trainer else None
    groups = [lk.groups[g] for g in request.groups]
    if _all_away(groups, days):
        rule = "group_unavailable"
        gone = {g.id: _away(g, days) for g in groups}
        gone = {k: v for k, v in gone.items() if v}
        blocking = [
            {"group": gid, **period}
            for gid, found in _away_details(gone).items()
            for period in found
        ]
        why = "; ".join(_fmt_group_away(lk.groups[k], v) for k, v in gone.items())
    elif days and fixed is not None and not _open_on(fixed.availability, days, dur):
        rule = "fixed_trainer"
        blocking = _closures(fixed.availability, days, trainer=fixed.id)
        why = f"its fixed trainer {fixed.id} is " + (
            f"away {_fmt_closures(blocking)}" if blocking else "never available long enough"
        )
        others = [
            t.id
            for t in lk.problem.trainers
            if t.id != fixed.id
            and (act.qualification is None or act.qualification in t.qualifications)
            and (t.certified or not act.needs_certificate)
            and _open_on(t.availability, days, dur)
        ]
        if others:
            options.append({"option": "another_trainer", "trainers": others})
    elif days and act.same_location and len(where) == 1 and not act.at_school:
        home = lk.locations[where[0]]
        if not _open_on(home.availability, days, dur):
            rule = "same_location"
            blocking = _closures(home.availability, days, location=home.id)
            why = f"it must stay at {home.id}, which is " + (
                f"closed {_fmt_closures(blocking)}" if blocking else "not open long enough"
            )
            a = _Analysis(lk, request, act, lk.participants(request))
            _location_fits(a)
            others = [
                loc.id
                for loc in a.locations
                if loc.id != home.id and _open_on(loc.availability, days, dur)
            ]
            if others:
                options.append({"option": "another_location", "locations": others})
    if rule == "combination" and days and not act.at_school:
        a = _Analysis(lk, request, act, lk.participants(request))
        _location_fits(a)
        if a.locations and not any(_open_on(x.availability, days, dur) for x in a.locations):
            rule = "locations_closed"
            blocking = [
                c for x in a.locations for c in _closures(x.availability, days, location=x.id)
            ]
            why = "every location that fits it is closed: " + "; ".join(
                f"{c['location']} {_fmt_closures([c])}" for c in blocking
            ) if blocking else "no location that fits it is open long enough on those days"
    if not days:
        rule = "dates"
        problem = lk.problem
        limit = min(request.latest, problem.last_day)
        if before is not None and act.max_days_between is not None:
            limit = min(limit, before.start.date() + timedelta(days=act.max_days_between))
        ends = "the horizon" if problem.last_day < request.latest else "its dates"
        why = (
            f"no working day is left for it by {limit} ({ends} end on "
            f"{min(request.latest, problem.last_day)})"
        )
        blocking = [{"horizon_end": problem.last_day, "latest": request.latest, "by": limit}]
    others = [r for r in solution.incomplete if r != request.id]
    if rule == "combination" and others:
        rule = "running_courses_together"
        blocking = [{"requests": others}]
        why = (
            f"it could not finish together with the other running course(s) {', '.join(others)}"
            " (each keeps only the sessions that took place)"
        )
    elif rule == "combination":
        why = "no day, location and trainer that the rules allow together remain for it"
    options.append({"option": "planner_decision"})
    offered = [
        f"another location ({', '.join(o['locations'])})"  # type: ignore[arg-type]
        if o["option"] == "another_location"
        else f"another trainer ({', '.join(o['trainers'])})"  # type: ignore[arg-type]
        if o["option"] == "another_trainer"
        else "the planner's decision (cancel the rest of the course, or change its rules)"
        for o in options
    ]
    return Reason(
        Code.COURSE_CANNOT_BE_COMPLETED,
        f"session {request.id}#{k} of this running course cannot be placed: session(s) {done} "
        f"are kept as they took place, and {why}; options: {'; '.join(offered)}",
        {
            "request": request.id,
            "session": k,
            "kept": sorted(have),
            "rule": rule,
            "blocking": blocking,
            "days": days,
            "options": options,
        },
    )


# --- the public entry ----------------------------------------------------------------------


STATIC_STAGES: tuple[Callable[[_Analysis], list[Reason]], ...] = (
    _participants,
    _school_home,
    _days,
    _location_fits,
    _qualified,
)
"""Checks on what the request asks; all run so a planner sees every obstacle at once."""


def _never(a: _Analysis) -> tuple[tuple[Reason, ...], list[_Slot]]:
    """Why the request can never be scheduled, whatever else is planned; else its slots.

    Everything here reads only the request and the campus's windows, never a solution:
    it is what ``door_check`` answers at submission and where ``explain`` starts.
    """
    reasons = [r for stage in STATIC_STAGES for r in stage(a)]
    if reasons:
        return tuple(reasons), []
    reasons = _group_days(a) + _trainer_days(a)
    if reasons:
        return tuple(reasons), []
    slots = _slots(a)
    if not slots:
        return tuple(_no_common_time(a)), []
    pairs = [((s.day, s.start), loc.id) for s in slots for loc in s.locations]
    fits = _max_sessions(a, pairs)
    if fits < a.activity.sessions:
        return (_window_reason(a, fits, sorted({s.day for s in slots})),), slots
    return (), slots


def door_check(problem: Problem, request: RequestId) -> tuple[Reason, ...]:
    """The reasons ``request`` can never be scheduled that need no solve; () when none.

    The same stages, codes and words as ``explain`` (which starts with them), without the
    other sessions of a plan: what a school can fix the moment it submits the request.
    """
    lk = Lookup.of(problem)
    r = lk.requests[request]
    reasons, _slots_found = _never(_Analysis(lk, r, lk.activity_of(r), lk.participants(r)))
    return reasons


def _explain_request(
    lk: Lookup, busy: _Busy, request: Request, solution: Solution, solver_seconds: float
) -> tuple[Reason, ...]:
    """Reasons why one request cannot be (or was not) scheduled in this solution."""
    a = _Analysis(lk, request, lk.activity_of(request), lk.participants(request))
    never, slots = _never(a)
    if never:
        return never
    n = a.activity.sessions
    free, blockers = _free_pairs(a, slots, busy)
    if _max_sessions(a, free) < n:
        taken = _capacity_taken(a, slots, blockers, len(free))
        return _with_solver(lk, solution, request, taken, solver_seconds)
    (day, start), loc = free[0]
    undecided = Reason(
        Code.NO_COMBINATION,
        f"each requirement can be met and {len(free)} free slot(s) remain (e.g. {loc} on "
        f"{day} {hhmm(start)}), but not together with the rest of this plan: the solver "
        "traded it off against other costs or rules, or stopped before finding it",
        {
            "free_slots": len(free),
            "example": {"location": loc, "day": day, "start": hhmm(start)},
        },
    )
    return _with_solver(lk, solution, request, undecided, solver_seconds)


def _with_solver(
    lk: Lookup, solution: Solution, request: Request, domain: Reason, seconds: float
) -> tuple[Reason, ...]:
    """Where the domain analysis cannot pin the cause, ask CP-SAT assumptions for a core.

    ``no_combination`` gives way to the core's reason. ``capacity_taken`` stays (it names
    every blocker); a core of busy resources only marks the decisive ones in its details,
    any other core (weekly hours, day gaps, ...) is added as a reason of its own. When the
    request fits after all, ``no_combination`` becomes ``solver_tradeoff`` with the placement.
    """
    if seconds <= 0:
        return (domain,)
    found = why_unscheduled(lk.problem, solution, request.id, seconds=seconds, lookup=lk)
    if not found:
        return (domain,)
    (solver,) = found
    if solver.code == Code.SOLVER_TRADEOFF:
        details = {**domain.details, **solver.details, "checked_by": solver.source}
        if domain.code == Code.NO_COMBINATION:
            free = domain.details["free_slots"]
            message = f"{solver.message} ({free} free slot(s) in all)"
            return (Reason(solver.code, message, details, solver.source),)
        return (domain, solver)
    if domain.code == Code.NO_COMBINATION:
        return (solver,)
    if solver.code == Code.BLOCKED_BY_SESSIONS:
        decisive = {
            "decisive": solver.details["core"],
            "decisive_competitors": solver.details.get("competitors", []),
        }
        return (Reason(domain.code, domain.message, {**domain.details, **decisive}),)
    return (domain, solver)


def explain(
    problem: Problem,
    solution: Solution,
    *,
    solver_seconds: float = 1.0,
    requests: Iterable[RequestId] | None = None,
) -> Mapping[RequestId, tuple[Reason, ...]]:
    """For every request without sessions in ``solution``: why, in actionable reasons.

    A running course listed in ``solution.incomplete`` gets ``course_cannot_be_completed``:
    which session, which rule, and the options.

    ``solver_seconds`` bounds the CP-SAT assumption analysis per request (0 turns it off);
    it only runs where the domain analysis ends without a definite cause. ``requests``
    limits the work to those requests (a planner asking about one).
    """
    lk = Lookup.of(problem)
    busy = _Busy.of(lk, solution)
    scheduled = {s.request for s in solution.sessions}
    wanted = None if requests is None else set(requests)
    found: dict[RequestId, tuple[Reason, ...]] = {}
    for r in problem.requests:
        if wanted is not None and r.id not in wanted:
            continue
        if r.id in solution.incomplete and r.id in scheduled:
            found[r.id] = (_incomplete_course(lk, r, solution),)
        elif r.id not in scheduled:
            found[r.id] = _explain_request(lk, busy, r, solution, solver_seconds)
    return found
