"""`campus attendance` and `campus report` from the shell (SQLite and PostgreSQL).

The plan of tests/http/attendance_data.py; the command's clock is set just after the
workshop of 30 March 2027 started (13:15 in Amsterdam, the week the clocks went forward).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api import cli_attendance
from api.cli import app
from models import entities as e
from models.db import session_scope
from tests.conftest import MINI
from tests.http.attendance_data import AFTER_WS, BEFORE_WS, GL, SC2, WS, publish_plan

runner = CliRunner()


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def url(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> str:
    url = engine.url.render_as_string(hide_password=False)
    assert campus("load", "--db", url, str(MINI))[0] == 0
    publish_plan(engine)
    monkeypatch.setattr(cli_attendance, "clock", lambda: AFTER_WS)
    return url


def test_marking_held_not_held_and_changing_a_mark(url: str, engine: Engine) -> None:
    assert campus("attendance", "--db", url, WS, "--held", "--attended", "12") == (
        0, f"{WS}: held, 12 of 14 attended\n", "")  # fmt: skip
    code, out, _ = campus("attendance", "--db", url, WS, "--held", "--attended", "13")
    assert (code, out) == (0, f"{WS}: held, 13 of 14 attended (was: held, 12 attended)\n")
    code, out, _ = campus("attendance", "--db", url, GL, "--not-held")
    assert (code, out) == (0, f"{GL}: not held\n")
    with session_scope(engine) as session:
        actions = session.scalars(
            select(e.AuditEvent.action).where(e.AuditEvent.entity == "attendance")
            .order_by(e.AuditEvent.id)
        ).all()  # fmt: skip
        assert actions == ["create", "update", "create"]


def test_refusals_change_nothing_and_say_why(
    url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = campus("attendance", "--db", url, WS, "--held", "--attended", "15")
    assert code == 1 and "15 attended is more than the 14 pupils" in err
    code, _, err = campus("attendance", "--db", url, SC2, "--not-held")
    assert code == 1 and "still to come" in err
    monkeypatch.setattr(cli_attendance, "clock", lambda: BEFORE_WS)  # 12:59 in Amsterdam
    code, _, err = campus("attendance", "--db", url, WS, "--held", "--attended", "12")
    assert code == 1 and "2027-03-30 13:00 (Amsterdam time)" in err
    code, _, err = campus("attendance", "--db", url, "nope@tic-planner.campus", "--not-held")
    assert code == 1 and "no published session 'nope@tic-planner.campus'" in err
    code, _, err = campus("attendance", "--db", url, "r-gl-1#7", "--not-held")  # short form
    assert code == 1 and "no published session 'r-gl-1-s7@tic-planner.campus'" in err
    code, _, err = campus("attendance", "--db", url, WS)
    assert code == 2 and "--held" in err
    with session_scope(engine) as session:
        assert session.scalars(select(e.SessionAttendance)).all() == []


def test_report_as_csv_on_stdout_or_a_file_and_as_json(url: str, tmp_path: Path) -> None:
    assert campus("attendance", "--db", url, "r-gl-1#1", "--held", "--attended", "20")[0] == 0
    code, out, _ = campus("report", "--db", url, "--year", "2026-2027")
    assert code == 0
    lines = list(csv.DictReader(io.StringIO(out)))
    campus_vmbo = lines[0]
    assert (campus_vmbo["audience"], campus_vmbo["reached"], campus_vmbo["target"]) == (
        "vmbo", "20", "600")  # fmt: skip
    target = tmp_path / "report.csv"
    code, out, _ = campus("report", "--db", url, "--year", "2026-2027", "--out", str(target))
    assert code == 0 and "wrote" in out
    assert list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))) == lines
    code, out, _ = campus("report", "--db", url, "--year", "2026-2027", "--json")
    document = json.loads(out)
    assert (document["first"], document["last"]) == ("2026-08-01", "2027-07-31")
    assert document["rows"][0]["met"] is False
    code, _, err = campus("report", "--db", url, "--year", "2027")
    assert code == 2 and "two consecutive years such as 2026-2027" in err
    code, _, err = campus("report", "--db", url, "--year", "2026-2027", "--out",
                          str(tmp_path / "no-such-dir" / "r.csv"))  # fmt: skip
    assert code == 1 and "cannot write" in err


def test_now_checks_as_if_it_were_then_and_keeps_the_real_time(
    url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_attendance, "clock", lambda: BEFORE_WS)  # 12:59 in Amsterdam
    args = ("attendance", "--db", url, WS, "--held", "--attended", "9")
    assert campus(*args, "--now", "2027-03-30T12:59")[0] == 1  # wall time, still before
    assert campus(*args, "--now", "2027-03-30T13:00")[0] == 0
    assert campus(*args, "--now", "gisteren")[0] == 2
    with session_scope(engine) as session:
        row = session.scalars(select(e.SessionAttendance)).one()
        assert row.marked_at.replace(tzinfo=None) == BEFORE_WS.replace(tzinfo=None)
