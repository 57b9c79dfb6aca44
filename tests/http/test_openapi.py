"""The OpenAPI document: every operation named once, typed, and with the statuses it answers.

The checks walk whatever routes the app has, so endpoints added later are held to the same
rules without touching this file. The feed route is also called, and every status it
answered must be in its documented responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.problems import MEDIA_TYPE
from models.db import make_engine, session_scope
from models.feeds import create_token, revoke_token
from tests.feeds.conftest import NOW, SETTINGS, Clock, build_campus

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATION_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")  # camelCase, chosen by the route's author
PROBLEM = {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'doc.db'}")
    return TestClient(create_app(engine=engine)).get("/openapi.json").json()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_operation_has_its_own_readable_operation_id(document: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        op_id = operation.get("operationId")
        assert op_id and OPERATION_ID.match(op_id), f"{where}: set operation_id= in camelCase"
        assert op_id not in seen, f"{where} and {seen.get(op_id)} share operationId {op_id}"
        seen[op_id] = where
    assert {"getCalendarFeed", "headCalendarFeed", "getHealth", "getMe"} <= set(seen)


def test_every_operation_documents_its_bodies(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert success, f"{where}: no success response"
        if method != "head":
            for code in (code for code in success if code != "204"):  # 204: no body, by rule
                content = responses[code].get("content", {})
                assert content and all("schema" in c for c in content.values()), (
                    f"{where} {code}: no response schema"
                )
        if "requestBody" in operation:
            for media in operation["requestBody"]["content"].values():
                assert "schema" in media, f"{where}: request body without a schema"


def test_every_api_operation_documents_401_and_its_problems(document: dict[str, Any]) -> None:
    api = [op for op in operations(document) if op[0].startswith("/api/v1/")]
    assert len(api) >= 5
    for path, method, operation in api:
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        assert "401" in responses, f"{where}: every key can be wrong; add responses(401, ...)"
        assert "503" in responses, f"{where}: a busy database answers 503"
        if "requestBody" in operation:
            assert "413" in responses and "422" in responses, f"{where}: 413 and 422"
        for code, response in responses.items():
            if code[0] in "45":
                assert response["content"] == {MEDIA_TYPE: PROBLEM}, (
                    f"{where} {code}: errors are problem+json (api.problems.responses)"
                )
    # FastAPI's own 422 body never goes out, so it is not in the document either.
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_422_is_documented_only_where_input_can_be_invalid(document: dict[str, Any]) -> None:
    get_location = document["paths"]["/api/v1/locations/{key}"]["get"]["responses"]
    assert "422" not in get_location  # the key is any text: it cannot fail validation
    assert "422" in document["paths"]["/api/v1/locations"]["get"]["responses"]  # limit, offset


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[tuple[TestClient, Engine, Clock]]:
    engine = build_campus(make_engine(f"sqlite:///{tmp_path / 'feeds.db'}"))
    clock = Clock(NOW)
    with TestClient(create_app(engine=engine, settings=SETTINGS, clock=clock)) as client:
        yield client, engine, clock


def test_the_feed_route_documents_every_status_it_answers(
    feed: tuple[TestClient, Engine, Clock],
) -> None:
    client, engine, clock = feed
    with session_scope(engine) as session:
        token = create_token(session, "school", "vmbo-zuidoost", now=NOW - timedelta(days=1))[1]
    url = f"/cal/{token}.ics"
    observed: set[tuple[str, int]] = set()

    def call(method: str, path: str, **headers: str) -> None:
        observed.add((method, client.request(method.upper(), path, headers=headers).status_code))

    for method in ("get", "head"):
        call(method, url)
        call(method, url, **{"If-None-Match": client.get(url).headers["etag"]})
        call(method, "/cal/" + "x" * 43 + ".ics")
    with session_scope(engine) as session:
        revoke_token(session, "school", "vmbo-zuidoost", now=NOW)
    clock.now = NOW + timedelta(days=SETTINGS.revoked_days)
    for method in ("get", "head"):
        call(method, url)
    assert {status for _method, status in observed} == {200, 304, 404, 410}
    item = client.get("/openapi.json").json()["paths"]["/cal/{token}.ics"]
    for method, status in observed:
        assert str(status) in item[method]["responses"], f"{method.upper()} answered {status}"
    assert item["get"]["responses"]["200"]["content"].keys() == {"text/calendar"}
    assert "content" not in item["head"]["responses"]["200"]  # HEAD: headers only
    assert "422" not in item["get"]["responses"]  # no input of the feed can be invalid
