"""One planning round against the database: claim the horizon, snapshot, solve, validate, store.

The same path serves `campus solve` (``plan``, in this process) and a background solve
(``new_run`` as ``queued``, then a worker process runs ``take_snapshot`` and ``solve_run``;
models/runner.py). One run at a time holds a horizon: ``claim_horizon`` refuses a start
while a queued or running run overlaps it, under a lock so two starts cannot both pass.

The run row is committed before solving starts so that a crash or a Ctrl-C leaves a
visible, failed run rather than nothing: an exception or Ctrl-C marks it ``failed`` with the
reason in its log, and a process killed outright stops renewing the run's lease
(models/runs.py), so the next command that looks at runs marks it ``failed``. While it
solves, models/run_watch.py writes progress and watches the cancel request. Its assignments
are written in one short transaction with its final figures, and only if the run is still
``running`` then (a cancelled or failed run never gets a plan).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Engine, false, func, select, update
from sqlalchemy.orm import Session

from models import entities as e
from models.bridge import (
    Horizon,
    HorizonError,
    build_problem,
    latest_run,
    reference_sessions,
    store_solution,
)
from models.db import session_scope, write_retrying
from models.pins import BrokenPin
from models.publish import PUBLISHABLE, published_run
from models.run_watch import Watch
from models.runs import (
    LeaseLost,
    end_active,
    expire_stale_runs,
    expire_stale_runs_now,
    lease_seconds,
    mark_failed,
    renew,
    utc_now,
)
from models.settings import CampusSettings
from scheduler import Progress, SolveOptions, solve
from scheduler.explain import Reason, explain
from scheduler.problem import Problem, RequestId
from scheduler.solution import Solution, Status
from scheduler.summary import summarize
from scheduler.validate import Report, validate

log = logging.getLogger(__name__)
RUN_START_LOCK = 0x7469_6301  # PostgreSQL advisory lock key of lock_run_starts ("tic" 1)


def coming_week(today: date) -> date:
    """The Monday of the coming ISO week: the first Monday after ``today`` (a Monday too
    gives the next one: the current week has started and stays as published)."""
    return today + timedelta(days=8 - today.isoweekday())


def rolling_horizon(settings: CampusSettings, today: date) -> Horizon:
    """The horizon of a rolling solve made on ``today`` (an Amsterdam date).

    From the coming ISO week (``coming_week``), ``settings.horizon_weeks`` weeks long; when
    the campus set a school year, it ends in the week of the school year's last day at the
    latest. HorizonError when the coming week starts after the school year: the planner
    sets the next school year first (``campus settings``).
    """
    first = coming_week(today)
    last = first + timedelta(weeks=settings.horizon_weeks - 1)
    year = settings.school_year
    if year is not None:
        if first > year.last:
            raise HorizonError(
                f"the coming week ({iso_week(first)}) starts after the school year "
                f"{year.first}..{year.last}: set the next school year in the campus settings "
                "(school_year) before a rolling solve"
            )
        last = min(last, year.last - timedelta(days=year.last.isoweekday() - 1))
    return Horizon(iso_week(first), iso_week(last))


def iso_week(monday: date) -> str:
    """``2027-W05`` for any day of that ISO week."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


class ReferenceRunError(LookupError):
    """An explicit reference run that is missing or has no plan to keep close to."""


def reference_run(session: Session, run_id: int | None = None) -> e.SolveRun | None:
    """The plan re-planning keeps close to: ``run_id`` when given, else the published plan,
    else the newest run.

    An explicit run is how the planner re-solves "with that run as the reference, so little
    moves" (after a refused publish); it must exist and hold a plan.
    """
    if run_id is None:
        return published_run(session) or latest_run(session)
    run = session.get(e.SolveRun, run_id) if 1 <= run_id <= 2**31 - 1 else None
    if run is None:
        raise ReferenceRunError(f"no solve run {run_id} to use as the reference")
    if run.status not in PUBLISHABLE:
        raise ReferenceRunError(
            f"run {run_id} has status {run.status!r} and no plan to use as the reference "
            "(only optimal or feasible runs)"
        )
    return run


@dataclass(frozen=True)
class PlanResult:
    run_id: int
    problem: Problem
    solution: Solution
    report: Report
    broken_pins: tuple[BrokenPin, ...] = ()


class HorizonBusy(RuntimeError):
    """Another solve is queued or running on an overlapping horizon (one at a time)."""

    def __init__(self, run_id: int, status: str, first_week: str, last_week: str) -> None:
        self.run_id, self.status = run_id, status
        super().__init__(
            f"run {run_id} is {status} on {first_week}..{last_week}, which overlaps this "
            f"horizon: wait for it to end or cancel it (campus runs cancel {run_id})"
        )


class RunCancelled(RuntimeError):
    """The run was cancelled while it was solving; its plan was not stored."""


class RunEnded(RuntimeError):
    """The run ended (cancelled, failed) before its solve could start."""


def solve_parameters(
    options: SolveOptions, now: datetime | None, reference: int | None = None
) -> dict[str, object]:
    """The run's ``parameters``: what a worker needs to solve it as asked (``reference``:
    the run the planner asked to keep close to; None keeps the published plan)."""
    return {
        "reference_asked": reference,
        "time_limit_seconds": options.time_limit_seconds,
        "workers": options.workers,
        "seed": options.seed,
        "deterministic": options.deterministic,
        "relative_gap": options.relative_gap,
        "now": now.isoformat() if now else None,
    }


def options_of(parameters: dict[str, object]) -> SolveOptions:
    """The SolveOptions a run's ``parameters`` ask for (written by ``solve_parameters``)."""
    return SolveOptions(
        time_limit_seconds=float(parameters.get("time_limit_seconds") or 30.0),  # type: ignore[arg-type]
        workers=int(parameters.get("workers") or 0),  # type: ignore[call-overload]
        seed=int(parameters.get("seed") or 0),  # type: ignore[call-overload]
        deterministic=bool(parameters.get("deterministic")),
        relative_gap=float(parameters.get("relative_gap") or 0.0),  # type: ignore[arg-type]
    )


def lock_run_starts(session: Session) -> None:
    """Serialize starting runs: whoever starts one holds this lock until it commits.

    PostgreSQL: a transaction-level advisory lock. SQLite: a write that matches no row,
    which takes the database's single write lock (the next writer waits for it).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(RUN_START_LOCK)))
    else:
        session.execute(update(e.SolveRun).where(false()).values(status=e.SolveRun.status))


def claim_horizon(session: Session, horizon: Horizon) -> None:
    """Raise HorizonBusy when a queued or running run overlaps ``horizon``.

    Takes the run-start lock first and fails runs whose lease expired, so a dead solve
    never blocks a horizon and two starts at once cannot both pass.
    """
    lock_run_starts(session)
    expire_stale_runs(session)
    busy = session.scalars(
        select(e.SolveRun)
        .where(
            e.SolveRun.status.in_(e.ACTIVE_RUN_STATUSES),
            # ISO weeks written YYYY-Www sort as text in time order
            e.SolveRun.first_week <= horizon.last_week,
            e.SolveRun.last_week >= horizon.first_week,
        )
        .order_by(e.SolveRun.id)
        .limit(1)
    ).one_or_none()
    if busy is not None:
        raise HorizonBusy(busy.id, busy.status, busy.first_week, busy.last_week)


def new_run(
    session: Session,
    horizon: Horizon,
    options: SolveOptions,
    *,
    now: datetime | None = None,
    status: str = "running",
    runner: str = "",
    reference: int | None = None,
) -> e.SolveRun:
    """Claim ``horizon`` and add a run (``running`` here, ``queued`` for a runner) to
    ``session``; the caller commits. Raises HorizonBusy when a run holds an overlapping
    horizon, ReferenceRunError when ``reference`` names no run with a plan."""
    if reference is not None:
        reference_run(session, reference)  # refused before any run is made
    claim_horizon(session, horizon)
    created = utc_now()
    run = e.SolveRun(
        created_at=created,
        first_week=horizon.first_week,
        last_week=horizon.last_week,
        status=status,
        heartbeat_at=created,
        lease_seconds=lease_seconds(),
        parameters=solve_parameters(options, now, reference),
        runner=runner,
    )
    session.add(run)
    session.flush()
    return run


def start_run(
    engine: Engine,
    horizon: Horizon,
    options: SolveOptions,
    *,
    now: datetime | None = None,
    status: str = "running",
    runner: str = "",
    reference: int | None = None,
) -> int:
    """``new_run`` in its own transaction, retried while the database is busy; its id."""
    lease_seconds()  # a bad $CAMPUS_RUN_LEASE_SECONDS fails before any work

    def start(session: Session) -> int:
        return new_run(
            session, horizon, options, now=now, status=status, runner=runner, reference=reference
        ).id

    return write_retrying(engine, start, what="start a solve run")


def take_snapshot(engine: Engine, run_id: int) -> Problem:
    """Build the run's Problem from the data as it is now and mark the run ``running``.

    The moment is recorded as the run's ``snapshot_at``; later edits are not in this run
    (the review compares them). Raises RunEnded when the run was cancelled or failed first.
    """
    with session_scope(engine) as session:
        if session.get_bind().dialect.name == "postgresql":  # one snapshot for every read
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        run = session.get_one(e.SolveRun, run_id)
        horizon = Horizon(run.first_week, run.last_week)
        now_text = (run.parameters or {}).get("now")
        now = datetime.fromisoformat(now_text) if now_text else None
        taken = utc_now()
        asked = (run.parameters or {}).get("reference_asked")
        reference = reference_run(session, asked)
        broken: list[BrokenPin] = []
        problem = build_problem(
            session, horizon, now=now, reference=reference, broken_pins=broken
        )
        reference_id = reference.id if reference is not None else None

    def mark(session: Session) -> bool:
        result = session.execute(
            update(e.SolveRun)
            .where(
                e.SolveRun.id == run_id,
                e.SolveRun.status.in_(e.ACTIVE_RUN_STATUSES),
                e.SolveRun.cancel_requested_at.is_(None),
            )
            .values(status="running", heartbeat_at=utc_now())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        run = session.get_one(e.SolveRun, run_id, populate_existing=True)
        run.snapshot_at = taken
        run.requests_total = len(problem.requests)
        run.parameters = {
            **(run.parameters or {}),
            "reference_run": reference_id,
            "now": problem.now.isoformat() if problem.now else None,
            "broken_pins": [b.as_json() for b in broken],
        }
        return True

    if not write_retrying(engine, mark, what=f"start run {run_id}"):
        # cancelled or failed first; a cancel of a run already marked running ends it here
        write_retrying(
            engine,
            lambda session: end_active(
                session, run_id, "cancelled", "cancelled before its solve started"
            ),
            what=f"cancel run {run_id}",
        )
        raise RunEnded(f"run {run_id} ended before its solve started; nothing was stored")
    return problem


def solve_run(
    engine: Engine,
    run_id: int,
    problem: Problem,
    options: SolveOptions,
    *,
    progress: Callable[[Progress], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
    on_lost: Callable[[], None] | None = None,
    check: Callable[[], None] | None = None,
) -> PlanResult:
    """Solve a running run's Problem, validate, and store the plan with the run's figures.

    While solving, a Watch writes progress, keeps the lease and watches the cancel request.
    Raises LeaseLost when the run was failed meanwhile, RunCancelled when it was cancelled:
    in both cases nothing is stored.
    """
    with session_scope(engine) as session:
        started = session.get_one(e.SolveRun, run_id)
        lease = started.lease_seconds
        broken = broken_pins_of(started.parameters or {})
    watch = Watch(
        engine, run_id, lease,
        forward=progress, on_cancel=on_cancel, on_lost=on_lost, check=check,
    )  # fmt: skip
    with watch:
        solution = solve(problem, options, watch.progress)
    report = validate(problem, solution)

    def finish(session: Session) -> bool:
        # The renewal takes the write lock first: an expiry or a cancel cannot slip in.
        if not renew(session, run_id, now=utc_now()):
            run = session.get_one(e.SolveRun, run_id, populate_existing=True)
            if run.status == "cancelled":
                return False
            raise LeaseLost(
                f"run {run_id} was marked failed while it was solving (no heartbeat "
                f"reached the database for {lease:g} s); its plan was not stored: "
                "solve again"
            )
        run = session.get_one(e.SolveRun, run_id, populate_existing=True)
        if run.cancel_requested_at is not None:  # asked for after the watch's last look
            return not end_active(session, run_id, "cancelled", "cancelled: no plan stored")
        stored = solution.status in (Status.OPTIMAL, Status.FEASIBLE)
        if stored:
            store_solution(session, run, solution)
        else:
            run.status = solution.status.value
            run.wall_seconds = solution.wall_seconds
        run.requests_total = len(problem.requests)
        run.requests_scheduled = len(solution.scheduled)
        # The last progress is the result: a summary read from the row says the same.
        run.progress_at = utc_now()
        run.progress_seconds = round(solution.wall_seconds, 3)
        run.progress_objective = solution.objective
        run.progress_bound = solution.bound
        run.progress_gap = solution.gap
        run.progress_placed = len({s.request for s in solution.sessions})
        travel = summarize(problem, solution) if stored else None
        run.progress_group_travel = travel.group_travel_minutes if travel else None
        run.progress_trainer_travel = travel.trainer_travel_minutes if travel else None
        run.log = run_log(problem, solution, report, broken)
        return True

    if not write_retrying(engine, finish, what=f"store run {run_id}"):
        raise RunCancelled(f"run {run_id} was cancelled; its plan was not stored")
    return PlanResult(run_id, problem, solution, report, broken)


def broken_pins_of(parameters: dict[str, object]) -> tuple[BrokenPin, ...]:
    """The pins ``take_snapshot`` released for this run (they cannot be kept), as written."""
    found = parameters.get("broken_pins") or []
    assert isinstance(found, list)
    return tuple(
        BrokenPin(
            uid=item["uid"], request=item["request"], index=int(item["session"]),
            start=datetime.fromisoformat(item["start"]), location=item["location"],
            rule=item["rule"], check=item["check"], message=item["message"],
        )
        for item in found
    )  # fmt: skip


def plan(
    engine: Engine,
    horizon: Horizon,
    options: SolveOptions,
    *,
    now: datetime | None = None,
    progress: Callable[[Progress], None] | None = None,
    reference: int | None = None,
) -> PlanResult:
    """Solve ``horizon`` in this process (`campus solve`): the path a worker takes too.

    Without ``reference`` the published plan (else the newest run) is kept where possible;
    a ``reference`` that is missing or has no plan raises ReferenceRunError before any run
    is created.
    """
    run_id = start_run(
        engine, horizon, options, now=now, runner=foreground_runner(), reference=reference
    )
    try:
        problem = take_snapshot(engine, run_id)
        return solve_run(engine, run_id, problem, options, progress=progress)
    except (LeaseLost, RunCancelled, RunEnded):
        raise
    except BaseException as exc:  # Ctrl-C or any failure: the run says so, not "running"
        interrupted = isinstance(exc, KeyboardInterrupt)
        reason = "interrupted (Ctrl-C)" if interrupted else f"{type(exc).__name__}: {exc}"
        mark_failed(engine, run_id, reason)
        raise


def foreground_runner() -> str:
    """The ``runner`` of a solve in this process: `campus solve` on this host."""
    return f"cli:{socket.gethostname()}:{os.getpid()}"


def run_log(
    problem: Problem, solution: Solution, report: Report, broken: Sequence[BrokenPin] = ()
) -> str:
    lines = [
        f"horizon {problem.first_day}..{problem.last_day}, {len(problem.requests)} requests",
        f"status {solution.status.value}, objective {solution.objective}, "
        f"bound {solution.bound}, {solution.wall_seconds:.2f} s",
        f"scheduled {len(solution.scheduled)}, unscheduled {len(solution.unscheduled)}"
        + (f", incomplete {', '.join(solution.incomplete)}" if solution.incomplete else ""),
        f"validator: {len(report.violations)} hard violation(s), objective {report.objective}",
    ]
    lines += [f"  {v.rule}/{v.check}: {v.message}" for v in report.violations]
    lines += [
        f"pin {b.request}#{b.index} released, it cannot be kept ({b.rule}/{b.check}): "
        f"{b.message}"
        for b in broken
    ]
    for key, value in sorted(solution.statistics.items()):
        lines.append(f"stat {key}: {value}")
    return "\n".join(lines)


def stored_solution(session: Session, run: e.SolveRun, problem: Problem) -> Solution:
    """A run's plan as a Solution of ``problem`` (requests without sessions unscheduled).

    A request with some but not all of its sessions is a running course the run could not
    complete (the engine keeps only its frozen sessions): it is listed as incomplete.
    """
    sessions = tuple(
        s for s in reference_sessions(run) if s.request in {r.id for r in problem.requests}
    )
    have: dict[RequestId, set[int]] = {}
    for s in sessions:
        have.setdefault(s.request, set()).add(s.index)
    incomplete = tuple(
        r.id
        for r in problem.requests
        if r.id in have and len(have[r.id]) < problem.activity(r.activity).sessions
    )
    return Solution(
        status=Status(run.status) if run.status in Status._value2member_map_ else Status.UNKNOWN,
        sessions=tuple(sorted(sessions, key=lambda s: (s.request, s.index))),
        unscheduled=tuple(r.id for r in problem.requests if r.id not in have),
        incomplete=incomplete,
        objective=run.objective,
        bound=run.bound,
        components=dict(run.components),
    )


class Explanation(NamedTuple):
    """What `campus explain` shows: the run it read, why, and a note when that run is not
    the newest one (the newest found no plan)."""

    run: e.SolveRun
    problem: Problem
    reasons: tuple[Reason, ...] | None  # None: the request is scheduled in that run
    note: str | None = None


def newest_run(session: Session) -> e.SolveRun | None:
    """The newest run that has finished, whatever its outcome."""
    return session.scalars(
        select(e.SolveRun)
        .where(e.SolveRun.status.not_in(e.ACTIVE_RUN_STATUSES))
        .order_by(e.SolveRun.id.desc())
    ).first()


def explain_request(engine: Engine, request_key: str, run_id: int | None = None) -> Explanation:
    """Reasons why ``request_key`` stayed unscheduled in a run (None: it was scheduled).

    Without ``run_id`` it reads the newest run with a plan; when a newer run found none
    (infeasible, failed), the note says so, so a planner never mistakes an older plan for
    the current one. Raises LookupError when there is no such run or the request was not
    part of it.
    """
    expire_stale_runs_now(engine)
    note = None
    with session_scope(engine) as session:
        if run_id is None:
            run = latest_run(session)
            if run is None:
                raise LookupError("no solve run with a plan yet: run `campus solve` first")
            newest = newest_run(session)
            if newest is not None and newest.id > run.id:
                note = (
                    f"run {newest.id}, the newest, has no plan (status {newest.status}); "
                    f"these reasons are for run {run.id}, the newest with a plan"
                )
        else:
            run = session.get(e.SolveRun, run_id)
            if run is None:
                raise LookupError(f"no solve run {run_id}")
        if session.scalars(select(e.Request).filter_by(key=request_key)).one_or_none() is None:
            raise LookupError(f"no request {request_key!r}")
        horizon = Horizon(run.first_week, run.last_week)
        now_text = run.parameters.get("now")
        now = datetime.fromisoformat(now_text) if now_text else None
        problem = build_problem(session, horizon, now=now)
        if request_key not in {r.id for r in problem.requests}:
            raise LookupError(
                f"request {request_key!r} has no dates in run {run.id}'s horizon {horizon}"
            )
        solution = stored_solution(session, run, problem)
    if request_key in solution.scheduled:
        return Explanation(run, problem, None, note)
    reasons = explain(problem, solution, requests=[RequestId(request_key)]).get(
        RequestId(request_key), ()
    )
    return Explanation(run, problem, tuple(reasons), note)
