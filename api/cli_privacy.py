"""`campus prune` and `campus erase`: personal data under the AVG (GDPR), see docs/privacy.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from api.cli_common import DbOption, bold, console, err, fail, ready_engine
from models.audit import Actor
from models.db import session_scope
from models.privacy import EraseReport, ErasureError, PruneReport, erase_contact, erase_trainer
from models.privacy import prune as prune_data
from models.settings import load_settings

ERASE_ACTOR = Actor(role="cli", label="campus erase")  # never the erased person's key or name


def _now() -> datetime:
    """The current time (tests replace it: pruning depends on the day)."""
    return datetime.now(UTC).replace(microsecond=0)


def print_prune(report: PruneReport, *, dry_run: bool) -> None:
    verb = "would prune" if dry_run else "pruned"
    console.print(
        f"{verb} {report.audit_entries} audit entr{'y' if report.audit_entries == 1 else 'ies'} "
        f"from before {report.audit_before:%Y-%m-%d %H:%M} UTC"
    )
    console.print(
        f"{verb} {len(report.absences)} trainer absence(s) that ended before "
        f"{report.absences_before}"
    )
    for trainer, first, last in report.absences:
        console.print(f"  {trainer}: {first}..{last}")
    if report.notices:
        console.print(
            f"{verb} {report.notices} change notice(s) from before "
            f"{report.audit_before:%Y-%m-%d %H:%M} UTC"
        )


def prune_now(engine: Engine, *, now: datetime, dry_run: bool = False) -> PruneReport:
    """Prune in one transaction with the campus's retention setting."""
    with session_scope(engine) as session:
        return prune_data(session, load_settings(session), now=now, dry_run=dry_run)


def prune_at_startup(engine: Engine) -> None:
    """What `campus serve` runs before it listens; a busy database only delays the pruning."""
    try:
        report = prune_now(engine, now=_now())
    except OperationalError:
        err.print("warning: the database was busy, nothing was pruned; run `campus prune` later")
        return
    print_prune(report, dry_run=False)


def prune_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would be pruned.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Delete audit entries and trainer absences older than the campus's retention period.

    The period is the campus setting retention_days (default 730). `campus serve` also
    prunes once when it starts.

    Example: [bold]campus prune --dry-run[/] then [bold]campus prune[/]
    """
    engine = ready_engine(db)
    try:
        report = prune_now(engine, now=_now(), dry_run=dry_run)
    except OperationalError:
        raise fail("the database was busy and nothing was pruned: run the command again") from None
    with session_scope(engine) as session:
        days = load_settings(session).retention_days
    console.print(bold(f"Retention: {days} days{' (dry run: nothing deleted)' if dry_run else ''}"))
    print_prune(report, dry_run=dry_run)


def _erase_in(
    engine: Engine, action: Callable[[Session], EraseReport], *, keep: bool
) -> EraseReport:
    """Run an erase in one transaction; commit it only if ``keep`` (else it is a preview)."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        report = action(session)
        if keep:
            session.commit()
        else:
            session.rollback()
        return report
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _print_erase(report: EraseReport, verb: str) -> None:
    console.print(bold(f"{verb} {report.subject}:"))
    for text in report.changed:
        console.print(f"  {text}")
    for text in report.left_alone:
        console.print(f"  note: {text}")


def erase_command(
    trainer: Annotated[
        str | None, typer.Option("--trainer", help="Trainer key: erase this trainer.")
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="Partner key: erase this partner's contact person."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Erase a person's personal data everywhere, the audit included (AVG/GDPR).

    A trainer keeps their sessions under a placeholder name ("Trainer 7 (gewist)") and a new
    key; their e-mail, absences, API keys and feed tokens go. A contact person's name, e-mail
    and phone are blanked. Shows what it will change and asks first, unless --yes.

    Example: [bold]campus erase --trainer t-chantal-timmer[/] or
    [bold]campus erase --contact warmte-west --yes[/]
    """
    if (trainer is None) == (contact is None):
        raise fail("name exactly one person: --trainer KEY or --contact PARTNER")
    now = _now()

    def action(session: Session) -> EraseReport:
        if trainer is not None:
            return erase_trainer(session, trainer, actor=ERASE_ACTOR, now=now)
        assert contact is not None
        return erase_contact(session, contact, actor=ERASE_ACTOR, now=now)

    engine = ready_engine(db)
    try:
        if not yes:
            _print_erase(_erase_in(engine, action, keep=False), "This will erase")
            if not typer.confirm("Erase? This cannot be undone", default=False):
                raise fail("nothing was erased")
        report = _erase_in(engine, action, keep=True)
    except ErasureError as exc:
        raise fail(f"{exc}; nothing was erased") from None
    except (IntegrityError, OperationalError) as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
        raise fail(f"the database refused the erase ({reason}); nothing was erased") from None
    _print_erase(report, "Erased")
    console.print(
        "Remove the person from your scenario files too: loading a file that still names them "
        "creates them again."
    )


def register(app: typer.Typer) -> None:
    """Add `campus prune` and `campus erase` to the command line."""
    app.command("prune")(prune_command)
    app.command("erase")(erase_command)
