"""The executable specification: docs/scheduler-rules.md checked on a Problem + Solution.

Every hard rule (1-8) is one function named after the rule, re-derived in plain Python
from the doc and sharing no code with the CP-SAT model, so a disagreement between the two
is a bug in one of them. ``solution_shape`` runs first and catches what the rules take for
granted (known ids, one session per number, the activity's duration). The objective is
recomputed in ``scheduler.costs``. The API uses ``validate`` for planners' manual moves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.costs import raw_costs, weigh
from scheduler.lookup import (
    Lookup,
    covers,
    fmt_away,
    fmt_session,
    fmt_spans,
    is_frozen_reference,
    minute_of,
    minutes_between,
    same_placement,
    spans_on,
)
from scheduler.problem import (
    Activity,
    GroupId,
    Location,
    PlannedSession,
    Problem,
    Request,
    RequestId,
    Trainer,
    TrainerId,
)
from scheduler.solution import Solution

SessionKey = tuple[RequestId, int]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule: ``rule`` is the doc's family name, ``check`` the specific test.

    ``request``/``index`` name the session concerned (index None: the whole request);
    ``related`` lists the other sessions of a conflict, so a UI can highlight both.
    """

    rule: str
    check: str
    message: str
    request: RequestId | None = None
    index: int | None = None
    related: tuple[SessionKey, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the validator found: hard violations plus the recomputed objective."""

    violations: tuple[Violation, ...]
    raw: Mapping[str, int]
    components: Mapping[str, int]  # weighted, same keys as Solution.components
    objective: int

    @property
    def ok(self) -> bool:
        return not self.violations

    def of_rule(self, rule: str, check: str | None = None) -> tuple[Violation, ...]:
        """The violations of one rule family (and optionally one check), for tests and UIs."""
        return tuple(
            v for v in self.violations if v.rule == rule and (check is None or v.check == check)
        )


@dataclass(frozen=True, slots=True)
class _Placed:
    """A solution session whose request and location exist, with what the rules look at."""

    session: PlannedSession
    request: Request
    activity: Activity
    location: Location
    trainers: tuple[Trainer, ...]  # the known ones, each once
    participants: int
    frozen: bool
    history: bool = False  # frozen and started before now: windows and closures not rechecked

    @property
    def key(self) -> SessionKey:
        return (self.session.request, self.session.index)

    @property
    def day(self) -> date:
        return self.session.start.date()

    @property
    def start(self) -> int:
        return minute_of(self.session.start)

    @property
    def end(self) -> int:
        """End in minutes after the day's midnight (beyond 1440 if it crosses midnight)."""
        return self.start + self.minutes

    @property
    def minutes(self) -> int:
        return minutes_between(self.session.start, self.session.end)

    @property
    def text(self) -> str:
        return fmt_session(self.session)


@dataclass(frozen=True, slots=True)
class _Context:
    problem: Problem
    solution: Solution
    lk: Lookup
    placed: tuple[_Placed, ...]
    frozen_refs: Mapping[SessionKey, PlannedSession]

    def by_request(self) -> dict[RequestId, dict[int, _Placed]]:
        """Placed sessions per request by index (the first one when an index repeats)."""
        result: dict[RequestId, dict[int, _Placed]] = defaultdict(dict)
        for p in self.placed:
            result[p.session.request].setdefault(p.session.index, p)
        return result


def _context(problem: Problem, solution: Solution) -> _Context:
    lk = Lookup.of(problem)
    frozen_refs: dict[SessionKey, PlannedSession] = {}
    for ref in problem.reference:
        if ref.request in lk.requests and is_frozen_reference(problem, ref):
            frozen_refs.setdefault((ref.request, ref.index), ref)
    placed = []
    for s in solution.sessions:
        request = lk.requests.get(s.request)
        location = lk.locations.get(s.location)
        if request is None or location is None:
            continue
        ref = frozen_refs.get((s.request, s.index))
        trainers = tuple(lk.trainers[t] for t in dict.fromkeys(s.trainers) if t in lk.trainers)
        placed.append(
            _Placed(
                session=s,
                request=request,
                activity=lk.activity_of(request),
                location=location,
                trainers=trainers,
                participants=lk.participants(request),
                frozen=(kept := ref is not None and same_placement(ref, s)),
                history=kept and problem.now is not None and s.start < problem.now,
            )
        )
    return _Context(problem, solution, lk, tuple(placed), frozen_refs)


def _v(rule: str, check: str, message: str, p: _Placed | None = None, **kw: object) -> Violation:
    if p is not None:
        kw.setdefault("request", p.session.request)
        kw.setdefault("index", p.session.index)
    return Violation(rule, check, message, **kw)  # type: ignore[arg-type]


def _clock(p: _Placed, q: _Placed) -> tuple[_Placed, _Placed]:
    """The pair ordered by start (then end), so gaps read as 'later start - earlier end'."""
    return (
        (p, q) if (p.session.start, p.session.end) <= (q.session.start, q.session.end) else (q, p)
    )


def _pair_conflicts(
    rule: str, owner: str, sessions: list[_Placed], travel: Callable[[str, str], int]
) -> Iterator[Violation]:
    """Overlap and travel-gap checks among one trainer's or group's sessions of one day."""
    for i, a in enumerate(sessions):
        for b in sessions[i + 1 :]:
            first, second = _clock(a, b)
            gap = minutes_between(first.session.end, second.session.start)
            if gap < 0:
                yield _v(
                    rule,
                    "double_booked",
                    f"{owner} is double booked: {first.text} overlaps {second.text}",
                    second,
                    related=(first.key,),
                )
                continue
            need = travel(first.location.id, second.location.id)
            if gap < need:
                yield _v(
                    rule,
                    "travel_time",
                    f"{owner} has {gap} min between {first.text} and {second.text}, "
                    f"travel {first.location.id}->{second.location.id} takes {need} min",
                    second,
                    related=(first.key,),
                )


# --- shape ---------------------------------------------------------------------------------


def solution_shape(ctx: _Context) -> Iterator[Violation]:
    """The solution only names known things, once each, with the activity's duration."""
    lk, sol = ctx.lk, ctx.solution
    counts = Counter((s.request, s.index) for s in sol.sessions)
    for s in sol.sessions:
        text = fmt_session(s)
        kw: dict[str, object] = {"request": s.request, "index": s.index}
        request = lk.requests.get(s.request)
        if request is None:
            yield _v("solution_shape", "unknown_request", f"session {text}: unknown request", **kw)
        if s.location not in lk.locations:
            yield _v(
                "solution_shape",
                "unknown_location",
                f"session {text}: unknown location {s.location}",
                **kw,
            )
        for tid in s.trainers:
            if tid not in lk.trainers:
                yield _v(
                    "solution_shape",
                    "unknown_trainer",
                    f"session {text}: unknown trainer {tid}",
                    **kw,
                )
        if s.start.date() != s.end.date():
            yield _v("solution_shape", "crosses_midnight", f"session {text} crosses midnight", **kw)
        if request is None:
            continue
        activity = lk.activity_of(request)
        if s.index > activity.sessions:
            yield _v(
                "solution_shape",
                "index_out_of_range",
                f"session {text}: activity {activity.code} has only {activity.sessions} session(s)",
                **kw,
            )
        minutes = minutes_between(s.start, s.end)
        if minutes != activity.duration_minutes:
            yield _v(
                "solution_shape",
                "wrong_duration",
                f"session {text} lasts {minutes} min; activity {activity.code} takes "
                f"{activity.duration_minutes} min",
                **kw,
            )
    for (rid, index), n in sorted(counts.items()):
        if n > 1:
            yield _v(
                "solution_shape",
                "duplicate_session",
                f"session {rid}#{index} appears {n} times",
                request=rid,
                index=index,
            )
    with_sessions = {s.request for s in sol.sessions}
    for rid, n in sorted(Counter(sol.unscheduled).items()):
        if rid not in lk.requests:
            yield _v(
                "solution_shape",
                "unknown_request",
                f"unscheduled lists unknown request {rid}",
                request=rid,
            )
        if n > 1:
            yield _v(
                "solution_shape",
                "duplicate_unscheduled",
                f"request {rid} is listed {n} times as unscheduled",
                request=rid,
            )
        if rid in with_sessions:
            yield _v(
                "solution_shape",
                "scheduled_and_unscheduled",
                f"request {rid} is listed as unscheduled but has sessions",
                request=rid,
            )
    for rid in sol.incomplete:
        if rid not in lk.requests or rid not in with_sessions or rid in sol.unscheduled:
            yield _v(
                "solution_shape",
                "incomplete_unknown",
                f"request {rid} is listed as incomplete but is unknown, without sessions "
                "or also unscheduled",
                request=rid,
            )
    listed = set(sol.unscheduled)
    for r in ctx.problem.requests:
        if r.id not in with_sessions and r.id not in listed:
            yield _v(
                "solution_shape",
                "unscheduled_not_listed",
                f"request {r.id} has no sessions but is not listed as unscheduled",
                request=r.id,
            )


# --- hard rules 1-8 ------------------------------------------------------------------------


def location_available(ctx: _Context) -> Iterator[Violation]:
    """Open, hosting, not a holiday, on the grid and inside the horizon."""
    problem = ctx.problem
    grid = problem.grid_minutes
    for p in ctx.placed:
        s, loc = p.session, p.location
        holiday = next((h for h in problem.holidays if h.contains(p.day)), None)
        if holiday is not None and not p.history:
            why = f" ({holiday.reason})" if holiday.reason else ""
            yield _v(
                "location_available",
                "holiday",
                f"session {p.text} is on a holiday{why}: {holiday.first}..{holiday.last}",
                p,
            )
        if s.start.second or s.start.microsecond or p.start % grid:
            yield _v(
                "location_available",
                "off_grid",
                f"session {p.text} does not start on the {grid}-minute grid",
                p,
            )
        clock = _clock_trouble(s.start, s.end)
        if clock is not None:
            yield _v("location_available", clock[0], f"session {p.text} {clock[1]}", p)
        if not p.frozen and not problem.first_day <= p.day <= problem.last_day:
            yield _v(
                "location_available",
                "outside_horizon",
                f"session {p.text} is outside the horizon {problem.first_day}..{problem.last_day}",
                p,
            )
        if p.activity.at_school:
            closure = next((c for c in loc.availability.closures if c.contains(p.day)), None)
            if closure is not None and not p.history:
                why = f" ({closure.reason})" if closure.reason else ""
                yield _v(
                    "location_available",
                    "closed",
                    f"session {p.text}: {loc.id} is closed {closure.first}..{closure.last}{why}",
                    p,
                )
            continue
        if not loc.hosts_training:
            yield _v(
                "location_available",
                "not_hosting",
                f"session {p.text}: {loc.id} does not host training",
                p,
            )
        spans = spans_on(loc.availability, p.day)
        if not covers(spans, p.start, p.end) and not p.history:
            yield _v(
                "location_available",
                "outside_open_hours",
                f"session {p.text} is outside the location's open hours ({fmt_spans(spans)})",
                p,
            )


def _clock_trouble(start: datetime, end: datetime) -> tuple[str, str] | None:
    """Whether [start, end) touches a wall time the Amsterdam clock skips or repeats.

    Derived here from zoneinfo minute by minute (only on days whose UTC offset changes),
    independently of ``scheduler.timegrid``, which the model uses.
    """
    day = start.date()
    midnight = datetime.combine(day, time())
    if _utc_offset(midnight) == _utc_offset(midnight + timedelta(days=1)):
        return None
    moment = start
    while moment < end:
        aware = moment.replace(tzinfo=AMSTERDAM)
        if aware.astimezone(UTC).astimezone(AMSTERDAM).replace(tzinfo=None) != moment:
            return "nonexistent_time", (
                f"covers {moment:%H:%M} on {moment:%Y-%m-%d}, a wall time that does not exist "
                "(the clocks go forward)"
            )
        if aware.utcoffset() != aware.replace(fold=1).utcoffset():
            return "repeated_time", (
                f"covers {moment:%H:%M} on {moment:%Y-%m-%d}, a wall time that happens twice "
                "(the clocks go back)"
            )
        moment += timedelta(minutes=1)
    return None


def _utc_offset(wall: datetime) -> timedelta | None:
    return wall.replace(tzinfo=AMSTERDAM).utcoffset()


def location_fits(ctx: _Context) -> Iterator[Violation]:
    """Enough seats and equipment; the participant count within the activity's bounds."""
    reported: set[RequestId] = set()
    for p in ctx.placed:
        act, n, loc = p.activity, p.participants, p.location
        too_few = n < act.min_participants
        too_many = act.max_participants is not None and n > act.max_participants
        if (too_few or too_many) and p.request.id not in reported:
            reported.add(p.request.id)
            bounds = f"{act.min_participants}-{act.max_participants or '…'}"
            yield _v(
                "location_fits",
                "participants_out_of_range",
                f"request {p.request.id} has {n} participants; activity {act.code} allows {bounds}",
                request=p.request.id,
            )
        if act.at_school:
            continue
        if not act.capacity_soft and n > loc.capacity:
            yield _v(
                "location_fits",
                "over_capacity",
                f"session {p.text}: {n} participants, {loc.id} seats {loc.capacity}",
                p,
            )
        for need in act.equipment:
            wanted = need.required(n)
            have = loc.equipment.get(need.equipment, 0)
            if have < wanted:
                yield _v(
                    "location_fits",
                    "missing_equipment",
                    f"session {p.text} needs {wanted}x {need.equipment}, {loc.id} has {have}",
                    p,
                )


def location_never_double_booked(ctx: _Context) -> Iterator[Violation]:
    """Sessions at one location do not overlap and leave the location's buffer between."""
    by_loc: dict[str, list[_Placed]] = defaultdict(list)
    for p in ctx.placed:
        if not p.activity.at_school:
            by_loc[p.location.id].append(p)
    for sessions in by_loc.values():
        sessions.sort(key=lambda p: (p.session.start, p.session.end))
        buffer = sessions[0].location.buffer_minutes
        for i, a in enumerate(sessions):
            for b in sessions[i + 1 :]:
                gap = minutes_between(a.session.end, b.session.start)
                if gap >= buffer:
                    break  # sorted by start: every later session leaves a even more room
                if gap < 0:
                    yield _v(
                        "location_never_double_booked",
                        "overlap",
                        f"location {a.location.id} is double booked: {a.text} overlaps {b.text}",
                        b,
                        related=(a.key,),
                    )
                elif gap < buffer:
                    yield _v(
                        "location_never_double_booked",
                        "buffer",
                        f"location {a.location.id} needs {buffer} min between sessions; "
                        f"{a.text} and {b.text} leave {gap} min",
                        b,
                        related=(a.key,),
                    )


def trainers(ctx: _Context) -> Iterator[Violation]:
    """Enough distinct, qualified, available trainers who are never in two places at once."""
    by_day: dict[tuple[TrainerId, date], list[_Placed]] = defaultdict(list)
    week_minutes: dict[tuple[TrainerId, int, int], int] = defaultdict(int)
    for p in ctx.placed:
        s, act = p.session, p.activity
        needed = act.trainers_needed(p.participants)
        distinct = set(s.trainers)
        if len(distinct) != needed:
            yield _v(
                "trainers",
                "count",
                f"session {p.text} has {len(distinct)} trainer(s), needs {needed}",
                p,
            )
        if len(distinct) != len(s.trainers):
            twice = sorted(t for t, n in Counter(s.trainers).items() if n > 1)
            yield _v(
                "trainers",
                "duplicate_trainer",
                f"session {p.text} lists trainer(s) {', '.join(twice)} more than once",
                p,
            )
        fixed = p.request.trainer
        if fixed is not None and fixed not in distinct:
            yield _v(
                "trainers",
                "fixed_trainer_missing",
                f"session {p.text} lacks the request's fixed trainer {fixed}",
                p,
            )
        for t in p.trainers:
            if act.qualification is not None and act.qualification not in t.qualifications:
                yield _v(
                    "trainers",
                    "unqualified",
                    f"trainer {t.id} of session {p.text} lacks qualification {act.qualification}",
                    p,
                )
            if act.needs_certificate and not t.certified:
                yield _v(
                    "trainers",
                    "uncertified",
                    f"trainer {t.id} of session {p.text} is not certified for a guest lesson",
                    p,
                )
            spans = spans_on(t.availability, p.day)
            if not covers(spans, p.start, p.end) and not p.history:
                yield _v(
                    "trainers",
                    "unavailable",
                    f"session {p.text} is outside trainer {t.id}'s availability "
                    f"({fmt_spans(spans)})",
                    p,
                )
            by_day[t.id, p.day].append(p)
            year, week, _ = p.day.isocalendar()
            week_minutes[t.id, year, week] += p.minutes
    for (tid, _day), sessions in sorted(by_day.items()):
        yield from _pair_conflicts("trainers", f"trainer {tid}", sessions, ctx.lk.travel)
    for (tid, year, week), minutes in sorted(week_minutes.items()):
        cap = ctx.lk.trainers[tid].max_minutes_per_week
        if cap is not None and minutes > cap:
            yield _v(
                "trainers",
                "weekly_minutes",
                f"trainer {tid} is booked {minutes} min in ISO week {year}-W{week:02d}, max {cap}",
            )


def groups(ctx: _Context) -> Iterator[Violation]:
    """A group is in one place at a time, when it can come (never in a period it cannot come
    at all: exams, internship, trip), and not too far from home."""
    by_day: dict[tuple[GroupId, date], list[_Placed]] = defaultdict(list)
    for p in ctx.placed:
        for gid in p.request.groups:
            g = ctx.lk.groups[gid]
            away = next((c for c in g.availability.closures if c.contains(p.day)), None)
            spans = spans_on(g.availability, p.day)
            if away is not None and not p.history:
                yield _v("groups", "away", f"session {p.text}: group {gid} {fmt_away(away)}", p)
            elif not covers(spans, p.start, p.end) and not p.history:
                yield _v(
                    "groups",
                    "unavailable",
                    f"session {p.text} is outside group {gid}'s availability ({fmt_spans(spans)})",
                    p,
                )
            if not p.activity.at_school and g.home is not None and g.max_travel_minutes is not None:
                minutes = ctx.lk.travel(g.home, p.location.id)
                if minutes > g.max_travel_minutes:
                    yield _v(
                        "groups",
                        "too_far",
                        f"session {p.text} is {minutes} min from group {gid}'s home {g.home}, "
                        f"max {g.max_travel_minutes}",
                        p,
                    )
            by_day[gid, p.day].append(p)
    for (gid, _day), sessions in sorted(by_day.items()):
        yield from _pair_conflicts("groups", f"group {gid}", sessions, ctx.lk.travel)


def multi_session(ctx: _Context) -> Iterator[Violation]:
    """All sessions or none, in order, spaced as the activity says, same place if asked.

    A running course the solver lists as incomplete may hold only its frozen sessions.
    """
    indices: dict[RequestId, set[int]] = defaultdict(set)
    for s in ctx.solution.sessions:
        if s.request in ctx.lk.requests:
            indices[s.request].add(s.index)
    kept = {p.key for p in ctx.placed if p.frozen}
    for rid, have in sorted(indices.items()):
        n = ctx.lk.activity_of(ctx.lk.requests[rid]).sessions
        missing = sorted(set(range(1, n + 1)) - have)
        if rid in ctx.solution.incomplete:
            if not missing or any((rid, k) not in kept for k in have):
                yield _v(
                    "multi_session",
                    "incomplete",
                    f"request {rid} is listed as incomplete, but "
                    + ("it has all its sessions" if not missing else "not only frozen sessions"),
                    request=rid,
                )
            continue
        if missing:
            yield _v(
                "multi_session",
                "all_or_none",
                f"request {rid} is partially scheduled: missing session(s) "
                f"{', '.join(f'#{k}' for k in missing)} of {n}",
                request=rid,
            )
    for rid, sessions in sorted(ctx.by_request().items()):
        act = ctx.lk.activity_of(ctx.lk.requests[rid])
        for k in sorted(sessions):
            a, b = sessions[k], sessions.get(k + 1)
            if b is None:
                continue
            if b.session.start < a.session.end:
                yield _v(
                    "multi_session",
                    "order",
                    f"session {b.text} starts before session {a.text} ends",
                    b,
                    related=(a.key,),
                )
            days = (b.day - a.day).days
            if days < act.min_days_between:
                yield _v(
                    "multi_session",
                    "min_days_between",
                    f"sessions {a.text} and {b.text} are {days} day(s) apart, "
                    f"min {act.min_days_between}",
                    b,
                    related=(a.key,),
                )
            if act.max_days_between is not None and days > act.max_days_between:
                yield _v(
                    "multi_session",
                    "max_days_between",
                    f"sessions {a.text} and {b.text} are {days} day(s) apart, "
                    f"max {act.max_days_between}",
                    b,
                    related=(a.key,),
                )
        locations = sorted({p.location.id for p in sessions.values()})
        if act.same_location and len(locations) > 1:
            yield _v(
                "multi_session",
                "same_location",
                f"request {rid} must use one location but uses {', '.join(locations)}",
                request=rid,
            )


def request_window(ctx: _Context) -> Iterator[Violation]:
    """Inside the request's dates, clear of its blocked times, at school when a guest lesson."""
    reported: set[RequestId] = set()
    for p in ctx.placed:
        r = p.request
        if not r.earliest <= p.day <= r.latest:
            yield _v(
                "request_window",
                "outside_dates",
                f"session {p.text} is outside the request's dates {r.earliest}..{r.latest}",
                p,
            )
        for b in r.blocked:
            if b.day == p.day and minute_of(b.start) < p.end and p.start < minute_of(b.end):
                yield _v(
                    "request_window",
                    "blocked",
                    f"session {p.text} overlaps the request's blocked time "
                    f"{b.day} {b.start:%H:%M}-{b.end:%H:%M}",
                    p,
                )
        if not p.activity.at_school:
            continue
        home = ctx.lk.school_home(r)
        if home is None:
            if r.id not in reported:
                reported.add(r.id)
                homes = ", ".join(f"{g}: {ctx.lk.groups[g].home}" for g in r.groups)
                yield _v(
                    "request_window",
                    "groups_differ",
                    f"request {r.id} is at school but its groups do not share one home ({homes})",
                    request=r.id,
                )
        elif p.location.id != home:
            yield _v(
                "request_window",
                "not_at_school",
                f"session {p.text} should be at the groups' home {home}",
                p,
            )


def frozen(ctx: _Context) -> Iterator[Violation]:
    """Pinned and past reference sessions are kept exactly; nothing new starts before now."""
    found: dict[SessionKey, list[PlannedSession]] = defaultdict(list)
    for s in ctx.solution.sessions:
        found[s.request, s.index].append(s)
    for key, ref in sorted(ctx.frozen_refs.items()):
        now = found.get(key, [])
        if any(same_placement(ref, s) for s in now):
            continue
        why = "pinned" if ref.pinned else "in the past"
        if not now:
            message = f"frozen ({why}) session {fmt_session(ref)} is missing from the solution"
        else:
            message = (
                f"frozen ({why}) session {fmt_session(ref)} was changed to "
                f"{fmt_session(now[0])} (trainers {', '.join(now[0].trainers)})"
            )
        yield Violation("frozen", "changed", message, request=key[0], index=key[1])
    cutoff: datetime | None = ctx.problem.now
    if cutoff is None:
        return
    for p in ctx.placed:
        if not p.frozen and p.session.start < cutoff:
            yield _v(
                "frozen",
                "before_now",
                f"session {p.text} starts before now ({cutoff:%Y-%m-%d %H:%M}) "
                f"and is not a kept reference session",
                p,
            )


HARD_RULES: tuple[Callable[[_Context], Iterator[Violation]], ...] = (
    solution_shape,
    location_available,
    location_fits,
    location_never_double_booked,
    trainers,
    groups,
    multi_session,
    request_window,
    frozen,
)
"""The checks in the doc's order (shape first); each yields the violations it finds."""


HISTORY_EXEMPT = frozenset(
    {
        ("location_available", "holiday"),
        ("location_available", "closed"),
        ("location_available", "not_hosting"),
        ("location_available", "outside_open_hours"),
        ("location_fits", "participants_out_of_range"),
        ("location_fits", "over_capacity"),
        ("location_fits", "missing_equipment"),
        ("trainers", "count"),
        ("trainers", "fixed_trainer_missing"),
        ("trainers", "unqualified"),
        ("trainers", "uncertified"),
        ("trainers", "unavailable"),
        ("groups", "unavailable"),
        ("groups", "away"),
        ("groups", "too_far"),
        ("request_window", "outside_dates"),
        ("request_window", "blocked"),
    }
)
"""Checks of one session on its own that a kept session which started before now is exempt
from (rule 8): it took place, whatever was changed since."""


def _about_history(ctx: _Context, v: Violation) -> bool:
    if (v.rule, v.check) not in HISTORY_EXEMPT or v.request is None:
        return False
    mine = [p for p in ctx.placed if p.session.request == v.request]
    if v.index is None:
        return bool(mine) and all(p.history for p in mine)
    return any(p.history for p in mine if p.session.index == v.index)


def validate(problem: Problem, solution: Solution) -> Report:
    """Check every hard rule and recompute every objective component of the solution."""
    ctx = _context(problem, solution)
    violations = tuple(
        v for rule in HARD_RULES for v in rule(ctx) if not _about_history(ctx, v)
    )
    raw = raw_costs(ctx.lk, solution)
    components = weigh(ctx.lk, raw)
    return Report(
        violations=violations,
        raw=raw,
        components=components,
        objective=sum(components.values()),
    )
