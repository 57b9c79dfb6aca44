"""`campus pin|unpin|move` and `campus change-requests list|decide`: the planner's hand on
the published plan (models/pins.py, models/moves.py, models/change_requests.py).

Sessions are named by calendar UID or as ``REQUEST#N`` (``r-ws-1#1``). A move or a decision
that moves or cancels makes a new run that is not published: review it with `campus runs
show` and publish it with `campus publish`. Every change is audited with actor ``cli``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from api.cli_common import DbOption, console, err, fail, ready_engine
from api.cli_notices import send_after_commit
from models.audit import CLI
from models.change_requests import (
    ChangeRequestError,
    decide,
    find_change_request,
    list_change_requests,
    party_language,
)
from models.db import session_scope
from models.entities import ChangeRequest
from models.keys import Principal
from models.moves import MoveError, MoveRefused
from models.moves import move_session as move_in_plan
from models.pins import PinError, pin_session, session_uid_of, unpin_session
from models.words import LANGUAGES, Language

change_app = typer.Typer(
    help="Change requests of schools, companies and trainers: list them, decide them.",
    no_args_is_help=True,
)
PLANNER = Principal(key_id=0, role="planner", partner=None, trainer=None, label=CLI.label)
ALL = 2**31 - 1
SessionArg = Annotated[
    str,
    typer.Argument(
        metavar="SESSION", help="The session: its calendar UID, or REQUEST#N (e.g. r-ws-1#1)."
    ),
]
StartOption = Annotated[
    str | None,
    typer.Option("--start", help="New start, Amsterdam wall time: 2027-03-30T13:00."),
]
LocationOption = Annotated[str | None, typer.Option("--location", help="New location's key.")]
TrainerOption = Annotated[
    list[str] | None,
    typer.Option("--trainer", help="New trainer's key; repeat for every trainer."),
]
LangOption = Annotated[
    str, typer.Option("--lang", help="Language of refusal reasons: nl (default) or en.")
]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _start(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"--start {text!r}: write Amsterdam wall time as 2027-03-30T13:00", 2) from None
    if moment.tzinfo is not None:
        raise fail(f"--start {text!r}: give Amsterdam wall time without an offset", 2)
    return moment


def _lang(value: str) -> Language:
    if value not in LANGUAGES:
        raise fail(f"--lang {value!r}: use one of {', '.join(LANGUAGES)}", 2)
    return value  # type: ignore[return-value]


def _refused(exc: MoveRefused, lang: Language) -> typer.Exit:
    err.print(f"error: moving {exc.uid} breaks {len(exc.refusals)} hard rule(s); nothing stored:")
    for refusal in exc.refusals:
        err.print(f"  {refusal.text(lang)}")
    return typer.Exit(1)


def pin_command(session_name: SessionArg, db: DbOption = None) -> None:
    """Pin a session of the published plan: every later solve keeps it where it is.

    Example: campus pin r-ws-1#1
    """
    uid = session_uid_of(session_name)
    engine = ready_engine(db)
    try:
        with session_scope(engine) as session:
            ps, added = pin_session(session, uid, actor=CLI, now=_now())
            where = f"{ps.start:%a %Y-%m-%d %H:%M}-{ps.end:%H:%M} at {ps.location.key}"
    except PinError as exc:
        raise fail(exc.reason) from None
    console.print(f"{'pinned' if added else 'already pinned'}: {uid} ({where})")


def unpin_command(session_name: SessionArg, db: DbOption = None) -> None:
    """Remove a session's pin: later solves may move it again.

    Example: campus unpin r-ws-1#1
    """
    uid = session_uid_of(session_name)
    engine = ready_engine(db)
    try:
        with session_scope(engine) as session:
            removed = unpin_session(session, uid, actor=CLI, now=_now())
    except PinError as exc:
        raise fail(exc.reason) from None
    console.print(f"unpinned: {uid}" if removed else f"{uid} was not pinned")


def move_command(
    session_name: SessionArg,
    start: StartOption = None,
    location: LocationOption = None,
    trainer: TrainerOption = None,
    lang: LangOption = "nl",
    db: DbOption = None,
) -> None:
    """Move a published session by hand; checked against every hard rule. It makes a new
    run (not published): review it with `campus runs show`, publish with `campus publish`.

    Example: campus move r-ws-1#1 --start 2027-03-30T13:00 --trainer t-sanne
    """
    uid = session_uid_of(session_name)
    language = _lang(lang)
    moment = _start(start)
    if moment is None and location is None and not trainer:
        raise fail("give --start, --location or --trainer", 2)
    engine = ready_engine(db)
    try:
        with session_scope(engine) as session:
            made = move_in_plan(
                session, uid, start=moment, location=location, trainers=trainer or None,
                actor=CLI, now=_now(),
            )  # fmt: skip
            run_id = made.run.id
    except MoveError as exc:
        raise fail(exc.reason, 2 if exc.kind == "invalid" else 1) from None
    except MoveRefused as exc:
        raise _refused(exc, language) from None
    after = made.after
    assert after is not None
    console.print(
        f"run {run_id}: {uid} moved from {made.before.start:%a %Y-%m-%d %H:%M} at "
        f"{made.before.location} to {after.start:%a %Y-%m-%d %H:%M} at {after.location} "
        f"({', '.join(after.trainers)}), pinned; not published: review with "
        f"`campus runs show {run_id}`, publish with `campus publish {run_id}`"
    )


def _json(row: ChangeRequest) -> dict[str, Any]:
    ps = row.published_session
    return {
        "id": row.id, "session": ps.uid, "request": ps.request.key,
        "start": ps.start.isoformat(timespec="minutes"), "location": ps.location.key,
        "kind": row.kind, "reason": row.reason, "wish": row.wish, "status": row.status,
        "asked_by": row.asked_role, "partner": row.asked_partner, "trainer": row.asked_trainer,
        "decision_reason": row.decision_reason, "run": row.run_id,
    }  # fmt: skip


def _line(row: ChangeRequest) -> str:
    ps = row.published_session
    who = row.asked_partner or row.asked_trainer or row.asked_label or row.asked_role
    wish = f" (wish: {row.wish})" if row.wish else ""
    decided = ""
    if row.status != "open":
        decided = f" -> {row.status}" + (f" run {row.run_id}" if row.run_id else "")
        decided += f": {row.decision_reason}" if row.decision_reason else ""
    return (
        f"#{row.id}  {row.status}  {row.kind} {ps.uid} ({ps.start:%a %Y-%m-%d %H:%M} at "
        f"{ps.location.key})  by {row.asked_role} {who}: {row.reason}{wish}{decided}"
    )


@change_app.command("list")
def list_command(
    only_open: Annotated[bool, typer.Option("--open", help="Only those still to decide.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    db: DbOption = None,
) -> None:
    """Every change request, oldest first, one line each.

    Example: campus change-requests list --open
    """
    engine = ready_engine(db)
    with session_scope(engine) as session:
        rows = list_change_requests(
            session, PLANNER, status="open" if only_open else None, limit=ALL, offset=0
        ).items
        documents = [_json(row) for row in rows]
        lines = [_line(row) for row in rows]
    if as_json:
        print(json.dumps(documents, indent=2, ensure_ascii=False))
        return
    if not lines:
        console.print("No open change requests." if only_open else "No change requests yet.")
    for text in lines:
        console.print(text)


@change_app.command("decide")
def decide_command(
    change_id: Annotated[int, typer.Argument(help="The change request's id.")],
    decision: Annotated[str, typer.Argument(help="move, cancel or refuse.")],
    reason: Annotated[
        str, typer.Option("--reason", help="What the party reads (needed to refuse).")
    ] = "",
    start: StartOption = None,
    location: LocationOption = None,
    trainer: TrainerOption = None,
    lang: LangOption = "nl",
    db: DbOption = None,
) -> None:
    """Decide a change request: move (validated, with --start/--location/--trainer), cancel,
    or refuse with --reason. A move or cancellation makes a new run to review and publish.

    Example: campus change-requests decide 3 refuse --reason "De hal is bezet"
    """
    language = _lang(lang)
    moment = _start(start)
    engine = ready_engine(db)
    try:
        with session_scope(engine) as session:
            row = find_change_request(session, PLANNER, change_id) if change_id <= ALL else None
            if row is None:
                raise fail(f"no change request {change_id}: `campus change-requests list`")
            made = decide(
                session, row, decision, reason=reason, start=moment, location=location,
                trainers=trainer or None, actor=CLI, now=_now(),
            )  # fmt: skip
            text = _line(made.row)
            told = made.notice.text(party_language(session, made.row))
            session.flush()
            notice_ids = [n.id for n in made.notice.told]
    except ChangeRequestError as exc:
        raise fail(exc.reason, 2 if exc.kind == "invalid" else 1) from None
    except MoveRefused as exc:
        raise _refused(exc, language) from None
    console.print(text)
    console.print(f"the party reads: {told}")
    send_after_commit(engine, notice_ids)  # e-mail once the decision has committed


def register(app: typer.Typer) -> None:
    """Add `campus pin`, `unpin`, `move` and `change-requests` to the command line."""
    app.command("pin")(pin_command)
    app.command("unpin")(unpin_command)
    app.command("move")(move_command)
    app.add_typer(change_app, name="change-requests")
