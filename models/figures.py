"""The planner's figures of the published plan: utilisation, shares of demand, travel.

Why here and not in the pages: the numbers are the scheduler's own definitions
(``scheduler.summary.summarize`` and ``scheduler.costs``), applied to the published plan
instead of a fresh solve, so the figures page, the CLI's solve summary and the benchmarks
mean the same thing by "utilisation" and "share". The period is a range of ISO weeks (a
school year is the weeks its first and last day fall in).

- Utilisation of a location: minutes of published, not cancelled sessions at it (sessions of
  accepted requests in the period; sessions held at a school site are not counted) out of the
  minutes it is open in the period (its weekly windows and one-off windows, minus closures,
  on days that are not campus holidays). A company's: the sums over its training locations.
- Share of demand of a school: of its accepted requests whose dates overlap the period, those
  with a published session that is not cancelled (a request of groups of two schools counts
  for both).
- Travel minutes: each group's trip from its school site to the location of each of its
  sessions (one way, sessions at a school site excluded), per school and in total, and each
  trainer's trip from home, as the solver's travel cost counts them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.bridge import Horizon, build_problem
from models.week_grid import week_text
from scheduler import costs
from scheduler.lookup import Lookup
from scheduler.problem import LocationId, PlannedSession, RequestId, TrainerId
from scheduler.solution import Solution, Status
from scheduler.summary import summarize


@dataclass(frozen=True)
class Use:
    """Booked out of open minutes of one location or company in the period."""

    key: str
    name: str
    booked_minutes: int
    open_minutes: int
    sessions: int

    @property
    def percent(self) -> float:
        return 100 * self.booked_minutes / self.open_minutes if self.open_minutes else 0.0


@dataclass(frozen=True)
class Share:
    """A school's accepted requests in the period, and how many of them are planned."""

    key: str
    name: str
    scheduled: int
    requested: int

    @property
    def percent(self) -> float:
        return 100 * self.scheduled / self.requested if self.requested else 0.0


@dataclass(frozen=True)
class Travel:
    """One school's groups' travel minutes to their sessions in the period."""

    key: str
    name: str
    minutes: int


@dataclass(frozen=True)
class PlanFigures:
    first: date  # the Monday of the first week
    last: date  # the Sunday of the last week
    locations: tuple[Use, ...]
    companies: tuple[Use, ...]
    schools: tuple[Share, ...]
    travel: tuple[Travel, ...]
    group_travel_minutes: int
    trainer_travel_minutes: int

    @property
    def weeks(self) -> str:
        return f"{week_text(self.first)}..{week_text(self.last - timedelta(days=6))}"


def _published(session: Session, first: date, last: date) -> list[e.PublishedSession]:
    return list(
        session.scalars(
            select(e.PublishedSession)
            .where(
                e.PublishedSession.status == "confirmed",
                e.PublishedSession.start >= datetime.combine(first, time.min),
                e.PublishedSession.start < datetime.combine(last + timedelta(days=1), time.min),
            )
            .options(
                selectinload(e.PublishedSession.request),
                selectinload(e.PublishedSession.location),
                selectinload(e.PublishedSession.trainers),
            )
            .order_by(e.PublishedSession.id)
        )
    )


def plan_figures(session: Session, horizon: Horizon) -> PlanFigures:
    """The figures of the published plan in ``horizon``'s weeks (see the module's words)."""
    problem = build_problem(session, horizon)
    sessions = tuple(
        PlannedSession(
            request=RequestId(ps.request.key),
            index=ps.session_index,
            location=LocationId(ps.location.key),
            trainers=tuple(sorted(TrainerId(t.trainer.key) for t in ps.trainers)),
            start=ps.start,
            end=ps.end,
        )
        for ps in _published(session, horizon.first_day, horizon.last_day)
    )
    solution = Solution(status=Status.FEASIBLE, sessions=sessions)
    summary = summarize(problem, solution)
    lookup = Lookup.of(problem)
    partners = {p.key: p.name for p in session.scalars(select(e.Partner))}
    places = {loc.key: loc.name for loc in session.scalars(select(e.Location))}
    by_school: dict[str, int] = defaultdict(int)
    for s in sessions:
        request = lookup.requests.get(s.request)
        if request is None or lookup.activity_of(request).at_school:
            continue
        for gid in request.groups:
            group = lookup.groups[gid]
            if group.home is not None:
                by_school[group.school] += lookup.travel(group.home, s.location)
    return PlanFigures(
        first=horizon.first_day,
        last=horizon.last_day,
        locations=tuple(
            Use(k, places.get(k, k), u.booked_minutes, u.open_minutes, u.sessions)
            for k, u in summary.per_location.items()
        ),
        companies=tuple(
            Use(k, partners.get(k, k), u.booked_minutes, u.open_minutes, u.sessions)
            for k, u in summary.per_company.items()
        ),
        schools=tuple(
            Share(k, partners.get(k, k), s.scheduled, s.requested)
            for k, s in summary.per_school.items()
        ),
        travel=tuple(
            Travel(k, partners.get(k, k), by_school.get(k, 0)) for k in summary.per_school
        ),
        group_travel_minutes=costs.group_travel(lookup, solution),
        trainer_travel_minutes=costs.trainer_travel(lookup, solution),
    )
