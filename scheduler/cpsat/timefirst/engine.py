"""The engine on a coarse grid: starts first, then locations, then exact neighbourhoods.

Used when the time-first model of ``build.py`` is small enough (a coarse grid: hourly
timeslots, a week or two). The phases, each handing on a complete, valid plan (shares of
the time limit in docs/scheduler.md):

1. a greedy plan (``prep/greedy.py``);
2. the **time-first model** from that plan: CP-SAT decides every start with locations and
   free trainers counted per slot. Its core-based worker proves small optima quickly; its
   bound is a bound of the whole problem;
3. **search on the starts** (``start_search.py``): large-neighbourhood search on the
   time-first model itself, where the costs of the starts are found far faster than by
   CP-SAT on the whole model;
4. **placement**: with those starts fixed, a neighbourhood model of every request assigns
   locations and trainers exactly (room stability, capacity, travel); then more search on
   the starts if that is where the cost lies, and placement again;
5. **large-neighbourhood search** on exact neighbourhood models for the rest of the time:
   free a few related requests (sharing a group, a trainer, a location, or just costly),
   or only the locations of more of them, re-solve with everything else fixed, keep what is
   not worse. Each sub-model is small and time-indexed, so CP-SAT solves it in a fraction
   of a second, and a result is always a plan that keeps every rule.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.cpsat.best import (
    BestObjective,
    ProgressCallback,
    demand_floor,
    placed_requests,
    plan_solution,
)
from scheduler.cpsat.budget import TimeBudget, limit
from scheduler.cpsat.hints import Values, complete_assignment, set_hint
from scheduler.cpsat.pool import SubSolves
from scheduler.cpsat.prep.candidates import Candidates, RequestCandidates
from scheduler.cpsat.prep.greedy import greedy_plan
from scheduler.cpsat.score import weighted_components
from scheduler.cpsat.settings import DEFAULT_SETTINGS, Settings, TimeFirstSettings
from scheduler.cpsat.timefirst.build import build_neighbourhood, build_slot_model
from scheduler.cpsat.timefirst.model import SlotModel
from scheduler.cpsat.timefirst.start_search import StartSearch
from scheduler.options import SolveOptions
from scheduler.problem import PlannedSession, Problem, RequestId
from scheduler.solution import Solution, Status
from scheduler.validate import validate

log = logging.getLogger("scheduler.cpsat")

Starts = dict[tuple[RequestId, int], int]


def portfolio(workers: int, subsolvers: tuple[str, ...]) -> list[str]:
    """CP-SAT's full-problem workers for the time-first model, core-based search first.

    Its objective is a sum of many 0/1 penalties with small optima on many problems: the
    core-based (max-SAT style) worker finds and proves those optima where the LP-based ones
    stall, but CP-SAT only starts it from 5 workers on. With fewer, name it explicitly;
    the neighbourhood workers still run beside them. With many workers CP-SAT's own choice
    already includes it.
    """
    n = workers or os.cpu_count() or 1
    if n < 2 or n >= len(subsolvers):
        return []
    return list(subsolvers[:n])


def _solve(
    model: cp_model.CpModel, seconds: float, workers: int, seed: int, deterministic: bool
) -> tuple[cp_model.CpSolver, int]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.linearization_level = 2
    limit(solver.parameters, seconds, deterministic)
    return solver, solver.solve(model)


def _hint(
    sm: SlotModel, plan: list[PlannedSession], seconds: float, seed: int, det: bool
) -> tuple[Values, int] | None:
    """Hint ``sm`` with ``plan`` completed into every variable (CP-SAT wants it complete);
    that assignment and its objective, or None when the plan does not fit the model."""
    done = complete_assignment(sm.model, sm.hint_from(plan), seconds=seconds, workers=1,
                               seed=seed, deterministic=det, full_lp=True)  # fmt: skip
    if done is not None:
        set_hint(sm.model, done[0])
    return done


# --- phase 2: the time-first model ------------------------------------------------------


@dataclass(slots=True)
class SlotResult:
    values: Values | None  # a complete assignment of the model (the completed hint at worst)
    objective: int | None
    bound: float
    status: str
    branches: int = 0
    conflicts: int = 0


def solve_slots(
    sm: SlotModel,
    plan: list[PlannedSession] | None,
    *,
    seconds: float,
    workers: int,
    seed: int,
    deterministic: bool = False,
    log_search: bool = False,
    settings: Settings = DEFAULT_SETTINGS,
) -> SlotResult:
    """CP-SAT on the time-first model, from ``plan`` when given."""
    started = time.perf_counter()
    tuning = settings.time_first
    hint_seconds = 0.0
    if plan is not None:
        hint_seconds = min(tuning.slot_hint_seconds, seconds * tuning.hint_share)
    hinted = _hint(sm, plan, hint_seconds, seed, deterministic) if plan is not None else None
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = workers
    p.random_seed = seed
    if not deterministic:
        p.subsolvers.extend(portfolio(workers, settings.time_first.full_subsolvers))
    left = seconds - (time.perf_counter() - started)
    limit(p, seconds - hint_seconds if deterministic else left, deterministic)
    p.log_search_progress = log_search
    if log_search:
        solver.log_callback = lambda line: log.info("%s", line)
    code = solver.solve(sm.model)
    valid = code in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN)
    bound = solver.best_objective_bound if valid else -math.inf
    status = solver.status_name(code)
    counts = (solver.num_branches, solver.num_conflicts)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if hinted is not None and code == cp_model.UNKNOWN:  # no time: the hint still holds
            return SlotResult(*hinted, bound, status, *counts)
        return SlotResult(None, None, bound, status, *counts)
    values = list(solver.response_proto.solution)
    return SlotResult(values, round(solver.objective_value), bound, status, *counts)


# --- phase 3: locations and trainers for given starts ------------------------------------


def restrict_to_starts(cands: Candidates, starts: Starts) -> Candidates:
    """The candidates with every session at its start in ``starts`` (a request missing a
    start can only be unscheduled); locations and trainers keep what that start allows."""
    spd = cands.grid.slots_per_day
    out: list[RequestCandidates] = []
    for rc in cands.requests:
        if not rc.schedulable:
            out.append(rc)
            continue
        if not all((sc.request, sc.index) in starts for sc in rc.sessions):
            out.append(dataclasses.replace(rc, reason="no start in the time-first plan"))
            continue
        sessions = []
        for sc in rc.sessions:
            day, slot = divmod(starts[(sc.request, sc.index)], spd)
            bit = 1 << slot

            def at(masks: dict[int, int], day: int = day, bit: int = bit) -> bool:
                return bool(masks.get(day, 0) & bit)

            sessions.append(
                dataclasses.replace(
                    sc,
                    day_masks={day: bit},
                    location_masks={k: {day: bit} for k, v in sc.location_masks.items() if at(v)},
                    trainer_masks={k: {day: bit} for k, v in sc.trainer_masks.items() if at(v)},
                )
            )
        out.append(dataclasses.replace(rc, sessions=sessions))
    return Candidates(cands.grid, out, cands.infeasible)


def place(
    problem: Problem,
    cands: Candidates,
    starts: Starts,
    *,
    seconds: float,
    workers: int,
    seed: int,
    deterministic: bool = False,
    settings: Settings = DEFAULT_SETTINGS,
) -> list[PlannedSession] | None:
    """Locations and trainers for sessions at the given starts, by the exact objective.

    A neighbourhood model with every request free but its starts kept; it starts from a
    greedy placement of those starts. None when not even that fits (then the counts of the
    time-first model were not enough for these candidates).
    """
    hint = greedy_plan(problem, restrict_to_starts(cands, starts), settings=settings.greedy)
    placed = {s.request for s in hint}
    free = {rc.request.id for rc in cands.requests if rc.schedulable and rc.sessions}
    keep = {rid for rid in free if all((rid, sc.index) in starts for sc in _sessions(cands, rid))}
    sm = build_neighbourhood(problem, cands, [], keep, keep_starts=starts)
    tuning = settings.time_first
    _hint(sm, hint, min(tuning.place_hint_seconds, seconds * tuning.hint_share), seed,
          deterministic)  # fmt: skip
    solver, code = _solve(sm.model, seconds, workers, seed, deterministic)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint if placed else None
    return sm.sessions(list(solver.response_proto.solution))


def _sessions(cands: Candidates, rid: RequestId) -> list:  # type: ignore[type-arg]
    return next(rc.sessions for rc in cands.requests if rc.request.id == rid)


# --- phase 4: large-neighbourhood search on exact neighbourhood models -------------------


@dataclass(slots=True)
class _Step:
    code: int
    plan: list[PlannedSession] | None  # the new plan (None: nothing found)
    deterministic_time: float


@dataclass(slots=True)
class _Current:
    plan: list[PlannedSession]
    objective: int
    version: int = 0


class NeighbourhoodSearch:
    """LNS over plans: free some requests, solve their exact model, keep what is not worse."""

    def __init__(
        self,
        problem: Problem,
        cands: Candidates,
        seed: int,
        threads: int,
        deterministic: bool,
        settings: Settings = DEFAULT_SETTINGS,
    ) -> None:
        self.tuning = tuning = settings.time_first
        self.problem = problem
        self.cands = cands
        self.rng = random.Random(seed)
        self.seed = seed
        self.threads = 1 if deterministic else max(1, threads)
        self.deterministic = deterministic
        self.requests = [rc.request for rc in cands.requests if rc.schedulable and rc.sessions]
        self.by_group: dict[str, list[RequestId]] = {}
        self.by_trainer: dict[str, list[RequestId]] = {}
        for rc in cands.requests:
            if not rc.schedulable or not rc.sessions:
                continue
            for gid in rc.request.groups:
                self.by_group.setdefault(gid, []).append(rc.request.id)
            for tid in rc.sessions[0].trainer_masks:
                self.by_trainer.setdefault(tid, []).append(rc.request.id)
        self.groups_of = {r.id: r.groups for r in problem.requests}
        acts = {a.code: a for a in problem.activities}
        self.activity_of = {r.id: acts[r.activity] for r in problem.requests}
        self.participants = {r.id: problem.participants(r) for r in problem.requests}
        self.capacity = {loc.id: loc.capacity for loc in problem.locations}
        self.by_id = {r.id: r for r in self.requests}
        n = float(len(self.requests))
        first = tuning.first_size
        self.size = {op: min(first * (tuning.rooms_factor if op == "rooms" else 1), n)
                     for op in tuning.operators}  # fmt: skip
        self.scores = dict.fromkeys(tuning.operators, 1.0)
        self.iterations = 0
        self.improvements = 0

    def cost(self, plan: list[PlannedSession]) -> int:
        return sum(weighted_components(self.problem, plan).values())

    # --- neighbourhoods ---
    def _local_costs(self, plan: list[PlannedSession]) -> dict[RequestId, int]:
        """Per request, the structural cost its sessions carry (where to look first)."""
        w = self.problem.weights
        by_request: dict[RequestId, list[PlannedSession]] = {}
        by_group: dict[tuple[str, object], list[PlannedSession]] = {}
        for s in plan:
            by_request.setdefault(s.request, []).append(s)
            for gid in self.groups_of[s.request]:
                by_group.setdefault((gid, s.start.date()), []).append(s)
        out: dict[RequestId, int] = {}
        for rid, sessions in by_request.items():
            act = self.activity_of[rid]
            cost = w.room_stability * (len({s.location for s in sessions}) - 1)
            cost += w.min_days * max(0, act.min_distinct_days - len({s.start.date() for s in
                                                                     sessions}))  # fmt: skip
            if act.capacity_soft:
                size = self.participants[rid]
                cost += w.over_capacity * sum(
                    max(0, size - self.capacity[s.location]) for s in sessions
                )
            out[rid] = cost
        if w.isolated:
            for day_sessions in by_group.values():
                for a in day_sessions:
                    if not any(b.end == a.start or b.start == a.end for b in day_sessions):
                        out[a.request] += w.isolated
        return out

    def _seed(self, plan: list[PlannedSession], local: dict[RequestId, int]) -> RequestId:
        """Where a neighbourhood starts: an unscheduled request, else a costly one (by cost)."""
        rng = self.rng
        placed = {s.request for s in plan}
        missing = [r.id for r in self.requests if r.id not in placed]
        if missing and rng.random() < self.tuning.unscheduled_seed:
            return rng.choice(missing)
        costly = [(rid, c) for rid, c in local.items() if c > 0]
        if costly and rng.random() < self.tuning.costly_seed:
            return rng.choices([rid for rid, _ in costly], [c for _, c in costly])[0]
        return rng.choice(self.requests).id

    def _related(
        self, plan: list[PlannedSession], rid: RequestId, operator: str
    ) -> list[RequestId]:
        """Requests that interact with ``rid`` in the way ``operator`` looks at."""
        request = self.by_id[rid]
        mine = [s for s in plan if s.request == rid]
        if operator == "group":
            return [o for gid in request.groups for o in self.by_group.get(gid, [])]
        if operator == "trainer":
            tids = {t for s in mine for t in s.trainers} | set(
                [request.trainer] if request.trainer else []
            )
            return [o for tid in sorted(tids) for o in self.by_trainer.get(tid, [])]
        # "place", "rooms": who uses its locations on its days (and could swap with it)
        days = {(s.location, s.start.date()) for s in mine}
        return [s.request for s in plan if (s.location, s.start.date()) in days]

    def neighbourhood(self, plan: list[PlannedSession]) -> tuple[set[RequestId], str]:
        """Requests to free and the operator that chose them ("rooms": only their locations
        and trainers may change, so four times as many are freed)."""
        rng = self.rng
        ids = [r.id for r in self.requests]
        names = list(self.scores)
        operator = rng.choices(names, [self.scores[n] for n in names])[0]
        k = max(1, min(len(ids), int(self.size[operator])))
        if operator == "random":
            return set(rng.sample(ids, k)), operator
        seed = self._seed(plan, self._local_costs(plan))
        chosen = {seed}
        frontier = [seed]
        while frontier and len(chosen) < k:
            rid = frontier.pop(rng.randrange(len(frontier)))
            related = self._related(plan, rid, operator)
            rng.shuffle(related)
            for other in related:
                if other not in chosen and len(chosen) < k:
                    chosen.add(other)
                    frontier.append(other)
        while len(chosen) < k:
            chosen.add(rng.choice(ids))
        return chosen, operator

    def _reward(self, operator: str, improved: bool) -> None:
        """Operators that improve get chosen more often (never less than a floor)."""
        score = self.scores[operator]
        improvement = 1.0 if improved else 0.0
        decayed = self.tuning.score_decay * score + improvement
        self.scores[operator] = max(self.tuning.score_floor, decayed)

    # --- one step ---
    def step(
        self, plan: list[PlannedSession], free: set[RequestId], rooms_only: bool, seed: int,
        seconds: float,
    ) -> _Step:  # fmt: skip
        """Re-solve ``free`` with the rest of ``plan`` fixed."""
        mine = [s for s in plan if s.request in free]
        rest = [s for s in plan if s.request not in free]
        keep = {(s.request, s.index): self.cands.grid.slot(s.start) for s in mine}
        sm = build_neighbourhood(
            self.problem, self.cands, rest, free, keep_starts=keep if rooms_only else None
        )
        sm.model.clear_hints()
        hint = sm.hint_from(mine)
        sm.model.proto.solution_hint.vars.extend(list(hint))
        sm.model.proto.solution_hint.values.extend(list(hint.values()))
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = 1
        p.random_seed = seed
        p.linearization_level = 2  # the LP with every clause: 10-30x faster on these
        limit(p, seconds, self.deterministic)
        code = solver.solve(sm.model)
        det = solver.deterministic_time
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _Step(code, None, det)
        return _Step(code, rest + sm.sessions(list(solver.response_proto.solution)), det)

    def _adapt(self, operator: str, code: int) -> None:
        """Each operator's neighbourhoods grow while solved to optimality and shrink when
        they time out, apart from the others': with every start kept, a "rooms" sub-model
        of four times as many requests solves in a fraction of the time of the others, so
        tied to their size it grew with them into sub-models of over a second each."""
        optimal = code == cp_model.OPTIMAL
        self.size[operator] = self.tuning.resize.after(self.size[operator], optimal,
                                                       len(self.requests))  # fmt: skip

    def run(
        self,
        plan: list[PlannedSession],
        *,
        budget: TimeBudget,
        lower_bound: float,
        relative_gap: float = 0.0,
        on_improve: Callable[[list[PlannedSession], int], None] | None = None,
    ) -> tuple[list[PlannedSession], int]:
        """Improve ``plan`` until ``budget`` runs out (each sub-model is charged to it), or
        until it is within ``relative_gap`` of ``lower_bound``."""
        current = _Current(list(plan), self.cost(plan))
        target = max(lower_bound, 0.0) / (1.0 - relative_gap) + 1e-9
        pool: SubSolves[tuple[int, set[RequestId], str], _Step]
        with SubSolves(self.threads, self.deterministic) as pool:
            while True:
                while (
                    pool.has_room()
                    and current.objective > target
                    and budget.wall_left() > 0.05
                    and not (self.deterministic and budget.left() <= 0)
                ):
                    free, operator = self.neighbourhood(current.plan)
                    rooms_only = operator == "rooms"
                    left = budget.left()
                    seed = self.seed + self.iterations + len(pool) + 1
                    args = (
                        current.plan,
                        free,
                        rooms_only,
                        seed,
                        min(self.tuning.step_seconds, left),
                    )
                    if not pool.start((current.version, set(free), operator), self.step, *args):
                        break
                if not pool:
                    break
                for (base, free, operator), result in pool.finished():
                    self.iterations += 1
                    budget.charge(result.deterministic_time)
                    self._adapt(operator, result.code)
                    found = result.plan
                    if found is not None and base != current.version:  # the plan moved on
                        found = self._merge(current.plan, found, free)
                    objective = self.cost(found) if found is not None else current.objective
                    self._reward(operator, objective < current.objective)
                    if found is None or objective > current.objective:
                        continue
                    if objective < current.objective:
                        self.improvements += 1
                        if on_improve is not None:
                            on_improve(found, objective)
                    current = _Current(found, objective, current.version + 1)
        return current.plan, current.objective

    def _merge(
        self, plan: list[PlannedSession], found: list[PlannedSession], free: set[str]
    ) -> list[PlannedSession] | None:
        """``found``'s sessions of ``free`` in today's ``plan``, if that still keeps every rule."""
        merged = [s for s in plan if s.request not in free] + [
            s for s in found if s.request in free
        ]
        report = validate(self.problem, plan_solution(self.problem, merged))
        return merged if report.ok else None


# --- the whole phase sequence -----------------------------------------------------------


def more_start_seconds(
    left: float, budget: float, in_starts: float, in_places: float, tuning: TimeFirstSettings
) -> float:
    """Seconds for the search on the starts after the first placement, of ``left``.

    It gets its share of the time in proportion to the cost in the starts against the
    cost that placing them added. The exact search keeps its own share only in
    proportion to the placement's cost: where the cost is all in the starts (comp05,
    comp12 of ITC2007) that search improves little, and it still gets whatever the
    search on the starts leaves when that settles.
    """
    share = in_starts / (in_starts + in_places) if in_starts else 0.0
    reserved = (tuning.place_share + tuning.exact_share * (1.0 - share)) * budget
    return max(0.0, share * (left - reserved))


def solve_time_first(
    problem: Problem,
    cands: Candidates,
    options: SolveOptions,
    progress: ProgressCallback | None,
    started: float,
    budget: float,
    first: list[PlannedSession] | None = None,
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> Solution | None:
    """The phases of the module doc; None when the time-first model does not apply."""
    tuning = settings.time_first
    sm = build_slot_model(problem, cands, max_start_literals=tuning.max_start_literals)
    if sm is None:
        return None
    build_seconds = time.perf_counter() - started
    det = options.deterministic
    clock = TimeBudget(budget, det, started)
    workers = options.effective_workers
    threads = workers or os.cpu_count() or 1
    report = BestObjective(started, progress, problem)
    stats: dict[str, float | int | str] = {
        "engine": "time-first",
        "build_seconds": round(build_seconds, 3),
        "num_variables": len(sm.model.proto.variables),
        "num_constraints": len(sm.model.proto.constraints),
        "num_sessions": len(cands.sessions()),
        "start_objective": -1,
    }
    plan: list[PlannedSession] | None = None
    best: list[PlannedSession] | None = None
    best_cost = 0
    if options.first_plan:
        plan = first if first is not None else greedy_plan(problem, cands, settings=settings.greedy)
        first_solution = plan_solution(problem, plan)
        if validate(problem, first_solution).ok:  # frozen sessions may clash
            best, best_cost = list(plan), first_solution.objective
            stats["start_objective"] = best_cost
            report.offer(best_cost, placed_requests(plan), lambda: first_solution.sessions)

    seconds = tuning.slot_share * (budget if det else clock.wall_left())
    slots = solve_slots(
        sm,
        plan,
        seconds=seconds,
        workers=workers,
        seed=options.seed,
        deterministic=det,
        log_search=options.log_search,
        settings=settings,
    )
    stats["time_first_objective"] = -1 if slots.objective is None else slots.objective
    stats["time_first_status"] = slots.status
    stats["num_branches"], stats["num_conflicts"] = slots.branches, slots.conflicts
    if slots.status == "INFEASIBLE":  # it only relaxes rules: no plan can exist
        return Solution(Status.INFEASIBLE, wall_seconds=time.perf_counter() - started,
                        statistics=stats)  # fmt: skip
    # the floor keeps a bound when this phase proved none (UNKNOWN before its search began)
    report.bound = max(slots.bound, demand_floor(problem, cands.requests))
    clock.charge(tuning.slot_share * budget)
    values, relaxed = slots.values, slots.objective
    starts = StartSearch(sm, options.seed, threads, det, settings)

    def improve_starts(seconds: float) -> None:
        nonlocal values, relaxed
        assert values is not None and relaxed is not None
        values, relaxed = starts.run(
            values,
            relaxed,
            seconds=clock.take(seconds),
            stall=tuning.stall_share * budget,
            lower_bound=report.bound,
            relative_gap=options.relative_gap,
        )
        stats["start_search_objective"] = relaxed

    def place_starts() -> int | None:
        nonlocal best, best_cost
        assert values is not None
        seconds = clock.take(tuning.place_share * budget)
        placed = place(problem, cands, sm.starts(values), seconds=seconds, workers=workers,
                       seed=options.seed, deterministic=det, settings=settings)  # fmt: skip
        if placed is None:
            return None
        cost = sum(weighted_components(problem, placed).values())
        stats["placed_objective"] = cost
        if best is None or cost < best_cost:
            best, best_cost = placed, cost
            report.offer(cost, placed_requests(placed), lambda: placed)
        return cost

    searching = bool(options.lns and relaxed is not None and slots.status != "OPTIMAL")
    # kept for the placement and the exact search
    reserved = (tuning.exact_share + tuning.place_share) * budget
    if searching:
        improve_starts(min(tuning.start_share * budget, clock.left() - reserved))
    placed_cost = place_starts() if values is not None else None
    if searching and placed_cost is not None and not starts.settled:
        # the cost that lies in the starts (above the bound of the time-first model)
        # against what only locations and trainers add
        assert relaxed is not None
        in_starts = max(0.0, relaxed - max(report.bound, 0.0))
        in_places = max(0, placed_cost - relaxed)
        seconds = more_start_seconds(clock.left(), budget, in_starts, in_places, tuning)
        before = relaxed
        if seconds > 0.02 * budget:
            improve_starts(seconds)
            if relaxed < before:
                place_starts()
    stats["start_search_iterations"] = starts.iterations
    stats["start_search_improvements"] = starts.improvements
    stats["start_search_rounds"] = starts.rounds
    log.info("search on starts: sub-models %s, improving %s", starts.tried, starts.improved)
    if best is None:
        return Solution(Status.UNKNOWN, wall_seconds=time.perf_counter() - started,
                        statistics=stats)  # fmt: skip
    lower = max(report.bound, 0.0)
    search = NeighbourhoodSearch(problem, cands, options.seed, threads, det, settings)
    if options.lns and best_cost > lower / (1.0 - options.relative_gap) + 1e-9:
        best, best_cost = search.run(
            best,
            budget=clock.child(clock.left()),
            lower_bound=lower,
            relative_gap=options.relative_gap,
            on_improve=lambda found, cost: report.offer(
                cost, placed_requests(found), lambda: found
            ),
        )
    stats["lns_iterations"] = search.iterations
    stats["lns_improvements"] = search.improvements
    solution = plan_solution(problem, best)
    bound = None if report.bound == -math.inf else min(report.bound, float(best_cost))
    optimal = bound is not None and best_cost <= bound + 1e-6
    stats["model_objective"] = best_cost
    return dataclasses.replace(
        solution,
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        bound=bound,
        wall_seconds=time.perf_counter() - started,
        first_solution_seconds=report.first_seconds,
        statistics=stats,
    )


__all__ = [
    "NeighbourhoodSearch",
    "place",
    "portfolio",
    "restrict_to_starts",
    "solve_slots",
    "solve_time_first",
]
