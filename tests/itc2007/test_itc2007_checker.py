"""The independent UD2 checker against costs worked out by hand.

tiny.ctt: 3 days x 3 timeslots, rooms R1 (10 seats) and R2 (20 seats).

    course teacher lectures min_days students   curricula
    A      T1      3        3        15         Q1
    B      T2      2        2        8          Q1, Q2
    C      T1      2        1        25         Q3
    D      T3      1        1        5          Q2

A is unavailable at (day 0, slot 0); C on the whole of day 2. Conflicting pairs: A-B (Q1),
B-D (Q2), A-C (teacher T1).
"""

from __future__ import annotations

from pathlib import Path

import itc2007_checker as checker

DATA = Path(__file__).resolve().parent / "data"


def _check(instance: str, solution: str) -> checker.Report:
    return checker.check((DATA / instance).read_text(), (DATA / solution).read_text())


def test_toy_example_of_the_official_report() -> None:
    # The deliberately poor timetable of the ITC2007 pages (FORMAT.md section 7).
    report = checker.check((DATA / "toy.ctt").read_text(), (DATA / "toy.sol").read_text())
    assert (report.lectures, report.conflicts, report.availability) == (0, 3, 0)
    assert report.room_occupancy == 2
    assert (report.room_capacity, report.min_working_days) == (8, 15)
    assert (report.curriculum_compactness, report.room_stability) == (4, 3)
    assert (report.violations, report.total) == (5, 30)


def test_tiny_optimal() -> None:
    # A: R2 (0,1) (1,0) (2,0); B: R1 (0,0) (1,1); C: R2 (1,1) (1,2); D: R1 (0,1).
    # RoomCapacity: C (25) in R2 (20) twice = 10; everything else fits.
    # MinWorkingDays: A 3 days, B 2, C 1, D 1: 0.
    # Compactness: Q1 day 0 (0,0)B (0,1)A adjacent; day 1 (1,0)A (1,1)B adjacent; day 2
    #   (2,0)A alone -> 1. Q2 day 0 (0,0)B (0,1)D adjacent; day 1 (1,1)B alone -> 1.
    #   Q3 day 1 (1,1)C (1,2)C adjacent. 2 isolated x 2 = 4.
    # RoomStability: every course in one room: 0.  Total 14.
    # 14 is optimal: C costs >= 10 wherever it goes; A spans 3 days and B at most 2, so a
    # Q1 day has A alone (2), and B spans 2 days while D covers one, so a Q2 day has B
    # alone (2); avoiding either costs a missing working day (5); C can sit in two
    # adjacent slots of one day.
    report = _check("tiny.ctt", "tiny_optimal.sol")
    assert report.violations == 0 and report.warnings == ()
    assert (report.room_capacity, report.min_working_days) == (10, 0)
    assert (report.curriculum_compactness, report.room_stability) == (4, 0)
    assert report.total == 14


def test_tiny_feasible_with_every_soft_cost() -> None:
    # A: R1 (0,1), R2 (0,2) (1,1); B: R1 (2,0) (2,2); C: R1 (1,0) (1,2); D: R2 (0,0).
    # RoomCapacity: A in R1 once 15-10 = 5; C in R1 twice 2 x 15 = 30: 35.
    # MinWorkingDays: A days {0,1} short 1; B days {2} short 1: 2 x 5 = 10.
    # Compactness: Q1 day 0 A (0,1)(0,2) adjacent; (1,1)A alone; (2,0)B and (2,2)B are
    #   not adjacent -> 3. Q2: (0,0)D alone (A at (0,1) is not in Q2); (2,0)B, (2,2)B -> 3.
    #   B is charged in both curricula. Q3: (1,0)C and (1,2)C not adjacent -> 2.
    #   8 x 2 = 16.
    # RoomStability: A uses R1 and R2: 1.  Total 35 + 10 + 16 + 1 = 62.
    report = _check("tiny.ctt", "tiny_soft.sol")
    assert report.violations == 0
    assert (report.room_capacity, report.min_working_days) == (35, 10)
    assert (report.curriculum_compactness, report.room_stability) == (16, 1)
    assert report.total == 62


def test_tiny_hard_violations_and_skipped_lines() -> None:
    # Lines: 1 A R2 0 0 | 2 A R1 0 0 (same course and period: skipped) | 3 A R2 1 0 |
    # 4 B R1 1 0 | 5 C R2 1 0 | 6 C R2 0 1 | 7 C R1 0 2 | 8 D R3 2 2 (unknown room) |
    # 9 D R1 3 0 (day out of range) | 10 X R1 0 0 (unknown course) | 11 B R1 2 1 |
    # 12 "not a line" (reading stops) | 13 D R1 2 2 (never read).
    # Kept: A (0,0)R2 (1,0)R2; B (1,0)R1 (2,1)R1; C (1,0)R2 (0,1)R2 (0,2)R1; D none.
    # Lectures: A 2/3, C 3/2, D 0/1: 3.  Conflicts: A-B at (1,0), A-C at (1,0): 2.
    # Availability: A at (0,0): 1.  RoomOccupancy: R2 at (1,0) holds A and C: 1.
    # RoomCapacity: C in R2 twice (5+5), C in R1 once (15): 25.
    # MinWorkingDays: A {0,1} short 1; D no day, short 1: 10.
    # Compactness: Q1 (0,0)A alone 1, (1,0) A and B alone together 2, (2,1)B 1;
    #   Q2 (1,0)B 1, (2,1)B 1; Q3 (0,1)C (0,2)C adjacent, (1,0)C alone 1: 7 x 2 = 14.
    # RoomStability: C uses R2 and R1: 1; D has no lecture, no charge.  Total 50.
    report = _check("tiny.ctt", "tiny_hard.sol")
    assert (report.lectures, report.conflicts) == (3, 2)
    assert (report.availability, report.room_occupancy) == (1, 1)
    assert report.violations == 7
    assert (report.room_capacity, report.min_working_days) == (25, 10)
    assert (report.curriculum_compactness, report.room_stability) == (14, 1)
    assert report.total == 50
    assert len(report.warnings) == 5
    assert "reading stops" in report.warnings[-1]


def test_pair_sharing_teacher_and_curriculum_counts_once() -> None:
    # Give B teacher T1 too: A-B now conflict twice over (Q1 and T1) but count once at
    # (1,0); the new pair B-C (T1) meets at (1,0): conflicts 1 + 1 + 1 = 3.
    instance = (DATA / "tiny.ctt").read_text().replace("B T2 2 2 8", "B T1 2 2 8")
    report = checker.check(instance, (DATA / "tiny_hard.sol").read_text())
    assert report.conflicts == 3


def test_tabs_and_blank_runs_parse_like_blanks() -> None:
    text = (DATA / "tiny.ctt").read_text()
    retabbed = text.replace(" ", "\t  ").replace("\n\n", "\n \t\n\n")
    # Header keys keep their colon, so only separators change.
    assert checker.read_instance(retabbed) == checker.read_instance(text)
