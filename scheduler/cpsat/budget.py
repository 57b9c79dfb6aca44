"""A solve's time, as every phase spends it, and the one place CP-SAT's time limits are set.

Two kinds of time: wall seconds, or, in deterministic mode, CP-SAT's deterministic time
(roughly seconds), where a phase is charged what it was given or what the solver reports,
never what the clock says, so that the same problem repeats exactly; the wall clock is then
only a guard against a runaway solve (``GUARD`` times the budget). The guard must never bind
on a loaded machine, or the plan would depend on the load: CP-SAT's deterministic time runs
at about wall speed on one free core, so ``GUARD`` leaves room for a core shared many ways
and for what deterministic time does not count (cloning and building models in Python).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

GUARD = 20.0  # deterministic mode: the wall clock stops a phase after this many times its time


@dataclass(slots=True)
class TimeBudget:
    """``seconds`` from ``started``: wall time, or deterministic time in deterministic mode."""

    seconds: float
    deterministic: bool
    started: float = field(default_factory=time.perf_counter)
    spent: float = 0.0  # deterministic mode: what the phases were charged so far

    @property
    def deadline(self) -> float:
        """The wall-clock end (in deterministic mode only a guard)."""
        return self.started + (GUARD * self.seconds if self.deterministic else self.seconds)

    def wall_left(self) -> float:
        return self.deadline - time.perf_counter()

    def left(self) -> float:
        """What is left of the budget, in its own kind of time."""
        if self.deterministic:
            return self.seconds - self.spent
        return self.started + self.seconds - time.perf_counter()

    def elapsed(self) -> float:
        """What has been used, in the budget's own kind of time."""
        if self.deterministic:
            return self.spent
        return time.perf_counter() - self.started

    def charge(self, seconds: float) -> None:
        """Count ``seconds`` as used (deterministic mode: this is what ``left`` sees)."""
        self.spent += seconds

    def child(self, seconds: float) -> TimeBudget:
        """A budget of ``seconds`` from now for one phase, of the same kind of time (its
        wall-clock guard counted from now)."""
        return TimeBudget(seconds, self.deterministic)

    def take(self, seconds: float) -> float:
        """``seconds`` for a phase, never more than is left (nor below 0), charged in full."""
        seconds = max(0.0, min(seconds, self.left()))
        self.spent += seconds
        return seconds


def limit(
    params: cp_model.SatParameters,
    seconds: float,
    deterministic: bool,
    *,
    guard: float | None = None,
) -> None:
    """Set CP-SAT's time limit: ``seconds`` of wall time, or in deterministic mode of
    deterministic time on one worker, with the wall time (``guard``, by default
    ``GUARD * seconds + 1``) only a guard. Every solve of the engine goes through here."""
    if deterministic:
        params.num_workers = 1
        params.interleave_search = False
        params.max_deterministic_time = max(0.01, seconds)
        params.max_time_in_seconds = GUARD * seconds + 1 if guard is None else guard
    else:
        params.max_time_in_seconds = max(0.05, seconds)


__all__ = ["GUARD", "TimeBudget", "limit"]
