"""Engine and session set-up: one place that knows the database URL and its quirks.

SQLite is shared by a busy feed server and by commands that write (solve, publish, load),
so every SQLite connection runs in WAL mode (readers never block the writer, the writer
never blocks readers) with a busy timeout (a writer waits for another writer instead of
failing at once), and short writes go through ``write_retrying`` which starts them again
when the database stays locked anyway.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "CAMPUS_DATABASE_URL"
DEFAULT_URL = "sqlite:///campus.db"
# How long one SQLite statement waits for another connection's write lock (milliseconds).
# Writes are short (one run row, one publication, one heartbeat), so waiting beats failing.
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Attempts of ``write_retrying`` (each may itself wait SQLITE_BUSY_TIMEOUT_MS).
WRITE_ATTEMPTS = 5

log = logging.getLogger(__name__)
T = TypeVar("T")


def database_url(url: str | None = None) -> str:
    """The URL in force: an explicit one, else ``$CAMPUS_DATABASE_URL``, else ./campus.db."""
    return url or os.environ.get(ENV_URL) or DEFAULT_URL


def _configure_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Per connection: foreign keys (off by default), the busy timeout, WAL journal mode."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL is stored in the file, so this switches once; an in-memory database answers
    # "memory" and stays as it is.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    resolved = database_url(url)
    engine = create_engine(resolved, echo=echo, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def is_transient(exc: BaseException) -> bool:
    """A failure that a fresh attempt of the same transaction may not meet again.

    SQLite: "database is locked" / "database is busy" (the busy timeout ran out, or a
    snapshot went stale); PostgreSQL: serialization failure and deadlock (40001, 40P01).
    """
    if not isinstance(exc, DBAPIError):
        return False
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        if "database is locked" in text or "database is busy" in text:
            return True
    return getattr(exc.orig, "sqlstate", None) in ("40001", "40P01")


def write_retrying(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    attempts: int = WRITE_ATTEMPTS,
    what: str = "write",
) -> T:
    """Run ``work`` in its own transaction, again from the start while it meets a lock.

    ``work`` must do all its reading and writing through the session it gets, so that a
    rolled-back attempt leaves nothing behind. The last transient error is raised as is.
    """
    for attempt in range(1, attempts + 1):
        try:
            with session_scope(engine) as session:
                return work(session)
        except DBAPIError as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            pause = min(2.0, 0.05 * 2**attempt) * (0.5 + random.random())
            log.warning("%s: database busy (attempt %d of %d), retrying", what, attempt, attempts)
            time.sleep(pause)
    raise AssertionError("unreachable")  # the loop returns or raises


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
