"""The real engine on the tiny ITC instance, scored by the independent checker."""

from __future__ import annotations

from pathlib import Path

import itc2007_checker as checker
import pytest
from itc2007_mapping import parse_ctt, to_itc_solution, to_problem

import scheduler
from scheduler.solution import Status

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize("time_first", [False, True])
def test_engine_solves_tiny_and_agrees_with_checker(time_first: bool) -> None:
    # both engines: the full model (the default on so few lectures) and the time-first one
    text = (DATA / "tiny.ctt").read_text()
    inst = parse_ctt(text)
    problem = to_problem(inst)
    options = scheduler.SolveOptions(
        time_limit_seconds=20, workers=1, seed=0, time_first=time_first
    )
    solution = scheduler.solve(problem, options)
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert solution.unscheduled == ()

    report = checker.check(text, to_itc_solution(inst, problem, solution))
    assert report.violations == 0, report.warnings
    engine = solution.components
    assert engine.get("over_capacity", 0) == report.room_capacity
    assert engine.get("min_days", 0) == report.min_working_days
    assert engine.get("isolated", 0) == report.curriculum_compactness
    assert engine.get("room_stability", 0) == report.room_stability
    assert solution.objective == report.total
    if solution.status is Status.OPTIMAL:
        assert report.total == 14  # worked out by hand in test_itc2007_checker.py
