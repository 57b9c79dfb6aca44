"""Independent UD2 evaluator for ITC2007 track 3 (CB-CTT) solutions.

Written only from the format description (the shared FORMAT.md, summarised in this
folder's README): it imports nothing from ``scheduler`` so that an error in the engine's
ITC mapping cannot hide in the checker too. It follows the official validator's reading
of a solution file: lines with an unknown course or room or an out-of-range day/timeslot
are skipped, a second lecture of a course in the same period is skipped, and reading stops
at the first line that is not ``string string int int``. Skipped lectures then count as
missing lectures.

Usable as a module (``check(instance_text, solution_text)``) and as a script::

    python benchmarks/itc2007/itc2007_checker.py instance.ctt solution.sol
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

ROOM_CAPACITY_WEIGHT = 1
MIN_WORKING_DAYS_WEIGHT = 5
CURRICULUM_COMPACTNESS_WEIGHT = 2
ROOM_STABILITY_WEIGHT = 1


@dataclass(frozen=True)
class Instance:
    """Just what the evaluation needs, read by tokens."""

    name: str
    days: int
    slots: int
    teacher: dict[str, str]
    lectures: dict[str, int]
    min_days: dict[str, int]
    students: dict[str, int]
    capacity: dict[str, int]
    curricula: dict[str, list[str]]
    unavailable: set[tuple[str, int, int]]


def read_instance(text: str) -> Instance:
    """Parse a `.ctt` text; whitespace of any kind separates tokens."""
    tokens = text.split()
    pos = 0

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def key(expected: str) -> str:
        got = take()
        if got != expected:
            raise ValueError(f"expected {expected!r}, found {got!r}")
        return take()

    name = key("Name:")
    n_courses = int(key("Courses:"))
    n_rooms = int(key("Rooms:"))
    days = int(key("Days:"))
    slots = int(key("Periods_per_day:"))
    n_curricula = int(key("Curricula:"))
    n_unavailable = int(key("Constraints:"))
    teacher: dict[str, str] = {}
    lectures: dict[str, int] = {}
    min_days: dict[str, int] = {}
    students: dict[str, int] = {}
    if take() != "COURSES:":
        raise ValueError("COURSES: expected")
    for _ in range(n_courses):
        cid = take()
        teacher[cid] = take()
        lectures[cid] = int(take())  # order: lectures, min working days, students
        min_days[cid] = int(take())
        students[cid] = int(take())
    if take() != "ROOMS:":
        raise ValueError("ROOMS: expected")
    capacity: dict[str, int] = {}
    for _ in range(n_rooms):
        rid = take()
        capacity[rid] = int(take())
    if take() != "CURRICULA:":
        raise ValueError("CURRICULA: expected")
    curricula: dict[str, list[str]] = {}
    for _ in range(n_curricula):
        qid = take()
        curricula[qid] = [take() for _ in range(int(take()))]
    if take() != "UNAVAILABILITY_CONSTRAINTS:":
        raise ValueError("UNAVAILABILITY_CONSTRAINTS: expected")
    unavailable: set[tuple[str, int, int]] = set()
    for _ in range(n_unavailable):
        unavailable.add((take(), int(take()), int(take())))
    if take() != "END.":
        raise ValueError("END. expected")
    return Instance(
        name, days, slots, teacher, lectures, min_days, students, capacity, curricula, unavailable
    )


@dataclass(frozen=True)
class Report:
    """Hard violation counts and weighted soft costs, named as the official validator does."""

    lectures: int
    conflicts: int
    availability: int
    room_occupancy: int
    room_capacity: int  # weighted (weight 1)
    min_working_days: int  # weighted (weight 5)
    curriculum_compactness: int  # weighted (weight 2)
    room_stability: int  # weighted (weight 1)
    warnings: tuple[str, ...] = field(default=())

    @property
    def violations(self) -> int:
        return self.lectures + self.conflicts + self.availability + self.room_occupancy

    @property
    def total(self) -> int:
        return (
            self.room_capacity
            + self.min_working_days
            + self.curriculum_compactness
            + self.room_stability
        )

    @property
    def feasible(self) -> bool:
        return self.violations == 0

    def summary(self) -> str:
        return (
            f"Violations of Lectures (hard) : {self.lectures}\n"
            f"Violations of Conflicts (hard) : {self.conflicts}\n"
            f"Violations of Availability (hard) : {self.availability}\n"
            f"Violations of RoomOccupancy (hard) : {self.room_occupancy}\n"
            f"Cost of RoomCapacity (soft) : {self.room_capacity}\n"
            f"Cost of MinWorkingDays (soft) : {self.min_working_days}\n"
            f"Cost of CurriculumCompactness (soft) : {self.curriculum_compactness}\n"
            f"Cost of RoomStability (soft) : {self.room_stability}\n"
            f"Summary: Violations = {self.violations}, Total Cost = {self.total}\n"
        )


def read_lectures(inst: Instance, text: str) -> tuple[dict[tuple[str, int, int], str], list[str]]:
    """Lectures kept as (course, day, slot) -> room, plus warnings for skipped lines."""
    kept: dict[tuple[str, int, int], str] = {}
    warnings: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        try:
            if len(fields) != 4:
                raise ValueError
            course, room, day, slot = fields[0], fields[1], int(fields[2]), int(fields[3])
        except ValueError:
            warnings.append(f"line {number}: not 'course room day timeslot'; reading stops")
            break
        if course not in inst.lectures:
            warnings.append(f"line {number}: unknown course {course!r} skipped")
        elif room not in inst.capacity:
            warnings.append(f"line {number}: unknown room {room!r} skipped")
        elif not (0 <= day < inst.days and 0 <= slot < inst.slots):
            warnings.append(f"line {number}: day/timeslot out of range skipped")
        elif (course, day, slot) in kept:
            warnings.append(f"line {number}: second lecture of {course} in one period skipped")
        else:
            kept[(course, day, slot)] = room
    return kept, warnings


def evaluate(inst: Instance, solution_text: str) -> Report:
    """Recompute every hard count and soft cost from scratch."""
    kept, warnings = read_lectures(inst, solution_text)

    per_course: dict[str, list[tuple[int, int, str]]] = {c: [] for c in inst.lectures}
    for (course, day, slot), room in kept.items():
        per_course[course].append((day, slot, room))

    lectures = sum(abs(len(per_course[c]) - n) for c, n in inst.lectures.items())

    periods_of = {c: {(d, s) for d, s, _ in items} for c, items in per_course.items()}
    conflicting: set[tuple[str, str]] = set()
    for members in inst.curricula.values():
        for a, b in combinations(sorted(set(members)), 2):
            conflicting.add((a, b))
    for a, b in combinations(sorted(inst.lectures), 2):
        if inst.teacher[a] == inst.teacher[b]:
            conflicting.add((a, b))
    conflicts = sum(len(periods_of[a] & periods_of[b]) for a, b in conflicting)

    availability = sum(1 for key in kept if key in inst.unavailable)

    in_room: dict[tuple[str, int, int], int] = {}
    for (_, day, slot), room in kept.items():
        in_room[(room, day, slot)] = in_room.get((room, day, slot), 0) + 1
    room_occupancy = sum(n - 1 for n in in_room.values() if n > 1)

    room_capacity = sum(
        max(0, inst.students[course] - inst.capacity[room]) for (course, _, _), room in kept.items()
    )
    min_working_days = sum(
        max(0, inst.min_days[c] - len({d for d, _, _ in per_course[c]})) for c in inst.lectures
    )
    room_stability = sum(
        len({r for _, _, r in items}) - 1 for items in per_course.values() if items
    )

    isolated = 0
    for members in inst.curricula.values():
        count: dict[tuple[int, int], int] = {}
        for c in set(members):
            for d, s, _ in per_course[c]:
                count[(d, s)] = count.get((d, s), 0) + 1
        for (d, s), n in count.items():
            if (d, s - 1) not in count and (d, s + 1) not in count:
                isolated += n

    return Report(
        lectures=lectures,
        conflicts=conflicts,
        availability=availability,
        room_occupancy=room_occupancy,
        room_capacity=ROOM_CAPACITY_WEIGHT * room_capacity,
        min_working_days=MIN_WORKING_DAYS_WEIGHT * min_working_days,
        curriculum_compactness=CURRICULUM_COMPACTNESS_WEIGHT * isolated,
        room_stability=ROOM_STABILITY_WEIGHT * room_stability,
        warnings=tuple(warnings),
    )


def check(instance_text: str, solution_text: str) -> Report:
    """Evaluate a solution text against an instance text."""
    return evaluate(read_instance(instance_text), solution_text)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: itc2007_checker.py INSTANCE.ctt SOLUTION.sol", file=sys.stderr)
        return 2
    report = check(Path(argv[0]).read_text(), Path(argv[1]).read_text())
    for warning in report.warnings:
        print("warning:", warning)
    print(report.summary(), end="")
    return 0 if report.feasible else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
