"""Plain-Python lookups and wall-clock arithmetic shared by the validator and the explainer.

Both read a ``Problem`` the way docs/scheduler-rules.md words it, so they share this small
vocabulary; the CP-SAT model (``scheduler/cpsat/``) deliberately does not, so that the
validator stays an independent check of it. Time of day is handled as whole minutes since
midnight because the rules compare naive wall-clock values and a daylight-saving change
never moves a session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from scheduler.problem import (
    Activity,
    ActivityCode,
    Availability,
    DateRange,
    Group,
    GroupId,
    Location,
    LocationId,
    PlannedSession,
    Problem,
    Request,
    RequestId,
    Trainer,
    TrainerId,
)

Span = tuple[int, int]  # (start, end) in minutes since midnight, end exclusive


def minute_of(moment: time | datetime) -> int:
    """Minutes since midnight of a wall-clock time (seconds are ignored, as on the grid)."""
    return moment.hour * 60 + moment.minute


def hhmm(minutes: int) -> str:
    """A minute of the day as HH:MM (24:00 for the end of the day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def spans_on(availability: Availability, day: date) -> list[Span]:
    """Open spans of ``availability`` on ``day`` in minutes, as ``windows_on`` defines them."""
    return [(minute_of(a), minute_of(b)) for a, b in availability.windows_on(day)]


def covers(spans: Iterable[Span], start: int, end: int) -> bool:
    """True when one single span contains [start, end] (touching two spans is not enough)."""
    return any(a <= start and end <= b for a, b in spans)


def fmt_spans(spans: Iterable[Span]) -> str:
    """Spans for a human: '09:00-12:00, 13:00-17:00', or 'closed all day'."""
    text = ", ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in spans)
    return text or "closed all day"


_AWAY_WORDS = {
    "exam": "has exams",
    "internship": "is on internship",
    "trip": "is on a trip",
    "other": "is away",
}


def fmt_away(period: DateRange) -> str:
    """A group's unavailability period in words, after the group's name:
    'is on internship 2027-03-15..2027-04-09 (BPV Dekker)'."""
    words = _AWAY_WORDS.get(period.reason)
    if words is None:  # a reason outside the categories (a hand-built Problem): say it as is
        words = "is away" + (f" ({period.reason})" if period.reason else "")
    days = f"{period.first}" if period.first == period.last else f"{period.first}..{period.last}"
    return f"{words} {days}" + (f" ({period.note})" if period.note else "")


def fmt_session(session: PlannedSession) -> str:
    """A session as planners say it: 'r12#2 at loc3 on 2027-02-03 09:00-11:00'."""
    end = session.end.strftime("%H:%M")
    if session.end.date() != session.start.date():
        end = session.end.strftime("%Y-%m-%d %H:%M")
    return (
        f"{session.request}#{session.index} at {session.location} "
        f"on {session.start:%Y-%m-%d %H:%M}-{end}"
    )


def minutes_between(a: datetime, b: datetime) -> int:
    """Wall-clock minutes from ``a`` to ``b`` (naive, so a DST night does not add an hour)."""
    return int((b - a).total_seconds() // 60)


def is_frozen_reference(problem: Problem, session: PlannedSession) -> bool:
    """Pinned, or started before ``problem.now``: the plan must keep it exactly."""
    return session.pinned or (problem.now is not None and session.start < problem.now)


def same_placement(a: PlannedSession, b: PlannedSession) -> bool:
    """Same location, start, end and set of trainers (what 'kept exactly' compares)."""
    return (
        a.location == b.location
        and a.start == b.start
        and a.end == b.end
        and set(a.trainers) == set(b.trainers)
    )


@dataclass(frozen=True, slots=True)
class Lookup:
    """Dictionaries over a problem's entities, built once instead of scanning tuples."""

    problem: Problem
    locations: dict[LocationId, Location]
    trainers: dict[TrainerId, Trainer]
    groups: dict[GroupId, Group]
    activities: dict[ActivityCode, Activity]
    requests: dict[RequestId, Request]

    @classmethod
    def of(cls, problem: Problem) -> Lookup:
        return cls(
            problem=problem,
            locations={loc.id: loc for loc in problem.locations},
            trainers={t.id: t for t in problem.trainers},
            groups={g.id: g for g in problem.groups},
            activities={a.code: a for a in problem.activities},
            requests={r.id: r for r in problem.requests},
        )

    def activity_of(self, request: Request) -> Activity:
        return self.activities[request.activity]

    def participants(self, request: Request) -> int:
        """``request.participants`` if set, else the groups' headcounts summed."""
        if request.participants is not None:
            return request.participants
        return sum(self.groups[g].headcount for g in request.groups)

    def school_home(self, request: Request) -> LocationId | None:
        """The one home all the request's groups share, or None (at_school cannot run)."""
        homes = {self.groups[g].home for g in request.groups}
        if len(homes) != 1:
            return None
        return next(iter(homes))

    def travel(self, a: LocationId, b: LocationId) -> int:
        return self.problem.travel.between(a, b)

    def schools_of(self, request: Request) -> set[str]:
        return {self.groups[g].school for g in request.groups}
