"""`campus publish`, `campus feeds ...` and `campus serve`: publishing and calendar feeds.

Registered on the main app by ``register(app)`` (api/cli.py imports this module, so shared
helpers come from api.cli_common).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api.cli_common import DbOption, bold, console, fail, ready_engine
from api.cli_notices import print_made, send_after_commit
from api.cli_privacy import prune_at_startup
from api.feeds.export import ExportError, export_feeds
from api.feeds.settings import FeedSettings
from models.audit import CLI
from models.bridge import latest_run
from models.db import session_scope, write_retrying
from models.feeds import (
    FeedError,
    as_utc,
    create_token,
    describe_token,
    find_subject,
    find_token,
    list_tokens,
    revoke_token,
    rotate_token,
)
from models.notices import notices_for_publication
from models.publish import Change, current_publication
from models.publishing import (
    CheckedPublish,
    HardRulesBroken,
    NotPublishable,
    PublishConflict,
    RunMissing,
    conflict_message,
    in_force,
    publish_checked,
)
from models.runs import expire_stale_runs_now
from models.words import DEFAULT_LANGUAGE, UnknownLanguage, language

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
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            metavar="REASON",
            help="Publish although the run breaks hard rules under today's data; the reason "
            "and the rules are recorded in the audit.",
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the broken rules: nl or en.")
    ] = DEFAULT_LANGUAGE,
    db: DbOption = None,
) -> None:
    """Make a solve run the published plan: UIDs kept, SEQUENCE bumped on changes.

    The run is first re-validated against today's data: one that breaks a hard rule is
    refused (exit 1, with the rules and sessions) unless --override REASON is given.
    Sessions that left the plan become cancelled; the previous plan stays stored.

    Example: [bold]campus publish[/] or [bold]campus publish 7 --out public/feeds[/]
    """
    try:
        words = language(lang)
    except UnknownLanguage as exc:
        raise fail(str(exc), 2) from None
    if override is not None and not override.strip():
        raise fail("--override needs a reason (it is recorded in the audit)", 2)
    engine = ready_engine(db)
    settings = FeedSettings.from_env()
    now = _now()
    expire_stale_runs_now(engine)  # in its own transaction: it stands if publish fails
    with session_scope(engine) as session:  # the plan this command was asked to replace
        current = current_publication(session)
        expected = current.version if current is not None else 0
        chosen = run
        if chosen is None:
            newest = latest_run(session)
            if newest is None:
                raise fail("there is no solve run with a plan to publish")
            chosen = newest.id

    notice_ids: list[int] = []

    def publish_in(session: Session) -> CheckedPublish:
        checked = publish_checked(
            session, chosen, actor=CLI, now=now, override_reason=override,
            expected=expected, lang=words,
        )  # fmt: skip
        # Each party's notice is kept or lost with the publication (models/notices.py).
        notices = notices_for_publication(session, checked.result, now=now)
        notice_ids[:] = [n.id for n in notices]
        return checked

    try:  # one short transaction, started again while a busy server holds the database
        checked = write_retrying(engine, publish_in, what="publish")
    except RunMissing:
        raise fail(f"there is no solve run {chosen}") from None
    except NotPublishable as exc:
        raise fail(f"{exc}; nothing was published") from None
    except HardRulesBroken as exc:
        for v in exc.violations:
            console.print(f"  {v.text}")
        raise fail(
            f"{exc}: campus solve --weeks ... --reference {chosen}, or "
            f"campus publish {chosen} --override REASON; nothing was published"
        ) from None
    except PublishConflict as exc:
        raise fail(str(exc)) from None
    except (IntegrityError, OperationalError):
        with session_scope(engine) as session:
            winner = in_force(session)
        if winner is not None and winner.version != expected:
            raise fail(conflict_message(winner, expected)) from None
        raise fail(CONCURRENT) from None
    result = checked.result
    # Exported only once committed (files never show an unpublished plan), and before anything
    # is printed: the publication is final, so its files must follow whatever happens next.
    exported = None
    publication = result.publication
    if out is not None:
        try:
            with session_scope(engine) as session:
                exported = export_feeds(session, out, settings=settings, now=now)
        except ExportError as exc:
            send_after_commit(engine, notice_ids)  # the publication stands: people are told
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
        for warning in checked.warnings:
            console.print(f"warning: {warning}", style="yellow")
        if checked.violations:
            console.print(
                f"published by override ({checked.override_reason}) although it breaks "
                f"{len(checked.violations)} hard rule(s):",
                style="yellow",
            )
            for v in checked.violations:
                console.print(f"  {v.text}")
        _print_changes(result.changes)
    if exported is not None:
        written, unchanged = exported
        console.print(f"static feeds in {out}: {len(written)} written, {len(unchanged)} unchanged")
    # E-mail only now that the publication has committed: a mail failure is a warning.
    print_made(engine, notice_ids)
    send_after_commit(engine, notice_ids)


LabelOpt = Annotated[
    str | None,
    typer.Option(
        "--label",
        help="Whose token: the person or team it is for, e.g. 'Ans, BBL-team'.",
    ),
]
TokenIdArg = Annotated[
    int | None,
    typer.Argument(help="The token's id, as `campus feeds list` shows it.", show_default=False),
]


def _named_view(
    school: str | None,
    group: str | None,
    trainer: str | None,
    location: str | None,
    company: str | None,
    campus: bool,
) -> tuple[str, str] | None:
    """The view named by the options, or None when none is given (the token id names it)."""
    if not (school or group or trainer or location or company or campus):
        return None
    return _view(school, group, trainer, location, company, campus)


def _token_name(token_id: int | None, view: tuple[str, str] | None) -> dict[str, object]:
    if token_id is None and view is None:
        raise fail(
            "name the token by its id (campus feeds list shows it) or by one of --school, "
            "--group, --trainer, --location, --company, --campus (with --label if it has "
            "several tokens)"
        )
    if token_id is not None and view is not None:
        raise fail("name the token by its id or by its subject and --label, not both")
    if view is None:
        return {"token_id": token_id}
    return {"view": view[0], "key": view[1]}


def _ago(moment: datetime | None, now: datetime) -> str:
    """When, in UTC, and how long ago in words a planner reads at a glance."""
    if moment is None:
        return "never"
    moment = as_utc(moment)
    hours = int((now - moment).total_seconds() // 3600)
    when = f"{moment:%Y-%m-%d %H:%M}"
    if hours < 1:
        return f"{when} (this hour)"
    if hours < 48:
        return f"{when} ({hours} h ago)"
    return f"{when} ({hours // 24} days ago)"


@feeds_app.command("create")
def feeds_create(
    school: SchoolOpt = None,
    group: GroupOpt = None,
    trainer: TrainerOpt = None,
    location: LocationOpt = None,
    company: CompanyOpt = None,
    campus: CampusOpt = False,
    label: LabelOpt = None,
    db: DbOption = None,
) -> None:
    """Create a secret feed URL for one subscriber and view, and print it once.

    A subscriber may have several URLs, one per person: give each its own --label (at most
    one may be without). Each can be rotated or revoked without touching the others.

    Example: [bold]campus feeds create --school vakcollege-noord --label "Ans, BBL-team"[/]
    """
    view, key = _view(school, group, trainer, location, company, campus)
    settings = FeedSettings.from_env()
    try:
        with session_scope(ready_engine(db)) as session:
            subject = find_subject(session, view, key)
            row, token = create_token(session, view, key, now=_now(), label=label or "")
            named = describe_token(row)
    except FeedError as exc:
        raise fail(str(exc)) from None
    console.print(f"feed for {view} {subject.name}:")
    console.print(f"  {named}; `campus feeds list` shows when it was last fetched")
    _print_urls(settings, token)


@feeds_app.command("list")
def feeds_list(
    school: SchoolOpt = None,
    group: GroupOpt = None,
    trainer: TrainerOpt = None,
    location: LocationOpt = None,
    company: CompanyOpt = None,
    campus: CampusOpt = False,
    all_: Annotated[bool, typer.Option("--all", help="Also show revoked tokens.")] = False,
    db: DbOption = None,
) -> None:
    """List feed tokens: whose they are and when each was last fetched (never the secrets).

    "last fetched" is when a calendar app last asked for the URL, to the hour: it is
    written at most once an hour per token. A token never fetched is not subscribed (yet).

    Example: [bold]campus feeds list --school vakcollege-noord[/]
    """
    view = _named_view(school, group, trainer, location, company, campus)
    now = _now()
    with session_scope(ready_engine(db)) as session:
        rows = list_tokens(session, include_revoked=all_)
        if view is not None:
            with contextlib.suppress(FeedError):  # a deleted subject: its stored key
                view = (view[0], find_subject(session, *view).key)
            rows = [row for row in rows if (row.view, row.subject_key) == view]
        table = [
            (
                str(row.id),
                f"{row.view} {row.subject_key or 'campus'}",
                row.label or "(no label)",
                f"{row.created_at:%Y-%m-%d %H:%M}",
                _ago(row.last_fetched_at, now),
                f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "",
            )
            for row in rows
        ]
    header = ("id", "subscriber", "label", "created", "last fetched", "revoked")
    shown = 6 if all_ else 5
    widths = [max(len(cells[i]) for cells in [header, *table]) for i in range(shown)]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].rjust(widths[0])
        rest = [cell.ljust(width) for cell, width in zip(cells[1:shown], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    lines = [line(cells) for cells in table]
    if rows:
        console.print(bold(line(header)))
    for text in lines:
        console.print(text)
    if not rows:
        console.print("no feed tokens" + ("" if all_ else " (--all also shows revoked ones)"))
    else:
        console.print(
            "Times are UTC; last fetched is recorded at most once an hour per token.",
            style="dim",
        )


@feeds_app.command("rotate")
def feeds_rotate(
    token_id: TokenIdArg = None,
    school: SchoolOpt = None,
    group: GroupOpt = None,
    trainer: TrainerOpt = None,
    location: LocationOpt = None,
    company: CompanyOpt = None,
    campus: CampusOpt = False,
    label: LabelOpt = None,
    db: DbOption = None,
) -> None:
    """Replace one feed URL: that token is revoked, a new one with its label printed.

    Name the token by its id, or by its subscriber (and --label when it has several).

    Example: [bold]campus feeds rotate 7[/] or
    [bold]campus feeds rotate --trainer t-chantal-timmer[/]
    """
    name = _token_name(token_id, _named_view(school, group, trainer, location, company, campus))
    settings = FeedSettings.from_env()
    try:
        with session_scope(ready_engine(db)) as session:
            old = find_token(session, label=label, **name)  # type: ignore[arg-type]
            replaced = old.id
            new, token = rotate_token(session, token_id=old.id, now=_now())
            subject = find_subject(session, new.view, new.subject_key)
            named = describe_token(new)
    except FeedError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"new feed for {subject.view} {subject.name} (the old URL serves an empty calendar "
        f"for {settings.revoked_days} days, then 410 Gone):",
    )
    console.print(f"  {named}, replacing token {replaced}")
    _print_urls(settings, token)


@feeds_app.command("revoke")
def feeds_revoke(
    token_id: TokenIdArg = None,
    school: SchoolOpt = None,
    group: GroupOpt = None,
    trainer: TrainerOpt = None,
    location: LocationOpt = None,
    company: CompanyOpt = None,
    campus: CampusOpt = False,
    label: LabelOpt = None,
    db: DbOption = None,
) -> None:
    """Stop one feed URL; the subscriber's other tokens keep working.

    Name the token by its id, or by its subscriber (and --label when it has several).

    Example: [bold]campus feeds revoke 7[/] or
    [bold]campus feeds revoke --school vakcollege-noord --label "Ans, BBL-team"[/]
    """
    name = _token_name(token_id, _named_view(school, group, trainer, location, company, campus))
    settings = FeedSettings.from_env()
    try:
        with session_scope(ready_engine(db)) as session:
            row = revoke_token(session, now=_now(), label=label, **name)  # type: ignore[arg-type]
            named, view, key = describe_token(row), row.view, row.subject_key
    except FeedError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"revoked {named} ({view} {key or 'campus'}); it serves an empty calendar "
        f"for {settings.revoked_days} days, then 410 Gone",
    )


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: DbOption = None,
) -> None:
    """Start the HTTP service: the web pages at /, the API under /api/v1, calendar feeds and
    /health.

    Example: [bold]campus serve[/] then open http://127.0.0.1:8000/ (sign in with an API key),
    /health or /docs
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
