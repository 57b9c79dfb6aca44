"""Sub-solves side by side: the machinery the three neighbourhood searches share.

Each search (``interval/lns.py``, ``timefirst/start_search.py`` and the exact
neighbourhoods of ``timefirst/engine.py``) fills the pool while it has room and a reason to
go on, then takes results as they finish, each with what it needs to know about when the
sub-solve was started (the plan's version, the operator, ...). CP-SAT releases the GIL, so
threads run the sub-solves in parallel. In deterministic mode one runs at a time, so that
the order of results never varies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

C = TypeVar("C")  # what the search keeps about a running sub-solve
R = TypeVar("R")  # a sub-solve's result


class SubSolves(Generic[C, R]):
    """Up to ``threads`` sub-solves at a time (one when ``one_at_a_time``)."""

    def __init__(self, threads: int, one_at_a_time: bool) -> None:
        self.threads = threads
        self.one_at_a_time = one_at_a_time
        self.running: dict[Future[R], C] = {}
        self._pool = ThreadPoolExecutor(max_workers=threads)

    def __enter__(self) -> SubSolves[C, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True)

    def __len__(self) -> int:
        return len(self.running)

    def has_room(self) -> bool:
        return len(self.running) < self.threads

    def start(self, context: C, solve: Callable[..., R], *args: object) -> bool:
        """Start ``solve(*args)``; False when no other may start before a result is taken."""
        self.running[self._pool.submit(solve, *args)] = context
        return not self.one_at_a_time

    def finished(self) -> Iterator[tuple[C, R]]:
        """Wait for at least one sub-solve; each finished one's context and result."""
        done, _ = wait(self.running, return_when=FIRST_COMPLETED)
        for task in done:
            yield self.running.pop(task), task.result()


__all__ = ["SubSolves"]
