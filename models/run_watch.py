"""What a solving process does beside the solve: progress, its lease, and the cancel request.

One daemon thread per solve ticks every half second. It writes the newest progress the
engine reported (so at most twice a second, each in its own short transaction retried on a
busy SQLite), renews the run's lease every quarter of the lease (models/runs.py), and about
once a second reads the run's cancel request: when one is there, the run is ended as
``cancelled`` (compare and set, so a run whose plan was stored first stays stored) and
``on_cancel`` is called (a worker process exits there: nothing after it can store a plan).
``check`` is called every tick too, e.g. a worker that watches its server; ``on_lost`` when
the run turned out ended by someone else (a worker exits there).

Everything goes through the run's row: the same contract holds for a solve on another
machine.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from models import entities as e
from models.db import write_retrying
from models.runs import mark_cancelled, renew, utc_now
from scheduler import Progress

TICK_SECONDS = 0.5  # progress is written at most this often
CANCEL_EVERY_TICKS = 2  # the cancel request is read about once a second

log = logging.getLogger(__name__)


class Watch:
    """Progress, lease and cancel request of run ``run_id`` while the block runs.

    ``progress`` is the callback to hand to the engine; ``forward`` (if any) gets every
    report too (the CLI's progress bar). ``cancelled`` turns True once the run was ended
    as cancelled here; ``lost`` once the run was found no longer running.
    """

    def __init__(
        self,
        engine: Engine,
        run_id: int,
        lease: float,
        *,
        forward: Callable[[Progress], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
        check: Callable[[], None] | None = None,
    ) -> None:
        self.engine, self.run_id, self.lease = engine, run_id, lease
        self.forward, self.on_cancel, self.check = forward, on_cancel, check
        self.on_lost = on_lost
        self.cancelled = False
        self.lost = False
        self._latest: Progress | None = None
        self._written: Progress | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"run-{run_id}-watch", daemon=True)

    def progress(self, report: Progress) -> None:
        """The engine's callback: keep the newest report; the thread writes it."""
        with self._lock:
            self._latest = report
        if self.forward is not None:
            self.forward(report)

    def _write_progress(self, report: Progress) -> bool:
        def write(session: Session) -> bool:
            result = session.execute(
                update(e.SolveRun)
                .where(e.SolveRun.id == self.run_id, e.SolveRun.status == "running")
                .values(
                    progress_at=utc_now(),
                    progress_seconds=round(report.elapsed_seconds, 3),
                    progress_objective=report.objective,
                    progress_bound=report.bound,
                    progress_gap=report.gap,
                    progress_placed=report.placed,
                    progress_group_travel=report.group_travel_minutes,
                    progress_trainer_travel=report.trainer_travel_minutes,
                )
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

        return write_retrying(self.engine, write, what=f"progress of run {self.run_id}")

    def _cancel_requested(self) -> bool:
        with self.engine.connect() as connection:
            asked = connection.execute(
                select(e.SolveRun.cancel_requested_at).where(e.SolveRun.id == self.run_id)
            ).scalar_one_or_none()
        return asked is not None

    def _tick(self, tick: int, last_beat: float) -> float:
        with self._lock:
            report = self._latest
        if report is not None and report is not self._written:
            if not self._write_progress(report):
                self.lost = True
            self._written = report
        if time.monotonic() - last_beat >= self.lease / 4:
            if not write_retrying(
                self.engine,
                lambda session: renew(session, self.run_id, now=utc_now()),
                what=f"heartbeat of run {self.run_id}",
            ):
                self.lost = True
            last_beat = time.monotonic()
        if tick % CANCEL_EVERY_TICKS == 0 and self._cancel_requested():
            self.cancelled = mark_cancelled(self.engine, self.run_id)
            self.lost = True
            if self.cancelled:
                log.info("run %d: cancelled as requested", self.run_id)
                if self.on_cancel is not None:
                    self.on_cancel()
        if self.check is not None:
            self.check()
        return last_beat

    def _run(self) -> None:
        tick, last_beat = 0, time.monotonic()
        while not self._stop.wait(TICK_SECONDS) and not self.lost:
            tick += 1
            try:
                last_beat = self._tick(tick, last_beat)
            except Exception:  # the database away for a moment: try again next tick
                log.exception("watching run %d failed; trying again", self.run_id)
            if self.lost and self.on_lost is not None:
                log.warning("run %d ended elsewhere (failed or cancelled): stopping", self.run_id)
                self.on_lost()

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
