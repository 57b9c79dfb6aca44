"""GET /api/v1/changes: each party reads its own notices; decisions and planner alerts.

The mini campus with addresses (tests/notices/conftest.py), published twice with the plans
there (around the start of daylight saving); the app's clock is 15 January 2027.
SQLite and PostgreSQL (the ``engine`` fixture under ``api``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from models import entities as e
from models.audit import CLI
from models.db import session_scope
from models.notices import find_party, notices_for_publication, session_request_decided
from models.publish import publish
from models.settings import update_settings
from tests.feeds.factory import make_run
from tests.http.conftest import Api
from tests.notices.conftest import ADDRESSES, PLAN_1, PLAN_2, SENDER, load_campus
from tests.notices.smtp_sink import smtp_sink

URL = "/api/v1/changes"
T1 = datetime(2027, 1, 10, 9, tzinfo=UTC)
T2 = datetime(2027, 1, 12, 9, tzinfo=UTC)


@pytest.fixture
def told(api: Api) -> Api:
    """Two publications, each with its notices, as `campus publish` makes them."""
    with session_scope(api.engine) as session:
        load_campus(session)
    for plan, moment in ((PLAN_1, T1), (PLAN_2, T2)):
        with session_scope(api.engine) as session:
            result = publish(session, make_run(session, plan), now=moment)
            notices_for_publication(session, result)
    return api


def _get(api: Api, who: str, **params: Any) -> dict[str, Any]:
    response = api.client.get(URL, headers=api.headers(who), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _parties(page: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return [(n["party"]["role"], n["party"]["key"], n["publication"]) for n in page["items"]]


def test_each_key_reads_only_its_own_notices(told: Api) -> None:
    api = told
    school = _get(api, "school")
    assert _parties(school) == [("school", "vmbo-zuidoost", 1), ("school", "vmbo-zuidoost", 2)]
    assert school["total"] == 2
    moved = school["items"][1]
    assert moved["language"] == "nl" and moved["subject"] == (
        "TIC Planner: 2 wijzigingen in uw planning"
    )
    assert "van di 30 mrt 2027, 13:00–16:00, Praktijkhal Westpoort" in moved["body"]
    assert moved["email"] == {"to": ADDRESSES["vmbo-zuidoost"], "status": "mail_off",
                              "attempts": 0, "sent_at": None, "error": None}  # fmt: skip
    sessions = {s["kind"]: s for s in moved["changes"]["sessions"]}
    assert sorted(sessions) == ["cancelled", "moved"]
    assert sessions["moved"]["before"]["start"] == "2027-03-30T13:00"
    assert sessions["moved"]["after"]["start"] == "2027-04-01T13:00"
    assert sessions["cancelled"]["after"] is None
    assert sessions["cancelled"]["before"]["location"] == "vz-school"

    company = _get(api, "company")  # warmte-west
    assert _parties(company) == [("company", "warmte-west", 1), ("company", "warmte-west", 2)]
    assert "schakelkasten" not in json.dumps(company)  # elektro-noord's course
    trainer = _get(api, "trainer")  # t-sanne
    assert _parties(trainer) == [("trainer", "t-sanne", 1), ("trainer", "t-sanne", 2)]
    # a filter naming another party shows nothing of it
    assert _get(api, "company", party="elektro-noord")["total"] == 0
    assert _get(api, "school", party_role="trainer")["total"] == 0


def test_the_planner_reads_every_notice_with_filters_and_pages(told: Api) -> None:
    api = told
    every = _get(api, "planner")
    assert every["total"] == 8  # 5 parties told of publication 1, 3 of publication 2
    assert _parties(_get(api, "planner", publication=2)) == [
        ("company", "warmte-west", 2), ("school", "vmbo-zuidoost", 2), ("trainer", "t-sanne", 2),
    ]  # fmt: skip
    english = _get(api, "planner", party="elektro-noord")["items"]
    assert [(n["language"], n["subject"]) for n in english] == [
        ("en", "TIC Planner: 3 changes to your schedule")
    ]
    assert _get(api, "planner", email_status="no_address")["items"][0]["party"]["key"] == (
        "t-ahmed"
    )
    # since: Amsterdam time unless an offset is given; the second publication only
    assert _get(api, "planner", since="2027-01-12T10:00")["total"] == 3
    assert _get(api, "planner", since="2027-01-12T10:00:01+01:00")["total"] == 0
    page = _get(api, "planner", limit=3, offset=3)
    assert (page["total"], len(page["items"])) == (8, 3)
    assert [n["id"] for n in page["items"]] == [n["id"] for n in every["items"][3:6]]
    bad = api.client.get(URL, headers=api.headers("planner"), params={"since": "gisteren"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "since"
    assert api.client.get(URL, params={"kind": "nonsense"},
                          headers=api.headers("school")).status_code == 422  # fmt: skip


def _submit(api: Api) -> str:
    body = {"activity": "WS-WARMTEPOMP", "groups": ["vz-3kb-b"], "earliest": "2027-05-10",
            "latest": "2027-05-28"}  # fmt: skip
    made = api.client.post("/api/v1/requests", headers=api.headers("school"), json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


def test_the_school_is_told_of_a_decision_by_mail_after_the_commit(api: Api) -> None:
    with session_scope(api.engine) as session:
        load_campus(session)
    accepted, declined = _submit(api), _submit(api)
    with smtp_sink() as sink:
        with session_scope(api.engine) as session:
            update_settings(session, {"mail": {"enabled": True, "smtp_host": "127.0.0.1",
                                               "smtp_port": sink.port, "starttls": False,
                                               "sender": SENDER}},
                            actor=CLI, now=T1)  # fmt: skip
        planner = api.headers("planner")
        assert api.client.post(f"/api/v1/requests/{accepted}/accept", headers=planner).is_success
        reason = "In mei zijn de warmtepompen bezet; dien hem in voor juni."
        answer = api.client.post(f"/api/v1/requests/{declined}/decline", headers=planner,
                                 json={"reason": reason})  # fmt: skip
        assert answer.is_success
        mails = sink.by_recipient()[ADDRESSES["vmbo-zuidoost"]]
    assert [m.message["Subject"] for m in mails] == [
        f"TIC Planner: aanvraag {accepted} is geaccepteerd",
        f"TIC Planner: aanvraag {declined} is afgewezen",
    ]
    assert (
        f"Uw aanvraag {declined} (Workshop warmtepomp, 3 KB-b, ma 10 mei 2027 t/m vr 28 mei "
        f"2027) is afgewezen.\n\nReden: {reason}" in mails[1].body
    )
    items = _get(api, "school", kind="request_decision")["items"]
    assert [
        (n["changes"]["request"], n["changes"]["decision"], n["email"]["status"]) for n in items
    ] == [(accepted, "accepted", "sent"), (declined, "declined", "sent")]
    assert items[1]["changes"]["reason"] == reason
    assert _get(api, "company", kind="request_decision")["total"] == 0


def test_the_planner_is_told_at_once_when_an_absence_or_a_withdrawal_hits_the_plan(
    told: Api,
) -> None:
    api = told
    body = {"first": "2027-04-01", "last": "2027-04-02", "category": "sick"}
    made = api.client.post("/api/v1/trainers/t-sanne/absences?confirm=true",
                           headers=api.headers("trainer"), json=body)  # fmt: skip
    assert made.status_code == 201, made.text
    alerts = _get(api, "planner", kind="planner_alert")["items"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["party"] == {"role": "planner", "key": "", "name": "planner"}
    assert alert["subject"] == (
        "TIC Planner: 1 gepubliceerde sessie geraakt (trainer t-sanne afwezig (ziek) "
        "2027-04-01..2027-04-02)"
    )
    assert (
        "- r-ws-1#1 Workshop warmtepomp (3 BB-a): do 1 apr 2027, 13:00–16:00, Praktijkhal "
        "Westpoort, trainer Sanne de Wit" in alert["body"]
    )
    assert [s["uid"] for s in alert["changes"]["sessions"]] == ["r-ws-1-s1@tic-planner.campus"]
    # nobody else reads the planners' alerts
    for who in ("school", "company", "trainer"):
        assert _get(api, who, kind="planner_alert")["total"] == 0

    gone = api.client.post("/api/v1/requests/r-sc-1/withdraw", headers=api.headers("planner"))
    assert gone.status_code == 200, gone.text
    alerts = _get(api, "planner", kind="planner_alert")["items"]
    assert len(alerts) == 2
    withdrawal = alerts[1]
    assert withdrawal["changes"]["cause"] == "withdrawal"
    assert withdrawal["subject"] == (
        "TIC Planner: 3 gepubliceerde sessies geraakt (aanvraag r-sc-1 ingetrokken)"
    )
    assert "Vmbo College Zuidoost heeft aanvraag r-sc-1 ingetrokken." in withdrawal["body"]
    assert withdrawal["body"].count("- r-sc-1#") == 3


def test_a_decision_on_a_single_session_is_told_to_the_party_that_asked(told: Api) -> None:
    """The seam for change requests of single sessions (issue 25, pins)."""
    api = told
    with session_scope(api.engine) as session:
        party = find_party(session, "company", "elektro-noord")
        assert party is not None
        session_request_decided(
            session, party=party, uid="r-sc-1-s2@tic-planner.campus", decision="refused",
            reason="The course needs the same lab each week.", now=T2,
        )  # fmt: skip
    [notice] = _get(api, "planner", kind="session_request_decision")["items"]
    assert notice["party"]["key"] == "elektro-noord" and notice["language"] == "en"
    assert notice["subject"] == (
        "TIC Planner: decision on your request about Vaardigheidstraining schakelkasten on "
        "Fri 2 Apr 2027"
    )
    assert "is refused; the session stays as it is." in notice["body"]
    assert "Reason: The course needs the same lab each week." in notice["body"]
    assert notice["email"]["to"] == ADDRESSES["elektro-noord"]
    with session_scope(api.engine) as session:
        with pytest.raises(ValueError, match="decision 'maybe'"):
            session_request_decided(session, party=party, uid="x", decision="maybe", now=T2)
        assert session.scalars(select(e.Notice.id)).all()  # nothing else was touched
