"""The objective table of docs/scheduler-rules.md: each soft rule returns its raw terms.

``objective_terms`` is the one place that weighs and sums them, with the weights of the same
name in ``problem.weights``. A component with weight 0 is skipped entirely (no variables),
and reported as 0. Components defined with max/min/ceil use auxiliary variables that are
bounded one way only; minimisation makes them exact at the optimum, and the Solution
always reports the exact values recomputed from its sessions (``score.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from ortools.sat.python import cp_model

from scheduler.cpsat.interval.constraints import Context
from scheduler.cpsat.interval.variables import SessionVars, domain_of
from scheduler.cpsat.prep.candidates import frozen_sessions
from scheduler.cpsat.score import open_minutes_by_partner
from scheduler.problem import (
    COMPONENTS,
    LocationId,
    PartnerId,
    RequestId,
    TimeOfDay,
    TrainerId,
)

Term = cp_model.LinearExprT


def _unscheduled(ctx: Context) -> list[Term]:
    """Priority of every request left unscheduled."""
    terms: list[Term] = []
    for rc in ctx.vars.requests():
        lit = ctx.vars.present(rc.request.id)
        prio = rc.request.priority
        terms.append(prio if lit is None else prio - prio * lit)
    return terms


def _group_travel(ctx: Context) -> list[Term]:
    """Minutes each group travels from home to a (non at_school) session."""
    terms: list[Term] = []
    travel = ctx.problem.travel
    for sv in ctx.vars.sessions():
        if sv.cand.at_school:
            continue
        for gid in sv.groups:
            home = ctx.problem.group(gid).home
            if home is None:
                continue
            terms += [travel.between(home, lid) * lit for lid, lit in sv.at.items()]
    return terms


def _trainer_travel(ctx: Context) -> list[Term]:
    """Minutes each trainer travels from home to a session."""
    m, travel = ctx.model, ctx.problem.travel
    terms: list[Term] = []
    for sv in ctx.vars.sessions():
        for tid, lit in sv.tr.items():
            home = ctx.problem.trainer(tid).home
            if home is None:
                continue
            costs = {lid: travel.between(home, lid) for lid in sv.at}
            top = max(costs.values())
            if top == 0:
                continue
            if len(set(costs.values())) == 1:
                terms.append(top * lit)
            elif lit is sv.present:
                terms += [c * sv.at[lid] for lid, c in costs.items()]
            else:  # trainer and location both chosen: cost >= travel(home, loc) when on it
                cost = m.new_int_var(0, top, f"trainer_travel[{sv.name},{tid}]")
                m.add(cost >= sum(c * sv.at[lid] for lid, c in costs.items()) - top * (1 - lit))
                terms.append(cost)
    return terms


def _preference(ctx: Context) -> list[Term]:
    """One per unmet weekday, time-of-day, partner or location wish of a session."""
    m, mv, grid = ctx.model, ctx.vars, ctx.vars.grid
    terms: list[Term] = []
    for sv in mv.sessions():
        prefs = mv.request_candidates(sv.request).request.preferences
        if prefs.weekdays:
            bad = [d for d in sv.cand.days if grid.day_at(d).isoweekday() not in prefs.weekdays]
            if len(bad) == len(sv.cand.days):
                terms.append(sv.present)
            elif bad:
                on = mv.day_literals(sv)
                terms += [on[d] for d in bad]
        if prefs.time_of_day is not None:
            good = _time_of_day_mask(ctx, prefs.time_of_day)
            masks = {d: mk & good for d, mk in sv.cand.day_masks.items() if mk & good}
            if not masks:
                terms.append(sv.present)
            elif masks != sv.cand.day_masks:
                miss = m.new_bool_var(f"wrong_time_of_day[{sv.name}]")
                m.add_implication(miss, sv.present)
                m.add_linear_expression_in_domain(sv.start, domain_of(grid, masks)).only_enforce_if(
                    miss.negated()
                )
                terms.append(miss)
        if prefs.partners:
            terms += [
                lit
                for lid, lit in sv.at.items()
                if ctx.problem.location(lid).partner not in prefs.partners
            ]
        if prefs.locations:
            terms += [lit for lid, lit in sv.at.items() if lid not in prefs.locations]
    return terms


def _time_of_day_mask(ctx: Context, wanted: TimeOfDay) -> int:
    g = ctx.problem.grid_minutes
    mask = 0
    for i in range(ctx.vars.grid.slots_per_day):
        minutes = i * g
        if TimeOfDay.of(time(minutes // 60, minutes % 60)) is wanted:
            mask |= 1 << i
    return mask


def _fairness(ctx: Context) -> list[Term]:
    """100 minus the worst school's percentage (floored) of scheduled requests."""
    by_school: dict[PartnerId, list[RequestId]] = {}
    for r in ctx.problem.requests:
        for school in dict.fromkeys(ctx.problem.group(g).school for g in r.groups):
            by_school.setdefault(school, []).append(r.id)
    if not by_school:
        return []
    m, history = ctx.model, ctx.problem.history
    worst = m.new_int_var(0, 100, "fairness_worst_percentage")
    for school, rids in by_school.items():
        before = history.school(school)
        lits = [lit for rid in rids if (lit := ctx.vars.present(rid)) is not None]
        # worst <= floor(100 * share of the school year so far)
        m.add(worst * (before.requests + len(rids)) <= 100 * (before.scheduled + sum(lits)))
    return [100 - worst]


def _host_balance(ctx: Context) -> list[Term]:
    """Sessions a partner hosts beyond its share of the campus's open minutes."""
    m, problem, history = ctx.model, ctx.problem, ctx.problem.history
    opens = open_minutes_by_partner(problem)
    total = sum(opens.values()) + history.open_minutes
    svs = [sv for sv in ctx.vars.sessions() if not sv.cand.at_school]
    if not svs and not history.hosted_sessions:
        return []
    n_all = history.hosted_sessions + sum(sv.present for sv in svs)
    terms: list[Term] = []
    for partner, minutes in opens.items():
        before = history.host(partner)
        share = 1000 * (minutes + before.open_minutes) // total if total else 0
        hosted = [
            lit
            for sv in svs
            for lid, lit in sv.at.items()
            if problem.location(lid).partner == partner
        ]
        if not (hosted or before.sessions) or share >= 1000:
            continue  # nothing hosted ever, or the only host: never beyond its share
        excess = m.new_int_var(0, len(svs) + before.sessions, f"host_excess[{partner}]")
        m.add(1000 * excess >= 1000 * (before.sessions + sum(hosted)) - share * n_all)
        terms.append(excess)
    return terms


def _stability(ctx: Context) -> list[Term]:
    """One per reference session not kept exactly (moved, retimed, other trainers, dropped)."""
    m, mv, grid = ctx.model, ctx.vars, ctx.vars.grid
    frozen = frozen_sessions(ctx.problem)
    ids = {r.id for r in ctx.problem.requests}
    terms: list[Term] = []
    for ref in ctx.problem.reference:
        if ref.request not in ids:
            continue
        fz = frozen.get((ref.request, ref.index))
        if fz is not None:  # kept exactly by rule 8
            same = (fz.location, fz.start, fz.end, set(fz.trainers)) == (
                ref.location,
                ref.start,
                ref.end,
                set(ref.trainers),
            )
            terms.append(0 if same else 1)
            continue
        sv = mv.session(ref.request, ref.index)
        if sv is None or not _can_keep(ctx, sv, ref.location, ref.start, ref.end, ref.trainers):
            terms.append(1)
            continue
        keep = m.new_bool_var(f"kept[{sv.name}]")
        m.add_implication(keep, sv.present)
        m.add_implication(keep, sv.at[ref.location])
        for tid in ref.trainers:
            m.add_implication(keep, sv.tr[tid])
        m.add(sv.start == grid.slot(ref.start)).only_enforce_if(keep)
        terms.append(1 - keep)
    return terms


def _can_keep(
    ctx: Context,
    sv: SessionVars,
    lid: LocationId,
    start: datetime,
    end: datetime,
    trainers: tuple[TrainerId, ...],
) -> bool:
    """Whether the model can place ``sv`` exactly like a reference session."""
    grid = ctx.vars.grid
    if not grid.is_on_grid(start) or end - start != timedelta(minutes=sv.cand.duration):
        return False
    if lid not in sv.at or len(set(trainers)) != sv.cand.trainers_needed:
        return False
    if any(t not in sv.tr for t in trainers):
        return False
    day, i = divmod(grid.slot(start), grid.slots_per_day)
    masks = [sv.cand.day_masks, sv.cand.location_masks[lid]] + [
        sv.cand.trainer_masks[t] for t in trainers
    ]
    return all(mk.get(day, 0) >> i & 1 for mk in masks)


def _trainer_idle(ctx: Context) -> list[Term]:
    """Minutes between a trainer's first start and last end of a day, minus busy minutes.

    Per trainer: idle = sum over days of (last end - first start) - minutes on sessions.
    Only sessions that may share a day with another of the trainer's sessions are tracked
    (a day with one session is never idle); the per-trainer idle is declared >= 0, which
    keeps the bound tight without a literal per (session, trainer, day).
    """
    m, mv, grid = ctx.model, ctx.vars, ctx.vars.grid
    g = grid.grid_minutes
    terms: list[Term] = []
    for tid, svs in mv.trainers_in_use():
        by_day: dict[int, list[SessionVars]] = {}
        for sv in svs:
            for d in sv.cand.trainer_masks[tid]:
                by_day.setdefault(d, []).append(sv)
        tracked = [sv for sv in svs if any(len(by_day[d]) > 1 for d in sv.cand.trainer_masks[tid])]
        if not tracked:
            continue
        spans: list[Term] = []
        firsts: dict[int, cp_model.IntVar] = {}
        lasts: dict[int, cp_model.IntVar] = {}
        for sv in tracked:
            lit = sv.tr[tid]
            on = mv.day_literals(sv)
            tod = g * mv.time_of_day(sv)
            for d in sv.cand.trainer_masks[tid]:
                if d not in firsts:
                    label = f"{tid},{grid.day_at(d)}"
                    firsts[d] = m.new_int_var(0, 24 * 60, f"first_start[{label}]")
                    lasts[d] = m.new_int_var(0, 24 * 60, f"last_end[{label}]")
                    m.add(lasts[d] >= firsts[d])
                    spans.append(lasts[d] - firsts[d])
                enforce = [lit] if on[d] is lit else [lit, on[d]]
                m.add(firsts[d] <= tod).only_enforce_if(enforce)
                m.add(lasts[d] >= tod + sv.cand.duration).only_enforce_if(enforce)
        idle = m.new_int_var(0, 24 * 60 * len(firsts), f"idle[{tid}]")
        m.add(idle == sum(spans) - sum(sv.cand.duration * sv.tr[tid] for sv in tracked))
        terms.append(idle)
    return terms


def _room_stability(ctx: Context) -> list[Term]:
    """Distinct locations a scheduled multi-session request uses, minus one."""
    m, mv = ctx.model, ctx.vars
    terms: list[Term] = []
    for rc in mv.requests():
        svs = mv.sessions_of_request(rc.request.id)
        if len(svs) < 2 or rc.activity.same_location:
            continue
        locs = list(dict.fromkeys(lid for sv in svs for lid in sv.at))
        if len(locs) < 2:
            continue
        used = {lid: m.new_bool_var(f"uses[{rc.request.id},{lid}]") for lid in locs}
        for sv in svs:
            for lid, lit in sv.at.items():
                m.add_implication(lit, used[lid])
        terms.append(sum(used.values()) - svs[0].present)
    return terms


def _min_days(ctx: Context) -> list[Term]:
    """Days a scheduled request falls short of its activity's min_distinct_days."""
    m, mv = ctx.model, ctx.vars
    terms: list[Term] = []
    for rc in mv.requests():
        need = rc.activity.min_distinct_days
        svs = mv.sessions_of_request(rc.request.id)
        if need <= 1 or not svs:
            continue
        present = svs[0].present
        if rc.activity.min_days_between >= 1:  # every session on its own day
            if need > len(svs):
                terms.append((need - len(svs)) * present)
            continue
        days = sorted({d for sv in svs for d in sv.cand.days})
        used = []
        for d in days:
            lits = [mv.day_literals(sv)[d] for sv in svs if d in sv.cand.day_masks]
            u = m.new_bool_var(f"uses_day[{rc.request.id},{mv.grid.day_at(d)}]")
            m.add(u <= sum(lits))
            used.append(u)
        short = m.new_int_var(0, need, f"days_short[{rc.request.id}]")
        m.add(short >= need * present - sum(used))
        terms.append(short)
    return terms


def _isolated(ctx: Context) -> list[Term]:
    """Sessions of a group with no other session of the group right before or after."""
    m, mv = ctx.model, ctx.vars
    g = ctx.problem.grid_minutes
    terms: list[Term] = []
    for gid, svs in mv.groups_in_use():
        for a in svs:
            adjacent = []
            for b in svs:
                if b is a:
                    continue
                for first, second in ((b, a), (a, b)):
                    if first.cand.duration % g:
                        continue  # ends off the grid: never exactly at a start
                    k = first.cand.duration // g
                    fm, sm = first.cand.day_masks, second.cand.day_masks
                    if not any((fm[d] << k) & sm.get(d, 0) for d in fm):
                        continue
                    lit = m.new_bool_var(f"adjacent[{gid},{first.name}->{second.name}]")
                    m.add_implication(lit, a.present)
                    m.add_implication(lit, b.present)
                    m.add(second.start - first.start == k).only_enforce_if(lit)
                    adjacent.append(lit)
            if not adjacent:
                terms.append(a.present)
                continue
            iso = m.new_bool_var(f"isolated[{gid},{a.name}]")
            m.add(iso >= a.present - sum(adjacent))
            terms.append(iso)
    return terms


def _over_capacity(ctx: Context) -> list[Term]:
    """Participants above the location's capacity, for capacity_soft activities."""
    terms: list[Term] = []
    for sv in ctx.vars.sessions():
        rc = ctx.vars.request_candidates(sv.request)
        if not rc.activity.capacity_soft:
            continue
        for lid, lit in sv.at.items():
            excess = rc.participants - ctx.problem.location(lid).capacity
            if excess > 0:
                terms.append(excess * lit)
    return terms


# one function per component, named after it with a leading underscore
SOFT_RULES: dict[str, Callable[[Context], list[Term]]] = {
    name: globals()["_" + name] for name in COMPONENTS
}


def objective_terms(ctx: Context) -> tuple[dict[str, Term], Term]:
    """Raw value per component (0 when its weight is 0) and the weighted sum to minimise."""
    raw: dict[str, Term] = {}
    weighted: list[Term] = []
    for name, rule in SOFT_RULES.items():
        weight = getattr(ctx.problem.weights, name)
        if weight == 0:
            raw[name] = 0
            continue
        value = sum(rule(ctx))
        raw[name] = value
        weighted.append(weight * value)
    return raw, sum(weighted)
