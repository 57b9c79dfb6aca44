"""Build the CP-SAT model of a Problem: candidates, variables, hard rules, objective, hints."""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.cpsat.interval.constraints import Context, add_hard_rules
from scheduler.cpsat.interval.objective import Term, objective_terms
from scheduler.cpsat.interval.variables import ModelVars
from scheduler.cpsat.prep.candidates import Candidates, build_candidates
from scheduler.problem import PlannedSession, Problem, RequestId


@dataclass(slots=True)
class BuiltModel:
    """A model ready to solve, or the reasons none can exist."""

    candidates: Candidates
    model: cp_model.CpModel | None = None
    vars: ModelVars | None = None
    raw: dict[str, Term] = field(default_factory=dict)
    objective: Term = 0
    hints: int = 0

    @property
    def infeasible(self) -> list[str]:
        return self.candidates.infeasible


def build_model(problem: Problem, candidates: Candidates | None = None) -> BuiltModel:
    """The whole model; ``candidates`` may be reused from an earlier build of ``problem``."""
    cands = candidates or build_candidates(problem)
    built = BuiltModel(cands)
    if cands.infeasible:
        return built
    model = cp_model.CpModel()
    mv = ModelVars(model, problem, cands)
    ctx = Context(model, problem, mv)
    add_hard_rules(ctx)
    raw, objective = objective_terms(ctx)
    model.minimize(objective)
    built.model, built.vars, built.raw, built.objective = model, mv, raw, objective
    built.hints = add_reference_hints(problem, model, mv)
    return built


def add_reference_hints(problem: Problem, model: cp_model.CpModel, mv: ModelVars) -> int:
    """Warm start from the reference plan: every decision of a referenced request.

    Only requests whose whole reference placement is still possible are hinted, and then
    completely (presence, location, day, start, trainers), so the hint is a consistent
    partial assignment rather than a scatter of values.
    """
    model.clear_hints()
    grid = mv.grid
    by_request: dict[RequestId, dict[int, PlannedSession]] = {}
    for ref in problem.reference:
        by_request.setdefault(ref.request, {}).setdefault(ref.index, ref)
    hinted = 0
    done: set[int] = set()
    for rid, refs in by_request.items():
        svs = mv.sessions_of_request(rid)
        if not svs or len(refs) != len(svs):
            continue
        plan = []
        for sv in svs:
            ref = refs.get(sv.index)
            if ref is None:
                break
            if not grid.is_on_grid(ref.start) or ref.location not in sv.at:
                break
            if any(t not in sv.tr for t in ref.trainers):
                break
            slot = grid.slot(ref.start)
            day = slot // grid.slots_per_day
            if day not in sv.cand.day_masks:
                break
            plan.append((sv, ref, slot, day))
        else:
            for sv, ref, slot, day in plan:
                _hint(model, sv.present, 1, done)
                _hint(model, sv.start, slot, done)
                if not isinstance(sv.day, int):
                    _hint(model, sv.day, day, done)
                for lid, lit in sv.at.items():
                    _hint(model, lit, int(lid == ref.location), done)
                for tid, lit in sv.tr.items():
                    _hint(model, lit, int(tid in ref.trainers), done)
                if sv.on is not None:
                    for d, lit in sv.on.items():
                        _hint(model, lit, int(d == day), done)
            hinted += 1
    return hinted


def _hint(model: cp_model.CpModel, var: cp_model.IntVar, value: int, done: set[int]) -> None:
    if var.index in done:
        return
    done.add(var.index)
    model.add_hint(var, value)


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
