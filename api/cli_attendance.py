"""`campus attendance` and `campus report`: what actually happened, and what it adds up to."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import DbOption, console, fail, ready_engine
from api.files import write_atomic
from models.attendance import AMSTERDAM, AttendanceError, find_session, group_size, mark_attendance
from models.audit import Actor
from models.db import session_scope
from models.pins import session_uid_of
from models.report import ReportError, report_csv, report_dict, school_year, year_report

# The moment a mark is made; tests set it (a session must have started to be marked).
clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def _moment(text: str) -> datetime:
    """--now as an aware moment: Amsterdam wall time unless it has an offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"--now {text!r} is not a date-time such as 2027-04-01T17:00", 2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def attendance(
    uid: Annotated[
        str,
        typer.Argument(
            help="The session: its calendar UID (campus runs show, the feeds, "
            "GET /api/v1/trainers/{key}/sessions) or REQUEST#N, as campus pin takes it."
        ),
    ],
    held: Annotated[
        bool | None,
        typer.Option(
            "--held/--not-held", help="Whether the session took place.", show_default=False
        ),
    ] = None,
    attended: Annotated[
        int | None,
        typer.Option(
            "--attended", min=0, help="How many attended (with --held).", show_default=False
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="Check 'has it started' as if it were then (Amsterdam time, e.g. "
            "2027-04-01T17:00), to try it on a plan in the future; the mark and the audit keep "
            "the real time.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Mark a past session held (with the number who attended) or not held.

    Marking again changes the mark. Refused for a session that has not started, a cancelled
    one, and a number above the headcount of the session's groups. Audited (actor `cli`).

    Examples: [bold]campus attendance req-092-s1@tic-planner.campus --held --attended 23[/],
    [bold]campus attendance 'req-092#1' --not-held[/]
    """
    if held is None:
        raise fail("say --held (with --attended N) or --not-held", 2)
    uid = session_uid_of(uid)
    as_of = _moment(now) if now is not None else None
    engine = ready_engine(db)
    try:
        with session_scope(engine) as session:
            mark = find_session(session, uid)
            if mark is None:
                raise fail(f"no published session {uid!r} (the UID is in the feeds and in "
                           "campus runs show)")  # fmt: skip
            before = mark.attendance
            was = None if before is None else (before.held, before.attended)
            row, _ = mark_attendance(
                session, mark, held=held, attended=attended,
                actor=Actor(role="cli", label="campus attendance"), now=clock(), as_of=as_of,
            )  # fmt: skip
            size = group_size(mark.session)
            what = f"held, {row.attended} of {size} attended" if row.held else "not held"
    except AttendanceError as exc:
        raise fail(f"nothing was marked: {exc}") from None
    if was is None:
        console.print(f"{uid}: {what}")
    elif was == (row.held, row.attended):
        console.print(f"{uid}: {what} (unchanged)")
    else:
        old = f"held, {was[1]} attended" if was[0] else "not held"
        console.print(f"{uid}: {what} (was: {old})")


def report(
    year: Annotated[str, typer.Option("--year", help="The school year, e.g. 2026-2027.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the CSV to this file instead of stdout.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of CSV.")] = False,
    db: DbOption = None,
) -> None:
    """The yearly report: pupils reached per audience against the targets, per school and
    per host company, as CSV (docs/planning.md says what counts).

    Example: [bold]campus report --year 2026-2027 --out report-2026-2027.csv[/]
    """
    engine = ready_engine(db)
    try:
        with session_scope(engine) as session:
            made = year_report(session, school_year(session, year))
    except ReportError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        text = json.dumps(report_dict(made), ensure_ascii=False, indent=2) + "\n"
    else:
        text = report_csv(made)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        write_atomic(out, text.encode("utf-8"))
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    console.print(f"wrote {out} ({len(made.rows)} rows, {made.year.first}..{made.year.last})")


def register(app: typer.Typer) -> None:
    """Add `campus attendance` and `campus report` to the command line."""
    app.command()(attendance)
    app.command()(report)
