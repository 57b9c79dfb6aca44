"""The feed route over HTTP: headers, ETag/304, HEAD, Last-Modified, tokens and their end."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.app import create_app
from api.logs import RedactFeedTokens, redact, uvicorn_log_config
from models import entities as e
from models.db import session_scope
from models.feeds import create_token, hash_token, revoke_token, rotate_token
from models.publish import publish
from tests.feeds.conftest import NOW, SETTINGS, Clock
from tests.feeds.factory import PLAN_2, T2, make_run, uid


@pytest.fixture
def client(published: Engine, clock: Clock) -> TestClient:
    return TestClient(create_app(engine=published, settings=SETTINGS, clock=clock))


def _token(engine: Engine, view: str = "school", key: str = "vmbo-zuidoost") -> str:
    with session_scope(engine) as session:
        return create_token(session, view, key, now=NOW - timedelta(days=1))[1]


def test_feed_response_headers(client: TestClient, published: Engine) -> None:
    token = _token(published)
    r = client.get(f"/cal/{token}.ics")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert r.headers["cache-control"] == "private, max-age=900"
    assert r.headers["x-robots-tag"] == "noindex"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["etag"].startswith('"') and not r.headers["etag"].startswith("W/")
    assert parsedate_to_datetime(r.headers["last-modified"]) == NOW
    assert r.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert uid("r-ws-1", 1).encode() in r.content


def test_etag_is_stable_and_if_none_match_gives_304(client: TestClient, published: Engine) -> None:
    token = _token(published)
    first, second = client.get(f"/cal/{token}.ics"), client.get(f"/cal/{token}.ics")
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    etag = first.headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = client.get(f"/cal/{token}.ics", headers={"If-None-Match": header})
        assert r.status_code == 304 and r.content == b""
        assert r.headers["etag"] == etag
        assert r.headers["last-modified"] == first.headers["last-modified"]
        assert r.headers["cache-control"] == "private, max-age=900"
    stale = client.get(
        f"/cal/{token}.ics",
        headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]},
    )
    assert stale.status_code == 200  # If-None-Match wins over If-Modified-Since


def test_if_modified_since(client: TestClient, published: Engine) -> None:
    token = _token(published)
    last = client.get(f"/cal/{token}.ics").headers["last-modified"]
    assert client.get(f"/cal/{token}.ics", headers={"If-Modified-Since": last}).status_code == 304
    older = (parsedate_to_datetime(last) - timedelta(seconds=1)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    assert client.get(f"/cal/{token}.ics", headers={"If-Modified-Since": older}).status_code == 200
    bad = client.get(f"/cal/{token}.ics", headers={"If-Modified-Since": "not a date"})
    assert bad.status_code == 200


def test_head_has_the_get_headers_and_no_body(client: TestClient, published: Engine) -> None:
    token = _token(published)
    get = client.get(f"/cal/{token}.ics")
    head = client.head(f"/cal/{token}.ics")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"


def test_last_modified_is_monotonic_and_moves_on_deletions(
    client: TestClient, published: Engine, clock: Clock
) -> None:
    token = _token(published, "trainer", "t-sanne")
    before = client.get(f"/cal/{token}.ics")
    # The re-solve drops r-gl-1; after its grace period it leaves the feed: a deletion.
    with session_scope(published) as session:
        publish(session, make_run(session, PLAN_2, created=T2), now=T2)
    clock.now = NOW + timedelta(hours=1)
    changed = client.get(f"/cal/{token}.ics")
    assert changed.headers["etag"] != before.headers["etag"]
    assert b"STATUS:CANCELLED" in changed.content
    clock.now = T2 + timedelta(days=SETTINGS.window.cancelled_days, hours=1)
    gone = client.get(f"/cal/{token}.ics")
    assert uid("r-gl-1", 1).encode() not in gone.content
    times = [parsedate_to_datetime(r.headers["last-modified"]) for r in (before, changed, gone)]
    assert times[0] < times[1] < times[2]
    assert times[2] == clock.now.replace(microsecond=0)
    again = client.get(f"/cal/{token}.ics")  # unchanged bytes: Last-Modified stays put
    assert again.headers["last-modified"] == gone.headers["last-modified"]


def test_unknown_and_malformed_tokens_are_404(client: TestClient) -> None:
    for token in ("nope", "x" * 43, "y" * 300):
        r = client.get(f"/cal/{token}.ics")
        assert r.status_code == 404
        assert token not in r.text
        assert r.headers["x-robots-tag"] == "noindex"


def test_revoked_token_serves_empty_calendar_then_410(
    client: TestClient, published: Engine, clock: Clock
) -> None:
    token = _token(published)
    with session_scope(published) as session:
        revoke_token(session, "school", "vmbo-zuidoost", now=NOW)
    clock.now = NOW + timedelta(days=1)
    empty = client.get(f"/cal/{token}.ics")
    assert empty.status_code == 200
    assert b"BEGIN:VTIMEZONE" in empty.content and b"BEGIN:VEVENT" not in empty.content
    assert parsedate_to_datetime(empty.headers["last-modified"]) == NOW
    clock.now = NOW + timedelta(days=SETTINGS.revoked_days)
    assert client.get(f"/cal/{token}.ics").status_code == 410


def test_rotation_gives_a_new_url_and_retires_the_old(
    client: TestClient, published: Engine
) -> None:
    old = _token(published, "group", "vz-3bb-a")
    with session_scope(published) as session:
        _row, new = rotate_token(session, "group", "vz-3bb-a", now=NOW)
    assert new != old
    assert uid("r-ws-1", 1).encode() in client.get(f"/cal/{new}.ics").content
    assert b"BEGIN:VEVENT" not in client.get(f"/cal/{old}.ics").content


def test_tokens_are_long_random_and_only_hashed(published: Engine) -> None:
    token = _token(published, "campus", "")
    assert len(token) >= 43  # 32 bytes of secrets.token_urlsafe: 256 bits
    with session_scope(published) as session:
        row = session.scalars(select(e.FeedToken)).one()
        assert row.token_hash == hash_token(token)  # only the SHA-256 is stored
        assert token not in {row.token_hash, row.label, row.subject_key}
    other = _token(published, "group", "vz-3bb-a")
    assert other != token and len(set(token)) > 10  # random, not a pattern


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}


def test_access_log_lines_never_carry_the_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/cal/s3cr3tT0ken_-x.ics?x=1", "1.1", 200), None,
    )  # fmt: skip
    assert RedactFeedTokens().filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert redact("https://campus.test/cal/abcDEF_-1.ics") == "https://campus.test/cal/<token>"
    assert "abcDEF" not in redact("GET /cal/abcDEF_-1 HTTP/1.1")  # cut short, no .ics
    assert "abcDEF" not in redact("GET /cal/abcDEF_-1.ICS HTTP/1.1")


def test_uvicorn_logging_config_attaches_the_redacting_filter() -> None:
    config = uvicorn_log_config()
    assert config["filters"]["redact_feed_tokens"]["()"] is RedactFeedTokens
    for name in ("default", "access"):
        assert "redact_feed_tokens" in config["handlers"][name]["filters"]
