"""`campus settings show|set`: the campus settings from the shell, audited as the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from api.cli_common import DbOption, bold, console, err, fail, ready_engine
from models.audit import CLI
from models.db import session_scope
from models.settings import SettingsError, flat, load_settings, update_settings

settings_app = typer.Typer(
    help="Campus settings (school year, horizon, targets, mail, ...): show, set.",
    no_args_is_help=True,
)


def _value(text: str) -> Any:
    """A JSON value (650, true, null, "x") or, when it is not one, the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _nested(field: str, value: Any) -> dict[str, Any]:
    """"targets.vmbo_pupils", 650 -> {"targets": {"vmbo_pupils": 650}}."""
    out: Any = value
    for part in reversed(field.split(".")):
        out = {part: out}
    return out


@settings_app.command("show")
def show_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    db: DbOption = None,
) -> None:
    """Print every setting (defaults included), one 'field = value' a line."""
    engine = ready_engine(db)
    with session_scope(engine) as session:
        data = load_settings(session).model_dump(mode="json")
    if as_json:
        console.print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for field, value in flat(data).items():
        console.print(f"{field} = {json.dumps(value, ensure_ascii=False)}")


@settings_app.command("set")
def set_command(
    field: Annotated[
        str | None, typer.Argument(help="A setting, e.g. horizon_weeks or targets.vmbo_pupils.")
    ] = None,
    value: Annotated[
        str | None, typer.Argument(help="Its new value: 8, true, null, 2026-08-24, text.")
    ] = None,
    as_json: Annotated[
        str | None,
        typer.Option("--json", help='Several at once: \'{"horizon_weeks": 8, "targets": {...}}\'.'),
    ] = None,
    db: DbOption = None,
) -> None:
    """Change settings; every other setting keeps its value. Audited (actor: cli).

    Example: campus settings set school_year.first 2026-08-24
    """
    if as_json is not None:
        if field is not None:
            raise fail("give either FIELD VALUE or --json, not both; nothing was changed")
        try:
            changes = json.loads(as_json)
        except ValueError as exc:
            raise fail(f"--json is not valid JSON ({exc}); nothing was changed") from None
    elif field is not None and value is not None:
        changes = _nested(field, _value(value))
    else:
        raise fail("give FIELD VALUE (campus settings set horizon_weeks 8) or --json DOCUMENT")
    engine = ready_engine(db)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        with session_scope(engine) as session:
            _, changed = update_settings(session, changes, actor=CLI, now=now)
    except SettingsError as exc:
        for issue in exc.issues:
            err.print(f"{issue.path}: {issue.reason}")
        raise fail(f"nothing was changed ({len(exc.issues)} problem(s))") from None
    if not changed:
        console.print("Nothing changed: the settings already have these values.")
        return
    console.print(bold("Changed:"))
    for name, (old, new) in changed.items():
        console.print(f"  {name}: {json.dumps(old)} -> {json.dumps(new)}")


def register(app: typer.Typer) -> None:
    """Add `campus settings` to the command line."""
    app.add_typer(settings_app, name="settings")
