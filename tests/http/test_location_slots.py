"""Companies declare their slots: equipment, weekly and one-off windows, closures, bookings.

Each write changes one row, needs the ETag of what it changes, is audited, and a change that
takes time away under a session of the published plan is answered 409 until confirmed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from models import entities as e
from models.db import session_scope
from models.publish import publish
from tests.feeds.factory import Planned, make_run, w
from tests.http.auth_helpers import assert_problem
from tests.http.conftest import Api

LOC = "/api/v1/locations/ww-hal"
AV = LOC + "/availability"
PUBLISHED_AT = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)  # before the app's clock (15 Jan)

# The published plan the 409 tests break (Amsterdam wall time); the clock is 2027-01-15.
PLAN = (
    # Thursday of the week the clocks go forward (Sunday 28 March): the weekly thu window
    Planned("r-ws-1", 1, "ww-hal", w(2027, 3, 25, 13), w(2027, 3, 25, 16), ("t-sanne",)),
    # Friday 19 March: only the one-off window 09:00-12:00 opens the hall that day
    Planned("r-sc-1", 1, "ww-hal", w(2027, 3, 19, 9), w(2027, 3, 19, 12), ("t-ahmed",)),
    # Tuesday 30 March 13:00-17:00: the whole weekly tue window
    Planned("r-sc-1", 2, "ww-hal", w(2027, 3, 30, 13), w(2027, 3, 30, 17), ("t-ahmed",)),
    # Thursday 14 January: already over when the clock reads 15 January
    Planned("r-sc-1", 3, "ww-hal", w(2027, 1, 14, 13), w(2027, 1, 14, 17), ("t-ahmed",)),
    # a guest lesson at the school: the site's hours do not count, its closures do
    Planned("r-gl-1", 1, "vz-school", w(2027, 3, 25, 10), w(2027, 3, 25, 11, 30), ("t-sanne",)),
)
WS_UID = e.session_uid("r-ws-1", 1)


def _publish(api: Api) -> None:
    with session_scope(api.engine) as session:
        publish(session, make_run(session, PLAN, created=PUBLISHED_AT), now=PUBLISHED_AT)


def _send(
    api: Api,
    method: str,
    path: str,
    body: Any = None,
    etag: str | None = None,
    who: str = "company",
) -> Any:
    headers = api.headers(who)
    if etag is not None:
        headers["If-Match"] = etag
    return api.client.request(method, path, headers=headers, json=body)


def _availability(api: Api) -> dict[str, Any]:
    response = api.client.get(AV, headers=api.headers("company"))
    assert response.status_code == 200
    return response.json()


def _weekly(api: Api, weekday: str) -> dict[str, Any]:
    return next(x for x in _availability(api)["weekly"] if x["weekday"] == weekday)


def _audit(api: Api, entity: str) -> list[tuple[str, str, dict[str, Any]]]:
    with session_scope(api.engine) as session:
        rows = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == entity).order_by(e.AuditEvent.id)
        ).all()
        return [(r.entity_key, r.action, r.changes) for r in rows]


def _marks(api: Api, who: str = "planner") -> list[tuple[str, str]]:
    response = api.client.get("/api/v1/replan-marks", headers=api.headers(who))
    assert response.status_code == 200, response.text
    return [(m["session"], m["reason"]) for m in response.json()["items"]]


def _errors(response: Any) -> list[tuple[str, str]]:
    body = assert_problem(response, 422)
    return [(err["in"], err["path"]) for err in body["errors"]]


# --- equipment ---------------------------------------------------------------------------


def test_equipment_is_set_one_entry_at_a_time_under_the_location_etag(api: Api) -> None:
    location = api.client.get(LOC, headers=api.headers("company"))
    etag = location.headers["ETag"]
    changed = _send(api, "PUT", LOC + "/equipment/heat-pump-rig", {"quantity": 3}, etag)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"location": "ww-hal", "code": "heat-pump-rig", "quantity": 3}
    new_etag = changed.headers["ETag"]
    assert new_etag != etag  # the location's ETag covers its equipment
    added = _send(api, "PUT", LOC + "/equipment/switchboard", {"quantity": 1}, new_etag)
    assert added.status_code == 201, added.text
    removed = _send(api, "DELETE", LOC + "/equipment/bim-station", None, added.headers["ETag"])
    assert removed.status_code == 204, removed.text
    after = api.client.get(LOC, headers=api.headers("company"))
    assert after.json()["equipment"] == {"heat-pump-rig": 3, "switchboard": 1}
    assert after.json()["address"] == location.json()["address"]  # nothing else changed
    assert after.headers["ETag"] == removed.headers["ETag"]
    assert _availability(api)["weekly"]  # the windows stay
    assert _audit(api, "location") == [
        ("ww-hal", "update", {"equipment.heat-pump-rig": [2, 3]}),
        ("ww-hal", "update", {"equipment.switchboard": [None, 1]}),
        ("ww-hal", "update", {"equipment.bim-station": [8, None]}),
    ]


def test_equipment_changes_need_a_fresh_etag_and_a_known_code(api: Api) -> None:
    etag = api.client.get(LOC, headers=api.headers("company")).headers["ETag"]
    path = LOC + "/equipment/heat-pump-rig"
    assert_problem(_send(api, "PUT", path, {"quantity": 3}), 428)
    assert_problem(_send(api, "PUT", path, {"quantity": 3}, '"999"'), 412)
    unknown = _send(api, "PUT", LOC + "/equipment/flux-capacitor", {"quantity": 1}, etag)
    assert _errors(unknown) == [("path", "code")]
    assert "flux-capacitor" in unknown.json()["detail"]
    assert _errors(_send(api, "PUT", path, {"quantity": 0}, etag)) == [("body", "$.quantity")]
    assert _errors(_send(api, "PUT", path, {"quantity": "3x"}, etag)) == [("body", "$.quantity")]
    assert _errors(_send(api, "PUT", path, {"quantity": 3, "n": 1}, etag)) == [("body", "$.n")]
    assert _errors(_send(api, "DELETE", LOC + "/equipment/nope", None, etag)) == [("path", "code")]
    nul = _send(api, "PUT", LOC + "/equipment/rig%00x", {"quantity": 1}, etag)  # PostgreSQL: no NUL
    assert _errors(nul) == [("path", "code")]
    missing = _send(api, "DELETE", LOC + "/equipment/switchboard", None, etag)
    assert "no switchboard" in assert_problem(missing, 404)["detail"]
    after = api.client.get(LOC, headers=api.headers("company"))
    assert after.headers["ETag"] == etag  # nothing was written
    assert _audit(api, "location") == []


# --- weekly windows ----------------------------------------------------------------------


def test_a_weekly_window_is_added_changed_and_removed_alone(api: Api) -> None:
    before = _availability(api)
    body = {"weekday": "mon", "start": "09:00", "end": "12:00", "valid_from": "2027-02-01"}
    made = _send(api, "POST", AV + "/weekly", body)
    assert made.status_code == 201, made.text
    window = made.json()
    assert window | {"id": 0} == {
        "id": 0, "weekday": "mon", "start": "09:00", "end": "12:00",
        "valid_from": "2027-02-01", "valid_to": None, "etag": '"1"',
    }  # fmt: skip
    assert made.headers["ETag"] == '"1"'
    listed = _availability(api)
    assert listed["weekly"] == [*before["weekly"], window]
    assert (listed["one_off"], listed["closures"]) == (before["one_off"], before["closures"])

    path = f"{AV}/weekly/{window['id']}"
    changed = _send(api, "PATCH", path, {"end": "13:30", "valid_from": None}, window["etag"])
    assert changed.status_code == 200, changed.text
    assert (changed.json()["end"], changed.json()["valid_from"]) == ("13:30", None)
    assert changed.headers["ETag"] == changed.json()["etag"] == '"2"'
    assert_problem(_send(api, "PATCH", path, {"end": "14:00"}, window["etag"]), 412)
    assert_problem(_send(api, "DELETE", path, None, window["etag"]), 412)
    assert_problem(_send(api, "DELETE", path), 428)
    assert _send(api, "DELETE", path, None, '"2"').status_code == 204
    assert _availability(api) == before
    key = f"ww-hal/{window['id']}"
    assert _audit(api, "location_weekly_window") == [
        (key, "create", {"weekday": [None, 1], "start": [None, "09:00:00"],
                         "end": [None, "12:00:00"], "valid_from": [None, "2027-02-01"],
                         "valid_to": [None, None]}),
        (key, "update", {"end": ["12:00:00", "13:30:00"], "valid_from": ["2027-02-01", None]}),
        (key, "delete", {"weekday": [1, None], "start": ["09:00:00", None],
                         "end": ["13:30:00", None], "valid_from": [None, None],
                         "valid_to": [None, None]}),
    ]  # fmt: skip


def test_bad_weekly_windows_say_which_field_and_why(api: Api) -> None:
    good = {"weekday": "mon", "start": "09:00", "end": "12:00"}
    cases = {
        "end before start": ({**good, "end": "08:00"}, "$.end"),
        "time outside the day": ({**good, "start": "24:00"}, "$.start"),
        "not a time": ({**good, "end": 1200}, "$.end"),
        "weekday": ({**good, "weekday": "funday"}, "$.weekday"),
        "valid_to before valid_from": (
            {**good, "valid_from": "2027-03-01", "valid_to": "2027-02-01"}, "$.valid_to",
        ),
        "date as a number": ({**good, "valid_from": 1800000000}, "$.valid_from"),
        "unknown field": ({**good, "days": 3}, "$.days"),
        "missing field": ({"weekday": "mon", "start": "09:00"}, "$.end"),
    }  # fmt: skip
    for name, (body, path) in cases.items():
        assert _errors(_send(api, "POST", AV + "/weekly", body)) == [("body", path)], name
    assert_problem(_send(api, "POST", AV + "/weekly", [good]), 422)
    overlap = _send(
        api, "POST", AV + "/weekly", {"weekday": "tue", "start": "16:00", "end": "18:00"}
    )
    assert "overlaps the weekly window di 13:00-17:00" in assert_problem(overlap, 409)["detail"]
    later = {"weekday": "wed", "start": "17:00", "end": "19:00", "valid_to": "2026-12-31"}
    assert _send(api, "POST", AV + "/weekly", later).status_code == 201  # validity apart

    tue = _weekly(api, "tue")
    path = f"{AV}/weekly/{tue['id']}"
    assert _errors(_send(api, "PATCH", path, {"end": "12:00"}, tue["etag"])) == [("body", "$.end")]
    assert _errors(_send(api, "PATCH", path, {"weekday": None}, tue["etag"])) == [
        ("body", "$.weekday")
    ]
    assert_problem(_send(api, "PATCH", path, {"weekday": "thu"}, tue["etag"]), 409)  # thu taken
    assert _errors(_send(api, "PATCH", AV + "/weekly/0", {}, tue["etag"])) == [
        ("path", "window_id")
    ]
    assert_problem(_send(api, "PATCH", AV + "/weekly/99999", {}, tue["etag"]), 404)
    assert _weekly(api, "tue") == tue  # nothing was written


# --- the published plan: 409 unless confirmed ------------------------------------------


def test_removing_a_window_under_a_published_session_is_409_until_confirmed(api: Api) -> None:
    _publish(api)
    thu = _weekly(api, "thu")
    path = f"{AV}/weekly/{thu['id']}"
    refused = _send(api, "DELETE", path, None, thu["etag"])
    body = assert_problem(refused, 409)
    # only the session of the week the clocks go forward; the one of 14 January is over
    assert body["sessions"] == [
        {"uid": WS_UID, "request": "r-ws-1", "session": 1, "location": "ww-hal",
         "start": "2027-03-25T13:00", "end": "2027-03-25T16:00", "trainers": ["t-sanne"]},
    ]  # fmt: skip
    assert "?confirm=true" in body["detail"]
    assert _weekly(api, "thu") == thu and _marks(api) == []  # nothing was written

    assert _send(api, "DELETE", path + "?confirm=true", None, thu["etag"]).status_code == 204
    assert [x["weekday"] for x in _availability(api)["weekly"]] == ["tue", "wed"]
    assert _marks(api) == [(WS_UID, "ww-hal: wekelijks venster do 13:00-17:00 verwijderd")]
    assert _marks(api, "company") == _marks(api)
    (mark,) = api.client.get("/api/v1/replan-marks", headers=api.headers("company")).json()["items"]
    assert mark | {"id": 0} == {
        "id": 0, "session": WS_UID, "request": "r-ws-1", "session_number": 1,
        "location": "ww-hal", "start": "2027-03-25T13:00:00", "end": "2027-03-25T16:00:00",
        "reason": "ww-hal: wekelijks venster do 13:00-17:00 verwijderd",
        "marked_at": "2027-01-15T12:00:00Z", "marked_by": "Sanne",
    }  # fmt: skip
    (_, action, changes), *_ = _audit(api, "location_weekly_window")
    assert action == "delete"
    assert changes["sessions_marked_for_replanning"] == [None, [WS_UID]]


def test_shrinking_is_409_growing_is_not(api: Api) -> None:
    _publish(api)
    tue = _weekly(api, "tue")
    path = f"{AV}/weekly/{tue['id']}"
    shrunk = assert_problem(_send(api, "PATCH", path, {"end": "16:00"}, tue["etag"]), 409)
    assert [s["start"] for s in shrunk["sessions"]] == ["2027-03-30T13:00"]
    later = assert_problem(
        _send(api, "PATCH", path, {"valid_to": "2027-03-29"}, tue["etag"]), 409
    )  # the window would end the day before the session
    assert [s["start"] for s in later["sessions"]] == ["2027-03-30T13:00"]
    grown = _send(api, "PATCH", path, {"start": "12:00", "end": "18:00"}, tue["etag"])
    assert grown.status_code == 200, grown.text
    # moved to 09:00-12:00 it no longer covers the session; confirmed, the change is made
    moved = _send(api, "PATCH", path + "?confirm=true", {"start": "09:00", "end": "12:00"},
                  grown.headers["ETag"])  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert _marks(api) == [
        (e.session_uid("r-sc-1", 2),
         "ww-hal: wekelijks venster di 12:00-18:00 gewijzigd in di 09:00-12:00"),
    ]  # fmt: skip


def test_a_closure_over_a_published_session_is_409_then_confirmed(api: Api) -> None:
    _publish(api)
    closure = {"first": "2027-03-19", "last": "2027-03-19", "reason": "Stroomstoring"}
    refused = assert_problem(_send(api, "POST", LOC + "/closures", closure), 409)
    assert [s["uid"] for s in refused["sessions"]] == [e.session_uid("r-sc-1", 1)]
    assert len(_availability(api)["closures"]) == 1
    made = _send(api, "POST", LOC + "/closures?confirm=true", closure)
    assert made.status_code == 201, made.text
    assert made.json() | {"id": 0} == {"id": 0, **closure, "etag": '"1"'}
    assert _marks(api, "company") == [
        (e.session_uid("r-sc-1", 1), "ww-hal: gesloten 2027-03-19..2027-03-19 (Stroomstoring)")
    ]
    # a second closure over the same session marks nothing twice and needs no confirm
    again = {"first": "2027-03-18", "last": "2027-03-20"}
    assert _send(api, "POST", LOC + "/closures", again).status_code == 201
    assert len(_marks(api)) == 1
    # extending the stocktaking closure (5..9 April) back to 29 March covers Tuesday 30th
    stock = next(c for c in _availability(api)["closures"] if c["reason"] == "Inventarisatie")
    path = f"{LOC}/closures/{stock['id']}"
    extended = assert_problem(
        _send(api, "PATCH", path, {"first": "2027-03-29"}, stock["etag"]), 409
    )
    assert [s["uid"] for s in extended["sessions"]] == [e.session_uid("r-sc-1", 2)]
    assert _send(api, "DELETE", path, None, stock["etag"]).status_code == 204  # gives time back
    creates = [a for a in _audit(api, "location_closure") if a[1] == "create"]
    assert creates[0][2]["sessions_marked_for_replanning"] == [None, [e.session_uid("r-sc-1", 1)]]
    assert "sessions_marked_for_replanning" not in creates[1][2]


def test_a_session_at_school_minds_only_the_closures_of_its_site(api: Api) -> None:
    _publish(api)
    path = "/api/v1/locations/vz-school/closures"
    body = {"first": "2027-03-25", "last": "2027-03-25", "reason": "Studiedag"}
    refused = _send(api, "POST", path, body, who="planner")
    assert [s["uid"] for s in assert_problem(refused, 409)["sessions"]] == [
        e.session_uid("r-gl-1", 1)
    ]
    confirmed = _send(api, "POST", path + "?confirm=true", body, who="planner")
    assert confirmed.status_code == 201, confirmed.text
    assert [uid for uid, _ in _marks(api)] == [e.session_uid("r-gl-1", 1)]
    assert _marks(api, "company") == []  # a mark at another partner's location is not theirs
    for who in ("school", "trainer"):
        assert_problem(api.client.get("/api/v1/replan-marks", headers=api.headers(who)), 403)


def test_one_off_windows_are_changed_and_removed_under_the_same_rule(api: Api) -> None:
    _publish(api)
    (window,) = _availability(api)["one_off"]
    path = f"{AV}/one-off/{window['id']}"
    moved = assert_problem(_send(api, "PATCH", path, {"start": "10:00"}, window["etag"]), 409)
    assert [s["uid"] for s in moved["sessions"]] == [e.session_uid("r-sc-1", 1)]
    assert_problem(_send(api, "DELETE", path, None, window["etag"]), 409)
    longer = _send(api, "PATCH", path, {"end": "13:00"}, window["etag"])
    assert longer.status_code == 200, longer.text
    gap = _send(api, "PATCH", path, {"date": "2027-03-28", "start": "02:30"}, longer.json()["etag"])
    assert _errors(gap) == [("body", "$.start")]
    assert "clocks skip" in gap.json()["detail"]
    assert _errors(_send(api, "PATCH", path, {"end": "08:00"}, '"2"')) == [("body", "$.end")]
    assert _errors(_send(api, "PATCH", path, {"date": 20270319}, '"2"')) == [("body", "$.date")]
    gone = _send(api, "DELETE", path + "?confirm=true", None, '"2"')
    assert gone.status_code == 204, gone.text
    assert _availability(api)["one_off"] == []
    assert [action for _, action, _ in _audit(api, "location_one_off_window")] == [
        "update", "delete",
    ]  # fmt: skip


def test_a_one_off_window_added_is_audited_and_has_an_etag(api: Api) -> None:
    made = _send(api, "POST", AV + "/one-off", {"date": "2027-05-10", "start": "08:00",
                                                "end": "10:00"})  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.headers["ETag"] == made.json()["etag"] == '"1"'
    assert _audit(api, "location_one_off_window") == [
        (f"ww-hal/{made.json()['id']}", "create",
         {"day": [None, "2027-05-10"], "start": [None, "08:00:00"], "end": [None, "10:00:00"]}),
    ]  # fmt: skip


def test_bad_closures_say_which_field_and_why(api: Api) -> None:
    cases = {
        "last before first": ({"first": "2027-05-02", "last": "2027-05-01"}, "$.last"),
        "not a date": ({"first": "2027-02-30", "last": "2027-03-01"}, "$.first"),
        "reason with a line break": ({"first": "2027-05-01", "last": "2027-05-01",
                                      "reason": "a\nb"}, "$.reason"),
        "unknown field": ({"first": "2027-05-01", "last": "2027-05-01", "why": "x"}, "$.why"),
    }  # fmt: skip
    for name, (body, path) in cases.items():
        assert _errors(_send(api, "POST", LOC + "/closures", body)) == [("body", path)], name
    (stock,) = _availability(api)["closures"]
    path = f"{LOC}/closures/{stock['id']}"
    assert _errors(_send(api, "PATCH", path, {"last": "2027-04-01"}, stock["etag"])) == [
        ("body", "$.last")
    ]
    assert_problem(_send(api, "PATCH", path, {"reason": "x"}), 428)
    assert_problem(_send(api, "PATCH", path, {"reason": "x"}, '"7"'), 412)
    assert _availability(api)["closures"] == [stock]


# --- bookings ----------------------------------------------------------------------------


def test_bookings_show_the_published_sessions_of_a_week_without_school_data(api: Api) -> None:
    _publish(api)
    response = api.client.get(LOC + "/bookings?week=2027-W12", headers=api.headers("company"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "location": "ww-hal", "week": "2027-W12", "total": 1, "limit": 50, "offset": 0,
        "items": [{"uid": WS_UID, "date": "2027-03-25", "start": "2027-03-25T13:00:00",
                   "end": "2027-03-25T16:00:00", "activity": "Workshop warmtepomp",
                   "participants": 14, "trainers": ["t-sanne"]}],
    }  # fmt: skip
    for school_data in ("Vmbo College", "Bijlmerdreef", "3 BB-a", "vz-3bb-a", "vmbo-zuidoost"):
        assert school_data not in response.text
    every = api.client.get(LOC + "/bookings?limit=2", headers=api.headers("company")).json()
    assert every["total"] == 4  # also the session that is over
    assert [b["date"] for b in every["items"]] == ["2027-01-14", "2027-03-19"]
    bad = api.client.get(LOC + "/bookings?week=2027-W54", headers=api.headers("company"))
    assert _errors(bad) == [("query", "week")]


def test_fewer_seats_or_equipment_than_a_published_session_needs_is_409(api: Api) -> None:
    """r-ws-1 (14 pupils, 1 heat-pump rig per group) is published at ww-hal (16 seats, 2 rigs)."""
    _publish(api)
    etag = api.client.get(LOC, headers=api.headers("company")).headers["ETag"]
    fewer = assert_problem(_send(api, "PATCH", LOC, {"capacity": 13}, etag), 409)
    assert [s["uid"] for s in fewer["sessions"]] == [WS_UID]
    enough = _send(api, "PATCH", LOC, {"capacity": 14}, etag)
    assert enough.status_code == 200, enough.text
    etag = enough.headers["ETag"]
    one_rig = _send(api, "PUT", LOC + "/equipment/heat-pump-rig", {"quantity": 1}, etag)
    assert one_rig.status_code == 200, one_rig.text  # one per group is enough
    etag = one_rig.headers["ETag"]
    rigs = LOC + "/equipment/heat-pump-rig"
    assert [
        s["uid"] for s in assert_problem(_send(api, "DELETE", rigs, None, etag), 409)["sessions"]
    ] == [WS_UID]
    assert _send(api, "DELETE", rigs + "?confirm=true", None, etag).status_code == 204
    assert _marks(api) == [(WS_UID, "ww-hal: 0x heat-pump-rig in plaats van 1")]
    etag = api.client.get(LOC, headers=api.headers("company")).headers["ETag"]
    confirmed = _send(api, "PATCH", LOC + "?confirm=true", {"capacity": 10}, etag)
    assert confirmed.status_code == 200, confirmed.text
    assert sorted(uid for uid, _ in _marks(api)) == sorted(
        [WS_UID, e.session_uid("r-sc-1", 1), e.session_uid("r-sc-1", 2)]
    )  # r-ws-1 is marked once; the 11 pupils of r-sc-1 no longer fit either
    audit = _audit(api, "location")
    assert audit[-1][2] == {
        "capacity": [14, 10],
        "sessions_marked_for_replanning": [
            None, [e.session_uid("r-sc-1", 1), WS_UID, e.session_uid("r-sc-1", 2)]
        ],
    }  # fmt: skip


def test_every_change_needs_the_current_etag_and_refuses_unknown_fields(api: Api) -> None:
    """Each PATCH, PUT and DELETE: 428 without If-Match, 412 with a stale one; each PATCH and
    PUT: 422 for an unknown field and for a wrong type. Nothing is written by any of them."""
    av = _availability(api)
    weekly = f"{AV}/weekly/{av['weekly'][0]['id']}"
    one_off = f"{AV}/one-off/{av['one_off'][0]['id']}"
    closure = f"{LOC}/closures/{av['closures'][0]['id']}"
    equipment = LOC + "/equipment/heat-pump-rig"
    writes = [
        ("PUT", equipment, {"quantity": 1}, {"quantity": [1]}),
        ("DELETE", equipment, None, None),
        ("PATCH", weekly, {"end": "17:30"}, {"start": True}),
        ("DELETE", weekly, None, None),
        ("PATCH", one_off, {"end": "12:30"}, {"date": "19-03-2027"}),
        ("DELETE", one_off, None, None),
        ("PATCH", closure, {"reason": "Jaarlijkse inventarisatie"}, {"first": None}),
        ("DELETE", closure, None, None),
    ]
    before = (_availability(api), api.client.get(LOC, headers=api.headers("company")).json())
    for method, path, good, wrong_type in writes:
        where = f"{method} {path}"
        assert _send(api, method, path, good).status_code == 428, where
        assert _send(api, method, path, good, '"41"').status_code == 412, where
        if good is not None:
            unknown = _send(api, method, path, {**good, "colour": "red"}, "*")
            assert _errors(unknown) == [("body", "$.colour")], where
            wrong = _send(api, method, path, wrong_type, "*")
            assert [p for _, p in _errors(wrong)] == [f"$.{next(iter(wrong_type))}"], where
    after = (_availability(api), api.client.get(LOC, headers=api.headers("company")).json())
    assert after == before
    with session_scope(api.engine) as session:
        assert session.scalars(select(e.AuditEvent)).all() == []


def test_a_one_off_window_moved_onto_another_is_409(api: Api) -> None:
    made = _send(api, "POST", AV + "/one-off", {"date": "2027-03-19", "start": "13:00",
                                                "end": "15:00"})  # fmt: skip
    assert made.status_code == 201, made.text
    path = f"{AV}/one-off/{made.json()['id']}"
    moved = _send(api, "PATCH", path, {"start": "11:00"}, made.json()["etag"])
    assert (
        "overlaps the one-off window 2027-03-19 09:00-12:00" in assert_problem(moved, 409)["detail"]
    )
    touching = _send(api, "PATCH", path, {"start": "12:00"}, made.json()["etag"])
    assert touching.status_code == 200, touching.text
