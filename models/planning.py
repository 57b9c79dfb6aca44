"""One planning round against the database: build the Problem, solve, validate, store.

The run row is committed before solving starts (status ``running``) so that a crash or a
Ctrl-C leaves a visible, failed run rather than nothing: an exception or Ctrl-C marks it
``failed`` with the reason in its log, and a process killed outright stops renewing the
run's lease (models/runs.py), so the next command that looks at runs marks it ``failed``.
Its assignments are written in one short transaction with its final figures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Engine, select
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
from models.publish import published_run
from models.runs import (
    Heartbeat,
    LeaseLost,
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
from scheduler.validate import Report, validate

log = logging.getLogger(__name__)


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


def reference_run(session: Session) -> e.SolveRun | None:
    """The plan re-planning keeps close to: the published plan, else the newest run."""
    return published_run(session) or latest_run(session)


@dataclass(frozen=True)
class PlanResult:
    run_id: int
    problem: Problem
    solution: Solution
    report: Report


def plan(
    engine: Engine,
    horizon: Horizon,
    options: SolveOptions,
    *,
    now: datetime | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> PlanResult:
    lease = lease_seconds()
    expire_stale_runs_now(engine)

    def start(session: Session) -> tuple[int, Problem]:
        reference = reference_run(session)
        problem = build_problem(session, horizon, now=now, reference=reference)
        started = utc_now()
        run = e.SolveRun(
            created_at=started,
            first_week=horizon.first_week,
            last_week=horizon.last_week,
            status="running",
            heartbeat_at=started,
            lease_seconds=lease,
            parameters={
                "time_limit_seconds": options.time_limit_seconds,
                "workers": options.workers,
                "seed": options.seed,
                "deterministic": options.deterministic,
                "relative_gap": options.relative_gap,
                "reference_run": reference.id if reference else None,
                "now": problem.now.isoformat() if problem.now else None,
            },
        )
        session.add(run)
        session.flush()
        return run.id, problem

    run_id, problem = write_retrying(engine, start, what="start a solve run")
    try:
        with Heartbeat(engine, run_id, lease):
            solution = solve(problem, options, progress)
        report = validate(problem, solution)

        def finish(session: Session) -> None:
            # The renewal takes the write lock first: an expiry cannot slip in between.
            if not renew(session, run_id, now=utc_now()):
                raise LeaseLost(
                    f"run {run_id} was marked failed while it was solving (no heartbeat "
                    f"reached the database for {lease:g} s); its plan was not stored: "
                    "solve again"
                )
            run = session.get_one(e.SolveRun, run_id, populate_existing=True)
            if solution.status in (Status.OPTIMAL, Status.FEASIBLE):
                store_solution(session, run, solution)
            else:
                run.status = solution.status.value
                run.wall_seconds = solution.wall_seconds
            run.log = run_log(problem, solution, report)

        write_retrying(engine, finish, what=f"store run {run_id}")
    except LeaseLost:
        raise
    except BaseException as exc:  # Ctrl-C or any failure: the run says so, not "running"
        interrupted = isinstance(exc, KeyboardInterrupt)
        reason = "interrupted (Ctrl-C)" if interrupted else f"{type(exc).__name__}: {exc}"
        mark_failed(engine, run_id, reason)
        raise
    return PlanResult(run_id, problem, solution, report)


def run_log(problem: Problem, solution: Solution, report: Report) -> str:
    lines = [
        f"horizon {problem.first_day}..{problem.last_day}, {len(problem.requests)} requests",
        f"status {solution.status.value}, objective {solution.objective}, "
        f"bound {solution.bound}, {solution.wall_seconds:.2f} s",
        f"scheduled {len(solution.scheduled)}, unscheduled {len(solution.unscheduled)}"
        + (f", incomplete {', '.join(solution.incomplete)}" if solution.incomplete else ""),
        f"validator: {len(report.violations)} hard violation(s), objective {report.objective}",
    ]
    lines += [f"  {v.rule}/{v.check}: {v.message}" for v in report.violations]
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
        select(e.SolveRun).where(e.SolveRun.status != "running").order_by(e.SolveRun.id.desc())
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
