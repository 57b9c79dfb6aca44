"""GET/HEAD /cal/{token}.ics: the calendar feed a subscriber's app polls.

The token is the only credential (Google fetches from its own servers, without cookies),
so it is never logged, never echoed, and the responses ask not to be indexed or referred.

Most requests are polls of an unchanged feed. They are answered on the event loop with one
query (token, subject name, publication version) and the stored render (api/feeds/cache.py);
everything else (first render after a publish, revoked or renamed subjects, a busy quick
lookup) takes the full path in a worker thread with its own transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import (
    EngineDep,
    FeedCacheDep,
    FetchRecorderDep,
    NowDep,
    SettingsDep,
    TokenLookupDep,
)
from api.feeds.cache import FeedCache, LookupUnavailable, served_feed
from api.feeds.fetches import FetchRecorder
from api.feeds.http import MEDIA_TYPE, PRIVACY_HEADERS, feed_headers, not_modified, strong_etag
from api.feeds.ical import render_feed
from api.feeds.settings import FeedSettings
from models.db import session_scope
from models.entities import FeedToken
from models.feeds import FeedData, FeedError, FeedSubject, as_utc, find_subject, lookup_token
from models.words import phrase

router = APIRouter(tags=["feeds"])

_GONE_HEADERS = {"Cache-Control": "no-store", **PRIVACY_HEADERS}


def _unknown() -> Response:
    return Response("unknown feed\n", 404, headers=_GONE_HEADERS, media_type="text/plain")


def _answer(
    request: Request,
    settings: FeedSettings,
    subject: FeedSubject,
    body: bytes,
    etag: str,
    last_modified: datetime,
) -> Response:
    """200, HEAD or 304 for these bytes: the same headers whichever path produced them."""
    filename = f"{subject.view}-{subject.key or 'campus'}.ics"
    headers = feed_headers(etag, last_modified, max_age=settings.max_age_seconds, filename=filename)
    if not_modified(dict(request.headers), etag, last_modified):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers, media_type=MEDIA_TYPE)
    return Response(body, 200, headers=headers, media_type=MEDIA_TYPE)


def _full_path(
    engine: Engine,
    token: str,
    request: Request,
    settings: FeedSettings,
    cache: FeedCache,
    now: datetime,
    fetches: FetchRecorder,
) -> Response:
    """Every case, in one transaction: lookup, 410s, revoked calendar, render if needed."""
    with session_scope(engine) as session:
        row = lookup_token(session, token)
        if row is None:
            return _unknown()
        token_id, fetched = row.id, row.last_fetched_at
        response = _known_token(session, row, request, settings, cache, now)
    return fetches.note(response, token_id, fetched, now)


def _known_token(
    session: Session,
    row: FeedToken,
    request: Request,
    settings: FeedSettings,
    cache: FeedCache,
    now: datetime,
) -> Response:
    """The answer for a token that exists: its feed, the empty calendar, or 410."""
    try:
        subject = find_subject(session, row.view, row.subject_key)
    except FeedError:  # the school, trainer, ... was deleted: the feed is gone for good
        return Response("feed gone\n", 410, headers=_GONE_HEADERS, media_type="text/plain")
    if row.revoked_at is not None:
        revoked_at = as_utc(row.revoked_at)
        if as_utc(now) >= revoked_at + timedelta(days=settings.revoked_days):
            return Response("feed revoked\n", 410, headers=_GONE_HEADERS, media_type="text/plain")
        # An empty but valid calendar first, so subscribed apps clear the sessions they hold.
        body = render_feed(
            FeedData(subject, ()),
            refresh=settings.refresh,
            note=phrase("feed.revoked", "nl"),
        )
        return _answer(request, settings, subject, body, strong_etag(body), revoked_at)
    feed = served_feed(session, subject, settings=settings, cache=cache, now=now)
    return _answer(request, settings, subject, feed.body, feed.etag, feed.last_modified)


_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_CACHING = {
    name: {"description": text, "schema": {"type": "string"}}
    for name, text in (
        ("ETag", "strong validator of the bytes: send it back as If-None-Match"),
        ("Last-Modified", "when these bytes were first served"),
        ("Cache-Control", "private, max-age=<seconds>"),
    )
}
_GONE = {
    "description": "the subject was deleted, or the token was revoked more than "
    "CAMPUS_FEED_REVOKED_DAYS ago: unsubscribe",
    "content": _TEXT,
}
_UNKNOWN = {"description": "no such feed token", "content": _TEXT}
_DOWN = {"description": "the database is unreachable", "content": _TEXT}
_NOT_MODIFIED = {
    "description": "unchanged since If-None-Match / If-Modified-Since: no body",
    "headers": _CACHING,
}


def _feed_responses(*, body: bool) -> dict[int | str, dict[str, object]]:
    """What GET (with the iCalendar body) or HEAD (headers only) really answers."""
    ok: dict[str, object] = {
        "description": "the iCalendar feed (an empty calendar for a recently revoked token)",
        "headers": _CACHING,
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    }
    if not body:
        ok = {"description": "the GET's headers, Content-Length included, without the body",
              "headers": _CACHING}  # fmt: skip
    return {200: ok, 304: _NOT_MODIFIED, 404: _UNKNOWN, 410: _GONE, 500: _DOWN}


@router.head(
    "/cal/{token}.ics",
    operation_id="headCalendarFeed",
    response_class=Response,
    responses=_feed_responses(body=False),
    summary="Calendar feed headers",
)
@router.get(
    "/cal/{token}.ics",
    operation_id="getCalendarFeed",
    response_class=Response,
    responses=_feed_responses(body=True),
    summary="Calendar feed",
)
async def calendar_feed(
    token: str,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    cache: FeedCacheDep,
    lookup: TokenLookupDep,
    now: NowDep,
    fetches: FetchRecorderDep,
) -> Response:
    """The subscriber's calendar; 304 when unchanged; empty then 410 once revoked."""
    try:
        check = lookup.check(token)
    except LookupUnavailable:
        check = None
    else:
        if check is None:
            return _unknown()
        if check.name is not None and check.revoked_at is None:
            subject = FeedSubject(check.view, check.key, check.name)
            entry = cache.get(subject, version=check.version, now=as_utc(now))
            if entry is not None:
                answer = _answer(request, settings, subject, entry.body, entry.etag,
                                 entry.last_modified)  # fmt: skip
                return fetches.note(answer, check.token_id, check.last_fetched_at, now)
    return await run_in_threadpool(
        _full_path, engine, token, request, settings, cache, now, fetches
    )
