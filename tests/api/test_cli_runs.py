"""`campus runs list|show`: the planner reviews runs and a run's sessions from the shell.

Run 1 is a real `campus solve` of the mini campus over 2027-W12..W13, published; run 2 is
written by hand around the start of daylight saving (see tests/http/test_solves.py).
"""

from __future__ import annotations

import json

from sqlalchemy import Engine
from typer.testing import CliRunner

from api.cli import app
from models.db import session_scope
from tests.conftest import DATA, MINI
from tests.feeds.factory import make_run
from tests.http.test_solves import HAND_CREATED, HAND_PLAN

runner = CliRunner()


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_runs_list_and_show_with_filters_and_json(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    assert campus("load", "--db", url, str(MINI), str(DATA / "other-school.yaml"))[0] == 0
    code, out, _ = campus(
        "solve", "--db", url, "--weeks", "2027-W12..2027-W13", "--now", "2027-03-01T08:00",
        "--time-limit", "10", "--json",
    )  # fmt: skip
    assert code == 0
    summary = json.loads(out)
    assert campus("publish", "--db", url, "1")[0] == 0
    with session_scope(engine) as session:
        make_run(session, HAND_PLAN, created=HAND_CREATED)

    code, out, _ = campus("runs", "list", "--db", url)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0] == (
        "run 2  2027-01-14 09:00 UTC  feasible  2027-W10..2027-W45 (36 weeks)  limit - s  "
        "objective -  scheduled -/- requests, 4 sessions  not published"
    )
    assert lines[1].startswith("run 1  ") and lines[1].endswith("published as v1 (in force)")
    assert f"  {summary['status']}  2027-W12..2027-W13 (2 weeks)  limit 10 s  " in lines[1]
    assert (
        f"objective {summary['objective']}  scheduled {summary['scheduled']}/"
        f"{summary['requests']} requests, {summary['sessions']} sessions" in lines[1]
    )
    code, out, _ = campus("runs", "list", "--db", url, "--json")
    runs = json.loads(out)
    assert [run["id"] for run in runs] == [2, 1]
    assert runs[1]["published_versions"] == [1] and runs[1]["in_force"] is True
    assert runs[1]["scheduled"] == summary["scheduled"]

    code, out, _ = campus("runs", "show", "2", "--db", url)
    assert code == 0
    assert out.splitlines()[1:] == [
        "r-ws-1#1  Fri 2027-03-26 13:00-16:00  ww-hal  trainers t-sanne  groups vz-3bb-a",
        "r-sc-1#1  Mon 2027-03-29 08:30-12:30  en-lab  trainers t-ahmed  groups vz-3kb-b",
        "r-rs-1#1  Tue 2027-03-30 13:00-16:00  ww-hal  trainers t-sanne  groups rs-2a",
        "r-gl-1#1  Thu 2027-04-01 10:00-11:30  vz-school  trainers t-sanne  "
        "groups vz-3bb-a, vz-3kb-b",
    ]
    code, out, _ = campus(
        "runs", "show", "2", "--db", url, "--school", "vmbo-zuidoost", "--week", "2027-W13"
    )
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["r-sc-1#1", "r-gl-1#1"]
    code, out, _ = campus("runs", "show", "2", "--db", url, "--location", "ww-hal", "--json")
    document = json.loads(out)
    assert document["id"] == 2
    assert [(s["request"], s["week"], s["start"]) for s in document["items"]] == [
        ("r-ws-1", "2027-W12", "13:00"), ("r-rs-1", "2027-W13", "13:00"),
    ]  # fmt: skip
    code, out, _ = campus("runs", "show", "2", "--db", url, "--week", "2027-W20")
    assert code == 0 and out.splitlines()[1:] == ["No sessions match these filters."]

    code, _, err = campus("runs", "show", "9", "--db", url)
    assert code == 1 and "no solve run 9" in err
    code, _, err = campus("runs", "show", "2", "--db", url, "--week", "2027-W60")
    assert code == 2 and "2027 has no ISO week 60" in err
