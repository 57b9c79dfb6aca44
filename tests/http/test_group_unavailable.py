"""A school declares, lists and removes the periods its group cannot come at all, one at a
time, and the next solve plans around them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from models import entities as e
from models.bridge import Horizon, build_problem
from models.db import session_scope
from models.scenario import MAX_DATED
from scheduler import Solution, Status, explain
from scheduler.problem import GroupId, RequestId
from tests.http.auth_helpers import assert_problem
from tests.http.conftest import Api

OWN = "/api/v1/groups/vz-3bb-a/unavailable"
GOOD = {"first": "2027-03-22", "last": "2027-03-28", "reason": "trip", "note": "Keulen"}


def listed(api: Api, who: str = "school") -> list[dict[str, Any]]:
    response = api.client.get(OWN, headers=api.headers(who))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["group"] == "vz-3bb-a"
    return body["unavailable"]


def group_row(api: Api) -> tuple[object, ...]:
    """Everything of vz-3bb-a but its periods, to show a change leaves it alone."""
    with session_scope(api.engine) as session:
        g = session.scalars(select(e.Group).filter_by(key="vz-3bb-a")).one()
        windows = [(w.id, w.weekday, w.start, w.end) for w in g.windows]
        return (g.name, g.headcount, g.home_location_id, g.max_travel_minutes, windows)


def test_a_school_adds_lists_and_removes_one_period_of_its_own_group(api: Api) -> None:
    school = api.headers("school")
    assert listed(api) == []
    before = group_row(api)
    response = api.client.post(OWN, headers=school, json=GOOD)
    assert response.status_code == 201, response.text
    first = response.json()
    assert first == GOOD | {"id": first["id"]}
    assert response.headers["location"] == OWN
    second = api.client.post(
        OWN, headers=school, json={"first": "2027-05-18", "last": "2027-05-18", "reason": "exam"}
    ).json()
    assert second["note"] == ""
    assert listed(api) == [first, second]
    assert listed(api, "planner") == [first, second]
    assert group_row(api) == before  # windows, headcount, home: untouched

    assert api.client.delete(f"{OWN}/{first['id']}", headers=school).status_code == 204
    assert listed(api) == [second]  # the other period stays, with its id
    assert group_row(api) == before
    again = api.client.delete(f"{OWN}/{first['id']}", headers=school)
    problem = assert_problem(again, 404)
    assert problem["detail"] == (
        f"group vz-3bb-a has no unavailable period {first['id']}: "
        "GET /api/v1/groups/vz-3bb-a/unavailable lists them"
    )


def test_a_period_of_one_group_cannot_be_removed_through_another(api: Api) -> None:
    planner = api.headers("planner")
    other = api.client.post(
        "/api/v1/groups/vz-3kb-b/unavailable", headers=planner, json=GOOD
    ).json()
    assert_problem(api.client.delete(f"{OWN}/{other['id']}", headers=planner), 404)
    kept = api.client.get("/api/v1/groups/vz-3kb-b/unavailable", headers=planner).json()
    assert kept["unavailable"] == [other]


def test_a_period_added_through_the_api_keeps_the_next_solve_away(api: Api) -> None:
    # r-gl-1 asks for vz-3bb-a and vz-3kb-b together between 2027-03-15 and 2027-03-31; the
    # internship of vz-3bb-a covers it, the week the clocks go forward (2027-03-28) included
    internship = {"first": "2027-03-15", "last": "2027-04-09", "reason": "internship"}
    body = internship | {"note": "BPV"}
    assert api.client.post(OWN, headers=api.headers("school"), json=body).status_code == 201
    with session_scope(api.engine) as session:
        problem = build_problem(
            session, Horizon.parse("2027-W11..2027-W14"), now=datetime(2027, 3, 1, 8, 0)
        )
    group = problem.group(GroupId("vz-3bb-a"))
    assert group.availability.windows_on(date(2027, 3, 30)) == []  # a Tuesday in W13
    assert group.availability.windows_on(date(2027, 4, 13)) != []  # after it: as before
    found = explain(
        problem, Solution(Status.FEASIBLE), solver_seconds=0, requests=[RequestId("r-gl-1")]
    )
    (reason,) = found[RequestId("r-gl-1")]
    assert reason.code == "group_unavailable"
    assert reason.message.startswith(
        "group vz-3bb-a is on internship 2027-03-15..2027-04-09 (BPV): no working day "
        "between 2027-03-15 and 2027-03-31 when all its groups can come"
    )


BAD_BODIES: list[tuple[Any, str, str]] = [
    (GOOD | {"last": "2027-03-21"}, "$.last", "last 2027-03-21 is before first 2027-03-22"),
    (GOOD | {"colour": "red"}, "$.colour", "unknown field"),
    (GOOD | {"first": 20270322}, "$.first", "YYYY-MM-DD"),
    (GOOD | {"first": "2027-02-30"}, "$.first", "2027-02-30"),
    (GOOD | {"last": None}, "$.last", "YYYY-MM-DD"),
    (GOOD | {"reason": "holiday"}, "$.reason", "'exam', 'internship', 'trip' or 'other'"),
    (GOOD | {"reason": 3}, "$.reason", "'exam', 'internship', 'trip' or 'other'"),
    ({k: v for k, v in GOOD.items() if k != "reason"}, "$.reason", "required but missing"),
    (GOOD | {"note": "a\nb"}, "$.note", "control characters"),
    (GOOD | {"note": "x" * 201}, "$.note", "at most 200 characters"),
    (GOOD | {"note": ["x"]}, "$.note", "must be text"),
    ([GOOD], "$", "JSON object"),
]


def test_bad_periods_are_422_with_the_path_and_nothing_is_written(api: Api) -> None:
    # one campus for all cases (each case is checked to write nothing, so they stay apart)
    for body, path, reason in BAD_BODIES:
        response = api.client.post(OWN, headers=api.headers("school"), json=body)
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["in"] == "body", body
        assert problem["errors"][0]["path"] == path, body
        assert reason in problem["errors"][0]["reason"], body
        assert problem["detail"].startswith(path), body
        assert listed(api) == [], body


def test_a_period_id_that_cannot_be_one_is_422_in_the_path(api: Api) -> None:
    for period in ("abc", "0", "-1", "2147483648", "1.5"):
        response = api.client.delete(f"{OWN}/{period}", headers=api.headers("school"))
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["in"] == "path", period
        assert problem["errors"][0]["path"] == "period_id", period


def test_a_text_that_cannot_be_a_group_key_is_404_quoted_short(api: Api) -> None:
    for key in ("%00", "x" * 5000, "%F0%9F%98%80", "-lead"):
        for method, suffix in (("GET", ""), ("POST", ""), ("DELETE", "/1")):
            response = api.client.request(
                method,
                f"/api/v1/groups/{key}/unavailable{suffix}",
                headers=api.headers("planner"),
                json=GOOD if method == "POST" else None,
            )
            problem = assert_problem(response, 404)
            assert len(problem["detail"]) < 200, key


def test_a_group_with_the_most_periods_a_file_may_hold_gets_409(api: Api) -> None:
    with session_scope(api.engine) as session:
        g = session.scalars(select(e.Group).filter_by(key="vz-3bb-a")).one()
        g.unavailable = [
            e.GroupUnavailability(first=date(2027, 1, 4), last=date(2027, 1, 4), reason="other")
            for _ in range(MAX_DATED)
        ]
    problem = assert_problem(api.client.post(OWN, headers=api.headers("school"), json=GOOD), 409)
    assert problem["detail"] == (
        f"group vz-3bb-a already has {MAX_DATED} unavailable periods: remove a period first"
    )
    assert len(listed(api)) == MAX_DATED


def test_adding_and_removing_a_period_is_audited_with_who_and_what(api: Api) -> None:
    created = api.client.post(OWN, headers=api.headers("school"), json=GOOD).json()
    api.client.delete(f"{OWN}/{created['id']}", headers=api.headers("planner"))
    with session_scope(api.engine) as session:
        rows = session.scalars(select(e.AuditEvent).order_by(e.AuditEvent.id)).all()
        seen = [(r.actor_role, r.actor_label, r.entity, r.entity_key, r.action) for r in rows]
        changes = [r.changes for r in rows]
    key = f"vz-3bb-a/{created['id']}"
    assert seen == [
        ("school", "Ans", "group-unavailable", key, "create"),
        ("planner", "Planbureau", "group-unavailable", key, "delete"),
    ]
    period = {k: GOOD[k] for k in ("first", "last", "reason", "note")}
    assert changes[0] == {k: [None, v] for k, v in period.items()}
    assert changes[1] == {k: [v, None] for k, v in period.items()}
