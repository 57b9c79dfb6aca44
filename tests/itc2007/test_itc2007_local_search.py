"""The incremental local search of benchmarks/itc2007/local_search.py.

Its numbers in benchmarks/itc2007/JOURNAL.md are only worth as much as its bookkeeping: the cost it
computes for a set of starts must be the model's own least cost for them, every move it
undoes must leave nothing behind, and what it returns must be an assignment CP-SAT
accepts at the objective it reports.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from itc2007_mapping import parse_ctt, to_problem
from local_search import Evaluator, LocalSearch, Unsupported
from ortools.sat.python import cp_model

from scheduler.cpsat.hints import complete_assignment
from scheduler.cpsat.prep.candidates import build_candidates
from scheduler.cpsat.prep.greedy import greedy_plan
from scheduler.cpsat.timefirst.build import build_slot_model
from scheduler.cpsat.timefirst.engine import solve_slots
from scheduler.cpsat.timefirst.model import SlotModel

COMP01 = Path(__file__).resolve().parents[2] / "benchmarks" / "itc2007" / "instances" / "comp01.ctt"


def _decisions(sm: SlotModel) -> set[int]:
    """Proto indices of the time-first model's decision literals."""
    return {u.present.index for u in sm.units} | {
        lit.index for u in sm.units for lit in u.x.values()
    }


def _least_cost(sm: SlotModel, values: list[int]) -> int:
    """CP-SAT's optimum with every decision fixed as in ``values``."""
    fixed = {v: values[v] for v in _decisions(sm)}
    done = complete_assignment(sm.model, fixed, seconds=10, workers=1, seed=0)
    assert done is not None
    return done[1]


@pytest.fixture(scope="module")
def comp01() -> tuple[SlotModel, list[int]]:
    problem = to_problem(parse_ctt(COMP01.read_text()))
    cands = build_candidates(problem)
    sm = build_slot_model(problem, cands)
    assert sm is not None
    first = solve_slots(sm, greedy_plan(problem, cands), seconds=1, workers=1, seed=0)
    assert first.values is not None
    return sm, first.values


def test_the_cost_of_given_starts_is_the_models_least_cost_for_them(
    comp01: tuple[SlotModel, list[int]],
) -> None:
    sm, values = comp01
    ev = LocalSearch(sm, 0).ev
    ev.load(values)
    assert ev.check() == []
    assert ev.broken == 0
    assert ev.objective == _least_cost(sm, values)


def test_an_undone_move_leaves_nothing_behind(comp01: tuple[SlotModel, list[int]]) -> None:
    sm, values = comp01
    search = LocalSearch(sm, 0)
    ev = search.ev
    ev.load(values)
    state = (list(ev.value), list(ev.act), ev.objective, ev.broken)
    rng = random.Random(5)
    refused = 0
    for _ in range(300):
        starts = rng.choice(search.starts)
        on = [v for _t, v in starts if ev.value[v]]
        off = [v for _t, v in starts if not ev.value[v]]
        if not on or not off:
            continue
        refused += not ev.flip([(rng.choice(on), 0), (rng.choice(off), 1)])
        ev.undo()
        assert (ev.value, ev.act, ev.objective, ev.broken) == state
    assert refused  # some moves broke a rule and were refused, and undone all the same


def test_the_search_returns_an_assignment_cp_sat_accepts_at_its_objective(
    comp01: tuple[SlotModel, list[int]],
) -> None:
    sm, values = comp01
    search = LocalSearch(sm, 3)
    out = search.run(values, 0.5, t0=10.0)
    assert out.tried > 1000 and out.accepted > 0
    ev = search.ev
    ev.load(out.values)
    assert ev.check() == []
    assert ev.objective == out.objective == _least_cost(sm, out.values)
    moved = [v for v in _decisions(sm) if out.values[v] != values[v]]
    assert moved  # it went somewhere: the check above is not of the start


def test_auxiliaries_take_the_value_the_objective_wants() -> None:
    m = cp_model.CpModel()
    a, b = m.new_bool_var("a"), m.new_bool_var("b")
    both = m.new_bool_var("both")  # pushed down: at least a + b - 1
    used = m.new_bool_var("used")  # pushed up through short: at most a + b
    short = m.new_int_var(0, 1, "short")
    m.add(both >= a + b - 1)
    m.add(used <= a + b)
    m.add(short >= 1 - used)
    m.minimize(3 * both + 5 * short)
    ev = Evaluator(m.proto, {a.index, b.index})
    for x, y, cost in [(0, 0, 5), (1, 0, 0), (0, 1, 0), (1, 1, 3)]:
        values = [0] * len(m.proto.variables)
        values[a.index], values[b.index] = x, y
        ev.load(values)
        assert ev.objective == cost
        assert ev.check() == []


def test_models_it_cannot_follow_are_refused_with_the_reason() -> None:
    m = cp_model.CpModel()
    a = m.new_bool_var("a")
    y = m.new_int_var(0, 5, "y")
    m.add(y >= 2).only_enforce_if(a)
    m.minimize(y)
    with pytest.raises(Unsupported, match="constraint"):
        Evaluator(m.proto, {a.index})
    m = cp_model.CpModel()
    a = m.new_bool_var("a")
    y = m.new_int_var(0, 5, "y")
    m.add(y + a <= 4)  # y is in no objective and no row pushes it
    m.minimize(a)
    with pytest.raises(Unsupported, match="does not push"):
        Evaluator(m.proto, {a.index})
