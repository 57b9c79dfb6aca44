"""What every `campus` command shares: the database option, consoles, error exits."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from models.db import ENV_URL, make_engine
from models.migrate import current_revision, head_revision, upgrade

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"Database URL (overrides ${ENV_URL}), e.g. sqlite:///campus.db or "
        "postgresql+psycopg://user@127.0.0.1/campus.",
        show_default=False,
    ),
]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr; raise the returned Exit."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def ready_engine(url: str | None) -> Engine:
    """An engine on an up-to-date schema: the CLI upgrades silently so users never must."""
    engine = make_engine(url)
    if current_revision(engine) != head_revision():
        upgrade(engine)
    return engine
