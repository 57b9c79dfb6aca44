"""Requests through the API: life cycle, door checks, withdrawal cut-off, bad input, ETags.

On the mini campus (tests/data/mini-campus.yaml): vz-3kb-b (11 pupils, no windows: Monday to
Friday) can take WS-WARMTEPOMP at ww-hal (Tuesday and Thursday afternoons) with t-sanne.
SQLite and PostgreSQL (the ``engine`` fixture under ``api``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from models import entities as e
from models.db import session_scope
from tests.http.conftest import Api

URL = "/api/v1/requests"
OK = {"activity": "WS-WARMTEPOMP", "groups": ["vz-3kb-b"], "earliest": "2027-05-10",
      "latest": "2027-05-28", "note": "Graag in de middag"}  # fmt: skip


def _submit(api: Api, who: str = "school", **changes: Any) -> dict[str, Any]:
    response = api.client.post(URL, headers=api.headers(who), json=OK | changes)
    assert response.status_code == 201, response.text
    return response.json()


def _audit(api: Api, key: str) -> list[tuple[str, dict[str, Any]]]:
    with session_scope(api.engine) as session:
        rows = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == "request",
                                       e.AuditEvent.entity_key == key).order_by(e.AuditEvent.id)
        )  # fmt: skip
        return [(row.action, row.changes) for row in rows]


def test_school_submits_planner_accepts_and_the_school_reads_it(api: Api) -> None:
    made = _submit(api)
    assert (made["status"], made["school"], made["groups"]) == ("submitted", "vmbo-zuidoost",
                                                                ["vz-3kb-b"])  # fmt: skip
    # 10 working days before the earliest date, Monday 10 May 2027
    assert made["withdraw_until"] == "2027-04-26"
    key = made["key"]
    accepted = api.client.post(f"{URL}/{key}/accept", headers=api.headers("planner"))
    assert accepted.status_code == 200, accepted.text
    seen = api.client.get(f"{URL}/{key}", headers=api.headers("school")).json()
    assert seen["status"] == "accepted" and seen["decided_at"] is not None
    assert seen["sessions"] == [] and seen["decline_reason"] is None
    actions = _audit(api, key)
    assert [a for a, _ in actions] == ["create", "update"]
    assert actions[0][1]["status"] == [None, "submitted"]
    assert actions[1][1]["status"] == ["submitted", "accepted"]
    assert actions[1][1]["decided_by"] == ["", "Planbureau"]
    again = api.client.post(f"{URL}/{key}/decline", headers=api.headers("planner"),
                            json={"reason": "te laat"})  # fmt: skip
    assert again.status_code == 409 and "only a submitted request" in again.json()["detail"]


def test_a_declined_request_shows_the_planners_reason_and_cannot_be_changed(api: Api) -> None:
    key = _submit(api)["key"]
    declined = api.client.post(f"{URL}/{key}/decline", headers=api.headers("planner"),
                               json={"reason": "Geen trainer vrij in mei"})  # fmt: skip
    assert declined.status_code == 200
    seen = api.client.get(f"{URL}/{key}", headers=api.headers("school"))
    assert seen.json()["decline_reason"] == "Geen trainer vrij in mei"
    patch = api.client.patch(
        f"{URL}/{key}",
        json={"note": "toch?"},
        headers=api.headers("school") | {"If-Match": seen.headers["ETag"]},
    )
    assert patch.status_code == 409
    withdrawn = api.client.post(f"{URL}/{key}/withdraw", headers=api.headers("school"))
    assert withdrawn.status_code == 409
    blank = api.client.post(
        f"{URL}/{_submit(api)['key']}/decline",
        headers=api.headers("planner"),
        json={"reason": "  "},
    )
    assert blank.status_code == 422 and blank.json()["errors"][0]["path"] == "$.reason"


def test_a_planner_enters_a_request_for_a_school(api: Api) -> None:
    made = _submit(api, who="planner", key="r-by-phone")
    assert (made["key"], made["status"]) == ("r-by-phone", "submitted")
    listed = api.client.get(URL, headers=api.headers("school"), params={"status": "submitted"})
    assert [r["key"] for r in listed.json()["items"]] == ["r-by-phone"]
    taken = api.client.post(URL, headers=api.headers("planner"), json=OK | {"key": "r-by-phone"})
    assert taken.status_code == 409


def test_list_filters_and_pages(api: Api) -> None:
    headers = api.headers("school")
    by = {name: api.client.get(URL, headers=headers, params=params).json()
          for name, params in {"all": {}, "accepted": {"status": "accepted"},
                               "W12": {"week": "2027-W12"}, "E": {"team": "E"},
                               "ws": {"activity": "WS-WARMTEPOMP"},
                               "page": {"limit": 1, "offset": 1}}.items()}  # fmt: skip
    keys = {name: [r["key"] for r in body["items"]] for name, body in by.items()}
    assert keys["all"] == ["r-gl-1", "r-sc-1", "r-ws-1"]
    assert keys["accepted"] == keys["all"]  # migrated and loaded "open"/default: accepted
    assert keys["W12"] == ["r-gl-1", "r-sc-1", "r-ws-1"]
    assert keys["E"] == ["r-sc-1"] and keys["ws"] == ["r-ws-1"]
    assert keys["page"] == ["r-sc-1"] and by["page"]["total"] == 3
    bad = api.client.get(URL, headers=headers, params={"week": "2027-W54"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "week"
    assert api.client.get(URL, headers=headers, params={"status": "open"}).status_code == 422


# --- checks at the door: refused (422) with explain's codes and words; nothing stored -------


def _windows_mondays_only(api: Api) -> dict[str, Any]:
    made = api.client.post("/api/v1/groups/vz-3kb-b/windows", headers=api.headers("school"),
                           json={"weekday": "mon", "start": "08:30", "end": "16:30"})  # fmt: skip
    assert made.status_code == 201
    return {}


DOOR = {
    # code: (body changes, words of the explanation, where the school fixes it)
    "participants_out_of_range": ({"groups": ["vz-3bb-a", "vz-3kb-b"]},
                                  "25 participants, activity WS-WARMTEPOMP allows 8-16",
                                  "$.groups"),
    "no_location_fits": ({"activity": "SC-SCHAKEL"}, "no location with capacity >= 11 and "
                         "11x switchboard", "$.groups"),
    "no_qualified_trainer": ({"groups": ["vz-3bb-a"]},
                             "2 trainers qualified for W-heatpump needed, only t-sanne",
                             "$.activity"),
    "no_days_in_window": ({"earliest": "2027-03-29", "latest": "2027-03-29"},
                          "holidays: 2027-03-29", "$.earliest"),
    # ww-hal is closed 5-9 April (Inventarisatie): no day when a fitting location is open
    "no_common_time": ({"earliest": "2027-04-05", "latest": "2027-04-09"},
                       "no 180-minute slot between 2027-04-05 and 2027-04-09", "$.groups"),
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(DOOR))
def test_a_request_that_can_never_be_scheduled_is_refused_with_explains_reason(
    api: Api, code: str
) -> None:
    changes, words, path = DOOR[code]
    before = api.client.get(URL, headers=api.headers("planner")).json()["total"]
    response = api.client.post(URL, headers=api.headers("school"), json=OK | changes)
    assert response.status_code == 422, response.text
    body = response.json()
    assert code in [r["code"] for r in body["reasons"]]
    message = next(r["message"] for r in body["reasons"] if r["code"] == code)
    assert words in message
    assert any(err["path"] == path for err in body["errors"])
    assert "nothing was stored" in body["detail"]
    assert api.client.get(URL, headers=api.headers("planner")).json()["total"] == before
    with session_scope(api.engine) as session:
        assert (
            session.scalars(select(e.AuditEvent).where(e.AuditEvent.entity == "request")).all()
            == []
        )


def test_a_group_that_can_never_travel_when_the_location_is_open_is_refused(api: Api) -> None:
    _windows_mondays_only(api)  # ww-hal opens Tuesday, Wednesday evening and Thursday
    response = api.client.post(URL, headers=api.headers("school"), json=OK)
    assert response.status_code == 422
    (reason,) = response.json()["reasons"]
    assert reason["code"] == "no_common_time" and "group(s) vz-3kb-b" in reason["message"]


def test_the_door_words_are_those_of_campus_explain(api: Api) -> None:
    """The same request, accepted and solved: explain gives the words the door gave."""
    from models.bridge import Horizon, build_problem
    from scheduler.explain import explain
    from scheduler.problem import RequestId
    from scheduler.solution import Solution, Status

    refused = api.client.post(URL, headers=api.headers("school"), json=OK | {"key": "r-big",
                              "groups": ["vz-3bb-a", "vz-3kb-b"]}).json()  # fmt: skip
    with session_scope(api.engine) as session:
        activity = session.scalars(
            select(e.ActivityType).where(e.ActivityType.code == "WS-WARMTEPOMP")
        ).one()
        groups = session.scalars(select(e.Group).order_by(e.Group.key)).all()
        made = e.Request(
            key="r-big",
            activity_type=activity,
            earliest=datetime(2027, 5, 10).date(),
            latest=datetime(2027, 5, 28).date(),
            groups=[e.RequestGroup(group=g, position=i) for i, g in enumerate(groups)],
        )
        session.add(made)
        session.flush()
        problem = build_problem(session, Horizon("2027-W19", "2027-W21"),
                                now=datetime(2027, 1, 15, 13))  # fmt: skip
    empty = Solution(status=Status.FEASIBLE, sessions=())
    found = explain(problem, empty, solver_seconds=0, requests=[RequestId("r-big")])
    assert [(str(r.code), r.message) for r in found[RequestId("r-big")]] == [
        (r["code"], r["message"]) for r in refused["reasons"]
    ]


# --- withdrawal and its cut-off ------------------------------------------------------------


def _client_at(api: Api, moment: datetime) -> TestClient:
    return TestClient(create_app(engine=api.engine, clock=lambda: moment))


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        # Earliest Monday 12 April 2027; 10 working days before: Monday 29 March, the day after
        # the clocks went forward (CEST, UTC+2). 21:30 UTC is 23:30 in Amsterdam: still in time.
        (datetime(2027, 3, 29, 21, 30, tzinfo=UTC), 200),
        # 22:30 UTC is 00:30 on Tuesday 30 March in Amsterdam (still the 29th in UTC): too late.
        (datetime(2027, 3, 29, 22, 30, tzinfo=UTC), 409),
    ],
)
def test_withdrawal_is_possible_until_the_cut_off_in_amsterdam_time(
    api: Api, moment: datetime, status: int
) -> None:
    key = _submit(api, earliest="2027-04-12", latest="2027-04-23")["key"]
    with _client_at(api, moment) as client:
        response = client.post(f"{URL}/{key}/withdraw", headers=api.headers("school"))
    assert response.status_code == status, response.text
    if status == 409:
        with _client_at(api, moment) as client:  # the school is sent to the planner, who may
            late = client.post(f"{URL}/{key}/withdraw", headers=api.headers("planner"))
        assert late.status_code == 200 and late.json()["status"] == "withdrawn"
        body = response.json()
        assert body["withdraw_until"] == "2027-03-29"
        assert "until the end of Monday 2027-03-29" in body["detail"]
        assert "contact the planner" in body["detail"]
    else:
        assert response.json()["status"] == "withdrawn"
        assert response.json()["withdrawn_at"] is not None


def test_the_cut_off_counts_from_the_first_published_session(api: Api) -> None:
    """r-sc-1 (earliest 1 March) has a published session on Friday 26 March: the cut-off is
    12 March, so on 5 March it may still be withdrawn, though its earliest date passed."""
    from models.publish import publish
    from tests.feeds.factory import PLAN_1, make_run

    with session_scope(api.engine) as session:
        plan = tuple(p for p in PLAN_1 if p.request == "r-sc-1")
        publish(session, make_run(session, plan), now=datetime(2027, 3, 1, tzinfo=UTC))
    seen = api.client.get(f"{URL}/r-sc-1", headers=api.headers("school")).json()
    assert seen["withdraw_until"] == "2027-03-12"
    assert [s["start"] for s in seen["sessions"]][:1] == ["2027-03-26T08:30:00"]
    with _client_at(api, datetime(2027, 3, 13, 9, tzinfo=UTC)) as client:
        late = client.post(f"{URL}/r-sc-1/withdraw", headers=api.headers("school"))
    assert late.status_code == 409 and "first planned session on 2027-03-26" in late.text
    with _client_at(api, datetime(2027, 3, 5, 9, tzinfo=UTC)) as client:
        ok = client.post(f"{URL}/r-sc-1/withdraw", headers=api.headers("school"))
    assert ok.status_code == 200


# --- bad input and ETags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"activity": "NO-SUCH"}, "$.activity"),
        ({"groups": ["no-such-group"]}, "$.groups[0]"),
        ({"groups": ["vz-3kb-b", "vz-3kb-b"]}, "$.groups[1]"),
        ({"latest": "2027-05-01"}, "$.latest"),
        ({"priority": "high"}, "$.priority"),
        ({"earliest": 20270510}, "$.earliest"),
        ({"groups": []}, "$.groups"),
        ({"colour": "blue"}, "$.colour"),
        ({"preferences": {"weekdays": ["someday"]}}, "$.preferences.weekdays[0]"),
        ({"preferences": {"partners": ["nobody"]}}, "$.preferences.partners[0]"),
        ({"note": "a\x00b"}, "$.note"),
    ],
)
def test_bad_input_is_answered_422_with_the_path(
    api: Api, changes: dict[str, Any], path: str
) -> None:
    response = api.client.post(URL, headers=api.headers("school"), json=OK | changes)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert path in [err["path"] for err in response.json()["errors"]]


def test_patch_needs_if_match_and_a_stale_one_changes_nothing(api: Api) -> None:
    key = _submit(api)["key"]
    headers = api.headers("school")
    first = api.client.get(f"{URL}/{key}", headers=headers)
    assert (
        api.client.patch(f"{URL}/{key}", headers=headers, json={"priority": 2}).status_code == 428
    )
    etag = first.headers["ETag"]
    ok = api.client.patch(
        f"{URL}/{key}",
        headers=headers | {"If-Match": etag},
        json={"priority": 2, "preferences": {"weekdays": ["tue"]}},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["preferences"]["weekdays"] == ["tue"] and ok.json()["note"] == OK["note"]
    stale = api.client.patch(f"{URL}/{key}", headers=headers | {"If-Match": etag},
                             json={"priority": 5})  # fmt: skip
    assert stale.status_code == 412
    assert api.client.get(f"{URL}/{key}", headers=headers).json()["priority"] == 2
    refused = api.client.patch(f"{URL}/{key}", headers=headers | {"If-Match": ok.headers["ETag"]},
                               json={"groups": ["vz-3bb-a", "vz-3kb-b"]})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["reasons"][0]["code"] == (
        "participants_out_of_range"
    )
    assert api.client.get(f"{URL}/{key}", headers=headers).json()["groups"] == ["vz-3kb-b"]
    changes = [c for a, c in _audit(api, key) if a == "update"]
    assert changes == [
        {
            "priority": [1, 2],
            "preferences": [
                {"weekdays": [], "time_of_day": None, "partners": [], "locations": []},
                {"weekdays": [2], "time_of_day": None, "partners": [], "locations": []},
            ],
        }
    ]


def test_a_guest_lesson_without_a_certified_trainer_is_refused(api: Api) -> None:
    with session_scope(api.engine) as session:
        for trainer in session.scalars(select(e.Trainer)):
            trainer.certified = False
    body = OK | {"activity": "GL-TECHNIEK", "groups": ["vz-3bb-a"]}
    response = api.client.post(URL, headers=api.headers("school"), json=body)
    assert response.status_code == 422, response.text
    (reason,) = response.json()["reasons"]
    assert reason["code"] == "no_certified_trainer"
    assert "teaching certificate a guest lesson needs" in reason["message"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/v1/requests/r-gl-1", {"status": "accepted"}),
        ("PATCH", "/api/v1/requests/r-gl-1", {"decline_reason": "x"}),
        ("PATCH", "/api/v1/requests/r-gl-1", {"earliest": None}),
        ("POST", "/api/v1/requests/r-gl-1/decline", {"reason": "vol", "why": "x"}),
        ("PATCH", "/api/v1/groups/vz-3bb-a", {"school": "elektro-noord"}),
        ("POST", "/api/v1/groups/vz-3bb-a/windows", {"weekday": 8, "start": "09:00",
                                                     "end": "10:00"}),
        ("PATCH", "/api/v1/groups/vz-3bb-a/windows/1", {"weekday": None}),
        ("PATCH", "/api/v1/groups/vz-3bb-a/windows/1", {"colour": "red"}),
    ],
)  # fmt: skip
def test_every_write_refuses_fields_it_does_not_know_or_cannot_take(
    api: Api, method: str, path: str, body: dict[str, Any]
) -> None:
    """A school cannot set a status or a decline reason by PATCH, nor move a group."""
    headers = api.headers("planner") | {"If-Match": "*"}
    response = api.client.request(method, path, headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["path"].startswith("$.")


def test_the_door_check_speaks_the_school_s_language(api: Api) -> None:
    """Dutch by default (the words of `campus explain`), English when the school asks for it:
    both from the catalogue, beside the engine's own English ``message``."""
    body = OK | {"earliest": "2027-03-29", "latest": "2027-03-29"}  # a holiday only
    dutch = api.client.post(URL, headers=api.headers("school"), json=body).json()
    reason = next(r for r in dutch["reasons"] if r["code"] == "no_days_in_window")
    assert reason["lang"] == "nl" and reason["text"] != reason["message"]
    assert reason["text"] in [err["reason"] for err in dutch["errors"]]
    with session_scope(api.engine) as session:
        school = session.scalars(select(e.Partner).filter_by(key="vmbo-zuidoost")).one()
        school.language = "en"
    english = api.client.post(URL, headers=api.headers("school"), json=body).json()
    reason = next(r for r in english["reasons"] if r["code"] == "no_days_in_window")
    assert reason["lang"] == "en" and reason["text"].startswith(
        "no working day on Mon 29 Mar 2027 within the planning period Mon 29 Mar 2027 to "
    )
    assert reason["message"].startswith("no working day between 2027-03-29")  # the engine's
    assert reason["text"] in [err["reason"] for err in english["errors"]]
