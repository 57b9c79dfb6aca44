"""Who may do what: every key x every /api/v1 endpoint x own / other partner -> exact status.

For locations "own" is ww-hal (warmte-west, the company key's partner), "other" en-lab
(elektro-noord) and "missing" a location that does not exist; each resource names its own
three in TARGETS. Outside its scope a key gets exactly what a missing entity gets (404), and a
role that may never use an endpoint gets 403 whatever it names. The planner key covers the
campus, so its own and other are both allowed. Changes are sent with ``If-Match: *``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from tests.http.conftest import Api

# resource -> the entity each column of the matrix names (own, other, missing)
TARGETS = {
    "loc": {"own": "ww-hal", "other": "en-lab", "missing": "no-such-location"},
}
Body = Callable[[date], dict[str, Any]] | None


def _one_off(day: date) -> dict[str, Any]:
    return {"date": day.isoformat(), "start": "09:00", "end": "12:00"}


# name -> method, path (with at most one {resource} placeholder), body for the given day
ENDPOINTS: dict[str, tuple[str, str, Body]] = {
    "me": ("GET", "/api/v1/me", None),
    "list locations": ("GET", "/api/v1/locations", None),
    "location": ("GET", "/api/v1/locations/{loc}", None),
    "update location": ("PATCH", "/api/v1/locations/{loc}", lambda day: {"capacity": 20}),
    "availability": ("GET", "/api/v1/locations/{loc}/availability", None),
    "add one-off": ("POST", "/api/v1/locations/{loc}/availability/one-off", _one_off),
    # audit (planners only; the filter names the location of each column)
    "audit": ("GET", "/api/v1/audit?entity=location/{loc}", None),
}

# fmt: off
MATRIX = [
    # key          endpoint          own  other missing
    ("anonymous", "me",              401, 401, 401),
    ("anonymous", "list locations",  401, 401, 401),
    ("anonymous", "location",        401, 401, 401),
    ("anonymous", "availability",    401, 401, 401),
    ("anonymous", "update location", 401, 401, 401),
    ("anonymous", "add one-off",     401, 401, 401),
    ("revoked",   "me",              401, 401, 401),
    ("revoked",   "add one-off",     401, 401, 401),
    ("expired",   "me",              401, 401, 401),
    ("expired",   "add one-off",     401, 401, 401),
    ("planner",   "me",              200, 200, 200),
    ("planner",   "list locations",  200, 200, 200),
    ("planner",   "location",        200, 200, 404),
    ("planner",   "availability",    200, 200, 404),
    ("planner",   "update location", 200, 200, 404),
    ("planner",   "add one-off",     201, 201, 404),
    ("company",   "me",              200, 200, 200),
    ("company",   "list locations",  200, 200, 200),
    ("company",   "location",        200, 404, 404),
    ("company",   "availability",    200, 404, 404),
    ("company",   "update location", 200, 404, 404),
    ("company",   "add one-off",     201, 404, 404),
    ("school",    "me",              200, 200, 200),
    ("school",    "list locations",  403, 403, 403),
    ("school",    "location",        403, 403, 403),
    ("school",    "availability",    403, 403, 403),
    ("school",    "update location", 403, 403, 403),
    ("school",    "add one-off",     403, 403, 403),
    ("trainer",   "me",              200, 200, 200),
    ("trainer",   "list locations",  403, 403, 403),
    ("trainer",   "location",        403, 403, 403),
    ("trainer",   "availability",    403, 403, 403),
    ("trainer",   "update location", 403, 403, 403),
    ("trainer",   "add one-off",     403, 403, 403),
    # audit
    ("anonymous", "audit",           401, 401, 401),
    ("revoked",   "audit",           401, 401, 401),
    ("planner",   "audit",           200, 200, 200),
    ("company",   "audit",           403, 403, 403),
    ("school",    "audit",           403, 403, 403),
    ("trainer",   "audit",           403, 403, 403),
]
# fmt: on

# What each key must never read: other partners' names, keys, addresses and contacts.
ELEKTRO_NOORD = ["elektro-noord", "Elektro Noord", "E-lab Noord", "Johan van Hasseltweg"]
WARMTE_WEST = ["warmte-west", "Warmte West", "Praktijkhal", "Contactweg", "Sanne de Wit"]
FOREIGN = {
    "company": ELEKTRO_NOORD,
    "school": ELEKTRO_NOORD + WARMTE_WEST,
    "trainer": [*ELEKTRO_NOORD, "Praktijkhal", "Contactweg"],
    "anonymous": ELEKTRO_NOORD + WARMTE_WEST,
    "revoked": ELEKTRO_NOORD + WARMTE_WEST,
    "expired": ELEKTRO_NOORD + WARMTE_WEST,
}


def test_every_key_gets_exactly_its_status_on_every_endpoint(api: Api) -> None:
    assert {endpoint for _, endpoint, *_ in MATRIX} == set(ENDPOINTS)
    failures = []
    day = date(2027, 5, 3)
    for who, endpoint, *statuses in MATRIX:
        method, template, body = ENDPOINTS[endpoint]
        resource = next((r for r in TARGETS if "{" + r + "}" in template), "loc")
        for (target, entity), expected in zip(TARGETS[resource].items(), statuses, strict=True):
            day += timedelta(days=1)  # every POST its own day: no 409 from an earlier row
            headers = api.headers(who)
            if method in ("PATCH", "PUT", "DELETE"):
                headers["If-Match"] = "*"
            response = api.client.request(
                method,
                template.format(**{resource: entity}),
                headers=headers,
                json=body(day) if body else None,
            )
            where = f"{who} {method} {template} ({target})"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            leaked = [text for text in FOREIGN.get(who, []) if text in response.text]
            if leaked:
                failures.append(f"{where}: the answer shows {leaked}")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
    assert failures == []


def test_a_company_lists_only_its_own_locations_and_counts_only_those(api: Api) -> None:
    body = api.client.get("/api/v1/locations", headers=api.headers("company")).json()
    assert [loc["key"] for loc in body["items"]] == ["ww-hal"]
    assert body["total"] == 1
    assert {loc["partner"] for loc in body["items"]} == {"warmte-west"}


def test_a_company_that_cannot_see_a_location_leaves_it_unchanged(api: Api) -> None:
    body = {"date": "2027-06-01", "start": "09:00", "end": "12:00"}
    path = "/api/v1/locations/en-lab/availability"
    assert (
        api.client.post(path + "/one-off", headers=api.headers("company"), json=body).status_code
        == 404
    )
    seen = api.client.get(path, headers=api.headers("planner")).json()
    assert seen["one_off"] == []
