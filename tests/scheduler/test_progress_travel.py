"""Travel minutes in progress reports: the planner watching a solve sees what the plan found
so far costs in travel, counted exactly as the summary after the solve counts it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler import Progress, Weights, solve
from scheduler.summary import summarize
from tests.scheduler.builder import QUICK, random_problem
from tests.scheduler.test_search import _two_regions

ENGINES = {
    "interval": replace(QUICK, time_first=False, decompose=False, time_limit_seconds=2),
    "time-first": replace(QUICK, time_first=True, decompose=False, time_limit_seconds=1),
}


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_progress_reports_the_travel_of_the_plan_each_engine_returns(engine: str) -> None:
    problem = random_problem(0)
    seen: list[Progress] = []
    solution = solve(problem, ENGINES[engine], seen.append)
    assert solution.statistics.get("engine", "interval") == engine
    summary = summarize(problem, solution)
    assert summary.group_travel_minutes > 0 and summary.trainer_travel_minutes > 0
    assert seen, "at least one improving plan reported"
    last = seen[-1]
    assert last.group_travel_minutes == summary.group_travel_minutes
    assert last.trainer_travel_minutes == summary.trainer_travel_minutes
    assert all(p.group_travel_minutes is not None for p in seen)


def test_progress_reports_the_travel_of_a_plan_solved_in_parts() -> None:
    problem = _two_regions(replace(Weights(isolated=1), fairness=0, host_balance=0))
    seen: list[Progress] = []
    solution = solve(problem, QUICK, seen.append)
    assert solution.statistics["parts"] == 2
    summary = summarize(problem, solution)
    assert summary.group_travel_minutes > 0
    last = seen[-1]
    assert last.group_travel_minutes == summary.group_travel_minutes
    assert last.trainer_travel_minutes == summary.trainer_travel_minutes

