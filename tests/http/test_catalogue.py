"""The catalogue through the API: everyone reads it, planners change it, nothing in use goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import entities as e
from models.db import session_scope
from tests.http.conftest import Api

NEW_ACTIVITY = {
    "code": "PT-WARMTEPOMP", "title": "Praktijktraining warmtepomp", "kind": "practical_training",
    "audience": "mbo", "team": "W", "sessions": 2, "duration_minutes": 240,
    "equipment": [{"code": "heat-pump-rig", "quantity": 1, "per": "group"}],
    "max_participants": 12,
}  # fmt: skip


def _get(api: Api, path: str, who: str = "planner") -> tuple[Any, str | None]:
    response = api.client.get(path, headers=api.headers(who))
    assert response.status_code == 200, response.text
    return response.json(), response.headers.get("ETag")


def _send(api: Api, method: str, path: str, body: Any = None, etag: str | None = "*",
          who: str = "planner"):  # fmt: skip
    headers = api.headers(who)
    if etag is not None:
        headers["If-Match"] = etag
    return api.client.request(method, path, headers=headers, json=body)


def _audit(api: Api) -> list[tuple[str, str, str]]:
    with session_scope(api.engine) as session:
        rows = session.scalars(select(e.AuditEvent).order_by(e.AuditEvent.id)).all()
        return [(r.entity, r.entity_key, r.action) for r in rows]


def test_every_key_reads_the_catalogue_with_filters(api: Api) -> None:
    for who in ("planner", "company", "school", "trainer"):
        holidays, _ = _get(api, "/api/v1/holidays", who)
        assert [h["name"] for h in holidays["items"]] == ["Paasmaandag", "Meivakantie"]
        vmbo, _ = _get(api, "/api/v1/activity-types?audience=vmbo", who)
        assert [a["code"] for a in vmbo["items"]] == ["GL-TECHNIEK", "WS-WARMTEPOMP"]
    assert _get(api, "/api/v1/holidays?kind=school")[0]["total"] == 1
    assert [q["code"] for q in _get(api, "/api/v1/equipment-types?team=E")[0]["items"]] == [
        "switchboard"
    ]
    courses, _ = _get(api, "/api/v1/activity-types?team=E&kind=skills_course")
    assert [a["code"] for a in courses["items"]] == ["SC-SCHAKEL"]
    one, etag = _get(api, "/api/v1/activity-types/SC-SCHAKEL", "trainer")
    assert etag is not None
    assert one["equipment"] == [{"code": "switchboard", "quantity": 1, "per": "participant"}]
    assert (one["sessions"], one["max_days_between"], one["same_location"]) == (3, 14, True)


def test_a_holiday_is_added_changed_and_removed_with_etags_and_audit(api: Api) -> None:
    body = {"name": "Kerstvakantie", "kind": "school", "first": "2026-12-19", "last": "2027-01-03"}
    made = _send(api, "POST", "/api/v1/holidays", body)
    assert made.status_code == 201, made.text
    path = made.headers["Location"]
    assert _send(api, "POST", "/api/v1/holidays", body).status_code == 409
    _, etag = _get(api, path)
    assert _send(api, "PATCH", path, {"last": "2027-01-04"}, etag=None).status_code == 428
    changed = _send(api, "PATCH", path, {"last": "2027-01-04"}, etag=etag)
    assert changed.status_code == 200 and changed.json()["last"] == "2027-01-04"
    assert changed.json()["first"] == "2026-12-19"
    assert _send(api, "DELETE", path, etag=etag).status_code == 412  # read before the change
    assert _send(api, "DELETE", path, etag=changed.headers["ETag"]).status_code == 204
    assert api.client.get(path, headers=api.headers("planner")).status_code == 404
    key = path.rsplit("/", 1)[1]
    assert _audit(api) == [("holiday", key, "create"), ("holiday", key, "update"),
                           ("holiday", key, "delete")]  # fmt: skip


def test_an_equipment_type_in_use_is_not_deleted_and_the_answer_says_by_what(api: Api) -> None:
    response = _send(api, "DELETE", "/api/v1/equipment-types/heat-pump-rig")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "equipment type heat-pump-rig is used by location ww-hal and activity WS-WARMTEPOMP: "
        "remove it there first"
    )
    made = _send(api, "POST", "/api/v1/equipment-types", {"code": "vr-bril", "name": "VR-bril"})
    assert made.status_code == 201 and made.json()["team"] == "other"
    renamed = _send(api, "PATCH", "/api/v1/equipment-types/vr-bril", {"team": "BIM"})
    assert renamed.json() == {"code": "vr-bril", "name": "VR-bril", "team": "BIM"}
    assert _send(api, "DELETE", "/api/v1/equipment-types/vr-bril").status_code == 204
    assert _get(api, "/api/v1/equipment-types")[0]["total"] == 3
    assert _audit(api) == [("equipment_type", "vr-bril", a) for a in ("create", "update", "delete")]


def test_an_activity_type_in_use_by_a_request_is_not_deleted(api: Api) -> None:
    response = _send(api, "DELETE", "/api/v1/activity-types/WS-WARMTEPOMP")
    assert response.status_code == 409
    assert "used by request r-ws-1" in response.json()["detail"]
    made = _send(api, "POST", "/api/v1/activity-types", NEW_ACTIVITY)
    assert made.status_code == 201, made.text
    assert made.json()["min_participants"] == 1  # the scenario format's default
    assert _send(api, "DELETE", "/api/v1/activity-types/PT-WARMTEPOMP").status_code == 204
    assert _audit(api) == [("activity_type", "PT-WARMTEPOMP", "create"),
                           ("activity_type", "PT-WARMTEPOMP", "delete")]  # fmt: skip


def test_an_activity_patch_changes_what_it_names_and_equipment_alone_moves_the_etag(
    api: Api,
) -> None:
    before, etag = _get(api, "/api/v1/activity-types/WS-WARMTEPOMP")
    path = "/api/v1/activity-types/WS-WARMTEPOMP"
    response = _send(api, "PATCH", path, {"equipment": [{"code": "bim-station", "quantity": 2}]},
                     etag=etag)  # fmt: skip
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["equipment"] == [{"code": "bim-station", "quantity": 2, "per": "group"}]
    assert {k: v for k, v in after.items() if k != "equipment"} == {
        k: v for k, v in before.items() if k != "equipment"
    }
    assert response.headers["ETag"] != etag
    unlimited = _send(api, "PATCH", "/api/v1/activity-types/WS-WARMTEPOMP",
                      {"max_participants": None}, etag=response.headers["ETag"])  # fmt: skip
    assert unlimited.status_code == 200 and unlimited.json()["max_participants"] is None
    with session_scope(api.engine) as session:
        rows = session.scalars(select(e.AuditEvent).order_by(e.AuditEvent.id))
        changes = [r.changes for r in rows]
    assert changes == [
        {"equipment": [["heat-pump-rig x1 per group"], ["bim-station x2 per group"]]},
        {"max_participants": [16, None]},
    ]


def test_only_planners_change_the_catalogue(api: Api) -> None:
    writes = [
        ("POST", "/api/v1/holidays", {"name": "X", "first": "2027-06-01", "last": "2027-06-01"}),
        ("PATCH", "/api/v1/holidays/1", {"name": "X"}),
        ("DELETE", "/api/v1/holidays/1", None),
        ("POST", "/api/v1/equipment-types", {"code": "x", "name": "X"}),
        ("PATCH", "/api/v1/equipment-types/switchboard", {"name": "X"}),
        ("DELETE", "/api/v1/equipment-types/no-such-thing", None),
        ("POST", "/api/v1/activity-types", NEW_ACTIVITY),
        ("PATCH", "/api/v1/activity-types/GL-TECHNIEK", {"title": "X"}),
        ("DELETE", "/api/v1/activity-types/GL-TECHNIEK", None),
    ]
    for who in ("company", "school", "trainer"):
        for method, path, body in writes:
            assert _send(api, method, path, body, who=who).status_code == 403, (who, method, path)
    assert _audit(api) == []


def test_bad_catalogue_input_names_the_field_and_writes_nothing(api: Api) -> None:
    cases = [
        ("POST", "/api/v1/holidays", {"name": "X", "first": "2027-06-02", "last": "2027-06-01"},
         422, "$"),
        ("POST", "/api/v1/holidays", {"name": "X", "first": 20270601, "last": "2027-06-01"},
         422, "$.first"),
        ("POST", "/api/v1/holidays", {"name": "X", "first": "2027-02-30", "last": "2027-06-01"},
         422, "$.first"),
        ("PATCH", "/api/v1/holidays/1", {"last": "2027-03-01"}, 422, "$"),
        ("PATCH", "/api/v1/holidays/1", {"kind": "bank"}, 422, "$.kind"),
        ("PATCH", "/api/v1/holidays/1", {"name": None}, 422, "$.name"),
        ("PATCH", "/api/v1/holidays/1",
         {"name": "Meivakantie", "first": "2027-04-24", "last": "2027-05-02"}, 409, None),
        ("POST", "/api/v1/equipment-types", {"code": "switchboard", "name": "X"}, 409, None),
        ("POST", "/api/v1/equipment-types", {"code": "bad code", "name": "X"}, 422, "$.code"),
        ("PATCH", "/api/v1/equipment-types/switchboard", {"code": "other"}, 422, "$.code"),
        ("POST", "/api/v1/activity-types", {**NEW_ACTIVITY, "code": "WS-WARMTEPOMP"}, 409, None),
        ("POST", "/api/v1/activity-types",
         {**NEW_ACTIVITY, "equipment": [{"code": "no-such-rig"}]}, 422, "$.equipment[0].code"),
        ("POST", "/api/v1/activity-types", {**NEW_ACTIVITY, "duration_minutes": 0},
         422, "$.duration_minutes"),
        ("POST", "/api/v1/activity-types", {**NEW_ACTIVITY, "colour": "red"}, 422, "$.colour"),
        ("PATCH", "/api/v1/activity-types/WS-WARMTEPOMP", {"max_participants": 4}, 422, "$"),
        ("PATCH", "/api/v1/activity-types/WS-WARMTEPOMP", {"sessions": 0}, 422, "$.sessions"),
        ("PATCH", "/api/v1/activity-types/WS-WARMTEPOMP",
         {"equipment": [{"code": "switchboard"}, {"code": "switchboard"}]},
         422, "$.equipment[1].code"),
        ("PATCH", "/api/v1/activity-types/WS-WARMTEPOMP", {"title": None}, 422, "$.title"),
        ("GET", "/api/v1/holidays/abc", None, 422, "holiday_id"),
        ("GET", "/api/v1/activity-types?audience=adults", None, 422, "audience"),
    ]  # fmt: skip
    for method, path, body, status, where in cases:
        response = _send(api, method, path, body)
        assert response.status_code == status, (method, path, body, response.text)
        if where is not None:
            assert [err["path"] for err in response.json()["errors"]] == [where], (path, body)
    assert _audit(api) == []
