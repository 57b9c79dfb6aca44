"""`campus keys create|list|revoke`: bearer keys of the HTTP API (see docs/api.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from api.cli_common import DbOption, bold, console, fail, ready_engine
from models.audit import CLI
from models.db import session_scope
from models.feeds import as_utc
from models.keys import (
    ROLES,
    ApiKeyError,
    create_key,
    key_status,
    list_keys,
    record_created,
    revoke_recorded,
)

keys_app = typer.Typer(
    help="API keys for the HTTP API: create, list, revoke.", no_args_is_help=True
)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _when(moment: datetime | None) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "-"


@keys_app.command("create")
def create_command(
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")],
    partner: Annotated[
        str | None, typer.Option("--partner", help="Partner key (company and school keys).")
    ] = None,
    trainer: Annotated[str | None, typer.Option("--trainer", help="Trainer key.")] = None,
    label: Annotated[str, typer.Option("--label", help="Who holds the key.")] = "",
    expires: Annotated[
        datetime | None,
        typer.Option(
            "--expires",
            formats=["%Y-%m-%d"],
            help="The key stops working at the start of this day (Amsterdam time).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Make an API key and print it once; only its hash is stored.

    Example: campus keys create --role school --partner roc-sloterdijk-techniek
    --label "Ans, BBL-team" --expires 2027-08-01
    """
    engine = ready_engine(db)
    expiry: date | None = expires.date() if expires is not None else None
    now = _now()
    try:
        with session_scope(engine) as session:
            row, secret = create_key(
                session,
                role=role,
                partner=partner,
                trainer=trainer,
                label=label,
                expires=expiry,
                now=now,
            )
            key_id = row.id
            record_created(session, CLI, row, now=now)
    except ApiKeyError as exc:
        raise fail(f"{exc}; no key was made") from None
    scope = partner or trainer or "the whole campus"
    console.print(bold(f"API key {key_id}: {role}, {scope}"))
    console.print(f"  {secret}")
    console.print(
        "  The key is shown only now; it is stored as a hash. Treat it as a password and send "
        "it as 'Authorization: Bearer <key>'.",
        style="dim",
    )


@keys_app.command("list")
def list_command(db: DbOption = None) -> None:
    """Every API key with its role, scope and status; never the secret."""
    engine = ready_engine(db)
    now = _now()
    with session_scope(engine) as session:
        lines = [
            f"{row.id:>4}  {row.role:<8} {row.partner_key or row.trainer_key or 'campus':<24} "
            f"{key_status(row, now):<8} created {_when(row.created_at)}, "
            f"expires {_when(row.expires_at)}, last used {_when(row.last_used_at)}"
            + (f"  {row.label}" if row.label else "")
            for row in list_keys(session)
        ]
    if not lines:
        console.print("No API keys yet: campus keys create --role planner --label NAME")
        return
    console.print(bold("  id  role     scope                    status"))
    for text in lines:
        console.print(text)


@keys_app.command("revoke")
def revoke_command(
    key_id: Annotated[int, typer.Argument(help="The key's id (see campus keys list).", min=1)],
    db: DbOption = None,
) -> None:
    """Stop a key at once (its holder gets 401 from then on)."""
    engine = ready_engine(db)
    now = _now()
    try:
        with session_scope(engine) as session:
            row = revoke_recorded(session, key_id, actor=CLI, now=now)
            what = f"{row.role}, {row.partner_key or row.trainer_key or 'campus'}"
    except ApiKeyError as exc:
        raise fail(str(exc)) from None
    console.print(f"Revoked API key {key_id} ({what}).")


def register(app: typer.Typer) -> None:
    """Add `campus keys` to the command line."""
    app.add_typer(keys_app, name="keys")
