"""`campus settings show|set` as a planner types them; every change audited as the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.db import make_engine, session_scope
from models.settings import load_settings

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'settings.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", url]).exit_code == 0
    return url


def invoke(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code == code, result.output
    return result.output


def test_show_lists_every_setting_with_its_default(db: str) -> None:
    out = invoke(db, "settings", "show")
    assert "horizon_weeks = 6" in out
    assert "targets.mbo_students = 800" in out
    assert "mail.enabled = false" in out
    assert json.loads(invoke(db, "settings", "show", "--json"))["targets"]["job_seekers"] == 50


def test_set_one_field_keeps_the_others_and_is_audited_as_the_cli(db: str) -> None:
    out = invoke(db, "settings", "set", "targets.vmbo_pupils", "650")
    assert "targets.vmbo_pupils: 600 -> 650" in out
    invoke(db, "settings", "set", "mail.sender", "planning@tic.example")
    with session_scope(make_engine(db)) as session:
        settings = load_settings(session)
        assert (settings.targets.vmbo_pupils, settings.targets.mbo_students) == (650, 800)
        assert settings.mail.sender == "planning@tic.example"
        audit = session.scalars(select(e.AuditEvent).order_by(e.AuditEvent.id)).all()
        assert [(a.actor_role, a.entity, a.changes) for a in audit] == [
            ("cli", "settings", {"targets.vmbo_pupils": [600, 650]}),
            ("cli", "settings", {"mail.sender": ["", "planning@tic.example"]}),
        ]
    assert "Nothing changed" in invoke(db, "settings", "set", "targets.vmbo_pupils", "650")


def test_set_with_json_changes_several_at_once(db: str) -> None:
    document = {"school_year": {"first": "2026-08-24", "last": "2027-07-16"}, "horizon_weeks": 8}
    invoke(db, "settings", "set", "--json", json.dumps(document))
    out = invoke(db, "settings", "show")
    assert 'school_year.first = "2026-08-24"' in out and "horizon_weeks = 8" in out


def test_bad_values_name_the_field_and_change_nothing(db: str) -> None:
    out = invoke(db, "settings", "set", "horizon_weeks", "0", code=1)
    assert "horizon_weeks: must be >= 1 (got 0)" in out and "nothing was changed" in out
    out = invoke(db, "settings", "set", "school_year.first", "2026-08-24", code=1)
    assert "school_year.last: is required but missing" in out
    out = invoke(db, "settings", "set", "mail.password", "hunter2", code=1)
    assert "mail.password: a password is never stored" in out and "hunter2" not in out
    out = invoke(db, "settings", "set", "--json", "{not json", code=1)
    assert "not valid JSON" in out
    with session_scope(make_engine(db)) as session:
        assert session.get(e.CampusSettingsRow, 1) is None
        assert session.scalars(select(e.AuditEvent)).all() == []
