"""The campus benchmark suite: the engine's paths side by side on the campus's own problems.

Every case of ``instances.py`` is solved by every chosen path of the engine (``--paths``)
over several seeds, and by the engine of other commits (``--compare REV``, each from a
``git worktree`` of that commit under ``out/campus-suite/engines/``, kept for the next
run; ``git worktree remove`` it when done). The runs are
interleaved seed by seed (for a seed: every case, then every engine and path) so that a
change of load on a shared machine hits every path alike. Each run is a fresh subprocess.

Printed: one JSON line per run (also appended to ``--out``), then per case, engine and
path the medians over seeds of what planners notice first: requests scheduled, then the
objective; with the median gap to the bound (100 % for no bound or a bound of 0), how
many runs reported a bound (gap under 100 %) and were proven optimal, wall seconds and
hard violations. Examples:

    .venv/bin/python benchmarks/campus/suite.py --cases year --seeds 1,2,3 --compare HEAD~1
    .venv/bin/python benchmarks/campus/suite.py --cases small --paths default,full,time-first
    .venv/bin/python benchmarks/campus/suite.py --cases small --check      # against recorded
    .venv/bin/python benchmarks/campus/suite.py --cases small --record     # keep new bests
    .venv/bin/python benchmarks/campus/suite.py --cases all --from-runs out/campus-suite/runs.jsonl

Paths (``SolveOptions`` fields; every engine path there is): ``default``; ``full``
(``time_first=False``, the full model); ``time-first`` (``time_first=True``);
``no-lns`` (``lns=False``); ``no-first-plan`` (``first_plan=False``); ``no-decompose``
(``decompose=False``).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RECORDED = HERE / "recorded.json"
ENGINES = ROOT / "out" / "campus-suite" / "engines"
SMALL = ("trainer-scarce", "equipment-scarce", "combined-classes", "holiday-courses")
ALL_CASES = ("year", "week", "regions", *SMALL)
TIME_LIMITS = {"year": 60.0, "regions": 30.0, "week": 10.0} | dict.fromkeys(SMALL, 10.0)
PATHS: dict[str, dict[str, bool]] = {
    "default": {},
    "full": {"time_first": False},
    "time-first": {"time_first": True},
    "no-lns": {"lns": False},
    "no-first-plan": {"first_plan": False},
    "no-decompose": {"decompose": False},
}
# The week re-solves a year plan made by a deterministic solve, whose wall-time guard (GUARD x
# its budget, scheduler/cpsat/budget.py) may end it early on a loaded machine: the same seed
# then gives another week.
UNRECORDED = ("week",)
OBJECTIVE_TOLERANCE = 0.02  # --check: a run more than this above the recorded best regressed


def _cases(text: str) -> list[str]:
    names: list[str] = []
    for name in text.split(","):
        names += list(SMALL) if name == "small" else list(ALL_CASES) if name == "all" else [name]
    unknown = [n for n in names if n not in ALL_CASES]
    if unknown:
        raise SystemExit(f"unknown case(s) {', '.join(unknown)}: choose from "
                         f"{', '.join(ALL_CASES)}, small, all")  # fmt: skip
    return names


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def _engine_dir(rev: str) -> tuple[str, Path]:
    """A checkout of ``rev`` (a git worktree under out/, made once) and its short hash."""
    try:
        commit = _git("rev-parse", "--short", f"{rev}^{{commit}}")
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"--compare {rev}: not a commit of {ROOT} ({exc.stderr.strip()})") from exc
    path = ENGINES / commit
    if not (path / "scheduler").is_dir():
        ENGINES.mkdir(parents=True, exist_ok=True)
        _git("worktree", "add", "--detach", str(path), commit)
    return commit, path


def _current_commit() -> str:
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", "scheduler")
    return commit + ("+" if dirty else "")


# --- children -----------------------------------------------------------------------


def _child_build(case: str, seed: int, out: Path) -> None:
    """Build the Problem with this tree's generator and bridge, pickled to ``out``."""
    sys.path.insert(0, str(HERE))
    from instances import build

    out.write_bytes(pickle.dumps(build(case, seed)))


def _child_solve(problem_file: Path, engine: Path, path: str, seconds: float, workers: int,
                 seed: int) -> dict[str, Any]:  # fmt: skip
    """Solve with the engine of ``engine`` (its ``scheduler`` package first on sys.path)."""
    import resource

    sys.path.insert(0, str(engine))
    import scheduler
    from scheduler import SolveOptions, solve
    from scheduler.validate import validate

    if not Path(scheduler.__file__).resolve().is_relative_to(engine.resolve()):
        raise RuntimeError(f"scheduler imported from {scheduler.__file__}, not from {engine}")
    problem = pickle.loads(problem_file.read_bytes())
    options = SolveOptions(time_limit_seconds=seconds, workers=workers, seed=seed, **PATHS[path])
    solution = solve(problem, options)
    report = validate(problem, solution)
    stats = solution.statistics
    return {
        "requests": len(problem.requests),
        "scheduled": len(solution.scheduled),
        "sessions": len(solution.sessions),
        "status": solution.status.value,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "engine_used": stats.get("engine", "full" if "solver_status" in stats else "parts"),
        "first_solution_seconds": solution.first_solution_seconds,
        "wall_seconds": round(solution.wall_seconds, 2),
        "hard_violations": len(report.violations),
        "validator_objective": report.objective,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


# --- the parent ---------------------------------------------------------------------


def _run(cmd: list[str]) -> str:
    done = subprocess.run([sys.executable, __file__, *cmd], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return done.stdout.strip().splitlines()[-1]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per case, engine and path: medians over seeds, in the order planners judge."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["case"], row["engine"], row["path"]), []).append(row)
    out = []
    for (case, engine, path), runs in groups.items():
        ok = [r for r in runs if "error" not in r and r["objective"] is not None]
        # no bound, or a bound of 0 (a phase proved nothing): a gap of 100 %
        gaps = [1.0 if r["gap"] is None else r["gap"] for r in ok]
        out.append({
            "case": case, "engine": engine, "path": path, "runs": len(runs),
            "scheduled": _median([r["scheduled"] for r in ok]),
            "objective": _median([r["objective"] for r in ok]),
            "gap": _median(gaps),
            "with_bound": sum(g < 1.0 for g in gaps),
            "optimal": sum(r["status"] == "optimal" for r in ok),
            "wall_seconds": _median([r["wall_seconds"] for r in ok]),
            "hard_violations": sum(r["hard_violations"] for r in ok),
            "errors": len(runs) - len(ok),
        })  # fmt: skip
    return out


def _table(summary: list[dict[str, Any]]) -> str:
    lines = ["| case | engine | path | runs | scheduled | objective | gap | bound/optimal | "
             "wall s | violations |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip

    def num(x: float | None, fmt: str) -> str:
        return "-" if x is None else format(x, fmt)

    for s in summary:
        errors = f" (errors: {s['errors']})" if s["errors"] else ""
        lines.append(
            f"| {s['case']} | {s['engine']} | {s['path']} | {s['runs']} | "
            f"{num(s['scheduled'], 'g')} | {num(s['objective'], ',.0f')} | "
            f"{num(None if s['gap'] is None else 100 * s['gap'], '.2f')} % | "
            f"{s['with_bound']}/{s['optimal']} | {num(s['wall_seconds'], '.1f')} | "
            f"{s['hard_violations']}{errors} |"
        )
    return "\n".join(lines)


def load_recorded(path: Path = RECORDED) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {"instances": {}}


def check(rows: list[dict[str, Any]], recorded: dict[str, Any]) -> list[str]:
    """Regressions against the recorded bests: invalid, fewer scheduled, objective higher."""
    problems = []
    for row in rows:
        where = f"{row['case']} seed {row['seed']} ({row['engine']}, {row['path']})"
        if "error" in row:
            problems.append(f"{where}: {row['error']}")
            continue
        if row["hard_violations"] or row["validator_objective"] != row["objective"]:
            problems.append(f"{where}: {row['hard_violations']} hard violations, objective "
                            f"{row['objective']} (validator {row['validator_objective']})")
        best = recorded["instances"].get(row["case"], {}).get(str(row["seed"]))
        if best is None:
            continue
        if row["scheduled"] < best["scheduled"]:
            problems.append(f"{where}: {row['scheduled']} requests scheduled, "
                            f"recorded {best['scheduled']}")  # fmt: skip
        if row["objective"] > best["objective"] * (1 + OBJECTIVE_TOLERANCE):
            problems.append(f"{where}: objective {row['objective']:,}, recorded "
                            f"{best['objective']:,} (+{OBJECTIVE_TOLERANCE:.0%} allowed)")
    return problems


def record(rows: list[dict[str, Any]], path: Path = RECORDED) -> None:
    """Keep, per case and seed, the best objective (with its scheduled count) and the
    highest bound any valid run reached, with how and when each was measured."""
    data = load_recorded(path)
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    for row in rows:
        if "error" in row or row["hard_violations"] or row["objective"] is None:
            continue
        if row["case"] in UNRECORDED:
            continue
        how = (f"{row['engine']} {row['path']}, {row['time_limit']:g} s, {row['workers']} "
               f"workers, {when}")  # fmt: skip
        entry = data["instances"].setdefault(row["case"], {}).get(str(row["seed"]))
        if entry is None or row["objective"] < entry["objective"]:
            bound = entry and entry.get("bound")
            entry = {"objective": row["objective"], "scheduled": row["scheduled"],
                     "requests": row["requests"], "objective_how": how,
                     "bound": bound, "bound_how": entry and entry.get("bound_how")}  # fmt: skip
        if row["bound"] is not None and (entry["bound"] is None or row["bound"] > entry["bound"]):
            entry["bound"], entry["bound_how"] = row["bound"], how
        data["instances"][row["case"]][str(row["seed"])] = entry
    data["machine"] = f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}"
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="small", help="comma-separated; 'small', 'all'")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--paths", default="default,full,time-first")
    parser.add_argument("--compare", action="append", default=[], metavar="REV",
                        help="also run the engine of this commit (repeatable)")
    parser.add_argument("--no-current", action="store_true",
                        help="only the --compare engines (not this working tree)")
    parser.add_argument("--time-limit", type=float, help="override every case's own limit")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "campus-suite" / "runs.jsonl")
    parser.add_argument("--check", action="store_true", help="exit 1 on a regression")
    parser.add_argument("--record", action="store_true", help="update recorded.json")
    parser.add_argument("--from-runs", type=Path, metavar="JSONL",
                        help="run nothing: summarise (--record, --check) the runs of a file "
                             "--out wrote, those of --cases and --seeds")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            _child_build(rest[0], int(rest[1]), Path(rest[2]))
            print("built")
        else:
            file, engine, path, seconds, workers, seed = rest
            print(json.dumps(_child_solve(Path(file), Path(engine), path, float(seconds),
                                          int(workers), int(seed))))  # fmt: skip
        return
    cases = _cases(args.cases)
    seeds = [int(s) for s in args.seeds.split(",")]
    paths = args.paths.split(",")
    unknown = [p for p in paths if p not in PATHS]
    if unknown:
        raise SystemExit(f"unknown path(s) {', '.join(unknown)}: choose from {', '.join(PATHS)}")
    if args.from_runs:
        rows = [json.loads(line) for line in args.from_runs.read_text().splitlines() if line]
        rows = [r for r in rows if r["case"] in cases and r["seed"] in seeds]
        _report(rows, args)
        return
    engines = [] if args.no_current else [(_current_commit(), ROOT)]
    engines += [_engine_dir(rev) for rev in args.compare]
    if not engines:
        raise SystemExit("--no-current needs at least one --compare REV")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, "
          f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)  # fmt: skip
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            for case in cases:
                file = Path(tmp) / f"{case}-{seed}.pickle"
                _run(["--child", "build", case, str(seed), str(file)])
                seconds = args.time_limit or TIME_LIMITS[case]
                for commit, engine in engines:
                    for path in paths:
                        row: dict[str, Any] = {
                            "case": case, "seed": seed, "engine": commit, "path": path,
                            "time_limit": seconds, "workers": args.workers,
                            "load": round(os.getloadavg()[0], 1),
                        }  # fmt: skip
                        cmd = ["--child", "solve", str(file), str(engine), path, str(seconds),
                               str(args.workers), str(seed)]  # fmt: skip
                        started = time.perf_counter()
                        try:
                            row.update(json.loads(_run(cmd)))
                        except RuntimeError as exc:
                            row["error"] = str(exc)
                        row["process_seconds"] = round(time.perf_counter() - started, 1)
                        print(json.dumps(row), flush=True)
                        with args.out.open("a") as handle:
                            handle.write(json.dumps(row) + "\n")
                        rows.append(row)
    _report(rows, args)


def _report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(_table(summarise(rows)))
    if args.record:
        record(rows)
    if args.check:
        problems = check(rows, load_recorded())
        for line in problems:
            print("REGRESSION:", line)
        if problems:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
