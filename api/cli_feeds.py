"""`campus publish`, `campus feeds ...` and `campus serve`: publishing and calendar feeds.

Registered on the main app by ``register(app)`` (api/cli.py imports this module, so shared
helpers come from api.cli_common).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api.cli_common import DbOption, bold, console, fail, ready_engine
from api.cli_privacy import prune_at_startup
from api.feeds.export import ExportError, export_feeds
from api.feeds.settings import FeedSettings
from models import entities as e
from models.db import session_scope, write_retrying
from models.feeds import (
    FeedError,
    create_token,
    find_subject,
    list_tokens,
    revoke_token,
    rotate_token,
)
from models.publish import Change, PublishError, PublishResult, publish
from models.runs import expire_stale_runs_now

SchoolOpt = Annotated[str | None, typer.Option("--school", help="School key: all its groups.")]
GroupOpt = Annotated[str | None, typer.Option("--group", help="Group key.")]
TrainerOpt = Annotated[str | None, typer.Option("--trainer", help="Trainer key.")]
LocationOpt = Annotated[str | None, typer.Option("--location", help="Location key.")]
CompanyOpt = Annotated[
    str | None, typer.Option("--company", help="Company key: all its locations.")
]
CampusOpt = Annotated[bool, typer.Option("--campus", help="The planner's whole campus.")]

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

CONCURRENT = (
    "another publication was written at the same moment (or the database is busy); "
    "nothing was published: run the command again"
)

feeds_app = typer.Typer(
    help="Secret calendar feed URLs: create, list, rotate, revoke.", no_args_is_help=True
)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _view(
    school: str | None,
    group: str | None,
    trainer: str | None,
    location: str | None,
    company: str | None,
    campus: bool,
) -> tuple[str, str]:
    chosen = [
        (view, key)
        for view, key in (
            ("school", school),
            ("group", group),
            ("trainer", trainer),
            ("location", location),
            ("company", company),
        )
        if key
    ]
    if campus:
        chosen.append(("campus", ""))
    if len(chosen) != 1:
        raise fail(
            "name exactly one of --school, --group, --trainer, --location, --company, --campus"
        )
    return chosen[0]


def _print_urls(settings: FeedSettings, token: str) -> None:
    console.print(f"  https:  {settings.feed_url(token)}")
    console.print(f"  webcal: {settings.webcal_url(token)}")
    console.print(
        "  The token is shown only now; it is stored as a hash. Treat the URL as a password.",
        style="dim",
    )


def _print_changes(changes: tuple[Change, ...]) -> None:
    """What changed, per school, company and trainer: the people who will see it."""
    by_whom: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in changes:
        for school in change.schools:
            by_whom[("School", school)].append(change)
        for company in change.companies:
            by_whom[("Company", company)].append(change)
        for trainer in change.trainers:
            by_whom[("Trainer", trainer)].append(change)
    for (kind, name), items in sorted(by_whom.items()):
        console.print(bold(f"{kind} {name}"))
        new = [c for c in items if c.kind == "new"]
        if len(new) > 3:  # a first publication: a count, not hundreds of lines
            items = [c for c in items if c.kind != "new"]
            console.print(f"  {'new':<10} {len(new)} sessions")
        for c in items:
            what = f" ({', '.join(c.what)})" if c.what else ""
            text = c.after if c.kind == "new" else c.before
            if c.kind not in ("new", "cancelled"):
                text = f"{c.before} -> {c.after}"
            console.print(f"  {c.kind:<10} {c.title}{what}: {text}")


def publish_command(
    run: Annotated[
        int | None, typer.Argument(help="Solve run id (default: the newest with a plan).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write every feed as .ics files here.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Make a solve run the published plan: UIDs kept, SEQUENCE bumped on changes.

    Sessions that left the plan become cancelled; the previous plan stays stored.

    Example: [bold]campus publish[/] or [bold]campus publish 7 --out public/feeds[/]
    """
    engine = ready_engine(db)
    settings = FeedSettings.from_env()
    now = _now()

    def publish_in(session: Session) -> PublishResult:
        chosen = None
        if run is not None and 0 < run <= MAX_ID:  # larger numbers overflow the database
            chosen = session.scalars(select(e.SolveRun).where(e.SolveRun.id == run)).one_or_none()
        if run is not None and chosen is None:
            raise PublishError(f"there is no solve run {run}")
        return publish(session, chosen, now=now)

    try:  # one short transaction, started again while a busy server holds the database
        expire_stale_runs_now(engine)  # in its own transaction: it stands if publish fails
        result = write_retrying(engine, publish_in, what="publish")
    except PublishError as exc:
        raise fail(str(exc)) from None
    except (IntegrityError, OperationalError):
        raise fail(CONCURRENT) from None
    # Exported only once committed (files never show an unpublished plan), and before anything
    # is printed: the publication is final, so its files must follow whatever happens next.
    exported = None
    publication = result.publication
    if out is not None:
        try:
            with session_scope(engine) as session:
                exported = export_feeds(session, out, settings=settings, now=now)
        except ExportError as exc:
            raise fail(
                f"run {publication.run_id} is published (version {publication.version}), but "
                f"the static feeds in {out} were left as they were: {exc}"
            ) from None
    if result.already_current:
        console.print(
            f"run {publication.run_id} is already published (version "
            f"{publication.version}); nothing changed"
        )
    else:
        counts = ", ".join(f"{n} {k}" for k, n in result.counts.items())
        console.print(
            f"published run {publication.run_id} as version {publication.version}: {counts}",
        )
        _print_changes(result.changes)
    if exported is not None:
        written, unchanged = exported
        console.print(f"static feeds in {out}: {len(written)} written, {len(unchanged)} unchanged")


@feeds_app.command("create")
def feeds_create(
    school: SchoolOpt = None,
    group: GroupOpt = None,
    trainer: TrainerOpt = None,
    location: LocationOpt = None,
    company: CompanyOpt = None,
    campus: CampusOpt = False,
    label: Annotated[str, typer.Option(help="A note for the planner, e.g. who asked.")] = "",
    db: DbOption = None,
) -> None:
    """Create the secret feed URL of one subscriber and view, and print it once.

    Example: [bold]campus feeds create --school vakcollege-noord[/]
    """
    view, key = _view(school, group, trainer, location, company, campus)
    settings = FeedSettings.from_env()
    try:
        with session_scope(ready_engine(db)) as session:
            subject = find_subject(session, view, key)
            _row, token = create_token(session, view, key, now=_now(), label=label)
    except FeedError as exc:
        raise fail(str(exc)) from None
    console.print(f"feed for {view} {subject.name}:")
    _print_urls(settings, token)


@feeds_app.command("list")
def feeds_list(
    all_: Annotated[bool, typer.Option("--all", help="Also show revoked tokens.")] = False,
    db: DbOption = None,
) -> None:
    """List feed tokens (never the secrets: only their ids, views and dates).

    Example: [bold]campus feeds list --all[/]
    """
    with session_scope(ready_engine(db)) as session:
        rows = list_tokens(session, include_revoked=all_)
        table = Table(title="Feed tokens")
        for column in ("id", "view", "subject", "label", "created (UTC)", "revoked (UTC)"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                str(row.id),
                row.view,
                row.subject_key or "-",
                row.label,
                f"{row.created_at:%Y-%m-%d %H:%M}",
                f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "",
            )
    console.print(table)


@feeds_app.command("rotate")
def feeds_rotate(
    school: SchoolOpt = None,
    group: GroupOpt = None,
    trainer: TrainerOpt = None,
    location: LocationOpt = None,
    company: CompanyOpt = None,
    campus: CampusOpt = False,
    db: DbOption = None,
) -> None:
    """Replace a subscriber's feed URL: the old one is revoked, a new one printed.

    Example: [bold]campus feeds rotate --trainer t-chantal-timmer[/]
    """
    view, key = _view(school, group, trainer, location, company, campus)
    settings = FeedSettings.from_env()
    try:
        with session_scope(ready_engine(db)) as session:
            subject = find_subject(session, view, key)
            _row, token = rotate_token(session, view, key, now=_now())
    except FeedError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"new feed for {view} {subject.name} (the old URL serves an empty calendar for "
        f"{settings.revoked_days} days, then 410 Gone):",
    )
    _print_urls(settings, token)


@feeds_app.command("revoke")
def feeds_revoke(
    school: SchoolOpt = None,
    group: GroupOpt = None,
    trainer: TrainerOpt = None,
    location: LocationOpt = None,
    company: CompanyOpt = None,
    campus: CampusOpt = False,
    db: DbOption = None,
) -> None:
    """Stop a subscriber's feed URL: empty calendar for a grace period, then 410 Gone.

    Example: [bold]campus feeds revoke --company installatiebedrijf-dekker[/]
    """
    view, key = _view(school, group, trainer, location, company, campus)
    settings = FeedSettings.from_env()
    try:
        with session_scope(ready_engine(db)) as session:
            row = revoke_token(session, view, key, now=_now())
            token_id = row.id
    except FeedError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"revoked token {token_id} ({view} {key or 'campus'}); it serves an empty calendar "
        f"for {settings.revoked_days} days, then 410 Gone",
    )


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: DbOption = None,
) -> None:
    """Start the HTTP service: the API under /api/v1, calendar feeds and /health.

    Example: [bold]campus serve[/] then open http://127.0.0.1:8000/health or /docs
    """
    import uvicorn

    from api.app import create_app
    from api.logs import uvicorn_log_config

    engine = ready_engine(db)
    prune_at_startup(engine)  # the retention period (AVG): cheap, once per start
    app = create_app(engine=engine)
    uvicorn.run(app, host=host, port=port, log_config=uvicorn_log_config())


def register(app: typer.Typer) -> None:
    """Add publish, feeds and serve to the `campus` command line."""
    app.command("publish")(publish_command)
    app.add_typer(feeds_app, name="feeds")
    app.command("serve")(serve_command)
