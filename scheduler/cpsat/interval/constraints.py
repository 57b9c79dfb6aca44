"""Hard rules 1-8 of docs/scheduler-rules.md, one function per rule, named after it.

Rules that concern one session alone (windows, holidays, fit, request dates, ``now``) are
mostly enforced by candidate pruning (``prep/candidates.py``); their functions here add what
pruning cannot express per session (exactly one choice, per-resource windows) or say where
the rule lives. Rules between sessions (no overlap, travel, ordering) are constraints.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.cpsat.interval.variables import ModelVars, SessionVars, domain_of
from scheduler.cpsat.prep.candidates import DayMasks
from scheduler.problem import Problem, TrainerId

BIG = 10**9


@dataclass(slots=True)
class Context:
    model: cp_model.CpModel
    problem: Problem
    vars: ModelVars
    travel_pairs: _TravelPairs | None = None
    max_travel: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = field(default_factory=dict)
    any_travel: bool | None = None  # some pair of locations needs travel time


def _restrict(ctx: Context, sv: SessionVars, masks: DayMasks, lit: cp_model.IntVar) -> None:
    """If ``lit``: start within ``masks`` (skipped when the start domain implies it)."""
    if lit is sv.present and masks == sv.cand.day_masks:
        return
    if all(masks.get(d) == m for d, m in sv.cand.day_masks.items()):
        return
    ctx.model.add_linear_expression_in_domain(
        sv.start, domain_of(ctx.vars.grid, masks)
    ).only_enforce_if(lit)


def _location_available(ctx: Context) -> None:
    """A scheduled session is at exactly one location, inside that location's open spans."""
    for sv in ctx.vars.sessions():
        if len(sv.at) > 1:
            ctx.model.add_exactly_one([*sv.at.values(), sv.present.negated()])
        for lid, masks in sv.cand.location_masks.items():
            _restrict(ctx, sv, masks, sv.at[lid])
    # holidays, horizon, grid, hosts_training, at_school closures: candidate pruning


def _location_fits(ctx: Context) -> None:
    """Capacity, equipment and participant bounds: enforced entirely by candidate pruning."""


def _location_never_double_booked(ctx: Context) -> None:
    """Sessions at one location never overlap and keep the location's buffer between them."""
    grid = ctx.vars.grid
    for lid, svs in ctx.vars.locations_in_use():
        svs = [sv for sv in svs if not sv.cand.at_school]
        if len(svs) < 2:
            continue
        buffer = ctx.problem.location(lid).buffer_minutes
        intervals = [
            ctx.vars.location_interval(sv, lid, grid.ceil_slots(sv.cand.duration + buffer))
            for sv in svs
        ]
        ctx.model.add_no_overlap(intervals)


def _trainers(ctx: Context) -> None:
    """Enough qualified, available trainers; no overlap, travel time, weekly maximum."""
    m, mv = ctx.model, ctx.vars
    for sv in mv.sessions():
        free = [lit for lit in sv.tr.values() if lit is not sv.present]
        forced = len(sv.tr) - len(free)
        if free:
            m.add(sum(free) == (sv.cand.trainers_needed - forced) * sv.present)
        for tid, masks in sv.cand.trainer_masks.items():
            _restrict(ctx, sv, masks, sv.tr[tid])
    for tid, svs in mv.trainers_in_use():
        if len(svs) > 1:
            m.add_no_overlap([mv.trainer_interval(sv, tid) for sv in svs])
    _trainer_travel_time(ctx)
    _trainer_max_minutes_per_week(ctx)


def _groups(ctx: Context) -> None:
    """A group's sessions never overlap and leave room to travel between places."""
    for _gid, svs in ctx.vars.groups_in_use():
        if len(svs) > 1:
            ctx.model.add_no_overlap([sv.interval for sv in svs])
    # group windows and max_travel_minutes: candidate pruning; travel gaps: below
    _group_travel_time(ctx)


def _multi_session(ctx: Context) -> None:
    """All sessions or none, in order, with the day gaps, at one location if required."""
    m = ctx.model
    for rc in ctx.vars.requests():
        svs = ctx.vars.sessions_of_request(rc.request.id)
        act = rc.activity
        # all-or-none: every session shares the request's presence literal
        for prev, nxt in itertools.pairwise(svs):
            pres = prev.present
            m.add(nxt.start >= prev.start + prev.size).only_enforce_if(pres)
            if act.min_days_between > 0:
                m.add(nxt.day - prev.day >= act.min_days_between).only_enforce_if(pres)
            if act.max_days_between is not None:
                m.add(nxt.day - prev.day <= act.max_days_between).only_enforce_if(pres)
        if act.same_location and len(svs) > 1:
            first = svs[0]
            for sv in svs[1:]:
                for lid, lit in first.at.items():
                    if lid in sv.at:
                        m.add(sv.at[lid] == lit)
                    else:
                        m.add(lit == 0)
                for lid, lit in sv.at.items():
                    if lid not in first.at:
                        m.add(lit == 0)


def _request_window(ctx: Context) -> None:
    """Request dates, blocked times and the at_school home: enforced by candidate pruning."""


def _frozen(ctx: Context) -> None:
    """Requests holding frozen sessions are scheduled; their placement is pruned to one."""
    for rc in ctx.vars.requests():
        if rc.must_schedule:
            lit = ctx.vars.present(rc.request.id)
            assert lit is not None  # an unschedulable frozen request is reported infeasible
            ctx.model.add(lit == 1)
    # "every other session starts at or after now": candidate pruning


HARD_RULES: tuple[Callable[[Context], None], ...] = (
    _location_available,
    _location_fits,
    _location_never_double_booked,
    _trainers,
    _groups,
    _multi_session,
    _request_window,
    _frozen,
)


def add_hard_rules(ctx: Context) -> None:
    for rule in HARD_RULES:
        rule(ctx)


# --- travel between same-day sessions at different places (rules 4 and 5) ---


def _may_be_close(
    a: SessionVars, ma: DayMasks, mb: DayMasks, travel: int, grid_minutes: int
) -> bool:
    """Can ``a`` end less than ``travel`` minutes before ``b`` starts on a common day?"""
    lo = -(-a.cand.duration // grid_minutes)
    hi = -(-(a.cand.duration + travel) // grid_minutes) - 1
    for d, mask_a in ma.items():
        mask_b = mb.get(d)
        if not mask_b:
            continue
        for delta in range(lo, hi + 1):
            if (mask_a << delta) & mask_b:
                return True
    return False


def _max_travel(ctx: Context, a: SessionVars, b: SessionVars) -> int:
    """Longest travel between a place of ``a`` and one of ``b`` (cached per place sets)."""
    key = (tuple(a.at), tuple(b.at))
    found = ctx.max_travel.get(key)
    if found is None:
        travel = ctx.problem.travel
        found = max(travel.between(la, lb) for la in a.at for lb in b.at)
        ctx.max_travel[key] = found
    return found


def _any_travel(ctx: Context) -> bool:
    """Whether any two places are apart at all (else no travel rule can bind)."""
    if ctx.any_travel is None:
        travel = ctx.problem.travel
        ctx.any_travel = travel.default > 0 or any(v > 0 for v in travel.minutes.values())
    return ctx.any_travel


class _TravelPairs:
    """Pairs of sessions that may share a trainer or group on one day at two places."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._before: dict[tuple[str, str], cp_model.IntVar | bool] = {}
        self._same: dict[tuple[str, str], cp_model.IntVar | None] = {}
        self.done_group_pairs: set[tuple[str, str]] = set()

    def same_day(self, a: SessionVars, b: SessionVars) -> cp_model.IntVar | None:
        """Literal true when both are on the same day (None: always, when both fixed)."""
        key = (a.name, b.name)
        if key not in self._same:
            if isinstance(a.day, int) and isinstance(b.day, int):
                self._same[key] = None
            else:
                lit = self.ctx.model.new_bool_var(f"same_day[{a.name},{b.name}]")
                dom = cp_model.Domain.from_intervals([[-BIG, -1], [1, BIG]])
                self.ctx.model.add_linear_expression_in_domain(a.day - b.day, dom).only_enforce_if(
                    lit.negated()
                )
                self._same[key] = lit
        return self._same[key]

    def before(self, a: SessionVars, b: SessionVars) -> cp_model.IntVar | bool:
        """True when ``a`` comes first (fixed for sessions of one request)."""
        key = (a.name, b.name)
        if key not in self._before:
            if a.request == b.request:
                self._before[key] = a.index < b.index
            else:
                self._before[key] = self.ctx.model.new_bool_var(f"before[{a.name},{b.name}]")
        return self._before[key]

    def add(self, a: SessionVars, b: SessionVars, enforce: list[cp_model.IntVar]) -> None:
        """If all of ``enforce`` and same day: the later starts >= end of earlier + travel."""
        m, grid = self.ctx.model, self.ctx.vars.grid
        travel = self.ctx.problem.travel
        same = self.same_day(a, b)
        base = [*enforce] + ([same] if same is not None else [])
        order = self.before(a, b)
        for first, second, first_goes in ((a, b, True), (b, a, False)):
            if isinstance(order, bool):
                if order != first_goes:
                    continue
                cond = base
            else:
                cond = [*base, order if first_goes else order.negated()]
            for lf, at_f in first.at.items():
                gaps = {
                    ls: grid.ceil_slots(first.cand.duration + travel.between(lf, ls))
                    for ls in second.at
                }
                if all(travel.between(lf, ls) == 0 for ls in second.at):
                    continue  # no travel needed: the no-overlap constraint suffices
                expr = sum(gap * second.at[ls] for ls, gap in gaps.items())
                m.add(second.start - first.start >= expr).only_enforce_if(_dedupe([*cond, at_f]))


def _dedupe(lits: list[cp_model.IntVar]) -> list[cp_model.IntVar]:
    out: list[cp_model.IntVar] = []
    for lit in lits:
        if not any(lit is o for o in out):
            out.append(lit)
    return out


_DAY0 = -4000  # day indices can be negative (frozen sessions before the horizon)


def _pairs_needing_travel(
    ctx: Context, svs: list[SessionVars], masks_of: Callable[[SessionVars], DayMasks]
) -> list[tuple[SessionVars, SessionVars]]:
    g = ctx.problem.grid_minutes
    out: list[tuple[SessionVars, SessionVars]] = []
    if not _any_travel(ctx):
        return out
    # sessions that never share a day never need travel time: test that on day bitsets
    # first (one integer AND per pair), so a year of sessions stays cheap
    masks = [masks_of(sv) for sv in svs]
    days = [sum(1 << (d - _DAY0) for d in m) for m in masks]
    for i, a in enumerate(svs):
        days_a = days[i]
        for j in range(i + 1, len(svs)):
            if not days_a & days[j]:
                continue
            b = svs[j]
            if a.request == b.request and (
                ctx.vars.request_candidates(a.request).activity.min_days_between > 0
            ):
                continue  # never on the same day
            travel = _max_travel(ctx, a, b)
            if travel <= 0:
                continue
            ma, mb = masks[i], masks[j]
            if _may_be_close(a, ma, mb, travel, g) or _may_be_close(b, mb, ma, travel, g):
                out.append((a, b))
    return out


def _pairs(ctx: Context) -> _TravelPairs:
    """The pair bookkeeping shared by the group and trainer travel rules."""
    if ctx.travel_pairs is None:
        ctx.travel_pairs = _TravelPairs(ctx)
    return ctx.travel_pairs


def _group_travel_time(ctx: Context) -> None:
    """Two sessions of a group on one day at different places leave time to travel."""
    pairs = _pairs(ctx)
    for _gid, svs in ctx.vars.groups_in_use():
        for a, b in _pairs_needing_travel(ctx, svs, lambda sv: sv.cand.day_masks):
            key = (a.name, b.name)
            if key in pairs.done_group_pairs:
                continue
            pairs.done_group_pairs.add(key)
            pairs.add(a, b, _dedupe([a.present, b.present]))


def _trainer_travel_time(ctx: Context) -> None:
    """Two sessions of a trainer on one day at different places leave time to travel."""
    pairs = _pairs(ctx)
    meets: dict[tuple[str, str], cp_model.IntVar] = {}
    for tid, svs in ctx.vars.trainers_in_use():
        found = _pairs_needing_travel(ctx, svs, _trainer_masks(tid))
        for a, b in found:
            if set(a.groups) & set(b.groups):
                continue  # the group rule already demands the same gap
            key = (a.name, b.name)
            meet = meets.get(key)
            if meet is None:
                meet = ctx.model.new_bool_var(f"share_trainer[{a.name},{b.name}]")
                meets[key] = meet
                pairs.add(a, b, [meet])
            ctx.model.add_bool_or([a.tr[tid].negated(), b.tr[tid].negated(), meet])


def _trainer_masks(tid: TrainerId) -> Callable[[SessionVars], DayMasks]:
    return lambda sv: sv.cand.trainer_masks[tid]


def _trainer_max_minutes_per_week(ctx: Context) -> None:
    """Per ISO week a trainer's session minutes stay within max_minutes_per_week."""
    m, mv = ctx.model, ctx.vars
    for tid, svs in mv.trainers_in_use():
        cap = ctx.problem.trainer(tid).max_minutes_per_week
        if cap is None:
            continue
        weeks: dict[tuple[int, int], list[SessionVars]] = {}
        for sv in svs:
            for wk in {_week(ctx, d) for d in sv.cand.trainer_masks[tid]}:
                weeks.setdefault(wk, []).append(sv)
        for wk, members in sorted(weeks.items()):
            if sum(sv.cand.duration for sv in members) <= cap:
                continue
            terms = []
            for sv in members:
                tdays = list(sv.cand.trainer_masks[tid])
                if all(_week(ctx, d) == wk for d in tdays):
                    terms.append(sv.cand.duration * sv.tr[tid])
                    continue
                on = mv.day_literals(sv)
                in_week = sum(lit for d, lit in on.items() if _week(ctx, d) == wk)
                both = m.new_bool_var(f"works[{sv.name},{tid},{wk[0]}-W{wk[1]}]")
                m.add(both >= sv.tr[tid] + in_week - 1)
                terms.append(sv.cand.duration * both)
            m.add(sum(terms) <= cap)


def _week(ctx: Context, day_index: int) -> tuple[int, int]:
    iso = ctx.vars.grid.day_at(day_index).isocalendar()
    return (iso[0], iso[1])


__all__ = ["HARD_RULES", "Context", "add_hard_rules"]
