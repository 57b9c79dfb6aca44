"""The search machinery: greedy first plan, complete hints, LNS and independent parts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler import SolveOptions, Status, Weights, solve
from scheduler.cpsat.budget import TimeBudget
from scheduler.cpsat.hints import complete_assignment
from scheduler.cpsat.interval.engine import _extract
from scheduler.cpsat.interval.lns import Lns
from scheduler.cpsat.interval.model import build_model, decision_values
from scheduler.cpsat.prep.candidates import build_candidates
from scheduler.cpsat.prep.decompose import split
from scheduler.cpsat.prep.greedy import greedy_plan
from scheduler.cpsat.score import weighted_components
from scheduler.problem import Problem
from scheduler.solution import Solution
from scheduler.validate import validate
from tests.scheduler.builder import QUICK, ProblemBuilder, random_problem, run


def _as_solution(problem: Problem, sessions: list) -> Solution:  # type: ignore[type-arg]
    components = weighted_components(problem, sessions)
    placed = {s.request for s in sessions}
    return Solution(
        Status.FEASIBLE,
        sessions=tuple(sessions),
        unscheduled=tuple(r.id for r in problem.requests if r.id not in placed),
        objective=sum(components.values()),
        components=components,
    )


@pytest.mark.parametrize("fail_first", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_greedy_plan_is_valid_and_completes_into_a_full_hint(seed: int, fail_first: bool) -> None:
    # the greedy plan (either order) breaks no hard rule, and fixing its decisions in the
    # model leaves a feasible assignment whose model objective is the plan's exact cost
    problem = random_problem(seed, weeks=2, requests=10)
    cands = build_candidates(problem)
    plan = greedy_plan(problem, cands, fail_first=fail_first)
    solution = _as_solution(problem, plan)
    report = validate(problem, solution)
    assert report.ok, report.violations
    assert report.objective == solution.objective
    built = build_model(problem, cands)
    assert built.model is not None
    done = complete_assignment(
        built.model, decision_values(built, plan), seconds=5, workers=1, seed=0, deterministic=True
    )
    assert done is not None
    values, objective = done
    assert len(values) == len(built.model.proto.variables)
    assert objective == solution.objective


def test_greedy_keeps_frozen_sessions_and_schedules_around_them() -> None:
    # the pinned session of r1 holds loc1 on Monday 08:00-10:00; r2 must go elsewhere in time
    from tests.scheduler.builder import MONDAY, at

    b = ProblemBuilder().location("loc1").trainer("t1").trainer("t2").group("g1").group("g2")
    b.activity("w").request("r1", groups=("g1",)).request("r2", groups=("g2",))
    b.planned("r1", 1, "loc1", ("t1",), at(MONDAY, "08:00"), pinned=True)
    problem = b.build()
    plan = greedy_plan(problem, build_candidates(problem))
    assert {s.request for s in plan} == {"r1", "r2"}
    assert validate(problem, _as_solution(problem, plan)).ok


@pytest.mark.parametrize("seed", range(4))
def test_lns_never_returns_a_worse_plan_than_its_start(seed: int) -> None:
    problem = random_problem(seed, weeks=2, requests=12)
    cands = build_candidates(problem)
    built = build_model(problem, cands)
    plan = greedy_plan(problem, cands)
    done = complete_assignment(
        built.model, decision_values(built, plan), seconds=5, workers=1, seed=0, deterministic=True
    )
    assert done is not None
    values, start = done
    lns = Lns(built, seed=seed, workers=1, deterministic=True)
    result = lns.run(
        values,
        start,
        budget=TimeBudget(0.5, deterministic=True),
        step_seconds=0.1,
        lower_bound=0,
    )
    assert result.objective <= start
    sessions, _ = _extract(problem, built, result.values)
    solution = _as_solution(problem, list(sessions))
    report = validate(problem, solution)
    assert report.ok, report.violations
    assert solution.objective == result.objective


def _two_regions(weights: Weights) -> Problem:
    """Two copies of a small campus that share no location, trainer or group.

    Groups travel at most 60 minutes and the regions are 300 minutes apart; each region's
    activities need its own qualification, which only its own trainers hold.
    """
    b = ProblemBuilder()
    b.weights = weights
    b.travel_default = 300
    for region in ("a", "b"):
        b.activity(f"{region}-w", duration_minutes=120, qualification=region)
        b.activity(f"{region}-c", sessions=2, duration_minutes=90, min_distinct_days=2,
                   qualification=region)  # fmt: skip
        b.location(f"{region}-loc1", capacity=20).location(f"{region}-loc2", capacity=30)
        b.location(f"{region}-school", hosts_training=False)
        b.travel(f"{region}-loc1", f"{region}-school", 20)
        b.travel(f"{region}-loc2", f"{region}-school", 40)
        b.travel(f"{region}-loc1", f"{region}-loc2", 30)
        for t in ("t1", "t2"):
            b.trainer(f"{region}-{t}", qualifications=(region,))
        for g, size in (("g1", 18), ("g2", 25)):
            b.group(f"{region}-{g}", school=f"{region}-school", headcount=size,
                    home=f"{region}-school", max_travel_minutes=60)  # fmt: skip
        b.request(f"{region}-r1", f"{region}-w", groups=(f"{region}-g1",))
        b.request(f"{region}-r2", f"{region}-c", groups=(f"{region}-g2",))
        b.request(f"{region}-r3", f"{region}-w", groups=(f"{region}-g1", f"{region}-g2"),
                  participants=30)  # fmt: skip
    return b.build()


def test_two_independent_regions_split_into_two_parts() -> None:
    problem = _two_regions(replace(Weights(), fairness=0, host_balance=0))
    parts = split(problem, build_candidates(problem))
    assert len(parts) == 2
    assert sorted(len(p.requests) for p in parts) == [3, 3]
    for part in parts:  # each part keeps only its own region
        region = part.requests[0].id[0]
        assert all(loc.id.startswith(region) for loc in part.locations)
        assert all(t.id.startswith(region) for t in part.trainers)


def test_decomposition_gives_the_monolithic_objective() -> None:
    # with fairness and host_balance at 0 the objective is a sum over the regions, so
    # solving them one by one is exact and proves the same optimum as one big model
    problem = _two_regions(replace(Weights(isolated=1), fairness=0, host_balance=0))
    whole = run(problem, replace(QUICK, decompose=False))
    parts = run(problem, QUICK)
    assert whole.status is Status.OPTIMAL and parts.status is Status.OPTIMAL
    assert parts.statistics["parts"] == 2
    assert parts.objective == whole.objective
    assert parts.bound == parts.objective


def test_options_switch_the_search_phases_off() -> None:
    # every phase is optional; the plain CP-SAT solve still reaches the same optimum
    problem = random_problem(3)
    plain = run(problem, replace(QUICK, first_plan=False, lns=False, decompose=False))
    full = run(problem, QUICK)
    assert plain.status is Status.OPTIMAL and full.status is Status.OPTIMAL
    assert plain.objective == full.objective


def test_first_solution_comes_from_the_greedy_plan_at_once() -> None:
    problem = random_problem(5, weeks=2, requests=12)
    solution = solve(problem, SolveOptions(time_limit_seconds=5, workers=1))
    assert solution.first_solution_seconds is not None
    assert solution.statistics["start_objective"] >= solution.objective
