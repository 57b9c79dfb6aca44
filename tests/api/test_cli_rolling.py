"""`campus solve --rolling`: the weekly re-plan from the coming week, through the CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import app
from tests.conftest import DATA

runner = CliRunner()
SETTINGS = '{"horizon_weeks": 1, "school_year": {"first": "2027-03-01", "last": "2027-07-09"}}'


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rolling(url: str, now: str) -> dict:
    code, out, err = campus(
        "solve", "--db", url, "--rolling", "--now", now, "--time-limit", "20", "--json"
    )
    assert code == 0, err
    return json.loads(out)


def test_each_week_plans_the_coming_week_and_balances_the_year(sqlite_url: str) -> None:
    assert campus("load", "--db", sqlite_url, str(DATA / "rolling-campus.yaml"))[0] == 0
    assert campus("settings", "set", "--db", sqlite_url, "--json", SETTINGS)[0] == 0
    week12 = rolling(sqlite_url, "2027-03-17T08:00")  # Wednesday of week 11
    assert (week12["horizon"], week12["rolling"]) == ("2027-W12..2027-W12", True)
    assert week12["unscheduled_requests"] == ["rb-12"]  # school A asked more urgently
    assert campus("publish", "--db", sqlite_url, str(week12["run"]))[0] == 0
    week13 = rolling(sqlite_url, "2027-03-24T08:00")  # the week clocks go forward
    assert week13["horizon"] == "2027-W13..2027-W13"
    assert week13["unscheduled_requests"] == ["ra-13"]  # school B's turn: 1 of 2 each


def test_the_readable_output_names_the_horizon_it_chose(sqlite_url: str) -> None:
    campus("load", "--db", sqlite_url, str(DATA / "rolling-campus.yaml"))
    code, _out, err = campus("solve", "--db", sqlite_url, "--rolling", "--now", "2026-12-23T10:00")
    assert code == 0
    assert "rolling solve: 2026-W53..2027-W05" in err  # default horizon_weeks 6


def test_weeks_and_rolling_are_one_or_the_other(sqlite_url: str) -> None:
    code, _, err = campus("solve", "--db", sqlite_url)
    assert code == 2 and "give either --weeks or --rolling" in err
    code, _, err = campus("solve", "--db", sqlite_url, "--rolling", "--weeks", "2027-W12")
    assert code == 2 and "give either --weeks or --rolling" in err


def test_a_rolling_solve_after_the_school_year_says_what_to_set(sqlite_url: str) -> None:
    campus("load", "--db", sqlite_url, str(DATA / "rolling-campus.yaml"))
    campus("settings", "set", "--db", sqlite_url, "--json", SETTINGS)
    code, _, err = campus("solve", "--db", sqlite_url, "--rolling", "--now", "2027-07-12T08:00")
    assert code == 2
    assert "starts after the school year 2027-03-01..2027-07-09" in err
    assert "school_year" in err
