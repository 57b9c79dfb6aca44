"""Engine and session set-up: one place that knows the database URL and its quirks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "CAMPUS_DATABASE_URL"
DEFAULT_URL = "sqlite:///campus.db"


def database_url(url: str | None = None) -> str:
    """The URL in force: an explicit one, else ``$CAMPUS_DATABASE_URL``, else ./campus.db."""
    return url or os.environ.get(ENV_URL) or DEFAULT_URL


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # SQLite ignores REFERENCES clauses unless asked on every connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    resolved = database_url(url)
    engine = create_engine(resolved, echo=echo, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def describe(url: str | None = None) -> str:
    """A URL fit for printing: no password, and the absolute path of a SQLite file."""
    engine_url = make_engine(url).url
    if engine_url.get_backend_name() == "sqlite" and engine_url.database:
        return f"sqlite:///{Path(engine_url.database).resolve()}"
    return engine_url.render_as_string(hide_password=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back everything when it fails."""
    factory = sessionmaker(engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
