"""`campus demo`: the whole product in one command, on the Amsterdam example campus."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import IntegrityError, OperationalError

from api.cli_common import DbOption, bold, console, err, fail, line, ready_engine
from api.cli_feeds import CONCURRENT
from api.cli_solve import LangOption, chosen_language, print_result, solve_with_progress
from api.feeds.export import export_feeds
from api.feeds.settings import FeedSettings
from models import entities as e
from models.audit_load import load_actor, load_snapshot, record_load
from models.bridge import Horizon
from models.db import describe, session_scope
from models.planning import HorizonBusy, RunCancelled, RunEnded, plan
from models.publish import PublishError, publish
from models.removals import RemovalsRefused
from models.scenario import ScenarioError
from models.store import load_files
from models.words import DEFAULT_LANGUAGE, render
from scheduler import SolveOptions
from scheduler.explain import explain
from scheduler.timegrid import AMSTERDAM

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_DIR = ROOT / "examples" / "amsterdam"
# Four spring weeks with Easter, Goede Vrijdag and the start of daylight saving (2027-03-28).
DEMO_WEEKS = "2027-W11..2027-W14"
# Plan as the planners would on the Monday two weeks before: nothing in the demo is past.
DEMO_NOW = datetime(2027, 3, 1, 8, 0)


def counts(engine: object) -> dict[str, int]:
    from sqlalchemy import func, select

    with session_scope(engine) as session:  # type: ignore[arg-type]
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("partners", e.Partner),
                ("locations", e.Location),
                ("equipment types", e.EquipmentType),
                ("holidays", e.Holiday),
                ("trainers", e.Trainer),
                ("activity types", e.ActivityType),
                ("groups", e.Group),
                ("requests", e.Request),
            )
        }


def demo(
    db: DbOption = None,
    example: Annotated[
        Path, typer.Option(help="Folder with the example scenario files.")
    ] = EXAMPLE_DIR,
    weeks: Annotated[str, typer.Option(help="ISO weeks to plan.")] = DEMO_WEEKS,
    time_limit: Annotated[float, typer.Option(help="Seconds the solver may use.")] = 45.0,
    out: Annotated[Path, typer.Option(help="Where the calendar feeds are written.")] = Path(
        "out/feeds"
    ),
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Load the Amsterdam example, plan the demo weeks, publish the feeds, show the result.

    What `make demo` runs. Loading is idempotent, so running it again re-plans against the
    plan it published before (and shows that nothing moves). A database holding data the
    example would remove is left alone (as `campus load` without --replace does).

    Example: [bold]campus demo[/] or [bold]campus demo --db sqlite:///demo.db --out /tmp/feeds[/]
    """
    words = chosen_language(lang)
    started = time.monotonic()
    files = sorted(example.glob("*.yaml"))
    if not files:
        raise fail(f"no scenario files (*.yaml) in {example}")
    engine = ready_engine(db)
    try:
        with session_scope(engine) as session:
            before = load_snapshot(session)  # audited as a load of the example's files
            load_files(session, files)
            record_load(session, before, load_actor(files, "campus demo: load"))
    except RemovalsRefused as exc:  # the database holds data the example would remove
        for removal in exc.removals:
            for text in removal.lines():
                err.print(text)
        raise fail(
            f"the example was not loaded: it would remove the {exc.count} item(s) listed "
            f"above from {describe(db)}; use a fresh database (--db), or load the example "
            "with `campus load --replace` first"
        ) from None
    except ScenarioError as exc:
        for problem in exc.problems:
            err.print(str(problem))
        raise fail("the example did not load") from None
    shown = example.relative_to(ROOT) if example.is_relative_to(ROOT) else example
    loaded = Table(title=f"1. Loaded {shown} into {describe(db)}")
    loaded.add_column("what")
    loaded.add_column("how many", justify="right")
    for name, n in counts(engine).items():
        loaded.add_row(name, str(n))
    console.print(loaded)

    horizon = Horizon.parse(weeks)
    options = SolveOptions(time_limit_seconds=time_limit, relative_gap=0.01)
    console.print(
        line(
            "\n",
            bold(f"2. Solving {horizon}"),
            f" ({horizon.first_day}..{horizon.last_day}), "
            f"at most {time_limit:.0f} s, stopping within 1% of optimal",
        )
    )
    try:
        result = solve_with_progress(
            lambda cb: plan(engine, horizon, options, now=DEMO_NOW, progress=cb), options,
            show=True,
        )  # fmt: skip
    except (HorizonBusy, RunCancelled, RunEnded) as exc:  # a background solve holds the weeks
        raise fail(str(exc)) from None
    print_result(result, horizon)
    reasons = explain(result.problem, result.solution)
    if reasons:
        top = Counter(r.code for rs in reasons.values() for r in rs[:1])
        table = Table(title="Why requests stayed unscheduled (campus explain REQUEST)")
        table.add_column("request")
        table.add_column("reason")
        for rid, rs in sorted(reasons.items()):
            table.add_row(rid, render(rs[0], words) if rs else "-")
        console.print(table)
        console.print(
            "top reasons: " + ", ".join(f"{code} ({n})" for code, n in top.most_common()),
        )

    settings = FeedSettings.from_env()
    try:
        with session_scope(engine) as session:
            run = session.get(e.SolveRun, result.run_id)
            version = publish(session, run, now=datetime.now(UTC)).publication.version
    except PublishError as exc:
        raise fail(f"the demo plan could not be published: {exc}") from None
    except (IntegrityError, OperationalError):
        raise fail(CONCURRENT) from None
    # The feeds' window of weeks is centred on the demo's "today", not the real one, so the
    # demo feeds hold the demo sessions whenever the demo runs.
    with session_scope(engine) as session:
        written, unchanged = export_feeds(
            session, out, settings=settings, now=DEMO_NOW.replace(tzinfo=AMSTERDAM)
        )
    console.print(
        line(
            "\n",
            bold("3. Published"),
            f" run {result.run_id} as version {version}; "
            f"{len(written) + len(unchanged)} calendar feeds in {out}/ "
            f"({len(written)} written, {len(unchanged)} unchanged), e.g. {out}/campus.ics",
        )
    )
    console.print(
        line(
            "\n",
            bold(f"Done in {time.monotonic() - started:.0f} s."),
            " Next:\n"
            "  campus serve                                  # feeds over HTTP on 127.0.0.1:8000\n"
            "  campus feeds create --school vakcollege-noord  # a secret subscription URL\n"
            "  campus explain REQUEST                        # why a request did not fit\n"
            f"  campus solve --weeks {weeks}          # re-plan after a change\n"
            "  make test                                     # the test suite",
        )
    )
