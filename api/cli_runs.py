"""`campus runs list|show|cancel`: review solve runs and a run's sessions before publishing,
follow a running solve's progress, cancel one."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from api.cli_common import DbOption, bold, console, fail, ready_engine
from models.audit import CLI, record
from models.bridge import HorizonError
from models.db import session_scope, write_retrying
from models.runner import CancelOutcome, RunFinished, request_cancel
from models.runs import expire_stale_runs_now, utc_now
from models.runs_read import (
    RunProgress,
    RunSession,
    RunSummary,
    find_run,
    list_runs,
    run_sessions,
)

runs_app = typer.Typer(
    help="Solve runs: list them with their figures, show a run's sessions or progress, cancel.",
    no_args_is_help=True,
)
ALL = 2**31 - 1  # the CLI prints every item, not a page


def _figure(value: object) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _published(run: RunSummary) -> str:
    if not run.published_versions:
        return "not published"
    versions = ", ".join(f"v{v}" for v in run.published_versions)
    return f"published as {versions}" + (" (in force)" if run.in_force else "")


def run_line(run: RunSummary) -> str:
    """One run on one line: id, created, status, horizon, limit, objective, counts, publication."""
    return (
        f"run {run.id}  {run.created_at:%Y-%m-%d %H:%M} UTC  {run.status}  "
        f"{run.first_week}..{run.last_week} ({run.weeks} week{'s' if run.weeks != 1 else ''})  "
        f"limit {_figure(run.time_limit_seconds)} s  objective {_figure(run.objective)}  "
        f"scheduled {_figure(run.scheduled)}/{_figure(run.requests)} requests, "
        f"{run.sessions} sessions  {_published(run)}"
    )


def _travel(p: RunProgress) -> str:
    """The incumbent's travel minutes, when the engine reported them."""
    if p.group_travel_minutes is None or p.trainer_travel_minutes is None:
        return ""
    return (
        f", travel: groups {p.group_travel_minutes:,} min, "
        f"trainers {p.trainer_travel_minutes:,} min"
    )


def progress_line(run: RunSummary) -> str:
    """How far a solve is (or got, when it was cancelled): time, best objective, bound, gap,
    requests placed."""
    if run.status == "queued":
        text = "queued: waiting for a solving process"
    else:
        p = run.progress or RunProgress(None, None, None, None, None, None, None, None, None)
        placed = f"{_figure(p.placed)}/{_figure(p.requests)} requests placed"
        when = "running" if run.status == "running" else f"{run.status} after"
        text = (
            f"{when} {_figure(p.elapsed_seconds)} s: "
            + (
                f"best objective {p.objective:,.0f}, bound {_figure(p.bound)}, gap "
                f"{'-' if p.gap is None else f'{p.gap * 100:.2f}%'}, {placed}{_travel(p)}"
                if p.objective is not None
                else "no plan yet"
            )
        )
    if run.cancel_requested_at is not None:
        text += f"; cancel requested at {run.cancel_requested_at:%H:%M:%S} UTC"
    return text


def progress_json(progress: RunProgress | None) -> dict[str, Any] | None:
    if progress is None:
        return None
    return {
        "elapsed_seconds": progress.elapsed_seconds, "objective": progress.objective,
        "bound": progress.bound, "gap": progress.gap, "placed": progress.placed,
        "requests": progress.requests,
        "group_travel_minutes": progress.group_travel_minutes,
        "trainer_travel_minutes": progress.trainer_travel_minutes,
        "updated_at": progress.updated_at.isoformat() if progress.updated_at else None,
    }  # fmt: skip


def run_json(run: RunSummary) -> dict[str, Any]:
    return {
        "id": run.id, "created_at": run.created_at.isoformat(), "status": run.status,
        "first_week": run.first_week, "last_week": run.last_week, "weeks": run.weeks,
        "time_limit_seconds": run.time_limit_seconds, "objective": run.objective,
        "scheduled": run.scheduled, "requests": run.requests, "sessions": run.sessions,
        "published_versions": list(run.published_versions), "in_force": run.in_force,
        "snapshot_at": run.snapshot_at.isoformat() if run.snapshot_at else None,
        "cancel_requested_at": (
            run.cancel_requested_at.isoformat() if run.cancel_requested_at else None
        ),
        "progress": progress_json(run.progress),
    }  # fmt: skip


def session_line(item: RunSession) -> str:
    """One session: request#n, day, Amsterdam wall time, location, trainers, groups."""
    trainers = ", ".join(item.trainers) or "no trainer"
    return (
        f"{item.request}#{item.session}  {item.start:%a %Y-%m-%d %H:%M}-{item.end:%H:%M}  "
        f"{item.location}  trainers {trainers}  groups {', '.join(item.groups)}"
    )


def session_json(item: RunSession) -> dict[str, Any]:
    year, week, _ = item.start.isocalendar()
    return {
        "request": item.request, "session": item.session, "activity": item.activity,
        "date": item.start.date().isoformat(), "week": f"{year}-W{week:02d}",
        "start": f"{item.start:%H:%M}", "end": f"{item.end:%H:%M}", "location": item.location,
        "location_name": item.location_name, "trainers": list(item.trainers),
        "groups": list(item.groups), "schools": list(item.schools), "pinned": item.pinned,
    }  # fmt: skip


@runs_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    db: DbOption = None,
) -> None:
    """Every solve run, newest first, one line each.

    Example: campus runs list
    """
    engine = ready_engine(db)
    with session_scope(engine) as session:
        runs = list_runs(session, limit=ALL, offset=0).items
    if as_json:
        print(json.dumps([run_json(run) for run in runs], indent=2, ensure_ascii=False))
        return
    if not runs:
        console.print("No solve runs yet: run `campus solve --weeks ...` first.")
        return
    for run in runs:
        console.print(run_line(run))


@runs_app.command("show")
def show_command(
    run_id: Annotated[int, typer.Argument(help="The run's id (see `campus runs list`).")],
    school: Annotated[str | None, typer.Option("--school", help="A school's key.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="A location's key.")] = None,
    week: Annotated[str | None, typer.Option("--week", help="An ISO week, e.g. 2027-W12.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    db: DbOption = None,
) -> None:
    """A run's figures and its sessions (Amsterdam wall time), one line each; the progress
    of a run still queued or running.

    Example: campus runs show 3 --school vmbo-zuidoost --week 2027-W12
    """
    engine = ready_engine(db)
    expire_stale_runs_now(engine)  # a run whose solving process died is not shown running
    with session_scope(engine) as session:
        run = find_run(session, run_id) if 1 <= run_id <= ALL else None
        if run is None:
            raise fail(f"no solve run {run_id}: `campus runs list` shows the runs")
        try:
            items = run_sessions(
                session, run_id, school=school, location=location, week=week,
                limit=ALL, offset=0,
            ).items  # fmt: skip
        except HorizonError as exc:
            raise fail(f"--week: {exc}", 2) from None
    if as_json:
        document = {**run_json(run), "items": [session_json(item) for item in items]}
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return
    console.print(bold(run_line(run)))
    if run.status in ("queued", "running") or run.cancel_requested_at is not None:
        console.print(progress_line(run))
    if not items:
        console.print("No sessions" + (" match these filters." if school or location or week
                                       else " in this run."))  # fmt: skip
    for item in items:
        console.print(session_line(item))


@runs_app.command("cancel")
def cancel_command(
    run_id: Annotated[int, typer.Argument(help="The run's id (see `campus runs list`).")],
    db: DbOption = None,
) -> None:
    """Cancel a queued or running solve; it ends as cancelled within a few seconds.

    A queued run is cancelled at once; a running one when its solving process sees the
    request (about once a second). Nothing of a cancelled run is stored or published.

    Example: campus runs cancel 7
    """
    engine = ready_engine(db)

    def cancel(session: Any) -> CancelOutcome | None:
        outcome = request_cancel(session, run_id, now=utc_now())
        if outcome is not None:
            record(
                session, CLI, entity="solve_run", key=str(run_id), action="update",
                changes={"cancel_requested_at": [None, outcome.requested_at.isoformat()]},
            )  # fmt: skip
        return outcome

    if not 1 <= run_id <= ALL:
        raise fail(f"no solve run {run_id}: `campus runs list` shows the runs")
    try:
        outcome = write_retrying(engine, cancel, what=f"cancel run {run_id}")
    except RunFinished as exc:
        raise fail(str(exc)) from None
    if outcome is None:
        raise fail(f"no solve run {run_id}: `campus runs list` shows the runs")
    if outcome.status == "cancelled":
        console.print(f"run {run_id} cancelled.")
    else:
        console.print(
            f"run {run_id}: cancel requested; it ends as cancelled within a few seconds "
            f"(campus runs show {run_id})."
        )


def register(app: typer.Typer) -> None:
    """Add `campus runs` to the command line."""
    app.add_typer(runs_app, name="runs")
