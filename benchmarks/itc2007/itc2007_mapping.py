"""ITC2007 track 3 (curriculum-based course timetabling) as an engine benchmark.

The `.ctt` instances of the competition map directly onto our rules, so the benchmark
exercises the real engine rather than a special-purpose model:

* each day of the instance is a consecutive date from ``FIRST_DAY``; timeslot ``s`` of a
  day is the 60-minute slot starting at 08:00 + ``s`` hours (``grid_minutes=60``);
* room -> ``Location`` open exactly during the timeslots (``hosts_training``, partner
  ``itc``); course -> ``Activity`` (one 60-minute session per lecture, soft capacity,
  ``min_distinct_days`` = minimum working days) and ``Request`` (its curricula as groups,
  its students as participants, its teacher as fixed trainer, its unavailabilities as
  ``blocked``); curriculum -> ``Group`` of headcount 1; teacher -> ``Trainer``;
* the UD2 weights become ``Weights(over_capacity=1, min_days=5, isolated=2,
  room_stability=1)``, every other component 0, and a large ``unscheduled`` weight so that
  leaving a course out is never worth it.

Hard constraints then coincide: curriculum conflicts are the group rule, teacher conflicts
the trainer rule, room occupancy the location rule, unavailability ``request.blocked``. The
engine's session ordering (multi_session) is pure symmetry breaking for identical lectures.

One approximation: a request needs at least one group, so a course that belongs to no
curriculum gets a private group ``_course:<id>``. The engine charges isolated lectures for
that group, which the ITC cost does not. None of comp01-comp21 has such a course. Three
cases the engine cannot express at all are refused with ``CttFormatError``: a room of
capacity 0, a course with 0 lectures and more than 15 timeslots per day (none of these
occurs in comp01-comp21).

This module is pure (no OR-Tools) and does not evaluate costs; the independent UD2
checker lives beside it in ``itc2007_checker.py``. It is part of the benchmark, not of the
packaged engine: the runner and the tests import it from this folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from scheduler.problem import (
    Activity,
    ActivityCode,
    Availability,
    DatedWindow,
    Group,
    GroupId,
    Location,
    LocationId,
    PartnerId,
    PlannedSession,
    Problem,
    Request,
    RequestId,
    Trainer,
    TrainerId,
    Weights,
)
from scheduler.solution import Solution

FIRST_DAY = date(2027, 1, 4)  # a Monday; the instances have no holidays
DAY_START = time(8, 0)
SLOT_MINUTES = 60
PARTNER = PartnerId("itc")
UNSCHEDULED_WEIGHT = 100_000  # per lecture of a course left out: dwarfs any UD2 cost
DUMMY_GROUP_PREFIX = "_course:"

UD2_WEIGHTS = Weights(
    unscheduled=UNSCHEDULED_WEIGHT,
    group_travel=0,
    trainer_travel=0,
    preference=0,
    fairness=0,
    host_balance=0,
    stability=0,
    trainer_idle=0,
    room_stability=1,
    min_days=5,
    isolated=2,
    over_capacity=1,
)
"""The ITC2007 track 3 (UD2) objective expressed in engine weights."""


class CttFormatError(ValueError):
    """A `.ctt` or solution text that does not follow the ITC2007 format."""


@dataclass(frozen=True, slots=True)
class CttCourse:
    id: str
    teacher: str
    lectures: int
    min_days: int
    students: int


@dataclass(frozen=True, slots=True)
class CttRoom:
    id: str
    capacity: int


@dataclass(frozen=True, slots=True)
class CttCurriculum:
    id: str
    courses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CttUnavailability:
    course: str
    day: int
    period: int


@dataclass(frozen=True, slots=True)
class CttInstance:
    """A `.ctt` file as written: no derived data, file order preserved."""

    name: str
    days: int
    periods_per_day: int
    courses: tuple[CttCourse, ...]
    rooms: tuple[CttRoom, ...]
    curricula: tuple[CttCurriculum, ...]
    unavailabilities: tuple[CttUnavailability, ...]

    @property
    def lectures(self) -> int:
        return sum(c.lectures for c in self.courses)

    @property
    def teachers(self) -> tuple[str, ...]:
        """Distinct teacher ids in order of first appearance."""
        return tuple(dict.fromkeys(c.teacher for c in self.courses))


@dataclass(frozen=True, slots=True)
class ItcAssignment:
    """One line of an ITC solution: a lecture of ``course`` in ``room`` at (day, period)."""

    course: str
    room: str
    day: int
    period: int


class _Tokens:
    """Whitespace tokens with positions for error messages; the format is token based."""

    def __init__(self, text: str) -> None:
        self._tokens = text.split()
        self._pos = 0

    def next(self, what: str) -> str:
        if self._pos >= len(self._tokens):
            raise CttFormatError(f"unexpected end of file, expected {what}")
        token = self._tokens[self._pos]
        self._pos += 1
        return token

    def expect(self, literal: str) -> None:
        token = self.next(repr(literal))
        if token != literal:
            raise CttFormatError(f"expected {literal!r}, found {token!r}")

    def integer(self, what: str) -> int:
        token = self.next(what)
        try:
            value = int(token)
        except ValueError:
            raise CttFormatError(f"{what}: expected an integer, found {token!r}") from None
        if value < 0:
            raise CttFormatError(f"{what}: must be >= 0 (got {value})")
        return value


def parse_ctt(text: str) -> CttInstance:
    """Parse a `.ctt` instance by tokens (tabs, blank lines and trailing blanks all occur)."""
    tok = _Tokens(text)
    tok.expect("Name:")
    name = tok.next("instance name")
    header: dict[str, int] = {}
    for key in ("Courses", "Rooms", "Days", "Periods_per_day", "Curricula", "Constraints"):
        tok.expect(f"{key}:")
        header[key] = tok.integer(key)
    days, periods = header["Days"], header["Periods_per_day"]
    if days < 1 or periods < 1:
        raise CttFormatError("Days and Periods_per_day must be >= 1")

    tok.expect("COURSES:")
    courses = tuple(
        CttCourse(
            id=tok.next("course id"),
            teacher=tok.next("teacher id"),
            lectures=tok.integer("lectures"),
            min_days=tok.integer("min working days"),
            students=tok.integer("students"),
        )
        for _ in range(header["Courses"])
    )
    tok.expect("ROOMS:")
    rooms = tuple(
        CttRoom(id=tok.next("room id"), capacity=tok.integer("capacity"))
        for _ in range(header["Rooms"])
    )
    tok.expect("CURRICULA:")
    curricula: list[CttCurriculum] = []
    for _ in range(header["Curricula"]):
        cid = tok.next("curriculum id")
        size = tok.integer("curriculum size")
        curricula.append(CttCurriculum(cid, tuple(tok.next("course id") for _ in range(size))))
    tok.expect("UNAVAILABILITY_CONSTRAINTS:")
    unavailable = tuple(
        CttUnavailability(tok.next("course id"), tok.integer("day"), tok.integer("period"))
        for _ in range(header["Constraints"])
    )
    tok.expect("END.")

    inst = CttInstance(
        name=name,
        days=days,
        periods_per_day=periods,
        courses=courses,
        rooms=rooms,
        curricula=tuple(curricula),
        unavailabilities=unavailable,
    )
    _check_references(inst)
    return inst


def _check_references(inst: CttInstance) -> None:
    """Fail on the inconsistencies that would otherwise surface as odd engine behaviour."""
    course_ids = [c.id for c in inst.courses]
    for kind, ids in (
        ("course", course_ids),
        ("room", [r.id for r in inst.rooms]),
        ("curriculum", [q.id for q in inst.curricula]),
    ):
        if len(set(ids)) != len(ids):
            raise CttFormatError(f"duplicate {kind} id")
    known = set(course_ids)
    for q in inst.curricula:
        for cid in q.courses:
            if cid not in known:
                raise CttFormatError(f"curriculum {q.id}: unknown course {cid!r}")
    for u in inst.unavailabilities:
        if u.course not in known:
            raise CttFormatError(f"unavailability: unknown course {u.course!r}")
        if u.day >= inst.days or u.period >= inst.periods_per_day:
            raise CttFormatError(f"unavailability {u}: day or period out of range")


def _slot(day: date, period: int) -> tuple[datetime, datetime]:
    start = datetime.combine(day, DAY_START) + timedelta(minutes=SLOT_MINUTES * period)
    return start, start + timedelta(minutes=SLOT_MINUTES)


def to_problem(inst: CttInstance, *, weights: Weights | None = None) -> Problem:
    """The instance as an engine ``Problem`` (see the module docstring for the mapping).

    ``weights`` replaces ``UD2_WEIGHTS``, e.g. to study one cost component on its own.
    """
    if inst.periods_per_day > 15:  # slots must end by 23:00: the engine's days end 23:59
        raise CttFormatError(f"{inst.periods_per_day} timeslots per day do not fit in a day")
    for r in inst.rooms:
        if r.capacity < 1:
            raise CttFormatError(f"room {r.id}: capacity 0 has no engine equivalent")
    for c in inst.courses:
        if c.lectures < 1:
            raise CttFormatError(f"course {c.id}: 0 lectures has no engine equivalent")
    days = [FIRST_DAY + timedelta(days=d) for d in range(inst.days)]
    end_of_day = _slot(days[0], inst.periods_per_day - 1)[1].time()
    rooms_open = Availability(one_off=tuple(DatedWindow(d, DAY_START, end_of_day) for d in days))
    locations = tuple(
        Location(
            id=LocationId(r.id),
            partner=PARTNER,
            capacity=r.capacity,
            availability=rooms_open,
            hosts_training=True,
        )
        for r in inst.rooms
    )
    trainers = tuple(Trainer(id=TrainerId(t), partner=PARTNER) for t in inst.teachers)

    groups_of: dict[str, list[GroupId]] = {c.id: [] for c in inst.courses}
    groups = [Group(id=GroupId(q.id), school=PARTNER, headcount=1) for q in inst.curricula]
    for q in inst.curricula:
        for cid in dict.fromkeys(q.courses):
            groups_of[cid].append(GroupId(q.id))
    taken = {q.id for q in inst.curricula}
    for c in inst.courses:
        if not groups_of[c.id]:
            gid = GroupId(DUMMY_GROUP_PREFIX + c.id)
            if gid in taken:
                raise CttFormatError(f"curriculum id {gid!r} clashes with a private group id")
            groups.append(Group(id=gid, school=PARTNER, headcount=1))
            groups_of[c.id].append(gid)

    blocked: dict[str, list[DatedWindow]] = {c.id: [] for c in inst.courses}
    for u in inst.unavailabilities:
        start, end = _slot(days[u.day], u.period)
        blocked[u.course].append(DatedWindow(days[u.day], start.time(), end.time()))

    activities = tuple(
        Activity(
            code=ActivityCode(c.id),
            sessions=c.lectures,
            duration_minutes=SLOT_MINUTES,
            min_days_between=0,
            capacity_soft=True,
            min_distinct_days=c.min_days,
            min_participants=0,  # comp10 has courses with 0 students
        )
        for c in inst.courses
    )
    requests = tuple(
        Request(
            id=RequestId(c.id),
            activity=ActivityCode(c.id),
            groups=tuple(groups_of[c.id]),
            earliest=days[0],
            latest=days[-1],
            priority=c.lectures,
            trainer=TrainerId(c.teacher),
            participants=c.students,
            blocked=tuple(blocked[c.id]),
        )
        for c in inst.courses
    )
    return Problem(
        first_day=days[0],
        last_day=days[-1],
        locations=locations,
        trainers=trainers,
        activities=activities,
        groups=tuple(groups),
        requests=requests,
        grid_minutes=SLOT_MINUTES,
        weights=UD2_WEIGHTS if weights is None else weights,
    )


def to_assignments(
    inst: CttInstance, problem: Problem, solution: Solution
) -> tuple[ItcAssignment, ...]:
    """Engine sessions as ITC lectures; raises if a session is off the instance's grid."""
    index = {problem.first_day + timedelta(days=d): d for d in range(inst.days)}
    out: list[ItcAssignment] = []
    for s in solution.sessions:
        day = index.get(s.start.date())
        minutes = (s.start - datetime.combine(s.start.date(), DAY_START)).total_seconds() / 60
        period, rest = divmod(int(minutes), SLOT_MINUTES)
        if (
            day is None
            or rest
            or minutes != int(minutes)
            or not 0 <= period < inst.periods_per_day
            or s.end - s.start != timedelta(minutes=SLOT_MINUTES)
        ):
            raise CttFormatError(f"session {s.request}#{s.index} at {s.start} is not a timeslot")
        out.append(ItcAssignment(str(s.request), str(s.location), day, period))
    order = {c.id: i for i, c in enumerate(inst.courses)}
    out.sort(key=lambda a: (order.get(a.course, len(order)), a.day, a.period, a.room))
    return tuple(out)


def to_itc_solution(inst: CttInstance, problem: Problem, solution: Solution) -> str:
    """The official solution text: one ``course room day period`` line per lecture."""
    assignments = to_assignments(inst, problem, solution)
    lines = [f"{a.course} {a.room} {a.day} {a.period}" for a in assignments]
    return "".join(line + "\n" for line in lines)


def to_sessions(
    inst: CttInstance, problem: Problem, assignments: tuple[ItcAssignment, ...]
) -> tuple[PlannedSession, ...]:
    """ITC lectures as engine sessions (e.g. a known timetable as reference plan or hint).

    Session numbers follow time order within a course, as the engine's multi_session rule
    requires. Raises on a course, room or slot the instance does not know.
    """
    teacher = {c.id: c.teacher for c in inst.courses}
    rooms = {r.id for r in inst.rooms}
    by_course: dict[str, list[ItcAssignment]] = {}
    for a in assignments:
        if a.course not in teacher or a.room not in rooms:
            raise CttFormatError(f"{a}: unknown course or room")
        if not (0 <= a.day < inst.days and 0 <= a.period < inst.periods_per_day):
            raise CttFormatError(f"{a}: day or period out of range")
        by_course.setdefault(a.course, []).append(a)
    sessions: list[PlannedSession] = []
    for course, items in by_course.items():
        items.sort(key=lambda a: (a.day, a.period))
        for index, a in enumerate(items, start=1):
            start, end = _slot(problem.first_day + timedelta(days=a.day), a.period)
            sessions.append(
                PlannedSession(
                    request=RequestId(course),
                    index=index,
                    location=LocationId(a.room),
                    trainers=(TrainerId(teacher[course]),),
                    start=start,
                    end=end,
                )
            )
    return tuple(sessions)


def parse_itc_solution(text: str) -> tuple[ItcAssignment, ...]:
    """Strictly parse a solution text (four tokens per non-blank line), e.g. to reuse it."""
    out: list[ItcAssignment] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 4:
            raise CttFormatError(f"line {number}: expected 4 fields, found {len(fields)}")
        try:
            day, period = int(fields[2]), int(fields[3])
        except ValueError:
            raise CttFormatError(f"line {number}: day and period must be integers") from None
        out.append(ItcAssignment(fields[0], fields[1], day, period))
    return tuple(out)
