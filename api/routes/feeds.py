"""GET/HEAD /cal/{token}.ics: the calendar feed a subscriber's app polls.

The token is the only credential (Google fetches from its own servers, without cookies),
so it is never logged, never echoed, and the responses ask not to be indexed or referred.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from api.deps import NowDep, SessionDep, SettingsDep
from api.feeds.http import MEDIA_TYPE, PRIVACY_HEADERS, feed_headers, not_modified, strong_etag
from api.feeds.ical import render_feed
from models.feeds import (
    FeedData,
    FeedError,
    as_utc,
    feed_data,
    find_subject,
    lookup_token,
    observe_feed,
)

router = APIRouter(tags=["feeds"])

_GONE_HEADERS = {"Cache-Control": "no-store", **PRIVACY_HEADERS}


@router.api_route("/cal/{token}.ics", methods=["GET", "HEAD"], response_class=Response)
def calendar_feed(
    token: str, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """The subscriber's calendar; 304 when unchanged; empty then 410 once revoked."""
    row = lookup_token(session, token)
    if row is None:
        return Response("unknown feed\n", 404, headers=_GONE_HEADERS, media_type="text/plain")
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
            note="Deze link is ingetrokken; vraag de planner om een nieuwe.",
        )
        etag, last_modified = strong_etag(body), revoked_at
    else:
        data = feed_data(session, subject, now=now, window=settings.window)
        body = render_feed(data, refresh=settings.refresh, base_url=settings.public_url)
        etag = strong_etag(body)
        last_modified = observe_feed(session, subject, etag, now=now)
    filename = f"{subject.view}-{subject.key or 'campus'}.ics"
    headers = feed_headers(etag, last_modified, max_age=settings.max_age_seconds, filename=filename)
    if not_modified(dict(request.headers), etag, last_modified):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers, media_type=MEDIA_TYPE)
    return Response(body, 200, headers=headers, media_type=MEDIA_TYPE)
