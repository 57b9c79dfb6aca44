"""Marking sessions held or not held through the API (SQLite and PostgreSQL).

The clock is set just after the workshop of 30 March 2027 started, in the week the clocks
went forward: 11:15 UTC is 13:15 in Amsterdam, so the 13:00 session may be marked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select, update

from api.app import create_app
from models import entities as e
from models.db import session_scope
from models.store import load_files
from tests.conftest import MINI
from tests.feeds.conftest import Clock
from tests.http.attendance_data import AFTER_WS, BEFORE_WS, GL, SC1, SC2, URL, WS, publish_plan
from tests.http.conftest import Api, make_keys


@pytest.fixture
def clock() -> Clock:
    return Clock(AFTER_WS)


@pytest.fixture
def api(engine: Engine, clock: Clock) -> Iterator[Api]:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    publish_plan(engine)
    keys = make_keys(engine)
    with TestClient(create_app(engine=engine, clock=clock)) as client:
        yield Api(client, engine, keys)


def _put(api: Api, uid: str, who: str, body: dict[str, object], **headers: str) -> Response:
    return api.client.put(URL.format(uid), headers={**api.headers(who), **headers}, json=body)


def test_a_trainer_marks_their_session_held_and_it_is_audited(api: Api) -> None:
    before = api.client.get(URL.format(WS), headers=api.headers("trainer"))
    assert before.status_code == 200 and before.json()["marked"] is False
    assert "etag" not in before.headers
    made = _put(api, WS, "trainer", {"held": True, "attended": 12})
    assert made.status_code == 201, made.text
    assert made.headers["etag"] == '"1"'
    body = made.json()
    assert (body["held"], body["attended"], body["group_size"]) == (True, 12, 14)
    assert (body["date"], body["start"], body["end"]) == ("2027-03-30", "13:00", "16:00")
    assert body["marked_by"] == "trainer t-sanne"  # the key has no label
    read = api.client.get(URL.format(WS), headers=api.headers("planner"))
    assert read.json()["marked"] is True and read.headers["etag"] == '"1"'
    with session_scope(api.engine) as session:
        audit = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == "attendance")
        ).one()
        assert (audit.entity_key, audit.action, audit.actor_role) == (WS, "create", "trainer")
        assert audit.changes == {"held": [None, True], "attended": [None, 12]}


def test_a_session_that_has_not_started_in_amsterdam_time_is_refused(
    api: Api, clock: Clock
) -> None:
    clock.now = BEFORE_WS  # 12:59 in Amsterdam: the 13:00 workshop is still to come
    early = _put(api, WS, "trainer", {"held": True, "attended": 12})
    assert early.status_code == 409
    assert "2027-03-30 13:00 (Amsterdam time), which is still to come" in early.json()["detail"]
    later = _put(api, SC2, "planner", {"held": False})  # Friday 2 April
    assert later.status_code == 409
    clock.now = AFTER_WS
    assert _put(api, WS, "trainer", {"held": True, "attended": 12}).status_code == 201


def test_numbers_the_groups_cannot_hold_and_contradictions_are_refused(api: Api) -> None:
    cases = [
        (WS, {"held": True, "attended": 15}, "15 attended is more than the 14 pupils"),
        (GL, {"held": True, "attended": 26}, "more than the 25 pupils in the session's groups"),
        (WS, {"held": True}, "a held session needs the number who attended"),
        (WS, {"held": True, "attended": 0}, "nobody came to was not held"),
        (WS, {"held": False, "attended": 3}, "not held has no attendance"),
    ]
    for uid, body, words in cases:
        answer = _put(api, uid, "planner", body)
        assert answer.status_code == 422, (body, answer.text)
        problem = answer.json()
        assert words in problem["detail"]
        assert problem["errors"][0]["path"] == "$.attended"
    bad = _put(api, WS, "planner", {"held": "yes", "attended": 3})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "$.held"
    assert _put(api, GL, "planner", {"held": True, "attended": 25}).status_code == 201
    with session_scope(api.engine) as session:
        assert len(session.scalars(select(e.SessionAttendance)).all()) == 1


def test_changing_a_mark_needs_the_etag(api: Api) -> None:
    assert _put(api, WS, "trainer", {"held": True, "attended": 12}).status_code == 201
    blind = _put(api, WS, "trainer", {"held": True, "attended": 13})
    assert blind.status_code == 428
    stale = _put(api, WS, "trainer", {"held": True, "attended": 13}, **{"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.headers["etag"] == '"1"'
    changed = _put(api, WS, "planner", {"held": False}, **{"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert (changed.json()["held"], changed.json()["attended"]) == (False, None)
    assert changed.json()["marked_by"] == "Planbureau"


def test_scope_other_trainers_sessions_are_missing_and_partners_may_not(api: Api) -> None:
    other = _put(api, SC1, "trainer", {"held": True, "attended": 10})  # t-ahmed's course
    missing = _put(api, "no-such@tic-planner.campus", "trainer", {"held": False})
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"].replace(SC1, "X") == missing.json()["detail"].replace(
        "no-such@tic-planner.campus", "X"
    )
    for who in ("company", "school"):
        assert _put(api, WS, who, {"held": False}).status_code == 403
        assert api.client.get(URL.format(WS), headers=api.headers(who)).status_code == 403
    assert _put(api, SC1, "planner", {"held": True, "attended": 10}).status_code == 201


def test_a_cancelled_session_cannot_be_marked(api: Api) -> None:
    with session_scope(api.engine) as session:
        session.execute(
            update(e.PublishedSession)
            .where(e.PublishedSession.uid == GL)
            .values(status="cancelled", cancelled_at=datetime(2027, 3, 20))
        )
    answer = _put(api, GL, "planner", {"held": False})
    assert answer.status_code == 409 and "cancelled" in answer.json()["detail"]


# --- GET /api/v1/report: the yearly report as JSON or CSV (planners) -----------------------


def test_the_report_as_json_and_as_csv_with_the_same_numbers(api: Api) -> None:
    planner = api.headers("planner")
    for uid, attended in ((GL, 20), (WS, 12)):
        put = api.client.put(
            URL.format(uid), headers=planner, json={"held": True, "attended": attended}
        )
        assert put.status_code == 201, put.text
    document = api.client.get("/api/v1/report?year=2026-2027", headers=planner)
    assert document.status_code == 200
    body = document.json()
    assert (body["year"], body["first"], body["last"]) == ("2026-2027", "2026-08-01", "2027-07-31")
    vmbo = body["rows"][0]
    assert (vmbo["scope"], vmbo["audience"], vmbo["reached"], vmbo["target"], vmbo["met"]) == (
        "campus", "vmbo", 21, 600, False)  # fmt: skip
    table = api.client.get(
        "/api/v1/report?year=2026-2027", headers={**planner, "Accept": "text/csv"}
    )
    assert table.status_code == 200
    assert table.headers["content-type"].startswith("text/csv")
    assert 'filename="tic-report-2026-2027.csv"' in table.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(table.text)))
    assert [(x["scope"], x["key"], x["audience"], int(x["reached"])) for x in lines] == [
        (r["scope"], r["key"], r["audience"], r["reached"]) for r in body["rows"]
    ]


def test_a_bad_year_is_422_with_the_parameter(api: Api) -> None:
    answer = api.client.get("/api/v1/report?year=2026/27", headers=api.headers("planner"))
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["errors"] == [
        {"in": "query", "path": "year", "reason": problem["errors"][0]["reason"]}
    ]
    assert "two consecutive years such as 2026-2027" in problem["detail"]
    missing = api.client.get("/api/v1/report", headers=api.headers("planner"))
    assert missing.status_code == 422 and missing.json()["errors"][0]["path"] == "year"


def test_erasing_the_trainer_erases_them_from_the_marks(api: Api) -> None:
    from models.audit import CLI
    from models.privacy import erase_trainer

    assert _put(api, WS, "trainer", {"held": True, "attended": 12}).status_code == 201
    with session_scope(api.engine) as session:
        erase_trainer(session, "t-sanne", actor=CLI, now=AFTER_WS)
    with session_scope(api.engine) as session:
        row = session.scalars(select(e.SessionAttendance)).one()
        assert "t-sanne" not in row.marked_by and row.marked_by.endswith("-gewist")
