"""Large-neighbourhood search on the time-first model: better starts before any location.

CP-SAT on the whole time-first model (``build.py``) improves a large objective slowly: its
LP relaxation says nothing about isolated sessions or days used (spread every literal
thinly and both cost 0), so finding better timetables is left to its generic
neighbourhoods, which do not know which sessions interact. This search frees the start
literals of a few units that do (sharing a group or a trainer, a few days of related
units, the units behind a costly objective term, a random few, or the sessions at a few
starts, free to swap among them only), fixes every other start literal to the current
assignment and lets CP-SAT solve what is left. Every result is a
complete assignment of the whole model, so it keeps every rule of the model by
construction and can be taken as it is, whichever assignment it started from.

Two sub-models run side by side when there are two threads. A result better than the
assignment it was found from, which the other has improved since, is not lost: the units
it moved are solved again on the current assignment (and when it replaces that, the units
of the improvements it undoes are). A neighbourhood grows while
its sub-models are solved to optimality and shrinks when they time out; a third of them
are solved without the current assignment as a hint, so that among plans of equal cost the
search moves on instead of returning where it started. When it is stuck, it searches for
a while with the costliest rule's weight halved against the others (``reweighted``), then
on the true objective again: a detour through plans it could not reach one improvement at
a time, as in the reweighting of local search for timetabling.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.cpsat.budget import TimeBudget, limit
from scheduler.cpsat.hints import Values, fix_values
from scheduler.cpsat.pool import SubSolves
from scheduler.cpsat.settings import DEFAULT_SETTINGS, Settings
from scheduler.cpsat.timefirst.model import SlotModel


@dataclass(slots=True)
class _Step:
    code: int
    objective: int | None
    values: Values | None
    deterministic_time: float


def _index(ref: int) -> int:
    """The variable of a proto reference (a negative one is a negated literal)."""
    return ref if ref >= 0 else -ref - 1


class StartSearch:
    """Improve a complete assignment of a time-first model by re-solving parts of it."""

    def __init__(
        self,
        sm: SlotModel,
        seed: int,
        threads: int,
        deterministic: bool,
        settings: Settings = DEFAULT_SETTINGS,
    ) -> None:
        self.sm = sm
        self.tuning = tuning = settings.start_search
        self.iteration_cost = settings.iteration_cost
        self.rng = random.Random(seed)
        self.seed = seed
        self.threads = 1 if deterministic else max(1, threads)
        self.deterministic = deterministic
        self.units = [u for u in sm.units if u.x]
        n = len(self.units)
        self.size = dict.fromkeys(tuning.operators, min(tuning.first_size, float(n)))
        self.by_group: dict[str, list[int]] = {}
        self.by_trainer: dict[str, list[int]] = {}
        for i, u in enumerate(self.units):
            for gid in u.groups:
                self.by_group.setdefault(gid, []).append(i)
            for tid in sorted(u.must_trainers | u.free_trainers):
                self.by_trainer.setdefault(tid, []).append(i)
        spd = sm.grid.slots_per_day
        self.days = sorted({t // spd for u in self.units for t in u.x})
        self.starts = sorted({t for u in self.units for t in u.x})
        self.owners, self.costs = self._objective_owners()
        self.forms = self._rule_forms()
        self.iterations = 0
        self.improvements = 0
        self.settled = False  # the last run stalled or met the bound
        self.rounds = 0  # rounds searched with a rule reweighted
        self.tried = dict.fromkeys((*tuning.operators, "retry"), 0)  # sub-models per operator ...
        self.improved = dict.fromkeys((*tuning.operators, "retry"), 0)  # ... and their improvements

    def _objective_owners(self) -> tuple[dict[int, list[int]], dict[int, tuple[int, int]]]:
        """Objective variable -> the units whose literals it depends on (through the linear
        constraints that define it), and its coefficient and least possible value."""
        proto = self.sm.model.proto
        unit_of: dict[int, int] = {}
        for i, u in enumerate(self.units):
            unit_of[u.present.index] = i
            for lit in u.x.values():
                unit_of[lit.index] = i
        coeffs = {
            _index(v): (c if v >= 0 else -c)
            for v, c in zip(proto.objective.vars, proto.objective.coeffs, strict=True)
        }
        owners: dict[int, set[int]] = {v: {unit_of[v]} if v in unit_of else set() for v in coeffs}
        for ct in proto.constraints:
            if not ct.has_linear():
                continue
            refs = [_index(v) for v in ct.linear.vars]
            mine = [v for v in refs if v in owners]
            if mine:
                units = {unit_of[v] for v in refs if v in unit_of}
                for v in mine:
                    owners[v] |= units
        costs = {}
        for v, c in coeffs.items():
            lo, hi = proto.variables[v].domain[0], proto.variables[v].domain[-1]
            costs[v] = (c, min(c * lo, c * hi))
        return {v: sorted(us) for v, us in owners.items() if us}, costs

    def _rule_forms(self) -> dict[str, tuple[int, dict[int, int]]]:
        """Each soft rule's unweighted terms as an offset and a coefficient per variable."""
        scratch = self.sm.model.clone()
        forms = {}
        for name, (_weight, terms) in self.sm.costs.items():
            scratch.minimize(terms)
            objective = scratch.proto.objective
            coeffs: dict[int, int] = {}
            offset = round(objective.offset)
            for ref, c in zip(objective.vars, objective.coeffs, strict=True):
                if ref < 0:  # not(x) = 1 - x
                    offset, c = offset + c, -c
                coeffs[_index(ref)] = coeffs.get(_index(ref), 0) + c
            forms[name] = (offset, coeffs)
        return forms

    def _rule_costs(self, values: Values) -> dict[str, int]:
        """Each soft rule's unweighted cost in ``values``."""
        return {
            name: offset + sum(c * values[v] for v, c in coeffs.items())
            for name, (offset, coeffs) in self.forms.items()
        }

    def true_weights(self) -> dict[str, int]:
        return {name: weight for name, (weight, _terms) in self.sm.costs.items()}

    def objective(self, values: Values, weights: dict[str, int]) -> int:
        costs = self._rule_costs(values)
        return sum(weights[name] * costs[name] for name in weights)

    def reweighted(self, values: Values) -> tuple[dict[str, int], cp_model.CpModel] | None:
        """The model with the weight of the rule that costs most in ``values`` halved
        against the others (all doubled but that one), or None when only unscheduled
        demand costs anything. A search stuck on the true objective often sits where
        that rule is cheap and the others dear; trading it for them for a while moves the
        search to plans it could not reach one improvement at a time."""
        weights = self.true_weights()
        costs = self._rule_costs(values)
        dearest = max(
            (name for name in weights if name != "unscheduled" and costs[name] > 0),
            key=lambda name: weights[name] * costs[name],
            default=None,
        )
        if dearest is None:
            return None
        changed = {name: w if name == dearest else 2 * w for name, w in weights.items()}
        model = self.sm.model.clone()
        model.clear_hints()
        model.minimize(sum(changed[name] * terms for name, (_w, terms) in self.sm.costs.items()))
        return changed, model

    # --- neighbourhoods ---
    def _costly_unit(self, values: Values) -> int:
        """A unit behind an objective term that is above its least, picked by that excess."""
        items = []
        for v, units in self.owners.items():
            coeff, least = self.costs[v]
            excess = coeff * values[v] - least
            if excess > 0:
                items.append((units, excess))
        if not items:
            return self.rng.randrange(len(self.units))
        units = self.rng.choices([u for u, _ in items], [e for _, e in items])[0]
        return self.rng.choice(units)

    def _seed(self, values: Values) -> int:
        """Where a neighbourhood grows from: mostly a costly unit, sometimes any."""
        if self.rng.random() < self.tuning.costly_seeds:
            return self._costly_unit(values)
        return self.rng.randrange(len(self.units))

    def _related(self, i: int, through: str) -> list[int]:
        u = self.units[i]
        if through == "trainer":
            keys = sorted(u.must_trainers | u.free_trainers)
            return [o for key in keys for o in self.by_trainer.get(key, [])]
        return [o for gid in u.groups for o in self.by_group.get(gid, [])]

    def _grow(self, values: Values, k: int, through: str, reach: int | None = None) -> set[int]:
        """``k`` units: grown from a seed through shared groups (or trainers), at most
        ``reach`` from one seed, and from further seeds until there are ``k``."""
        rng = self.rng
        reach = reach or k
        chosen: set[int] = set()
        while len(chosen) < k:
            seed = self._seed(values)
            grown, frontier = {seed}, [seed]
            while frontier and len(grown) < reach and len(chosen | grown) < k:
                related = self._related(frontier.pop(rng.randrange(len(frontier))), through)
                rng.shuffle(related)
                for other in related:
                    if other not in grown and len(grown) < reach and len(chosen | grown) < k:
                        grown.add(other)
                        frontier.append(other)
            chosen |= grown
        return chosen

    def neighbourhood(self, values: Values) -> tuple[str, set[int], set[int] | None]:
        """The operator, the units to free and, for "days" and "periods", the only starts
        they may take or leave."""
        rng = self.rng
        n = len(self.units)
        ops = self.tuning.operators
        operator = rng.choices(ops, [self.tuning.chances.get(op, 1) for op in ops])[0]
        k = max(1, min(n, int(self.size[operator])))
        if operator == "random":
            return operator, set(rng.sample(range(n), k)), None
        if operator == "costly":  # several costly units, each with a few group neighbours
            return operator, self._grow(values, k, "group", reach=max(1, k // 4)), None
        if operator == "days":
            spd = self.sm.grid.slots_per_day
            days = set(rng.sample(self.days, min(self.tuning.days_freed, len(self.days))))
            allowed = {t for t in self.starts if t // spd in days}
            return operator, self._grow(values, min(n, 3 * k), "group"), allowed
        if operator == "periods":
            return (operator, *self._periods(values, max(2, k)))
        return operator, self._grow(values, k, operator), None

    def _periods(self, values: Values, k: int) -> tuple[set[int], set[int]]:
        """``k`` starts (one of a costly unit's, the rest at random) and every unit with a
        session at one of them: they may swap those sessions among those starts only, as
        the Kempe-chain moves of local search for timetabling do."""
        rng = self.rng
        seed = self.units[self._costly_unit(values)]
        taken = [t for t, lit in seed.x.items() if values[lit.index]]
        chosen = {rng.choice(taken)} if taken else set()
        others = [t for t in self.starts if t not in chosen]
        chosen |= set(rng.sample(others, min(len(others), k - len(chosen))))
        free = {i for i, u in enumerate(self.units)
                if any(values[lit.index] for t, lit in u.x.items() if t in chosen)}  # fmt: skip
        return free, chosen

    # --- one step ---
    def step(
        self,
        base: cp_model.CpModel,
        values: Values,
        free: set[int],
        starts: set[int] | None,
        seed: int,
        seconds: float,
    ) -> _Step:
        """Re-solve the whole model ``base`` with every start literal fixed but those of
        ``free`` units (only at ``starts`` when given)."""
        fixed: dict[int, int] = {}
        for i, u in enumerate(self.units):
            if i in free and starts is None:
                continue
            if i not in free:
                fixed[u.present.index] = values[u.present.index]
            for t, lit in u.x.items():
                if i not in free or starts is None or t not in starts:
                    fixed[lit.index] = values[lit.index]
        model = base.clone()
        model.clear_hints()
        fix_values(model, fixed)
        if self.rng.random() >= self.tuning.unhinted:
            hint = model.proto.solution_hint
            hint.vars.extend(range(len(values)))
            hint.values.extend(values)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = 1
        p.random_seed = seed
        p.linearization_level = 2  # every clause in the LP: sub-models solve far more evenly
        limit(p, seconds, self.deterministic)
        code = solver.solve(model)
        det = solver.deterministic_time
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _Step(code, None, None, det)
        return _Step(code, round(solver.objective_value), list(solver.response_proto.solution), det)

    def _changed(self, before: Values, after: Values) -> set[int]:
        """The units whose starts differ between two assignments."""
        return {
            i
            for i, u in enumerate(self.units)
            if before[u.present.index] != after[u.present.index]
            or any(before[lit.index] != after[lit.index] for lit in u.x.values())
        }

    def _adapt(self, operator: str, code: int) -> None:
        n = float(len(self.units))
        optimal = code == cp_model.OPTIMAL
        self.size[operator] = self.tuning.resize.after(self.size[operator], optimal, n)

    def run(
        self,
        values: Values,
        objective: int,
        *,
        seconds: float,
        stall: float,
        lower_bound: float,
        relative_gap: float = 0.0,
    ) -> tuple[Values, int]:
        """The best assignment found in ``seconds`` (deterministic mode: of deterministic
        time) from ``values``, and its objective.

        When the search has not improved for ``stall / 2`` and ``patience`` sub-models,
        it searches on with the dearest rule's weight halved (``reweighted``) until that
        stalls too, then on the true objective again from where it got. It settles
        (``settled``) when its objective is within ``relative_gap`` of ``lower_bound``, or
        after ``fruitless`` such rounds without a better assignment.
        """
        self.settled = False
        if not self.units:
            return values, objective
        true_weights = self.true_weights()
        best_values, best = list(values), objective
        current, current_objective = list(values), objective
        model, weights, phase, version = self.sm.model, true_weights, 0, 0
        target = max(lower_bound, 0.0) / (1.0 - relative_gap) + 1e-9
        patience = stall / 2
        clock = TimeBudget(seconds, self.deterministic)
        tuning = self.tuning
        moved = 0.0  # when the current phase last improved (or began) ...
        tries = 0  # ... and the sub-models solved since
        best_at_round = best  # the best when the last reweighted round began
        fruitless = 0
        pool: SubSolves[tuple[str, int, int, Values, int], _Step]
        retry: list[set[int]] = []  # neighbourhoods to solve again on the current assignment
        made: dict[int, set[int]] = {}  # the units each recent version changed
        with SubSolves(self.threads, self.deterministic) as pool:
            while True:
                now = clock.elapsed()
                stuck = now - moved >= patience and tries >= tuning.patience
                if best <= target:
                    self.settled = True
                elif stuck and phase % 2 == 0:  # on the true objective
                    fruitless = fruitless + 1 if best >= best_at_round else 0
                    found = self.reweighted(current) if fruitless < tuning.fruitless else None
                    if found is None:
                        self.settled = True
                    else:
                        weights, model = found
                        self.rounds += 1
                        current_objective = self.objective(current, weights)
                        phase, moved, tries, best_at_round = phase + 1, now, 0, best
                elif stuck:  # on the reweighted objective: back to the true one
                    model, weights = self.sm.model, true_weights
                    current_objective = self.objective(current, weights)
                    phase, moved, tries = phase + 1, now, 0
                while pool.has_room() and not self.settled:
                    left = clock.left()
                    if left <= 0.05:
                        break
                    while retry and not retry[-1]:
                        retry.pop()
                    if retry:
                        operator, free, starts = "retry", retry.pop(), None
                    else:
                        operator, free, starts = self.neighbourhood(current)
                    seed = self.seed + self.iterations + len(pool) + 1
                    context = (operator, version, phase, current, current_objective)
                    args = (model, current, free, starts, seed, min(tuning.step_seconds, left))
                    if not pool.start(context, self.step, *args):
                        break
                if not pool:
                    break
                for context, result in pool.finished():
                    operator, base, at_phase, base_values, base_objective = context
                    self.iterations += 1
                    self.tried[operator] += 1
                    tries += 1
                    # the iteration cost: so that the budget bounds the wall time too
                    clock.charge(result.deterministic_time + self.iteration_cost)
                    if operator != "retry":
                        self._adapt(operator, result.code)
                    if result.values is None or result.objective is None:
                        continue
                    # a complete assignment of the whole model: valid whatever it started
                    # from, and its true objective counts whichever objective found it
                    true = (result.objective if at_phase % 2 == 0  # found on the true model
                            else self.objective(result.values, true_weights))  # fmt: skip
                    if true < best:
                        best_values, best = result.values, true
                        self.improvements += 1
                        self.improved[operator] += 1
                    if at_phase != phase:
                        continue
                    found, here = result.objective, current_objective
                    if base != version and found < base_objective:
                        # better than the assignment it was found from, which has moved
                        # on since: what it changed is tried again on the current one
                        # (or, if it replaces the current one, what that had changed)
                        if found >= here:
                            retry.append(self._changed(base_values, result.values))
                        else:
                            retry.extend(made[v] for v in range(base + 1, version + 1)
                                         if v in made)  # fmt: skip
                        del retry[: -tuning.retries]
                    # a tie only replaces the assignment it was found from
                    if found < here or (found == here and base == version):
                        if found < here:
                            version += 1
                            made[version] = self._changed(current, result.values)
                            made.pop(version - 2 * tuning.retries, None)  # that old: rare
                            moved, tries = clock.elapsed(), 0
                        current, current_objective = result.values, found
        return best_values, best


__all__ = ["StartSearch"]
