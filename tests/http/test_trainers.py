"""Trainers through the API: companies manage them; trainers read their published sessions and
report absences and weekly availability, with 409-unless-confirmed over published sessions.

The published plan lies in the week daylight saving starts (Sunday 2027-03-28): t-sanne
teaches Tuesday 2027-03-30 13:00-16:00 (r-ws-1) and Thursday 2027-04-01 10:00-11:30
(r-gl-1); t-ahmed, who has no weekly windows (the default week), Monday 2027-03-29
08:30-12:30 (r-sc-1). All times are Amsterdam wall time and stay so across the change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from models import entities as e
from models.db import session_scope
from models.feeds import create_token
from models.keys import create_key
from models.publish import publish
from tests.feeds.factory import Planned, make_run
from tests.http.auth_helpers import assert_problem
from tests.http.conftest import MADE, Api

SANNE = "/api/v1/trainers/t-sanne"
AHMED = "/api/v1/trainers/t-ahmed"
PLAN = (
    Planned("r-ws-1", 1, "ww-hal", datetime(2027, 3, 30, 13), datetime(2027, 3, 30, 16),
            ("t-sanne",)),
    Planned("r-gl-1", 1, "vz-school", datetime(2027, 4, 1, 10), datetime(2027, 4, 1, 11, 30),
            ("t-sanne",)),
    Planned("r-sc-1", 1, "en-lab", datetime(2027, 3, 29, 8, 30), datetime(2027, 3, 29, 12, 30),
            ("t-ahmed",)),
)  # fmt: skip
WS = "r-ws-1-s1@tic-planner.campus"
GL = "r-gl-1-s1@tic-planner.campus"
SC = "r-sc-1-s1@tic-planner.campus"


@pytest.fixture
def published(api: Api) -> Api:
    with session_scope(api.engine) as session:
        publish(session, make_run(session, PLAN), now=datetime(2027, 1, 10, 9, tzinfo=UTC))
    return api


def _marks(api: Api) -> list[tuple[str, str]]:
    with session_scope(api.engine) as session:
        rows = session.scalars(select(e.ReplanMark).order_by(e.ReplanMark.id)).all()
        return [(row.published_session.uid, row.reason) for row in rows]


def _audit(api: Api) -> list[tuple[str, str, str, dict[str, Any]]]:
    with session_scope(api.engine) as session:
        rows = session.scalars(select(e.AuditEvent).order_by(e.AuditEvent.id)).all()
        return [(r.entity_key, r.action, r.actor_role, r.changes) for r in rows]


def _availability(api: Api, path: str = SANNE, who: str = "trainer") -> dict[str, Any]:
    response = api.client.get(path + "/availability", headers=api.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def _window(api: Api, weekday: str, path: str = SANNE) -> dict[str, Any]:
    return next(w for w in _availability(api, path, "planner")["weekly"] if w["weekday"] == weekday)


# --- absences ---------------------------------------------------------------------------


def test_an_absence_over_a_published_session_is_409_until_confirmed_then_marked(
    published: Api,
) -> None:
    api = published
    body = {"first": "2027-03-29", "last": "2027-03-31", "category": "sick"}
    before = _availability(api)
    refused = api.client.post(SANNE + "/absences", headers=api.headers("trainer"), json=body)
    problem = assert_problem(refused, 409)
    assert "?confirm=true" in problem["detail"]
    # the Tuesday session of the daylight-saving week, at its wall time (not shifted an hour)
    assert problem["sessions"] == [
        {"uid": WS, "request": "r-ws-1", "session": 1, "location": "ww-hal",
         "start": "2027-03-30T13:00", "end": "2027-03-30T16:00", "trainers": ["t-sanne"]},
    ]  # fmt: skip
    assert _availability(api) == before  # nothing was stored
    assert _marks(api) == [] and _audit(api) == []

    made = api.client.post(
        SANNE + "/absences?confirm=true", headers=api.headers("trainer"), json=body
    )
    assert made.status_code == 201, made.text
    absence = made.json()
    assert {k: absence[k] for k in ("first", "last", "category")} == body
    assert made.headers["ETag"] == absence["etag"]
    assert _marks(api) == [(WS, "trainer t-sanne afwezig (ziek) 2027-03-29..2027-03-31")]
    # the audit records dates and category, nothing more
    assert _audit(api) == [
        (f"t-sanne/absence/{absence['id']}", "create", "trainer",
         {"first": [None, "2027-03-29"], "last": [None, "2027-03-31"],
          "category": [None, "sick"]}),
    ]  # fmt: skip


def test_an_absence_that_breaks_no_session_is_made_at_once(published: Api) -> None:
    api = published
    body = {"first": "2027-04-05", "last": "2027-04-09", "category": "leave"}
    made = api.client.post(SANNE + "/absences", headers=api.headers("company"), json=body)
    assert made.status_code == 201, made.text
    listed = api.client.get(SANNE + "/absences", headers=api.headers("trainer")).json()
    assert [(a["first"], a["last"], a["category"]) for a in listed] == [
        ("2027-03-22", "2027-03-26", "training"),  # the file's "Cursus"
        ("2027-04-05", "2027-04-09", "leave"),
    ]
    assert _marks(api) == []


def test_an_absence_holds_no_free_text(api: Api) -> None:
    for extra in ({"reason": "knieoperatie"}, {"note": "griep"}):
        body = {"first": "2027-05-03", "last": "2027-05-04", "category": "sick", **extra}
        response = api.client.post(SANNE + "/absences", headers=api.headers("trainer"), json=body)
        problem = assert_problem(response, 422)
        assert [err["path"] for err in problem["errors"]] == [f"$.{next(iter(extra))}"]
    with session_scope(api.engine) as session:
        reasons = set(session.scalars(select(e.TrainerAbsence.reason)))
        assert reasons == {""}


def test_withdrawing_an_absence_needs_its_etag_and_is_audited(api: Api) -> None:
    body = {"first": "2027-05-03", "last": "2027-05-04", "category": "training"}
    made = api.client.post(SANNE + "/absences", headers=api.headers("trainer"), json=body).json()
    path = f"{SANNE}/absences/{made['id']}"
    assert_problem(api.client.delete(path, headers=api.headers("trainer")), 428)
    stale = {**api.headers("trainer"), "If-Match": '"99"'}
    assert_problem(api.client.delete(path, headers=stale), 412)
    fresh = {**api.headers("trainer"), "If-Match": made["etag"]}
    assert api.client.delete(path, headers=fresh).status_code == 204
    assert_problem(api.client.delete(path, headers=fresh), 404)
    assert _audit(api)[-1] == (
        f"t-sanne/absence/{made['id']}", "delete", "trainer",
        {"first": ["2027-05-03", None], "last": ["2027-05-04", None],
         "category": ["training", None]},
    )  # fmt: skip


# --- weekly availability ------------------------------------------------------------------


def test_shrinking_a_weekly_window_under_a_session_is_409_until_confirmed(
    published: Api,
) -> None:
    api = published
    tuesday = _window(api, "tue")
    path = f"{SANNE}/availability/weekly/{tuesday['id']}"
    headers = {**api.headers("trainer"), "If-Match": tuesday["etag"]}
    refused = api.client.patch(path, headers=headers, json={"end": "12:00"})
    assert [s["uid"] for s in assert_problem(refused, 409)["sessions"]] == [WS]
    assert _window(api, "tue") == tuesday

    changed = api.client.patch(path + "?confirm=true", headers=headers, json={"end": "12:00"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["end"] == "12:00"
    assert changed.headers["ETag"] != tuesday["etag"]
    assert _marks(api) == [(WS, "trainer t-sanne: wekelijkse beschikbaarheid gewijzigd")]
    assert _audit(api)[-1] == (
        f"t-sanne/weekly/{tuesday['id']}", "update", "trainer", {"end": ["18:00:00", "12:00:00"]}
    )


def test_a_change_that_keeps_every_session_inside_needs_no_confirm(published: Api) -> None:
    api = published
    thursday = _window(api, "thu")
    path = f"{SANNE}/availability/weekly/{thursday['id']}"
    headers = {**api.headers("company"), "If-Match": thursday["etag"]}
    changed = api.client.patch(path, headers=headers, json={"start": "09:30"})
    assert changed.status_code == 200, changed.text  # r-gl-1 at 10:00 still fits
    assert _marks(api) == []


def test_removing_a_weekly_window_under_a_session_is_409_until_confirmed(
    published: Api,
) -> None:
    api = published
    thursday = _window(api, "thu")
    path = f"{SANNE}/availability/weekly/{thursday['id']}"
    headers = {**api.headers("trainer"), "If-Match": thursday["etag"]}
    assert [s["uid"] for s in assert_problem(api.client.delete(path, headers=headers), 409)[
        "sessions"
    ]] == [GL]
    assert len(_availability(api)["weekly"]) == 2
    assert api.client.delete(path + "?confirm=true", headers=headers).status_code == 204
    assert [w["weekday"] for w in _availability(api)["weekly"]] == ["tue"]
    assert [uid for uid, _ in _marks(api)] == [GL]


def test_a_first_weekly_window_replaces_the_default_week(published: Api) -> None:
    """t-ahmed has no windows: available Monday-Friday 08:00-18:00 like the engine assumes.
    His first window (Wednesday) takes Monday away, under his published session."""
    api = published
    assert _availability(api, AHMED, "planner")["default_week"] is True
    body = {"weekday": "wed", "start": "08:00", "end": "17:00"}
    refused = api.client.post(
        AHMED + "/availability/weekly", headers=api.headers("planner"), json=body
    )
    assert [s["uid"] for s in assert_problem(refused, 409)["sessions"]] == [SC]
    monday = {"weekday": "mon", "start": "08:00", "end": "17:00"}
    kept = api.client.post(
        AHMED + "/availability/weekly", headers=api.headers("planner"), json=monday
    )
    assert kept.status_code == 201, kept.text  # Monday 08:30-12:30 still inside
    after = _availability(api, AHMED, "planner")
    assert after["default_week"] is False
    assert [(w["weekday"], w["start"], w["end"]) for w in after["weekly"]] == [
        ("mon", "08:00", "17:00")
    ]
    assert _marks(api) == []


def test_a_session_that_already_started_is_not_listed(published: Api) -> None:
    """Only sessions that have not started count (the past cannot be re-planned)."""
    api = published
    api.client.app.state.clock = lambda: datetime(2027, 3, 31, 8, tzinfo=UTC)  # type: ignore[attr-defined]
    body = {"first": "2027-03-29", "last": "2027-04-02", "category": "other"}
    refused = api.client.post(SANNE + "/absences", headers=api.headers("trainer"), json=body)
    assert [s["uid"] for s in assert_problem(refused, 409)["sessions"]] == [GL]


# --- sessions ---------------------------------------------------------------------------


def test_a_trainer_reads_their_own_sessions_with_what_they_need(published: Api) -> None:
    api = published
    response = api.client.get(
        SANNE + "/sessions?from=2027-03-29&to=2027-04-04", headers=api.headers("trainer")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["trainer"] == "t-sanne"
    first, second = body["items"]
    assert first == {
        "uid": WS, "request": "r-ws-1", "session": 1, "date": "2027-03-30",
        "start": "13:00", "end": "16:00",
        "activity": {"code": "WS-WARMTEPOMP", "title": "Workshop warmtepomp"},
        "location": {"key": "ww-hal", "name": "Praktijkhal Westpoort",
                     "address": "Contactweg 12, Amsterdam"},
        "groups": ["3 BB-a"], "other_trainers": [],
    }  # fmt: skip
    assert second["uid"] == GL and second["groups"] == ["3 BB-a", "3 KB-b"]
    only_tuesday = api.client.get(
        SANNE + "/sessions?from=2027-03-30&to=2027-03-30", headers=api.headers("trainer")
    ).json()
    assert [s["uid"] for s in only_tuesday["items"]] == [WS]
    assert "Sanne" not in str(
        api.client.get(AHMED + "/sessions", headers=api.headers("planner")).json()
    )
    bad = api.client.get(SANNE + "/sessions?from=2027-04-04&to=2027-03-29",
                         headers=api.headers("trainer"))  # fmt: skip
    assert [err["path"] for err in assert_problem(bad, 422)["errors"]] == ["to"]


# --- the trainer record -------------------------------------------------------------------


def test_a_company_adds_changes_and_deletes_its_trainer_all_audited(api: Api) -> None:
    company = api.headers("company")
    body = {"key": "t-nieuw", "name": "Kees Nieuw", "qualifications": ["W-basis"],
            "max_hours_per_week": 7.5, "home": "ww-hal"}  # fmt: skip
    made = api.client.post("/api/v1/trainers", headers=company, json=body)
    assert made.status_code == 201, made.text
    assert made.json() == {
        "key": "t-nieuw", "partner": "warmte-west", "name": "Kees Nieuw", "email": "",
        "certified": False, "max_hours_per_week": 7.5, "home": "ww-hal",
        "qualifications": ["W-basis"],
    }  # fmt: skip
    assert made.headers["location"] == "/api/v1/trainers/t-nieuw"
    path = "/api/v1/trainers/t-nieuw"
    etag = api.client.get(path, headers=company).headers["ETag"]
    patch = {"qualifications": ["W-basis", "W-heatpump"], "home": None}
    changed = api.client.patch(path, headers={**company, "If-Match": etag}, json=patch)
    assert changed.status_code == 200, changed.text
    assert changed.json()["qualifications"] == ["W-basis", "W-heatpump"]
    assert changed.json()["home"] is None and changed.json()["name"] == "Kees Nieuw"
    assert changed.headers["ETag"] != etag  # a qualification alone moves the version
    stale = api.client.patch(path, headers={**company, "If-Match": etag}, json={"name": "X"})
    assert_problem(stale, 412)
    assert_problem(api.client.delete(path, headers=company), 428)
    gone = api.client.delete(path, headers={**company, "If-Match": changed.headers["ETag"]})
    assert gone.status_code == 204
    assert_problem(api.client.get(path, headers=company), 404)
    audit = _audit(api)
    assert [(key, action) for key, action, _, _ in audit] == [
        ("t-nieuw", "create"), ("t-nieuw", "update"), ("t-nieuw", "delete")
    ]
    assert audit[0][3]["partner"] == [None, "warmte-west"]
    assert audit[1][3] == {
        "home": ["ww-hal", None], "qualifications": [["W-basis"], ["W-basis", "W-heatpump"]]
    }
    assert audit[2][3]["name"] == ["Kees Nieuw", None]


def test_a_trainer_of_the_published_plan_cannot_be_deleted(published: Api) -> None:
    api = published
    headers = {**api.headers("company"), "If-Match": "*"}
    problem = assert_problem(api.client.delete(SANNE, headers=headers), 409)
    assert "2 session(s) of the published plan" in problem["detail"]
    assert api.client.get(SANNE, headers=api.headers("company")).status_code == 200
    assert _audit(api) == []


def test_a_company_cannot_point_at_another_partners_location_or_partner(api: Api) -> None:
    company = api.headers("company")
    answers = []
    for home in ("en-lab", "no-such-location"):  # exists elsewhere / does not exist at all
        body = {"key": "t-x", "name": "X", "home": home}
        answers.append(api.client.post("/api/v1/trainers", headers=company, json=body))
    first, second = (assert_problem(r, 422) for r in answers)
    assert first["errors"][0]["path"] == second["errors"][0]["path"] == "$.home"
    assert first["detail"].replace("en-lab", "?") == second["detail"].replace(
        "no-such-location", "?"
    )
    other = {"key": "t-x", "name": "X", "partner": "elektro-noord"}
    problem = assert_problem(api.client.post("/api/v1/trainers", headers=company, json=other), 422)
    assert problem["errors"][0]["path"] == "$.partner"


def test_a_trainer_key_lists_only_itself(api: Api) -> None:
    body = api.client.get("/api/v1/trainers", headers=api.headers("trainer")).json()
    assert [t["key"] for t in body["items"]] == ["t-sanne"] and body["total"] == 1
    planner = api.client.get(
        "/api/v1/trainers?qualification=E-basis", headers=api.headers("planner")
    ).json()
    assert [t["key"] for t in planner["items"]] == ["t-ahmed"]
    company = api.client.get(
        "/api/v1/trainers?partner=elektro-noord", headers=api.headers("company")
    ).json()
    assert company == {"items": [], "total": 0, "limit": 50, "offset": 0}


# --- bad input, per write endpoint ----------------------------------------------------------

BAD: dict[str, tuple[str, str, list[tuple[Any, str, int]]]] = {
    "add trainer": ("POST", "/api/v1/trainers", [
        ({"name": "X"}, "$.key", 422),
        ({"key": "t y", "name": "X"}, "$.key", 422),
        ({"key": "t-y", "name": ""}, "$.name", 422),
        ({"key": "t-y", "name": "X", "salary": 1}, "$.salary", 422),
        ({"key": "t-y", "name": "X", "max_hours_per_week": 200}, "$.max_hours_per_week", 422),
        ({"key": "t-y", "name": "X", "qualifications": ["a", "a"]}, "$.qualifications", 422),
        ({"key": "t-y", "name": "X", "certified": "ja"}, "$.certified", 422),
        ({"key": "t-ahmed", "name": "X"}, "$.key", 409),
        ([1, 2], "$", 422),
    ]),
    "update trainer": ("PATCH", SANNE, [
        ({"name": None}, "$.name", 422),
        ({"partner": "elektro-noord"}, "$.partner", 422),
        ({"max_hours_per_week": -1}, "$.max_hours_per_week", 422),
        ({"home": "en-lab"}, "$.home", 422),
    ]),
    "add absence": ("POST", SANNE + "/absences", [
        ({"first": "2027-05-04", "last": "2027-05-03", "category": "sick"}, "$.last", 422),
        ({"first": "2027-05-03", "last": "2027-05-04", "category": "griep"}, "$.category", 422),
        ({"first": 20270503, "last": "2027-05-04", "category": "sick"}, "$.first", 422),
        ({"first": "2027-02-30", "last": "2027-05-04", "category": "sick"}, "$.first", 422),
        ({"first": "2027-03-26", "last": "2027-03-29", "category": "leave"}, "$", 409),
    ]),
    "add weekly window": ("POST", SANNE + "/availability/weekly", [
        ({"weekday": "mon", "start": "12:00", "end": "09:00"}, "$.end", 422),
        ({"weekday": "funday", "start": "09:00", "end": "12:00"}, "$.weekday", 422),
        ({"weekday": "mon", "start": "25:00", "end": "26:00"}, "$.start", 422),
        ({"weekday": "mon", "start": "09:00", "end": "12:00", "valid_from": "2027-05-01",
          "valid_to": "2027-04-01"}, "$.valid_to", 422),
        ({"weekday": "tue", "start": "17:00", "end": "19:00"}, "$", 409),
    ]),
}  # fmt: skip


def test_bad_input_on_every_trainer_write_says_where_and_why(api: Api) -> None:
    before = _availability(api, SANNE, "planner")
    trainer = api.client.get(SANNE, headers=api.headers("planner")).json()
    for name, (method, path, cases) in BAD.items():
        for body, where, status in cases:
            headers = {**api.headers("company"), "If-Match": "*"}
            response = api.client.request(method, path, headers=headers, json=body)
            problem = assert_problem(response, status)
            assert problem["errors"][0]["path"] == where, (name, body, problem)
            assert problem["detail"], (name, body)
    assert _availability(api, SANNE, "planner") == before
    assert api.client.get(SANNE, headers=api.headers("planner")).json() == trainer
    assert _audit(api) == []


def test_bad_changes_of_a_weekly_window(api: Api) -> None:
    tuesday = _window(api, "tue")
    path = f"{SANNE}/availability/weekly/{tuesday['id']}"
    headers = {**api.headers("trainer"), "If-Match": tuesday["etag"]}
    cases = [({"start": None}, "$.start"), ({"start": "19:00"}, "$.end"),
             ({"colour": "red"}, "$.colour")]  # fmt: skip
    for body, where in cases:
        problem = assert_problem(api.client.patch(path, headers=headers, json=body), 422)
        assert problem["errors"][0]["path"] == where, body
    assert _window(api, "tue") == tuesday
    missing = f"{SANNE}/availability/weekly/999999"
    assert_problem(api.client.patch(missing, headers=headers, json={"end": "17:00"}), 404)
    assert_problem(api.client.patch(path, headers=api.headers("trainer"), json={}), 428)


def test_deleting_a_trainer_revokes_what_names_it_so_a_new_namesake_inherits_nothing(
    api: Api,
) -> None:
    planner = api.headers("planner")
    body = {"key": "t-weg", "name": "Weg", "partner": "warmte-west"}
    assert api.client.post("/api/v1/trainers", headers=planner, json=body).status_code == 201
    with session_scope(api.engine) as session:
        _, secret = create_key(session, role="trainer", trainer="t-weg", now=MADE)
        token, _ = create_token(session, "trainer", "t-weg", now=MADE)
        token_id = token.id
    own = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/trainers/t-weg", headers=own).status_code == 200
    gone = api.client.delete("/api/v1/trainers/t-weg", headers={**planner, "If-Match": "*"})
    assert gone.status_code == 204
    assert api.client.post("/api/v1/trainers", headers=planner, json=body).status_code == 201
    assert_problem(api.client.get("/api/v1/trainers/t-weg", headers=own), 401)
    with session_scope(api.engine) as session:
        row = session.get(e.FeedToken, token_id)
        assert row is not None and row.active is None and row.revoked_at is not None
