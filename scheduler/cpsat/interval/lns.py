"""Large-neighbourhood search around CP-SAT: free a few requests, re-solve, keep if better.

The whole model stays as built; a neighbourhood fixes the decision variables (presence,
start, day, location, trainers) of every request outside it to their current values and
hints the rest with the current plan, so each sub-solve starts from a complete feasible
assignment and can only return an equal or better plan. Neighbourhoods follow the
problem's structure: requests that share a group, a trainer's or a location's day with a
seed request (seeded at an unscheduled request when there is one), requests around one
day, or a random set. Their size adapts: it grows while sub-solves finish proven optimal
and shrinks when they time out.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.cpsat.budget import TimeBudget, limit
from scheduler.cpsat.hints import Values, fix_values, set_hint
from scheduler.cpsat.interval.model import BuiltModel
from scheduler.cpsat.pool import SubSolves
from scheduler.cpsat.settings import DEFAULT_SETTINGS, Settings
from scheduler.problem import RequestId

log = logging.getLogger("scheduler.cpsat")


@dataclass(slots=True)
class LnsResult:
    values: Values
    objective: int
    iterations: int
    improvements: int


@dataclass(slots=True)
class _Request:
    rid: RequestId
    priority: int
    decisions: list[int]  # proto indices of its decision variables
    present: int
    starts: list[int]
    at: list[list[tuple[str, int]]]  # per session: (location, literal index)
    tr: list[list[tuple[str, int]]]
    groups: tuple[str, ...]


class Lns:
    """One LNS run over a built model, from a complete feasible assignment."""

    def __init__(
        self,
        built: BuiltModel,
        seed: int,
        workers: int,
        deterministic: bool,
        settings: Settings = DEFAULT_SETTINGS,
    ) -> None:
        self.settings = settings
        mv = built.vars
        assert built.model is not None and mv is not None
        self.built = built
        self.rng = random.Random(seed)
        self.seed = seed
        self.workers = workers
        self.deterministic = deterministic
        cpus = os.cpu_count() or 1
        self.threads = 1 if deterministic else max(1, min(cpus, workers or cpus))
        self.spd = mv.grid.slots_per_day
        self.requests: list[_Request] = []
        for rc in mv.requests():
            present = mv.present(rc.request.id)
            if present is None:
                continue
            svs = mv.sessions_of_request(rc.request.id)
            decisions = {present.index}
            for sv in svs:
                decisions.add(sv.start.index)
                if not isinstance(sv.day, int):
                    decisions.add(sv.day.index)
                decisions.update(lit.index for lit in sv.at.values())
                decisions.update(lit.index for lit in sv.tr.values())
                if sv.on is not None:
                    decisions.update(lit.index for lit in sv.on.values())
            self.requests.append(
                _Request(
                    rc.request.id,
                    rc.request.priority,
                    sorted(decisions),
                    present.index,
                    [sv.start.index for sv in svs],
                    [[(str(lid), lit.index) for lid, lit in sv.at.items()] for sv in svs],
                    [[(str(tid), lit.index) for tid, lit in sv.tr.items()] for sv in svs],
                    tuple(str(g) for g in rc.request.groups),
                )
            )
        self.size = max(2.0, min(len(self.requests), max(3, len(self.requests) // 5)))

    # --- neighbourhoods ---
    def _uses(self, values: Values) -> dict[tuple[str, str, int], list[int]]:
        """(kind, resource, day) -> requests using it in the current plan."""
        out: dict[tuple[str, str, int], list[int]] = {}
        for i, r in enumerate(self.requests):
            if not values[r.present]:
                continue
            for k, start in enumerate(r.starts):
                day = values[start] // self.spd
                for gid in r.groups:
                    out.setdefault(("g", gid, day), []).append(i)
                for lid, lit in r.at[k]:
                    if values[lit]:
                        out.setdefault(("l", lid, day), []).append(i)
                for tid, lit in r.tr[k]:
                    if values[lit]:
                        out.setdefault(("t", tid, day), []).append(i)
        return out

    def neighbourhood(self, values: Values) -> set[int]:
        n = len(self.requests)
        k = max(1, min(n, int(self.size)))
        if k >= n:
            return set(range(n))
        rng = self.rng
        missing = [i for i, r in enumerate(self.requests) if not values[r.present]]
        kind = rng.random()
        uses = self._uses(values)
        by_group: dict[str, list[int]] = {}
        for i, r in enumerate(self.requests):
            for gid in r.groups:
                by_group.setdefault(gid, []).append(i)
        chosen: set[int] = set()
        if kind < 0.15:  # random requests
            chosen.update(rng.sample(range(n), k))
        elif kind < 0.35 and uses:  # everything around one day of one resource kind
            keys = list(uses)
            while len(chosen) < k and keys:
                key = keys.pop(rng.randrange(len(keys)))
                day = key[2]
                for other in keys:
                    if other[2] == day and other[0] == key[0] and len(chosen) < k:
                        chosen.update(uses[other][: k - len(chosen)])
                chosen.update(uses[key][: k - len(chosen)])
        # related requests grown from a seed (an unscheduled one when there is one)
        unscheduled = self.settings.interval.unscheduled_seed
        seed = rng.choice(missing) if missing and rng.random() < unscheduled else rng.randrange(n)
        frontier = [seed]
        while frontier and len(chosen) < k:
            i = frontier.pop(rng.randrange(len(frontier)))
            if i in chosen:
                continue
            chosen.add(i)
            r = self.requests[i]
            related: list[int] = []
            for gid in r.groups:
                related += by_group.get(gid, [])
            if values[r.present]:
                for kk, start in enumerate(r.starts):
                    day = values[start] // self.spd
                    for lid, lit in r.at[kk]:
                        if values[lit]:
                            related += uses.get(("l", lid, day), [])
                    for tid, lit in r.tr[kk]:
                        if values[lit]:
                            related += uses.get(("t", tid, day), [])
            else:  # who holds what it could use: requests on its groups' and trainers' days
                related += rng.sample(range(n), min(n, 2 * k))
            frontier += [j for j in related if j not in chosen]
        while len(chosen) < k:
            chosen.add(rng.randrange(n))
        return chosen

    # --- the loop ---
    def _step(
        self, values: Values, free: set[int], seed: int, seconds: float, det_seconds: float
    ) -> tuple[int, Values | None, float, float]:
        """Re-solve with the requests outside ``free`` fixed.

        Returns the status code, the new assignment when one was found (else None), and the
        deterministic and wall time used. Safe to run in a thread: CP-SAT releases the GIL.
        """
        model = self.built.model
        assert model is not None
        fixed: dict[int, int] = {}
        for i, r in enumerate(self.requests):
            if i not in free:
                for v in r.decisions:
                    fixed[v] = values[v]
        sub = model.clone()
        fix_values(sub, fixed)
        set_hint(sub, values)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.random_seed = seed
        # the sub-model is the whole model with most of it fixed: a light presolve
        # removes the fixed part; symmetry and probing would cost more than the search
        p.symmetry_level = 0
        p.cp_model_probing_level = 0
        p.max_presolve_iterations = 1
        if self.deterministic:
            limit(p, det_seconds, True, guard=max(0.05, seconds))
        else:
            small = len(free) < self.settings.interval.small_neighbourhood
            p.num_workers = 1 if small or self.threads > 1 else self.workers
            limit(p, seconds, False)
        code = solver.solve(sub)
        found = None
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = list(solver.response_proto.solution)
            found.append(round(solver.objective_value))  # last item: the objective
        log.debug("lns: %d requests free, %s in %.2fs", len(free), solver.status_name(code),
                  solver.wall_time)  # fmt: skip
        return code, found, solver.deterministic_time, solver.wall_time

    def _adapt(self, code: int) -> None:
        resize = self.settings.interval.resize
        self.size = resize.after(self.size, code == cp_model.OPTIMAL, len(self.requests))

    def run(
        self,
        values: Values,
        objective: int,
        *,
        budget: TimeBudget,
        step_seconds: float,
        lower_bound: float,  # stop once the objective is at or below this
        on_improve: Callable[[Values, int], None] | None = None,
    ) -> LnsResult:
        """Improve ``values`` until ``budget`` runs out; each sub-solve is charged to it.

        With several cores and no need for determinism, that many sub-solves run side by
        side on one worker each; a result found from a plan that has since improved is
        dropped (it may not fit the new plan).
        """
        iterations = improvements = 0
        version = 0
        pool: SubSolves[tuple[int, int], tuple[int, Values | None, float, float]]
        with SubSolves(self.threads, self.deterministic) as pool:
            while True:
                while (
                    pool.has_room()
                    and objective > lower_bound + 1e-9
                    and budget.wall_left() > 0.05
                    and not (self.deterministic and budget.left() <= 0)
                ):
                    free = self.neighbourhood(values)
                    step = min(step_seconds, budget.left())
                    # deterministic mode: ``step`` is deterministic time, the wall a guard
                    wall = budget.wall_left() if self.deterministic else step
                    seed = self.seed + iterations + len(pool) + 1
                    args = (values, free, seed, wall, step)
                    if not pool.start((version, len(free)), self._step, *args):
                        break  # one at a time: the order of results must not vary
                if not pool:
                    break
                for (base, _size), (code, found, det_time, _wall) in pool.finished():
                    iterations += 1
                    budget.charge(det_time + self.settings.iteration_cost)
                    self._adapt(code)
                    if found is None or found[-1] >= objective or base != version:
                        continue
                    objective = found.pop()
                    values = found
                    version += 1
                    improvements += 1
                    if on_improve is not None:
                        on_improve(values, objective)
        return LnsResult(values, objective, iterations, improvements)


__all__ = ["Lns", "LnsResult"]
