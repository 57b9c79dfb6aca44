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
    # partners, the catalogue, API keys (the catalogue is the campus's: own and other are two
    # entries; keys: 6 is the fixture's expired key, 5 its revoked one, so revoking 5 is 409)
    "partner": {"own": "warmte-west", "other": "elektro-noord", "missing": "no-such-partner"},
    "hol": {"own": "1", "other": "2", "missing": "999"},
    "eq": {"own": "heat-pump-rig", "other": "switchboard", "missing": "no-such-equipment"},
    "act": {"own": "WS-WARMTEPOMP", "other": "SC-SCHAKEL", "missing": "NO-SUCH-ACTIVITY"},
    "keyid": {"own": "6", "other": "5", "missing": "999"},
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
}

# partners, the catalogue, settings and API keys
ENDPOINTS |= {
    "list partners": ("GET", "/api/v1/partners", None),
    "partner": ("GET", "/api/v1/partners/{partner}", None),
    "add partner": ("POST", "/api/v1/partners",
                    lambda day: {"key": f"p-{day}", "name": "Nieuw", "kind": "company"}),
    "update partner": ("PATCH", "/api/v1/partners/{partner}", lambda day: {"language": "en"}),
    "list holidays": ("GET", "/api/v1/holidays", None),
    "holiday": ("GET", "/api/v1/holidays/{hol}", None),
    "add holiday": ("POST", "/api/v1/holidays",
                    lambda day: {"name": "Vrij", "first": str(day), "last": str(day)}),
    "update holiday": ("PATCH", "/api/v1/holidays/{hol}", lambda day: {"kind": "school"}),
    "delete holiday": ("DELETE", "/api/v1/holidays/{hol}", None),
    "list equipment": ("GET", "/api/v1/equipment-types", None),
    "equipment": ("GET", "/api/v1/equipment-types/{eq}", None),
    "add equipment": ("POST", "/api/v1/equipment-types",
                      lambda day: {"code": f"eq-{day}", "name": "Nieuw"}),
    "update equipment": ("PATCH", "/api/v1/equipment-types/{eq}", lambda day: {"name": "N"}),
    "delete equipment": ("DELETE", "/api/v1/equipment-types/{eq}", None),
    "list activities": ("GET", "/api/v1/activity-types", None),
    "activity": ("GET", "/api/v1/activity-types/{act}", None),
    "add activity": ("POST", "/api/v1/activity-types", lambda day: {
        "code": f"A-{day}", "title": "Nieuw", "kind": "workshop", "audience": "vmbo",
        "duration_minutes": 60}),
    "update activity": ("PATCH", "/api/v1/activity-types/{act}", lambda day: {"title": "N"}),
    "delete activity": ("DELETE", "/api/v1/activity-types/{act}", None),
    "settings": ("GET", "/api/v1/settings", None),
    "update settings": ("PATCH", "/api/v1/settings", lambda day: {"horizon_weeks": 7}),
    "list keys": ("GET", "/api/v1/keys", None),
    "key": ("GET", "/api/v1/keys/{keyid}", None),
    "add key": ("POST", "/api/v1/keys", lambda day: {"role": "planner", "label": "matrix"}),
    "revoke key": ("POST", "/api/v1/keys/{keyid}/revoke", None),
}  # fmt: skip

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
]

# partners, the catalogue, settings and API keys (the planner's deletes come last: they remove
# what the rows before them use)
CATALOGUE = ["list holidays", "holiday", "list equipment", "equipment", "list activities",
             "activity"]
CATALOGUE_WRITES = ["add holiday", "update holiday", "delete holiday", "add equipment",
                    "update equipment", "delete equipment", "add activity", "update activity",
                    "delete activity"]
MINE = ["list partners", "partner", "add partner", "update partner", *CATALOGUE,
        *CATALOGUE_WRITES, "settings", "update settings", "list keys", "key", "add key",
        "revoke key"]
MATRIX += [(who, endpoint, 401, 401, 401) for who in ("anonymous", "revoked", "expired")
           for endpoint in MINE]
MATRIX += [
    # key          endpoint             own  other missing
    ("planner",   "list partners",     200, 200, 200),
    ("planner",   "partner",           200, 200, 404),
    ("planner",   "add partner",       201, 201, 201),
    ("planner",   "update partner",    200, 200, 404),
    ("company",   "list partners",     200, 200, 200),
    ("company",   "partner",           200, 404, 404),
    ("company",   "add partner",       403, 403, 403),
    ("company",   "update partner",    200, 404, 404),
    ("school",    "list partners",     200, 200, 200),
    ("school",    "partner",           404, 404, 404),  # its own is vmbo-zuidoost
    ("school",    "add partner",       403, 403, 403),
    ("school",    "update partner",    404, 404, 404),
    ("trainer",   "list partners",     403, 403, 403),
    ("trainer",   "partner",           403, 403, 403),
    ("trainer",   "add partner",       403, 403, 403),
    ("trainer",   "update partner",    403, 403, 403),
    ("planner",   "list holidays",     200, 200, 200),
    ("planner",   "holiday",           200, 200, 404),
    ("planner",   "list equipment",    200, 200, 200),
    ("planner",   "equipment",         200, 200, 404),
    ("planner",   "list activities",   200, 200, 200),
    ("planner",   "activity",          200, 200, 404),
    *[(who, endpoint, 200, 200, 200 if endpoint.startswith("list") else 404)
      for who in ("company", "school", "trainer") for endpoint in CATALOGUE],
    *[(who, endpoint, 403, 403, 403)
      for who in ("company", "school", "trainer") for endpoint in CATALOGUE_WRITES],
    ("planner",   "add holiday",       201, 201, 201),
    ("planner",   "update holiday",    200, 200, 404),
    ("planner",   "add equipment",     201, 201, 201),
    ("planner",   "update equipment",  200, 200, 404),
    ("planner",   "delete equipment",  409, 409, 404),  # used by locations and activities
    ("planner",   "add activity",      201, 201, 201),
    ("planner",   "update activity",   200, 200, 404),
    ("planner",   "delete activity",   409, 409, 404),  # used by requests
    *[(who, "settings", 200, 200, 200) for who in ("planner", "company", "school", "trainer")],
    ("planner",   "update settings",   200, 200, 200),
    *[(who, "update settings", 403, 403, 403) for who in ("company", "school", "trainer")],
    ("planner",   "list keys",         200, 200, 200),
    ("planner",   "key",               200, 200, 404),
    ("planner",   "add key",           201, 201, 201),
    *[(who, endpoint, 403, 403, 403) for who in ("company", "school", "trainer")
      for endpoint in ("list keys", "key", "add key", "revoke key")],
    ("planner",   "revoke key",        200, 409, 404),  # 5 was revoked already
    ("planner",   "delete holiday",    204, 204, 404),
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
