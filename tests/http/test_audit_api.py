"""GET /api/v1/audit: planners read who changed what, filtered, newest first, never a secret."""

from __future__ import annotations

from datetime import UTC, datetime

from models.audit import Actor, record
from models.db import session_scope
from tests.http.auth_helpers import assert_problem
from tests.http.conftest import Api

PATH = "/api/v1/audit"
PLANNER_LOAD = Actor(role="cli", label="campus load mini-campus.yaml")
KAREN = Actor(role="company", label="Karen, planning", key_id=2)


def _seed(api: Api) -> None:
    """Four entries at known moments (UTC): two on ww-hal, one on a window of it, one trainer."""
    rows = [
        (PLANNER_LOAD, "location", "ww-hal", "create", {"capacity": [None, 16]},
         datetime(2027, 1, 10, 8, 0, tzinfo=UTC)),
        (KAREN, "location", "ww-hal", "update", {"capacity": [16, 18]},
         datetime(2027, 1, 12, 22, 30, tzinfo=UTC)),  # 23:30 in Amsterdam, still the 12th
        (KAREN, "location", "ww-hal/one-off/3", "create", {"day": [None, "2027-05-03"]},
         datetime(2027, 1, 12, 23, 30, tzinfo=UTC)),  # 00:30 on the 13th in Amsterdam
        (PLANNER_LOAD, "trainer", "t-sanne", "update",
         {"email": ["a@x.example", "b@x.example"], "key_hash": ["old", "new"]},
         datetime(2027, 1, 14, 9, 0, tzinfo=UTC)),
    ]  # fmt: skip
    with session_scope(api.engine) as session:
        for actor, entity, key, action, changes, at in rows:
            record(session, actor, entity=entity, key=key, action=action, changes=changes, now=at)


def _get(api: Api, who: str = "planner", **params: str | int):
    return api.client.get(PATH, headers=api.headers(who), params=params)


def _keys(response) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [(i["entity"], i["key"], i["action"]) for i in response.json()["items"]]


def test_a_planner_reads_every_entry_newest_first_with_who_when_and_what(api: Api) -> None:
    _seed(api)
    body = _get(api).json()
    assert body["total"] == 4
    assert [(i["entity"], i["key"]) for i in body["items"]] == [
        ("trainer", "t-sanne"),
        ("location", "ww-hal/one-off/3"),
        ("location", "ww-hal"),
        ("location", "ww-hal"),
    ]
    latest_update = body["items"][2]
    assert latest_update["actor"] == {"role": "company", "label": "Karen, planning"}
    assert latest_update["at"] == "2027-01-12T23:30:00+01:00"  # Amsterdam time
    assert latest_update["changes"] == {"capacity": [16, 18]}
    assert set(latest_update) == {"id", "at", "actor", "entity", "key", "action", "changes"}


def test_no_secret_reaches_the_audit_or_its_reader(api: Api) -> None:
    _seed(api)
    response = _get(api, entity="trainer/t-sanne")
    assert response.json()["items"][0]["changes"] == {"email": ["a@x.example", "b@x.example"]}
    assert "key_hash" not in response.text and "old" not in response.text
    for secret in api.keys.values():
        assert secret not in response.text


def test_entity_filters_a_kind_or_one_entity_with_its_children(api: Api) -> None:
    _seed(api)
    assert _keys(_get(api, entity="location")) == [
        ("location", "ww-hal/one-off/3", "create"),
        ("location", "ww-hal", "update"),
        ("location", "ww-hal", "create"),
    ]
    assert len(_keys(_get(api, entity="location/ww-hal"))) == 3
    assert _keys(_get(api, entity="location/ww-hal/one-off/3")) == [
        ("location", "ww-hal/one-off/3", "create")
    ]
    assert _keys(_get(api, entity="location/ww")) == []  # a key, not a prefix of one
    assert _keys(_get(api, entity="location/ww_hal")) == []  # '_' is no wildcard
    assert _keys(_get(api, entity="trainer/ww-hal")) == []


def test_actor_and_action_filters(api: Api) -> None:
    _seed(api)
    assert _keys(_get(api, actor="karen")) == [
        ("location", "ww-hal/one-off/3", "create"),
        ("location", "ww-hal", "update"),
    ]
    assert _keys(_get(api, actor="%")) == []  # no wildcard
    assert _keys(_get(api, action="update")) == [
        ("trainer", "t-sanne", "update"),
        ("location", "ww-hal", "update"),
    ]


def test_since_and_until_are_amsterdam_days_or_moments(api: Api) -> None:
    _seed(api)
    # The whole Amsterdam day of 12 January: the 23:30 update, not the 00:30 window.
    assert _keys(_get(api, since="2027-01-12", until="2027-01-12")) == [
        ("location", "ww-hal", "update")
    ]
    assert _keys(_get(api, since="2027-01-13T00:00")) == [
        ("trainer", "t-sanne", "update"),
        ("location", "ww-hal/one-off/3", "create"),
    ]
    assert _keys(_get(api, since="2027-01-12T23:00:00+00:00", until="2027-01-14T09:00Z")) == [
        ("location", "ww-hal/one-off/3", "create")
    ]


def test_pages_are_limited_and_counted(api: Api) -> None:
    _seed(api)
    first = _get(api, limit=3).json()
    second = _get(api, limit=3, offset=3).json()
    assert (len(first["items"]), len(second["items"]), first["total"]) == (3, 1, 4)
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    assert_problem(_get(api, limit=201), 422)


def test_bad_filters_say_which_parameter_and_why(api: Api) -> None:
    for params, where in [
        ({"since": "yesterday"}, "since"),
        ({"until": "2027-13-01"}, "until"),
        ({"entity": "Location/ww-hal"}, "entity"),
        ({"entity": "location/"}, "entity"),
        ({"action": "drop"}, "action"),
        ({"since": "2027-02-01", "until": "2027-01-01"}, "until"),
        ({"since": "0001-01-01"}, "since"),  # before UTC's year 1 in Amsterdam time
        ({"until": "9999-12-31"}, "until"),  # its end is past the year 9999
        ({"since": "0001-01-01T00:00+14:00"}, "since"),
        ({"entity": "location/ww\x00hal"}, "entity"),
        ({"actor": "Karen\x00"}, "actor"),
    ]:
        body = assert_problem(_get(api, **params), 422)
        assert body["errors"][0]["in"] == "query", params
        assert body["errors"][0]["path"] == where, params


def test_only_planners_read_the_audit(api: Api) -> None:
    _seed(api)
    for who in ("company", "school", "trainer"):
        body = assert_problem(_get(api, who), 403)
        assert "audit" in body["detail"]
        assert "ww-hal" not in str(body)
    assert_problem(_get(api, "anonymous"), 401)


def test_a_patch_through_the_api_shows_up_in_the_audit(api: Api) -> None:
    loc = api.client.get("/api/v1/locations/ww-hal", headers=api.headers("company"))
    headers = {**api.headers("company"), "If-Match": loc.headers["ETag"]}
    patched = api.client.patch("/api/v1/locations/ww-hal", headers=headers, json={"capacity": 19})
    assert patched.status_code == 200
    items = _get(api, entity="location/ww-hal", action="update").json()["items"]
    assert [(i["actor"], i["changes"]) for i in items] == [
        ({"role": "company", "label": "Sanne"}, {"capacity": [16, 19]})
    ]
