"""What the engine returns: always a Solution, never an exception for an unsolvable problem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from scheduler.problem import PlannedSession, RequestId


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference against the reference plan."""

    request: RequestId
    index: int
    kind: str  # "moved", "cancelled" or "new"
    before: PlannedSession | None
    after: PlannedSession | None


@dataclass(frozen=True, slots=True)
class Solution:
    status: Status
    sessions: tuple[PlannedSession, ...] = ()
    unscheduled: tuple[RequestId, ...] = ()
    # running courses that cannot be completed: only their frozen sessions are in ``sessions``
    incomplete: tuple[RequestId, ...] = ()
    objective: int | None = None
    bound: float | None = None
    components: Mapping[str, int] = field(default_factory=dict)  # weighted cost per component
    changes: tuple[Change, ...] = ()
    wall_seconds: float = 0.0
    first_solution_seconds: float | None = None
    statistics: Mapping[str, float | int | str] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0.0 when proven optimal)."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))

    @property
    def scheduled(self) -> tuple[RequestId, ...]:
        """Requests with all their sessions: those with sessions, except ``incomplete``."""
        seen: dict[RequestId, None] = {}
        for s in self.sessions:
            if s.request not in self.incomplete:
                seen.setdefault(s.request, None)
        return tuple(seen)
