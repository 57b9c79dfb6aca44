"""The `campus` command line: database, scenario files, solving, publishing, serving."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_attendance import register as register_attendance_commands
from api.cli_common import DbOption, console, err, fail, ready_engine
from api.cli_demo import demo
from api.cli_feeds import register as register_feed_commands
from api.cli_keys import register as register_key_commands
from api.cli_notices import register as register_notice_commands
from api.cli_pins import register as register_pin_commands
from api.cli_privacy import register as register_privacy_commands
from api.cli_review import register as register_review_commands
from api.cli_runs import register as register_run_commands
from api.cli_settings import register as register_settings_commands
from api.cli_solve import register as register_solve_commands
from api.cli_tools import register as register_tool_commands
from api.files import write_atomic
from models.audit_load import load_actor, load_snapshot, record_load
from models.db import ENV_URL, describe, make_engine, session_scope
from models.migrate import current_revision, upgrade
from models.removals import RemovalsRefused
from models.scenario import ScenarioError, json_schema
from models.store import dump_scenario, export_scenario, load_files

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "docs" / "scenario.schema.json"

app = typer.Typer(
    name="campus",
    help=(
        "TIC Planner: plan the workshops and courses of the Technische Installatie Campus.\n\n"
        f"The database is ${ENV_URL} (default: ./campus.db, SQLite)."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create or update the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create the schema, or migrate it to the newest version.

    Example: [bold]campus db upgrade[/] or [bold]campus db upgrade --db sqlite:///other.db[/]
    """
    engine = make_engine(db)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    where = describe(db)
    if before == after:
        console.print(f"{where}: schema already at revision {after}")
    else:
        console.print(f"{where}: schema upgraded from {before or 'empty'} to revision {after}")


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files, loaded together.")],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Apply the load even where it removes stored data the files leave out "
            "(windows, equipment, fields...), and list what it removed.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Only check the files and show what the load would change."
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Import scenario files: upsert by key, all in one transaction.

    On any error nothing is imported and every problem is listed as FILE: PATH: REASON.
    The files are the truth for the entities they name: anything stored that they leave out
    (a window, an equipment entry, a field) would be removed. Such a load is refused, with
    what it would remove listed, unless [bold]--replace[/] is given.

    Example: [bold]campus load examples/amsterdam/*.yaml[/]
    or [bold]campus load --dry-run my-location.yaml[/]
    """
    engine = ready_engine(db)
    try:
        with session_scope(engine) as session:
            before = None if dry_run else load_snapshot(session)  # the audit, per entity
            summary = load_files(session, files, replace=replace, dry_run=dry_run)
            if before is not None:
                record_load(session, before, load_actor(files))
    except RemovalsRefused as exc:
        for removal in exc.removals:
            for text in removal.lines():
                err.print(text)
        raise fail(
            f"nothing was imported: the files would remove the {exc.count} item(s) listed "
            "above; re-run with --replace to apply"
        ) from None
    except ScenarioError as exc:
        for problem in exc.problems:
            err.print(str(problem))
        raise fail(f"nothing was imported ({len(exc.problems)} problem(s))") from None
    if summary.removed:
        count = sum(r.count for r in summary.removed)
        console.print(f"{'would remove' if dry_run else 'removed'} {count} item(s):")
        for removal in summary.removed:
            for text in removal.lines(done=not dry_run):
                console.print(text)
    if dry_run:
        title = f"Dry run against {describe(db)}: nothing was written"
    else:
        title = f"Loaded into {describe(db)}"
    table = Table(title=title)
    table.add_column("section")
    table.add_column("created" if not dry_run else "would create", justify="right")
    table.add_column("updated" if not dry_run else "would update", justify="right")
    for section in sorted(set(summary.created) | set(summary.updated)):
        table.add_row(
            section, str(summary.created.get(section, 0)), str(summary.updated.get(section, 0))
        )
    console.print(table)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="Where to write the YAML ('-' for stdout).")],
    db: DbOption = None,
) -> None:
    """Write the whole database as one scenario file (loadable again with `campus load`).

    Example: [bold]campus export backup.yaml[/]
    """
    engine = ready_engine(db)
    with session_scope(engine) as session:
        text = dump_scenario(export_scenario(session))
    if str(file) == "-":
        sys.stdout.write(text)
        return
    write_atomic(file, text.encode("utf-8"))
    console.print(f"wrote {file}")


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the scenario format (docs/scenario.schema.json).

    Example: [bold]campus schema --out docs/scenario.schema.json[/]
    """
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


app.command()(demo)
register_solve_commands(app)
register_tool_commands(app)


register_feed_commands(app)
register_key_commands(app)
register_settings_commands(app)
register_privacy_commands(app)
register_run_commands(app)
register_notice_commands(app)
register_pin_commands(app)
register_review_commands(app)
register_attendance_commands(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
