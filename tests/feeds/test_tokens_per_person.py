"""Several feed tokens per subject, each with a label, and when each was last fetched.

A school hands each teacher a URL of their own; revoking one (a teacher left) leaves the
others working. "Last fetched" tells the planner who is still subscribed; it is written at
most once an hour per token, so polling calendar apps do not turn every request into a
database write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, text
from starlette.responses import Response
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.feeds.fetches import FetchRecorder
from models import entities as e
from models.db import make_engine, session_scope
from models.feeds import (
    FeedError,
    create_token,
    find_token,
    list_tokens,
    record_fetch,
    revoke_token,
    rotate_token,
)
from models.migrate import alembic_config, upgrade
from tests.feeds.conftest import NOW, SETTINGS, Clock, build_campus

SCHOOL = ("school", "vmbo-zuidoost")
URL = re.compile(r"/cal/([A-Za-z0-9_-]{43,})\.ics")


def _tokens(engine: Engine, *labels: str) -> dict[str, str]:
    with session_scope(engine) as session:
        return {
            label: create_token(session, *SCHOOL, now=NOW - timedelta(days=1), label=label)[1]
            for label in labels
        }


def _app(engine: Engine, clock: Clock) -> TestClient:
    return TestClient(
        create_app(engine=engine, settings=replace(SETTINGS, cache_seconds=86_400), clock=clock)
    )


def test_two_tokens_of_one_school_both_work_and_revoking_one_keeps_the_other(
    published: Engine, clock: Clock
) -> None:
    tokens = _tokens(published, "Ans, BBL-team", "Piet, W-team")
    client = _app(published, clock)
    ans, piet = (client.get(f"/cal/{tokens[who]}.ics") for who in tokens)
    assert ans.status_code == piet.status_code == 200
    assert ans.content == piet.content and b"BEGIN:VEVENT" in ans.content  # the same school
    with session_scope(published) as session:
        revoke_token(session, *SCHOOL, now=NOW, label="Piet, W-team")
    after_ans = client.get(f"/cal/{tokens['Ans, BBL-team']}.ics")
    after_piet = client.get(f"/cal/{tokens['Piet, W-team']}.ics")
    assert after_ans.content == ans.content  # Ans keeps her calendar
    assert after_piet.status_code == 200 and b"BEGIN:VEVENT" not in after_piet.content
    clock.now = NOW + timedelta(days=SETTINGS.revoked_days)
    assert client.get(f"/cal/{tokens['Piet, W-team']}.ics").status_code == 410
    assert client.get(f"/cal/{tokens['Ans, BBL-team']}.ics").status_code == 200


def test_tokens_are_named_by_label_or_id_and_ambiguity_is_refused(engine: Engine) -> None:
    # On SQLite and PostgreSQL: the unique (view, subject, label, active) constraint.
    build_campus(engine)
    _tokens(engine, "Ans", "Piet", "")
    with session_scope(engine) as session:
        with pytest.raises(FeedError, match="already has a feed token labelled 'Ans'"):
            create_token(session, *SCHOOL, now=NOW, label=" Ans ")  # trimmed: the same label
        with pytest.raises(FeedError, match="already has a feed token without a label"):
            create_token(session, *SCHOOL, now=NOW)
        with pytest.raises(FeedError, match=r"has 3 working feed tokens \(token \d+ 'Ans', "):
            revoke_token(session, *SCHOOL, now=NOW)
        with pytest.raises(FeedError, match=r"no working feed token labelled 'Jan' \(working: "):
            revoke_token(session, *SCHOOL, now=NOW, label="Jan")
        with pytest.raises(FeedError, match="control characters"):
            create_token(session, *SCHOOL, now=NOW, label="Jan\nde Vries")
        piet = find_token(session, *SCHOOL, label="Piet")
        new, _secret = rotate_token(session, token_id=piet.id, now=NOW)
        assert new.label == "Piet" and piet.active is None and new.id != piet.id
        with pytest.raises(FeedError, match=f"feed token {piet.id} was already revoked"):
            revoke_token(session, token_id=piet.id, now=NOW)
        with pytest.raises(FeedError, match="there is no feed token 99999"):
            revoke_token(session, token_id=99_999, now=NOW)
        unlabelled = find_token(session, *SCHOOL, label="")
        assert unlabelled.label == ""
        revoke_token(session, token_id=unlabelled.id, now=NOW)
        working = {row.label for row in list_tokens(session) if row.subject_key == SCHOOL[1]}
        assert working == {"Ans", "Piet"}
        create_token(session, *SCHOOL, now=NOW)  # the unlabelled place is free again


@pytest.fixture
def counted(published: Engine) -> Iterator[list[str]]:
    """The UPDATE statements sent to feed_tokens, in order."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE FEED_TOKENS"):
            statements.append(statement)

    event.listen(published, "before_cursor_execute", count)
    yield statements
    event.remove(published, "before_cursor_execute", count)


def _fetched(engine: Engine) -> dict[str, datetime | None]:
    with session_scope(engine) as session:
        return {
            row.label: row.last_fetched_at and row.last_fetched_at.replace(tzinfo=None)
            for row in list_tokens(session)
        }


def test_last_fetched_is_written_at_most_once_an_hour_per_token(
    published: Engine, clock: Clock, counted: list[str]
) -> None:
    tokens = _tokens(published, "Ans", "Piet")
    client = _app(published, clock)
    ans = f"/cal/{tokens['Ans']}.ics"
    assert _fetched(published) == {"Ans": None, "Piet": None}
    etag = client.get(ans).headers["etag"]  # rendered: the full path
    assert _fetched(published) == {"Ans": NOW.replace(tzinfo=None), "Piet": None}
    for minutes in (1, 10, 30, 59):  # polls from the cache, conditional ones, HEADs
        clock.now = NOW + timedelta(minutes=minutes, seconds=59)
        assert client.get(ans).status_code == 200
        assert client.get(ans, headers={"If-None-Match": etag}).status_code == 304
        assert client.head(ans).status_code == 200
    assert len(counted) == 1 and client.app.state.fetch_recorder.writes == 1  # type: ignore[attr-defined]
    assert client.app.state.feed_cache.renders == 1  # type: ignore[attr-defined]
    later = NOW + timedelta(hours=1, minutes=5)
    clock.now = later
    assert client.get(ans, headers={"If-None-Match": etag}).status_code == 304  # a 304 counts
    assert _fetched(published)["Ans"] == later.replace(tzinfo=None)
    assert len(counted) == 2
    clock.now = later + timedelta(minutes=20)
    client.get(f"/cal/{tokens['Piet']}.ics")  # each token has its own hour
    assert len(counted) == 3 and _fetched(published)["Piet"] is not None


def test_several_server_processes_write_once_an_hour_between_them(
    published: Engine, clock: Clock, counted: list[str]
) -> None:
    token = _tokens(published, "Ans")["Ans"]
    first, second = _app(published, clock), _app(published, clock)
    assert first.get(f"/cal/{token}.ics").status_code == 200
    clock.now = NOW + timedelta(minutes=30)
    assert second.get(f"/cal/{token}.ics").status_code == 200  # reads the stored time
    assert len(counted) == 1
    with published.begin() as connection:  # a write that raced past the check changes nothing
        token_id = connection.execute(select(e.FeedToken.id)).scalar_one()
        assert record_fetch(connection, token_id, NOW + timedelta(minutes=59)) is False
        assert record_fetch(connection, token_id, NOW + timedelta(minutes=60)) is True
    assert _fetched(published)["Ans"] == (NOW + timedelta(hours=1)).replace(tzinfo=None)


def test_unknown_tokens_record_nothing(published: Engine, clock: Clock, counted: list[str]) -> None:
    _tokens(published, "Ans")
    client = _app(published, clock)
    assert client.get("/cal/" + "x" * 43 + ".ics").status_code == 404
    assert counted == [] and _fetched(published) == {"Ans": None}


runner = CliRunner()


def _campus(*args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_planner_creates_lists_rotates_and_revokes_tokens_per_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPUS_PUBLIC_URL", "https://campus.test/")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = build_campus(make_engine(db))
    school = ("--school", "vmbo-zuidoost", "--db", db)
    ans = _campus("feeds", "create", *school, "--label", "Ans, BBL-team")
    piet = _campus("feeds", "create", *school, "--label", "Piet, W-team")
    assert "token 1 'Ans, BBL-team'" in ans and "token 2 'Piet, W-team'" in piet
    ans_url = URL.search(ans)
    assert ans_url is not None
    client = TestClient(create_app(engine=engine, settings=SETTINGS))
    assert client.get(ans_url.group(0)).status_code == 200  # Ans's app subscribes
    listing = _campus("feeds", "list", "--db", db).splitlines()
    assert listing[0].split() == ["id", "subscriber", "label", "created", "last", "fetched"]
    [ans_line] = [line for line in listing if "Ans, BBL-team" in line]
    [piet_line] = [line for line in listing if "Piet, W-team" in line]
    assert re.search(r"school vmbo-zuidoost\s+Ans, BBL-team .* \d\d:\d\d \(this hour\)", ans_line)
    assert piet_line.rstrip().endswith("never")  # Piet never subscribed
    assert ans_url.group(1) not in "\n".join(listing)  # never the secret
    ambiguous = runner.invoke(cli, ["feeds", "revoke", *school])
    assert ambiguous.exit_code == 1
    assert "2 working feed tokens (token 1 'Ans, BBL-team', token 2 'Piet, W-team')" in (
        ambiguous.output
    )
    rotated = _campus("feeds", "rotate", "2", "--db", db)
    assert "token 3 'Piet, W-team', replacing token 2" in rotated
    _campus("feeds", "revoke", *school, "--label", "Piet, W-team")
    assert "Piet" not in _campus("feeds", "list", *school)
    assert client.get(ans_url.group(0)).status_code == 200  # Ans is untouched
    revoked = _campus("feeds", "list", "--all", *school)
    assert revoked.count("Piet, W-team") == 2 and "revoked" in revoked.splitlines()[0]
    both = runner.invoke(cli, ["feeds", "revoke", "1", "--school", "vmbo-zuidoost", "--db", db])
    assert both.exit_code == 1 and "not both" in both.output
    client.app.state.token_lookup.close()  # type: ignore[attr-defined]


def test_the_migration_keeps_existing_tokens_and_downgrades_only_when_it_can(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO feed_tokens (token_hash, view, subject_key, label, created_at, active)"
                " VALUES (:h, 'campus', '', 'planbureau', :at, 1)"
            ),
            {"h": "a" * 64, "at": NOW.replace(tzinfo=None)},
        )
    # Up to this migration only: pysqlite runs DDL outside the transaction, so a downgrade
    # from a later head that is refused here would keep the later migrations' column drops
    # (a refused downgrade on SQLite is not all-or-nothing; this test is about 0007).
    upgrade(engine, "0007")
    with session_scope(engine) as session:
        [old] = list_tokens(session)
        assert (old.label, old.last_fetched_at, old.active) == ("planbureau", None, True)
        create_token(session, "campus", "", now=NOW, label="beamer")  # a second one: allowed
    config = alembic_config(str(engine.url))
    with pytest.raises(RuntimeError, match="several working feed tokens"), engine.begin() as c:
        config.attributes["connection"] = c
        command.downgrade(config, "0004")
    with session_scope(engine) as session:
        revoke_token(session, "campus", "", now=NOW, label="beamer")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM feed_tokens")).scalar() == 2


def test_a_burst_of_polls_before_the_write_lands_schedules_one_write(published: Engine) -> None:
    # Requests that all read "never fetched" before the first write commits.
    recorder = FetchRecorder(published)
    responses = [Response() for _ in range(5)]
    for response in responses:
        recorder.note(response, 1, None, NOW)
    assert sum(r.background is not None for r in responses) == 1
    later = Response()
    recorder.note(later, 1, None, NOW + timedelta(hours=1))  # still "never": it failed
    assert later.background is not None
    other = Response()
    recorder.note(other, 2, None, NOW)  # another token has its own hour
    assert other.background is not None
