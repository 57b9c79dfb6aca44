"""The yearly report: what counts as a pupil reached, per audience, school and host company.

On the plan of tests/http/attendance_data.py (spring 2027, across the clock change), with
marks made through models/attendance.py. SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, update

from models import entities as e
from models.attendance import find_session, mark_attendance
from models.audit import CLI
from models.db import session_scope
from models.report import (
    ReportError,
    ReportRow,
    report_csv,
    school_year,
    shares,
    year_report,
)
from models.settings import update_settings
from models.store import load_files
from tests.conftest import MINI
from tests.http.attendance_data import GL, SC1, SC2, WS, publish_plan

LATER = datetime(2027, 4, 10, 12, 0, tzinfo=UTC)  # after every session of the plan


@pytest.fixture
def marked(engine: Engine) -> Engine:
    """GL held by 20 of 25 (two groups), WS by 12 of 14, SC1 by 10 of 11, SC2 not held."""
    with session_scope(engine) as session:
        load_files(session, [MINI])
    publish_plan(engine)
    with session_scope(engine) as session:
        for uid, held, attended in ((GL, True, 20), (WS, True, 12), (SC1, True, 10),
                                    (SC2, False, None)):  # fmt: skip
            mark = find_session(session, uid)
            assert mark is not None
            mark_attendance(session, mark, held=held, attended=attended, actor=CLI, now=LATER)
    return engine


def _rows(engine: Engine, label: str = "2026-2027") -> dict[tuple[str, str, str], ReportRow]:
    with session_scope(engine) as session:
        report = year_report(session, school_year(session, label))
    return {(r.scope, r.key, r.audience): r for r in report.rows}


def test_shares_split_in_proportion_and_add_up() -> None:
    assert shares(20, [("vz-3kb-b", 11), ("vz-3bb-a", 14)]) == {"vz-3bb-a": 11, "vz-3kb-b": 9}
    assert shares(25, [("a", 14), ("b", 11)]) == {"a": 14, "b": 11}
    assert shares(1, [("b", 5), ("a", 5)]) == {"a": 1, "b": 0}  # a tie goes by key
    assert sum(shares(17, [("a", 3), ("b", 7), ("c", 9)]).values()) == 17


def test_each_group_counts_once_at_its_best_share(marked: Engine) -> None:
    rows = _rows(marked)
    vmbo = rows[("campus", "", "vmbo")]
    # 3 BB-a: 11 of the guest lesson's 20, then 12 at the workshop -> 12; 3 KB-b: 9 -> 21
    assert (vmbo.reached, vmbo.groups_reached, vmbo.target, vmbo.met) == (21, 2, 600, False)
    assert (vmbo.sessions_held, vmbo.sessions_not_held, vmbo.sessions_unmarked) == (2, 0, 0)
    mbo = rows[("campus", "", "mbo")]
    # 3 KB-b's course: 10 at the first session, the second not held, the third not marked
    assert (mbo.reached, mbo.groups_reached, mbo.target) == (10, 1, 800)
    assert (mbo.sessions_held, mbo.sessions_not_held, mbo.sessions_unmarked) == (1, 1, 1)
    assert mbo.pupils_unmarked == 0  # 3 KB-b is reached already
    seekers = rows[("campus", "", "job_seekers")]
    assert (seekers.reached, seekers.target, seekers.met) == (0, 50, False)
    assert rows[("school", "vmbo-zuidoost", "vmbo")].reached == 21
    assert rows[("school", "vmbo-zuidoost", "mbo")].target is None
    # The guest lesson at the school counts for its trainer's company, with the workshop.
    assert rows[("host", "warmte-west", "vmbo")].reached == 21
    elektro = rows[("host", "elektro-noord", "mbo")]
    assert (elektro.reached, elektro.sessions_not_held, elektro.sessions_unmarked) == (10, 1, 1)
    assert ("host", "vmbo-zuidoost", "vmbo") not in rows  # the trainer's company hosts it


def test_unmarked_sessions_count_separately_and_cancelled_ones_not_at_all(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    publish_plan(engine)
    with session_scope(engine) as session:
        session.execute(
            update(e.PublishedSession)
            .where(e.PublishedSession.uid == WS)
            .values(status="cancelled", cancelled_at=LATER)
        )
    rows = _rows(engine)
    vmbo = rows[("campus", "", "vmbo")]
    assert (vmbo.reached, vmbo.sessions_unmarked, vmbo.pupils_unmarked) == (0, 1, 25)  # GL only
    assert rows[("campus", "", "mbo")].sessions_unmarked == 3


def test_the_school_year_is_the_campus_setting_or_august_to_july(marked: Engine) -> None:
    with session_scope(marked) as session:
        assert (school_year(session, "2026-2027").first, school_year(session, " 2026-2027").last
                ) == (date(2026, 8, 1), date(2027, 7, 31))  # fmt: skip
        for bad in ("2026", "2026-2028", "26-27", "2026/2027", ""):
            with pytest.raises(ReportError, match="two consecutive years such as 2026-2027"):
                school_year(session, bad)
        update_settings(session, {"school_year": {"first": "2026-08-24", "last": "2027-03-29"}},
                        actor=CLI, now=LATER)  # fmt: skip
    rows = _rows(marked)
    assert rows[("campus", "", "vmbo")].reached == 20  # the workshop on 30 March is after
    assert set(_rows(marked, "2027-2028")) == {
        ("campus", "", "vmbo"), ("campus", "", "mbo"), ("campus", "", "job_seekers")
    }  # fmt: skip


def test_the_csv_has_a_header_and_one_line_per_row(marked: Engine) -> None:
    with session_scope(marked) as session:
        report = year_report(session, school_year(session, "2026-2027"))
    lines = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert len(lines) == len(report.rows)
    first = lines[0]
    assert first == {
        "year": "2026-2027", "scope": "campus", "key": "", "name": "campus",
        "audience": "vmbo", "target": "600", "met": "no", "reached": "21",
        "groups_reached": "2", "sessions_held": "2", "sessions_not_held": "0",
        "sessions_unmarked": "0", "pupils_unmarked": "0",
    }  # fmt: skip
    names = {line["name"] for line in lines}
    assert "Elektro Noord, installaties; service & onderhoud" in names  # quoted by csv
