"""Plans as complete hints, and complete hints from plans.

CP-SAT starts well from a complete, feasible hint and, in practice, from scratch when a
hint is partial. A plan (a list of sessions, e.g. from ``prep/greedy.py``) fixes only the
decision variables (presence, start, day, location, trainers: each engine maps a plan to
its own, ``interval.model.decision_values`` and ``timefirst.model.SlotModel.hint_from``);
``complete_assignment`` asks CP-SAT for the values of every other variable with those
decisions fixed, which is propagation plus a tiny search, and returns the whole assignment
(or None when the plan breaks a rule of the model). Both engines use these helpers.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.cpsat.budget import limit

Values = list[int]


def set_hint(model: cp_model.CpModel, values: Values) -> None:
    """A complete hint: every variable of ``model`` gets its value."""
    model.clear_hints()
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


def fix_values(model: cp_model.CpModel, values: dict[int, int]) -> bool:
    """Fix variables to values in place; False when a value is outside its domain."""
    variables = model.proto.variables
    for index, value in values.items():
        domain = variables[index].domain
        bounds = list(domain)
        if not any(bounds[i] <= value <= bounds[i + 1] for i in range(0, len(bounds), 2)):
            return False
        domain.clear()
        domain.extend((value, value))
    return True


def complete_assignment(
    model: cp_model.CpModel,
    decisions: dict[int, int],
    *,
    seconds: float,
    workers: int,
    seed: int,
    deterministic: bool = False,
    full_lp: bool = False,
) -> tuple[Values, int] | None:
    """Every variable's value with ``decisions`` fixed, and the objective; or None (the
    decisions break a rule of the model, or no assignment was found in time).

    ``full_lp``: every clause in the LP (CP-SAT's linearization level 2), which the
    time-first models solve far more evenly with.
    """
    sub = model.clone()
    if not fix_values(sub, decisions):
        return None
    sub.clear_hints()
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, workers)
    params.random_seed = seed
    if full_lp:
        params.linearization_level = 2
    limit(params, seconds, deterministic)
    code = solver.solve(sub)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return list(solver.response_proto.solution), round(solver.objective_value)


__all__ = ["Values", "complete_assignment", "fix_values", "set_hint"]
