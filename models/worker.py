"""The solving process of a background run: ``python -m models.worker RUN_ID [--parent PID]``.

It reads the database URL from ``$CAMPUS_DATABASE_URL`` (never from its command line, where
other users could read a password), takes the run (queued -> running, the data snapshot),
solves it through the same path as `campus solve` (models/planning.py) and exits. While
solving it writes progress and keeps the lease (models/run_watch.py); it exits at once when
the run is cancelled or failed by someone else, and with ``--parent`` when the server that
started it is gone (its run then fails with that reason): a worker never outlives a
stopped server silently. Exit codes: 0 the run ended (also cancelled), 1 it failed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from models.db import make_engine, session_scope
from models.entities import SolveRun
from models.planning import RunCancelled, RunEnded, options_of, solve_run, take_snapshot
from models.runs import LeaseLost, mark_failed

log = logging.getLogger("models.worker")


def _exit(code: int) -> None:
    """Leave now, from any thread: the solver's threads have nothing left worth keeping."""
    logging.shutdown()
    os._exit(code)


def run_worker(run_id: int, parent: int | None) -> int:
    """Solve run ``run_id``; the process's exit code."""
    engine = make_engine()

    def watch_parent() -> None:
        if parent is not None and os.getppid() != parent:
            mark_failed(
                engine,
                run_id,
                f"the server (pid {parent}) that started this solve stopped during it",
            )
            _exit(1)

    try:
        with session_scope(engine) as session:
            run = session.get(SolveRun, run_id)
            if run is None:
                log.error("run %d: no such run", run_id)
                return 1
            options = options_of(run.parameters or {})
        problem = take_snapshot(engine, run_id)
        solve_run(
            engine, run_id, problem, options,
            on_cancel=lambda: _exit(0), on_lost=lambda: _exit(1), check=watch_parent,
        )  # fmt: skip
    except (RunCancelled, RunEnded):
        return 0
    except LeaseLost as exc:
        log.error("%s", exc)
        return 1
    except BaseException as exc:  # the run says why, never stays "running"
        log.exception("run %d failed", run_id)
        mark_failed(engine, run_id, f"{type(exc).__name__}: {exc}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m models.worker", description=__doc__)
    parser.add_argument("run_id", type=int, help="the queued run to solve")
    parser.add_argument("--parent", type=int, help="exit (failing the run) when it is gone")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="worker %(process)d: %(message)s")
    sys.stdout.flush()
    _exit(run_worker(args.run_id, args.parent))


if __name__ == "__main__":
    main()
