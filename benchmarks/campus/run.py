"""Campus benchmarks: generated campuses of the Amsterdam size, solved through the bridge.

Cases (targets from the scheduler issue, 2-core machine):
  year      the whole school year of one region in one solve: optimal or within 1% in 60 s
  week      one week re-solved with the rest of the year's plan pinned: <= 2 s
  regions   N regions (default 10) side by side, whole year: feasible in <= 30 s

Each case runs in a fresh subprocess (so peak memory is the case's own) and prints one JSON
line; `--repeat K` runs it K times and reports medians. Example:

    .venv/bin/python benchmarks/campus/run.py --case year --time-limit 60 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

YEAR_START = date(2026, 9, 1)


def _problem(regions: int, seed: int, first: date, last: date):  # type: ignore[no-untyped-def]
    from models.bridge import Horizon, build_problem
    from models.db import make_engine, session_scope
    from models.entities import Base
    from models.generate import generate_campus
    from models.store import load_scenarios

    scenario = generate_campus(regions, seed, year_start=YEAR_START)
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with session_scope(engine) as session:
        load_scenarios(session, [("generated", scenario)])
        first_week = "{}-W{:02d}".format(*first.isocalendar()[:2])
        last_week = "{}-W{:02d}".format(*last.isocalendar()[:2])
        return build_problem(
            session, Horizon(first_week, last_week), now=datetime(2026, 8, 1, 8, 0)
        )


def run_case(case: str, regions: int, seed: int, time_limit: float, workers: int) -> dict:
    from models.generate import school_year
    from scheduler import SolveOptions, solve
    from scheduler.validate import validate

    first, last = school_year(YEAR_START)
    started = time.perf_counter()
    if case == "week":
        year = _problem(1, seed, first, last)
        plan = solve(year, SolveOptions(time_limit_seconds=time_limit, workers=workers, seed=seed))
        week_first = date.fromisocalendar(2027, 12, 1)  # the week before daylight saving
        week_last = week_first + timedelta(days=6)
        in_week = {
            r.id for r in year.requests if r.earliest <= week_last and r.latest >= week_first
        }
        pinned = tuple(
            replace(s, pinned=not (week_first <= s.start.date() <= week_last))
            for s in plan.sessions
            if s.request in in_week
        )
        problem = replace(
            year,
            first_day=week_first,
            last_day=week_last,
            requests=tuple(r for r in year.requests if r.id in in_week),
            reference=pinned,
        )
        options = SolveOptions(time_limit_seconds=10, workers=workers, seed=seed)
    else:
        problem = _problem(regions if case == "regions" else 1, seed, first, last)
        options = SolveOptions(time_limit_seconds=time_limit, workers=workers, seed=seed)
    prepared = time.perf_counter() - started
    solution = solve(problem, options)
    report = validate(problem, solution)
    return {
        "case": case,
        "regions": regions if case == "regions" else 1,
        "seed": seed,
        "requests": len(problem.requests),
        "sessions_scheduled": len(solution.sessions),
        "scheduled": len(solution.scheduled),
        "status": solution.status.value,
        "variables": solution.statistics.get("num_variables"),
        "constraints": solution.statistics.get("num_constraints"),
        "prepare_seconds": round(prepared, 2),
        "build_seconds": solution.statistics.get("build_seconds"),
        "first_feasible_seconds": solution.first_solution_seconds,
        "wall_seconds": round(solution.wall_seconds, 2),
        "gap": solution.gap,
        "objective": solution.objective,
        "bound": solution.bound,
        "hard_violations": len(report.violations),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=("year", "week", "regions"), required=True)
    parser.add_argument("--regions", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.case, args.regions, args.seed, args.time_limit,
                                  args.workers)))  # fmt: skip
        return
    results = []
    for i in range(args.repeat):
        cmd = [sys.executable, __file__, "--child", "--case", args.case, "--regions",
               str(args.regions), "--seed", str(args.seed + i), "--time-limit",
               str(args.time_limit), "--workers", str(args.workers)]  # fmt: skip
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        print(json.dumps(result), flush=True)
        results.append(result)
    numeric = ("first_feasible_seconds", "wall_seconds", "gap", "max_rss_mb", "variables")
    summary = {
        key: statistics.median([r[key] for r in results if r[key] is not None])
        for key in numeric
        if any(r[key] is not None for r in results)
    }
    summary["machine"] = f"{platform.machine()}, {platform.python_version()}"
    print("median:", json.dumps(summary))


if __name__ == "__main__":
    main()
