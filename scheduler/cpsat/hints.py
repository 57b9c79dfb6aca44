"""Plans as complete hints, and complete hints from plans.

CP-SAT starts well from a complete, feasible hint and, in practice, from scratch when a
hint is partial. A plan (a list of sessions, e.g. from ``greedy.py``) fixes only the
decision variables (presence, start, day, location, trainers); ``complete_hint`` asks
CP-SAT for the values of every other variable with those decisions fixed, which is
propagation plus a tiny search, and returns the whole assignment (or None when the plan
breaks a rule of the model).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.cpsat.budget import limit
from scheduler.cpsat.interval.model import BuiltModel
from scheduler.problem import PlannedSession

Values = list[int]


def decision_values(built: BuiltModel, plan: list[PlannedSession]) -> dict[int, int]:
    """Proto index -> value of every decision variable the plan determines."""
    mv = built.vars
    assert mv is not None
    grid = mv.grid
    spd = grid.slots_per_day
    placed = {(s.request, s.index): s for s in plan}
    out: dict[int, int] = {}

    def put(var: cp_model.IntVar, value: int) -> None:
        out.setdefault(var.index, value)

    for rc in mv.requests():
        present = mv.present(rc.request.id)
        if present is None:
            continue
        svs = mv.sessions_of_request(rc.request.id)
        on = all((sv.request, sv.index) in placed for sv in svs)
        put(present, int(on))
        for sv in svs:
            s = placed.get((sv.request, sv.index)) if on else None
            if s is None:
                for lit in (*sv.at.values(), *sv.tr.values()):
                    put(lit, 0)
                if sv.on is not None:
                    for lit in sv.on.values():
                        put(lit, 0)
                continue
            slot = grid.slot(s.start)
            day = slot // spd
            put(sv.start, slot)
            if not isinstance(sv.day, int):
                put(sv.day, day)
            for lid, lit in sv.at.items():
                put(lit, int(lid == s.location))
            for tid, lit in sv.tr.items():
                put(lit, int(tid in s.trainers))
            if sv.on is not None:
                for d, lit in sv.on.items():
                    put(lit, int(d == day))
    return out


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


def complete_hint(
    built: BuiltModel,
    decisions: dict[int, int],
    *,
    seconds: float,
    workers: int,
    seed: int,
    deterministic: bool,
) -> tuple[Values, int] | None:
    """Every variable's value with ``decisions`` fixed, and the model objective; or None."""
    model = built.model
    assert model is not None
    sub = model.clone()
    if not fix_values(sub, decisions):
        return None
    sub.clear_hints()
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, workers)
    params.random_seed = seed
    limit(params, seconds, deterministic)
    code = solver.solve(sub)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return list(solver.response_proto.solution), round(solver.objective_value)


__all__ = ["Values", "complete_hint", "decision_values", "fix_values", "set_hint"]
