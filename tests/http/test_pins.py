"""Pins and manual moves through the API: POST/DELETE /sessions/{uid}/pin, POST .../move.

The published plan is written by hand (no solver) on the mini campus: r-ws-1 on Tuesday
16 March, r-gl-1 (a guest lesson) on Thursday 18 March, the three sessions of r-sc-1 on
Fridays. Daylight saving starts on Sunday 28 March 2027: a move into that week is tested.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import entities as e
from models.bridge import Horizon, build_problem
from models.db import session_scope
from models.publish import publish
from tests.feeds.factory import Planned, make_run
from tests.http.conftest import Api

PUBLISHED_AT = datetime(2027, 1, 10, 9, tzinfo=UTC)
PLAN = (
    Planned("r-ws-1", 1, "ww-hal", datetime(2027, 3, 16, 13), datetime(2027, 3, 16, 16),
            ("t-sanne",)),
    Planned("r-gl-1", 1, "vz-school", datetime(2027, 3, 18, 10), datetime(2027, 3, 18, 11, 30),
            ("t-sanne",)),
    Planned("r-sc-1", 1, "en-lab", datetime(2027, 3, 26, 8, 30), datetime(2027, 3, 26, 12, 30),
            ("t-ahmed",)),
    Planned("r-sc-1", 2, "en-lab", datetime(2027, 4, 2, 8, 30), datetime(2027, 4, 2, 12, 30),
            ("t-ahmed",)),
    Planned("r-sc-1", 3, "en-lab", datetime(2027, 4, 9, 8, 30), datetime(2027, 4, 9, 12, 30),
            ("t-ahmed",)),
)  # fmt: skip
WS = "r-ws-1-s1@tic-planner.campus"
GL = "r-gl-1-s1@tic-planner.campus"


def make_plan_valid(session: Session) -> None:
    """The mini campus cannot hold r-ws-1 and r-sc-1 as they are (14 pupils need two heat-pump
    trainers; 11 switchboards wanted, 6 at en-lab): one trainer per 16, 12 switchboards."""
    ws = session.scalars(select(e.ActivityType).where(e.ActivityType.code == "WS-WARMTEPOMP"))
    ws.one().participants_per_trainer = 16
    lab = session.scalars(select(e.Location).where(e.Location.key == "en-lab")).one()
    lab.equipment[0].quantity = 12


def publish_plan(api: Api, plan: tuple[Planned, ...] = PLAN) -> int:
    with session_scope(api.engine) as session:
        make_plan_valid(session)
        run = make_run(session, plan)
        publish(session, run, now=PUBLISHED_AT)
        return run.id


@pytest.fixture
def published(api: Api) -> Api:
    publish_plan(api)
    return api


def _audit(api: Api, entity: str) -> list[e.AuditEvent]:
    with session_scope(api.engine) as session:
        return list(session.scalars(select(e.AuditEvent).where(e.AuditEvent.entity == entity)))


def test_pin_and_unpin_a_published_session_audited(published: Api) -> None:
    api, planner = published, published.headers("planner")
    answer = api.client.post(f"/api/v1/sessions/{WS}/pin", headers=planner)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "uid": WS, "pinned": True,
        "placement": {"start": "2027-03-16T13:00:00", "end": "2027-03-16T16:00:00",
                      "location": "ww-hal", "trainers": ["t-sanne"]},
    }  # fmt: skip
    again = api.client.post(f"/api/v1/sessions/{WS}/pin", headers=planner)
    assert again.status_code == 200
    assert [a.action for a in _audit(api, "pin")] == ["create"]  # pinning twice: one entry

    with session_scope(api.engine) as session:
        problem = build_problem(
            session, Horizon("2027-W11", "2027-W14"), now=datetime(2027, 1, 15, 13)
        )
        pinned = {(s.request, s.index) for s in problem.reference if s.pinned}
    assert pinned == {("r-ws-1", 1)}  # no reference run given: the pin puts it in, pinned

    assert api.client.delete(f"/api/v1/sessions/{WS}/pin", headers=planner).status_code == 204
    assert api.client.delete(f"/api/v1/sessions/{WS}/pin", headers=planner).status_code == 204
    assert [a.action for a in _audit(api, "pin")] == ["create", "delete"]
    with session_scope(api.engine) as session:
        assert session.scalars(select(e.Pin)).all() == []
        problem = build_problem(
            session, Horizon("2027-W11", "2027-W14"), now=datetime(2027, 1, 15, 13)
        )
    assert problem.reference == ()


def test_pins_name_only_sessions_of_the_published_plan(published: Api) -> None:
    api, planner = published, published.headers("planner")
    missing = api.client.post("/api/v1/sessions/r-ws-1-s9@tic-planner.campus/pin", headers=planner)
    assert missing.status_code == 404
    assert "no published session" in missing.json()["detail"]
    bad = api.client.post("/api/v1/sessions/not a uid/pin", headers=planner)
    assert bad.status_code == 422
    publish_plan(api, PLAN[1:])  # r-ws-1 (in the horizon, not over yet) is cancelled
    cancelled = api.client.post(f"/api/v1/sessions/{WS}/pin", headers=planner)
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json()["detail"]


def test_a_move_into_the_daylight_saving_week_makes_a_new_unpublished_run(
    published: Api,
) -> None:
    api, planner = published, published.headers("planner")
    answer = api.client.post(
        f"/api/v1/sessions/{WS}/move", headers=planner, json={"start": "2027-03-30T13:00"}
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    run = body["run"]
    assert answer.headers["Location"] == f"/api/v1/solves/{run}"
    assert body["from"] == {"start": "2027-03-16T13:00:00", "end": "2027-03-16T16:00:00",
                            "location": "ww-hal", "trainers": ["t-sanne"]}  # fmt: skip
    assert body["to"]["start"] == "2027-03-30T13:00:00"  # Amsterdam wall time, after the switch
    assert body["to"]["end"] == "2027-03-30T16:00:00" and body["pinned"] is True

    # the run holds the published plan with that one session moved and pinned
    sessions = api.client.get(f"/api/v1/solves/{run}/sessions", headers=planner).json()["items"]
    placed = {(s["request"], s["session"]): (s["date"], s["start"], s["pinned"]) for s in sessions}
    assert placed == {
        ("r-ws-1", 1): ("2027-03-30", "13:00", True),
        ("r-gl-1", 1): ("2027-03-18", "10:00", False),
        ("r-sc-1", 1): ("2027-03-26", "08:30", False),
        ("r-sc-1", 2): ("2027-04-02", "08:30", False),
        ("r-sc-1", 3): ("2027-04-09", "08:30", False),
    }
    figures = api.client.get(f"/api/v1/solves/{run}", headers=planner).json()
    assert figures["status"] == "feasible" and figures["published_versions"] == []
    with session_scope(api.engine) as session:
        row = session.get_one(e.SolveRun, run)
        assert row.parameters["kind"] == "manual_move"
        assert row.parameters["by"] == "Planbureau" and row.parameters["from_publication"] == 1
        ps = session.scalars(select(e.PublishedSession).where(e.PublishedSession.uid == WS)).one()
        assert ps.start == datetime(2027, 3, 16, 13)  # the move publishes nothing
        assert ps.sequence == 0
        assert [a.action for a in _audit(api, "manual_move")] == ["create"]
        assert [(a.action, a.entity_key) for a in _audit(api, "pin")] == [("create", WS)]

        # published like any run: the session moves for subscribers, and stays pinned there
        result = publish(session, row, now=datetime(2027, 1, 16, 9, tzinfo=UTC))
        assert [(c.uid, c.kind) for c in result.changes] == [(WS, "moved")]
        problem = build_problem(
            session, Horizon("2027-W13", "2027-W13"), now=datetime(2027, 1, 16, 10)
        )
    pinned = [s for s in problem.reference if s.pinned]
    assert [(s.request, s.start) for s in pinned] == [("r-ws-1", datetime(2027, 3, 30, 13))]


def test_a_move_that_breaks_a_rule_is_refused_in_words_naming_what_clashes(
    published: Api,
) -> None:
    api, planner = published, published.headers("planner")
    # the guest lesson onto Tuesday 14:00: trainer and groups are at r-ws-1 (13:00-16:00)
    answer = api.client.post(
        f"/api/v1/sessions/{GL}/move", headers=planner, json={"start": "2027-03-16T14:00"}
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["type"] == "urn:tic-planner:problem:invalid-input"
    assert "nothing was stored" in body["detail"]
    texts = [r["text"] for r in body["reasons"]]
    assert "trainers: trainer t-sanne is dan al ingepland (r-ws-1#1 op di 16 mrt 2027 13:00 " \
        "in Praktijkhal Westpoort)" in texts  # fmt: skip
    assert any(t.startswith("groepen: groep vz-3bb-a is dan al ingepland (r-ws-1#1") for t in texts)
    assert {r["lang"] for r in body["reasons"]} == {"nl"}
    assert all(r["clashes"] == ["r-ws-1#1"] for r in body["reasons"] if "double" in r["message"])
    english = api.client.post(
        f"/api/v1/sessions/{GL}/move?lang=en", headers=planner, json={"start": "2027-03-16T14:00"}
    ).json()
    assert (
        "trainers: trainer t-sanne is already booked then (r-ws-1#1 on Tue 16 Mar 2027 13:00 "
        "at Praktijkhal Westpoort)" in [r["text"] for r in english["reasons"]]
    )  # the catalogue's
    assert any("double booked" in r["message"] for r in english["reasons"])  # the validator's
    # into the trainer's absence (22-26 March), and onto Easter Monday
    absent = api.client.post(
        f"/api/v1/sessions/{WS}/move", headers=planner, json={"start": "2027-03-23T13:00"}
    ).json()
    assert [r["text"] for r in absent["reasons"]] == [
        "trainers: trainer t-sanne is dan niet beschikbaar"
    ]
    easter = api.client.post(
        f"/api/v1/sessions/{GL}/move", headers=planner, json={"start": "2027-03-29T10:00"}
    ).json()
    assert "locatie beschikbaar: het is dan een feestdag of vakantie" in [
        r["text"] for r in easter["reasons"]
    ]
    with session_scope(api.engine) as session:
        assert len(session.scalars(select(e.SolveRun)).all()) == 1  # only the published one
        assert session.scalars(select(e.Pin)).all() == []
    assert _audit(api, "manual_move") == []


def test_a_move_ignores_what_was_already_broken_elsewhere_but_not_in_its_own_session(
    published: Api,
) -> None:
    api, planner = published, published.headers("planner")
    # t-ahmed falls ill on 2 April after publishing: r-sc-1#2 is broken in the published plan
    with session_scope(api.engine) as session:
        ahmed = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-ahmed")).one()
        ahmed.absences.append(
            e.TrainerAbsence(first=datetime(2027, 4, 2).date(), last=datetime(2027, 4, 2).date(),
                             category="sick")
        )  # fmt: skip
    elsewhere = api.client.post(
        f"/api/v1/sessions/{WS}/move", headers=planner, json={"start": "2027-03-18T13:00"}
    )
    assert elsewhere.status_code == 201, elsewhere.text
    own = api.client.post(
        "/api/v1/sessions/r-sc-1-s2@tic-planner.campus/move",
        headers=planner,
        json={"trainers": ["t-ahmed"], "location": "en-lab", "start": "2027-04-02T08:30"},
    )
    assert own.status_code == 422  # the same place: "changes nothing"
    assert "changes nothing" in own.json()["detail"]


def test_moves_refuse_input_that_is_not_a_move(published: Api) -> None:
    api, planner = published, published.headers("planner")
    cases = [
        ({}, 422, "a move needs"),
        ({"start": "2027-03-30T13:00+02:00"}, 422, "start"),
        ({"start": "2027-02-30T13:00"}, 422, "start"),
        ({"location": "no-such-place"}, 422, "no location"),
        ({"trainers": ["t-nobody"]}, 422, "no trainer"),
        ({"start": "2027-03-30T13:00", "room": "x"}, 422, "unknown field"),
    ]
    for body, status, words in cases:
        answer = api.client.post(f"/api/v1/sessions/{WS}/move", headers=planner, json=body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.text, (body, answer.text)
    nothing = api.client.post(
        "/api/v1/sessions/r-xx-1-s1@tic-planner.campus/move",
        headers=planner,
        json={"start": "2027-03-30T13:00"},
    )
    assert nothing.status_code == 404


def test_nothing_published_yet_is_a_conflict(api: Api) -> None:
    answer = api.client.post(
        f"/api/v1/sessions/{WS}/move",
        headers=api.headers("planner"),
        json={"start": "2027-03-30T13:00"},
    )
    assert answer.status_code == 409
    assert "nothing is published" in answer.json()["detail"]
