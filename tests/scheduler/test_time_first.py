"""The time-first engine (``timefirst/engine.py``, ``timefirst/build.py``) against the full
model and the validator, on random campuses that exercise every rule."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from ortools.sat.python import cp_model

from scheduler import Solution, Status
from scheduler.cpsat.hints import complete_assignment
from scheduler.cpsat.prep.candidates import build_candidates
from scheduler.cpsat.prep.greedy import greedy_plan
from scheduler.cpsat.score import weighted_components
from scheduler.cpsat.settings import DEFAULT_SETTINGS
from scheduler.cpsat.timefirst.build import build_neighbourhood, build_slot_model
from scheduler.cpsat.timefirst.engine import (
    NeighbourhoodSearch,
    more_start_seconds,
    portfolio,
    solve_slots,
)
from scheduler.problem import PlannedSession, Problem
from scheduler.validate import validate
from tests.scheduler.builder import (
    MONDAY,
    QUICK,
    ProblemBuilder,
    at,
    basic,
    on_day,
    random_problem,
    run,
)

TIME_FIRST = replace(QUICK, time_first=True, time_limit_seconds=3)  # never proven: all of it
TUNING = DEFAULT_SETTINGS.time_first
SPRING_MONDAY = date(2027, 3, 22)  # the week clocks go forward (Sunday 2027-03-28)


def _cost(problem: Problem, plan: list[PlannedSession]) -> int:
    return sum(weighted_components(problem, plan).values())


def _valid(problem: Problem, plan: list[PlannedSession]) -> bool:
    placed = {s.request for s in plan}
    solution = Solution(
        Status.FEASIBLE,
        sessions=tuple(plan),
        unscheduled=tuple(r.id for r in problem.requests if r.id not in placed),
    )
    return validate(problem, solution).ok


@pytest.mark.parametrize("seed", range(6))
def test_time_first_optimum_is_a_lower_bound_of_the_full_optimum(seed: int) -> None:
    # the time-first model only drops rules and takes the least of what it cannot know
    # (locations, chosen trainers): its optimum can never exceed the real one
    problem = random_problem(seed)
    full = run(problem, replace(QUICK, time_first=False))
    assert full.status is Status.OPTIMAL and full.objective is not None
    sm = build_slot_model(problem, build_candidates(problem))
    assert sm is not None
    result = solve_slots(sm, None, seconds=5, workers=1, seed=0, deterministic=True)
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.objective is not None
    assert result.bound <= full.objective
    if result.status == "OPTIMAL":
        assert result.objective <= full.objective


def test_time_first_counts_the_least_over_capacity_of_sessions_sharing_a_slot() -> None:
    # three sessions can only start Monday 09:00 (locations open 09:00-11:00, 120 minutes):
    # 30, 26 and 24 participants, rooms for 40, 25 and 20. Largest first: 30 -> 40,
    # 26 -> 25 (1 over), 24 -> 20 (4 over); no assignment costs less than 5
    b = ProblemBuilder().activity("w", capacity_soft=True).with_weights(over_capacity=1)
    for lid, capacity in (("big", 40), ("mid", 25), ("small", 20)):
        b.location(lid, capacity=capacity, availability=on_day(MONDAY, "09:00", "11:00"))
    for i, size in enumerate((30, 26, 24)):
        b.group(f"g{i}", headcount=size).trainer(f"t{i}").request(f"r{i}", groups=(f"g{i}",))
    problem = b.build()
    sm = build_slot_model(problem, build_candidates(problem))
    assert sm is not None
    result = solve_slots(sm, None, seconds=5, workers=1, seed=0, deterministic=True)
    assert (result.status, result.objective) == ("OPTIMAL", 5)
    assert run(problem, TIME_FIRST).objective == 5  # and that is what placing them costs


@pytest.mark.parametrize("rooms_only", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_neighbourhood_model_is_exact_and_its_plans_keep_every_rule(
    seed: int, rooms_only: bool
) -> None:
    # free a few requests of a valid plan: the plan is a solution of its neighbourhood, the
    # optimum keeps every rule, and the model's objective moves exactly as the real cost
    first_day = SPRING_MONDAY if seed % 2 else MONDAY
    problem = random_problem(seed, weeks=2, requests=10, first_day=first_day)
    cands = build_candidates(problem)
    plan = greedy_plan(problem, cands)
    assert _valid(problem, plan)
    free = set(random.Random(seed).sample([r.id for r in problem.requests], 4))
    mine = [s for s in plan if s.request in free]
    rest = [s for s in plan if s.request not in free]
    keep = {(s.request, s.index): cands.grid.slot(s.start) for s in mine}
    sm = build_neighbourhood(problem, cands, rest, free, keep if rooms_only else None)
    before = complete_assignment(
        sm.model, sm.hint_from(mine), seconds=5, workers=1, seed=0, deterministic=True
    )
    assert before is not None
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2  # as the search does
    solver.parameters.max_deterministic_time = 30
    assert solver.solve(sm.model) == cp_model.OPTIMAL  # auxiliary costs tight
    after = rest + sm.sessions(list(solver.response_proto.solution))
    assert _valid(problem, after)
    assert round(solver.objective_value) <= before[1]
    assert _cost(problem, after) - _cost(problem, plan) == round(solver.objective_value) - before[1]
    if rooms_only:  # starts kept: only locations and trainers moved
        assert {(s.request, s.index, s.start) for s in after} >= {
            (s.request, s.index, s.start) for s in mine
        }


@pytest.mark.parametrize("seed", range(4))
def test_time_first_engine_plans_are_valid_and_never_worse_than_its_start(seed: int) -> None:
    first_day = SPRING_MONDAY if seed % 2 else MONDAY
    problem = random_problem(seed, weeks=2, requests=10, first_day=first_day)
    solution = run(problem, TIME_FIRST)
    assert solution.statistics["engine"] == "time-first"
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert solution.objective is not None
    assert solution.statistics["start_objective"] >= solution.objective
    assert solution.bound is not None and solution.bound <= solution.objective


@pytest.mark.parametrize("seed", range(2))
def test_time_first_engine_keeps_frozen_sessions_when_replanning(seed: int) -> None:
    # re-solve with the first plan as reference and "now" after its earliest session
    problem = random_problem(200 + seed, weeks=2, requests=8)
    plan = run(problem, TIME_FIRST)
    earliest = min(plan.sessions, key=lambda s: s.start)
    again = replace(problem, reference=plan.sessions, now=earliest.end)
    solution = run(again, TIME_FIRST)
    assert earliest in solution.sessions
    # an unchanged problem keeps its plan: every move would cost stability
    assert solution.components["stability"] == 0


def test_time_first_engine_reports_conflicting_frozen_sessions_as_infeasible() -> None:
    # two pinned sessions share loc1 on Monday 09:00-11:00 and 10:00-12:00; the time-first
    # model counts one location for two sessions at 10:00 and proves that no plan exists
    b = basic().trainer("t2").group("g2").request("r2", groups=("g2",))
    b.planned("r1", 1, "loc1", ("t1",), at(MONDAY, "09:00"), pinned=True)
    b.planned("r2", 1, "loc1", ("t2",), at(MONDAY, "10:00"), pinned=True)
    solution = run(b.build(), TIME_FIRST)
    assert solution.status is Status.INFEASIBLE


def test_core_based_search_is_named_for_few_workers_only() -> None:
    # CP-SAT itself starts its core-based worker only with many workers: with fewer the
    # engine names it first, never more workers than there are; one worker gets its default
    subsolvers = TUNING.full_subsolvers
    for workers in range(2, len(subsolvers)):
        named = portfolio(workers, subsolvers)
        assert named[0] == "core" and len(named) == workers
    assert portfolio(1, subsolvers) == []
    assert portfolio(len(subsolvers), subsolvers) == []  # CP-SAT's own choice includes it


def test_the_search_on_starts_gets_the_exact_reserve_when_all_cost_is_in_the_starts() -> None:
    # 60 s budget, 30 s left after the first placement: only the second placement's share
    # is kept back, the exact search gets what the search on the starts leaves
    seconds = more_start_seconds(30.0, 60.0, in_starts=80, in_places=0, tuning=TUNING)
    assert seconds == pytest.approx(30.0 - TUNING.place_share * 60.0)


def test_the_exact_search_keeps_its_reserve_in_proportion_to_the_cost_placing_adds() -> None:
    # the more cost placing adds, the less time goes to the starts; what is left for the
    # placement and the exact search never falls below their shares
    before = 30.0
    for in_places in (0, 10, 40, 160):
        seconds = more_start_seconds(30.0, 60.0, 40, in_places, TUNING)
        share = 40 / (40 + in_places)
        assert 30.0 - seconds >= (TUNING.place_share + TUNING.exact_share * (1 - share)) * 60.0
        assert 0.0 < seconds < before
        before = seconds


def test_no_more_search_on_starts_without_cost_in_them_or_time_for_it() -> None:
    assert more_start_seconds(30.0, 60.0, in_starts=0, in_places=25, tuning=TUNING) == 0.0
    assert more_start_seconds(2.0, 60.0, in_starts=80, in_places=0, tuning=TUNING) == 0.0


def test_each_exact_neighbourhood_operator_adapts_its_own_size() -> None:
    # "rooms" sub-models (every start kept) solve far faster than the others at four
    # times their size; tied to one size they grew with the others into slow ones
    problem = random_problem(3, requests=60, grid_minutes=60)
    cands = build_candidates(problem)
    search = NeighbourhoodSearch(problem, cands, seed=0, threads=1, deterministic=True)
    rooms = search.size["rooms"]
    assert rooms == TUNING.rooms_factor * TUNING.first_size <= len(search.requests)
    for _ in range(5):
        search._adapt("group", cp_model.OPTIMAL)
    assert search.size["group"] > TUNING.first_size
    assert search.size["rooms"] == rooms
    search._adapt("rooms", cp_model.FEASIBLE)  # timed out: smaller next time, only it
    assert search.size["rooms"] < rooms
    assert search.size["random"] == TUNING.first_size
    search.scores = {"rooms": 1.0}  # pick only "rooms"
    plan = greedy_plan(problem, cands)
    free, operator = search.neighbourhood(plan)
    assert operator == "rooms" and len(free) == int(search.size["rooms"])


@pytest.mark.parametrize(("grid_minutes", "engine"), [(15, "full"), (60, "time-first")])
def test_default_engine_is_time_first_only_on_a_coarse_grid(grid_minutes: int, engine: str) -> None:
    # the campus (15-minute grid) gets the full model, which the campus suite found better
    # there; hourly timetables (ITC2007) from 100 sessions on get the time-first engine
    problem = random_problem(3, weeks=2, requests=100, locations=8, trainers=12,
                             grid_minutes=grid_minutes)  # fmt: skip
    assert len(build_candidates(problem).sessions()) >= 100
    solution = run(problem, replace(QUICK, time_limit_seconds=0.5))
    assert solution.statistics.get("engine", "full") == engine
    assert solution.objective is not None and solution.bound is not None
