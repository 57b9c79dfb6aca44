"""Planners manage API keys through the API: the secret once, revocation at once, audited."""

from __future__ import annotations

from sqlalchemy import select, text

from models import entities as e
from models.db import session_scope
from tests.http.conftest import Api

PATH = "/api/v1/keys"
NEW_COORDINATOR = {"role": "school", "partner": "vmbo-zuidoost", "label": "Fatima, BBL-team",
                   "expires": "2027-08-01"}  # fmt: skip


def test_a_planner_makes_a_key_that_works_at_once_and_shows_its_secret_once(api: Api) -> None:
    made = api.client.post(PATH, headers=api.headers("planner"), json=NEW_COORDINATOR)
    assert made.status_code == 201, made.text
    body = made.json()
    secret = body["secret"]
    assert secret.startswith("tic_")
    assert made.headers["Location"] == f"{PATH}/{body['id']}"
    assert made.headers["Cache-Control"] == "no-store"
    assert (body["role"], body["partner"], body["label"], body["status"]) == (
        "school", "vmbo-zuidoost", "Fatima, BBL-team", "active"
    )  # fmt: skip
    assert body["expires"] == "2027-07-31T22:00:00Z"  # the start of 1 August, Amsterdam time
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["partner"] == "vmbo-zuidoost"
    listed = api.client.get(PATH, headers=api.headers("planner"))
    one = api.client.get(f"{PATH}/{body['id']}", headers=api.headers("planner"))
    for answer in (listed, one):
        assert answer.status_code == 200
        assert secret not in answer.text and "hash" not in answer.text
    assert one.json() == {k: v for k, v in body.items() if k != "secret"} | {
        "last_used": one.json()["last_used"]
    }


def test_revoking_locks_the_key_out_and_a_second_revoke_is_409(api: Api) -> None:
    made = api.client.post(PATH, headers=api.headers("planner"), json=NEW_COORDINATOR).json()
    theirs = {"Authorization": f"Bearer {made['secret']}"}
    assert api.client.get("/api/v1/me", headers=theirs).status_code == 200
    revoked = api.client.post(f"{PATH}/{made['id']}/revoke", headers=api.headers("planner"))
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert api.client.get("/api/v1/me", headers=theirs).status_code == 401
    again = api.client.post(f"{PATH}/{made['id']}/revoke", headers=api.headers("planner"))
    assert again.status_code == 409
    assert "already revoked" in again.json()["detail"]
    missing = api.client.post(f"{PATH}/999/revoke", headers=api.headers("planner"))
    assert missing.status_code == 404


def test_key_management_is_audited_without_the_secret(api: Api) -> None:
    made = api.client.post(PATH, headers=api.headers("planner"), json=NEW_COORDINATOR).json()
    api.client.post(f"{PATH}/{made['id']}/revoke", headers=api.headers("planner"))
    with session_scope(api.engine) as session:
        rows = session.scalars(select(e.AuditEvent).order_by(e.AuditEvent.id)).all()
        assert [(r.entity, r.entity_key, r.action, r.actor_label) for r in rows] == [
            ("api_key", str(made["id"]), "create", "Planbureau"),
            ("api_key", str(made["id"]), "update", "Planbureau"),
        ]
        assert rows[0].changes == {
            "role": [None, "school"],
            "partner": [None, "vmbo-zuidoost"],
            "label": [None, "Fatima, BBL-team"],
            "expires": [None, "2027-07-31T22:00:00+00:00"],
        }
        assert rows[1].changes == {"status": ["active", "revoked"]}
        key_hash = session.get(e.ApiKey, made["id"]).key_hash
    with api.engine.connect() as conn:
        dump = " ".join(str(r) for r in conn.execute(text("SELECT * FROM audit_events")))
    assert made["secret"] not in dump and key_hash not in dump


def test_the_list_filters_by_role_and_status(api: Api) -> None:
    def ids(query: str) -> list[tuple[str, str]]:
        body = api.client.get(PATH + query, headers=api.headers("planner")).json()
        return [(k["role"], k["status"]) for k in body["items"]]

    assert ids("?role=planner") == [("planner", "active"), ("planner", "revoked"),
                                    ("planner", "expired")]  # fmt: skip
    assert ids("?status=revoked") == [("planner", "revoked")]
    assert ids("?status=expired") == [("planner", "expired")]
    assert len(ids("?status=active")) == 4
    page = api.client.get(PATH + "?limit=2&offset=1", headers=api.headers("planner")).json()
    assert (page["total"], [k["id"] for k in page["items"]]) == (6, [2, 3])


def test_bad_new_keys_name_the_field_and_make_no_key(api: Api) -> None:
    cases = [
        ({"role": "admin"}, "$.role"),
        ({"role": "school"}, "$.partner"),
        ({"role": "school", "partner": "warmte-west"}, "$.partner"),
        ({"role": "company", "partner": "no-such-partner"}, "$.partner"),
        ({"role": "trainer", "trainer": "t-nobody"}, "$.trainer"),
        ({"role": "planner", "partner": "warmte-west"}, "$.partner"),
        ({"role": "planner", "label": "a\u0007b"}, "$.label"),
        ({"role": "planner", "label": "x" * 201}, "$.label"),
        ({"role": "planner", "expires": "2027-01-01"}, "$.expires"),
        ({"role": "planner", "expires": "0001-01-01"}, "$.expires"),
        ({"role": "planner", "expires": "2027-01-15"}, "$.expires"),  # today
        ({"role": "planner", "expires": 20270801}, "$.expires"),
        ({"role": "planner", "secret": "tic_mine"}, "$.secret"),
        ({"role": "company", "partner": "warmte\u0000west"}, "$.partner"),
        ({"role": "trainer", "trainer": ""}, "$.trainer"),
    ]
    for body, path in cases:
        response = api.client.post(PATH, headers=api.headers("planner"), json=body)
        assert response.status_code == 422, (body, response.text)
        assert [err["path"] for err in response.json()["errors"]] == [path], body
    with session_scope(api.engine) as session:
        assert len(session.scalars(select(e.ApiKey)).all()) == 6  # only the fixture's keys


def test_a_planner_cannot_revoke_the_key_of_the_request_itself(api: Api) -> None:
    response = api.client.post(f"{PATH}/1/revoke", headers=api.headers("planner"))
    assert response.status_code == 409
    assert "another planner key" in response.json()["detail"]
    assert api.client.get("/api/v1/me", headers=api.headers("planner")).status_code == 200
