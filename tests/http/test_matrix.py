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


# --- groups and requests (api/routes/v1/school_groups.py, requests.py) ----------------------
# "own" is vmbo-zuidoost's (the school key's partner), "other" roc-sloterdijk's, a second
# school loaded from tests/data/other-school.yaml; "missing" does not exist. Creating names
# the target in the body (the school of a new group, the group of a new request): another
# school's is answered exactly like an unknown one (422). Before every cell the target
# request is put back to "submitted" and the target window is made afresh, so each cell
# meets the state its action needs.

TARGETS.update(
    {
        "grp": {"own": "vz-3kb-b", "other": "rs-2a", "missing": "no-such-group"},
        "req": {"own": "r-sc-1", "other": "r-rs-1", "missing": "no-such-request"},
        "school": {"own": "vmbo-zuidoost", "other": "roc-sloterdijk", "missing": "no-school"},
    }
)
Body2 = Callable[[date, str], dict[str, Any]] | None


def _new_group(day: date, school: str) -> dict[str, Any]:
    return {"key": f"g-{day:%m%d}", "school": school, "name": "4 BB", "headcount": 12}


def _window(day: date, _target: str) -> dict[str, Any]:
    iso = day.isoformat()
    return {"weekday": "sat", "start": "09:00", "end": "12:00", "valid_from": iso, "valid_to": iso}


def _shorter(_day: date, _target: str) -> dict[str, Any]:
    return {"end": "11:00"}


def _new_request(day: date, group: str) -> dict[str, Any]:
    return {"activity": "WS-WARMTEPOMP", "groups": [group], "earliest": "2027-05-10",
            "latest": "2027-05-28"}  # fmt: skip


# name -> method, path, the resource the column names, body(day, target entity)
ENDPOINTS2: dict[str, tuple[str, str, str, Body2]] = {
    "list groups": ("GET", "/api/v1/groups", "grp", None),
    "group": ("GET", "/api/v1/groups/{grp}", "grp", None),
    "create group": ("POST", "/api/v1/groups", "school", _new_group),
    "update group": ("PATCH", "/api/v1/groups/{grp}", "grp", lambda d, t: {"headcount": 11}),
    "add window": ("POST", "/api/v1/groups/{grp}/windows", "grp", _window),
    "update window": ("PATCH", "/api/v1/groups/{grp}/windows/{win}", "grp", _shorter),
    "delete window": ("DELETE", "/api/v1/groups/{grp}/windows/{win}", "grp", None),
    "list requests": ("GET", "/api/v1/requests", "req", None),
    "request": ("GET", "/api/v1/requests/{req}", "req", None),
    "submit request": ("POST", "/api/v1/requests", "grp", _new_request),
    "update request": ("PATCH", "/api/v1/requests/{req}", "req", lambda d, t: {"note": "x"}),
    "withdraw": ("POST", "/api/v1/requests/{req}/withdraw", "req", None),
    "accept": ("POST", "/api/v1/requests/{req}/accept", "req", None),
    "decline": ("POST", "/api/v1/requests/{req}/decline", "req", lambda d, t: {"reason": "vol"}),
}

# fmt: off
MATRIX2 = [
    # key          endpoint          own  other missing
    ("anonymous", "list groups",     401, 401, 401),
    ("anonymous", "group",           401, 401, 401),
    ("anonymous", "create group",    401, 401, 401),
    ("anonymous", "update group",    401, 401, 401),
    ("anonymous", "add window",      401, 401, 401),
    ("anonymous", "update window",   401, 401, 401),
    ("anonymous", "delete window",   401, 401, 401),
    ("anonymous", "list requests",   401, 401, 401),
    ("anonymous", "request",         401, 401, 401),
    ("anonymous", "submit request",  401, 401, 401),
    ("anonymous", "update request",  401, 401, 401),
    ("anonymous", "withdraw",        401, 401, 401),
    ("anonymous", "accept",          401, 401, 401),
    ("anonymous", "decline",         401, 401, 401),
    ("revoked",   "submit request",  401, 401, 401),
    ("expired",   "withdraw",        401, 401, 401),
    ("planner",   "list groups",     200, 200, 200),
    ("planner",   "group",           200, 200, 404),
    ("planner",   "create group",    201, 201, 422),
    ("planner",   "update group",    200, 200, 404),
    ("planner",   "add window",      201, 201, 404),
    ("planner",   "update window",   200, 200, 404),
    ("planner",   "delete window",   204, 204, 404),
    ("planner",   "list requests",   200, 200, 200),
    ("planner",   "request",         200, 200, 404),
    ("planner",   "submit request",  201, 201, 422),
    ("planner",   "update request",  200, 200, 404),
    ("planner",   "withdraw",        200, 200, 404),
    ("planner",   "accept",          200, 200, 404),
    ("planner",   "decline",         200, 200, 404),
    ("company",   "list groups",     403, 403, 403),
    ("company",   "group",           403, 403, 403),
    ("company",   "create group",    403, 403, 403),
    ("company",   "update group",    403, 403, 403),
    ("company",   "add window",      403, 403, 403),
    ("company",   "update window",   403, 403, 403),
    ("company",   "delete window",   403, 403, 403),
    ("company",   "list requests",   403, 403, 403),
    ("company",   "request",         403, 403, 403),
    ("company",   "submit request",  403, 403, 403),
    ("company",   "update request",  403, 403, 403),
    ("company",   "withdraw",        403, 403, 403),
    ("company",   "accept",          403, 403, 403),
    ("company",   "decline",         403, 403, 403),
    ("school",    "list groups",     200, 200, 200),
    ("school",    "group",           200, 404, 404),
    ("school",    "create group",    201, 422, 422),
    ("school",    "update group",    200, 404, 404),
    ("school",    "add window",      201, 404, 404),
    ("school",    "update window",   200, 404, 404),
    ("school",    "delete window",   204, 404, 404),
    ("school",    "list requests",   200, 200, 200),
    ("school",    "request",         200, 404, 404),
    ("school",    "submit request",  201, 422, 422),
    ("school",    "update request",  200, 404, 404),
    ("school",    "withdraw",        200, 404, 404),
    ("school",    "accept",          403, 404, 404),
    ("school",    "decline",         403, 404, 404),
    ("trainer",   "list groups",     403, 403, 403),
    ("trainer",   "group",           403, 403, 403),
    ("trainer",   "create group",    403, 403, 403),
    ("trainer",   "update group",    403, 403, 403),
    ("trainer",   "add window",      403, 403, 403),
    ("trainer",   "update window",   403, 403, 403),
    ("trainer",   "delete window",   403, 403, 403),
    ("trainer",   "list requests",   403, 403, 403),
    ("trainer",   "request",         403, 403, 403),
    ("trainer",   "submit request",  403, 403, 403),
    ("trainer",   "update request",  403, 403, 403),
    ("trainer",   "withdraw",        403, 403, 403),
    ("trainer",   "accept",          403, 403, 403),
    ("trainer",   "decline",         403, 403, 403),
]
# fmt: on

# What the school key must never read of the other school.
# (An answer may repeat the key the caller sent, as for locations.)
ROC_SLOTERDIJK = ["ROC Sloterdijk", "Radarweg", "2A Monteur", "Graag op dinsdag"]


def _reset(api: Api, request_key: str) -> None:
    """The request back to submitted; the Saturday windows the cells added removed (a group
    with only those could never come to a request on a weekday)."""
    from sqlalchemy import delete, update

    from models import entities as e
    from models.db import session_scope

    with session_scope(api.engine) as session:
        session.execute(
            update(e.Request).where(e.Request.key == request_key).values(status="submitted")
        )
        session.execute(delete(e.GroupWindow).where(e.GroupWindow.weekday == 6))


def test_every_key_gets_exactly_its_status_on_every_group_and_request_endpoint(
    api: Api,
) -> None:
    from models.db import session_scope
    from models.store import load_files
    from tests.conftest import DATA

    with session_scope(api.engine) as session:
        load_files(session, [DATA / "other-school.yaml"])
    assert {endpoint for _, endpoint, *_ in MATRIX2} == set(ENDPOINTS2)
    failures = []
    day = date(2027, 5, 3)
    for who, endpoint, *statuses in MATRIX2:
        method, template, resource, body = ENDPOINTS2[endpoint]
        for (target, entity), expected in zip(TARGETS[resource].items(), statuses, strict=True):
            day += timedelta(days=1)
            _reset(api, TARGETS["req"][target])
            window = 1
            if "{win}" in template and target != "missing":
                made = api.client.post(
                    f"/api/v1/groups/{entity}/windows",
                    headers=api.headers("planner"),
                    json=_window(day + timedelta(days=400), entity),
                )
                assert made.status_code == 201, made.text
                window = made.json()["id"]
            headers = api.headers(who)
            if method in ("PATCH", "PUT", "DELETE"):
                headers["If-Match"] = "*"
            response = api.client.request(
                method,
                template.format(**{resource: entity, "win": window}),
                headers=headers,
                json=body(day, entity) if body else None,
            )
            where = f"{who} {method} {template} ({target})"
            if response.status_code != expected:
                failures.append(
                    f"{where}: {response.status_code}, expected {expected}: {response.text}"
                )
            foreign = ROC_SLOTERDIJK if who not in ("planner",) else []
            leaked = [text for text in foreign if text in response.text]
            if leaked:
                failures.append(f"{where}: the answer shows {leaked}")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
    assert failures == [], "\n".join(failures)
