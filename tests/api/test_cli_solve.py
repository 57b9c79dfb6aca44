"""`campus solve` and `campus explain` on the mini campus, end to end through the database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from tests.conftest import MINI

runner = CliRunner()
WEEKS = "2027-W11..2027-W14"  # contains the start of daylight saving (2027-03-28)
NOW = "2027-03-01T08:00"


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def solved(url: str) -> dict:
    assert campus("load", "--db", url, str(MINI))[0] == 0
    code, out, _ = campus(
        "solve", "--db", url, "--weeks", WEEKS, "--now", NOW, "--time-limit", "20", "--json"
    )
    assert code == 0
    return json.loads(out)


def test_solve_json_reports_the_plan_and_a_clean_validation(sqlite_url: str) -> None:
    result = solved(sqlite_url)
    # Only the guest lesson fits: the workshop needs two heat-pump trainers (one exists) and
    # the course needs 11 switchboards (the lab has 6).
    assert result["status"] == "optimal"
    assert (result["requests"], result["scheduled"], result["unscheduled"]) == (3, 1, 2)
    assert result["unscheduled_requests"] == ["r-sc-1", "r-ws-1"]
    assert result["hard_violations"] == 0
    assert result["objective"] == result["validator_objective"] == sum(
        result["components"].values()
    )
    assert result["gap"] == 0.0
    assert result["changes"] == {"moved": 0, "cancelled": 0, "new": 1}


def test_second_solve_of_an_unchanged_campus_changes_nothing(sqlite_url: str) -> None:
    solved(sqlite_url)
    code, out, _ = campus(
        "solve", "--db", sqlite_url, "--weeks", WEEKS, "--now", NOW, "--time-limit", "20",
        "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["changes"] == {"moved": 0, "cancelled": 0, "new": 0}


def test_solve_prints_a_readable_summary(sqlite_url: str) -> None:
    campus("load", "--db", sqlite_url, str(MINI))
    code, out, _ = campus("solve", "--db", sqlite_url, "--weeks", WEEKS, "--now", NOW)
    assert code == 0
    for text in ("Requests per school", "Utilisation per location", "Objective components",
                 "validator: 0 hard violations", "campus explain REQUEST"):  # fmt: skip
        assert text in out


def test_bad_horizon_is_refused(sqlite_url: str) -> None:
    code, _, err = campus("solve", "--db", sqlite_url, "--weeks", "2027-W60")
    assert code == 2 and "'2027-W60': year 2027 has no ISO week 60" in err


def test_explain_names_the_missing_trainer_and_equipment(sqlite_url: str) -> None:
    solved(sqlite_url)
    code, out, _ = campus("explain", "--db", sqlite_url, "r-ws-1", "--json", "--lang", "en")
    assert code == 0
    found = json.loads(out)
    reasons = found["reasons"]
    assert found["lang"] == "en"
    assert [r["code"] for r in reasons] == ["no_qualified_trainer"]
    assert "only t-sanne" in reasons[0]["message"]
    assert reasons[0]["text"] == "2 trainers qualified for W-heatpump needed, only t-sanne"
    assert reasons[0]["details"]["needed"] == 2
    code, out, _ = campus("explain", "--db", sqlite_url, "r-sc-1", "--lang", "en")
    assert "no location with room for 11 and 11x switchboard" in out  # catalogue words
    code, out, _ = campus("explain", "--db", sqlite_url, "r-gl-1", "--lang", "en")
    assert "r-gl-1 is scheduled in run 1" in out


def test_explain_speaks_dutch_by_default(sqlite_url: str) -> None:
    solved(sqlite_url)
    code, out, _ = campus("explain", "--db", sqlite_url, "r-sc-1")
    assert code == 0
    assert "r-sc-1 is niet ingepland in run 1:" in out
    assert "no_location_fits: geen locatie met plaats voor 11 en 11x switchboard" in out
    code, out, _ = campus("explain", "--db", sqlite_url, "r-ws-1", "--json")
    found = json.loads(out)
    (reason,) = found["reasons"]
    assert found["lang"] == "nl" and reason["code"] == "no_qualified_trainer"
    assert reason["text"].startswith("2 trainers bevoegd voor")
    assert "alleen t-sanne" in reason["text"]
    code, out, _ = campus("explain", "--db", sqlite_url, "r-gl-1")
    assert "r-gl-1 is ingepland in run 1." in out


def test_explain_refuses_an_unknown_language(sqlite_url: str) -> None:
    solved(sqlite_url)
    code, _, err = campus("explain", "--db", sqlite_url, "r-sc-1", "--lang", "de")
    assert code == 2 and "unknown language 'de': use one of nl, en" in err


def test_explain_before_any_solve_says_what_to_do(sqlite_url: str) -> None:
    campus("load", "--db", sqlite_url, str(MINI))
    code, _, err = campus("explain", "--db", sqlite_url, "r-ws-1")
    assert code == 1 and "run `campus solve` first" in err


def test_explain_of_an_unknown_request(sqlite_url: str) -> None:
    solved(sqlite_url)
    code, _, err = campus("explain", "--db", sqlite_url, "r-nope")
    assert code == 1 and "no request 'r-nope'" in err


def test_now_with_an_offset_is_converted_to_amsterdam_time(sqlite_url: str) -> None:
    from sqlalchemy import select

    from models import entities as e
    from models.db import make_engine, session_scope

    campus("load", "--db", sqlite_url, str(MINI))
    code, _, _ = campus(
        "solve", "--db", sqlite_url, "--weeks", WEEKS, "--now", "2027-03-01T07:00:00+00:00",
        "--json",
    )  # fmt: skip
    assert code == 0
    with session_scope(make_engine(sqlite_url)) as session:
        run = session.scalars(select(e.SolveRun)).one()
        assert run.parameters["now"] == "2027-03-01T08:00:00"  # CET is UTC+1 in March


def test_the_json_summary_agrees_with_itself_without_a_plan_and_with_a_broken_course() -> None:
    from datetime import timedelta

    from api.cli_solve import result_json
    from models.bridge import Horizon
    from models.planning import PlanResult
    from scheduler import DateRange, Solution, Status
    from scheduler.validate import validate
    from tests.scheduler.test_running_courses import WEEK3, _open, course, run

    horizon = Horizon.parse("2027-W36..2027-W38")
    problem = course(hall=_open(DateRange(WEEK3, WEEK3 + timedelta(days=4), "lekkage")))
    nothing = Solution(Status.INFEASIBLE)  # no plan: every request is unscheduled
    summary = result_json(PlanResult(1, problem, nothing, validate(problem, nothing)), horizon)
    assert summary["unscheduled"] == len(summary["unscheduled_requests"]) == 2
    assert summary["scheduled"] == summary["incomplete"] == 0
    solution = run(problem)
    summary = result_json(PlanResult(2, problem, solution, validate(problem, solution)), horizon)
    assert (summary["scheduled"], summary["incomplete"], summary["unscheduled"]) == (1, 1, 0)
    assert summary["incomplete_requests"] == ["r1"] and summary["unscheduled_requests"] == []
    assert summary["requests"] == 2


def test_a_course_broken_by_a_closure_is_reported_and_explained(
    sqlite_url: str, tmp_path: Path
) -> None:
    from tests.conftest import DATA

    text = (DATA / "replan-campus.yaml").read_text(encoding="utf-8")
    text = text.replace("max_days_between: 7,", "max_days_between: 7, same_location: true,")
    first, closed = tmp_path / "campus.yaml", tmp_path / "closed.yaml"
    first.write_text(text, encoding="utf-8")
    closure = "        - {first: 2027-03-29, last: 2027-04-02, reason: lekkage}\n"
    closed.write_text(
        text.replace("      weekly:\n", "      closures:\n" + closure + "      weekly:\n"),
        encoding="utf-8",
    )
    weeks = ("--weeks", "2027-W12..2027-W13", "--time-limit", "10", "--json")
    assert campus("load", "--db", sqlite_url, str(first))[0] == 0
    assert campus("solve", "--db", sqlite_url, *weeks, "--now", NOW)[0] == 0
    assert campus("load", "--db", sqlite_url, str(closed))[0] == 0  # both labs close in W13
    code, out, _ = campus("solve", "--db", sqlite_url, *weeks, "--now", "2027-03-26T20:00")
    assert code == 0
    summary = json.loads(out)
    assert summary["status"] == "optimal" and summary["hard_violations"] == 0
    assert summary["incomplete_requests"] == ["r6"] and summary["scheduled"] == 4
    code, out, _ = campus("explain", "--db", sqlite_url, "r6", "--lang", "en")
    assert "r6 cannot be completed in run 2:" in out
    assert "course_cannot_be_completed: session r6#2" in out and "(lekkage)" in out
    code, out, _ = campus("explain", "--db", sqlite_url, "r6")
    assert "r6 kan niet worden afgerond in run 2:" in out
    assert "course_cannot_be_completed: sessie r6#2" in out and "(lekkage)" in out
