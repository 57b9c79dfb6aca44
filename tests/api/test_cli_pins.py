"""`campus pin|unpin|move` and `campus change-requests list|decide` on a published plan
written by hand (tests/http/test_pins.py's PLAN), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.audit import Actor
from models.change_requests import ask
from models.db import session_scope
from models.keys import Principal
from models.publish import publish
from models.store import load_files
from tests.conftest import MINI
from tests.feeds.factory import make_run
from tests.http.test_pins import PLAN, PUBLISHED_AT, make_plan_valid

runner = CliRunner()
SCHOOL = Principal(key_id=1, role="school", partner="vmbo-zuidoost", trainer=None, label="Ans")


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def published(engine: Engine) -> str:
    with session_scope(engine) as session:
        load_files(session, [MINI])
        make_plan_valid(session)
        publish(session, make_run(session, PLAN), now=PUBLISHED_AT)
    return engine.url.render_as_string(hide_password=False)


def test_pin_unpin_and_a_move_into_the_daylight_saving_week(engine: Engine) -> None:
    url = published(engine)
    assert campus("pin", "r-ws-1#1", "--db", url)[1] == (
        "pinned: r-ws-1-s1@tic-planner.campus (Tue 2027-03-16 13:00-16:00 at ww-hal)\n"
    )
    assert campus("pin", "r-ws-1-s1@tic-planner.campus", "--db", url)[1].startswith(
        "already pinned"
    )
    assert campus("unpin", "r-ws-1#1", "--db", url)[1] == "unpinned: r-ws-1-s1@tic-planner.campus\n"
    code, _, errors = campus("pin", "r-ws-1#7", "--db", url)
    assert code == 1 and "no published session 'r-ws-1-s7@tic-planner.campus'" in errors

    code, _, errors = campus("move", "r-gl-1#1", "--start", "2027-03-16T14:00", "--db", url)
    assert code == 1
    assert "trainers: trainer t-sanne is dan al ingepland (r-ws-1#1 op di 16 mrt 2027 13:00" in (
        errors
    )
    code, _, errors = campus(
        "move", "r-gl-1#1", "--start", "2027-03-16T14:00", "--lang", "en", "--db", url
    )
    assert (
        code == 1
        and "trainers: trainer t-sanne is already booked then (r-ws-1#1 on Tue 16 "
        "Mar 2027 13:00 at Praktijkhal Westpoort)"
        in errors
    )
    assert campus("move", "r-gl-1#1", "--db", url)[0] == 2  # nothing to move to
    assert campus("move", "r-gl-1#1", "--start", "30 maart", "--db", url)[0] == 2

    code, out, _ = campus("move", "r-ws-1#1", "--start", "2027-03-30T13:00", "--db", url)
    assert code == 0, out
    assert out.startswith(
        "run 2: r-ws-1-s1@tic-planner.campus moved from Tue 2027-03-16 13:00 at ww-hal to "
        "Tue 2027-03-30 13:00 at ww-hal (t-sanne), pinned; not published"
    )
    code, out, _ = campus("runs", "show", "2", "--json", "--db", url)
    moved = [s for s in json.loads(out)["items"] if s["request"] == "r-ws-1"]
    assert [(s["date"], s["start"], s["end"], s["pinned"]) for s in moved] == [
        ("2027-03-30", "13:00", "16:00", True)
    ]
    code, out, errors = campus("publish", "2", "--db", url)
    assert code == 0, out + errors
    with session_scope(engine) as session:
        ps = session.scalars(
            select(e.PublishedSession).where(e.PublishedSession.request.has(key="r-ws-1"))
        ).one()
        assert (ps.start, ps.sequence) == (datetime(2027, 3, 30, 13), 1)
        actions = session.scalars(
            select(e.AuditEvent.entity).where(e.AuditEvent.actor_role == "cli")
        )
        assert sorted(set(actions)) == ["manual_move", "pin", "publication"]


def test_solve_reports_a_pin_an_absence_made_impossible(engine: Engine) -> None:
    url = published(engine)
    assert campus("pin", "r-ws-1#1", "--db", url)[0] == 0
    with session_scope(engine) as session:
        sanne = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one()
        sanne.absences.append(
            e.TrainerAbsence(first=date(2027, 3, 16), last=date(2027, 3, 16), category="sick")
        )
    code, out, _ = campus(
        "solve", "--db", url, "--weeks", "2027-W11..2027-W14", "--now", "2027-03-01T08:00",
        "--time-limit", "5", "--json",
    )  # fmt: skip
    summary = json.loads(out)
    assert code == 0 and summary["status"] in ("optimal", "feasible")
    assert [(b["uid"], b["check"]) for b in summary["broken_pins"]] == [
        ("r-ws-1-s1@tic-planner.campus", "unavailable")
    ]


def test_change_requests_list_and_decide(engine: Engine) -> None:
    url = published(engine)
    with session_scope(engine) as session:
        ask(
            session, SCHOOL, "r-ws-1-s1@tic-planner.campus", kind="move", reason="Toetsweek",
            wish="een week later", actor=Actor("school", "Ans", 1),
            now=datetime(2027, 1, 20, 9, tzinfo=UTC),
        )  # fmt: skip
    code, out, _ = campus("change-requests", "list", "--open", "--db", url)
    assert out == (
        "#1  open  move r-ws-1-s1@tic-planner.campus (Tue 2027-03-16 13:00 at ww-hal)  by "
        "school vmbo-zuidoost: Toetsweek (wish: een week later)\n"
    )
    assert campus("change-requests", "decide", "1", "refuse", "--db", url)[0] == 2
    assert campus("change-requests", "decide", "1", "swap", "--db", url)[0] == 2
    code, out, _ = campus(
        "change-requests", "decide", "1", "refuse", "--reason", "De hal is bezet", "--db", url
    )
    assert code == 0
    assert out.splitlines()[1] == (
        "the party reads: Uw verzoek over Workshop warmtepomp op di 16 mrt 2027 13:00 is "
        "afgewezen: De hal is bezet"
    )
    code, _, errors = campus("change-requests", "decide", "1", "cancel", "--db", url)
    assert code == 1 and "already decided (refused)" in errors
    assert campus("change-requests", "list", "--open", "--db", url)[1] == (
        "No open change requests.\n"
    )
    code, out, _ = campus("change-requests", "list", "--json", "--db", url)
    assert [(c["id"], c["status"], c["decision_reason"]) for c in json.loads(out)] == [
        (1, "refused", "De hal is bezet")
    ]
    assert campus("change-requests", "decide", "7", "cancel", "--db", url)[0] == 1


def test_every_new_command_has_help_with_an_example() -> None:
    for command in (["pin"], ["unpin"], ["move"], ["change-requests", "list"],
                    ["change-requests", "decide"]):  # fmt: skip
        code, out, _ = campus(*command, "--help")
        assert code == 0 and "Usage" in out and "Example: campus " in out, command
