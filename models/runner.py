"""Solving in the background: the runner interface and the default, one process per solve.

The contract holds only run ids; status, progress and the cancel request live in the run's
row, so the API never needs to know where a solve runs:

- ``submit_solve`` claims the horizon and commits the run as ``queued``, then calls
  ``Runner.submit(run_id)``. A runner must then start the solve somewhere (it takes the
  data snapshot, marks the run ``running``, writes progress, renews the lease and stores
  the plan: models/planning.py ``take_snapshot`` and ``solve_run``) or fail the run.
- ``request_cancel`` records the cancel request in the row (a queued run is cancelled at
  once); the process solving the run watches it (models/run_watch.py) and ends the run as
  ``cancelled`` within about a second. ``Runner.cancel(run_id)`` may hurry that along.
- A runner whose solving process dies must see the run failed: the lease
  (models/runs.py) does it at the latest; the local runner does it as soon as it sees the
  process end, and at start-up fails the runs of a previous server on this machine.

``LocalProcessRunner`` starts ``python -m models.worker RUN_ID`` per solve on this machine,
with the database URL in the worker's environment (never on its command line).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from models import entities as e
from models.bridge import Horizon
from models.db import ENV_URL, write_retrying
from models.feeds import as_utc
from models.planning import start_run
from models.runs import mark_cancelled, mark_failed, utc_now
from scheduler import SolveOptions

log = logging.getLogger(__name__)
CANCEL_GRACE_SECONDS = 10.0  # a worker that has not stopped by then is killed
STOP_GRACE_SECONDS = 5.0  # at server stop: SIGTERM, then SIGKILL after this long


class Runner(Protocol):
    """Where background solves run. Everything it needs is in the run's row."""

    name: str  # stored as the run's ``runner``, e.g. local:<host>:<server pid>

    def submit(self, run_id: int) -> None:
        """Start solving the committed ``queued`` run ``run_id`` (or fail it)."""

    def cancel(self, run_id: int) -> None:
        """The cancel request of ``run_id`` is in its row: hurry it along if possible."""

    def recover(self) -> list[int]:
        """At start-up: fail the runs a previous instance left queued or running; ids."""

    def close(self) -> None:
        """The server stops: fail the runs still solving here and stop their processes."""


class RunFinished(RuntimeError):
    """The run has already ended (finished, failed or cancelled): nothing to cancel."""

    def __init__(self, run_id: int, status: str) -> None:
        self.status = status
        super().__init__(f"run {run_id} has already ended ({status}): there is nothing to cancel")


def submit_solve(
    engine: Engine,
    runner: Runner,
    horizon: Horizon,
    options: SolveOptions,
    *,
    now: datetime | None = None,
    reference: int | None = None,
) -> int:
    """Queue a solve of ``horizon`` and hand it to ``runner``; the run's id.

    Raises planning.HorizonBusy when a run holds an overlapping horizon, and
    planning.ReferenceRunError when ``reference`` names no run with a plan. A runner that
    cannot start the solve leaves the run failed with the reason, and the error is raised.
    """
    run_id = start_run(
        engine, horizon, options, now=now, status="queued", runner=runner.name,
        reference=reference,
    )  # fmt: skip
    try:
        runner.submit(run_id)
    except Exception as exc:
        mark_failed(engine, run_id, f"the runner could not start it: {type(exc).__name__}: {exc}")
        raise
    return run_id


@dataclass(frozen=True)
class CancelOutcome:
    status: str  # the run's status after the request: cancelled (was queued) or running
    requested_at: datetime


def request_cancel(session: Session, run_id: int, *, now: datetime) -> CancelOutcome | None:
    """Record a cancel request; None when there is no such run, RunFinished when it ended.

    A queued run is cancelled at once (no process holds it yet); a running one keeps
    running until its solving process sees the request. Asking twice changes nothing.
    """
    run = session.get(e.SolveRun, run_id, populate_existing=True)
    if run is None:
        return None
    if run.status not in e.ACTIVE_RUN_STATUSES:
        raise RunFinished(run_id, run.status)
    moment = as_utc(now)
    # Both updates are compare and set: a worker taking the queued run, or storing a plan,
    # at the same moment either wins before (then this sees the new status) or after.
    session.execute(
        update(e.SolveRun)
        .where(e.SolveRun.id == run_id, e.SolveRun.cancel_requested_at.is_(None))
        .where(e.SolveRun.status.in_(e.ACTIVE_RUN_STATUSES))
        .values(cancel_requested_at=moment)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(e.SolveRun)
        .where(e.SolveRun.id == run_id, e.SolveRun.status == "queued")
        .values(
            status="cancelled",
            log=f"cancelled at {moment:%Y-%m-%d %H:%M:%S} UTC before its solve started",
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(run)
    if run.cancel_requested_at is None:  # it ended between the first look and the update
        raise RunFinished(run_id, run.status)
    return CancelOutcome(run.status, as_utc(run.cancel_requested_at))


def _host() -> str:
    return socket.gethostname()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _how_it_ended(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"ended with exit code {code}"


class LocalProcessRunner:
    """Each solve in its own OS process on this machine (a solver crash stays there).

    ``watch_parent``: the worker exits, failing its run, when this process is gone (the
    server was killed); off for `campus solve --background`, whose command returns at once.
    """

    def __init__(self, engine: Engine, *, url: str | None = None, watch_parent: bool = True):
        self.engine = engine
        self.url = url or engine.url.render_as_string(hide_password=False)
        self.watch_parent = watch_parent
        self.name = f"local:{_host()}:{os.getpid() if watch_parent else 'detached'}"
        self._processes: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._closing = False

    def submit(self, run_id: int) -> None:
        command = [sys.executable, "-m", "models.worker", str(run_id)]
        if self.watch_parent:
            command += ["--parent", str(os.getpid())]
        process = subprocess.Popen(
            command,
            env={**os.environ, ENV_URL: self.url},
            stdin=subprocess.DEVNULL,
            # detached (the CLI returns at once): its own session, so a Ctrl-C in the
            # terminal spares it, and no output there; the run's log says what happened
            stdout=None if self.watch_parent else subprocess.DEVNULL,
            stderr=None if self.watch_parent else subprocess.DEVNULL,
            start_new_session=not self.watch_parent,
        )
        with self._lock:
            self._processes[run_id] = process
        if self.watch_parent:
            threading.Thread(
                target=self._reap, args=(run_id, process), name=f"run-{run_id}-reaper",
                daemon=True,
            ).start()  # fmt: skip

    def _reap(self, run_id: int, process: subprocess.Popen[bytes]) -> None:
        """When the worker ends, a run it left queued or running fails with the reason."""
        code = process.wait()
        with self._lock:
            self._processes.pop(run_id, None)
            closing = self._closing
        if closing:
            return
        if mark_failed(
            self.engine,
            run_id,
            f"its solving process (pid {process.pid}) {_how_it_ended(code)} before the run "
            "ended; the published plan is untouched",
        ):
            log.warning("run %d: worker pid %d %s", run_id, process.pid, _how_it_ended(code))

    def cancel(self, run_id: int) -> None:
        with self._lock:
            process = self._processes.get(run_id)
        if process is not None:
            timer = threading.Timer(CANCEL_GRACE_SECONDS, self._force_cancel, (run_id, process))
            timer.daemon = True
            timer.start()

    def _force_cancel(self, run_id: int, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            log.warning("run %d: worker did not stop after the cancel request: killed", run_id)
            mark_cancelled(self.engine, run_id)  # before the kill: the reaper finds it ended
            process.kill()

    def recover(self) -> list[int]:
        """Fail the runs a killed server on this machine left queued or running."""
        prefix = f"local:{_host()}:"

        def find(session: Session) -> list[tuple[int, str]]:
            return [
                (run_id, runner)
                for run_id, runner in session.execute(
                    select(e.SolveRun.id, e.SolveRun.runner).where(
                        e.SolveRun.status.in_(e.ACTIVE_RUN_STATUSES),
                        e.SolveRun.runner.startswith(prefix),
                    )
                )
            ]

        failed = []
        for run_id, runner in write_retrying(self.engine, find, what="find orphaned runs"):
            pid_text = runner.removeprefix(prefix)
            if not pid_text.isdigit() or int(pid_text) == os.getpid():
                continue
            if _alive(int(pid_text)):
                continue  # another server on this machine, still serving
            reason = (
                f"the server (pid {pid_text} on {_host()}) that ran this solve stopped during "
                f"it (killed or crashed); found at the start-up of the next server at "
                f"{utc_now():%Y-%m-%d %H:%M:%S} UTC; the published plan is untouched"
            )
            if mark_failed(self.engine, run_id, reason):
                failed.append(run_id)
        return failed

    def close(self) -> None:
        with self._lock:
            self._closing = True
            running = dict(self._processes)
        for run_id in running:
            mark_failed(self.engine, run_id, "the server stopped during the solve")
        for process in running.values():
            if process.poll() is None:
                process.terminate()
        for process in running.values():
            try:
                process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
