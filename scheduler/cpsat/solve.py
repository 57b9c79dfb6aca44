"""Run CP-SAT on a built model and turn its answer into a Solution (never an exception)."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ortools.sat.python import cp_model

from scheduler.cpsat.model import BuiltModel, build_model
from scheduler.cpsat.score import weighted_components
from scheduler.options import Progress, SolveOptions
from scheduler.problem import PlannedSession, Problem, RequestId
from scheduler.replan import compute_changes
from scheduler.solution import Solution, Status

log = logging.getLogger("scheduler.cpsat")

ProgressCallback = Callable[[Progress], None]


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Counts improving solutions, remembers the first one's time, reports progress."""

    def __init__(self, started: float, progress: ProgressCallback | None) -> None:
        super().__init__()
        self.started = started
        self.progress = progress
        self.solutions = 0
        self.first_seconds: float | None = None

    def on_solution_callback(self) -> None:
        self.solutions += 1
        elapsed = time.perf_counter() - self.started
        if self.first_seconds is None:
            self.first_seconds = elapsed
        if self.progress is not None:
            objective, bound = self.objective_value, self.best_objective_bound
            gap = max(0.0, (objective - bound) / abs(objective)) if objective else 0.0
            self.progress(Progress(elapsed, objective, bound, gap, self.solutions))


def _configure(
    params: cp_model.SatParameters, options: SolveOptions, remaining: float, share: float = 1.0
) -> None:
    """Copy the options onto CP-SAT's parameters; a time limit is always set.

    ``share`` is the part of the time budget this call may use (the warm start uses some).
    """
    params.num_workers = options.effective_workers
    params.random_seed = options.seed
    params.relative_gap_limit = options.relative_gap
    if options.deterministic:
        params.interleave_search = False
        params.max_deterministic_time = share * options.time_limit_seconds
        params.max_time_in_seconds = 4 * options.time_limit_seconds  # runaway guard only
    else:
        params.max_time_in_seconds = max(0.05, share * remaining)
    params.log_search_progress = options.log_search
    params.log_to_stdout = False


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    progress: ProgressCallback | None = None,
) -> Solution:
    """Schedule ``problem``; always returns a Solution (status tells how it went)."""
    options = options or SolveOptions()
    started = time.perf_counter()
    built = build_model(problem)
    build_seconds = time.perf_counter() - started
    if built.model is None or built.vars is None:
        for reason in built.infeasible:
            log.info("infeasible before solving: %s", reason)
        return Solution(
            Status.INFEASIBLE,
            wall_seconds=time.perf_counter() - started,
            statistics={"infeasible_reason": "; ".join(built.infeasible)},
        )
    warm = _warm_start(problem, built, options, started)
    if warm.infeasible:
        return Solution(Status.INFEASIBLE, wall_seconds=time.perf_counter() - started)
    solver = cp_model.CpSolver()
    share = 1.0 - warm.share
    remaining = options.time_limit_seconds - (time.perf_counter() - started)
    _configure(solver.parameters, options, remaining / share if share else remaining, share)
    if options.log_search:
        solver.log_callback = lambda line: log.info("%s", line)
    watcher = _Watcher(started, progress)
    code = solver.solve(built.model, watcher)
    wall = time.perf_counter() - started
    stats = _statistics(built, solver, code, build_seconds)
    stats["warm_start_hints"] = warm.hints
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = Status.INFEASIBLE if code == cp_model.INFEASIBLE else Status.UNKNOWN
        if code == cp_model.MODEL_INVALID:
            stats["model_invalid"] = built.model.validate()
            log.error("invalid CP-SAT model: %s", stats["model_invalid"])
        return Solution(status, wall_seconds=wall, statistics=stats)
    sessions, unscheduled = _extract(problem, built, solver)
    components = weighted_components(problem, sessions)
    objective = sum(components.values())
    bound = solver.best_objective_bound
    stats["model_objective"] = round(solver.objective_value)
    status = Status.OPTIMAL if code == cp_model.OPTIMAL else Status.FEASIBLE
    if status is Status.OPTIMAL and objective > bound + 1e-6:
        status = Status.FEASIBLE  # stopped at relative_gap: good enough, not proven optimal
    return Solution(
        status=status,
        sessions=sessions,
        unscheduled=unscheduled,
        objective=objective,
        bound=bound,
        components=components,
        changes=compute_changes(problem.reference, sessions),
        wall_seconds=wall,
        first_solution_seconds=warm.first_seconds or watcher.first_seconds,
        statistics=stats,
    )


@dataclass(slots=True)
class _Warm:
    share: float = 0.0  # part of the time budget spent
    hints: int = 0
    first_seconds: float | None = None
    infeasible: bool = False


WARM_SHARE = 0.4


def _warm_start(
    problem: Problem, built: BuiltModel, options: SolveOptions, started: float
) -> _Warm:
    """Solve once without trainer_idle and hint the full model with that plan.

    trainer_idle needs a first-start/last-end pair per trainer and day, which makes the
    full model much slower to find good plans on a school year; without it the same
    model reaches ~1% quickly. Its plan is a complete hint (same variable names), so the
    full solve starts from a good schedule and only has to close the idle gaps.
    """
    idle = built.raw.get("trainer_idle", 0)
    if isinstance(idle, int) or built.model is None:
        return _Warm()  # weight 0, or no trainer can be idle: nothing to gain
    lean = dataclasses.replace(
        problem, weights=dataclasses.replace(problem.weights, trainer_idle=0)
    )
    first = build_model(lean, built.candidates)
    if first.model is None:
        return _Warm()
    solver = cp_model.CpSolver()
    remaining = options.time_limit_seconds - (time.perf_counter() - started)
    _configure(solver.parameters, options, remaining, WARM_SHARE)
    watcher = _Watcher(started, None)
    code = solver.solve(first.model, watcher)
    if code == cp_model.INFEASIBLE:
        return _Warm(WARM_SHARE, infeasible=True)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Warm(WARM_SHARE)
    values = solver.response_proto.solution
    by_name = {v.name: values[i] for i, v in enumerate(first.model.proto.variables) if v.name}
    built.model.clear_hints()
    hints = 0
    for i, var in enumerate(built.model.proto.variables):
        value = by_name.get(var.name)
        if value is not None:
            built.model.add_hint(built.model.get_int_var_from_proto_index(i), value)
            hints += 1
    return _Warm(WARM_SHARE, hints, watcher.first_seconds)


def _extract(
    problem: Problem, built: BuiltModel, solver: cp_model.CpSolver
) -> tuple[tuple[PlannedSession, ...], tuple[RequestId, ...]]:
    mv = built.vars
    assert mv is not None
    grid = mv.grid
    sessions: list[PlannedSession] = []
    unscheduled: list[RequestId] = []
    for r in problem.requests:
        lit = mv.present(r.id)
        if lit is None or not solver.boolean_value(lit):
            unscheduled.append(r.id)
            continue
        for sv in mv.sessions_of_request(r.id):
            if sv.cand.frozen is not None:
                sessions.append(sv.cand.frozen)
                continue
            start = grid.datetime_at(solver.value(sv.start))
            location = next(lid for lid, at in sv.at.items() if solver.boolean_value(at))
            trainers = tuple(tid for tid, t in sv.tr.items() if solver.boolean_value(t))
            sessions.append(
                PlannedSession(
                    request=r.id,
                    index=sv.index,
                    location=location,
                    trainers=trainers,
                    start=start,
                    end=start + timedelta(minutes=sv.cand.duration),
                )
            )
    sessions.sort(key=lambda s: (s.request, s.index))
    return tuple(sessions), tuple(unscheduled)


def _statistics(
    built: BuiltModel, solver: cp_model.CpSolver, code: object, build_seconds: float
) -> dict[str, float | int | str]:
    assert built.model is not None and built.vars is not None
    proto = built.model.proto
    return {
        "num_variables": len(proto.variables),
        "num_constraints": len(proto.constraints),
        "num_sessions": len(built.vars.sessions()),
        "num_hinted_requests": built.hints,
        "num_branches": solver.num_branches,
        "num_conflicts": solver.num_conflicts,
        "build_seconds": round(build_seconds, 3),
        "solve_seconds": solver.wall_time,
        "deterministic_time": solver.deterministic_time,
        "solver_status": solver.status_name(code),
    }
