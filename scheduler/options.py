"""How to solve, as an explicit frozen value, and what the engine reports while solving."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """Solver parameters; the time limit is always set so a solve always ends.

    ``deterministic`` trades speed for reproducibility: one worker, the fixed ``seed``, no
    interleaved search, and a deterministic-time limit (roughly seconds) so that the same
    problem gives the same Solution on every run; the wall-time limit then only guards
    against a runaway solve.
    """

    time_limit_seconds: float = 30.0
    workers: int = 0  # 0: let CP-SAT choose
    seed: int = 0
    deterministic: bool = False
    relative_gap: float = 0.0
    log_search: bool = False  # the solver log goes through `logging`
    first_plan: bool = True  # start from a greedy plan, completed into a full hint
    lns: bool = True  # spend most of the time in large-neighbourhood search
    decompose: bool = True  # solve independent parts (no shared resource) one by one
    time_first: bool | None = None  # None: from 100 sessions on a coarse grid (scheduler.md)

    def __post_init__(self) -> None:
        if not self.time_limit_seconds > 0:
            raise ValueError(f"time_limit_seconds must be > 0 (got {self.time_limit_seconds})")
        if self.workers < 0:
            raise ValueError(f"workers must be >= 0 (got {self.workers})")
        if not 0.0 <= self.relative_gap < 1.0:
            raise ValueError(f"relative_gap must be in [0, 1) (got {self.relative_gap})")

    @property
    def effective_workers(self) -> int:
        """Workers passed to CP-SAT: 1 when deterministic, never more than the CPUs."""
        if self.deterministic:
            return 1
        cpus = os.cpu_count() or 1
        return min(self.workers, cpus) if self.workers else 0


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot reported at each improving solution."""

    elapsed_seconds: float
    objective: float
    bound: float
    gap: float
    solutions: int
    placed: int | None = None  # requests with a session in that plan (None: not known)
    # that plan's travel, as scheduler.summary.Summary counts it (None: not known)
    group_travel_minutes: int | None = None
    trainer_travel_minutes: int | None = None
