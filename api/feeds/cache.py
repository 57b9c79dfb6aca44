"""Rendered feeds kept in memory: each feed is rendered once per publication, not per request.

A subscriber's app polls every few minutes and nearly always gets a 304, so the route must
answer from a stored ETag without reading sessions or writing iCalendar. An entry holds the
bytes, ETag and Last-Modified of one subject's feed and is valid while

- the publication version is the one it was rendered for (checked on every request with one
  small query, so a `campus publish` from another process is seen at once),
- the subject's name is unchanged (read on every request anyway, for the 410 of a deleted
  subject),
- the clock is inside [rendered at, ``FeedData.changes_at``): the window moves on at midnight
  and a cancelled session leaves the feed when its grace period ends,
- and it is younger than ``cache_seconds``, so catalogue edits loaded without a publication
  (a renamed activity, a new address or contact) reach subscribers within that time.

Each process (uvicorn worker) has its own cache; all of them validate against the same
database, and Last-Modified comes from the shared ``feed_states`` table, so workers agree.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.feeds.http import strong_etag
from api.feeds.ical import render_feed
from api.feeds.settings import FeedSettings
from models.feeds import (
    FeedSubject,
    TokenCheck,
    as_utc,
    check_token,
    feed_data,
    observe_feed,
    publication_version,
)

__all__ = ["CachedFeed", "FeedCache", "LookupUnavailable", "TokenLookup", "served_feed"]


@dataclass(frozen=True)
class CachedFeed:
    """One rendered feed and the conditions under which its bytes are still the right ones."""

    version: int
    name: str
    rendered_at: datetime
    valid_until: datetime
    body: bytes
    etag: str
    last_modified: datetime


class FeedCache:
    """A thread-safe LRU of rendered feeds by (view, key), with one render lock per feed."""

    def __init__(self, *, max_seconds: int = 300, max_entries: int = 4096) -> None:
        self.max_age = timedelta(seconds=max_seconds)
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], CachedFeed] = OrderedDict()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self.renders = 0  # how many feeds were rendered: the benchmark and tests read it

    def get(self, subject: FeedSubject, *, version: int, now: datetime) -> CachedFeed | None:
        """The stored feed if it is still exactly what a render now would give, else None."""
        key = (subject.view, subject.key)
        with self._guard:
            entry = self._entries.get(key)
            if entry is None:
                return None
            fresh = (
                entry.version == version
                and entry.name == subject.name
                and entry.rendered_at <= now < entry.valid_until
                and now - entry.rendered_at < self.max_age
            )
            if not fresh:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, subject: FeedSubject, entry: CachedFeed) -> None:
        """Store a fresh render (counted in ``renders``); with max_seconds 0 nothing is kept."""
        with self._guard:
            self.renders += 1
            if self.max_age <= timedelta(0):
                return
            self._entries[(subject.view, subject.key)] = entry
            self._entries.move_to_end((subject.view, subject.key))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def lock(self, subject: FeedSubject) -> threading.Lock:
        """One lock per feed: a burst of requests after a publish renders it once, not N times."""
        with self._guard:
            return self._locks.setdefault((subject.view, subject.key), threading.Lock())

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()


def served_feed(
    session: Session,
    subject: FeedSubject,
    *,
    settings: FeedSettings,
    cache: FeedCache,
    now: datetime,
) -> CachedFeed:
    """The feed's bytes, ETag and Last-Modified: from the cache, or rendered and stored."""
    now = as_utc(now)
    # The version is read before the sessions: if a publish lands in between, the bytes are
    # newer than the version they are stored under and the next request renders again;
    # bytes older than their version can never be stored.
    version = publication_version(session)
    entry = cache.get(subject, version=version, now=now)
    if entry is not None:
        return entry
    with cache.lock(subject):
        entry = cache.get(subject, version=version, now=now)  # rendered while we waited
        if entry is not None:
            return entry
        data = feed_data(session, subject, now=now, window=settings.window)
        body = render_feed(data, refresh=settings.refresh, base_url=settings.public_url)
        etag = strong_etag(body)
        entry = CachedFeed(
            version=version,
            name=subject.name,
            rendered_at=now,
            valid_until=data.changes_at or now,
            body=body,
            etag=etag,
            last_modified=observe_feed(session, subject, etag, now=now),
        )
        cache.put(subject, entry)
        return entry


class LookupUnavailable(RuntimeError):
    """The quick check could not run (connection busy or broken): take the full path."""


class TokenLookup:
    """The per-request token check on a connection of its own, for the event loop.

    The feed route answers cache hits without a worker thread (a thread hop per request
    halved the throughput). A connection taken from the shared pool on the event loop could
    block the whole server while the pool is exhausted by threads, so the quick check keeps
    one connection for itself, in autocommit mode so no transaction stays open.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._lock = threading.Lock()

    def check(self, token: str) -> TokenCheck | None:
        """check_token on the own connection; LookupUnavailable if busy or failing."""
        if not self._lock.acquire(blocking=False):
            raise LookupUnavailable("the quick lookup is in use")
        try:
            if self._connection is None:
                # Autocommit: one round trip per check, no BEGIN/ROLLBACK around it (each one
                # blocks the event loop while the database answers).
                connection = self.engine.connect()
                self._connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            try:
                return check_token(self._connection, token)
            finally:
                self._connection.rollback()  # no transaction is left open (no-op in autocommit)
        except SQLAlchemyError as error:
            self._close()  # reconnect next time (e.g. the database restarted)
            raise LookupUnavailable(str(error)) from error
        finally:
            self._lock.release()

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.invalidate()
                connection.close()
            except SQLAlchemyError:
                pass

    def close(self) -> None:
        with self._lock:
            self._close()
