"""The orchestrator: prune, split into parts, choose an engine per part, merge.

How the search goes (docs/scheduler.md, "How the engine searches"):

1. candidates are pruned (``prep/candidates.py``); independent parts of the problem (no
   shared location, trainer or group) are solved one after the other and merged
   (``prep/decompose.py``);
2. each part goes to one of two engines: the time-first engine (``timefirst/``) on a
   coarse grid from ``TIME_FIRST_MIN_SESSIONS`` sessions on, else the interval engine
   (``interval/``), CP-SAT on the whole model followed by large-neighbourhood search;
   both start from a greedy plan (``prep/greedy.py``).
"""

from __future__ import annotations

import time

from scheduler.cpsat.best import ProgressCallback, infeasible
from scheduler.cpsat.interval.engine import solve_interval
from scheduler.cpsat.prep.candidates import Candidates, build_candidates
from scheduler.cpsat.prep.decompose import (
    DECOMPOSE_MIN_SESSIONS,
    FAR_TRAINER_MINUTES,
    parts_are_exact,
    solve_parts,
    split,
)
from scheduler.cpsat.timefirst.engine import solve_time_first
from scheduler.options import SolveOptions
from scheduler.problem import PlannedSession, Problem
from scheduler.solution import Solution


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    progress: ProgressCallback | None = None,
) -> Solution:
    """Schedule ``problem``; always returns a Solution (status tells how it went)."""
    options = options or SolveOptions()
    started = time.perf_counter()
    cands = build_candidates(problem)
    if cands.infeasible:
        return infeasible(cands.infeasible, started)
    if options.decompose:
        parts = split(problem, cands)
        exact = len(parts) > 1 and parts_are_exact(problem)
        if not exact and _big(cands):  # heuristic: far trainers do not tie regions together
            parts = split(problem, cands, FAR_TRAINER_MINUTES)
        if len(parts) > 1 and (exact or _big(cands)):
            return solve_parts(problem, parts, options, progress, started, _solve_whole, exact)
    return _solve_whole(problem, cands, options, progress, started, options.time_limit_seconds)


TIME_FIRST_MIN_SESSIONS = 100  # below, the full model proves optimality faster


def _time_first(options: SolveOptions, cands: Candidates) -> bool:
    """Whether to use the time-first engine (when its model fits the grid)."""
    if options.time_first is None:
        return len(cands.sessions()) >= TIME_FIRST_MIN_SESSIONS
    return options.time_first


def _big(cands: Candidates) -> bool:
    return len(cands.sessions()) >= DECOMPOSE_MIN_SESSIONS


def _solve_whole(
    problem: Problem,
    cands: Candidates,
    options: SolveOptions,
    progress: ProgressCallback | None,
    started: float,
    budget: float,
    first: list[PlannedSession] | None = None,
) -> Solution:
    """One part with one engine, within ``budget`` seconds from ``started``.

    ``first``: a greedy plan already made for this problem (else the engine makes one).
    """
    if _time_first(options, cands):  # the time-indexed engine of timefirst/
        found = solve_time_first(problem, cands, options, progress, started, budget, first)
        if found is not None:  # None: the grid is too fine for its model
            return found
    return solve_interval(problem, cands, options, progress, started, budget, first)
