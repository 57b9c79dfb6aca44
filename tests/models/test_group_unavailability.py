"""Periods a group cannot come at all, in the scenario format and the database: validation,
loading (ids kept on reload), export, and on to the engine through the bridge."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import get_args

import pytest
from sqlalchemy import Engine, select

from models import entities as e
from models.bridge import Horizon, build_problem
from models.db import session_scope
from models.scenario import (
    MAX_DATED,
    KnownKeys,
    ScenarioError,
    UnavailableReason,
    check_scenarios,
    read_scenario,
)
from models.store import dump_scenario, export_scenario, load_files
from scheduler import SolveOptions, explain, solve
from scheduler.problem import GROUP_AWAY_REASONS, DateRange, GroupId, RequestId
from tests.conftest import DATA, MINI

SECOND = DATA / "second-school.yaml"
NOW = datetime(2027, 3, 1, 8, 0)


def periods(engine: Engine) -> list[tuple[int, str, date, date, str, str]]:
    with session_scope(engine) as session:
        return [
            (u.id, g.key, u.first, u.last, u.reason, u.note)
            for g in session.scalars(select(e.Group).order_by(e.Group.key))
            for u in g.unavailable
        ]


def test_loading_stores_each_period_and_reloading_keeps_their_ids(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI, SECOND])
    before = periods(engine)
    assert [row[1:] for row in before] == [
        ("mw-2a", date(2027, 3, 15), date(2027, 4, 9), "internship", "BPV bij Dekker"),
        ("mw-2a", date(2027, 5, 18), date(2027, 5, 21), "exam", ""),
        ("mw-3b", date(2027, 3, 22), date(2027, 3, 24), "trip", "Keulen"),
    ]
    with session_scope(engine) as session:
        load_files(session, [SECOND])
    assert periods(engine) == before
    # a changed period is updated in place; a period left out of the file is removed
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        SECOND.read_text(encoding="utf-8")
        .replace("last: 2027-05-21, reason: exam", "last: 2027-05-22, reason: exam")
        .replace(
            "    unavailable:\n      - {first: 2027-03-22, last: 2027-03-24, reason: trip, ", ""
        )
        .replace('note: "Keulen"}\n', ""),
        encoding="utf-8",
    )
    with session_scope(engine) as session:
        load_files(session, [changed], replace=True)  # a period is dropped
    after = periods(engine)
    assert [row[0] for row in after] == [row[0] for row in before[:2]]
    assert after[1][3] == date(2027, 5, 22)


def test_export_writes_the_periods_back_and_loads_into_a_fresh_database_identically(
    engine: Engine, tmp_path: Path
) -> None:
    from models.db import make_engine
    from models.migrate import upgrade

    with session_scope(engine) as session:
        load_files(session, [MINI, SECOND])
        text = dump_scenario(export_scenario(session))
    assert (
        "  unavailable:\n"
        "  - first: 2027-03-15\n"
        "    last: 2027-04-09\n"
        "    reason: internship\n"
        "    note: BPV bij Dekker\n"
        "  - first: 2027-05-18\n"
        "    last: 2027-05-21\n"
        "    reason: exam\n"
    ) in text
    exported = tmp_path / "export.yaml"
    exported.write_text(text, encoding="utf-8")
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    with session_scope(fresh) as session:
        load_files(session, [exported])
        assert dump_scenario(export_scenario(session)) == text
    assert [row[1:] for row in periods(fresh)] == [row[1:] for row in periods(engine)]
    fresh.dispose()


def test_deleting_a_group_deletes_its_periods(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI, SECOND])
    with session_scope(engine) as session:
        group = session.scalars(select(e.Group).filter_by(key="mw-3b")).one()
        session.delete(group)
    assert [row[1] for row in periods(engine)] == ["mw-2a", "mw-2a"]


def test_the_periods_reach_the_engine_and_explain_an_unplannable_request(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI, SECOND])
        problem = build_problem(session, Horizon.parse("2027-W11..2027-W14"), now=NOW)
    mw2a = problem.group(GroupId("mw-2a"))
    assert mw2a.availability.closures == (
        DateRange(date(2027, 3, 15), date(2027, 4, 9), "internship", "BPV bij Dekker"),
        DateRange(date(2027, 5, 18), date(2027, 5, 21), "exam", ""),
    )
    assert mw2a.availability.windows_on(date(2027, 3, 16)) == []
    solution = solve(problem, SolveOptions(time_limit_seconds=10, deterministic=True))
    assert "r-mw-1" in solution.unscheduled
    (reason,) = explain(problem, solution, requests=[RequestId("r-mw-1")])[RequestId("r-mw-1")]
    assert reason.code == "group_unavailable"
    assert reason.message.startswith(
        "group mw-2a is on internship 2027-03-15..2027-04-09 (BPV bij Dekker): "
    )


# --- bad input in a scenario file ------------------------------------------------------

BASE = """\
partners:
  - {key: school-a, name: Vmbo A, kind: school}
groups:
  - key: g1
    school: school-a
    name: 3 BB-a
    headcount: 12
    unavailable:
"""


def problems(tmp_path: Path, periods_yaml: str) -> list[str]:
    path = tmp_path / "campus.yaml"
    path.write_text(BASE + periods_yaml, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        check_scenarios([(str(path), read_scenario(path))], KnownKeys())
    return [str(p).removeprefix(f"{path}: ") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("periods_yaml", "expected"),
    [
        (
            "      - {first: 2027-04-09, last: 2027-03-15, reason: internship}\n",
            "groups[0].unavailable[0]: last 2027-03-15 is before first 2027-04-09",
        ),
        (
            "      - {first: 2027-03-15, last: 2027-03-19, reason: holiday}\n",
            "groups[0].unavailable[0].reason: must be one of 'exam', 'internship', 'trip' or "
            "'other' (got 'holiday')",
        ),
        (
            "      - {first: 2027-03-15, last: 2027-03-19}\n",
            "groups[0].unavailable[0].reason: is required but missing",
        ),
        (
            "      - {first: 2027-03-15, last: 2027-03-19, reason: trip, colour: red}\n",
            "groups[0].unavailable[0].colour: unknown field (check the spelling against "
            "docs/scenario.md)",
        ),
        (
            "      - {first: 2027-02-30, last: 2027-03-19, reason: exam}\n",
            "groups[0].unavailable[0].first: is not a day of the calendar (got '2027-02-30': "
            "day value is outside expected range)",
        ),
        (
            '      - {first: 2027-03-15, last: 2027-03-19, reason: exam, note: "a\\nb"}\n',
            "groups[0].unavailable[0].note: must not contain control characters (found U+000A "
            "at character 2)",
        ),
        (
            "      {first: 2027-03-15}\n",
            "groups[0].unavailable: must be a list (got {'first': '2027-03-15'})",
        ),
    ],
)
def test_bad_periods_are_refused_with_file_path_and_reason(
    tmp_path: Path, periods_yaml: str, expected: str
) -> None:
    assert problems(tmp_path, periods_yaml) == [expected]


def test_the_number_of_periods_of_a_group_is_bounded(tmp_path: Path) -> None:
    one = "      - {first: 2027-03-15, last: 2027-03-19, reason: exam}\n"
    assert problems(tmp_path, one * (MAX_DATED + 1)) == [
        f"groups[0].unavailable: must hold at most {MAX_DATED} entries (got {MAX_DATED + 1})"
    ]


def test_the_formats_reasons_are_the_ones_the_engine_and_the_database_know() -> None:
    assert get_args(UnavailableReason) == GROUP_AWAY_REASONS
