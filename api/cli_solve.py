"""`campus solve` and `campus explain`: plan a horizon, and say why something did not fit."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import OperationalError

from api.cli_common import DbOption, bold, console, err, fail, line, ready_engine
from models.bridge import Horizon, HorizonError, wall_now
from models.db import is_transient, session_scope
from models.planning import (
    HorizonBusy,
    PlanResult,
    ReferenceRunError,
    RunCancelled,
    RunEnded,
    explain_request,
    plan,
    rolling_horizon,
)
from models.runner import LocalProcessRunner, submit_solve
from models.runs import LeaseLost, lease_seconds
from models.settings import load_settings
from models.words import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    UnknownLanguage,
    language,
    phrase,
    render,
)
from scheduler import Progress as SolveProgress
from scheduler import SolveOptions
from scheduler.summary import Summary, Utilisation, summarize
from scheduler.timegrid import from_aware


def _fmt_gap(gap: float | None) -> str:
    return "-" if gap is None else f"{gap * 100:.2f}%"


def solve_with_progress(run: Any, options: SolveOptions, *, show: bool) -> PlanResult:
    """Run ``run(progress_callback)`` while a bar shows time, objective and gap.

    The solve runs in the main thread, so Ctrl-C reaches it (and the run is marked failed);
    a small daemon thread only moves the bar along the time limit.
    """
    latest: dict[str, float] = {}

    def on_progress(p: SolveProgress) -> None:
        latest.update(objective=p.objective, gap=p.gap, solutions=p.solutions)

    if not show:
        return run(on_progress)
    bar = Progress(
        TextColumn("[bold]solving[/]"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[info]}"),
        console=Console(stderr=True),
        transient=True,
    )
    done = threading.Event()

    def tick(task: TaskID, started: float) -> None:
        while not done.wait(0.2):
            info = "searching..."
            if "objective" in latest:
                info = (
                    f"objective {latest['objective']:,.0f}  gap {_fmt_gap(latest['gap'])}  "
                    f"solutions {latest['solutions']:.0f}"
                )
            bar.update(task, completed=time.monotonic() - started, info=info)

    with bar:
        task = bar.add_task("solve", total=options.time_limit_seconds, info="searching...")
        ticker = threading.Thread(target=tick, args=(task, time.monotonic()), daemon=True)
        ticker.start()
        try:
            return run(on_progress)
        finally:
            done.set()
            ticker.join()


def _utilisation_table(title: str, label: str, rows: dict[str, Utilisation]) -> Table:
    table = Table(title=title)
    for col in (label, "sessions", "booked h", "open h", "use"):
        table.add_column(col, justify="left" if col == label else "right")
    for key, util in rows.items():
        table.add_row(
            key, str(util.sessions), f"{util.booked_minutes / 60:.1f}",
            f"{util.open_minutes / 60:.1f}", f"{util.ratio:.0%}",
        )  # fmt: skip
    return table


def summary_table(summary: Summary) -> list[Table]:
    schools = Table(title="Requests per school")
    for col in ("school", "scheduled", "unscheduled"):
        schools.add_column(col, justify="left" if col == "school" else "right")
    for key, share in summary.per_school.items():
        schools.add_row(key, str(share.scheduled), str(share.unscheduled))
    acts = Table(title="Requests per activity")
    for col in ("activity", "scheduled", "unscheduled"):
        acts.add_column(col, justify="left" if col == "activity" else "right")
    for key, share in summary.per_activity.items():
        acts.add_row(key, str(share.scheduled), str(share.unscheduled))
    places = _utilisation_table("Utilisation per location (booked / open hours)", "location",
                                summary.per_location)  # fmt: skip
    companies = _utilisation_table("Utilisation per company", "company", summary.per_company)
    return [schools, acts, places, companies]


def components_table(result: PlanResult) -> Table:
    table = Table(title="Objective components (weighted; lower is better)")
    table.add_column("component")
    table.add_column("solver", justify="right")
    table.add_column("validator", justify="right")
    for name, value in result.solution.components.items():
        table.add_row(name, f"{value:,}", f"{result.report.components.get(name, 0):,}")
    return table


def unscheduled_requests(result: PlanResult) -> list[str]:
    """Requests without any session, from the problem (also right when no plan was found)."""
    placed = {s.request for s in result.solution.sessions}
    return [r.id for r in result.problem.requests if r.id not in placed]


def result_json(result: PlanResult, horizon: Horizon) -> dict[str, Any]:
    """The --json summary: its counts and lists describe the same requests."""
    solution, summary = result.solution, summarize(result.problem, result.solution)
    return {
        "run": result.run_id,
        "horizon": str(horizon),
        "status": solution.status.value,
        "requests": summary.requests,
        "scheduled": summary.scheduled,
        "incomplete": summary.incomplete,
        "unscheduled": summary.unscheduled,
        "sessions": summary.sessions,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "wall_seconds": round(solution.wall_seconds, 3),
        "first_solution_seconds": solution.first_solution_seconds,
        "hard_violations": len(result.report.violations),
        "validator_objective": result.report.objective,
        "components": dict(solution.components),
        "changes": {
            kind: sum(1 for c in solution.changes if c.kind == kind)
            for kind in ("moved", "cancelled", "new")
        },
        "group_travel_minutes": summary.group_travel_minutes,
        "trainer_travel_minutes": summary.trainer_travel_minutes,
        "unscheduled_requests": unscheduled_requests(result),
        "incomplete_requests": list(solution.incomplete),
        "broken_pins": [b.as_json() for b in result.broken_pins],
    }


def print_result(result: PlanResult, horizon: Horizon) -> None:
    solution = result.solution
    summary = summarize(result.problem, solution)
    for table in summary_table(summary):
        console.print(table)
    console.print(components_table(result))
    changes = {
        k: sum(1 for c in solution.changes if c.kind == k) for k in ("moved", "cancelled", "new")
    }
    figures = (
        f" {horizon}: {solution.status.value}, "
        f"{summary.scheduled}/{summary.requests} requests scheduled "
        f"({summary.sessions} sessions), objective {solution.objective:,} "
        f"bound {solution.bound:,.0f} gap {_fmt_gap(solution.gap)}, "
        f"{solution.wall_seconds:.1f} s"
        if solution.objective is not None and solution.bound is not None
        else f" {horizon}: {solution.status.value}, no plan found"
    )
    console.print(line(bold(f"run {result.run_id}"), figures))
    console.print(
        f"travel: groups {summary.group_travel_minutes} min, trainers "
        f"{summary.trainer_travel_minutes} min; changes against the reference plan: "
        f"{changes['moved']} moved, {changes['cancelled']} cancelled, {changes['new']} new"
    )
    if result.report.violations:
        err.print(
            bold(f"validator found {len(result.report.violations)} hard violation(s):", "bold red")
        )
        for v in result.report.violations[:20]:
            err.print(f"  {v.rule}/{v.check}: {v.message}")
    else:
        console.print("validator: 0 hard violations")
    if solution.incomplete:
        console.print(
            "running courses that cannot be completed (past sessions kept): "
            + ", ".join(solution.incomplete),
        )
    for b in result.broken_pins:
        console.print(
            f"pinned session {b.request}#{b.index} cannot be kept and was re-planned "
            f"({b.rule}/{b.check}): {b.message}"
        )
    left = unscheduled_requests(result)
    if left:
        console.print("unscheduled: " + ", ".join(left))
    if left or solution.incomplete:
        console.print("  ask why with: campus explain REQUEST")


LangOption = Annotated[
    str,
    typer.Option(
        "--lang",
        help=f"Language of the explanations: {' or '.join(LANGUAGES)} (planners read Dutch).",
    ),
]


def chosen_language(value: str) -> Language:
    """``--lang`` checked, or exit 2 with the languages there are."""
    try:
        return language(value)
    except UnknownLanguage as exc:
        raise fail(str(exc), 2) from None


def register(app: typer.Typer) -> None:
    @app.command()
    def solve(
        weeks: Annotated[
            str | None,
            typer.Option("--weeks", help="ISO weeks to plan, e.g. 2027-W05..2027-W08."),
        ] = None,
        rolling: Annotated[
            bool,
            typer.Option(
                "--rolling",
                help="Plan from the coming ISO week for the campus's horizon_weeks (instead "
                "of --weeks): the weekly re-plan.",
            ),
        ] = False,
        time_limit: Annotated[float, typer.Option(help="Seconds the solver may use.")] = 30.0,
        seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
        workers: Annotated[int, typer.Option(help="Search workers (0: one per core).")] = 0,
        deterministic: Annotated[
            bool, typer.Option(help="One worker, fixed seed: same input, same plan.")
        ] = False,
        gap: Annotated[float, typer.Option(help="Stop at this relative gap, e.g. 0.01.")] = 0.0,
        now: Annotated[
            str | None,
            typer.Option(
                help="Plan as if it were this Amsterdam wall time (ISO, e.g. 2027-03-01T08:00); "
                "sessions before it are not moved."
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print a machine-readable summary only.")
        ] = False,
        background: Annotated[
            bool,
            typer.Option(
                "--background",
                help="Solve in a process of its own: print the run id and return at once.",
            ),
        ] = False,
        reference: Annotated[
            int | None,
            typer.Option(
                "--reference",
                help="Keep close to this run instead of the published plan (e.g. a run whose "
                "publish was refused), so little moves.",
            ),
        ] = None,
        db: DbOption = None,
    ) -> None:
        """Plan the sessions of all requests in a horizon of ISO weeks and store the run.

        Re-planning keeps the published plan (else the latest run) wherever possible, or
        the run named by --reference. One solve at a time per horizon: a queued or running
        run on an overlapping horizon makes this fail (cancel it with `campus runs cancel N`).
        --rolling plans from the coming week (the first Monday after today, Amsterdam time)
        for the campus settings' horizon_weeks, within the school year.

        Examples: [bold]campus solve --weeks 2027-W11..2027-W14[/],
        [bold]campus solve --weeks 2027-W12 --time-limit 10 --json[/],
        [bold]campus solve --rolling[/]
        """
        if rolling == (weeks is not None):
            raise fail("give either --weeks or --rolling (one of them)", 2)
        try:
            pretend = datetime.fromisoformat(now) if now else None
            options = SolveOptions(
                time_limit_seconds=time_limit, workers=workers, seed=seed,
                deterministic=deterministic, relative_gap=gap,
            )  # fmt: skip
            lease_seconds()  # a bad $CAMPUS_RUN_LEASE_SECONDS fails here, before any work
        except (HorizonError, ValueError) as exc:
            raise fail(str(exc), 2) from None
        if pretend is not None and pretend.tzinfo is not None:
            pretend = from_aware(pretend)  # 07:00Z in March is 08:00 in Amsterdam
        engine = ready_engine(db)
        try:
            if weeks is not None:
                horizon = Horizon.parse(weeks)
            else:
                with session_scope(engine) as session:
                    today = (pretend or wall_now()).date()
                    horizon = rolling_horizon(load_settings(session), today)
        except HorizonError as exc:
            raise fail(str(exc), 2) from None
        if rolling and not as_json:
            err.print(f"rolling solve: {horizon} (from the coming week, campus horizon_weeks)")
        if background:
            try:
                run_id = submit_solve(
                    engine, LocalProcessRunner(engine, watch_parent=False), horizon, options,
                    now=pretend, reference=reference,
                )  # fmt: skip
            except (HorizonBusy, ReferenceRunError) as exc:
                raise fail(str(exc)) from None
            if as_json:
                print(json.dumps({"run": run_id, "horizon": str(horizon), "status": "queued"}))
            else:
                console.print(
                    f"run {run_id} queued for {horizon}; follow it with `campus runs show "
                    f"{run_id}`, stop it with `campus runs cancel {run_id}`"
                )
            return
        try:
            result = solve_with_progress(
                lambda cb: plan(
                    engine, horizon, options, now=pretend, progress=cb, reference=reference
                ),
                options,
                show=not as_json,
            )
        except (LeaseLost, HorizonBusy, RunCancelled, RunEnded, ReferenceRunError) as exc:
            raise fail(str(exc)) from None
        except OperationalError as exc:
            if not is_transient(exc):
                raise
            raise fail(
                f"the database stayed locked by other writers ({exc.orig}); the run was "
                "marked failed (or its lease expires it): run the command again"
            ) from None
        if as_json:
            print(json.dumps(result_json(result, horizon) | {"rolling": rolling}, indent=2))
        else:
            print_result(result, horizon)
        if result.report.violations:
            raise typer.Exit(3)

    @app.command()
    def explain(
        request: Annotated[str, typer.Argument(help="Key of the request, e.g. r-ws-1.")],
        run: Annotated[
            int | None, typer.Option(help="Run id (default: the newest run with a plan).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
        lang: LangOption = DEFAULT_LANGUAGE,
        db: DbOption = None,
    ) -> None:
        """Say why a request was not scheduled, in reasons a planner can act on.

        Dutch by default, English with --lang en; --json keeps each reason's code and
        details and adds its text in the chosen language.

        Example: [bold]campus explain r-ws-1[/], [bold]campus explain r-ws-1 --lang en[/]
        """
        words = chosen_language(lang)
        engine = ready_engine(db)
        try:
            found, _problem, reasons, note = explain_request(engine, request, run)
        except LookupError as exc:
            raise fail(str(exc)) from None
        if as_json:
            print(json.dumps({
                "request": request, "run": found.id, "scheduled": reasons is None,
                "note": note, "lang": words,
                "reasons": [
                    {"code": str(r.code), "text": render(r, words), "message": r.message,
                     "details": r.details}
                    for r in reasons or ()
                ],
            }, indent=2, default=str))  # fmt: skip
            return
        if note is not None:
            err.print(f"note: {note}")
        if reasons is None:
            console.print(phrase("explain.scheduled", words, request=request, run=found.id))
            return
        broken = any(r.code == "course_cannot_be_completed" for r in reasons)
        state = "explain.cannot_be_completed" if broken else "explain.not_scheduled"
        console.print(line(bold(request), phrase(state, words, run=found.id)))
        for reason in reasons:
            console.print(line("  ", bold(str(reason.code), "cyan"), f": {render(reason, words)}"))
