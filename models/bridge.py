"""The bridge between stored rows and the pure engine: rows -> Problem, Solution -> rows.

It lives on the models side so that ``scheduler/`` never sees SQLAlchemy. Defaults that
users rely on are decided here and documented in docs/scenario.md:
- a location without weekly windows is never available (its owner must declare them);
- a trainer without weekly windows is available Monday-Friday 08:00-18:00;
- a group without weekly windows can travel Monday-Friday 08:30-16:30, and never on the
  days of its unavailability periods (exams, internship, trip), which become its closures;
- a group's home is its own home location, else the first location of its school.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import entities as e
from models.absences import EXPLAINED_WORDS
from models.pins import BrokenPin, pinned_placements, release_broken_pins, with_pins
from models.settings import load_settings
from models.travel import travel_matrix
from scheduler import problem as p
from scheduler.lookup import spans_on
from scheduler.solution import Solution
from scheduler.timegrid import from_aware

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

TRAINER_DEFAULT = tuple(p.WeeklyWindow(d, time(8), time(18)) for d in range(1, 6))
GROUP_DEFAULT = tuple(p.WeeklyWindow(d, time(8, 30), time(16, 30)) for d in range(1, 6))


class HorizonError(ValueError):
    """A horizon that cannot be read, e.g. ``2027-W54`` or an end before the start."""


def parse_week(text: str) -> date:
    """The Monday of an ISO week written ``YYYY-Www``."""
    match = _WEEK.match(text.strip())
    if not match:
        raise HorizonError(f"{text!r}: an ISO week is written like 2027-W05")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise HorizonError(f"{text!r}: year {year} has no ISO week {week}") from None


@dataclass(frozen=True)
class Horizon:
    first_week: str
    last_week: str

    @property
    def first_day(self) -> date:
        return parse_week(self.first_week)

    @property
    def last_day(self) -> date:
        return parse_week(self.last_week) + timedelta(days=6)

    @classmethod
    def parse(cls, text: str) -> Horizon:
        """``2027-W05..2027-W08`` or a single week ``2027-W05``."""
        first, sep, last = text.partition("..")
        horizon = cls(first.strip(), (last if sep else first).strip())
        if horizon.last_day < horizon.first_day:
            raise HorizonError(f"{text!r}: the last week is before the first")
        return horizon

    def __str__(self) -> str:
        return f"{self.first_week}..{self.last_week}"


def wall_now() -> datetime:
    """The current Amsterdam wall time, naive, as the engine wants it."""
    return from_aware(datetime.now(UTC))


def _weekly(rows: Sequence[e.LocationWindow | e.TrainerWindow | e.GroupWindow]) -> tuple:
    return tuple(p.WeeklyWindow(w.weekday, w.start, w.end, w.valid_from, w.valid_to) for w in rows)


def trainer_availability(trainer: e.Trainer) -> p.Availability:
    """When the engine may plan ``trainer``: the weekly windows (none: the default week)
    minus the absences, each named by its category in words (sickness as "afwezig": schools
    read explanations), never by a free text."""
    return p.Availability(
        weekly=_weekly(trainer.windows) or TRAINER_DEFAULT,
        closures=tuple(
            p.DateRange(a.first, a.last, EXPLAINED_WORDS.get(a.category, EXPLAINED_WORDS["other"]))
            for a in trainer.absences
        ),
    )


def location_availability(loc: e.Location) -> p.Availability:
    """A location's open time as the engine sees it (models/slots.py checks sessions with it)."""
    return p.Availability(
        weekly=_weekly(loc.windows),
        one_off=tuple(p.DatedWindow(w.day, w.start, w.end) for w in loc.one_off_windows),
        closures=tuple(p.DateRange(c.first, c.last, c.reason) for c in loc.closures),
    )


def _home_of(group: e.Group) -> str | None:
    if group.home_location is not None:
        return group.home_location.key
    keys = sorted(loc.key for loc in group.school.locations)
    return keys[0] if keys else None


def latest_run(session: Session) -> e.SolveRun | None:
    """The newest run that produced a plan (optimal or feasible)."""
    return session.scalars(
        select(e.SolveRun)
        .where(e.SolveRun.status.in_(("optimal", "feasible")))
        .order_by(e.SolveRun.id.desc())
        .limit(1)
    ).one_or_none()


def reference_sessions(run: e.SolveRun | None) -> tuple[p.PlannedSession, ...]:
    if run is None:
        return ()
    return tuple(
        p.PlannedSession(
            request=p.RequestId(a.request.key),
            index=a.session_index,
            location=p.LocationId(a.location.key),
            trainers=tuple(sorted(p.TrainerId(t.trainer.key) for t in a.trainers)),
            start=a.start,
            end=a.end,
            pinned=a.pinned,
        )
        for a in run.assignments
    )


def _reference_within(
    sessions: Sequence[p.PlannedSession],
    requests: Sequence[e.Request],
    first_day: date,
    last_day: date,
) -> tuple[p.PlannedSession, ...]:
    """The reference plan as this horizon sees it.

    Only sessions of requests in the horizon matter; those of them outside it stay exactly
    where they are (pinned), so re-planning a few weeks never tears a course apart.
    """
    keys = {r.key for r in requests}
    return tuple(
        s if first_day <= s.start.date() <= last_day else replace(s, pinned=True)
        for s in sessions
        if s.request in keys
    )


def year_history(
    session: Session,
    first_day: date,
    school_year: tuple[date, date] | None,
    in_problem: set[str],
    holidays: Sequence[p.DateRange] = (),
) -> p.History:
    """What the school year gave schools and hosts before ``first_day`` (docs/planning.md).

    Schools: accepted requests whose last date is in the school year and before
    ``first_day`` (so never in the problem), and how many of them have a published session
    that is not cancelled. Hosts: published sessions that are not cancelled, of the school
    year and before ``first_day``, not of an ``at_school`` activity and not of a request in
    the problem (those are in its plan already), at each partner's hosting locations; and
    the open minutes of those locations on the school year's non-holiday days before
    ``first_day``, under today's windows and closures. No school year set: no history.
    """
    if school_year is None:
        return p.History()
    year_first, year_last = school_year
    cut = min(first_day, year_last + timedelta(days=1))  # the first day not counted
    if cut <= year_first:
        return p.History()
    asked: dict[p.PartnerId, int] = {}
    served: dict[p.PartnerId, int] = {}
    published = (
        select(e.PublishedSession.request_id)
        .where(e.PublishedSession.status != "cancelled")
        .distinct()
    )
    done = set(session.scalars(published))
    for r in session.scalars(
        select(e.Request)
        .where(e.Request.status == "accepted")
        .where(e.Request.latest >= year_first, e.Request.latest < cut)
        .order_by(e.Request.key)
    ):
        if r.key in in_problem:
            continue
        for school in sorted({rg.group.school.key for rg in r.groups}):
            key = p.PartnerId(school)
            asked[key] = asked.get(key, 0) + 1
            served[key] = served.get(key, 0) + (r.id in done)
    start_of = datetime.combine(year_first, time())
    hosted: dict[p.PartnerId, int] = {}
    for ps in session.scalars(
        select(e.PublishedSession)
        .where(e.PublishedSession.status != "cancelled")
        .where(e.PublishedSession.start >= start_of)
        .where(e.PublishedSession.start < datetime.combine(cut, time()))
        .options(
            joinedload(e.PublishedSession.location).joinedload(e.Location.partner),
            joinedload(e.PublishedSession.request).joinedload(e.Request.activity_type),
        )
        .order_by(e.PublishedSession.id)
    ):
        if (
            not ps.location.hosts_training
            or ps.request.activity_type.at_school
            or ps.request.key in in_problem
        ):
            continue
        key = p.PartnerId(ps.location.partner.key)
        hosted[key] = hosted.get(key, 0) + 1
    days = [
        year_first + timedelta(days=i)
        for i in range((cut - year_first).days)
        if not any(h.contains(year_first + timedelta(days=i)) for h in holidays)
    ]
    opened: dict[p.PartnerId, int] = {}
    for loc in session.scalars(select(e.Location).where(e.Location.hosts_training)):
        availability = location_availability(loc)
        minutes = sum(b - a for d in days for a, b in spans_on(availability, d))
        key = p.PartnerId(loc.partner.key)
        opened[key] = opened.get(key, 0) + minutes
    return p.History(
        schools={k: p.SchoolHistory(asked[k], served[k]) for k in sorted(asked)},
        hosts={
            k: p.HostHistory(hosted.get(k, 0), opened.get(k, 0))
            for k in sorted(set(hosted) | set(opened))
        },
    )


def build_problem(
    session: Session,
    horizon: Horizon,
    *,
    now: datetime | None = None,
    reference: e.SolveRun | None = None,
    weights: p.Weights | None = None,
    grid_minutes: int = 15,
    only: Sequence[str] | None = None,
    broken_pins: list[BrokenPin] | None = None,
) -> p.Problem:
    """The stored campus as a Problem for ``horizon``; requests outside it are left out.

    Only accepted requests are planned. ``only`` names the requests to take instead, whatever
    their status: the door check of a request being submitted (models/requests.py), which
    needs no history. Otherwise the Problem carries what the campus's school year (settings)
    gave schools and hosts before the horizon (``year_history``).
    Pinned sessions (models/pins.py) are pinned in the reference at their published place;
    a pin that became impossible is released and, when ``broken_pins`` is given, added to it.
    """
    first_day, last_day = horizon.first_day, horizon.last_day
    locations = session.scalars(select(e.Location).order_by(e.Location.key)).all()
    places = {loc.key: (loc.latitude, loc.longitude) for loc in locations}
    overrides = [
        (o.from_location.key, o.to_location.key, o.minutes)
        for o in session.scalars(select(e.TravelOverride))
    ]
    chosen = e.Request.status == "accepted" if only is None else e.Request.key.in_(list(only))
    requests = session.scalars(
        select(e.Request)
        .where(chosen)
        .where(e.Request.earliest <= last_day, e.Request.latest >= first_day)
        .order_by(e.Request.key)
    ).all()
    used_groups = {rg.group.key for r in requests for rg in r.groups}
    used_activities = {r.activity_type.code for r in requests}
    pins = pinned_placements(session)
    reference_plan = with_pins(
        _reference_within(reference_sessions(reference), requests, first_day, last_day),
        pins,
        {r.key for r in requests},
        first_day=first_day,
        last_day=last_day,
    )
    holidays = tuple(
        p.DateRange(h.first, h.last, h.name)
        for h in session.scalars(select(e.Holiday).order_by(e.Holiday.first))
    )
    year = load_settings(session).school_year if only is None else None
    history = year_history(
        session,
        first_day,
        (year.first, year.last) if year is not None else None,
        {r.key for r in requests},
        holidays,
    )
    problem = p.Problem(
        first_day=first_day,
        last_day=last_day,
        holidays=holidays,
        locations=tuple(
            p.Location(
                id=p.LocationId(loc.key),
                partner=p.PartnerId(loc.partner.key),
                capacity=loc.capacity,
                equipment={
                    p.EquipmentCode(q.equipment_type.code): q.quantity for q in loc.equipment
                },
                buffer_minutes=loc.buffer_minutes,
                availability=location_availability(loc),
                hosts_training=loc.hosts_training,
            )
            for loc in locations
        ),
        trainers=tuple(
            p.Trainer(
                id=p.TrainerId(t.key),
                partner=p.PartnerId(t.partner.key),
                qualifications=frozenset(q.qualification for q in t.qualifications),
                certified=t.certified,
                availability=trainer_availability(t),
                max_minutes_per_week=t.max_minutes_per_week,
                home=p.LocationId(t.home_location.key) if t.home_location else None,
            )
            for t in session.scalars(select(e.Trainer).order_by(e.Trainer.key))
        ),
        activities=tuple(
            p.Activity(
                code=p.ActivityCode(a.code),
                kind=p.ActivityKind(a.kind),
                team=a.team,
                equipment=tuple(
                    p.EquipmentNeed(
                        p.EquipmentCode(q.equipment_type.code),
                        q.quantity,
                        per_participant=q.per == "participant",
                    )
                    for q in a.equipment
                ),
                **{name: getattr(a, name) for name in e.ACTIVITY_RULES},
            )
            for a in session.scalars(select(e.ActivityType).order_by(e.ActivityType.code))
            if a.code in used_activities
        ),
        groups=tuple(
            p.Group(
                id=p.GroupId(g.key),
                school=p.PartnerId(g.school.key),
                headcount=g.headcount,
                home=_home_of(g),  # type: ignore[arg-type]
                availability=p.Availability(
                    weekly=_weekly(g.windows) or GROUP_DEFAULT,
                    closures=tuple(
                        p.DateRange(u.first, u.last, u.reason, u.note) for u in g.unavailable
                    ),
                ),
                max_travel_minutes=g.max_travel_minutes,
            )
            for g in session.scalars(select(e.Group).order_by(e.Group.key))
            if g.key in used_groups
        ),
        requests=tuple(
            p.Request(
                id=p.RequestId(r.key),
                activity=p.ActivityCode(r.activity_type.code),
                groups=tuple(p.GroupId(rg.group.key) for rg in r.groups),
                earliest=r.earliest,
                latest=r.latest,
                priority=r.priority,
                trainer=p.TrainerId(r.trainer.key) if r.trainer else None,
                preferences=p.Preferences(
                    weekdays=frozenset(int(d) for d in r.preferred_weekdays.split(",") if d),
                    time_of_day=(
                        p.TimeOfDay(r.preferred_time_of_day) if r.preferred_time_of_day else None
                    ),
                    partners=frozenset(p.PartnerId(x.partner.key) for x in r.preferred_partners),
                    locations=frozenset(
                        p.LocationId(x.location.key) for x in r.preferred_locations
                    ),
                ),
            )
            for r in requests
        ),
        travel=p.Travel(
            {
                (p.LocationId(a), p.LocationId(b)): m
                for (a, b), m in travel_matrix(places, overrides).items()
            }
        ),
        reference=reference_plan,
        now=now if now is not None else wall_now(),
        grid_minutes=grid_minutes,
        weights=weights or p.Weights(),
        history=history,
    )
    problem, broken = release_broken_pins(problem, set(pins))
    if broken_pins is not None:
        broken_pins.extend(broken)
    return problem


def store_solution(
    session: Session,
    run: e.SolveRun,
    solution: Solution,
) -> list[e.Assignment]:
    """Write the solution's sessions as the run's assignments and its figures on the run."""
    run.status = solution.status.value
    run.objective = solution.objective
    run.bound = solution.bound
    run.gap = solution.gap
    run.wall_seconds = solution.wall_seconds
    run.first_solution_seconds = solution.first_solution_seconds
    run.components = dict(solution.components)
    requests = {r.key: r for r in session.scalars(select(e.Request))}
    locations = {loc.key: loc for loc in session.scalars(select(e.Location))}
    trainers = {t.key: t for t in session.scalars(select(e.Trainer))}
    rows = [
        e.Assignment(
            request=requests[s.request],
            session_index=s.index,
            location=locations[s.location],
            start=s.start,
            end=s.end,
            pinned=s.pinned,
            uid=e.session_uid(s.request, s.index),
            sequence=0,
            trainers=[e.AssignmentTrainer(trainer=trainers[t]) for t in s.trainers],
        )
        for s in solution.sessions
    ]
    run.assignments = rows
    session.flush()
    return rows
