"""`campus publish`, `campus feeds create|list|rotate|revoke` as a planner types them."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.cli import app
from models.db import make_engine, session_scope
from models.migrate import upgrade
from tests.feeds.factory import PLAN_1, PLAN_2, T1, T2, add_odd_data, make_run, uid

# The hand-written plans (tests/feeds/factory.py) break hard rules: publish them by override.
HAND = ("--override", "hand-written test plan")
runner = CliRunner()
URL = re.compile(r"https://campus\.test/cal/([A-Za-z0-9_-]{43,})\.ics")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite campus with two unpublished runs (plan 1, then the re-solve)."""
    monkeypatch.setenv("CAMPUS_PUBLIC_URL", "https://campus.test/")
    monkeypatch.setenv("CAMPUS_FEED_WEEKS_AFTER", "104")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine: Engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        add_odd_data(session)
        make_run(session, PLAN_1, created=T1)
        make_run(session, PLAN_2, created=T2)
    return url


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_publish_prints_what_changed_for_whom(db: str) -> None:
    first = invoke("publish", "1", *HAND, "--db", db)
    assert "published run 1 as version 1" in first and "8 new" in first
    second = invoke("publish", *HAND, "--db", db)  # the re-solve
    assert "published run 2 as version 2" in second
    assert "1 cancelled" in second and "1 moved" in second and "6 unchanged" in second
    school = second.split("School Vmbo College Zuidoost")[1]
    assert "moved" in school and "cancelled" in school
    assert "Trainer Sanne de Wit" in second and "Company Warmte West B.V." in second
    assert "already published" in invoke("publish", "2", "--db", db)


def test_publish_refuses_an_unknown_run(db: str) -> None:
    result = runner.invoke(app, ["publish", "99", "--db", db])
    assert result.exit_code == 1 and "there is no solve run 99" in result.output


def test_publish_out_writes_static_feeds(db: str, tmp_path: Path) -> None:
    out = tmp_path / "public"
    text = invoke("publish", "1", *HAND, "--out", str(out), "--db", db)
    assert "written" in text
    school = out / "school" / "vmbo-zuidoost.ics"
    events = icalendar.Calendar.from_ical(school.read_bytes()).walk("VEVENT")
    assert uid("r-ws-1", 1) in {str(ev["UID"]) for ev in events}
    assert (out / "campus.ics").exists() and (out / "trainer" / "t-sanne.ics").exists()
    before = school.stat().st_mtime_ns
    again = invoke("publish", "1", *HAND, "--out", str(out), "--db", db)
    assert "0 written" in again and school.stat().st_mtime_ns == before


def test_feeds_create_list_rotate_revoke(db: str) -> None:
    created = invoke("feeds", "create", "--school", "vmbo-zuidoost", "--db", db)
    token = URL.search(created)
    assert token is not None
    assert f"webcal://campus.test/cal/{token.group(1)}.ics" in created
    listing = invoke("feeds", "list", "--db", db)
    assert "vmbo-zuidoost" in listing and token.group(1) not in listing
    duplicate = runner.invoke(app, ["feeds", "create", "--school", "vmbo-zuidoost", "--db", db])
    assert duplicate.exit_code == 1 and "rotate it instead" in duplicate.output
    rotated = invoke("feeds", "rotate", "--school", "vmbo-zuidoost", "--db", db)
    new = URL.search(rotated)
    assert new is not None and new.group(1) != token.group(1)
    invoke("feeds", "revoke", "--school", "vmbo-zuidoost", "--db", db)
    assert "vmbo-zuidoost" not in invoke("feeds", "list", "--db", db)
    assert invoke("feeds", "list", "--all", "--db", db).count("vmbo-zuidoost") == 2
    for view in ("--group", "--trainer", "--location", "--company"):
        key = {"--group": "vz-3bb-a", "--trainer": "t-sanne", "--location": "ww-hal",
               "--company": "warmte-west"}[view]  # fmt: skip
        assert URL.search(invoke("feeds", "create", view, key, "--db", db))
    assert URL.search(invoke("feeds", "create", "--campus", "--db", db))


def test_feeds_create_explains_bad_input(db: str) -> None:
    unknown = runner.invoke(app, ["feeds", "create", "--school", "warmte-west", "--db", db])
    assert unknown.exit_code == 1 and "no school with key 'warmte-west'" in unknown.output
    none = runner.invoke(app, ["feeds", "create", "--db", db])
    assert none.exit_code == 1 and "exactly one of" in none.output
