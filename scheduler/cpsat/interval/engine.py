"""The interval engine: CP-SAT on the whole model, then large-neighbourhood search.

Used for parts below ``Settings.time_first.min_sessions`` sessions or on a grid too fine for the
time-first model. The phases, each handing on a complete, feasible plan:

1. a first plan is placed greedily in plain Python (``prep/greedy.py``) and completed into
   a full, feasible hint (``scheduler/cpsat/hints.py``), so CP-SAT starts from a schedule
   at once; when it leaves demand out, a lean model without the structural components
   schedules more first;
2. CP-SAT runs on the whole model (``model.py``) for part of the time (which also gives
   the bound);
3. large-neighbourhood search (``lns.py``) spends the rest: free a few related requests,
   re-solve with everything else fixed, keep what improves.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from datetime import timedelta

from ortools.sat.python import cp_model

from scheduler.cpsat.best import (
    BestObjective,
    ProgressCallback,
    demand_floor,
    infeasible,
    plan_solution,
)
from scheduler.cpsat.budget import TimeBudget, limit
from scheduler.cpsat.hints import complete_assignment, set_hint
from scheduler.cpsat.interval.lns import Lns
from scheduler.cpsat.interval.model import BuiltModel, build_model, decision_values
from scheduler.cpsat.prep.candidates import Candidates
from scheduler.cpsat.prep.greedy import greedy_plan
from scheduler.cpsat.score import weighted_components
from scheduler.cpsat.settings import DEFAULT_SETTINGS, IntervalSettings, Settings
from scheduler.options import SolveOptions
from scheduler.problem import PlannedSession, Problem, RequestId
from scheduler.replan import compute_changes
from scheduler.solution import Solution, Status

log = logging.getLogger("scheduler.cpsat")


def _configure(
    params: cp_model.SatParameters, options: SolveOptions, seconds: float, det_seconds: float
) -> None:
    """Copy the options onto CP-SAT's parameters; a time limit is always set.

    ``seconds`` is the wall time this call may use; in deterministic mode ``det_seconds``
    of deterministic time is the real limit and the wall time only a runaway guard.
    """
    params.num_workers = options.effective_workers
    params.random_seed = options.seed
    params.relative_gap_limit = options.relative_gap
    det = options.deterministic
    limit(params, det_seconds if det else seconds, det, guard=max(0.05, seconds))
    params.log_search_progress = options.log_search
    params.log_to_stdout = False


class _Best(BestObjective):
    """The best assignment so far, reporting progress as it improves."""

    def __init__(
        self,
        started: float,
        progress: ProgressCallback | None,
        presence: list[int],
        problem: Problem,
        built: BuiltModel,
    ) -> None:
        super().__init__(started, progress, problem)
        self.values: list[int] | None = None
        self.presence = presence  # each request's presence literal (progress counts them)
        self.model_problem = problem
        self.built = built  # to read the sessions of an assignment (progress counts travel)

    def keep(self, values: list[int], objective: int) -> None:
        placed = sum(1 for index in self.presence if values[index])
        if self.offer(objective, placed, lambda: self.sessions(values)):
            self.values = values

    def sessions(self, values: list[int]) -> tuple[PlannedSession, ...]:
        """The sessions of assignment ``values`` (only when progress reports its travel)."""
        return _extract(self.model_problem, self.built, values)[0]


class _Forward(cp_model.CpSolverSolutionCallback):
    """Passes CP-SAT's improving solutions to ``_Best``."""

    def __init__(self, best: _Best) -> None:
        super().__init__()
        self.best = best

    def on_solution_callback(self) -> None:
        self.best.bound = max(self.best.bound, self.best_objective_bound)
        objective = round(self.objective_value)
        if self.best.objective is None or objective < self.best.objective:
            self.best.keep(list(self.response_proto.solution), objective)


def solve_interval(
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
    """One model: first plan, CP-SAT on the whole model, then LNS for the rest of ``budget``.

    ``first``: a greedy plan already made for this problem (else one is made here).
    """
    tuning = settings.interval
    det = options.deterministic
    clock = TimeBudget(budget, det, started)
    built = build_model(problem, cands)
    build_seconds = time.perf_counter() - started
    if built.model is None or built.vars is None:
        return infeasible(built.infeasible, started)
    presence = [
        lit.index for r in problem.requests if (lit := built.vars.present(r.id)) is not None
    ]
    best = _Best(started, progress, presence, problem, built)
    best.bound = demand_floor(problem, cands.requests)  # a bound even if CP-SAT proves none
    workers = options.effective_workers
    start_objective: int | None = None
    plan: list[PlannedSession] | None = None
    if options.first_plan:
        plan = first if first is not None else _greedy(problem, cands, budget, det, settings)
        start_objective = _start_from(built, plan, best, options, clock, tuning)
        if start_objective is not None and _misses_demand(cands, plan):
            more, lean_bound = _schedule_more(problem, cands, plan, options, clock, tuning)
            best.bound = max(best.bound, lean_bound)
            clock.charge(tuning.demand_share * budget)
            if more is not plan:
                found = _start_from(built, more, best, options, clock, tuning)
                if found is not None:
                    start_objective, plan = found, more
        clock.charge(tuning.start_share * budget)
    solver = cp_model.CpSolver()
    share = tuning.full_share if options.lns and best.values is not None else 1.0
    _configure(solver.parameters, options, share * clock.wall_left(), clock.left() * share)
    if options.log_search:
        solver.log_callback = lambda line: log.info("%s", line)
    code = solver.solve(built.model, _Forward(best))
    clock.charge(solver.deterministic_time)
    stats = _statistics(built, solver, code, build_seconds)
    stats["start_objective"] = -1 if start_objective is None else start_objective
    proven = code == cp_model.OPTIMAL
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
        # the bound holds even when the phase found nothing better than its hint
        best.bound = max(best.bound, solver.best_objective_bound)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best.keep(list(solver.response_proto.solution), round(solver.objective_value))
    elif code == cp_model.INFEASIBLE:
        return Solution(Status.INFEASIBLE, wall_seconds=time.perf_counter() - started,
                        statistics=stats)  # fmt: skip
    elif code == cp_model.MODEL_INVALID:
        stats["model_invalid"] = built.model.validate()
        log.error("invalid CP-SAT model: %s", stats["model_invalid"])
    if best.values is None or best.objective is None:
        if plan is not None and not _misses_must(cands, plan):  # valid by construction
            return _from_plan(problem, plan, started, stats, best.bound)
        status = Status.UNKNOWN
        return Solution(status, wall_seconds=time.perf_counter() - started, statistics=stats)
    gap_reached = best.objective - best.bound <= options.relative_gap * abs(best.objective)
    if options.lns and not proven and not gap_reached:
        lns = Lns(built, options.seed, workers, det, settings)
        result = lns.run(
            best.values,
            best.objective,
            budget=clock,
            step_seconds=_step_seconds(budget, tuning),
            # stop as soon as the plan is within relative_gap of the bound, as CP-SAT would
            lower_bound=max(best.bound, 0.0) / (1.0 - options.relative_gap),
            on_improve=best.keep,
        )
        stats["lns_iterations"] = result.iterations
        stats["lns_improvements"] = result.improvements
    sessions, unscheduled = _extract(problem, built, best.values)
    components = weighted_components(problem, sessions)
    objective = sum(components.values())
    bound = best.bound if best.bound > -math.inf else None
    stats["model_objective"] = best.objective
    status = Status.OPTIMAL if proven and best.objective <= solver.objective_value else (
        Status.FEASIBLE)  # fmt: skip
    if status is Status.OPTIMAL and objective > (bound or 0) + 1e-6:
        status = Status.FEASIBLE  # stopped at relative_gap: good enough, not proven optimal
    if bound is not None and objective <= bound + 1e-6:
        status = Status.OPTIMAL  # the plan meets a proven bound (the lean model's, say)
    if bound is not None:
        bound = min(bound, objective)
    return Solution(
        status=status,
        sessions=sessions,
        unscheduled=unscheduled,
        objective=objective,
        bound=bound,
        components=components,
        changes=compute_changes(problem.reference, sessions),
        wall_seconds=time.perf_counter() - started,
        first_solution_seconds=best.first_seconds,
        statistics=stats,
    )


def _start_from(
    built: BuiltModel,
    plan: list[PlannedSession],
    best: _Best,
    options: SolveOptions,
    clock: TimeBudget,
    tuning: IntervalSettings,
) -> int | None:
    """Complete ``plan`` into a full assignment; hint the model with it if it is the best.

    Deterministic mode: half the start share of the budget, never the clock's time left."""
    assert built.model is not None
    det = options.deterministic
    left = max(tuning.min_complete_seconds, tuning.start_share * clock.wall_left())
    done = complete_assignment(
        built.model,
        decision_values(built, plan),
        seconds=tuning.start_share * clock.seconds / 2 if det else left,
        workers=options.effective_workers,
        seed=options.seed,
        deterministic=det,
    )
    if done is None:
        return None
    values, objective = done
    if best.objective is None or objective < best.objective:
        best.keep(values, objective)
        set_hint(built.model, values)
    return objective


def _greedy(
    problem: Problem, cands: Candidates, budget: float, deterministic: bool, settings: Settings
) -> list[PlannedSession]:
    """The greedy plan; when it leaves demand out and was quick (deterministic mode: always),
    also the fail-first order, keeping the cheaper plan (exact cost)."""
    took = time.perf_counter()
    plan = greedy_plan(problem, cands, settings=settings.greedy)
    took = time.perf_counter() - took
    if not _misses_demand(cands, plan):
        return plan
    if not deterministic and took > settings.interval.alt_order_share * budget:
        return plan
    other = greedy_plan(problem, cands, fail_first=True, settings=settings.greedy)
    cost = sum(weighted_components(problem, plan).values())
    return other if sum(weighted_components(problem, other).values()) < cost else plan


def _misses_must(cands: Candidates, plan: list[PlannedSession]) -> bool:
    placed = {s.request for s in plan}
    return any(rc.must_schedule and rc.request.id not in placed for rc in cands.requests)


def _from_plan(
    problem: Problem,
    plan: list[PlannedSession],
    started: float,
    stats: dict[str, float | int | str],
    bound: float,
) -> Solution:
    """The greedy plan itself, when CP-SAT had no time to return anything."""
    solution = plan_solution(problem, plan)
    return dataclasses.replace(
        solution,
        bound=min(bound, float(solution.objective or 0)),
        wall_seconds=time.perf_counter() - started,
        statistics={**stats, "model_objective": solution.objective},
    )


def _misses_demand(cands: Candidates, plan: list[PlannedSession]) -> bool:
    placed = {s.request for s in plan}
    return any(rc.schedulable and rc.request.id not in placed for rc in cands.requests)


STRUCTURAL = ("trainer_idle", "isolated", "min_days", "room_stability")


def _schedule_more(
    problem: Problem,
    cands: Candidates,
    plan: list[PlannedSession],
    options: SolveOptions,
    clock: TimeBudget,
    tuning: IntervalSettings,
) -> tuple[list[PlannedSession], float]:
    """A first phase on a lean model: demand first, without the structural components.

    The components in ``STRUCTURAL`` need auxiliary variables per pair of sessions or per
    day (adjacency, first/last times, days used, locations used); without them the model
    is much smaller and CP-SAT, started from the greedy plan, quickly fits the requests the
    greedy order left out, while the components that are plain sums over the choices
    (capacity, travel, preferences, ...) keep the plan sensible. Its plan is the start of
    the full search. Returned with it: the lean model's bound, which is a bound of the whole
    problem too (its objective is the whole one less components that are never negative;
    -inf when it proved none, or when the unscheduled weight 0 was raised to 1).

    Its time: ``demand_share`` of the wall time left, or in deterministic mode of the
    budget's deterministic time (the wall clock then only guards it), so that a loaded
    machine does not change the plan.
    """
    none = -math.inf
    lean_weights = dataclasses.replace(
        problem.weights,
        **dict.fromkeys(STRUCTURAL, 0),
        unscheduled=problem.weights.unscheduled or 1,
    )
    lean_problem = dataclasses.replace(problem, weights=lean_weights)
    lean = build_model(lean_problem, cands)
    if lean.model is None:
        return plan, none
    det = options.deterministic
    wall = tuning.demand_share * clock.wall_left()  # deterministic mode: only a guard
    seconds = tuning.demand_share * clock.seconds if det else wall
    done = complete_assignment(lean.model, decision_values(lean, plan), seconds=seconds,
                               workers=1, seed=options.seed, deterministic=det)  # fmt: skip
    if done is None:
        return plan, none
    set_hint(lean.model, done[0])
    solver = cp_model.CpSolver()
    _configure(solver.parameters, options, wall, seconds)
    solver.parameters.relative_gap_limit = 0.0
    # done once the bound says no further request fits (less than one priority point left)
    solver.parameters.absolute_gap_limit = max(0, lean_weights.unscheduled - 1)
    code = solver.solve(lean.model)
    bound = none
    if problem.weights.unscheduled and code in (cp_model.OPTIMAL, cp_model.FEASIBLE,
                                                cp_model.UNKNOWN):  # fmt: skip
        bound = solver.best_objective_bound
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return plan, bound
    sessions, _ = _extract(lean_problem, lean, list(solver.response_proto.solution))
    return list(sessions), bound


def _step_seconds(budget: float, tuning: IntervalSettings) -> float:
    """Time limit of one LNS sub-solve: short, so many neighbourhoods get tried."""
    return min(tuning.step_max_seconds, max(tuning.step_min_seconds,
                                            budget / tuning.steps_per_budget))  # fmt: skip


def _extract(
    problem: Problem, built: BuiltModel, values: list[int]
) -> tuple[tuple[PlannedSession, ...], tuple[RequestId, ...]]:
    mv = built.vars
    assert mv is not None
    grid = mv.grid
    sessions: list[PlannedSession] = []
    unscheduled: list[RequestId] = []
    for r in problem.requests:
        lit = mv.present(r.id)
        if lit is None or not values[lit.index]:
            unscheduled.append(r.id)
            continue
        for sv in mv.sessions_of_request(r.id):
            if sv.cand.frozen is not None:
                sessions.append(sv.cand.frozen)
                continue
            start = grid.datetime_at(values[sv.start.index])
            location = next(lid for lid, at in sv.at.items() if values[at.index])
            trainers = tuple(tid for tid, t in sv.tr.items() if values[t.index])
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


__all__ = ["solve_interval"]
