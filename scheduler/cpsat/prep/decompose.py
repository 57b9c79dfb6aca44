"""Independent parts of a problem, solved one after the other.

Two requests interact only through a shared location, trainer or group (every hard rule
between sessions is about one of those). Requests that can never share one fall apart
into parts, and each part is a smaller Problem: its own model, built and solved in a
fraction of the time (models grow faster than linearly), with a time budget in proportion
to its sessions.

The objective separates over parts except for two components: ``fairness`` (the worst
school over the whole campus) and ``host_balance`` (shares of all hosted sessions). Each
part computes those over its own schools and partners. That is exact when both weights are
0 (``parts_are_exact``); otherwise it is a heuristic, which the engine uses only on big
problems (``Settings.decompose_min_sessions``), and the returned objective is always recomputed
exactly over the merged plan.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from scheduler.cpsat.best import demand_floor, placed_requests, plan_solution, plan_travel
from scheduler.cpsat.prep.candidates import Candidates, SessionCandidates, build_candidates
from scheduler.cpsat.prep.greedy import greedy_plan
from scheduler.cpsat.score import weighted_components
from scheduler.cpsat.settings import DEFAULT_SETTINGS, Settings
from scheduler.lookup import Lookup
from scheduler.options import Progress, SolveOptions
from scheduler.problem import LocationId, PlannedSession, Problem, RequestId, TrainerId, Travel
from scheduler.solution import Solution, Status

SolveWhole = Callable[..., Solution]


def split(
    problem: Problem, cands: Candidates, far_trainer_minutes: int | None = None
) -> list[Problem]:
    """The problem's independent parts as Problems (one part: ``[problem]``).

    With ``far_trainer_minutes`` (the heuristic split of big problems) a trainer whose home
    is further than that from every location a request may use is left out of that
    request, when enough nearer trainers remain: far regions are then not tied together by
    trainers who could, but hardly should, travel for hours.
    """
    homes: dict[TrainerId, LocationId | None] = {t.id: t.home for t in problem.trainers}
    travel = problem.travel
    kept: dict[str, set[str]] = {}  # part root -> trainers that belong to it
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    for rc in cands.requests:
        node = "r:" + rc.request.id
        find(node)
        for gid in rc.request.groups:
            union(node, "g:" + gid)
        for sc in rc.sessions:
            for lid in sc.location_masks:
                union(node, "l:" + lid)
            trainers = list(sc.trainer_masks)
            if far_trainer_minutes is not None:
                trainers = _near_trainers(sc, homes, travel, far_trainer_minutes)
            for tid in trainers:
                union(node, "t:" + tid)
    by_root: dict[str, list[RequestId]] = {}
    for r in problem.requests:
        by_root.setdefault(find("r:" + r.id), []).append(r.id)
    if len(by_root) < 2:
        return [problem]
    for tid in homes:
        kept.setdefault(find("t:" + tid), set()).add(tid)
    parts = []
    for root, rids in by_root.items():
        parts.append(_restrict(problem, cands, set(rids), kept.get(root, set())))
    return parts


def _near_trainers(
    sc: SessionCandidates,
    homes: dict[TrainerId, LocationId | None],
    travel: Travel,
    far: int,
) -> list[TrainerId]:
    """The session's trainers within ``far`` minutes of one of its places (and its fixed
    trainer). Far ones tie no parts together; the session may still get one that belongs
    to its part through other requests."""

    def distance(tid: TrainerId) -> int:
        home = homes.get(tid)
        if home is None or tid == sc.fixed_trainer:
            return 0
        return min(travel.between(home, lid) for lid in sc.location_masks)

    return [tid for tid in sc.trainer_masks if distance(tid) <= far]


def _restrict(
    problem: Problem, cands: Candidates, rids: set[RequestId], own_trainers: set[str]
) -> Problem:
    """The problem with only ``rids`` and the places, people and groups they can touch."""
    requests = tuple(r for r in problem.requests if r.id in rids)
    groups = {g for r in requests for g in r.groups}
    locs: set[LocationId] = set()
    trainers = {r.trainer for r in requests if r.trainer is not None}
    for rc in cands.requests:
        if rc.request.id in rids:
            for sc in rc.sessions:
                locs.update(sc.location_masks)
    trainers |= own_trainers  # the trainers tied to this part (and no other)
    reference = tuple(s for s in problem.reference if s.request in rids)
    locs.update(s.location for s in reference)
    kept_trainers = tuple(t for t in problem.trainers if t.id in trainers)
    kept_groups = tuple(g for g in problem.groups if g.id in groups)
    locs.update(t.home for t in kept_trainers if t.home is not None)
    locs.update(g.home for g in kept_groups if g.home is not None)
    return dataclasses.replace(
        problem,
        locations=tuple(loc for loc in problem.locations if loc.id in locs),
        trainers=kept_trainers,
        groups=kept_groups,
        requests=requests,
        reference=reference,
    )


def parts_are_exact(problem: Problem) -> bool:
    """Whether the sum of the parts' objectives is the whole problem's objective."""
    return problem.weights.fairness == 0 and problem.weights.host_balance == 0


def solve_parts(
    problem: Problem,
    parts: list[Problem],
    options: SolveOptions,
    progress: Callable[[Progress], None] | None,
    started: float,
    solve_whole: SolveWhole,
    exact: bool,
    settings: Settings = DEFAULT_SETTINGS,
) -> Solution:
    """Solve each part with its share of the time; merge into one Solution.

    ``exact``: the parts' objectives sum to the whole one (then bounds add up too).
    """
    acts = {a.code: a.sessions for a in problem.activities}
    sizes = [sum(acts[r.activity] for r in p.requests) or 1 for p in parts]
    order = sorted(range(len(parts)), key=lambda i: -sizes[i])
    budget = options.time_limit_seconds
    deadline = started + budget
    stats: dict[str, float | int | str] = {"parts": len(parts)}
    # a greedy plan for every part first: a complete, valid plan of the whole in seconds
    cands = [build_candidates(part) for part in parts]
    plans: list[list[PlannedSession]] = []
    for i, part in enumerate(parts):
        first = greedy_plan(part, cands[i], settings=settings.greedy) if options.first_plan else []
        plans.append(first)
    first_seconds: float | None = time.perf_counter() - started if options.first_plan else None
    lookup = Lookup.of(problem)
    if progress is not None and options.first_plan:
        whole = [s for p in plans for s in p]
        objective = sum(weighted_components(problem, whole).values())
        progress(Progress(time.perf_counter() - started, objective, 0.0, 1.0, 1,
                          placed_requests(whole), *plan_travel(lookup, whole)))  # fmt: skip
    results: dict[int, Solution] = {}
    pending = sum(sizes)
    per_session: float | None = None  # seconds one session costs to build, once measured
    for n, i in enumerate(order):
        part = parts[i]
        now = time.perf_counter()
        total = sum(sizes)
        spent = budget * (1 - pending / total) if options.deterministic else now - started
        share = max(0.05, (budget - spent) * sizes[i] / pending)
        pending -= sizes[i]
        if (
            not options.deterministic
            and per_session is not None
            and options.first_plan
            and now + 1.5 * per_session * sizes[i] > deadline
        ):
            continue  # no time left to build this part's model: its greedy plan stands
        sub = solve_whole(
            part, cands[i], options, None, now, share, first=plans[i], settings=settings
        )
        if sub.status is Status.INFEASIBLE:
            return Solution(Status.INFEASIBLE, wall_seconds=time.perf_counter() - started,
                            statistics={**stats, **sub.statistics})  # fmt: skip
        build = sub.statistics.get("build_seconds")
        if isinstance(build, float) and per_session is None:
            per_session = build / sizes[i]
        results[i] = sub
        if first_seconds is None and sub.first_solution_seconds is not None:
            first_seconds = now - started + sub.first_solution_seconds
        if progress is not None:
            done = [s for j, p in enumerate(plans) for s in _part_sessions(j, p, results)]
            objective = sum(weighted_components(problem, done).values())
            progress(Progress(time.perf_counter() - started, objective, 0.0,
                              1.0 if objective else 0.0, n + 2,
                              placed_requests(done), *plan_travel(lookup, done)))  # fmt: skip
    sessions: list[PlannedSession] = []
    bounds: list[float] = []
    floors: list[float] = []
    statuses: list[Status] = []
    for j, plan in enumerate(plans):
        sessions += _part_sessions(j, plan, results)
        sub = results.get(j)
        statuses.append(sub.status if sub is not None else Status.FEASIBLE)
        floor = demand_floor(parts[j], cands[j].requests)  # a part not solved still has it
        floors.append(floor)
        bounds.append(sub.bound if sub is not None and sub.bound is not None else floor)
        keys = ("num_variables", "num_constraints", "num_sessions", "lns_iterations")
        for key in keys:
            value = sub.statistics.get(key) if sub is not None else None
            if isinstance(value, int):
                stats[key] = int(stats.get(key, 0)) + value
    stats["parts_solved"] = len(results)
    solution = plan_solution(problem, sessions)
    # inexact parts: only the demand that can never be placed is a bound of the whole
    bound = min(float(solution.objective), sum(bounds) if exact else sum(floors))
    optimal = exact and all(s is Status.OPTIMAL for s in statuses)
    stats["exact_parts"] = int(exact)
    stats["model_objective"] = solution.objective
    return dataclasses.replace(
        solution,
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        bound=bound,
        wall_seconds=time.perf_counter() - started,
        first_solution_seconds=first_seconds,
        statistics=stats,
    )


def _part_sessions(
    j: int, plan: list[PlannedSession], results: dict[int, Solution]
) -> list[PlannedSession]:
    """A part's solved sessions, or its greedy plan when it was not solved."""
    sub = results.get(j)
    if sub is None or sub.objective is None:
        return list(plan)
    return list(sub.sessions)


__all__ = [
    "parts_are_exact",
    "solve_parts",
    "split",
]
