"""Groups through the API: a school keeps its own classes and when they can travel.

SQLite and PostgreSQL (the ``engine`` fixture under ``api``).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import entities as e
from models.db import session_scope
from tests.http.conftest import Api

URL = "/api/v1/groups"
NEW = {"key": "vz-4bb", "name": "4 BB", "level": "vmbo-bb", "headcount": 15, "home": "vz-school",
       "max_travel_minutes": 45,
       "windows": [{"weekday": "tue", "start": "08:30", "end": "12:00"}]}  # fmt: skip


def _audit(api: Api, entity: str) -> list[tuple[str, str, dict[str, Any]]]:
    with session_scope(api.engine) as session:
        rows = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == entity).order_by(e.AuditEvent.id)
        )
        return [(row.action, row.entity_key, row.changes) for row in rows]


def test_a_school_creates_a_group_of_its_own_and_changes_only_what_it_names(api: Api) -> None:
    made = api.client.post(URL, headers=api.headers("school"), json=NEW)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["school"], body["home"], body["headcount"]) == ("vmbo-zuidoost", "vz-school", 15)
    assert [(w["weekday"], w["start"], w["end"]) for w in body["windows"]] == [
        ("tue", "08:30", "12:00")
    ]
    etag = made.headers["ETag"]
    patched = api.client.patch(f"{URL}/vz-4bb", headers=api.headers("school") | {"If-Match": etag},
                               json={"headcount": 16, "max_travel_minutes": None})  # fmt: skip
    assert patched.status_code == 200, patched.text
    after = patched.json()
    assert (after["headcount"], after["max_travel_minutes"], after["name"]) == (16, None, "4 BB")
    assert after["windows"] == body["windows"]
    audit = _audit(api, "group")
    assert [(a, k) for a, k, _ in audit] == [("create", "vz-4bb"), ("update", "vz-4bb")]
    assert audit[0][2]["school"] == [None, "vmbo-zuidoost"]
    assert audit[1][2] == {"headcount": [15, 16], "max_travel_minutes": [45, None]}


@pytest.mark.parametrize(
    ("changes", "status", "path"),
    [
        ({"school": "elektro-noord"}, 422, "$.school"),  # not the key's own school
        ({"home": "ww-hal"}, 422, "$.home"),  # a company's location is no home of the school
        ({"headcount": 0}, 422, "$.headcount"),
        ({"headcount": "many"}, 422, "$.headcount"),
        ({"key": "bad key"}, 422, "$.key"),
        ({"colour": "blue"}, 422, "$.colour"),
        ({"windows": [{"weekday": "tue", "start": "12:00", "end": "09:00"}]}, 422,
         "$.windows[0].end"),
        ({"windows": [{"weekday": "tue", "start": "25:00", "end": "26:00"}]}, 422,
         "$.windows[0].start"),
        ({"key": "vz-3bb-a"}, 409, None),  # taken
        ({"windows": [{"weekday": "tue", "start": "08:30", "end": "12:00"},
                      {"weekday": "tue", "start": "11:00", "end": "15:00"}]}, 409, None),
    ],
)  # fmt: skip
def test_bad_groups_are_refused_with_the_path_and_nothing_is_stored(
    api: Api, changes: dict[str, Any], status: int, path: str | None
) -> None:
    response = api.client.post(URL, headers=api.headers("school"), json=NEW | changes)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if path is not None:
        assert path in [err["path"] for err in response.json()["errors"]]
    listed = api.client.get(URL, headers=api.headers("planner")).json()
    assert [g["key"] for g in listed["items"]] == ["vz-3bb-a", "vz-3kb-b"]


def test_a_planner_must_name_the_school(api: Api) -> None:
    response = api.client.post(URL, headers=api.headers("planner"), json=NEW)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "$.school"
    made = api.client.post(URL, headers=api.headers("planner"),
                           json=NEW | {"school": "vmbo-zuidoost", "home": None})  # fmt: skip
    assert made.status_code == 201 and made.json()["home"] is None


def test_windows_are_added_changed_and_removed_one_at_a_time(api: Api) -> None:
    headers = api.headers("school")
    url = f"{URL}/vz-3bb-a/windows"
    added = api.client.post(
        url, headers=headers, json={"weekday": "mon", "start": "09:00", "end": "12:00"}
    )
    assert added.status_code == 201, added.text
    new = added.json()
    overlap = api.client.post(
        url, headers=headers, json={"weekday": "tue", "start": "15:00", "end": "17:00"}
    )
    assert overlap.status_code == 409 and "overlaps" in overlap.json()["detail"]
    one = f"{url}/{new['id']}"
    assert api.client.patch(one, headers=headers, json={"end": "13:00"}).status_code == 428
    backwards = api.client.patch(one, headers=headers | {"If-Match": new["etag"]},
                                 json={"end": "08:00"})  # fmt: skip
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["path"] == "$.end"
    changed = api.client.patch(one, headers=headers | {"If-Match": new["etag"]},
                               json={"end": "13:00"})  # fmt: skip
    assert changed.status_code == 200 and changed.json()["end"] == "13:00"
    stale = api.client.delete(one, headers=headers | {"If-Match": new["etag"]})
    assert stale.status_code == 412
    gone = api.client.delete(one, headers=headers | {"If-Match": changed.json()["etag"]})
    assert gone.status_code == 204
    group = api.client.get(f"{URL}/vz-3bb-a", headers=headers).json()
    assert [(w["weekday"], w["start"], w["end"]) for w in group["windows"]] == [
        ("tue", "08:30", "16:00"), ("thu", "08:30", "16:00")]  # fmt: skip
    assert api.client.delete(one, headers=headers | {"If-Match": "*"}).status_code == 404
    assert [a for a, _k, _c in _audit(api, "group-window")] == ["create", "update", "delete"]


def test_patching_a_group_needs_if_match_and_a_stale_one_changes_nothing(api: Api) -> None:
    headers = api.headers("school")
    first = api.client.get(f"{URL}/vz-3kb-b", headers=headers)
    etag = first.headers["ETag"]
    assert (
        api.client.patch(f"{URL}/vz-3kb-b", headers=headers, json={"name": "x"}).status_code == 428
    )
    ok = api.client.patch(f"{URL}/vz-3kb-b", headers=headers | {"If-Match": etag},
                          json={"name": "3 KB-b (nieuw)"})  # fmt: skip
    assert ok.status_code == 200
    stale = api.client.patch(f"{URL}/vz-3kb-b", headers=headers | {"If-Match": etag},
                             json={"name": "oud"})  # fmt: skip
    assert stale.status_code == 412
    assert api.client.get(f"{URL}/vz-3kb-b", headers=headers).json()["name"] == "3 KB-b (nieuw)"
    null = api.client.patch(f"{URL}/vz-3kb-b", headers=headers | {"If-Match": "*"},
                            json={"headcount": None})  # fmt: skip
    assert null.status_code == 422 and null.json()["errors"][0]["path"] == "$.headcount"


def test_the_list_filters_by_school_within_the_key_s_scope(api: Api) -> None:
    from models.store import load_files
    from tests.conftest import DATA

    with session_scope(api.engine) as session:
        load_files(session, [DATA / "second-school.yaml"])  # mbo-west: mw-2a, mw-3b

    def keys(who: str, query: str) -> list[str]:
        response = api.client.get(f"/api/v1/groups?{query}", headers=api.headers(who))
        assert response.status_code == 200, response.text
        return [group["key"] for group in response.json()["items"]]

    assert keys("planner", "school=mbo-west") == ["mw-2a", "mw-3b"]
    assert keys("planner", "school=vmbo-zuidoost") == ["vz-3bb-a", "vz-3kb-b"]
    assert keys("school", "school=vmbo-zuidoost") == ["vz-3bb-a", "vz-3kb-b"]
    assert keys("school", "school=mbo-west") == []  # another school's: not in its scope
    bad = api.client.get("/api/v1/groups?school=a%0Ab", headers=api.headers("planner"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "school"
