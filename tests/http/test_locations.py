"""A company adds one one-off window to its own location and nothing else changes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.http.auth_helpers import assert_problem
from tests.http.conftest import Api

OWN = "/api/v1/locations/ww-hal"
ONE_OFF = OWN + "/availability/one-off"


def test_adding_one_one_off_window_keeps_every_other_window_equipment_and_address(
    api: Api,
) -> None:
    company = api.headers("company")
    before = api.client.get(OWN, headers=company).json()
    availability = api.client.get(OWN + "/availability", headers=company).json()
    assert len(availability["weekly"]) == 3 and len(availability["one_off"]) == 1
    response = api.client.post(
        ONE_OFF, headers=company, json={"date": "2027-03-26", "start": "09:00", "end": "12:30"}
    )
    assert response.status_code == 201, response.text
    added = response.json()
    assert {k: added[k] for k in ("date", "start", "end")} == {
        "date": "2027-03-26",
        "start": "09:00",
        "end": "12:30",
    }
    assert response.headers["location"] == OWN + "/availability"
    after = api.client.get(OWN + "/availability", headers=company).json()
    assert after["weekly"] == availability["weekly"]
    assert after["closures"] == availability["closures"]
    assert after["one_off"] == [*availability["one_off"], added]
    assert api.client.get(OWN, headers=company).json() == before
    assert before["address"] == "Contactweg 12, Amsterdam"
    assert before["equipment"] == {"bim-station": 8, "heat-pump-rig": 2}


def test_availability_lists_windows_as_scenario_files_write_them(api: Api) -> None:
    body = api.client.get(OWN + "/availability", headers=api.headers("planner")).json()
    assert [(w["weekday"], w["start"], w["end"], w["valid_from"]) for w in body["weekly"]] == [
        ("tue", "13:00", "17:00", None),
        ("thu", "13:00", "17:00", None),
        ("wed", "18:00", "21:30", "2027-01-01"),
    ]
    assert [(w["date"], w["start"], w["end"]) for w in body["one_off"]] == [
        ("2027-03-19", "09:00", "12:00")
    ]
    assert body["closures"][0] | {"id": 0} == {
        "id": 0,
        "first": "2027-04-05",
        "last": "2027-04-09",
        "reason": "Inventarisatie",
        "etag": '"1"',  # what a PATCH or DELETE of the closure sends as If-Match
    }


GOOD = {"date": "2027-03-26", "start": "09:00", "end": "12:00"}


@pytest.mark.parametrize(
    ("body", "path", "reason"),
    [
        (GOOD | {"end": "08:00"}, "$.end", "end 08:00 is not after start 09:00"),
        (GOOD | {"end": "09:00"}, "$.end", "is not after start"),
        (GOOD | {"start": "24:00"}, "$.start", "between 00:00 and 23:59"),
        (GOOD | {"end": "9:00"}, "$.end", "HH:MM"),
        (GOOD | {"start": 900}, "$.start", "HH:MM"),
        (GOOD | {"date": "2027-02-30"}, "$.date", "2027-02-30"),
        (GOOD | {"date": 1800000000}, "$.date", "YYYY-MM-DD"),
        (GOOD | {"colour": "red"}, "$.colour", "unknown field"),
        ({"start": "09:00", "end": "12:00"}, "$.date", "is required but missing"),
        # the hour the clocks skip in Amsterdam on 2027-03-28
        (GOOD | {"date": "2027-03-28", "start": "02:30", "end": "04:00"}, "$.start", "skip"),
        (GOOD | {"date": "2027-03-28", "start": "01:00", "end": "02:30"}, "$.end", "skip"),
        ([GOOD], "$", "JSON object"),
    ],
)
def test_bad_windows_are_422_with_the_path_and_nothing_is_written(
    api: Api, body: Any, path: str, reason: str
) -> None:
    company = api.headers("company")
    response = api.client.post(ONE_OFF, headers=company, json=body)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["path"] == path
    assert problem["errors"][0]["in"] == "body"
    assert reason in problem["errors"][0]["reason"]
    assert problem["detail"].startswith(path)
    availability = api.client.get(OWN + "/availability", headers=company).json()
    assert len(availability["one_off"]) == 1


def test_a_body_that_is_not_json_is_422_at_the_root(api: Api) -> None:
    response = api.client.post(
        ONE_OFF,
        headers=api.headers("company") | {"Content-Type": "application/json"},
        content=b'{"date": ',
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["path"] == "$"
    assert "not valid JSON" in problem["errors"][0]["reason"]


def test_a_window_overlapping_another_that_day_is_409(api: Api) -> None:
    company = api.headers("company")
    response = api.client.post(
        ONE_OFF, headers=company, json={"date": "2027-03-19", "start": "11:00", "end": "13:00"}
    )
    problem = assert_problem(response, 409)
    assert "overlaps the one-off window 2027-03-19 09:00-12:00" in problem["detail"]
    touching = {"date": "2027-03-19", "start": "12:00", "end": "13:00"}  # starts as it ends
    assert api.client.post(ONE_OFF, headers=company, json=touching).status_code == 201


def test_the_list_pages_with_a_cap(api: Api) -> None:
    planner = api.headers("planner")
    first = api.client.get("/api/v1/locations?limit=2", headers=planner).json()
    second = api.client.get("/api/v1/locations?limit=2&offset=2", headers=planner).json()
    assert [loc["key"] for loc in first["items"]] == ["en-lab", "vz-school"]
    assert [loc["key"] for loc in second["items"]] == ["ww-hal"]
    assert first["total"] == second["total"] == 3
    for query, name in (("limit=0", "limit"), ("limit=201", "limit"), ("offset=-1", "offset")):
        response = api.client.get(f"/api/v1/locations?{query}", headers=planner)
        problem = assert_problem(response, 422)
        assert problem["errors"][0] | {"reason": ""} == {"in": "query", "path": name, "reason": ""}


def test_the_answer_comes_after_the_commit_and_a_busy_database_is_503(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(self: Session) -> None:
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(Session, "commit", locked)
    window = {"date": "2027-03-26", "start": "09:00", "end": "12:00"}
    response = api.client.post(ONE_OFF, headers=api.headers("company"), json=window)
    problem = assert_problem(response, 503)
    assert response.headers["retry-after"] == "1"
    assert "send the request again" in problem["detail"]
    monkeypatch.undo()
    availability = api.client.get(OWN + "/availability", headers=api.headers("company")).json()
    assert [w["date"] for w in availability["one_off"]] == ["2027-03-19"]


@pytest.mark.parametrize("key", ["%00", "x" * 5000, "%F0%9F%98%80", "%ED%A0%80", "-lead"])
def test_a_text_that_cannot_be_a_key_is_404_quoted_short(api: Api, key: str) -> None:
    for method, suffix in (
        ("GET", ""),
        ("GET", "/availability"),
        ("POST", "/availability/one-off"),
    ):
        response = api.client.request(
            method,
            f"/api/v1/locations/{key}{suffix}",
            headers=api.headers("planner"),
            json=GOOD if method == "POST" else None,
        )
        problem = assert_problem(response, 404)
        assert len(problem["detail"]) < 200


def test_a_body_over_the_cap_is_413_unread(api: Api) -> None:
    big = b'{"date": "2027-03-26", "start": "09:00", "end": "12:00", "x": "' + b"a" * 2**21 + b'"}'
    headers = api.headers("company") | {"Content-Type": "application/json"}
    problem = assert_problem(api.client.post(ONE_OFF, headers=headers, content=big), 413)
    assert "larger than 1024 KiB" in problem["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    assert_problem(api.client.post(ONE_OFF, headers=headers, content=chunks()), 413)
    availability = api.client.get(OWN + "/availability", headers=api.headers("company")).json()
    assert len(availability["one_off"]) == 1


def test_the_list_filters_by_partner_and_by_equipment_within_the_key_s_scope(api: Api) -> None:
    def keys(who: str, query: str) -> tuple[list[str], int]:
        response = api.client.get(f"/api/v1/locations?{query}", headers=api.headers(who))
        assert response.status_code == 200, response.text
        body = response.json()
        return [item["key"] for item in body["items"]], body["total"]

    assert keys("planner", "partner=elektro-noord") == (["en-lab"], 1)
    assert keys("planner", "equipment=heat-pump-rig") == (["ww-hal"], 1)
    assert keys("planner", "partner=warmte-west&equipment=switchboard") == ([], 0)
    assert keys("company", "partner=elektro-noord") == ([], 0)  # outside its scope: nothing
    bad = api.client.get("/api/v1/locations?partner=a%00b", headers=api.headers("planner"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "partner"
