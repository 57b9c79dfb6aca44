"""The `.ctt` parser and the mapping of an ITC2007 instance onto the engine's Problem."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import itc2007_checker as checker
import pytest
from itc2007_mapping import (
    FIRST_DAY,
    UD2_WEIGHTS,
    CttFormatError,
    ItcAssignment,
    parse_ctt,
    parse_itc_solution,
    to_itc_solution,
    to_problem,
    to_sessions,
)

from scheduler.problem import DatedWindow
from scheduler.solution import Solution, Status

DATA = Path(__file__).resolve().parent / "data"
INSTANCES = Path(__file__).resolve().parents[2] / "benchmarks" / "itc2007" / "instances"


def test_parse_comp01_counts() -> None:
    inst = parse_ctt((INSTANCES / "comp01.ctt").read_text())
    assert inst.name == "Fis0506-1"
    assert (inst.days, inst.periods_per_day) == (5, 6)
    assert len(inst.courses) == 30
    assert len(inst.rooms) == 6
    assert len(inst.curricula) == 14
    assert len(inst.unavailabilities) == 53
    assert inst.lectures == 160
    assert len(inst.teachers) == 24
    first = inst.courses[0]
    # Field order is lectures, min working days, students (students last).
    assert (first.id, first.teacher, first.lectures, first.min_days, first.students) == (
        "c0001",
        "t000",
        6,
        4,
        130,
    )
    assert inst.rooms[0].id == "rB" and inst.rooms[0].capacity == 200
    assert inst.curricula[0].courses == ("c0001", "c0002", "c0004", "c0005")


def test_all_instances_parse_and_comp03_equals_comp15() -> None:
    parsed = {p.stem: parse_ctt(p.read_text()) for p in sorted(INSTANCES.glob("*.ctt"))}
    assert len(parsed) == 21
    assert parsed["comp03"].name != parsed["comp15"].name
    assert parsed["comp03"].courses == parsed["comp15"].courses
    assert parsed["comp03"].curricula == parsed["comp15"].curricula
    assert parsed["comp03"].unavailabilities == parsed["comp15"].unavailabilities


def test_parse_rejects_bad_counts_and_references() -> None:
    text = (DATA / "tiny.ctt").read_text()
    with pytest.raises(CttFormatError):
        parse_ctt(text.replace("Courses: 4", "Courses: 5"))
    with pytest.raises(CttFormatError):
        parse_ctt(text.replace("Q2 2 B D", "Q2 2 B E"))
    with pytest.raises(CttFormatError):
        parse_ctt(text.replace("C 2 2", "C 3 2"))


def test_to_problem_comp01_sizes() -> None:
    inst = parse_ctt((INSTANCES / "comp01.ctt").read_text())
    problem = to_problem(inst)
    assert problem.first_day == FIRST_DAY == date(2027, 1, 4)
    assert problem.first_day.isoweekday() == 1
    assert problem.last_day == date(2027, 1, 8)
    assert problem.grid_minutes == 60
    assert len(problem.locations) == 6
    assert len(problem.trainers) == 24
    assert len(problem.groups) == 14
    assert len(problem.activities) == len(problem.requests) == 30
    assert sum(a.sessions for a in problem.activities) == 160
    assert sum(len(r.blocked) for r in problem.requests) == 53
    assert problem.weights == UD2_WEIGHTS
    assert sum(r.priority for r in problem.requests) == 160
    for loc in problem.locations:
        assert loc.hosts_training and loc.partner == "itc"
        assert loc.availability.windows_on(date(2027, 1, 6)) == [(time(8), time(14))]
        assert loc.availability.windows_on(date(2027, 1, 9)) == []


def test_to_problem_tiny_details() -> None:
    inst = parse_ctt((DATA / "tiny.ctt").read_text())
    problem = to_problem(inst)
    w = problem.weights
    assert (w.over_capacity, w.min_days, w.isolated, w.room_stability) == (1, 5, 2, 1)
    assert w.unscheduled >= 100_000
    assert (w.group_travel, w.trainer_travel, w.preference, w.fairness) == (0, 0, 0, 0)
    assert (w.host_balance, w.stability, w.trainer_idle) == (0, 0, 0)
    b = problem.request("B")
    assert b.groups == ("Q1", "Q2") and b.participants == 8 and b.trainer == "T2"
    assert b.priority == 2
    c = problem.request("C")
    assert c.groups == ("Q3",)
    assert c.blocked == tuple(
        DatedWindow(date(2027, 1, 6), time(8 + p), time(9 + p)) for p in range(3)
    )
    act = problem.activity("A")
    assert (act.sessions, act.duration_minutes, act.min_distinct_days) == (3, 60, 3)
    assert act.capacity_soft and act.min_days_between == 0
    assert {g.id for g in problem.groups} == {"Q1", "Q2", "Q3"}
    assert all(g.headcount == 1 for g in problem.groups)
    assert {t.id for t in problem.trainers} == {"T1", "T2", "T3"}
    assert [(loc.id, loc.capacity) for loc in problem.locations] == [("R1", 10), ("R2", 20)]
    assert to_problem(inst, weights=w.__class__(isolated=7)).weights.isolated == 7


def test_course_without_curriculum_gets_a_private_group() -> None:
    text = (DATA / "tiny.ctt").read_text()
    text = text.replace("Curricula: 3", "Curricula: 2").replace("Q3 1 C\n", "")
    problem = to_problem(parse_ctt(text))
    assert problem.request("C").groups == ("_course:C",)
    assert {g.id for g in problem.groups} == {"Q1", "Q2", "_course:C"}


def test_unrepresentable_instances_are_refused() -> None:
    text = (DATA / "tiny.ctt").read_text()
    with pytest.raises(CttFormatError):
        to_problem(parse_ctt(text.replace("R1 10", "R1 0")))
    with pytest.raises(CttFormatError):
        to_problem(parse_ctt(text.replace("D T3 1 1 5", "D T3 0 0 5")))
    with pytest.raises(CttFormatError):
        to_problem(parse_ctt(text.replace("Periods_per_day: 3", "Periods_per_day: 16")))


def test_export_round_trip_keeps_the_checker_costs() -> None:
    # A known timetable -> engine sessions -> official text: same lectures, same costs.
    text = (DATA / "tiny.ctt").read_text()
    inst = parse_ctt(text)
    problem = to_problem(inst)
    known = parse_itc_solution((DATA / "tiny_optimal.sol").read_text())
    sessions = to_sessions(inst, problem, known)
    assert {(s.request, s.index) for s in sessions if s.request == "A"} == {
        ("A", 1),
        ("A", 2),
        ("A", 3),
    }
    first_a = next(s for s in sessions if s.request == "A" and s.index == 1)
    assert first_a.start == datetime(2027, 1, 4, 9) and first_a.location == "R2"
    exported = to_itc_solution(inst, problem, Solution(Status.FEASIBLE, sessions=sessions))
    assert sorted(parse_itc_solution(exported), key=repr) == sorted(known, key=repr)
    assert all(len(line.split()) == 4 for line in exported.splitlines())
    assert checker.check(text, exported).total == 14


def test_parse_itc_solution_is_strict() -> None:
    assert parse_itc_solution("A R1 0 1\n\nB R2 2 0\n") == (
        ItcAssignment("A", "R1", 0, 1),
        ItcAssignment("B", "R2", 2, 0),
    )
    with pytest.raises(CttFormatError):
        parse_itc_solution("A R1 0\n")
    with pytest.raises(CttFormatError):
        parse_itc_solution("A R1 x 0\n")
