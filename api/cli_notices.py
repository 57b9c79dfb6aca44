"""`campus notices list|send`, and what `campus publish` prints about the notices it made.

The notices themselves are made in models/notices.py, in the transaction of what they tell;
e-mail goes out only after that commit (``send_pending``), and a failure is recorded on the
notice for `campus notices send` to retry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from sqlalchemy import Engine, select

from api.cli_common import DbOption, bold, console, err, fail, ready_engine
from models import entities as e
from models.audit_read import AuditFilterError, parse_moment
from models.db import session_scope
from models.keys import Principal
from models.notices import (
    MailConfigError,
    SendReport,
    list_notices,
    scoped_notices,
    send_pending,
)

notices_app = typer.Typer(
    help="Change notices, request decisions and planner alerts: list them, send their e-mail.",
    no_args_is_help=True,
)
ALL = 2**31 - 1  # the CLI prints every item, not a page
CAMPUS = Principal(key_id=0, role="planner", partner=None, trainer=None, label="campus CLI")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def notice_json(notice: e.Notice) -> dict[str, Any]:
    sent = _utc(notice.emailed_at)
    return {
        "id": notice.id,
        "created_at": _utc(notice.created_at).isoformat(),  # type: ignore[union-attr]
        "kind": notice.kind,
        "party": {"role": notice.party_role, "key": notice.party_key, "name": notice.party_name},
        "language": notice.language,
        "subject": notice.subject,
        "body": notice.body,
        "changes": notice.changes,
        "publication": notice.publication.version if notice.publication else None,
        "email": {
            "to": notice.email_to,
            "status": notice.email_status,
            "attempts": notice.email_attempts,
            "sent_at": sent.isoformat() if sent else None,
            "error": notice.email_error,
        },
    }


def _who(notice: e.Notice) -> str:
    if notice.party_role == "planner":
        return "planners"
    return f"{notice.party_role} {notice.party_key}"


def print_report(report: SendReport) -> None:
    """One line for what was sent and one per failure, with how to retry."""
    if not report.enabled:
        return
    if report.sent:
        console.print(f"e-mailed {len(report.sent)} notice(s)")
    for notice_id, error in report.failed.items():
        err.print(f"warning: notice {notice_id} was not e-mailed: {error}")
    if report.failed:
        err.print("warning: `campus notices send` tries the unsent notices again")


def send_after_commit(engine: Engine, notice_ids: list[int]) -> None:
    """E-mail the notices a command just committed; a mail problem is a warning, never an
    error: what they tell has happened and stays."""
    if not notice_ids:
        return
    try:
        report = send_pending(engine, ids=notice_ids)
    except MailConfigError as exc:
        err.print(f"warning: no notice was e-mailed: {exc}")
        return
    print_report(report)


def print_made(engine: Engine, notice_ids: list[int]) -> None:
    """After a publish: who was told, and how (e-mail or the API only)."""
    if not notice_ids:
        return
    with session_scope(engine) as session:
        rows = session.scalars(
            select(e.Notice).where(e.Notice.id.in_(notice_ids)).order_by(e.Notice.id)
        ).all()
        lines = [f"  {_who(n)}: {n.subject} [{n.email_status}]" for n in rows]
    console.print(bold(f"notices: {len(lines)} (GET /api/v1/changes)"))
    for text in lines:
        console.print(text)


@notices_app.command("list")
def list_command(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only notices made at or after this moment: 2027-03-01 (that day's start) or "
            "2027-03-01T08:00 (Amsterdam time unless an offset is given).",
        ),
    ] = None,
    party: Annotated[
        str | None, typer.Option("--party", help="A partner's or trainer's key.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=f"One of {', '.join(e.NOTICE_KINDS)}."),
    ] = None,
    unsent: Annotated[
        bool, typer.Option("--unsent", help="Only notices whose e-mail failed or waits.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    db: DbOption = None,
) -> None:
    """Every notice, oldest first: who, what, and the state of its e-mail.

    Example: [bold]campus notices list --since 2027-03-01 --party vmbo-zuidoost[/]
    """
    if kind is not None and kind not in e.NOTICE_KINDS:
        raise fail(f"unknown kind {kind!r}: one of {', '.join(e.NOTICE_KINDS)}", code=2)
    try:
        moment = parse_moment("--since", since, end_of_day=False) if since is not None else None
    except AuditFilterError as exc:
        raise fail(f"{exc.parameter}: {exc.reason}", code=2) from None
    engine = ready_engine(db)
    with session_scope(engine) as session:
        query = scoped_notices(CAMPUS)
        if unsent:
            query = query.where(e.Notice.email_status.in_(("pending", "sending", "failed")))
        page = list_notices(
            session, query, since=moment, kind=kind, party=party, limit=ALL, offset=0
        )
        items = [notice_json(n) for n in page.items]
    if as_json:
        console.print(json.dumps(items, indent=2, ensure_ascii=False))
        return
    if not items:
        console.print("no notices")
    for item in items:
        email = item["email"]
        state = email["status"] + (f" ({email['error']})" if email["error"] else "")
        who = "planners" if item["party"]["role"] == "planner" else (
            f"{item['party']['role']} {item['party']['key']}"
        )  # fmt: skip
        console.print(
            f"notice {item['id']}  {item['created_at'][:16].replace('T', ' ')} UTC  "
            f"{item['kind']}  {who}  {item['language']}  e-mail {state}"
        )
        console.print(f"  {item['subject']}")


@notices_app.command("send")
def send_command(db: DbOption = None) -> None:
    """E-mail every notice whose e-mail waits or failed, through the campus's SMTP server.

    Exits 1 when mail is off, when the password variable is missing, or when a notice could
    not be sent (each failure is printed and stays recorded for the next try).

    Example: [bold]CAMPUS_SMTP_PASSWORD=... campus notices send[/]
    """
    engine = ready_engine(db)
    try:
        report = send_pending(engine, now=_now())
    except MailConfigError as exc:
        raise fail(str(exc)) from None
    if not report.enabled:
        raise fail(
            "mail is off: `campus settings set mail.enabled true` (with mail.smtp_host and "
            "mail.sender) turns it on"
        )
    if not report.sent and not report.failed:
        console.print("nothing to send")
        return
    print_report(report)
    if report.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `campus notices` to the `campus` command line."""
    app.add_typer(notices_app, name="notices")
