"""The rolling weekly solve through the database: the horizon it takes, and fairness and host
balance that count what earlier publications of the school year gave (models/bridge.py
``year_history``). The weeks are 2027-W12 (daylight saving starts on its Sunday) and W13."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from models import entities as e
from models.bridge import Horizon, build_problem
from models.db import session_scope
from models.planning import PlanResult, plan, rolling_horizon
from models.publish import publish
from models.settings import load_settings
from models.store import load_files
from scheduler import History, HostHistory, PartnerId, SchoolHistory, SolveOptions, Status
from tests.conftest import DATA

CAMPUS = DATA / "rolling-campus.yaml"
OPTIONS = SolveOptions(time_limit_seconds=20, workers=2)
YEAR = {"first": "2027-03-01", "last": "2027-07-09"}
A, B = PartnerId("school-a"), PartnerId("school-b")
ACME, VOLT = PartnerId("acme"), PartnerId("volt")
# Open minutes in the school year before week 13: four Tuesdays (2, 9, 16, 23 March) at
# Acme, four Thursdays (4, 11, 18, 25 March) at Volt, two hours each.
OPEN_BEFORE_W13 = 4 * 120
W12_DAY = date(2027, 3, 17)  # a Wednesday of week 11: the coming week is 12
W13_DAY = date(2027, 3, 24)  # a Wednesday of week 12: the coming week is 13


def load_campus(
    engine: Engine, tmp_path: Path, *, year: dict[str, str] | None = YEAR, urgent: str = "a"
) -> None:
    """The rolling campus, a horizon of one week; ``urgent``: the school whose week-12
    request has priority 2, so that it gets week 12's only session."""
    text = CAMPUS.read_text(encoding="utf-8")
    if urgent == "b":
        text = text.replace("latest: 2027-03-26, priority: 2}", "latest: 2027-03-26}")
        text = text.replace(
            "[b1], earliest: 2027-03-22, latest: 2027-03-26}",
            "[b1], earliest: 2027-03-22, latest: 2027-03-26, priority: 2}",
        )
    path = tmp_path / "rolling.yaml"
    path.write_text(text, encoding="utf-8")
    with session_scope(engine) as session:
        load_files(session, [path])
        data: dict[str, object] = {"horizon_weeks": 1}
        if year is not None:
            data["school_year"] = year
        session.add(e.CampusSettingsRow(id=1, data=data))


def rolling_week(engine: Engine, today: date) -> PlanResult:
    """One turn of the weekly cycle on ``today``: a rolling solve, then publish it."""
    with session_scope(engine) as session:
        horizon = rolling_horizon(load_settings(session), today)
    result = plan(engine, horizon, OPTIONS, now=datetime.combine(today, time(8)))
    assert result.solution.status is Status.OPTIMAL
    assert result.report.ok, result.report.violations
    with session_scope(engine) as session:
        run = session.get_one(e.SolveRun, result.run_id)
        publish(session, run, now=datetime.combine(today, time(9), tzinfo=UTC))
    return result


def only_session(result: PlanResult) -> tuple[str, str]:
    (session,) = result.solution.sessions  # the trainer gives one session a week
    return session.request, session.location


@pytest.mark.parametrize("urgent", ["a", "b"])
def test_the_school_left_out_last_week_gets_this_week_s_session_at_the_other_host(
    engine: Engine, tmp_path: Path, urgent: str
) -> None:
    load_campus(engine, tmp_path, urgent=urgent)
    week12 = rolling_week(engine, W12_DAY)
    assert str(week12.problem.first_day) == "2027-03-22"
    assert week12.problem.history == History(
        hosts={ACME: HostHistory(0, 3 * 120), VOLT: HostHistory(0, 3 * 120)}
    )
    request12, host12 = only_session(week12)
    assert request12 == f"r{urgent}-12"

    week13 = rolling_week(engine, W13_DAY)
    other = "b" if urgent == "a" else "a"
    first_host = ACME if host12 == "acme-hal" else VOLT
    second_host = VOLT if first_host == ACME else ACME
    assert week13.problem.history == History(
        schools={
            PartnerId(f"school-{urgent}"): SchoolHistory(requests=1, scheduled=1),
            PartnerId(f"school-{other}"): SchoolHistory(requests=1, scheduled=0),
        },
        hosts={
            first_host: HostHistory(1, OPEN_BEFORE_W13),
            second_host: HostHistory(0, OPEN_BEFORE_W13),
        },
    )
    request13, host13 = only_session(week13)
    assert request13 == f"r{other}-13"  # fair over the year: 1 of 2 each
    assert host13 != host12  # one session each
    assert week13.solution.components["fairness"] == 50 * (100 - 50)
    assert week13.solution.components["host_balance"] == 0


def test_without_a_school_year_each_week_counts_alone(engine: Engine, tmp_path: Path) -> None:
    load_campus(engine, tmp_path, year=None)
    rolling_week(engine, W12_DAY)
    week13 = rolling_week(engine, W13_DAY)
    assert week13.problem.history == History()
    # either school gets it: one of two requests left out is 0 % for that school either way
    assert week13.solution.components["fairness"] == 50 * 100


def test_cancelled_withdrawn_and_out_of_year_sessions_do_not_count(
    engine: Engine, tmp_path: Path
) -> None:
    load_campus(engine, tmp_path)
    rolling_week(engine, W12_DAY)
    w13 = Horizon.parse("2027-W13")
    with session_scope(engine) as session:
        (published,) = session.scalars(select(e.PublishedSession)).all()
        winner = published.request
        loser = session.scalars(select(e.Request).filter_by(key="rb-12")).one()
        loser.status = "withdrawn"  # a withdrawn request is no demand of the year
        history = build_problem(session, w13, now=datetime(2027, 3, 24, 8)).history
        assert history.schools == {A: SchoolHistory(1, 1)}
        assert history.host(ACME).sessions + history.host(VOLT).sessions == 1

        published.status = "cancelled"  # a cancelled session served nobody, hosted nothing
        history = build_problem(session, w13, now=datetime(2027, 3, 24, 8)).history
        assert history.schools == {A: SchoolHistory(1, 0)}
        assert history.hosted_sessions == 0

        published.status = "confirmed"
        row = session.get_one(e.CampusSettingsRow, 1)
        row.data = {"horizon_weeks": 1, "school_year": YEAR | {"first": "2027-03-27"}}
        session.flush()
        history = build_problem(session, w13, now=datetime(2027, 3, 24, 8)).history
        # week 12 is before this school year: nothing of it counts; the year's days before
        # week 13 (27-28 March) are a weekend
        assert history == History(hosts={ACME: HostHistory(0, 0), VOLT: HostHistory(0, 0)})
        assert winner.key == "ra-12"


@pytest.mark.parametrize(
    ("today", "weeks", "year", "expected"),
    [
        (date(2026, 12, 23), 6, None, "2026-W53..2027-W05"),  # across the turn of the year
        (date(2026, 12, 28), 6, None, "2027-W01..2027-W06"),  # a Monday: the next week
        (date(2027, 3, 28), 1, None, "2027-W13..2027-W13"),  # the Sunday clocks go forward
        (date(2027, 10, 31), 2, None, "2027-W44..2027-W45"),  # the Sunday they go back
        (date(2027, 6, 23), 6, YEAR, "2027-W26..2027-W27"),  # stops at the school year's end
    ],
)
def test_the_rolling_horizon_starts_with_the_coming_week(
    today: date, weeks: int, year: dict[str, str] | None, expected: str
) -> None:
    from models.settings import CampusSettings

    settings = CampusSettings.model_validate({"horizon_weeks": weeks, "school_year": year})
    assert str(rolling_horizon(settings, today)) == expected


def test_a_rolling_solve_after_the_school_year_asks_for_the_next_one() -> None:
    from models.bridge import HorizonError
    from models.settings import CampusSettings

    settings = CampusSettings.model_validate({"school_year": YEAR})
    with pytest.raises(HorizonError, match=r"2027-W28.*set the next school year"):
        rolling_horizon(settings, date(2027, 7, 9))
