"""SolveOptions, Progress, statistics, determinism and the public surface."""

from __future__ import annotations

import ast
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import scheduler
from scheduler import Progress, SolveOptions, Status, solve
from tests.scheduler.builder import random_problem, run

SCHEDULER = Path(scheduler.__file__).parent


def test_options_validate_themselves() -> None:
    with pytest.raises(ValueError):
        SolveOptions(time_limit_seconds=0)
    with pytest.raises(ValueError):
        SolveOptions(workers=-1)
    with pytest.raises(ValueError):
        SolveOptions(relative_gap=1.5)


def test_workers_are_capped_and_deterministic_uses_one() -> None:
    assert SolveOptions(workers=10_000).effective_workers <= 10_000
    assert SolveOptions(workers=10_000).effective_workers >= 1
    assert SolveOptions(workers=0).effective_workers == 0
    assert SolveOptions(workers=8, deterministic=True).effective_workers == 1


def test_deterministic_mode_gives_identical_solutions() -> None:
    problem = random_problem(9)
    options = SolveOptions(time_limit_seconds=1, deterministic=True, seed=7)
    first, second = solve(problem, options), solve(problem, options)
    assert first.status == second.status
    assert first.sessions == second.sessions
    assert first.objective == second.objective
    assert first.components == second.components
    assert first.changes == second.changes


# what the search did, beyond the plan: in deterministic mode none of it may depend on load
SEARCH_WORK = ("lns_iterations", "lns_improvements", "start_search_iterations", "num_branches")


@pytest.mark.parametrize("time_first", [False, True], ids=["interval", "time-first"])
def test_deterministic_mode_gives_the_same_plan_on_a_loaded_machine(
    monkeypatch: pytest.MonkeyPatch, time_first: bool
) -> None:
    # a loaded machine, as the engine sees it: the wall clock runs five times as fast
    # relative to the solver's work; every phase's limit must come from deterministic time
    problem = random_problem(9, grid_minutes=60 if time_first else 15)
    options = SolveOptions(
        time_limit_seconds=1, deterministic=True, seed=7, time_first=time_first or None
    )
    first = solve(problem, options)
    real = time.perf_counter
    zero = real()
    monkeypatch.setattr(time, "perf_counter", lambda: zero + 5 * (real() - zero))
    loaded = solve(problem, options)
    monkeypatch.undo()
    assert loaded.status == first.status
    assert loaded.sessions == first.sessions and loaded.objective == first.objective
    work = [{k: s.statistics.get(k) for k in SEARCH_WORK} for s in (first, loaded)]
    assert work[0] == work[1]
    if time_first:
        assert first.statistics["engine"] == "time-first"


PLAN_OF_A_PROCESS = """
from scheduler import SolveOptions, solve
from tests.scheduler.builder import random_problem
for seed, grid, requests, time_first in ((3, 60, 40, True), (5, 15, 20, None)):
    problem = random_problem(seed, grid_minutes=grid, requests=requests)
    options = SolveOptions(time_limit_seconds=2, deterministic=True, seed=1, time_first=time_first)
    solution = solve(problem, options)
    print(solution.objective, solution.sessions)
"""


def test_deterministic_mode_gives_the_same_plan_in_another_process() -> None:
    # `campus solve` twice is two processes, with different string hashes: no model or
    # neighbourhood may follow the order of a set of ids
    root = Path(__file__).resolve().parents[2]
    plans = [
        subprocess.run(
            [sys.executable, "-c", PLAN_OF_A_PROCESS],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed), "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in (1, 2)
    ]
    assert plans[0].count("PlannedSession") > 10
    assert plans[0] == plans[1]


def test_progress_callback_sees_improving_solutions() -> None:
    seen: list[Progress] = []
    solution = solve(random_problem(0), SolveOptions(time_limit_seconds=5, workers=1), seen.append)
    assert seen, "at least one solution reported"
    assert [p.solutions for p in seen] == list(range(1, len(seen) + 1))
    assert all(p.gap >= 0 and p.elapsed_seconds >= 0 for p in seen)
    assert solution.first_solution_seconds is not None


def test_statistics_and_bound_are_reported() -> None:
    solution = run(random_problem(1), SolveOptions(time_limit_seconds=5, workers=2))
    assert solution.status is Status.OPTIMAL
    assert solution.bound == solution.objective and solution.gap == 0.0
    for key in ("num_variables", "num_constraints", "num_branches", "num_conflicts"):
        assert key in solution.statistics
    assert solution.wall_seconds > 0


def test_solver_log_goes_through_logging(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="scheduler.cpsat"):
        solve(random_problem(2), SolveOptions(time_limit_seconds=2, log_search=True))
    assert any("CP-SAT" in r.getMessage() or "#" in r.getMessage() for r in caplog.records)


def test_sessions_are_sorted_by_request_and_index() -> None:
    solution = run(random_problem(6), SolveOptions(time_limit_seconds=5, workers=2))
    keys = [(s.request, s.index) for s in solution.sessions]
    assert keys == sorted(keys)
    assert set(solution.unscheduled).isdisjoint(solution.scheduled)


def test_public_surface_is_declared() -> None:
    for name in scheduler.__all__:
        assert hasattr(scheduler, name), name
    assert {"solve", "SolveOptions", "Progress", "Problem", "Solution"} <= set(scheduler.__all__)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_engine_stays_pure() -> None:
    # only scheduler/cpsat imports ortools; nothing imports the web or database stacks
    for path in SCHEDULER.rglob("*.py"):
        mods = _imports(path)
        assert not mods & {"sqlalchemy", "fastapi", "icalendar"}, path
        if "cpsat" not in path.parts:
            assert "ortools" not in mods, path


def test_search_phases_default_on_and_can_be_switched_off() -> None:
    # new options keep old callers working: all phases on unless asked otherwise
    options = SolveOptions()
    assert options.first_plan and options.lns and options.decompose
    plain = SolveOptions(first_plan=False, lns=False, decompose=False)
    solution = run(random_problem(4), plain)
    assert solution.status is Status.OPTIMAL
    assert solution.statistics["start_objective"] == -1  # no greedy start was made
