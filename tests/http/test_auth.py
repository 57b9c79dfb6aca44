"""Bearer keys at the door of /api/v1, and the problem+json shape of every API error."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import entities as e
from models.db import session_scope
from tests.http.auth_helpers import PROBLEM, assert_problem
from tests.http.conftest import NOW, Api


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({}, "no API key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "no API key"),
        ({"Authorization": "Bearer tic_not-a-key"}, "unknown, revoked or expired"),
        ({"Authorization": "Bearer " + "x" * 500}, "unknown, revoked or expired"),
    ],
)
def test_missing_or_wrong_key_is_401_with_a_bearer_challenge(
    api: Api, headers: dict[str, str], says: str
) -> None:
    response = api.client.get("/api/v1/me", headers=headers)
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert says in body["detail"]


@pytest.mark.parametrize("who", ["revoked", "expired"])
def test_revoked_and_expired_keys_are_401(api: Api, who: str) -> None:
    response = api.client.get("/api/v1/me", headers=api.headers(who))
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("planner", {"role": "planner", "partner": None, "trainer": None, "label": "Planbureau"}),
        (
            "company",
            {"role": "company", "partner": "warmte-west", "trainer": None, "label": "Sanne"},
        ),
        ("school", {"role": "school", "partner": "vmbo-zuidoost", "trainer": None, "label": "Ans"}),
        ("trainer", {"role": "trainer", "partner": None, "trainer": "t-sanne", "label": ""}),
    ],
)
def test_me_says_who_the_key_speaks_for(api: Api, who: str, expected: dict) -> None:
    response = api.client.get("/api/v1/me", headers=api.headers(who))
    assert response.status_code == 200
    assert response.json() == expected


def test_use_is_recorded_coarsely(api: Api) -> None:
    for _ in range(3):
        assert api.client.get("/api/v1/me", headers=api.headers("company")).status_code == 200
    with session_scope(api.engine) as session:
        used = session.scalars(
            select(e.ApiKey.last_used_at).where(e.ApiKey.partner_key == "warmte-west")
        ).one()
        never = session.scalars(
            select(e.ApiKey.last_used_at).where(e.ApiKey.partner_key == "vmbo-zuidoost")
        ).one()
    assert used is not None and used.replace(tzinfo=NOW.tzinfo) == NOW
    assert never is None


def test_unknown_endpoint_and_wrong_method_are_problems(api: Api) -> None:
    body = assert_problem(api.client.get("/api/v1/nothing", headers=api.headers("planner")), 404)
    assert "docs/api.md" in body["detail"]
    assert_problem(api.client.delete("/api/v1/me", headers=api.headers("planner")), 405)


def test_routes_outside_the_api_keep_their_own_answers(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok", "database": "ok"}
    feed = api.client.get("/cal/unknown.ics")
    assert feed.status_code == 404 and feed.headers["content-type"].startswith("text/plain")


def test_the_openapi_document_names_the_bearer_scheme_and_problem_statuses(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    post = spec["paths"]["/api/v1/locations/{key}/availability/one-off"]["post"]
    assert post["operationId"] == "addLocationOneOffWindow"
    assert {"201", "401", "403", "404", "409", "422"} <= set(post["responses"])
    assert PROBLEM in post["responses"]["409"]["content"]
