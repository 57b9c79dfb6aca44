"""Bad input to every write operation of /api/v1 is a 4xx that says where, never a 5xx.

The operations come from the app's own OpenAPI document, so a new write endpoint is covered
the day it is added. Path parameters get placeholder values: the body is checked before
any entity is looked up, so the answers below do not depend on what exists.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.limits import MAX_BODY_BYTES
from tests.http.conftest import Api

WRITES = ("post", "put", "patch")


def write_operations(api: Api) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path with placeholders filled, operation) of every /api/v1 write with a body."""
    found = []
    for template, item in api.client.app.openapi()["paths"].items():
        if not template.startswith("/api/v1/"):
            continue
        for method, operation in item.items():
            if method in WRITES and "requestBody" in operation:
                ints = {
                    p["name"]
                    for p in operation.get("parameters", [])
                    if p.get("schema", {}).get("type") == "integer"
                }
                path = re.sub(
                    r"\{(\w+)\}", lambda m, ints=ints: "1" if m.group(1) in ints else "x", template
                )
                found.append((method.upper(), path, operation))
    return found


def _send(api: Api, method: str, path: str, **kwargs: Any):
    headers = {**api.headers("planner"), "If-Match": "*", **kwargs.pop("headers", {})}
    return api.client.request(method, path, headers=headers, **kwargs)


def _is_problem(response) -> bool:
    return response.headers.get("content-type") == "application/problem+json"


def test_the_document_lists_write_operations(api: Api) -> None:
    assert len(write_operations(api)) >= 2  # else the tests below check nothing


@pytest.mark.parametrize(
    ("case", "body", "status", "path"),
    [
        ("unknown field", {"no_such_field": 1}, 422, "$.no_such_field"),
        ("a list instead of an object", [1, 2], 422, "$"),
        ("a string instead of an object", "text", 422, "$"),
    ],
)
def test_every_write_says_which_part_of_a_bad_body_is_wrong(
    api: Api, case: str, body: Any, status: int, path: str
) -> None:
    wrong = []
    for method, url, _ in write_operations(api):
        response = _send(api, method, url, json=body)
        paths = (
            [err["path"] for err in response.json().get("errors", [])]
            if _is_problem(response)
            else []
        )
        if response.status_code != status or not _is_problem(response) or path not in paths:
            wrong.append(f"{method} {url}: {response.status_code} {response.text[:300]}")
    assert wrong == [], case


def test_every_write_refuses_malformed_json_with_the_path_of_the_body(api: Api) -> None:
    wrong = []
    for method, url, _ in write_operations(api):
        response = _send(
            api, method, url, content=b'{"date": ', headers={"Content-Type": "application/json"}
        )
        errors = response.json().get("errors", []) if _is_problem(response) else []
        if response.status_code != 422 or [e["path"] for e in errors] != ["$"]:
            wrong.append(f"{method} {url}: {response.status_code} {response.text[:300]}")
    assert wrong == []


def test_every_write_refuses_a_2_mb_body_before_reading_it(api: Api) -> None:
    body = b'{"note": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert len(body) > MAX_BODY_BYTES
    wrong = []
    for method, url, _ in write_operations(api):
        json_type = {"Content-Type": "application/json"}
        response = _send(api, method, url, content=body, headers=json_type)
        if response.status_code != 413 or not _is_problem(response):
            wrong.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
    assert wrong == []
