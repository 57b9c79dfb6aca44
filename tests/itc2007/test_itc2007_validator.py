"""The mapping cross-checked against the engine's own validator, without solving.

Known ITC timetables are turned into engine sessions; the engine's validator (written from
docs/scheduler-rules.md) must then agree with the independent UD2 checker: no hard
violation exactly when the ITC timetable is feasible, and equal weighted costs.
"""

from __future__ import annotations

import random
from pathlib import Path

import itc2007_checker as checker
import pytest
from itc2007_mapping import parse_ctt, parse_itc_solution, to_problem, to_sessions

from scheduler.solution import Solution, Status

pytest.importorskip("scheduler.validate")  # written in parallel; skip until it exists
from scheduler.validate import Report, validate

DATA = Path(__file__).resolve().parent / "data"
UD2_COMPONENTS = {"over_capacity", "min_days", "isolated", "room_stability"}


def _engine_report(instance_text: str, solution_text: str) -> Report:
    inst = parse_ctt(instance_text)
    problem = to_problem(inst)
    sessions = to_sessions(inst, problem, parse_itc_solution(solution_text))
    return validate(problem, Solution(Status.FEASIBLE, sessions=sessions))


def _ud2(report: checker.Report) -> dict[str, int]:
    return {
        "over_capacity": report.room_capacity,
        "min_days": report.min_working_days,
        "isolated": report.curriculum_compactness,
        "room_stability": report.room_stability,
    }


@pytest.mark.parametrize(
    ("instance", "solution"),
    [
        ("tiny.ctt", "tiny_optimal.sol"),
        ("tiny.ctt", "tiny_soft.sol"),
        ("toy.ctt", "toy.sol"),
    ],
)
def test_engine_validator_agrees_with_checker(instance: str, solution: str) -> None:
    instance_text = (DATA / instance).read_text()
    solution_text = (DATA / solution).read_text()
    expected = checker.check(instance_text, solution_text)
    report = _engine_report(instance_text, solution_text)
    assert report.ok == expected.feasible
    components = report.components
    assert {k: components[k] for k in UD2_COMPONENTS} == _ud2(expected)
    assert all(v == 0 for k, v in components.items() if k not in UD2_COMPONENTS)


def test_toy_hard_violations_map_to_engine_rules() -> None:
    # ITC: 3 curriculum conflicts and 2 room clashes; engine: group and location rules.
    report = _engine_report((DATA / "toy.ctt").read_text(), (DATA / "toy.sol").read_text())
    assert len(report.of_rule("groups")) == 3
    assert len(report.of_rule("location_never_double_booked")) == 2


def test_private_group_of_a_course_without_curriculum_adds_isolated_cost() -> None:
    # The documented approximation: without Q3, C's private group is charged for isolated
    # lectures and the ITC cost is not. In tiny_soft C sits at (1,0) and (1,2): 2 x 2 = 4.
    text = (DATA / "tiny.ctt").read_text()
    text = text.replace("Curricula: 3", "Curricula: 2").replace("Q3 1 C\n", "")
    solution_text = (DATA / "tiny_soft.sol").read_text()
    expected = checker.check(text, solution_text)
    report = _engine_report(text, solution_text)
    assert report.components["isolated"] == expected.curriculum_compactness + 4


def test_random_timetables_agree_on_feasibility_and_costs() -> None:
    # Seeded random timetables of tiny.ctt, mostly built greedily from clash-free choices
    # so that many are feasible: the engine's hard rules must accept exactly the
    # ITC-feasible ones, and then report the same costs.
    text = (DATA / "tiny.ctt").read_text()
    inst = parse_ctt(text)
    problem = to_problem(inst)
    conflicts = {(c.id, d.id) for c in inst.courses for d in inst.courses if c.teacher == d.teacher}
    for q in inst.curricula:
        conflicts |= {(a, b) for a in q.courses for b in q.courses}
    blocked = {(u.course, u.day, u.period) for u in inst.unavailabilities}
    rng = random.Random(2007)
    options = [
        (d, s, r.id)
        for d in range(inst.days)
        for s in range(inst.periods_per_day)
        for r in inst.rooms
    ]
    feasible = infeasible = 0
    for _ in range(300):
        placed: list[tuple[str, int, int, str]] = []
        for course in inst.courses:
            for _ in range(course.lectures):
                free = [
                    (d, s, r)
                    for d, s, r in options
                    if (course.id, d, s) not in blocked
                    and all(
                        (d, s) != (d2, s2) or (r != r2 and (course.id, c2) not in conflicts)
                        for c2, d2, s2, r2 in placed
                    )
                ]
                own = {(d2, s2) for c2, d2, s2, _ in placed if c2 == course.id}
                anywhere = [o for o in options if o[:2] not in own]
                d, s, r = rng.choice(free if free and rng.random() < 0.9 else anywhere)
                placed.append((course.id, d, s, r))
        solution_text = "".join(f"{c} {r} {d} {s}\n" for c, d, s, r in placed)
        expected = checker.check(text, solution_text)
        sessions = to_sessions(inst, problem, parse_itc_solution(solution_text))
        report = validate(problem, Solution(Status.FEASIBLE, sessions=sessions))
        assert report.ok == expected.feasible, solution_text
        if expected.feasible:
            feasible += 1
            assert {k: report.components[k] for k in UD2_COMPONENTS} == _ud2(expected)
        else:
            infeasible += 1
    assert feasible >= 50 and infeasible >= 50  # both sides are exercised
