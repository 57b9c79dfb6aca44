"""The published plan of one ISO week for one subject, as the web pages' timetable grid shows it.

A subject is what a calendar feed is for (a location, trainer, school, group or company;
models/feeds.py). Two filters decide what a signed-in key sees, each reused from where it is
decided for the rest of the system: the key's scope of the HTTP API (which subjects it may
open, which published sessions it may know: the scope functions of models/) and the feeds'
privacy (which groups a subject's view names). A subject outside the key's scope is None,
exactly like one that does not exist, so a page can answer both with the same 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.change_requests import _sessions_in_scope
from models.feeds import FeedError, FeedSubject, _visible_groups, find_subject
from models.keys import Principal
from models.locations import _scoped as scoped_locations
from models.school_groups import scoped_groups
from models.trainers import _scoped as scoped_trainers

GRID_VIEWS = ("location", "trainer", "school", "group", "company")
FIRST_HOUR, LAST_HOUR = 8, 18  # the rows a day shows at least (08:00 up to 18:00)
_WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$")


class WeekError(ValueError):
    """A week that is not an ISO week written as 2027-W13."""


def parse_week(text: str) -> date:
    """The Monday of an ISO week written '2027-W13' (what a browser's week picker sends)."""
    match = _WEEK.match(text.strip())
    if match is None:
        raise WeekError(f"{text!r} is not an ISO week like 2027-W13")
    year, week = int(match[1]), int(match[2])
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekError(f"{year} has no week {week}") from None


def week_text(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def this_week(today: date) -> date:
    return today - timedelta(days=today.weekday())


@dataclass(frozen=True)
class GridSession:
    """One published session in the grid, already filtered for the subject's view."""

    uid: str
    start: datetime  # naive Amsterdam wall time
    end: datetime
    activity: str
    team: str  # the activity's techniek team: W, E, BIM, BOL4 or other
    status: str  # confirmed | cancelled
    groups: tuple[str, ...]
    location: str
    location_key: str
    trainers: tuple[str, ...]

    @property
    def first_hour(self) -> int:
        return self.start.hour

    @property
    def last_hour(self) -> int:
        """The last hour row the session covers (an end on the hour does not cover it)."""
        end = self.end - timedelta(minutes=1)
        return end.hour if end.date() == self.start.date() else 23


@dataclass(frozen=True)
class WeekGrid:
    subject: FeedSubject
    monday: date
    sessions: tuple[GridSession, ...]

    @property
    def days(self) -> list[date]:
        """Monday to Friday, and the weekend days that have a session."""
        days = [self.monday + timedelta(days=i) for i in range(5)]
        weekend = {s.start.date() for s in self.sessions if s.start.weekday() >= 5}
        return days + sorted(weekend)

    @property
    def hours(self) -> list[int]:
        first = min([FIRST_HOUR, *(s.first_hour for s in self.sessions)])
        last = max([LAST_HOUR - 1, *(s.last_hour for s in self.sessions)])
        return list(range(first, last + 1))

    def starting(self, day: date, hour: int) -> list[GridSession]:
        return [s for s in self.sessions if s.start.date() == day and s.start.hour == hour]

    def continuing(self, day: date, hour: int) -> list[GridSession]:
        return [
            s
            for s in self.sessions
            if s.start.date() == day and s.first_hour < hour <= s.last_hour
        ]


def allowed(session: Session, principal: Principal, subject: FeedSubject) -> bool:
    """Whether the key may open this subject's week: the API's scope of each role."""
    if subject.view not in GRID_VIEWS:
        return False
    if principal.role == "planner":
        return True
    if principal.role == "school":
        if subject.view == "school":
            return subject.key == principal.partner
        if subject.view == "group":
            query = scoped_groups(principal).where(e.Group.key == subject.key)
            return session.scalars(query).first() is not None
        return False
    if principal.role == "company":
        if subject.view == "company":
            return subject.key == principal.partner
        if subject.view == "location":
            query = scoped_locations(principal).where(e.Location.key == subject.key)
            return session.scalars(query).first() is not None
        if subject.view == "trainer":
            query = scoped_trainers(principal).where(e.Trainer.key == subject.key)
            return session.scalars(query).first() is not None
        return False
    if principal.role == "trainer":
        return subject.view == "trainer" and subject.key == principal.trainer
    return False


def subjects(session: Session, principal: Principal) -> list[FeedSubject]:
    """Every subject whose week the key may open, in the order the pages list them."""
    out: list[FeedSubject] = []
    partner_key = principal.partner if principal.role in ("school", "company") else None
    if partner_key:
        try:
            out.append(find_subject(session, principal.role, partner_key))
        except FeedError:  # the partner is gone: the key sees nothing
            return []
    if principal.role in ("planner", "school"):
        partners = select(e.Partner).where(e.Partner.kind == "school").order_by(e.Partner.name)
        if principal.role == "planner":
            out += [FeedSubject("school", p.key, p.name) for p in session.scalars(partners)]
        groups = scoped_groups(principal).order_by(e.Partner.name, e.Group.name)
        for g in session.scalars(groups):
            name = g.name if principal.role == "school" else f"{g.name} ({g.school.name})"
            out.append(FeedSubject("group", g.key, name))
    if principal.role in ("planner", "company"):
        for loc in session.scalars(scoped_locations(principal).order_by(e.Location.name)):
            if loc.hosts_training:
                out.append(FeedSubject("location", loc.key, loc.name))
    if principal.role in ("planner", "company", "trainer"):
        for t in session.scalars(scoped_trainers(principal).order_by(e.Trainer.name)):
            out.append(FeedSubject("trainer", t.key, t.name))
    return out


def week_grid(
    session: Session, principal: Principal, view: str, key: str, monday: date
) -> WeekGrid | None:
    """The week of ``view``/``key`` as the key may see it; None when the subject does not exist
    or is outside the key's scope (the same answer, so a guess learns nothing)."""
    if view not in GRID_VIEWS:
        return None
    try:
        subject = find_subject(session, view, key)
    except FeedError:
        return None
    if not allowed(session, principal, subject):
        return None
    return WeekGrid(subject, monday, _sessions(session, principal, subject, monday))


def _sessions(
    session: Session, principal: Principal, subject: FeedSubject, monday: date
) -> tuple[GridSession, ...]:
    """The published sessions of the week that the key may know and the subject's view shows."""
    first = datetime.combine(monday, datetime.min.time())
    last = first + timedelta(days=7)
    rows = session.scalars(
        select(e.PublishedSession)
        .where(
            e.PublishedSession.start < last,
            e.PublishedSession.end > first,
            e.PublishedSession.id.in_(_sessions_in_scope(principal)),
        )
        .options(
            selectinload(e.PublishedSession.trainers).selectinload(
                e.PublishedSessionTrainer.trainer
            ),
            selectinload(e.PublishedSession.request).selectinload(e.Request.activity_type),
            selectinload(e.PublishedSession.location),
        )
        .order_by(e.PublishedSession.start, e.PublishedSession.uid)
    ).all()
    out = []
    for ps in rows:
        groups = _visible_groups(subject, ps)
        if groups is None:
            continue
        activity = ps.request.activity_type
        with_school = subject.view not in ("school", "group")
        names = [f"{g.name} ({g.school.name})" if with_school else g.name for g in groups]
        out.append(
            GridSession(
                uid=ps.uid,
                start=ps.start,
                end=ps.end,
                activity=activity.title,
                team=activity.team,
                status=ps.status,
                groups=tuple(names),
                location=ps.location.name,
                location_key=ps.location.key,
                trainers=tuple(t.trainer.name for t in ps.trainers),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class CampusWeek:
    """The campus overview: every training location (and each school site with a session) by
    the days of one week."""

    monday: date
    locations: tuple[tuple[str, str], ...]  # (key, name) of each training location
    sessions: tuple[tuple[str, GridSession], ...]  # (location key, session)

    @property
    def days(self) -> list[date]:
        days = [self.monday + timedelta(days=i) for i in range(5)]
        weekend = {s.start.date() for _, s in self.sessions if s.start.weekday() >= 5}
        return days + sorted(weekend)

    def at(self, location: str, day: date) -> list[GridSession]:
        return [s for key, s in self.sessions if key == location and s.start.date() == day]


def campus_week(session: Session, principal: Principal, monday: date) -> CampusWeek | None:
    """The campus overview of a week: planners only (None for every other key)."""
    if principal.role != "planner":
        return None
    campus = find_subject(session, "campus", "")  # the planner's view: every session
    found = _sessions(session, principal, campus, monday)
    used = {s.location_key for s in found}  # a school site with a guest lesson, too
    places = [
        place
        for place in session.scalars(select(e.Location).order_by(e.Location.name))
        if place.hosts_training or place.key in used
    ]
    return CampusWeek(
        monday,
        tuple((p.key, p.name) for p in places),
        tuple((s.location_key, s) for s in found),
    )
