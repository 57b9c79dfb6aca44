"""Feeds rendered once per publication and served from memory, never stale.

Every change a subscriber must see changes what is served at once: a publication, a revoked
token, the window moving on (midnight) or a cancelled session's grace period ending, a
deleted or renamed subject. Catalogue edits loaded without a publication show up after
``cache_seconds``. A 304 and HEAD come from the stored render without rendering again.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.app import create_app
from api.feeds.cache import FeedCache, LookupUnavailable, TokenLookup, served_feed
from models import entities as e
from models.db import session_scope
from models.feeds import (
    TokenCheck,
    all_subjects,
    check_token,
    create_token,
    find_subject,
    revoke_token,
)
from models.publish import publish
from tests.feeds.conftest import NOW, SETTINGS, Clock, build_campus
from tests.feeds.factory import PLAN_2, T2, make_run, uid


def _app(engine: Engine, clock: Clock, **settings: int) -> tuple[TestClient, FeedCache]:
    app = create_app(engine=engine, settings=replace(SETTINGS, **settings), clock=clock)
    return TestClient(app), app.state.feed_cache


def _token(engine: Engine, view: str = "school", key: str = "vmbo-zuidoost") -> str:
    with session_scope(engine) as session:
        return create_token(session, view, key, now=NOW - timedelta(days=1))[1]


def test_polls_get_the_stored_render_and_304_without_rendering(
    published: Engine, clock: Clock
) -> None:
    client, cache = _app(published, clock)
    url = f"/cal/{_token(published)}.ics"
    first = client.get(url)
    assert first.status_code == 200 and cache.renders == 1
    etag = first.headers["etag"]
    for _ in range(3):
        again = client.get(url)
        assert again.content == first.content and again.headers["etag"] == etag
        not_modified = client.get(url, headers={"If-None-Match": etag})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["last-modified"] == first.headers["last-modified"]
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(first.content))
        assert head.headers["etag"] == etag
    assert cache.renders == 1  # 3 GETs, 3 conditional GETs and 3 HEADs: no second render


def test_a_new_publication_is_served_at_once(published: Engine, clock: Clock) -> None:
    client, cache = _app(published, clock)
    url = f"/cal/{_token(published)}.ics"
    before = client.get(url)
    assert b"DTSTART;TZID=Europe/Amsterdam:20270316T130000" in before.content
    with session_scope(published) as session:  # as `campus publish` in another process
        publish(session, make_run(session, PLAN_2, created=T2), now=T2)
    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert b"DTSTART;TZID=Europe/Amsterdam:20270318T130000" in after.content  # r-ws-1 moved
    assert b"STATUS:CANCELLED" in after.content  # r-gl-1 left the plan
    assert cache.renders == 2


def test_a_revoked_token_is_served_empty_at_once_then_gone(
    published: Engine, clock: Clock
) -> None:
    client, _cache = _app(published, clock)
    url = f"/cal/{_token(published)}.ics"
    full = client.get(url)
    assert b"BEGIN:VEVENT" in full.content
    with session_scope(published) as session:
        revoke_token(session, "school", "vmbo-zuidoost", now=NOW)
    empty = client.get(url, headers={"If-None-Match": full.headers["etag"]})
    assert empty.status_code == 200 and b"BEGIN:VEVENT" not in empty.content
    clock.now = NOW + timedelta(days=SETTINGS.revoked_days)
    assert client.get(url).status_code == 410


def test_the_window_moving_on_at_midnight_changes_the_feed(
    published: Engine, clock: Clock
) -> None:
    # r-ws-1 ends 2027-03-16 16:00; four weeks later (WINDOW.weeks_before) it leaves the
    # feed at midnight UTC of 2027-04-14. (A day of caching, so only the window can expire it.)
    client, cache = _app(published, clock, cache_seconds=86_400)
    url = f"/cal/{_token(published)}.ics"
    clock.now = datetime(2027, 4, 13, 12, tzinfo=NOW.tzinfo)
    noon = client.get(url)
    assert uid("r-ws-1", 1).encode() in noon.content
    clock.now = datetime(2027, 4, 13, 23, 59, 59, tzinfo=NOW.tzinfo)
    assert client.get(url).content == noon.content and cache.renders == 1
    clock.now = datetime(2027, 4, 14, 0, 0, 1, tzinfo=NOW.tzinfo)
    after = client.get(url, headers={"If-None-Match": noon.headers["etag"]})
    assert after.status_code == 200 and uid("r-ws-1", 1).encode() not in after.content


def test_a_cancelled_session_leaves_when_its_grace_ends_not_at_midnight(
    republished: Engine, clock: Clock
) -> None:
    # r-gl-1 was cancelled by the publication at T2 (09:00 UTC); it stays 14 days.
    client, _cache = _app(republished, clock, cache_seconds=86_400)
    url = f"/cal/{_token(republished)}.ics"
    end_of_grace = T2 + timedelta(days=SETTINGS.window.cancelled_days)
    clock.now = end_of_grace - timedelta(hours=1)
    before = client.get(url)
    assert uid("r-gl-1", 1).encode() in before.content
    clock.now = end_of_grace + timedelta(seconds=1)  # the same day
    after = client.get(url)
    assert uid("r-gl-1", 1).encode() not in after.content
    assert after.headers["etag"] != before.headers["etag"]


def test_a_deleted_subject_is_gone_at_once(published: Engine, clock: Clock) -> None:
    client, _cache = _app(published, clock)
    url = f"/cal/{_token(published, 'group', 'rw-e2')}.ics"
    assert client.get(url).status_code == 200
    with session_scope(published) as session:
        group = session.scalars(select(e.Group).where(e.Group.key == "rw-e2")).one()
        for link in session.scalars(select(e.RequestGroup).where(e.RequestGroup.group == group)):
            session.delete(link)
        session.flush()
        session.delete(group)
    assert client.get(url).status_code == 410


def test_a_renamed_subject_is_served_at_once(published: Engine, clock: Clock) -> None:
    client, _cache = _app(published, clock)
    url = f"/cal/{_token(published)}.ics"
    client.get(url)
    with session_scope(published) as session:
        school = session.scalars(select(e.Partner).where(e.Partner.key == "vmbo-zuidoost")).one()
        school.name = "Vmbo College Zuidoost-Noord"
    assert b"X-WR-CALNAME:TIC \xe2\x80\x93 Vmbo College Zuidoost-Noord" in client.get(url).content


def test_catalogue_edits_without_a_publication_arrive_after_cache_seconds(
    published: Engine, clock: Clock
) -> None:
    client, _cache = _app(published, clock, cache_seconds=300)
    url = f"/cal/{_token(published, 'campus', '')}.ics"
    assert b"Praktijkhal Westpoort" in client.get(url).content
    with session_scope(published) as session:
        hall = session.scalars(select(e.Location).where(e.Location.key == "ww-hal")).one()
        hall.name = "Praktijkhal Havens"
    clock.now = NOW + timedelta(seconds=299)
    assert b"Praktijkhal Westpoort" in client.get(url).content  # still the stored render
    clock.now = NOW + timedelta(seconds=300)
    assert b"Praktijkhal Havens" in client.get(url).content


def test_cache_seconds_zero_renders_every_request(published: Engine, clock: Clock) -> None:
    client, cache = _app(published, clock, cache_seconds=0)
    url = f"/cal/{_token(published)}.ics"
    assert client.get(url).content == client.get(url).content
    assert cache.renders == 2


def test_a_subject_whose_key_changed_case_takes_the_full_path(
    published: Engine, clock: Clock
) -> None:
    # find_subject matches keys case-insensitively; the one-query check only exactly.
    client, _cache = _app(published, clock)
    url = f"/cal/{_token(published, 'trainer', 't-sanne')}.ics"
    with session_scope(published) as session:
        session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one().key = "T-Sanne"
    assert client.get(url).status_code == 200
    assert uid("r-ws-1", 1).encode() in client.get(url).content


def test_the_feed_is_served_when_the_quick_lookup_is_unavailable(
    published: Engine, clock: Clock
) -> None:
    class Broken(TokenLookup):
        def check(self, token: str) -> TokenCheck | None:
            raise LookupUnavailable("test")

    app = create_app(engine=published, settings=SETTINGS, clock=clock)
    app.state.token_lookup = Broken(published)
    client = TestClient(app)
    token = _token(published)
    assert client.get(f"/cal/{token}.ics").status_code == 200
    assert client.get("/cal/unknown-token.ics").status_code == 404


def test_concurrent_requests_after_a_publication_render_once(published: Engine) -> None:
    cache = FeedCache()
    with session_scope(published) as session:
        subject = find_subject(session, "campus", "")
    bodies: list[bytes] = []

    def poll() -> None:
        with session_scope(published) as session:
            bodies.append(
                served_feed(session, subject, settings=SETTINGS, cache=cache, now=NOW).body
            )

    threads = [threading.Thread(target=poll) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(bodies) == 6 and len(set(bodies)) == 1
    assert cache.renders == 1


def test_the_one_query_check_names_every_subject_like_find_subject(engine: Engine) -> None:
    # On SQLite and PostgreSQL: the CASE over subject tables and the string concatenation.
    build_campus(engine, republish=True)
    with session_scope(engine) as session:
        subjects = all_subjects(session)
        tokens = {s: create_token(session, s.view, s.key, now=NOW)[1] for s in subjects}
    lookup = TokenLookup(engine)
    try:
        for subject, token in tokens.items():
            check = lookup.check(token)
            assert check is not None
            assert (check.view, check.key, check.name) == (subject.view, subject.key, subject.name)
            assert check.version == 2 and check.revoked_at is None
        assert lookup.check("x" * 43) is None
        with engine.connect() as connection:
            assert check_token(connection, "") is None
    finally:
        lookup.close()
    with session_scope(engine) as session:
        revoke_token(session, "campus", "", now=NOW)
    client = TestClient(create_app(engine=engine, settings=SETTINGS, clock=lambda: NOW))
    served = client.get(f"/cal/{tokens[subjects[0]]}.ics")
    assert served.status_code == 200 and b"BEGIN:VEVENT" not in served.content  # revoked
    client.app.state.token_lookup.close()  # type: ignore[attr-defined]
