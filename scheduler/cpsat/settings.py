"""The engine's tuning constants, in one frozen value.

These are not options a planner chooses (those are ``SolveOptions``): they are how the
engine splits its time and sizes its neighbourhoods, set from measurements
(docs/benchmarks.md). They live here, documented, instead of as module globals, so that a
benchmark or an experiment runs the engine with other values by passing a changed copy
(``dataclasses.replace``) instead of patching modules; ``DEFAULT_SETTINGS`` is what the
product uses. Shares are parts of a solve's time budget (``TimeBudget``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Resize:
    """How a neighbourhood search adapts its size: after a sub-solve proven optimal the size
    grows to ``size * grow + step`` (at most the number of units), after one that timed out
    it shrinks to ``size * shrink`` (at least ``smallest``), so sub-solves stay about as
    long as their time limit allows."""

    grow: float = 1.1
    step: float = 0.3
    shrink: float = 0.85
    smallest: float = 2.0

    def after(self, size: float, optimal: bool, most: float) -> float:
        """The next size, from ``size`` and whether the last sub-solve was proven optimal."""
        if optimal:
            return min(most, size * self.grow + self.step)
        return max(self.smallest, size * self.shrink)


@dataclass(frozen=True, slots=True)
class GreedySettings:
    """The greedy first plan (``prep/greedy.py``)."""

    max_exact_slots: int = 16  # days with at most this many candidate starts: slot by slot
    max_tried: int = 600  # feasible placements scored per session before the best is taken


@dataclass(frozen=True, slots=True)
class IntervalSettings:
    """The interval engine (``interval/``): whole model, then LNS."""

    start_share: float = 0.1  # at most this part of the budget completes the first plan
    min_complete_seconds: float = 2.0  # ... but at least this, even past the deadline
    full_share: float = 0.35  # part of the rest for CP-SAT on the whole model (gives the bound)
    alt_order_share: float = 0.03  # a second greedy order if the first took less than this
    demand_share: float = 0.3  # at most this part of the budget schedules more demand first
    step_min_seconds: float = 0.3  # one LNS sub-solve: budget / steps_per_budget seconds,
    step_max_seconds: float = 5.0  # ... within these bounds, so many neighbourhoods are tried
    steps_per_budget: float = 40.0
    small_neighbourhood: int = 12  # neighbourhoods of fewer requests are solved on one worker
    # LNS: a neighbourhood is grown from an unscheduled request (when there is one) this
    # often, else from any request
    unscheduled_seed: float = 0.6
    resize: Resize = Resize(grow=1.15, step=0.5)  # LNS neighbourhood size


@dataclass(frozen=True, slots=True)
class TimeFirstSettings:
    """The time-first engine (``timefirst/engine.py``) and its exact neighbourhoods."""

    min_sessions: int = 100  # the default engine from this many sessions (below, the
    # interval engine proves optimality faster)
    min_grid_minutes: int = 60  # ... on a grid this coarse (hourly timetables, ITC2007); on
    # the campus's 15-minute grid the interval engine did better (docs/benchmarks.md)
    max_start_literals: int = 60_000  # above this many (session, start) literals: no model
    slot_share: float = 0.1  # at most this part of the budget for CP-SAT on the slot model
    start_share: float = 0.3  # then at most this for the search on its starts, ...
    place_share: float = 0.05  # ... this for placing them, then more search on starts ...
    exact_share: float = 0.1  # ... and at most this kept for the exact neighbourhoods
    stall_share: float = 0.1  # the search on starts ends after this share without improving
    step_seconds: float = 2.0  # time limit of one exact neighbourhood
    operators: tuple[str, ...] = ("group", "place", "trainer", "rooms", "random")
    score_floor: float = 0.2  # an operator's score never drops below this
    first_size: float = 6.0  # requests freed by the first neighbourhoods of each operator ...
    rooms_factor: int = 4  # ... times this for "rooms", which frees only locations, trainers
    resize: Resize = Resize(grow=1.1, step=0.3)  # each operator's neighbourhood size
    score_decay: float = 0.9  # an operator's score: score_decay * score, + 1 if it improved
    # a neighbourhood is grown from an unscheduled request (when there is one) this often,
    # else from a request picked by its cost this often (when one costs), else at random
    unscheduled_seed: float = 0.5
    costly_seed: float = 0.7
    # completing a plan into a hint of a model: at most this part of the phase's time, ...
    hint_share: float = 0.25
    slot_hint_seconds: float = 5.0  # ... and at most this for the time-first model
    place_hint_seconds: float = 2.0  # ... or this for placing its starts
    # CP-SAT's full-problem workers, core-based first (``portfolio``)
    full_subsolvers: tuple[str, ...] = (
        "core", "default_lp", "max_lp", "no_lp", "quick_restart", "reduced_costs",
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class StartSearchSettings:
    """The search on the starts of the time-first model (``timefirst/start_search.py``)."""

    operators: tuple[str, ...] = ("group", "trainer", "days", "costly", "random", "periods")
    # picked this many times as often as the others (default 1): "periods" twice did at
    # least as well as once in trials on comp05 and comp12
    chances: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({"periods": 2}))
    step_seconds: float = 1.0  # time limit of one sub-model
    first_size: float = 8.0  # units freed by the first neighbourhoods
    days_freed: int = 2  # the "days" operator frees these days of 3x as many units
    unhinted: float = 1 / 3  # share of sub-models solved without the current assignment
    costly_seeds: float = 0.7  # share of neighbourhoods grown from a unit behind a costly term
    fruitless: int = 2  # settles after this many reweighted rounds without a better plan
    retries: int = 4  # at most this many neighbourhoods wait to be solved again
    patience: int = 60  # sub-models without an improvement (and the time) before stuck
    resize: Resize = Resize(grow=1.1, step=0.3)  # each operator's neighbourhood size


@dataclass(frozen=True, slots=True)
class Settings:
    """Every tuning constant of the engine; ``DEFAULT_SETTINGS`` is the product's."""

    decompose_min_sessions: int = 500  # below, a heuristic split is not worth its inexactness
    far_trainer_minutes: int = 180  # heuristic split: a trainer this far from every place
    # deterministic mode: what one sub-solve costs beyond the solver's own deterministic
    # time (cloning, fixing, presolve), so that the budget also bounds the wall time
    iteration_cost: float = 0.1
    # re-planning: at most this per running course to prove it can still be completed alone
    isolation_seconds: float = 2.0
    greedy: GreedySettings = field(default_factory=GreedySettings)
    interval: IntervalSettings = field(default_factory=IntervalSettings)
    time_first: TimeFirstSettings = field(default_factory=TimeFirstSettings)
    start_search: StartSearchSettings = field(default_factory=StartSearchSettings)


DEFAULT_SETTINGS = Settings()

__all__ = [
    "DEFAULT_SETTINGS",
    "GreedySettings",
    "IntervalSettings",
    "Resize",
    "Settings",
    "StartSearchSettings",
    "TimeFirstSettings",
]
