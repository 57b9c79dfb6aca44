"""`campus keys create|list|revoke` as a planner types them; only hashes reach the database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.db import make_engine, session_scope
from models.keys import authenticate, expiry_moment
from models.store import load_files
from tests.conftest import MINI

runner = CliRunner()
SECRET = re.compile(r"\btic_[A-Za-z0-9_-]{43}\b")


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", url]).exit_code == 0
    with session_scope(make_engine(url)) as session:
        load_files(session, [MINI])
    return url


def invoke(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code == code, result.output
    return result.output


def test_create_prints_the_key_once_and_stores_only_its_hash(db: str) -> None:
    out = invoke(db, "keys", "create", "--role", "company", "--partner", "warmte-west",
                 "--label", "Sanne [planning]")  # fmt: skip
    secret = SECRET.search(out)
    assert secret is not None, out
    listed = invoke(db, "keys", "list")
    assert secret.group() not in listed
    assert "Sanne [planning]" in listed  # printed as text, not parsed as markup
    assert "warmte-west" in listed and "active" in listed
    engine = make_engine(db)
    with engine.connect() as conn:
        dump = "\n".join(str(r) for r in conn.execute(text("SELECT * FROM api_keys")))
    assert secret.group() not in dump
    with session_scope(engine) as session:
        who = authenticate(session, secret.group(), now=datetime.now(UTC))
        assert who is not None
        assert (who.role, who.partner, who.trainer, who.label) == (
            "company",
            "warmte-west",
            None,
            "Sanne [planning]",
        )
        assert session.scalars(select(e.ApiKey.last_used_at)).one() is not None


def test_revoked_key_stops_working_and_cannot_be_revoked_twice(db: str) -> None:
    secret = SECRET.search(invoke(db, "keys", "create", "--role", "planner")).group()
    assert "Revoked API key 1" in invoke(db, "keys", "revoke", "1")
    assert "revoked" in invoke(db, "keys", "list")
    with session_scope(make_engine(db)) as session:
        assert authenticate(session, secret, now=datetime.now(UTC)) is None
    out = invoke(db, "keys", "revoke", "1", code=1)
    assert "already revoked" in out
    assert "no API key with id 9" in invoke(db, "keys", "revoke", "9", code=1)


def test_key_expires_at_the_start_of_its_day_in_amsterdam(db: str) -> None:
    tomorrow = date.today() + timedelta(days=2)
    out = invoke(db, "keys", "create", "--role", "trainer", "--trainer", "t-sanne",
                 "--expires", tomorrow.isoformat())  # fmt: skip
    secret = SECRET.search(out).group()
    end = expiry_moment(tomorrow)
    with session_scope(make_engine(db)) as session:
        assert authenticate(session, secret, now=end - timedelta(seconds=1)) is not None
        assert authenticate(session, secret, now=end) is None
    # Amsterdam midnight is 23:00 or 22:00 UTC the day before
    assert end.date() == tomorrow - timedelta(days=1) and end.hour in (22, 23)
    assert "expired" not in invoke(db, "keys", "list")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "admin"], "unknown role 'admin'"),
        (["--role", "school"], "a school key needs --partner"),
        (["--role", "school", "--partner", "warmte-west"], "is a company"),
        (["--role", "company", "--partner", "vmbo-zuidoost"], "is a school"),
        (["--role", "company", "--partner", "nobody"], "unknown partner 'nobody'"),
        (["--role", "trainer", "--trainer", "t-nobody"], "unknown trainer 't-nobody'"),
        (["--role", "planner", "--partner", "warmte-west"], "give no --partner"),
        (["--role", "planner", "--expires", "2020-01-01"], "not in the future"),
        (["--role", "planner", "--expires", "0001-01-01"], "not in the future"),
        (["--role", "planner", "--label", "a\x1b[2Jb"], "control characters"),
    ],
)
def test_create_refuses_bad_input_and_makes_no_key(db: str, args: list[str], message: str) -> None:
    out = invoke(db, "keys", "create", *args, code=1)
    assert message in out and "no key was made" in out
    assert "No API keys yet" in invoke(db, "keys", "list")
