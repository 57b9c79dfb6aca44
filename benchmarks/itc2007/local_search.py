"""An incremental local search on the time-first model: an experiment, not the engine.

docs/benchmarks.md proposed it as what would close the 60 s gap on comp05 and comp12: a
search that evaluates single moves outside CP-SAT, thousands a second, between the
CP-SAT sub-models of the search on the starts (``scheduler/cpsat/timefirst/start_search.py``).
It was built here and measured with ``starts_alone.py --local-search``; it is not part
of the engine because it did not help (the numbers are in benchmarks/itc2007/JOURNAL.md).

It works on the CP-SAT model itself, not on the rules behind it, so every rule of the
model counts and none is written twice:

- the decisions are the units' start literals; every constraint over decisions only is a
  hard rule, kept by counting each constraint's activity as literals flip;
- every other variable is a soft rule's auxiliary (``days_short``, ``isolated``,
  ``over_capacity`` ...): the objective pushes it one way, and its value is the bound
  that the constraint defining it gives (``isolated >= starting - before - after``, a
  day used at most as the literals on it ...). A row defines the newest auxiliary in
  it, as a model defines a variable right after creating it; which way each auxiliary
  is pushed follows from the objective through the rows that define them. A model where
  that is not one way for every auxiliary, or with constraints of other kinds, is
  ``Unsupported``.

A move (one session of a unit to another start, or two units' sessions swapping starts)
updates the activities of the rows its literals are in, the auxiliaries those rows
define (in dependency order), and the objective; a move that breaks a hard rule is undone
(or, with a ``weight``, costs that much per unit broken). Simulated annealing decides
which moves stay. The result is a complete assignment of the model; ``Evaluator.check``
lists the rows it breaks, none in a valid one.
"""

from __future__ import annotations

import heapq
import math
import random
import time
from dataclasses import dataclass

from ortools.sat.python.cp_model_helper import CpModelProto

from scheduler.cpsat.hints import Values
from scheduler.cpsat.timefirst.model import SlotModel

BIG = 1 << 60
KINDS = ("linear", "at_most_one", "exactly_one", "bool_or", "bool_and")


class Unsupported(Exception):
    """The model has a constraint or an auxiliary this search cannot follow."""


def _ref(r: int) -> tuple[int, bool]:
    return (r, False) if r >= 0 else (-r - 1, True)


class Evaluator:
    """An assignment of a model's variables kept consistent under flips of its decisions."""

    def __init__(self, proto: CpModelProto, decisions: set[int]) -> None:
        n = len(proto.variables)
        self.n = n
        self.lo = [0] * n
        self.hi = [0] * n
        for v, var in enumerate(proto.variables):
            dom = list(var.domain)
            if len(dom) > 2 and v not in decisions:
                raise Unsupported(f"variable {var.name or v} has a domain with holes")
            self.lo[v], self.hi[v] = dom[0], dom[-1]
        self.decision = [v in decisions for v in range(n)]
        rows_vars: list[list[int]] = []
        rows_coeffs: list[list[int]] = []
        lbs: list[int] = []
        ubs: list[int] = []

        def add(refs: list[int], coeffs: list[int], lb: int, ub: int) -> None:
            vs, cs = [], []
            for r, c in zip(refs, coeffs, strict=True):
                v, neg = _ref(r)
                if neg:  # c * (1 - v)
                    lb, ub, c = lb - c, ub - c, -c
                vs.append(v)
                cs.append(c)
            rows_vars.append(vs)
            rows_coeffs.append(cs)
            lbs.append(lb)
            ubs.append(ub)

        for ct in proto.constraints:
            kind = next((k for k in KINDS if getattr(ct, f"has_{k}")()), None)
            if kind is None or len(ct.enforcement_literal):
                raise Unsupported(f"constraint {ct.name or kind or 'of another kind'}")
            if kind == "linear":
                dom = list(ct.linear.domain)
                if len(dom) != 2:
                    raise Unsupported("a linear constraint with holes")
                lb = max(dom[0], -BIG)
                ub = min(dom[1], BIG)
                add(list(ct.linear.vars), list(ct.linear.coeffs), lb, ub)
                continue
            lits = list(getattr(ct, kind).literals)
            ones = [1] * len(lits)
            if kind == "at_most_one":
                add(lits, ones, -BIG, 1)
            elif kind == "exactly_one":
                add(lits, ones, 1, 1)
            elif kind == "bool_or":
                add(lits, ones, 1, BIG)
            else:  # bool_and: every literal true
                add(lits, ones, len(lits), len(lits))
        self.rows_vars, self.rows_coeffs, self.lb, self.ub = rows_vars, rows_coeffs, lbs, ubs
        self.occ: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for r, (vs, cs) in enumerate(zip(rows_vars, rows_coeffs, strict=True)):
            for v, c in zip(vs, cs, strict=True):
                self.occ[v].append((r, c))
        objective = proto.objective
        self.obj = [0] * n
        self.offset = round(objective.offset)
        for r, c in zip(objective.vars, objective.coeffs, strict=True):
            v, neg = _ref(r)
            if neg:
                self.offset += c
                c = -c
            self.obj[v] += c
        self._directions()
        self.value: list[int] = [0] * n
        self.act: list[int] = [0] * len(rows_vars)
        self.objective = 0
        self._log: list[tuple[int, int]] = []
        self._touched: list[int] = []
        self.broken = 0  # by how much the hard rows are broken, summed

    def _directions(self) -> None:
        """Which way the objective pushes each auxiliary (+1 down, -1 up), the constraints
        that bound it that way, and an order in which each comes after what it depends on."""
        n = self.n
        d = [0] * n
        queue = []
        for v in range(n):
            if not self.decision[v] and self.lo[v] != self.hi[v] and self.obj[v]:
                d[v] = 1 if self.obj[v] > 0 else -1
                queue.append(v)
        self.binding: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # (row, coeff)
        # the auxiliary a row defines: the newest in it, as a model defines a variable
        # right after creating it (``count == above + ...``, ``short >= need - used``)
        owner = [max((v for v in vs if not self.decision[v] and self.lo[v] != self.hi[v]),
                     default=-1) for vs in self.rows_vars]  # fmt: skip
        while queue:
            v = queue.pop()
            for r, c in self.occ[v]:
                side = d[v] * (1 if c > 0 else -1)  # +1: the row's lower bound holds v
                if owner[r] != v or (self.lb[r] if side > 0 else self.ub[r]) in (-BIG, BIG):
                    continue
                self.binding[v].append((r, c))
                for w, cw in zip(self.rows_vars[r], self.rows_coeffs[r], strict=True):
                    if w == v or self.decision[w] or self.lo[w] == self.hi[w]:
                        continue
                    want = -1 if side * cw > 0 else 1  # make the rest of the row loose
                    if d[w] == 0:
                        d[w] = want
                        queue.append(w)
                    elif d[w] != want:
                        raise Unsupported("an auxiliary pushed both ways")
        for v in range(n):
            if not self.decision[v] and self.lo[v] != self.hi[v] and d[v] == 0:
                raise Unsupported("an auxiliary the objective does not push")
        self.direction = d
        # dependency order: an auxiliary after the auxiliaries in its binding rows
        rank = [0] * n
        state = [0] * n  # 0 new, 1 on the path, 2 done
        counter = 0
        for start in range(n):
            if d[start] == 0 or state[start]:
                continue
            stack = [(start, iter(self._deps(start)))]
            state[start] = 1
            while stack:
                v, it = stack[-1]
                w = next(it, None)
                if w is None:
                    stack.pop()
                    state[v] = 2
                    rank[v] = counter
                    counter += 1
                elif state[w] == 1:
                    raise Unsupported("auxiliaries that depend on each other")
                elif state[w] == 0:
                    state[w] = 1
                    stack.append((w, iter(self._deps(w))))
        self.rank = rank
        self.binders: list[list[int]] = [[] for _ in self.rows_vars]
        for v in range(n):
            for r, _c in self.binding[v]:
                self.binders[r].append(v)
        self.hard = [all(self.decision[v] or self.lo[v] == self.hi[v] for v in vs)
                     for vs in self.rows_vars]  # fmt: skip

    def _deps(self, v: int) -> list[int]:
        return [w for r, _c in self.binding[v] for w in self.rows_vars[r]
                if w != v and self.direction[w]]  # fmt: skip

    # --- values ---
    def best_value(self, v: int) -> int:
        """The value the objective wants for auxiliary ``v``, given the others."""
        d, val, act = self.direction[v], self.value[v], self.act
        bound = self.lo[v] if d > 0 else self.hi[v]
        for r, c in self.binding[v]:
            rest = act[r] - c * val
            if (d > 0) == (c > 0):  # the lower bound holds v: c * v >= lb - rest
                q = self.lb[r] - rest
                b = -((-q) // c) if c > 0 else q // c  # ceil for c > 0, floor for c < 0
            else:  # the upper bound: c * v <= ub - rest
                q = self.ub[r] - rest
                b = q // c if c > 0 else -((-q) // c)
            bound = max(bound, b) if d > 0 else min(bound, b)
        return min(max(bound, self.lo[v]), self.hi[v])

    def load(self, values: Values) -> None:
        """Take the decisions of ``values`` and compute every auxiliary from them."""
        self.value = [values[v] if self.decision[v] or self.lo[v] == self.hi[v] else
                      (self.lo[v] if self.direction[v] > 0 else self.hi[v])
                      for v in range(self.n)]  # fmt: skip
        val = self.value
        self.act = [sum(c * val[v] for v, c in zip(vs, cs, strict=True))
                    for vs, cs in zip(self.rows_vars, self.rows_coeffs, strict=True)]  # fmt: skip
        for v in sorted((v for v in range(self.n) if self.direction[v]), key=self.rank.__getitem__):
            self._set(v, self.best_value(v))
        self.objective = self.offset + sum(o * x for o, x in zip(self.obj, val, strict=True) if o)
        self.broken = sum(max(0, self.lb[r] - a, a - self.ub[r]) for r, a in enumerate(self.act)
                          if self.hard[r])  # fmt: skip
        self._log.clear()
        self._touched.clear()

    def _set(self, v: int, new: int) -> None:
        old = self.value[v]
        if old == new:
            return
        self.value[v] = new
        delta = new - old
        self._log.append((v, old))
        self.objective += self.obj[v] * delta
        act, lb, ub, hard = self.act, self.lb, self.ub, self.hard
        touched = self._touched
        broken = 0
        for r, c in self.occ[v]:
            a = act[r]
            b = a + c * delta
            act[r] = b
            touched.append(r)
            if hard[r]:
                broken += (lb[r] - b if b < lb[r] else b - ub[r] if b > ub[r] else 0) - (
                    lb[r] - a if a < lb[r] else a - ub[r] if a > ub[r] else 0
                )
        self.broken += broken

    def flip(self, changes: list[tuple[int, int]], strict: bool = True) -> bool:
        """Set decisions (variable, value), update what depends on them; False (with the
        change still applied, to ``undo``) when a constraint breaks. Not ``strict``: hard
        rules may break, counted in ``broken``."""
        self._log.clear()
        self._touched.clear()
        before = self.broken
        for v, x in changes:
            self._set(v, x)
        lb, ub, act = self.lb, self.ub, self.act
        if strict and self.broken > before:  # hard rules first: cheap to refuse
            return False
        heap: list[tuple[int, int]] = []
        queued: set[int] = set()
        rank = self.rank
        i = 0
        while True:
            touched = self._touched
            while i < len(touched):
                for w in self.binders[touched[i]]:
                    if w not in queued:
                        queued.add(w)
                        heapq.heappush(heap, (rank[w], w))
                i += 1
            if not heap:
                break
            _, w = heapq.heappop(heap)
            queued.discard(w)
            self._set(w, self.best_value(w))
        hard = self.hard
        return all(hard[r] or lb[r] <= act[r] <= ub[r] for r in self._touched)

    def undo(self) -> None:
        """Restore the values before the last ``flip``."""
        log, self._log = self._log, []
        for v, old in reversed(log):
            self._set(v, old)
        self._log.clear()

    def check(self) -> list[int]:
        """Rows broken by the current values (none in a valid assignment)."""
        val = self.value
        bad = []
        for r, (vs, cs) in enumerate(zip(self.rows_vars, self.rows_coeffs, strict=True)):
            a = sum(c * val[v] for v, c in zip(vs, cs, strict=True))
            if not self.lb[r] <= a <= self.ub[r]:
                bad.append(r)
        return bad


@dataclass(slots=True)
class Outcome:
    values: Values
    objective: int
    tried: int  # moves evaluated
    accepted: int
    improvements: int


class LocalSearch:
    """Simulated annealing over moves of single sessions and swaps of two."""

    def __init__(self, sm: SlotModel, seed: int) -> None:
        units = [u for u in sm.units if len(u.x) > 1]
        decisions = {u.present.index for u in sm.units}
        for u in sm.units:
            decisions.update(lit.index for lit in u.x.values())
        self.ev = Evaluator(sm.model.proto, decisions)
        self.rng = random.Random(seed)
        self.starts = [sorted((t, lit.index) for t, lit in u.x.items()) for u in units]
        self.index = [dict(s) for s in self.starts]

    def run(
        self,
        values: Values,
        seconds: float,
        t0: float = 2.0,
        t1: float = 0.05,
        weight: int = 0,
    ) -> Outcome:
        """The best assignment found in ``seconds`` from ``values``, the temperature
        falling geometrically from ``t0`` to ``t1``; ``weight`` > 0 lets moves break hard
        rows at that cost per unit broken (the best kept breaks none)."""
        ev, rng = self.ev, self.rng
        ev.load(values)
        val = ev.value
        n = len(self.starts)
        best, best_values = ev.objective, list(val)
        at: dict[int, list[int]] = {}  # start -> units with a session there
        for i, s in enumerate(self.starts):
            for t, v in s:
                if val[v]:
                    at.setdefault(t, []).append(i)
        tried = accepted = improvements = 0
        started = time.perf_counter()
        deadline = started + seconds
        temp = t0
        ratio = t1 / t0
        while True:
            if tried & 255 == 0:
                now = time.perf_counter()
                if now >= deadline:
                    break
                temp = t0 * ratio ** ((now - started) / seconds)
            tried += 1
            i = rng.randrange(n)
            s = self.starts[i]
            on = [t for t, v in s if val[v]]
            if not on:
                continue
            a = rng.choice(on)
            b, vb = s[rng.randrange(len(s))]
            if val[vb]:
                continue
            idx = self.index[i]
            changes = [(idx[a], 0), (vb, 1)]
            other = -1
            if at.get(b) and rng.random() < 0.5:  # swap with a unit starting at b
                other = rng.choice(at[b])
                oi = self.index[other]
                if other == i or a not in oi or val[oi[a]]:
                    other = -1
                else:
                    changes += [(oi[b], 0), (oi[a], 1)]
            before = ev.objective + weight * ev.broken
            if not ev.flip(changes, strict=not weight):
                ev.undo()
                continue
            delta = ev.objective + weight * ev.broken - before
            if delta > 0 and rng.random() >= math.exp(-delta / temp):
                ev.undo()
                continue
            accepted += 1
            at[a].remove(i)
            at.setdefault(b, []).append(i)
            if other >= 0:
                at[b].remove(other)
                at[a].append(other)
            if ev.objective < best and not ev.broken:
                best, best_values = ev.objective, list(val)
                improvements += 1
        return Outcome(best_values, best, tried, accepted, improvements)


__all__ = ["Evaluator", "LocalSearch", "Outcome", "Unsupported"]
