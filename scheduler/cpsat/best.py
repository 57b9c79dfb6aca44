"""What both engines (the full model and the time-first one) keep about their best plan.

The objective reported as progress, the time of the first plan and the bound are the same
bookkeeping whichever model found the plan; and a plan becomes a ``Solution`` the same
way, with its cost recomputed from the sessions.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence

from scheduler.costs import group_travel, trainer_travel
from scheduler.cpsat.prep.candidates import RequestCandidates
from scheduler.cpsat.score import weighted_components
from scheduler.lookup import Lookup
from scheduler.options import Progress
from scheduler.problem import PlannedSession, Problem
from scheduler.replan import compute_changes
from scheduler.solution import Solution, Status

log = logging.getLogger("scheduler.cpsat")

ProgressCallback = Callable[[Progress], None]
PlanOf = Callable[[], Sequence[PlannedSession]]


def plan_travel(lookup: Lookup, sessions: Sequence[PlannedSession]) -> tuple[int, int]:
    """Group and trainer travel minutes of ``sessions``, exactly as ``summarize`` counts them
    (progress reports them, so a planner sees what an improving plan costs in travel)."""
    plan = Solution(Status.FEASIBLE, sessions=tuple(sessions))
    return group_travel(lookup, plan), trainer_travel(lookup, plan)


class BestObjective:
    """The best objective so far, reported as progress each time it improves."""

    def __init__(
        self, started: float, progress: ProgressCallback | None, problem: Problem | None = None
    ) -> None:
        self.started = started
        self.progress = progress
        self.problem = problem  # to count a plan's travel (None: progress reports none)
        self._lookup: Lookup | None = None
        self.objective: int | None = None
        self.bound = -math.inf
        self.solutions = 0
        self.first_seconds: float | None = None

    def offer(
        self, objective: int, placed: int | None = None, plan: PlanOf | None = None
    ) -> bool:
        """Take ``objective`` if it is better; True when it was.

        ``placed``: how many requests that plan gives a session, when the caller knows.
        ``plan``: gives that plan's sessions, called only when progress is reported (their
        travel is counted then, not at every offer).
        """
        if self.objective is not None and objective >= self.objective:
            return False
        self.objective = objective
        self.solutions += 1
        elapsed = time.perf_counter() - self.started
        if self.first_seconds is None:
            self.first_seconds = elapsed
        if self.progress is not None:
            bound = min(self.bound, objective) if self.bound > -math.inf else 0.0
            gap = max(0.0, (objective - bound) / abs(objective)) if objective else 0.0
            groups, trainers = self._travel(plan)
            self.progress(Progress(elapsed, objective, bound, gap, self.solutions, placed,
                                   groups, trainers))  # fmt: skip
        return True

    def _travel(self, plan: PlanOf | None) -> tuple[int | None, int | None]:
        if plan is None or self.problem is None:
            return None, None
        if self._lookup is None:
            self._lookup = Lookup.of(self.problem)
        return plan_travel(self._lookup, plan())


def placed_requests(sessions: Iterable[PlannedSession]) -> int:
    """How many requests have at least one session in ``sessions`` (progress reports it)."""
    return len({s.request for s in sessions})


def demand_floor(problem: Problem, requests: Iterable[RequestCandidates]) -> float:
    """A lower bound no plan beats, known before any search: every request that can never
    be scheduled (its candidates say why) costs its ``unscheduled`` weight, and every other
    component is at least 0. It keeps a bound on the solution when a search phase ends
    before CP-SAT proved one (a loaded machine, a large model)."""
    weight = problem.weights.unscheduled
    return float(sum(weight * rc.request.priority for rc in requests if not rc.schedulable))


def plan_solution(problem: Problem, plan: Sequence[PlannedSession]) -> Solution:
    """A feasible ``Solution`` of ``plan`` at its exact cost (no bound, no timings)."""
    sessions = tuple(sorted(plan, key=lambda s: (s.request, s.index)))
    placed = {s.request for s in sessions}
    components = weighted_components(problem, sessions)
    return Solution(
        Status.FEASIBLE,
        sessions=sessions,
        unscheduled=tuple(r.id for r in problem.requests if r.id not in placed),
        objective=sum(components.values()),
        components=components,
        changes=compute_changes(problem.reference, sessions),
    )


def infeasible(reasons: list[str], started: float) -> Solution:
    """An INFEASIBLE Solution for rules no plan can keep, found before any search."""
    for reason in reasons:
        log.info("infeasible before solving: %s", reason)
    return Solution(
        Status.INFEASIBLE,
        wall_seconds=time.perf_counter() - started,
        statistics={"infeasible_reason": "; ".join(reasons)},
    )


__all__ = [
    "BestObjective",
    "PlanOf",
    "ProgressCallback",
    "demand_floor",
    "infeasible",
    "placed_requests",
    "plan_solution",
    "plan_travel",
]
