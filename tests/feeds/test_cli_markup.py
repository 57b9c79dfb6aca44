"""User-supplied names are printed as text: never parsed as rich markup, emoji or links.

A school named "Bouw [/b] School" once made `campus feeds create` crash after it had stored
the token (so the URL was never shown) and `campus publish --out` crash before writing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.db import make_engine, session_scope
from models.migrate import upgrade
from tests.feeds.factory import PLAN_1, T1, add_odd_data, make_run

# The hand-written plans (tests/feeds/factory.py) break hard rules: publish them by override.
HAND = ("--override", "hand-written test plan")
runner = CliRunner()
URL = re.compile(r"https://campus\.test/cal/([A-Za-z0-9_-]{43,})\.ics")
NAMES = [
    "Bouw [/b] School",
    "[link=https://evil.example]Klik hier[/link] College",
    "[bold red]Alarm[/] :smile: :warning: School",
]


@pytest.fixture(params=NAMES)
def db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The feeds test campus, one run, its school renamed to something markup-shaped."""
    monkeypatch.setenv("CAMPUS_PUBLIC_URL", "https://campus.test/")
    monkeypatch.setenv("CAMPUS_FEED_WEEKS_AFTER", "104")
    url = f"sqlite:///{tmp_path / 'markup.db'}"
    engine: Engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        add_odd_data(session)
        make_run(session, PLAN_1, created=T1)
        session.execute(
            update(e.Partner).where(e.Partner.key == "vmbo-zuidoost").values(name=request.param)
        )
    return url


def test_feeds_create_shows_the_url_and_the_name_verbatim(db: str) -> None:
    with session_scope(make_engine(db)) as session:
        school = session.query(e.Partner).filter_by(key="vmbo-zuidoost").one().name
    result = runner.invoke(app, ["feeds", "create", "--school", "vmbo-zuidoost", "--db", db])
    assert result.exit_code == 0, result.output
    assert URL.search(result.output) is not None
    assert f"feed for school {school}:" in result.output
    # rotate revokes the old token and must show the new URL too
    rotated = runner.invoke(app, ["feeds", "rotate", "--school", "vmbo-zuidoost", "--db", db])
    assert rotated.exit_code == 0, rotated.output
    assert URL.search(rotated.output) is not None and school in rotated.output


def test_publish_out_writes_the_feeds_and_prints_names_verbatim(db: str, tmp_path: Path) -> None:
    with session_scope(make_engine(db)) as session:
        school = session.query(e.Partner).filter_by(key="vmbo-zuidoost").one().name
    out = tmp_path / "public"
    result = runner.invoke(app, ["publish", "1", *HAND, "--out", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    assert f"School {school}" in result.output
    assert (out / "school" / "vmbo-zuidoost.ics").exists()
    assert "written" in result.output


@pytest.mark.parametrize("db", NAMES[:1], indirect=True)
def test_errors_with_markup_in_the_message_are_printed_verbatim(db: str) -> None:
    result = runner.invoke(app, ["explain", "[/b]no-such[link=x]", "--db", db])
    assert result.exit_code == 1
    assert "[/b]no-such[link=x]" in result.output
