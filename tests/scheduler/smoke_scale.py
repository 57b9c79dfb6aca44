"""Scale smoke check (not a test, not timed): the Amsterdam campus through the real bridge.

    .venv/bin/python -m tests.scheduler.smoke_scale [regions] [first-week] [last-week] [seconds]

Loads ``models.generate.generate_campus(regions)`` into an in-memory SQLite database,
builds the Problem with ``models.bridge.build_problem`` and solves it on two workers,
printing model size, time to first solution, objective, bound and gap.
"""

from __future__ import annotations

import sys
import time

from models.bridge import Horizon, build_problem
from models.db import make_engine, session_scope
from models.generate import AMSTERDAM_SEED, generate_campus
from models.migrate import upgrade
from models.store import load_scenarios
from scheduler import Progress, SolveOptions, solve
from scheduler.cpsat.interval.model import build_model
from scheduler.validate import validate


def main() -> None:
    regions = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    first = sys.argv[2] if len(sys.argv) > 2 else "2026-W36"
    last = sys.argv[3] if len(sys.argv) > 3 else "2027-W28"
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 60
    engine = make_engine("sqlite://")
    upgrade(engine)
    with session_scope(engine) as session:
        load_scenarios(session, [("generated", generate_campus(regions, AMSTERDAM_SEED))])
        problem = build_problem(session, Horizon(first, last))
    sessions = sum(problem.activity(r.activity).sessions for r in problem.requests)
    print(f"{len(problem.requests)} requests, {sessions} sessions, {len(problem.days())} days")
    t0 = time.perf_counter()
    built = build_model(problem)
    assert built.model is not None
    proto = built.model.proto
    print(
        f"build {time.perf_counter() - t0:.1f}s: {len(proto.variables)} variables, "
        f"{len(proto.constraints)} constraints"
    )

    def show(p: Progress) -> None:
        print(
            f"  {p.elapsed_seconds:6.1f}s  #{p.solutions}  obj {p.objective:.0f}  gap {p.gap:.2%}"
        )

    solution = solve(problem, SolveOptions(time_limit_seconds=seconds, workers=2), show)
    print(solution.status, solution.objective, solution.bound, f"gap {solution.gap}")
    print(f"first solution {solution.first_solution_seconds}s, wall {solution.wall_seconds:.1f}s")
    print({k: v for k, v in solution.components.items() if v})
    report = validate(problem, solution)
    print("validator:", "ok" if report.ok else report.violations[:5], report.objective)


if __name__ == "__main__":
    main()
