"""The orchestrator: prune, split into parts, choose an engine per part, merge.

How the search goes (docs/scheduler.md, "How the engine searches"):

1. candidates are pruned (``prep/candidates.py``); independent parts of the problem (no
   shared location, trainer or group) are solved one after the other and merged
   (``prep/decompose.py``);
2. each part goes to one of two engines: the time-first engine (``timefirst/``) on a
   coarse grid from ``Settings.time_first.min_sessions`` sessions on, else the interval engine
   (``interval/``), CP-SAT on the whole model followed by large-neighbourhood search;
   both start from a greedy plan (``prep/greedy.py``).
"""

from __future__ import annotations

import time

from scheduler.cpsat.best import ProgressCallback, infeasible
from scheduler.cpsat.interval.engine import solve_interval
from scheduler.cpsat.prep.candidates import Candidates, build_candidates
from scheduler.cpsat.prep.decompose import parts_are_exact, solve_parts, split
from scheduler.cpsat.settings import DEFAULT_SETTINGS, Settings
from scheduler.cpsat.timefirst.engine import solve_time_first
from scheduler.options import SolveOptions
from scheduler.problem import PlannedSession, Problem
from scheduler.solution import Solution


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    progress: ProgressCallback | None = None,
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> Solution:
    """Schedule ``problem``; always returns a Solution (status tells how it went).

    ``settings``: the engine's tuning constants; only benchmarks and experiments change them.
    """
    options = options or SolveOptions()
    started = time.perf_counter()
    cands = build_candidates(problem)
    if cands.infeasible:
        return infeasible(cands.infeasible, started)
    if options.decompose:
        parts = split(problem, cands)
        exact = len(parts) > 1 and parts_are_exact(problem)
        big = len(cands.sessions()) >= settings.decompose_min_sessions
        if not exact and big:  # heuristic: far trainers do not tie regions together
            parts = split(problem, cands, settings.far_trainer_minutes)
        if len(parts) > 1 and (exact or big):
            return solve_parts(
                problem, parts, options, progress, started, _solve_whole, exact, settings
            )
    budget = options.time_limit_seconds
    return _solve_whole(problem, cands, options, progress, started, budget, settings=settings)


def _time_first(options: SolveOptions, cands: Candidates, settings: Settings) -> bool:
    """Whether to use the time-first engine (when its model fits the grid)."""
    if options.time_first is None:
        return len(cands.sessions()) >= settings.time_first.min_sessions
    return options.time_first


def _solve_whole(
    problem: Problem,
    cands: Candidates,
    options: SolveOptions,
    progress: ProgressCallback | None,
    started: float,
    budget: float,
    first: list[PlannedSession] | None = None,
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> Solution:
    """One part with one engine, within ``budget`` seconds from ``started``.

    ``first``: a greedy plan already made for this problem (else the engine makes one).
    """
    if _time_first(options, cands, settings):  # the time-indexed engine of timefirst/
        found = solve_time_first(
            problem, cands, options, progress, started, budget, first, settings=settings
        )
        if found is not None:  # None: the grid is too fine for its model
            return found
    return solve_interval(
        problem, cands, options, progress, started, budget, first, settings=settings
    )
