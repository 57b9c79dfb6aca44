"""The frozen input of the engine: a campus reduced to what scheduling needs.

Everything here is plain data in local Europe/Amsterdam wall time (naive ``date``,
``time`` and ``datetime`` values). Conversion to aware datetimes happens only at the
edges (see ``scheduler.timegrid``). Each dataclass validates itself on construction so
that a bad problem fails loudly where it is built, not deep inside the solver.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import NewType

PartnerId = NewType("PartnerId", str)
LocationId = NewType("LocationId", str)
TrainerId = NewType("TrainerId", str)
GroupId = NewType("GroupId", str)
RequestId = NewType("RequestId", str)
ActivityCode = NewType("ActivityCode", str)
EquipmentCode = NewType("EquipmentCode", str)


class ProblemError(ValueError):
    """A problem that cannot be scheduled as stated (bad references, impossible values)."""


class ActivityKind(StrEnum):
    WORKSHOP = "workshop"
    SKILLS_COURSE = "skills_course"
    PRACTICAL_TRAINING = "practical_training"
    GUEST_LESSON = "guest_lesson"
    EXCURSION = "excursion"
    OPEN_DAY = "open_day"


class TimeOfDay(StrEnum):
    MORNING = "morning"  # starts before 12:00
    AFTERNOON = "afternoon"  # starts 12:00-17:00
    EVENING = "evening"  # starts at or after 17:00

    @classmethod
    def of(cls, moment: time) -> TimeOfDay:
        if moment < time(12):
            return cls.MORNING
        if moment < time(17):
            return cls.AFTERNOON
        return cls.EVENING


def _check_span(start: time, end: time, what: str) -> None:
    if end <= start:
        raise ProblemError(f"{what}: end {end:%H:%M} is not after start {start:%H:%M}")


@dataclass(frozen=True, slots=True)
class DateRange:
    """Whole days from ``first`` to ``last`` inclusive (closures, holidays, absences).

    A group's unavailability period is one too (in its availability's closures): ``reason``
    is then its category (one of ``GROUP_AWAY_REASONS``) and ``note`` the school's short note.
    """

    first: date
    last: date
    reason: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ProblemError(f"date range {self.first}..{self.last}: last before first")

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """A recurring window on an ISO weekday (1 = Monday ... 7 = Sunday)."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.weekday <= 7:
            raise ProblemError(f"weekday must be 1..7 (got {self.weekday})")
        _check_span(self.start, self.end, "weekly window")

    def applies_on(self, day: date) -> bool:
        if day.isoweekday() != self.weekday:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day > self.valid_to)


@dataclass(frozen=True, slots=True)
class DatedWindow:
    """A one-off window on a single date."""

    day: date
    start: time
    end: time

    def __post_init__(self) -> None:
        _check_span(self.start, self.end, f"window on {self.day}")


@dataclass(frozen=True, slots=True)
class Availability:
    """When something can be used: recurring windows plus one-off windows, minus closures."""

    weekly: tuple[WeeklyWindow, ...] = ()
    one_off: tuple[DatedWindow, ...] = ()
    closures: tuple[DateRange, ...] = ()

    def windows_on(self, day: date) -> list[tuple[time, time]]:
        """Open (start, end) spans on ``day``, merged and sorted; empty when closed."""
        if any(c.contains(day) for c in self.closures):
            return []
        spans = [(w.start, w.end) for w in self.weekly if w.applies_on(day)]
        spans += [(w.start, w.end) for w in self.one_off if w.day == day]
        spans.sort()
        merged: list[tuple[time, time]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged


ALWAYS = Availability(weekly=tuple(WeeklyWindow(d, time(0), time(23, 59)) for d in range(1, 8)))


@dataclass(frozen=True, slots=True)
class Location:
    """A training site; ``hosts_training`` is False for a school site used for guest lessons."""

    id: LocationId
    partner: PartnerId
    capacity: int
    equipment: Mapping[EquipmentCode, int] = field(default_factory=dict)
    buffer_minutes: int = 0
    availability: Availability = Availability()
    hosts_training: bool = True

    def __post_init__(self) -> None:
        if self.capacity <= 0:
            raise ProblemError(f"location {self.id}: capacity must be > 0 (got {self.capacity})")
        if self.buffer_minutes < 0:
            raise ProblemError(f"location {self.id}: buffer_minutes must be >= 0")
        for code, qty in self.equipment.items():
            if qty <= 0:
                raise ProblemError(f"location {self.id}: equipment {code} quantity must be > 0")


@dataclass(frozen=True, slots=True)
class Trainer:
    id: TrainerId
    partner: PartnerId
    qualifications: frozenset[str] = frozenset()
    certified: bool = False  # teaching certificate, needed for guest lessons
    availability: Availability = ALWAYS
    max_minutes_per_week: int | None = None
    home: LocationId | None = None

    def __post_init__(self) -> None:
        if self.max_minutes_per_week is not None and self.max_minutes_per_week < 0:
            raise ProblemError(f"trainer {self.id}: max_minutes_per_week must be >= 0")


@dataclass(frozen=True, slots=True)
class EquipmentNeed:
    equipment: EquipmentCode
    quantity: int
    per_participant: bool = False  # False: quantity per group (per session)

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ProblemError(f"equipment need {self.equipment}: quantity must be > 0")

    def required(self, participants: int) -> int:
        return self.quantity * participants if self.per_participant else self.quantity


@dataclass(frozen=True, slots=True)
class Activity:
    """A catalogue entry: what a request asks for, and the rules its sessions follow."""

    code: ActivityCode
    kind: ActivityKind = ActivityKind.WORKSHOP
    team: str = "other"
    sessions: int = 1
    duration_minutes: int = 120
    min_days_between: int = 0  # between the starts of consecutive sessions (0 = same day ok)
    max_days_between: int | None = None
    same_location: bool = False
    equipment: tuple[EquipmentNeed, ...] = ()
    min_participants: int = 1
    max_participants: int | None = None
    qualification: str | None = None
    participants_per_trainer: int | None = None  # None: one trainer whatever the size
    at_school: bool = False  # guest lesson: at the group's school, the trainer travels
    capacity_soft: bool = False  # exceeding location capacity costs instead of forbidding
    min_distinct_days: int = 0  # soft: fewer distinct days than this costs per missing day

    def __post_init__(self) -> None:
        if self.sessions < 1:
            raise ProblemError(f"activity {self.code}: sessions must be >= 1")
        if self.duration_minutes <= 0:
            raise ProblemError(f"activity {self.code}: duration_minutes must be > 0")
        if self.min_days_between < 0:
            raise ProblemError(f"activity {self.code}: min_days_between must be >= 0")
        if self.max_days_between is not None and self.max_days_between < self.min_days_between:
            raise ProblemError(
                f"activity {self.code}: max_days_between {self.max_days_between} "
                f"< min_days_between {self.min_days_between}"
            )
        if self.participants_per_trainer is not None and self.participants_per_trainer <= 0:
            raise ProblemError(f"activity {self.code}: participants_per_trainer must be > 0")

    @property
    def needs_certificate(self) -> bool:
        return self.kind is ActivityKind.GUEST_LESSON

    def trainers_needed(self, participants: int) -> int:
        if self.participants_per_trainer is None:
            return 1
        return max(1, math.ceil(participants / self.participants_per_trainer))


GROUP_AWAY_REASONS = ("exam", "internship", "trip", "other")
"""Why a group cannot come at all for a while: exam weeks, internship (BPV), a trip, other."""


@dataclass(frozen=True, slots=True)
class Group:
    """A class of a school; ``availability.closures`` are the periods it cannot come at all
    (exam weeks, internships, trips), which every rule treats as days without a window."""

    id: GroupId
    school: PartnerId
    headcount: int
    home: LocationId | None = None  # the school site the group travels from
    availability: Availability = ALWAYS
    max_travel_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.headcount <= 0:
            raise ProblemError(f"group {self.id}: headcount must be > 0")


@dataclass(frozen=True, slots=True)
class Preferences:
    weekdays: frozenset[int] = frozenset()  # ISO weekdays preferred; empty = no preference
    time_of_day: TimeOfDay | None = None
    partners: frozenset[PartnerId] = frozenset()
    locations: frozenset[LocationId] = frozenset()


@dataclass(frozen=True, slots=True)
class Request:
    id: RequestId
    activity: ActivityCode
    groups: tuple[GroupId, ...]
    earliest: date
    latest: date
    priority: int = 1  # weight of scheduling it; higher is more important
    trainer: TrainerId | None = None  # fixed trainer
    preferences: Preferences = Preferences()
    participants: int | None = None  # default: sum of the groups' headcounts
    blocked: tuple[DatedWindow, ...] = ()  # times the request must not use (exams, ...)

    def __post_init__(self) -> None:
        if not self.groups:
            raise ProblemError(f"request {self.id}: needs at least one group")
        if self.latest < self.earliest:
            raise ProblemError(f"request {self.id}: latest {self.latest} before earliest")
        if self.priority < 1:
            raise ProblemError(f"request {self.id}: priority must be >= 1")


@dataclass(frozen=True, slots=True)
class PlannedSession:
    """One session as placed by a plan (the reference plan in, the solution out)."""

    request: RequestId
    index: int  # 1-based session number
    location: LocationId
    trainers: tuple[TrainerId, ...]
    start: datetime  # naive local wall time
    end: datetime
    pinned: bool = False

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ProblemError(f"session {self.request}#{self.index}: end not after start")
        if self.index < 1:
            raise ProblemError(f"session {self.request}#{self.index}: index must be >= 1")


@dataclass(frozen=True, slots=True)
class SchoolHistory:
    """What earlier plans of the school year gave a school, before this problem's horizon.

    ``requests``: its requests whose dates ended before the horizon (not in this problem);
    ``scheduled``: how many of those got sessions.
    """

    requests: int = 0
    scheduled: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.scheduled <= self.requests:
            raise ProblemError(
                f"school history: scheduled {self.scheduled} must be 0..requests "
                f"({self.requests})"
            )


@dataclass(frozen=True, slots=True)
class HostHistory:
    """What a hosting partner gave earlier in the school year, before this horizon:
    ``sessions`` it hosted (not at a school) and ``open_minutes`` of its hosting locations."""

    sessions: int = 0
    open_minutes: int = 0

    def __post_init__(self) -> None:
        if self.sessions < 0 or self.open_minutes < 0:
            raise ProblemError("host history: sessions and open_minutes must be >= 0")


@dataclass(frozen=True, slots=True)
class History:
    """The school year so far, as plain counts: ``fairness`` and ``host_balance`` add them
    to what this problem's plan gives, so that solving week by week is as fair as solving
    the year at once (docs/scheduler-rules.md). Empty: only this problem counts."""

    schools: Mapping[PartnerId, SchoolHistory] = field(default_factory=dict)
    hosts: Mapping[PartnerId, HostHistory] = field(default_factory=dict)

    def school(self, partner: PartnerId) -> SchoolHistory:
        return self.schools.get(partner, _NO_SCHOOL_HISTORY)

    def host(self, partner: PartnerId) -> HostHistory:
        return self.hosts.get(partner, _NO_HOST_HISTORY)

    @property
    def hosted_sessions(self) -> int:
        """Sessions hosted before the horizon by every partner together."""
        return sum(h.sessions for h in self.hosts.values())

    @property
    def open_minutes(self) -> int:
        """Open minutes before the horizon of every partner together."""
        return sum(h.open_minutes for h in self.hosts.values())


_NO_SCHOOL_HISTORY = SchoolHistory()
_NO_HOST_HISTORY = HostHistory()


@dataclass(frozen=True, slots=True)
class Weights:
    """Objective weights (all minimised; scheduled demand enters as a cost per unscheduled).

    Defaults are documented in docs/scheduler.md. Components are integers.
    """

    unscheduled: int = 10_000  # per priority point of an unscheduled request
    group_travel: int = 1  # per group travel minute (one way, per session)
    trainer_travel: int = 1  # per trainer travel minute from home to each session
    preference: int = 20  # per session missing a weekday/time-of-day/partner/location wish
    fairness: int = 50  # per percentage point the worst-served school falls below 100
    host_balance: int = 5  # per session a company hosts beyond its declared share
    stability: int = 500  # per reference session moved or cancelled
    trainer_idle: int = 1  # per idle minute between a trainer's sessions in a day
    room_stability: int = 50  # per extra location used by a multi-session activity
    min_days: int = 50  # per day a multi-session activity falls short of min_distinct_days
    isolated: int = 0  # per session of a group with no adjacent session that day
    over_capacity: int = 10  # per participant above capacity (capacity_soft activities)


COMPONENTS: tuple[str, ...] = tuple(f.name for f in fields(Weights))
"""Every objective component, in the order of the table in docs/scheduler-rules.md: the
fields of ``Weights``, defined there once. The validator's costs, the Python score and both
engines' objectives each implement one rule per name, looked up by it."""


@dataclass(frozen=True, slots=True)
class Travel:
    """Travel minutes between places; symmetric; a pair not listed takes ``default``."""

    minutes: Mapping[tuple[LocationId, LocationId], int] = field(default_factory=dict)
    default: int = 0

    def between(self, a: LocationId, b: LocationId) -> int:
        if a == b:
            return 0
        found = self.minutes.get((a, b))
        if found is None:
            found = self.minutes.get((b, a))
        return self.default if found is None else found


@dataclass(frozen=True, slots=True)
class Problem:
    """A whole scheduling question: a horizon of days, the campus, the requests."""

    first_day: date
    last_day: date
    locations: tuple[Location, ...]
    trainers: tuple[Trainer, ...]
    activities: tuple[Activity, ...]
    groups: tuple[Group, ...]
    requests: tuple[Request, ...]
    holidays: tuple[DateRange, ...] = ()
    travel: Travel = Travel()
    reference: tuple[PlannedSession, ...] = ()
    now: datetime | None = None  # sessions of the reference plan before this are frozen
    grid_minutes: int = 15
    weights: Weights = Weights()
    # Last, so that a pickled Problem still loads in an older engine (the benchmark suite's
    # --compare): that engine ignores it.
    history: History = History()

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ProblemError(f"horizon {self.first_day}..{self.last_day}: ends before start")
        if self.grid_minutes <= 0 or 1440 % self.grid_minutes:
            raise ProblemError(f"grid_minutes must divide a day (got {self.grid_minutes})")
        for kind, items in (
            ("location", self.locations),
            ("trainer", self.trainers),
            ("group", self.groups),
            ("request", self.requests),
        ):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ProblemError(f"duplicate {kind} id {item.id!r}")
                seen.add(item.id)
        codes = [a.code for a in self.activities]
        if len(set(codes)) != len(codes):
            raise ProblemError("duplicate activity codes")
        self._check_references()

    def _check_references(self) -> None:
        locs = {loc.id for loc in self.locations}
        trainers = {t.id for t in self.trainers}
        groups = {g.id for g in self.groups}
        acts = {a.code for a in self.activities}
        for t in self.trainers:
            if t.home is not None and t.home not in locs:
                raise ProblemError(f"trainer {t.id}: unknown home location {t.home!r}")
        for g in self.groups:
            if g.home is not None and g.home not in locs:
                raise ProblemError(f"group {g.id}: unknown home location {g.home!r}")
        for r in self.requests:
            if r.activity not in acts:
                raise ProblemError(f"request {r.id}: unknown activity {r.activity!r}")
            for gid in r.groups:
                if gid not in groups:
                    raise ProblemError(f"request {r.id}: unknown group {gid!r}")
            if r.trainer is not None and r.trainer not in trainers:
                raise ProblemError(f"request {r.id}: unknown trainer {r.trainer!r}")
        reqs = {r.id for r in self.requests}
        for s in self.reference:
            if s.request not in reqs:
                continue  # a reference session of a withdrawn request: reported as cancelled
            if s.location not in locs:
                raise ProblemError(f"reference {s.request}#{s.index}: unknown location")

    def __getstate__(self) -> list[object]:
        """Field values in order, an empty history left out: a pickled Problem then still
        loads in an engine from before the history (the benchmark suite's --compare)."""
        state = [getattr(self, f.name) for f in fields(self)]
        return state[:-1] if self.history == History() else state

    def __setstate__(self, state: list[object]) -> None:
        names = [f.name for f in fields(self)]
        for name, value in zip(names, state, strict=False):
            object.__setattr__(self, name, value)
        if len(state) < len(names):  # pickled without its history
            object.__setattr__(self, "history", History())

    # --- lookups (built on demand; the dataclass stays a plain value) ---
    def location(self, lid: LocationId) -> Location:
        return next(loc for loc in self.locations if loc.id == lid)

    def trainer(self, tid: TrainerId) -> Trainer:
        return next(t for t in self.trainers if t.id == tid)

    def group(self, gid: GroupId) -> Group:
        return next(g for g in self.groups if g.id == gid)

    def activity(self, code: ActivityCode) -> Activity:
        return next(a for a in self.activities if a.code == code)

    def request(self, rid: RequestId) -> Request:
        return next(r for r in self.requests if r.id == rid)

    def participants(self, request: Request) -> int:
        if request.participants is not None:
            return request.participants
        return sum(self.group(g).headcount for g in request.groups)

    def days(self) -> list[date]:
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(n)]

    def is_holiday(self, day: date) -> bool:
        return any(h.contains(day) for h in self.holidays)
