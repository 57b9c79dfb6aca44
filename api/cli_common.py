"""What every `campus` command shares: the database option, consoles, error exits."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text
from sqlalchemy import Engine

from models.db import ENV_URL, make_engine
from models.migrate import current_revision, head_revision, upgrade

# Names, keys and messages come from users: never parse what we print as rich markup, emoji
# codes or "highlights" ("Bouw [/b] School" once crashed a command after its commit). Style
# is added explicitly with `bold()` / rich Text, never by markup in a string.
console = Console(soft_wrap=True, markup=False, emoji=False, highlight=False)
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)


def bold(text: str, style: str = "bold") -> Text:
    """``text`` in a style, as plain text (no markup is parsed in it)."""
    return Text(text, style=style)


def line(*parts: str | Text) -> Text:
    """One printed line from plain strings and styled pieces."""
    return Text.assemble(*parts)

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
    err.print(line(bold("error:", "bold red"), f" {message}"))
    return typer.Exit(code)


def ready_engine(url: str | None) -> Engine:
    """An engine on an up-to-date schema: the CLI upgrades silently so users never must."""
    engine = make_engine(url)
    if current_revision(engine) != head_revision():
        upgrade(engine)
    return engine
