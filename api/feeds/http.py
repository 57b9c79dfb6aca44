"""HTTP caching for feeds: strong ETag over the bytes, If-None-Match before If-Modified-Since."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRIVACY_HEADERS = {"X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


def strong_etag(body: bytes) -> str:
    """A quoted strong validator: equal bytes, equal tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored; "*" matches any tag.
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


def not_modified(headers: dict[str, str], etag: str, last_modified: datetime) -> bool:
    """Whether a 304 answers this request; an unreadable If-Modified-Since is ignored."""
    inm = headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, etag)
    ims = headers.get("if-modified-since")
    if not ims:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.astimezone(UTC).replace(microsecond=0) <= since


def feed_headers(
    etag: str, last_modified: datetime, *, max_age: int, filename: str
) -> dict[str, str]:
    return {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": f"private, max-age={max_age}",
        "Content-Disposition": f'inline; filename="{filename}"',
        **PRIVACY_HEADERS,
    }
