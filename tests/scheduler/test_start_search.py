"""Large-neighbourhood search on the time-first model (``timefirst/start_search.py``)."""

from __future__ import annotations

import dataclasses
import math
import threading

import pytest
from ortools.sat.python import cp_model

from scheduler.cpsat.hints import Values, complete_assignment, fix_values
from scheduler.cpsat.prep.candidates import build_candidates
from scheduler.cpsat.prep.greedy import greedy_plan
from scheduler.cpsat.settings import DEFAULT_SETTINGS, Settings
from scheduler.cpsat.timefirst import start_search
from scheduler.cpsat.timefirst.build import build_slot_model
from scheduler.cpsat.timefirst.engine import place
from scheduler.cpsat.timefirst.model import SlotModel
from scheduler.cpsat.timefirst.start_search import StartSearch
from scheduler.problem import Problem
from tests.scheduler.builder import random_problem
from tests.scheduler.test_time_first import SPRING_MONDAY, _cost, _valid


def _model_and_start(problem: Problem) -> tuple[SlotModel, Values, int]:
    """The time-first model and the greedy plan as a complete assignment of it."""
    cands = build_candidates(problem)
    sm = build_slot_model(problem, cands)
    assert sm is not None
    plan = greedy_plan(problem, cands)
    done = complete_assignment(
        sm.model, sm.hint_from(plan), seconds=5, workers=1, seed=0, deterministic=True
    )
    assert done is not None
    return sm, *done


def _objective_of(sm: SlotModel, values: Values) -> int | None:
    """The model's objective at ``values`` if they satisfy every constraint, else None."""
    sub = sm.model.clone()
    sub.clear_hints()
    assert fix_values(sub, dict(enumerate(values)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    if solver.solve(sub) != cp_model.OPTIMAL:
        return None
    return round(solver.objective_value)


def _tuned(**changes: object) -> Settings:
    """The engine's settings with the search on the starts changed as a test needs."""
    tuning = dataclasses.replace(DEFAULT_SETTINGS.start_search, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(DEFAULT_SETTINGS, start_search=tuning)


def _problem(seed: int) -> Problem:
    # two weeks (one with the spring DST change), more requests than a first neighbourhood
    return random_problem(seed, weeks=2, requests=14, first_day=SPRING_MONDAY, grid_minutes=60)


@pytest.mark.parametrize("seed", range(4))
def test_start_search_returns_a_valid_assignment_never_worse_than_its_start(seed: int) -> None:
    problem = _problem(seed)
    sm, values, objective = _model_and_start(problem)
    # odd seeds: two sub-models at a time, results taken from assignments since moved on
    search = StartSearch(sm, seed=seed, threads=1 + seed % 2, deterministic=seed % 2 == 0,
                         settings=_tuned(patience=3))  # so that it also reweights  # fmt: skip
    # it also searches with a rule reweighted and returns to the true objective
    found, relaxed = search.run(values, objective, seconds=3, stall=0.4, lower_bound=-math.inf)
    assert search.iterations > 0
    assert search.rounds > 0 or not search.deterministic  # wall time may end it first
    assert relaxed <= objective
    # every constraint of the whole model holds and the objective is what it says
    assert _objective_of(sm, found) == relaxed
    # its starts place into a plan that keeps every rule, costing at least the relaxation
    cands = build_candidates(problem)
    plan = place(problem, cands, sm.starts(found), seconds=5, workers=1, seed=0,
                 deterministic=True)  # fmt: skip
    assert plan is not None and _valid(problem, plan)
    assert _cost(problem, plan) >= relaxed


def test_start_search_reaches_the_optimum_of_the_time_first_model() -> None:
    # a small model CP-SAT solves outright: re-solving parts of it from the greedy plan
    # ends at the same optimum
    problem = _problem(7)
    sm, values, objective = _model_and_start(problem)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(sm.model) == cp_model.OPTIMAL
    optimum = round(solver.objective_value)
    assert optimum < objective  # the greedy plan leaves room to improve
    search = StartSearch(sm, seed=0, threads=1, deterministic=True)
    _, relaxed = search.run(values, objective, seconds=20, stall=20, lower_bound=optimum)
    assert relaxed == optimum
    assert search.settled  # it stopped at the bound, not at the time limit
    assert search.improvements > 0


def _optimum(sm: SlotModel) -> tuple[Values, int]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(sm.model) == cp_model.OPTIMAL
    return list(solver.response_proto.solution), round(solver.objective_value)


def test_start_search_stops_at_the_bound_or_when_reweighted_rounds_find_nothing() -> None:
    sm, values, objective = _model_and_start(_problem(1))
    at_bound = StartSearch(sm, seed=0, threads=1, deterministic=True)
    assert at_bound.run(values, objective, seconds=5, stall=5, lower_bound=objective) == (
        values, objective)  # fmt: skip
    assert at_bound.iterations == 0 and at_bound.settled
    # from the optimum nothing is better: the true objective stalls, a round with a rule
    # reweighted and one back find nothing, and it settles long before its 60 s
    optimum_values, optimum = _optimum(sm)
    # after 5 sub-models without an improvement a phase is stuck
    stuck = StartSearch(sm, seed=0, threads=1, deterministic=True, settings=_tuned(patience=5))
    found = stuck.run(optimum_values, optimum, seconds=60, stall=1, lower_bound=-math.inf)
    assert found[1] == optimum and stuck.settled
    assert 3 * 5 <= stuck.iterations < 100  # three phases; each sub-model is charged >= 0.1 s


def _evaluate(model: cp_model.CpModel, values: Values) -> int:
    """The model's objective at ``values`` (a negative reference is a negated literal)."""
    objective = model.proto.objective
    total = objective.offset
    for ref, c in zip(objective.vars, objective.coeffs, strict=True):
        total += c * (values[ref] if ref >= 0 else 1 - values[-ref - 1])
    return round(total)


def test_reweighting_halves_the_dearest_rule_against_the_others() -> None:
    # whichever rule costs most in the assignment keeps its weight, every other doubles;
    # the search's own evaluation of each objective agrees with the models'
    sm, values, objective = _model_and_start(_problem(4))
    search = StartSearch(sm, seed=0, threads=1, deterministic=True)
    weights = search.true_weights()
    assert search.objective(values, weights) == objective == _evaluate(sm.model, values)
    costs = {name: search.objective(values, {name: 1}) for name in weights}
    before = list(sm.model.proto.objective.coeffs)
    found = search.reweighted(values)
    assert found is not None
    changed, model = found
    dearest = max((n for n in weights if n != "unscheduled"), key=lambda n: weights[n] * costs[n])
    assert changed == {n: w if n == dearest else 2 * w for n, w in weights.items()}
    assert search.objective(values, changed) == _evaluate(model, values)
    assert list(sm.model.proto.objective.coeffs) == before  # a copy was reweighted


def test_start_search_is_reproducible_in_deterministic_mode() -> None:
    sm, values, objective = _model_and_start(_problem(2))
    searches = [StartSearch(sm, seed=3, threads=2, deterministic=True) for _ in range(2)]
    runs = [s.run(values, objective, seconds=2, stall=2, lower_bound=-math.inf) for s in searches]
    assert searches[0].iterations > 1
    assert runs[0] == runs[1]
    assert searches[0].iterations == searches[1].iterations


def test_periods_neighbourhood_swaps_sessions_among_its_starts_only() -> None:
    # a Kempe-chain move generalised: every unit with a session at one of a few starts may
    # move those sessions among those starts; nothing else changes, and the result is a
    # complete assignment no worse than the one it came from
    sm, values, objective = _model_and_start(_problem(3))
    only = _tuned(operators=("periods",))
    search = StartSearch(sm, seed=1, threads=1, deterministic=True, settings=only)
    operator, free, starts = search.neighbourhood(values)
    assert operator == "periods" and starts is not None and len(starts) >= 2

    def at(vals: Values) -> dict[int, set[int]]:
        return {i: {t for t, lit in u.x.items() if vals[lit.index]}
                for i, u in enumerate(search.units)}  # fmt: skip

    before = at(values)
    assert free == {i for i, taken in before.items() if taken & starts}
    assert free  # the costly unit's own start is among them
    step = search.step(sm.model, values, free, starts, seed=0, seconds=10)
    assert step.values is not None and step.objective is not None
    assert step.objective <= objective
    assert _objective_of(sm, step.values) == step.objective
    after = at(step.values)
    for i in before:
        assert before[i] - starts == after[i] - starts  # outside the starts: unchanged
        assert len(before[i] & starts) == len(after[i] & starts)  # swapped, not dropped


def test_an_improvement_found_from_a_moved_on_assignment_is_solved_again_on_the_current(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # two sub-models run side by side from the same assignment; each improves it, each by
    # moving other units. The first result is taken; the second, worse than it, would be
    # lost: instead its units are solved again on the current assignment, and the search
    # ends with both improvements
    # other neighbourhoods free at least two units: only a second try frees exactly one
    sm, values, objective = _model_and_start(_problem(0))
    only = _tuned(operators=("random",))
    search = StartSearch(sm, seed=0, threads=2, deterministic=False, settings=only)
    real_step = search.step
    singles = []  # (objective, values, unit) of improving moves of one unit each
    for i in range(len(search.units)):
        found = real_step(sm.model, values, {i}, None, seed=0, seconds=5)
        if found.objective is not None and found.objective < objective:
            singles.append((found.objective, found.values, i))
    first, second = None, None
    for a in sorted(singles, key=lambda s: s[0]):
        b = next((b for b in singles if b[2] != a[2] and b[0] >= a[0]
                  and search._changed(values, a[1]).isdisjoint(search._changed(values, b[1]))
                  and real_step(sm.model, a[1], {b[2]}, None, 0, 5).objective < a[0]),
                 None)  # fmt: skip
        if b is not None:
            first, second = a, b
            break
    assert first is not None and second is not None, "the problem offers two independent moves"

    second_may_finish = threading.Event()
    calls: list[tuple[Values, set[int]]] = []

    def scripted(
        base: cp_model.CpModel,
        current: Values,
        free: set[int],
        starts: set[int] | None,
        seed: int,
        seconds: float,
    ) -> start_search._Step:
        calls.append((current, set(free)))
        n = len(calls)
        if n == 1:  # the first sub-model returns at once
            return start_search._Step(cp_model.OPTIMAL, first[0], first[1], 0.0)
        if n == 2:  # the second once the first has been taken
            second_may_finish.wait(10)
            return start_search._Step(cp_model.OPTIMAL, second[0], second[1], 0.0)
        second_may_finish.set()
        if current is first[1] and free == {second[2]}:  # solved again: really solve it
            return real_step(base, current, free, starts, seed, seconds)
        return start_search._Step(cp_model.UNKNOWN, None, None, 0.0)

    monkeypatch.setattr(search, "step", scripted)
    found, best = search.run(values, objective, seconds=1.0, stall=100, lower_bound=-math.inf)
    assert calls[0][0] == values and calls[1][0] == values
    assert (first[1], {second[2]}) in [(c, f) for c, f in calls[2:] if c is first[1]]
    assert all(len(f) >= 2 for c, f in calls[2:] if f != {second[2]})
    assert best < first[0]  # both improvements kept
    assert _objective_of(sm, found) == best
    assert search.improved["retry"] >= 1
