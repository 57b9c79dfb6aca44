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

import dataclasses
import logging
import time

from ortools.sat.python import cp_model

from scheduler.cpsat.best import ProgressCallback, infeasible
from scheduler.cpsat.budget import limit
from scheduler.cpsat.interval.engine import solve_interval
from scheduler.cpsat.interval.model import build_model
from scheduler.cpsat.prep.candidates import Candidates, build_candidates, frozen_sessions
from scheduler.cpsat.prep.decompose import parts_are_exact, solve_parts, split
from scheduler.cpsat.score import weighted_components
from scheduler.cpsat.settings import DEFAULT_SETTINGS, Settings
from scheduler.cpsat.timefirst.engine import solve_time_first
from scheduler.options import SolveOptions
from scheduler.problem import ActivityCode, PlannedSession, Problem, RequestId
from scheduler.replan import compute_changes
from scheduler.solution import Solution, Status

log = logging.getLogger("scheduler.cpsat")


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    progress: ProgressCallback | None = None,
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> Solution:
    """Schedule ``problem``; always returns a Solution (status tells how it went).

    A running course (sessions frozen, others still to place) that can no longer be
    completed under the rules keeps its frozen sessions and is listed in
    ``Solution.incomplete``; everything else is planned as usual (docs/scheduler.md,
    "Re-planning").

    ``settings``: the engine's tuning constants; only benchmarks and experiments change them.
    """
    options = options or SolveOptions()
    started = time.perf_counter()
    broken = courses_that_cannot_finish(problem, options, settings)
    if not broken:
        solution = _solve(problem, options, progress, started, settings)
        running = _running_courses(problem)
        if solution.status is not Status.INFEASIBLE or not running:
            return solution
        # each course could finish alone, but not all together: rather than no plan at all,
        # every running course keeps only its frozen sessions
        log.info("running courses cannot all finish together: %s", ", ".join(sorted(running)))
        broken = running
    kept, rest = _keep_only_frozen(problem, broken)
    if not options.deterministic:  # deterministic mode keeps its budget: same input, same plan
        left = max(0.05, options.time_limit_seconds - (time.perf_counter() - started))
        options = dataclasses.replace(options, time_limit_seconds=left)
    solution = _solve(kept, options, progress, started, settings)
    if solution.status in (Status.INFEASIBLE, Status.UNKNOWN) and not solution.sessions:
        stats = {**solution.statistics, "incomplete_courses": ", ".join(sorted(broken))}
        return dataclasses.replace(solution, statistics=stats)
    return _completed(problem, solution, broken, rest)


def _running_courses(problem: Problem) -> set[RequestId]:
    """Requests holding frozen sessions that still have sessions to place."""
    held: dict[RequestId, set[int]] = {}
    for rid, k in frozen_sessions(problem):
        held.setdefault(rid, set()).add(k)
    return {
        r.id
        for r in problem.requests
        if r.id in held
        and not held[r.id] >= set(range(1, problem.activity(r.activity).sessions + 1))
    }


def courses_that_cannot_finish(
    problem: Problem, options: SolveOptions, settings: Settings = DEFAULT_SETTINGS
) -> set[RequestId]:
    """Requests with frozen sessions whose other sessions cannot be placed even alone.

    Each running course is tried in a problem of its own (its frozen sessions, the whole
    campus, no other request): infeasible there, it is infeasible in any plan, and forcing it
    would make the whole solve infeasible.
    """
    running = _running_courses(problem)
    broken: set[RequestId] = set()
    for request in problem.requests:
        if request.id not in running:
            continue
        alone = dataclasses.replace(
            problem,
            requests=(request,),
            reference=tuple(s for s in problem.reference if s.request == request.id),
        )
        cands = build_candidates(alone)
        if cands.infeasible:
            broken.add(request.id)
            continue
        built = build_model(alone, cands)
        if built.model is None:
            broken.add(request.id)
            continue
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = options.seed
        solver.parameters.stop_after_first_solution = True
        seconds = min(settings.isolation_seconds, max(0.05, options.time_limit_seconds / 20))
        limit(solver.parameters, seconds, options.deterministic)
        if solver.solve(built.model) == cp_model.INFEASIBLE:
            broken.add(request.id)
    return broken


def _keep_only_frozen(
    problem: Problem, broken: set[RequestId]
) -> tuple[Problem, dict[RequestId, tuple[PlannedSession, ...]]]:
    """The problem with each broken course cut down to its frozen sessions.

    When those are sessions 1..m, the course stays in the problem as an activity of m
    sessions, so its sessions keep their resources busy and cost what they cost; otherwise
    (a pinned later session after a gap) it leaves the problem and its frozen sessions are
    returned, to be put back afterwards.
    """
    frozen = frozen_sessions(problem)
    activities = list(problem.activities)
    requests = []
    rest: dict[RequestId, tuple[PlannedSession, ...]] = {}
    for r in problem.requests:
        if r.id not in broken:
            requests.append(r)
            continue
        held = sorted(k for rid, k in frozen if rid == r.id)
        if held != list(range(1, len(held) + 1)):
            rest[r.id] = tuple(frozen[r.id, k] for k in held)
            continue
        act = problem.activity(r.activity)
        code = ActivityCode(f"{act.code}#kept:{r.id}")
        activities.append(dataclasses.replace(act, code=code, sessions=len(held)))
        requests.append(dataclasses.replace(r, activity=code))
    reduced = dataclasses.replace(
        problem,
        activities=tuple(activities),
        requests=tuple(requests),
        reference=tuple(s for s in problem.reference if s.request not in rest),
    )
    return reduced, rest


def _completed(
    problem: Problem,
    solution: Solution,
    broken: set[RequestId],
    rest: dict[RequestId, tuple[PlannedSession, ...]],
) -> Solution:
    """The reduced problem's solution as one of ``problem``: broken courses incomplete."""
    sessions = tuple(
        sorted((*solution.sessions, *(s for kept in rest.values() for s in kept)),
               key=lambda s: (s.request, s.index))
    )  # fmt: skip
    components = solution.components
    objective, bound = solution.objective, solution.bound
    if rest:  # they left the model: their costs are counted here, the bound no longer holds
        components = weighted_components(problem, sessions)
        objective, bound = sum(components.values()), None
    stats = dict(solution.statistics)
    stats["incomplete_courses"] = ", ".join(sorted(broken))
    return dataclasses.replace(
        solution,
        sessions=sessions,
        unscheduled=tuple(r for r in solution.unscheduled if r not in broken),
        incomplete=tuple(sorted(broken)),
        objective=objective,
        bound=bound,
        components=components,
        changes=compute_changes(problem.reference, sessions),
        statistics=stats,
    )


def _solve(
    problem: Problem,
    options: SolveOptions,
    progress: ProgressCallback | None,
    started: float,
    settings: Settings,
) -> Solution:
    """Prune, split into parts, and solve each with its engine."""
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
    """Whether to use the time-first engine (when its model fits the grid).

    By default only for timetables on a coarse grid (hourly slots, ITC2007): there its
    per-slot counts of locations and trainers are nearly exact. On the campus's 15-minute
    grid, where travel, trainer hours and trainers per group drive the cost, its bound and
    starts are weak and the interval engine did better on the campus suite
    (docs/benchmarks.md, "Campus engine").
    """
    if options.time_first is None:
        return (
            len(cands.sessions()) >= settings.time_first.min_sessions
            and cands.grid.grid_minutes >= settings.time_first.min_grid_minutes
        )
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
