"""Change requests: a school, company or trainer asks to cancel or move one published session;
the planner moves (validated), cancels or refuses; the party reads the decision in its GET.

The published plan is tests/http/test_pins.py's PLAN (mini campus, written by hand) plus
r-rs-1#1, a session of another school (roc-sloterdijk) at en-lab with t-ahmed: outside the
scope of the school, company and trainer keys of the fixture.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from models import entities as e
from models.audit import CLI
from models.change_requests import decided
from models.db import session_scope
from models.store import load_files
from tests.conftest import DATA
from tests.feeds.factory import Planned
from tests.http.conftest import Api
from tests.http.test_pins import GL, PLAN, WS, publish_plan

OTHER = "r-rs-1-s1@tic-planner.campus"
SC1 = "r-sc-1-s1@tic-planner.campus"
FOREIGN_PLAN = (
    Planned("r-rs-1", 1, "en-lab", datetime(2027, 3, 22, 9), datetime(2027, 3, 22, 12),
            ("t-ahmed",)),
)  # fmt: skip


@pytest.fixture
def published(api: Api) -> Api:
    with session_scope(api.engine) as session:
        load_files(session, [DATA / "other-school.yaml"])
    publish_plan(api, PLAN + FOREIGN_PLAN)
    return api


def ask(api: Api, who: str, uid: str, kind: str = "cancel", **extra: str) -> Any:
    body = {"session": uid, "kind": kind, "reason": "De klas kan donderdag niet", **extra}
    return api.client.post("/api/v1/change-requests", headers=api.headers(who), json=body)


def test_each_party_asks_about_its_own_sessions_only(published: Api) -> None:
    api = published
    school = ask(api, "school", WS, "move", wish="liever een dinsdag in april")
    assert school.status_code == 201, school.text
    body = school.json()
    assert school.headers["Location"] == f"/api/v1/change-requests/{body['id']}"
    assert {k: body[k] for k in ("session", "request", "kind", "status", "asked_by", "wish")} == {
        "session": WS, "request": "r-ws-1", "kind": "move", "status": "open",
        "asked_by": "school", "wish": "liever een dinsdag in april",
    }  # fmt: skip
    assert body["start"] == "2027-03-16T13:00:00" and body["lang"] == "nl"
    assert body["message"] == (
        "Uw verzoek over Workshop warmtepomp op di 16 mrt 2027 13:00 wacht op een besluit "
        "van de planner."
    )
    # another school's session is missing for this school, as is one that does not exist
    for who, uid in [("school", OTHER), ("company", SC1), ("trainer", SC1)]:
        answer = ask(api, who, uid)
        assert answer.status_code == 404, (who, answer.text)
        assert "that this key may see" in answer.json()["detail"]
        assert "ROC Sloterdijk" not in answer.text and "Ahmed" not in answer.text
    assert ask(api, "company", WS, "move").status_code == 201  # at its hall, its trainer
    assert ask(api, "trainer", GL).status_code == 201  # her own guest lesson
    assert ask(api, "planner", OTHER).status_code == 201  # entered for a party

    seen = {
        who: [(c["session"], c["asked_by"]) for c in api.client.get(
            "/api/v1/change-requests", headers=api.headers(who)).json()["items"]]
        for who in ("school", "company", "trainer", "planner")
    }  # fmt: skip
    assert seen["school"] == [(WS, "school")]
    assert seen["company"] == [(WS, "company")]
    assert seen["trainer"] == [(GL, "trainer")]
    assert len(seen["planner"]) == 4
    other = api.client.get(
        f"/api/v1/change-requests/{body['id'] + 1}", headers=api.headers("school")
    )
    assert other.status_code == 404  # the company's change request
    with session_scope(api.engine) as session:
        audit = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == "change_request")
        ).all()
    assert [(a.action, a.actor_role) for a in audit] == [
        ("create", "school"), ("create", "company"), ("create", "trainer"), ("create", "planner")
    ]


def test_bad_asks_are_refused_with_the_field(published: Api) -> None:
    api = published
    cases = [
        ({"session": WS, "kind": "cancel", "reason": ""}, 422, "$.reason"),
        ({"session": WS, "kind": "cancel", "reason": "   "}, 422, "$.reason"),
        ({"session": WS, "kind": "swap", "reason": "x"}, 422, "$.kind"),
        ({"session": WS, "kind": "cancel", "reason": "x", "wish": "dinsdag"}, 422, "$.wish"),
        ({"session": WS, "kind": "cancel", "reason": "x" * 1001}, 422, "$.reason"),
        ({"session": "x", "kind": "cancel", "reason": "x"}, 422, "$.session"),
    ]
    for body, status, path in cases:
        answer = api.client.post(
            "/api/v1/change-requests", headers=api.headers("school"), json=body
        )
        assert answer.status_code == status, (body, answer.text)
        assert path in [err["path"] for err in answer.json()["errors"]], answer.text


def test_the_planner_refuses_and_the_school_reads_why(published: Api) -> None:
    api = published
    made = ask(api, "school", WS).json()
    planner = api.headers("planner")
    no_reason = api.client.post(
        f"/api/v1/change-requests/{made['id']}/decision", headers=planner,
        json={"decision": "refuse"},
    )  # fmt: skip
    assert no_reason.status_code == 422
    answer = api.client.post(
        f"/api/v1/change-requests/{made['id']}/decision", headers=planner,
        json={"decision": "refuse", "reason": "De hal is die week elders nodig."},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "refused" and answer.json()["run"] is None
    seen = api.client.get(f"/api/v1/change-requests/{made['id']}", headers=api.headers("school"))
    assert seen.json()["status"] == "refused"
    assert seen.json()["decision_reason"] == "De hal is die week elders nodig."
    assert seen.json()["message"] == (
        "Uw verzoek over Workshop warmtepomp op di 16 mrt 2027 13:00 is afgewezen: "
        "De hal is die week elders nodig."
    )
    twice = api.client.post(
        f"/api/v1/change-requests/{made['id']}/decision", headers=planner,
        json={"decision": "cancel"},
    )  # fmt: skip
    assert twice.status_code == 409 and "already decided (refused)" in twice.json()["detail"]
    still_open = api.client.get("/api/v1/change-requests?status=open", headers=planner).json()
    assert still_open["total"] == 0
    told = api.client.get(
        "/api/v1/changes", params={"kind": "session_request_decision"},
        headers=api.headers("school"),
    ).json()["items"]  # fmt: skip
    assert [n["subject"] for n in told] == [
        "TIC Planner: besluit over uw verzoek voor Workshop warmtepomp op di 16 mrt 2027"
    ]
    assert "De hal is die week elders nodig." in told[0]["body"]
    elsewhere = api.client.get(
        "/api/v1/changes", params={"kind": "session_request_decision"},
        headers=api.headers("company"),
    ).json()  # fmt: skip
    assert elsewhere["total"] == 0  # only the party that asked is told


def test_a_school_that_prefers_english_reads_english(published: Api) -> None:
    api = published
    with session_scope(api.engine) as session:
        school = session.scalars(select(e.Partner).where(e.Partner.key == "vmbo-zuidoost")).one()
        school.language = "en"
    made = ask(api, "school", WS).json()
    assert made["lang"] == "en"
    assert made["message"] == (
        "Your request about Workshop warmtepomp on Tue 16 Mar 2027 13:00 awaits the planner's "
        "decision."
    )


def test_a_move_decision_goes_through_the_validated_move(published: Api) -> None:
    api, planner = published, published.headers("planner")
    made = ask(api, "company", WS, "move", wish="een week later").json()
    url = f"/api/v1/change-requests/{made['id']}/decision"
    # into the trainer's absence: refused with the reasons, the change request stays open
    refused = api.client.post(
        url, headers=planner, json={"decision": "move", "start": "2027-03-23T13:00"}
    )
    assert refused.status_code == 422
    assert [r["text"] for r in refused.json()["reasons"]] == [
        "trainers: trainer t-sanne is dan niet beschikbaar"
    ]
    assert api.client.get(url.rsplit("/", 1)[0], headers=planner).json()["status"] == "open"
    moved = api.client.post(
        url, headers=planner, json={"decision": "move", "start": "2027-03-30T13:00"}
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["status"] == "moved" and body["move"]["to"]["start"] == "2027-03-30T13:00:00"
    with session_scope(api.engine) as session:
        run = session.get_one(e.SolveRun, body["run"])
        assert run.parameters["kind"] == "manual_move"
        assert run.parameters["change_request"] == made["id"]
    company = api.client.get(url.rsplit("/", 1)[0], headers=api.headers("company")).json()
    assert company["status"] == "moved" and company["run"] == body["run"]
    assert "is toegekend: de sessie wordt verplaatst" in company["message"]


def test_a_cancel_decision_makes_a_run_without_the_session(published: Api) -> None:
    api, planner = published, published.headers("planner")
    made = ask(api, "trainer", GL).json()
    answer = api.client.post(
        f"/api/v1/change-requests/{made['id']}/decision", headers=planner,
        json={"decision": "cancel", "reason": "Gastles vervalt"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    run = answer.json()["run"]
    sessions = api.client.get(f"/api/v1/solves/{run}/sessions", headers=planner).json()["items"]
    assert [(s["request"], s["session"]) for s in sessions] == [
        ("r-ws-1", 1), ("r-rs-1", 1), ("r-sc-1", 1), ("r-sc-1", 2), ("r-sc-1", 3)
    ]  # everything but r-gl-1, by start
    again = ask(api, "school", WS).json()
    wrong = api.client.post(
        f"/api/v1/change-requests/{again['id']}/decision", headers=planner,
        json={"decision": "cancel", "start": "2027-03-30T13:00"},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert "belong to a move only" in wrong.json()["detail"]


def test_decided_tells_the_party_in_both_languages(published: Api) -> None:
    api = published
    made = ask(api, "school", WS).json()
    with session_scope(api.engine) as session:
        row = session.get_one(e.ChangeRequest, made["id"])
        row.status, row.decision_reason = "refused", "Geen ruimte"
        notice = decided(session, row, actor=CLI, now=datetime(2027, 1, 16, tzinfo=UTC))
    assert (notice.role, notice.partner, notice.trainer) == ("school", "vmbo-zuidoost", None)
    assert notice.text("nl").endswith("is afgewezen: Geen ruimte")
    assert notice.text("en").endswith("is refused: Geen ruimte")
