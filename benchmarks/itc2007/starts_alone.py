"""One phase of the time-first engine at a time, from one fixed start, over several seeds.

    python benchmarks/itc2007/starts_alone.py comp12 --seconds 40 --seeds 0-11
    python benchmarks/itc2007/starts_alone.py comp12 --seconds 40 --seeds 0-11 --without days
    python benchmarks/itc2007/starts_alone.py comp12 --seconds 40 --seeds 0-11 --independent
    python benchmarks/itc2007/starts_alone.py comp12 --seconds 20 --seeds 0 --cpsat --ls-only
    python benchmarks/itc2007/starts_alone.py comp07 --seconds 24 --seeds 0 --exact 25
    python benchmarks/itc2007/starts_alone.py comp12 --seconds 25 --seeds 0-2 --local-search 15

Whole runs of ``run.py`` vary so much (two threads share the work, the first plan differs)
that a change to one phase drowns in the spread. This script fixes the start: CP-SAT on
the time-first model from the greedy plan for ``--first`` seconds (2 workers, seed 0),
once; then, for each seed, only the phase under study from that same assignment:

- the search on the starts (``StartSearch``) for ``--seconds``, on ``--threads`` threads,
  optionally ``--without`` one of its neighbourhoods;
- ``--independent``: two single-thread searches side by side (two processes, seeds s and
  s + 1), keeping the better: one result per pair of seeds;
- ``--cpsat``: CP-SAT itself on the whole time-first model from the start, 2 workers
  (``--ls-only``: its local search workers only);
- ``--exact S``: after the search on the starts, place the starts (3 s) and run the exact
  search (``NeighbourhoodSearch``) for S seconds; prints the plan's total and room
  stability;
- ``--local-search S``: the incremental local search of ``local_search.py`` (simulated
  annealing from ``--temperature`` down to 0.05) for S seconds, then the search on the
  starts for ``--seconds`` (0: none); ``--local-search-after``: the search first.

``--step S`` gives the search's sub-models a time limit of S seconds instead of the
engine's ``StartSearchSettings.step_seconds``.

Results are time-first objectives (``--exact``: the plan's weighted total, which equals the
UD2 cost on these instances). The start itself differs from one invocation to the next
(CP-SAT's two workers share the time): compare variants within one invocation's start, or
across invocations only roughly; or name a ``--start-file``: the first invocation writes
its start there and the others start from it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from itc2007_mapping import parse_ctt, to_problem
from local_search import LocalSearch, Outcome  # next to this script
from ortools.sat.python import cp_model

import scheduler.cpsat.timefirst.start_search as start_search
from scheduler.cpsat.budget import TimeBudget
from scheduler.cpsat.hints import Values
from scheduler.cpsat.prep.candidates import Candidates, build_candidates
from scheduler.cpsat.prep.greedy import greedy_plan
from scheduler.cpsat.score import weighted_components
from scheduler.cpsat.settings import DEFAULT_SETTINGS
from scheduler.cpsat.timefirst.build import build_slot_model
from scheduler.cpsat.timefirst.engine import NeighbourhoodSearch, place, solve_slots
from scheduler.cpsat.timefirst.model import SlotModel
from scheduler.problem import Problem

INSTANCES = Path(__file__).resolve().parent / "instances"
PLACE_SECONDS = 3.0


def load(instance: str) -> tuple[Problem, Candidates, SlotModel]:
    path = INSTANCES / f"{instance}.ctt"
    if not path.is_file():
        raise SystemExit(f"{instance}: no such instance ({path} does not exist)")
    problem = to_problem(parse_ctt(path.read_text()))
    cands = build_candidates(problem)
    sm = build_slot_model(problem, cands)
    if sm is None:
        raise SystemExit(f"{instance}: the time-first model does not apply")
    return problem, cands, sm


def seeds(text: str) -> list[int]:
    """``0-11`` or ``0,3,5``."""
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        out.extend(range(int(first), int(last or first) + 1))
    return out


@dataclass(frozen=True)
class Search:
    """How the search on the starts runs: for how long, and without which neighbourhood."""

    seconds: float
    stall: float
    without: str | None = None
    step: float | None = None  # a sub-model's time limit, if not the engine's


def search(
    sm: SlotModel, values: Values, objective: int, seed: int, threads: int, how: Search
) -> tuple[Values, int, start_search.StartSearch]:
    """The search on the starts alone; its assignment, objective, and the search (its
    counts of sub-models and improvements per neighbourhood)."""
    tuning = DEFAULT_SETTINGS.start_search
    if how.without:
        operators = tuple(o for o in tuning.operators if o != how.without)
        tuning = dataclasses.replace(tuning, operators=operators)
    if how.step is not None:
        tuning = dataclasses.replace(tuning, step_seconds=how.step)
    settings = dataclasses.replace(DEFAULT_SETTINGS, start_search=tuning)
    s = start_search.StartSearch(sm, seed, threads, False, settings)
    found, best = s.run(values, objective, seconds=how.seconds, stall=how.stall, lower_bound=0.0)
    return found, best, s


_SM: SlotModel | None = None  # each worker process of --independent builds its own


def _one_thread(instance: str, values: Values, objective: int, seed: int, how: Search) -> int:
    global _SM
    if _SM is None:
        _SM = load(instance)[2]
    return search(_SM, values, objective, seed, 1, how)[1]


def cpsat(sm: SlotModel, values: Values, seconds: float, seed: int, ls_only: bool) -> int:
    """CP-SAT's own search on the whole time-first model, from ``values`` as a hint."""
    model = sm.model.clone()
    model.clear_hints()
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    solver.parameters.use_ls_only = ls_only
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SystemExit(f"CP-SAT ended {solver.status_name(code)}")
    return round(solver.objective_value)


def fixed_start(
    problem: Problem, cands: Candidates, sm: SlotModel, seconds: float, file: Path | None
) -> tuple[Values, int, str]:
    """The fixed start, its objective and where it came from: CP-SAT on the time-first
    model from the greedy plan for ``seconds``, or what an earlier invocation wrote."""
    if file is not None and file.is_file():
        try:
            saved = json.loads(file.read_text())
        except ValueError as err:
            raise SystemExit(f"{file}: not a start of this instance's time-first model "
                             f"(not JSON: {err})") from None  # fmt: skip
        values = saved.get("values") if isinstance(saved, dict) else None
        objective = saved.get("objective") if isinstance(saved, dict) else None
        if (not isinstance(values, list) or len(values) != len(sm.model.proto.variables)
                or not isinstance(objective, int)):  # fmt: skip
            raise SystemExit(f"{file}: not a start of this instance's time-first model "
                             "(an object with its 'objective' and all its 'values')")  # fmt: skip
        return values, objective, f"from {file}"
    first = solve_slots(sm, greedy_plan(problem, cands), seconds=seconds, workers=2, seed=0)
    if first.values is None or first.objective is None:
        raise SystemExit(f"no start in {seconds} s ({first.status})")
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        part = file.with_name(file.name + ".part")  # no half-written start if interrupted
        part.write_text(json.dumps({"objective": first.objective, "values": first.values}))
        part.replace(file)
        return first.values, first.objective, f"after {seconds:g} s of CP-SAT, written to {file}"
    return first.values, first.objective, f"after {seconds:g} s of CP-SAT"


def local_search(
    sm: SlotModel, values: Values, seed: int, seconds: float, temperature: float, penalty: int
) -> tuple[Outcome, str]:
    """The local search alone; its outcome and a line about it."""
    out = LocalSearch(sm, seed).run(values, seconds, t0=temperature, weight=penalty)
    line = (f"local search {out.objective} in {seconds:g} s, {out.tried} moves "
            f"({out.tried / seconds:.0f}/s), {out.accepted} accepted, "
            f"{out.improvements} improving")  # fmt: skip
    return out, line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instance", help="e.g. comp12 (a file in instances/)")
    ap.add_argument(
        "--first",
        type=float,
        default=6.0,
        help="seconds of CP-SAT for the fixed start (6: the engine's at 60 s)",
    )
    ap.add_argument(
        "--start-file",
        type=Path,
        metavar="F",
        help="the start from F (JSON) if it exists, else made as usual and written to F: "
        "the same start for every invocation that names F",
    )
    ap.add_argument("--seconds", type=float, default=40.0, help="seconds of the phase")
    ap.add_argument("--seeds", type=seeds, default=[0], help="e.g. 0-11 or 0,2")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--stall", type=float, default=6.0, help="the search's stall time (6: the engine's at 60 s)"
    )
    ap.add_argument(
        "--without",
        choices=DEFAULT_SETTINGS.start_search.operators,
        help="leave out this neighbourhood of the search on the starts",
    )
    ap.add_argument(
        "--step",
        type=float,
        metavar="S",
        help="time limit of one sub-model of the search "
        f"({DEFAULT_SETTINGS.start_search.step_seconds:g}: the engine's)",
    )
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument(
        "--independent",
        action="store_true",
        help="two single-thread searches side by side, the better kept",
    )
    mode.add_argument("--cpsat", action="store_true", help="CP-SAT instead of the search")
    mode.add_argument(
        "--exact", type=float, metavar="S", help="then place and run the exact search for S seconds"
    )
    mode.add_argument(
        "--local-search", type=float, metavar="S", help="S seconds of local_search.py first"
    )
    ap.add_argument("--ls-only", action="store_true", help="with --cpsat: use_ls_only")
    ap.add_argument(
        "--local-search-after", action="store_true", help="the local search after the search"
    )
    ap.add_argument(
        "--temperature", type=float, default=10.0, help="the local search's first temperature"
    )
    ap.add_argument(
        "--penalty",
        type=int,
        default=0,
        help="the local search may break hard rules at this cost each (0: never)",
    )
    args = ap.parse_args(argv)
    if args.local_search_after and args.local_search is None:
        ap.error("--local-search-after needs --local-search")
    if args.local_search is not None and args.local_search <= 0:
        ap.error("--local-search needs a positive number of seconds")
    if args.step is not None and args.step <= 0:
        ap.error("--step needs a positive number of seconds")
    if args.temperature <= 0:
        ap.error("--temperature must be positive (the local search cools from it to 0.05)")
    if args.penalty < 0:
        ap.error("--penalty must be 0 (never break a hard rule) or positive (its cost)")
    if args.seconds <= 0 and args.local_search is None:
        ap.error("--seconds must be positive (0 only with --local-search: that search alone)")
    if args.ls_only and not args.cpsat:
        ap.error("--ls-only needs --cpsat")
    if args.without and args.cpsat:
        ap.error("--without leaves out a neighbourhood of the search, which --cpsat replaces")
    if args.independent and len(args.seeds) % 2:
        ap.error("--independent pairs the seeds: give an even number of them")

    problem, cands, sm = load(args.instance)
    values, objective, whence = fixed_start(problem, cands, sm, args.first, args.start_file)
    print(f"{args.instance}: start {objective} {whence}", flush=True)
    how = Search(args.seconds, args.stall, args.without, args.step)

    results: list[int] = []
    if args.independent:
        spawn = multiprocessing.get_context("spawn")  # no fork of a process running CP-SAT
        with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
            for a, b in zip(args.seeds[::2], args.seeds[1::2], strict=True):
                pair = [
                    pool.submit(_one_thread, args.instance, values, objective, s, how)
                    for s in (a, b)
                ]
                found = [f.result() for f in pair]
                results.append(min(found))
                print(f"seeds {a}, {b}: {found[0]}, {found[1]} -> {min(found)}", flush=True)
    for seed in [] if args.independent else args.seeds:
        t0 = time.perf_counter()
        if args.cpsat:
            results.append(cpsat(sm, values, args.seconds, seed, args.ls_only))
            print(f"seed {seed}: {results[-1]}", flush=True)
            continue
        ls = args.local_search
        start, start_objective, before = values, objective, ""
        if ls is not None and not args.local_search_after:
            out, before = local_search(sm, values, seed, ls, args.temperature, args.penalty)
            start, start_objective = out.values, out.objective
        if args.seconds > 0:
            found, best, done = search(sm, start, start_objective, seed, args.threads, how)
        else:
            found, best, done = start, start_objective, None
        if args.exact is None:
            after = ""
            if ls is not None and args.local_search_after:
                out, after = local_search(sm, found, seed, ls, args.temperature, args.penalty)
                found, best = out.values, out.objective
            parts = [before]
            if done is not None:
                improving = ", ".join(
                    f"{op} {n}/{done.tried[op]}" for op, n in done.improved.items()
                )
                parts.append(f"{done.iterations} sub-models, {done.rounds} reweighted rounds, "
                             f"improving/solved: {improving}")  # fmt: skip
            parts.append(after)
            results.append(best)
            print(
                f"seed {seed}: {best} ({time.perf_counter() - t0:.1f} s; "
                f"{'; '.join(p for p in parts if p)})",
                flush=True,
            )
            continue
        assert done is not None
        placed = place(
            problem, cands, sm.starts(found), seconds=PLACE_SECONDS, workers=2, seed=seed
        )
        if placed is None:
            raise SystemExit(f"seed {seed}: the starts could not be placed")
        exact = NeighbourhoodSearch(problem, cands, seed, 2, False)
        plan, total = exact.run(
            placed,
            budget=TimeBudget(args.exact, deterministic=False),
            lower_bound=0.0,
        )
        results.append(total)
        rs = weighted_components(problem, plan).get("room_stability", 0)
        print(
            f"seed {seed}: starts {best}, placed "
            f"{sum(weighted_components(problem, placed).values())}, exact search {total} "
            f"(room stability {rs}, {exact.iterations} sub-models)",
            flush=True,
        )
    print(f"median {statistics.median(results):g} of {len(results)}: {sorted(results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
