"""Who may do what: every key x every /api/v1 endpoint x own / other partner -> exact status.

The whole answer is one table, MATRIX; a runner per resource (it makes that resource's
targets: a fresh window to delete, a request put back to "submitted") checks its rows.

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
    # trainers: t-sanne (warmte-west; the trainer key's own), t-ahmed (elektro-noord)
    "trainer": {"own": "t-sanne", "other": "t-ahmed", "missing": "no-such-trainer"},
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


def _new_trainer(day: date, partner: str) -> dict[str, Any]:
    return {"key": f"t-new-{day:%Y%m%d}", "name": "Nieuwe trainer", "partner": partner}


def _absence(day: date) -> dict[str, Any]:
    return {"first": day.isoformat(), "last": day.isoformat(), "category": "leave"}


def _weekly(day: date) -> dict[str, Any]:
    """A window valid on ``day`` only (every cell its own day), after t-sanne's hours."""
    return {"weekday": day.isoweekday(), "start": "19:00", "end": "20:00",
            "valid_from": day.isoformat(), "valid_to": day.isoformat()}  # fmt: skip


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
    # --- trainers ---
    "list trainers": ("GET", "/api/v1/trainers", None),
    "trainer": ("GET", "/api/v1/trainers/{trainer}", None),
    "add trainer": ("POST", "/api/v1/trainers", lambda day: _new_trainer(day, "warmte-west")),
    "update trainer": ("PATCH", "/api/v1/trainers/{trainer}", lambda day: {"certified": True}),
    "trainer sessions": ("GET", "/api/v1/trainers/{trainer}/sessions", None),
    "trainer availability": ("GET", "/api/v1/trainers/{trainer}/availability", None),
    "trainer absences": ("GET", "/api/v1/trainers/{trainer}/absences", None),
    "add absence": ("POST", "/api/v1/trainers/{trainer}/absences", _absence),
    "add weekly window": ("POST", "/api/v1/trainers/{trainer}/availability/weekly", _weekly),
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

# THE matrix: every key x every endpoint x own / other / missing -> the exact status. Each
# resource's runner below (it knows how to make that resource's targets) checks its rows.
# fmt: off
MATRIX = [
    # key         endpoint              own  other missing
    # --- locations, trainers, partners, the catalogue, settings, API keys, the audit
    # (the planner's catalogue deletes come last: they remove what rows before them use)
    ("anonymous", "me",                   401, 401, 401),
    ("anonymous", "list locations",       401, 401, 401),
    ("anonymous", "location",             401, 401, 401),
    ("anonymous", "availability",         401, 401, 401),
    ("anonymous", "update location",      401, 401, 401),
    ("anonymous", "add one-off",          401, 401, 401),
    ("revoked",   "me",                   401, 401, 401),
    ("revoked",   "add one-off",          401, 401, 401),
    ("expired",   "me",                   401, 401, 401),
    ("expired",   "add one-off",          401, 401, 401),
    ("planner",   "me",                   200, 200, 200),
    ("planner",   "list locations",       200, 200, 200),
    ("planner",   "location",             200, 200, 404),
    ("planner",   "availability",         200, 200, 404),
    ("planner",   "update location",      200, 200, 404),
    ("planner",   "add one-off",          201, 201, 404),
    ("company",   "me",                   200, 200, 200),
    ("company",   "list locations",       200, 200, 200),
    ("company",   "location",             200, 404, 404),
    ("company",   "availability",         200, 404, 404),
    ("company",   "update location",      200, 404, 404),
    ("company",   "add one-off",          201, 404, 404),
    ("school",    "me",                   200, 200, 200),
    ("school",    "list locations",       403, 403, 403),
    ("school",    "location",             403, 403, 403),
    ("school",    "availability",         403, 403, 403),
    ("school",    "update location",      403, 403, 403),
    ("school",    "add one-off",          403, 403, 403),
    ("trainer",   "me",                   200, 200, 200),
    ("trainer",   "list locations",       403, 403, 403),
    ("trainer",   "location",             403, 403, 403),
    ("trainer",   "availability",         403, 403, 403),
    ("trainer",   "update location",      403, 403, 403),
    ("trainer",   "add one-off",          403, 403, 403),
    ("anonymous", "audit",                401, 401, 401),
    ("revoked",   "audit",                401, 401, 401),
    ("planner",   "audit",                200, 200, 200),
    ("company",   "audit",                403, 403, 403),
    ("school",    "audit",                403, 403, 403),
    ("trainer",   "audit",                403, 403, 403),
    ("anonymous", "list trainers",        401, 401, 401),
    ("anonymous", "trainer",              401, 401, 401),
    ("anonymous", "add trainer",          401, 401, 401),
    ("anonymous", "update trainer",       401, 401, 401),
    ("anonymous", "trainer sessions",     401, 401, 401),
    ("anonymous", "trainer availability", 401, 401, 401),
    ("anonymous", "trainer absences",     401, 401, 401),
    ("anonymous", "add absence",          401, 401, 401),
    ("anonymous", "add weekly window",    401, 401, 401),
    ("revoked",   "add absence",          401, 401, 401),
    ("expired",   "add absence",          401, 401, 401),
    ("planner",   "list trainers",        200, 200, 200),
    ("planner",   "trainer",              200, 200, 404),
    ("planner",   "add trainer",          201, 201, 201),
    ("planner",   "update trainer",       200, 200, 404),
    ("planner",   "trainer sessions",     200, 200, 404),
    ("planner",   "trainer availability", 200, 200, 404),
    ("planner",   "trainer absences",     200, 200, 404),
    ("planner",   "add absence",          201, 201, 404),
    ("planner",   "add weekly window",    201, 201, 404),
    ("company",   "list trainers",        200, 200, 200),
    ("company",   "trainer",              200, 404, 404),
    ("company",   "add trainer",          201, 201, 201),
    ("company",   "update trainer",       200, 404, 404),
    ("company",   "trainer sessions",     200, 404, 404),
    ("company",   "trainer availability", 200, 404, 404),
    ("company",   "trainer absences",     200, 404, 404),
    ("company",   "add absence",          201, 404, 404),
    ("company",   "add weekly window",    201, 404, 404),
    ("school",    "list trainers",        403, 403, 403),
    ("school",    "trainer",              403, 403, 403),
    ("school",    "add trainer",          403, 403, 403),
    ("school",    "update trainer",       403, 403, 403),
    ("school",    "trainer sessions",     403, 403, 403),
    ("school",    "trainer availability", 403, 403, 403),
    ("school",    "trainer absences",     403, 403, 403),
    ("school",    "add absence",          403, 403, 403),
    ("school",    "add weekly window",    403, 403, 403),
    ("trainer",   "list trainers",        200, 200, 200),
    ("trainer",   "trainer",              200, 404, 404),
    ("trainer",   "add trainer",          403, 403, 403),
    ("trainer",   "update trainer",       403, 403, 403),
    ("trainer",   "trainer sessions",     200, 404, 404),
    ("trainer",   "trainer availability", 200, 404, 404),
    ("trainer",   "trainer absences",     200, 404, 404),
    ("trainer",   "add absence",          201, 404, 404),
    ("trainer",   "add weekly window",    201, 404, 404),
    ("anonymous", "list partners",        401, 401, 401),
    ("anonymous", "partner",              401, 401, 401),
    ("anonymous", "add partner",          401, 401, 401),
    ("anonymous", "update partner",       401, 401, 401),
    ("anonymous", "list holidays",        401, 401, 401),
    ("anonymous", "holiday",              401, 401, 401),
    ("anonymous", "list equipment",       401, 401, 401),
    ("anonymous", "equipment",            401, 401, 401),
    ("anonymous", "list activities",      401, 401, 401),
    ("anonymous", "activity",             401, 401, 401),
    ("anonymous", "add holiday",          401, 401, 401),
    ("anonymous", "update holiday",       401, 401, 401),
    ("anonymous", "delete holiday",       401, 401, 401),
    ("anonymous", "add equipment",        401, 401, 401),
    ("anonymous", "update equipment",     401, 401, 401),
    ("anonymous", "delete equipment",     401, 401, 401),
    ("anonymous", "add activity",         401, 401, 401),
    ("anonymous", "update activity",      401, 401, 401),
    ("anonymous", "delete activity",      401, 401, 401),
    ("anonymous", "settings",             401, 401, 401),
    ("anonymous", "update settings",      401, 401, 401),
    ("anonymous", "list keys",            401, 401, 401),
    ("anonymous", "key",                  401, 401, 401),
    ("anonymous", "add key",              401, 401, 401),
    ("anonymous", "revoke key",           401, 401, 401),
    ("revoked",   "list partners",        401, 401, 401),
    ("revoked",   "partner",              401, 401, 401),
    ("revoked",   "add partner",          401, 401, 401),
    ("revoked",   "update partner",       401, 401, 401),
    ("revoked",   "list holidays",        401, 401, 401),
    ("revoked",   "holiday",              401, 401, 401),
    ("revoked",   "list equipment",       401, 401, 401),
    ("revoked",   "equipment",            401, 401, 401),
    ("revoked",   "list activities",      401, 401, 401),
    ("revoked",   "activity",             401, 401, 401),
    ("revoked",   "add holiday",          401, 401, 401),
    ("revoked",   "update holiday",       401, 401, 401),
    ("revoked",   "delete holiday",       401, 401, 401),
    ("revoked",   "add equipment",        401, 401, 401),
    ("revoked",   "update equipment",     401, 401, 401),
    ("revoked",   "delete equipment",     401, 401, 401),
    ("revoked",   "add activity",         401, 401, 401),
    ("revoked",   "update activity",      401, 401, 401),
    ("revoked",   "delete activity",      401, 401, 401),
    ("revoked",   "settings",             401, 401, 401),
    ("revoked",   "update settings",      401, 401, 401),
    ("revoked",   "list keys",            401, 401, 401),
    ("revoked",   "key",                  401, 401, 401),
    ("revoked",   "add key",              401, 401, 401),
    ("revoked",   "revoke key",           401, 401, 401),
    ("expired",   "list partners",        401, 401, 401),
    ("expired",   "partner",              401, 401, 401),
    ("expired",   "add partner",          401, 401, 401),
    ("expired",   "update partner",       401, 401, 401),
    ("expired",   "list holidays",        401, 401, 401),
    ("expired",   "holiday",              401, 401, 401),
    ("expired",   "list equipment",       401, 401, 401),
    ("expired",   "equipment",            401, 401, 401),
    ("expired",   "list activities",      401, 401, 401),
    ("expired",   "activity",             401, 401, 401),
    ("expired",   "add holiday",          401, 401, 401),
    ("expired",   "update holiday",       401, 401, 401),
    ("expired",   "delete holiday",       401, 401, 401),
    ("expired",   "add equipment",        401, 401, 401),
    ("expired",   "update equipment",     401, 401, 401),
    ("expired",   "delete equipment",     401, 401, 401),
    ("expired",   "add activity",         401, 401, 401),
    ("expired",   "update activity",      401, 401, 401),
    ("expired",   "delete activity",      401, 401, 401),
    ("expired",   "settings",             401, 401, 401),
    ("expired",   "update settings",      401, 401, 401),
    ("expired",   "list keys",            401, 401, 401),
    ("expired",   "key",                  401, 401, 401),
    ("expired",   "add key",              401, 401, 401),
    ("expired",   "revoke key",           401, 401, 401),
    ("planner",   "list partners",        200, 200, 200),
    ("planner",   "partner",              200, 200, 404),
    ("planner",   "add partner",          201, 201, 201),
    ("planner",   "update partner",       200, 200, 404),
    ("company",   "list partners",        200, 200, 200),
    ("company",   "partner",              200, 404, 404),
    ("company",   "add partner",          403, 403, 403),
    ("company",   "update partner",       200, 404, 404),
    ("school",    "list partners",        200, 200, 200),
    ("school",    "partner",              404, 404, 404),
    ("school",    "add partner",          403, 403, 403),
    ("school",    "update partner",       404, 404, 404),
    ("trainer",   "list partners",        403, 403, 403),
    ("trainer",   "partner",              403, 403, 403),
    ("trainer",   "add partner",          403, 403, 403),
    ("trainer",   "update partner",       403, 403, 403),
    ("planner",   "list holidays",        200, 200, 200),
    ("planner",   "holiday",              200, 200, 404),
    ("planner",   "list equipment",       200, 200, 200),
    ("planner",   "equipment",            200, 200, 404),
    ("planner",   "list activities",      200, 200, 200),
    ("planner",   "activity",             200, 200, 404),
    ("company",   "list holidays",        200, 200, 200),
    ("company",   "holiday",              200, 200, 404),
    ("company",   "list equipment",       200, 200, 200),
    ("company",   "equipment",            200, 200, 404),
    ("company",   "list activities",      200, 200, 200),
    ("company",   "activity",             200, 200, 404),
    ("school",    "list holidays",        200, 200, 200),
    ("school",    "holiday",              200, 200, 404),
    ("school",    "list equipment",       200, 200, 200),
    ("school",    "equipment",            200, 200, 404),
    ("school",    "list activities",      200, 200, 200),
    ("school",    "activity",             200, 200, 404),
    ("trainer",   "list holidays",        200, 200, 200),
    ("trainer",   "holiday",              200, 200, 404),
    ("trainer",   "list equipment",       200, 200, 200),
    ("trainer",   "equipment",            200, 200, 404),
    ("trainer",   "list activities",      200, 200, 200),
    ("trainer",   "activity",             200, 200, 404),
    ("company",   "add holiday",          403, 403, 403),
    ("company",   "update holiday",       403, 403, 403),
    ("company",   "delete holiday",       403, 403, 403),
    ("company",   "add equipment",        403, 403, 403),
    ("company",   "update equipment",     403, 403, 403),
    ("company",   "delete equipment",     403, 403, 403),
    ("company",   "add activity",         403, 403, 403),
    ("company",   "update activity",      403, 403, 403),
    ("company",   "delete activity",      403, 403, 403),
    ("school",    "add holiday",          403, 403, 403),
    ("school",    "update holiday",       403, 403, 403),
    ("school",    "delete holiday",       403, 403, 403),
    ("school",    "add equipment",        403, 403, 403),
    ("school",    "update equipment",     403, 403, 403),
    ("school",    "delete equipment",     403, 403, 403),
    ("school",    "add activity",         403, 403, 403),
    ("school",    "update activity",      403, 403, 403),
    ("school",    "delete activity",      403, 403, 403),
    ("trainer",   "add holiday",          403, 403, 403),
    ("trainer",   "update holiday",       403, 403, 403),
    ("trainer",   "delete holiday",       403, 403, 403),
    ("trainer",   "add equipment",        403, 403, 403),
    ("trainer",   "update equipment",     403, 403, 403),
    ("trainer",   "delete equipment",     403, 403, 403),
    ("trainer",   "add activity",         403, 403, 403),
    ("trainer",   "update activity",      403, 403, 403),
    ("trainer",   "delete activity",      403, 403, 403),
    ("planner",   "add holiday",          201, 201, 201),
    ("planner",   "update holiday",       200, 200, 404),
    ("planner",   "add equipment",        201, 201, 201),
    ("planner",   "update equipment",     200, 200, 404),
    ("planner",   "delete equipment",     409, 409, 404),
    ("planner",   "add activity",         201, 201, 201),
    ("planner",   "update activity",      200, 200, 404),
    ("planner",   "delete activity",      409, 409, 404),
    ("planner",   "settings",             200, 200, 200),
    ("company",   "settings",             200, 200, 200),
    ("school",    "settings",             200, 200, 200),
    ("trainer",   "settings",             200, 200, 200),
    ("planner",   "update settings",      200, 200, 200),
    ("company",   "update settings",      403, 403, 403),
    ("school",    "update settings",      403, 403, 403),
    ("trainer",   "update settings",      403, 403, 403),
    ("planner",   "list keys",            200, 200, 200),
    ("planner",   "key",                  200, 200, 404),
    ("planner",   "add key",              201, 201, 201),
    ("company",   "list keys",            403, 403, 403),
    ("company",   "key",                  403, 403, 403),
    ("company",   "add key",              403, 403, 403),
    ("company",   "revoke key",           403, 403, 403),
    ("school",    "list keys",            403, 403, 403),
    ("school",    "key",                  403, 403, 403),
    ("school",    "add key",              403, 403, 403),
    ("school",    "revoke key",           403, 403, 403),
    ("trainer",   "list keys",            403, 403, 403),
    ("trainer",   "key",                  403, 403, 403),
    ("trainer",   "add key",              403, 403, 403),
    ("trainer",   "revoke key",           403, 403, 403),
    ("planner",   "revoke key",           200, 409, 404),
    ("planner",   "delete holiday",       204, 204, 404),
    # --- groups: the periods a group cannot come
    ("anonymous", "unavailable",          401, 401, 401),
    ("anonymous", "add unavailable",      401, 401, 401),
    ("anonymous", "remove unavailable",   401, 401, 401),
    ("revoked",   "add unavailable",      401, 401, 401),
    ("expired",   "remove unavailable",   401, 401, 401),
    ("planner",   "unavailable",          200, 200, 404),
    ("planner",   "add unavailable",      201, 201, 404),
    ("planner",   "remove unavailable",   204, 204, 404),
    ("company",   "unavailable",          403, 403, 403),
    ("company",   "add unavailable",      403, 403, 403),
    ("company",   "remove unavailable",   403, 403, 403),
    ("school",    "unavailable",          200, 404, 404),
    ("school",    "add unavailable",      201, 404, 404),
    ("school",    "remove unavailable",   204, 404, 404),
    ("trainer",   "unavailable",          403, 403, 403),
    ("trainer",   "add unavailable",      403, 403, 403),
    ("trainer",   "remove unavailable",   403, 403, 403),
    # --- trainers: deleting or changing one child row (each cell gets fresh targets)
    ("anonymous", "delete trainer",       401, 401, 401),
    ("anonymous", "delete absence",       401, 401, 401),
    ("anonymous", "change weekly window", 401, 401, 401),
    ("anonymous", "delete weekly window", 401, 401, 401),
    ("planner",   "delete trainer",       204, 204, 404),
    ("planner",   "delete absence",       204, 204, 404),
    ("planner",   "change weekly window", 200, 200, 404),
    ("planner",   "delete weekly window", 204, 204, 404),
    ("company",   "delete trainer",       204, 404, 404),
    ("company",   "delete absence",       204, 404, 404),
    ("company",   "change weekly window", 200, 404, 404),
    ("company",   "delete weekly window", 204, 404, 404),
    ("school",    "delete trainer",       403, 403, 403),
    ("school",    "delete absence",       403, 403, 403),
    ("school",    "change weekly window", 403, 403, 403),
    ("school",    "delete weekly window", 403, 403, 403),
    ("trainer",   "delete trainer",       403, 403, 403),
    ("trainer",   "delete absence",       204, 404, 404),
    ("trainer",   "change weekly window", 200, 404, 404),
    ("trainer",   "delete weekly window", 204, 404, 404),
    # --- a location's slots, bookings and re-planning marks
    ("anonymous", "set equipment",        401, 401, 401),
    ("anonymous", "remove equipment",     401, 401, 401),
    ("anonymous", "add weekly",           401, 401, 401),
    ("anonymous", "change weekly",        401, 401, 401),
    ("anonymous", "remove weekly",        401, 401, 401),
    ("anonymous", "change one-off",       401, 401, 401),
    ("anonymous", "remove one-off",       401, 401, 401),
    ("anonymous", "add closure",          401, 401, 401),
    ("anonymous", "change closure",       401, 401, 401),
    ("anonymous", "remove closure",       401, 401, 401),
    ("anonymous", "bookings",             401, 401, 401),
    ("anonymous", "replan marks",         401, 401, 401),
    ("revoked",   "add closure",          401, 401, 401),
    ("expired",   "remove weekly",        401, 401, 401),
    ("planner",   "set equipment",        200, 200, 404),
    ("planner",   "remove equipment",     204, 204, 404),
    ("planner",   "add weekly",           201, 201, 404),
    ("planner",   "change weekly",        200, 200, 404),
    ("planner",   "remove weekly",        204, 204, 404),
    ("planner",   "change one-off",       200, 200, 404),
    ("planner",   "remove one-off",       204, 204, 404),
    ("planner",   "add closure",          201, 201, 404),
    ("planner",   "change closure",       200, 200, 404),
    ("planner",   "remove closure",       204, 204, 404),
    ("planner",   "bookings",             200, 200, 404),
    ("planner",   "replan marks",         200, 200, 200),
    ("company",   "set equipment",        200, 404, 404),
    ("company",   "remove equipment",     204, 404, 404),
    ("company",   "add weekly",           201, 404, 404),
    ("company",   "change weekly",        200, 404, 404),
    ("company",   "remove weekly",        204, 404, 404),
    ("company",   "change one-off",       200, 404, 404),
    ("company",   "remove one-off",       204, 404, 404),
    ("company",   "add closure",          201, 404, 404),
    ("company",   "change closure",       200, 404, 404),
    ("company",   "remove closure",       204, 404, 404),
    ("company",   "bookings",             200, 404, 404),
    ("company",   "replan marks",         200, 200, 200),
    ("school",    "set equipment",        403, 403, 403),
    ("school",    "remove equipment",     403, 403, 403),
    ("school",    "add weekly",           403, 403, 403),
    ("school",    "change weekly",        403, 403, 403),
    ("school",    "remove weekly",        403, 403, 403),
    ("school",    "change one-off",       403, 403, 403),
    ("school",    "remove one-off",       403, 403, 403),
    ("school",    "add closure",          403, 403, 403),
    ("school",    "change closure",       403, 403, 403),
    ("school",    "remove closure",       403, 403, 403),
    ("school",    "bookings",             403, 403, 403),
    ("school",    "replan marks",         403, 403, 403),
    ("trainer",   "set equipment",        403, 403, 403),
    ("trainer",   "remove equipment",     403, 403, 403),
    ("trainer",   "add weekly",           403, 403, 403),
    ("trainer",   "change weekly",        403, 403, 403),
    ("trainer",   "remove weekly",        403, 403, 403),
    ("trainer",   "change one-off",       403, 403, 403),
    ("trainer",   "remove one-off",       403, 403, 403),
    ("trainer",   "add closure",          403, 403, 403),
    ("trainer",   "change closure",       403, 403, 403),
    ("trainer",   "remove closure",       403, 403, 403),
    ("trainer",   "bookings",             403, 403, 403),
    ("trainer",   "replan marks",         403, 403, 403),
    # --- groups and requests
    ("anonymous", "list groups",          401, 401, 401),
    ("anonymous", "group",                401, 401, 401),
    ("anonymous", "create group",         401, 401, 401),
    ("anonymous", "update group",         401, 401, 401),
    ("anonymous", "add window",           401, 401, 401),
    ("anonymous", "update window",        401, 401, 401),
    ("anonymous", "delete window",        401, 401, 401),
    ("anonymous", "list requests",        401, 401, 401),
    ("anonymous", "request",              401, 401, 401),
    ("anonymous", "submit request",       401, 401, 401),
    ("anonymous", "update request",       401, 401, 401),
    ("anonymous", "withdraw",             401, 401, 401),
    ("anonymous", "accept",               401, 401, 401),
    ("anonymous", "decline",              401, 401, 401),
    ("revoked",   "submit request",       401, 401, 401),
    ("expired",   "withdraw",             401, 401, 401),
    ("planner",   "list groups",          200, 200, 200),
    ("planner",   "group",                200, 200, 404),
    ("planner",   "create group",         201, 201, 422),
    ("planner",   "update group",         200, 200, 404),
    ("planner",   "add window",           201, 201, 404),
    ("planner",   "update window",        200, 200, 404),
    ("planner",   "delete window",        204, 204, 404),
    ("planner",   "list requests",        200, 200, 200),
    ("planner",   "request",              200, 200, 404),
    ("planner",   "submit request",       201, 201, 422),
    ("planner",   "update request",       200, 200, 404),
    ("planner",   "withdraw",             200, 200, 404),
    ("planner",   "accept",               200, 200, 404),
    ("planner",   "decline",              200, 200, 404),
    ("company",   "list groups",          403, 403, 403),
    ("company",   "group",                403, 403, 403),
    ("company",   "create group",         403, 403, 403),
    ("company",   "update group",         403, 403, 403),
    ("company",   "add window",           403, 403, 403),
    ("company",   "update window",        403, 403, 403),
    ("company",   "delete window",        403, 403, 403),
    ("company",   "list requests",        403, 403, 403),
    ("company",   "request",              403, 403, 403),
    ("company",   "submit request",       403, 403, 403),
    ("company",   "update request",       403, 403, 403),
    ("company",   "withdraw",             403, 403, 403),
    ("company",   "accept",               403, 403, 403),
    ("company",   "decline",              403, 403, 403),
    ("school",    "list groups",          200, 200, 200),
    ("school",    "group",                200, 404, 404),
    ("school",    "create group",         201, 422, 422),
    ("school",    "update group",         200, 404, 404),
    ("school",    "add window",           201, 404, 404),
    ("school",    "update window",        200, 404, 404),
    ("school",    "delete window",        204, 404, 404),
    ("school",    "list requests",        200, 200, 200),
    ("school",    "request",              200, 404, 404),
    ("school",    "submit request",       201, 422, 422),
    ("school",    "update request",       200, 404, 404),
    ("school",    "withdraw",             200, 404, 404),
    ("school",    "accept",               403, 404, 404),
    ("school",    "decline",              403, 404, 404),
    ("trainer",   "list groups",          403, 403, 403),
    ("trainer",   "group",                403, 403, 403),
    ("trainer",   "create group",         403, 403, 403),
    ("trainer",   "update group",         403, 403, 403),
    ("trainer",   "add window",           403, 403, 403),
    ("trainer",   "update window",        403, 403, 403),
    ("trainer",   "delete window",        403, 403, 403),
    ("trainer",   "list requests",        403, 403, 403),
    ("trainer",   "request",              403, 403, 403),
    ("trainer",   "submit request",       403, 403, 403),
    ("trainer",   "update request",       403, 403, 403),
    ("trainer",   "withdraw",             403, 403, 403),
    ("trainer",   "accept",               403, 403, 403),
    ("trainer",   "decline",              403, 403, 403),
    # --- solve runs (api/routes/v1/solves.py; planners only, read-only)
    ("anonymous", "list solves",        401, 401, 401),
    ("anonymous", "solve",              401, 401, 401),
    ("anonymous", "solve sessions",     401, 401, 401),
    ("revoked",   "list solves",        401, 401, 401),
    ("revoked",   "solve",              401, 401, 401),
    ("revoked",   "solve sessions",     401, 401, 401),
    ("expired",   "list solves",        401, 401, 401),
    ("expired",   "solve",              401, 401, 401),
    ("expired",   "solve sessions",     401, 401, 401),
    ("planner",   "list solves",        200, 200, 200),
    ("planner",   "solve",              200, 200, 404),
    ("planner",   "solve sessions",     200, 200, 404),
    ("company",   "list solves",        403, 403, 403),
    ("company",   "solve",              403, 403, 403),
    ("company",   "solve sessions",     403, 403, 403),
    ("school",    "list solves",        403, 403, 403),
    ("school",    "solve",              403, 403, 403),
    ("school",    "solve sessions",     403, 403, 403),
    ("trainer",   "list solves",        403, 403, 403),
    ("trainer",   "solve",              403, 403, 403),
    ("trainer",   "solve sessions",     403, 403, 403),
    # --- background solves (api/routes/v1/solve_jobs.py; planners only)
    ("anonymous", "start solve",      401, 401, 401),
    ("anonymous", "cancel solve",     401, 401, 401),
    ("anonymous", "solve events",     401, 401, 401),
    ("revoked",   "start solve",      401, 401, 401),
    ("revoked",   "cancel solve",     401, 401, 401),
    ("revoked",   "solve events",     401, 401, 401),
    ("expired",   "start solve",      401, 401, 401),
    ("expired",   "cancel solve",     401, 401, 401),
    ("expired",   "solve events",     401, 401, 401),
    ("planner",   "start solve",      202, 202, 422),
    ("planner",   "cancel solve",     202, 409, 404),
    ("planner",   "solve events",     200, 200, 404),
    ("company",   "start solve",      403, 403, 403),
    ("company",   "cancel solve",     403, 403, 403),
    ("company",   "solve events",     403, 403, 403),
    ("school",    "start solve",      403, 403, 403),
    ("school",    "cancel solve",     403, 403, 403),
    ("school",    "solve events",     403, 403, 403),
    ("trainer",   "start solve",      403, 403, 403),
    ("trainer",   "cancel solve",     403, 403, 403),
    ("trainer",   "solve events",     403, 403, 403),
    # --- change notices (api/routes/v1/changes.py; every key reads its own)
    ("anonymous", "list changes",       401, 401, 401),
    ("revoked",   "list changes",       401, 401, 401),
    ("expired",   "list changes",       401, 401, 401),
    ("planner",   "list changes",       200, 200, 422),
    ("company",   "list changes",       200, 200, 422),
    ("school",    "list changes",       200, 200, 422),
    ("trainer",   "list changes",       200, 200, 422),
    # --- pins, moves and change requests (api/routes/v1/sessions.py, change_requests.py)
    ("anonymous", "pin session",          401, 401, 401),
    ("anonymous", "unpin session",        401, 401, 401),
    ("anonymous", "move session",         401, 401, 401),
    ("anonymous", "ask change",           401, 401, 401),
    ("anonymous", "list change requests", 401, 401, 401),
    ("anonymous", "change request",       401, 401, 401),
    ("anonymous", "decide change",        401, 401, 401),
    ("revoked",   "pin session",          401, 401, 401),
    ("revoked",   "unpin session",        401, 401, 401),
    ("revoked",   "move session",         401, 401, 401),
    ("revoked",   "ask change",           401, 401, 401),
    ("revoked",   "list change requests", 401, 401, 401),
    ("revoked",   "change request",       401, 401, 401),
    ("revoked",   "decide change",        401, 401, 401),
    ("expired",   "pin session",          401, 401, 401),
    ("expired",   "unpin session",        401, 401, 401),
    ("expired",   "move session",         401, 401, 401),
    ("expired",   "ask change",           401, 401, 401),
    ("expired",   "list change requests", 401, 401, 401),
    ("expired",   "change request",       401, 401, 401),
    ("expired",   "decide change",        401, 401, 401),
    ("planner",   "pin session",          200, 200, 404),
    ("planner",   "unpin session",        204, 204, 404),
    ("planner",   "move session",         201, 409, 404),
    ("planner",   "ask change",           201, 201, 404),
    ("planner",   "list change requests", 200, 200, 200),
    ("planner",   "change request",       200, 200, 404),
    ("planner",   "decide change",        200, 200, 404),
    ("company",   "pin session",          403, 403, 403),
    ("company",   "unpin session",        403, 403, 403),
    ("company",   "move session",         403, 403, 403),
    ("company",   "ask change",           201, 404, 404),
    ("company",   "list change requests", 200, 200, 200),
    ("company",   "change request",       200, 404, 404),
    ("company",   "decide change",        403, 403, 403),
    ("school",    "pin session",          403, 403, 403),
    ("school",    "unpin session",        403, 403, 403),
    ("school",    "move session",         403, 403, 403),
    ("school",    "ask change",           201, 404, 404),
    ("school",    "list change requests", 200, 200, 200),
    ("school",    "change request",       200, 404, 404),
    ("school",    "decide change",        403, 403, 403),
    ("trainer",   "pin session",          403, 403, 403),
    ("trainer",   "unpin session",        403, 403, 403),
    ("trainer",   "move session",         403, 403, 403),
    ("trainer",   "ask change",           201, 404, 404),
    ("trainer",   "list change requests", 200, 200, 200),
    ("trainer",   "change request",       200, 404, 404),
    ("trainer",   "decide change",        403, 403, 403),
    # --- review and publishing (api/routes/v1/publishing.py; planners only)
    ("anonymous", "solve diff",         401, 401, 401),
    ("anonymous", "solve staleness",    401, 401, 401),
    ("anonymous", "publish solve",      401, 401, 401),
    ("anonymous", "list publications",  401, 401, 401),
    ("revoked",   "solve diff",         401, 401, 401),
    ("revoked",   "solve staleness",    401, 401, 401),
    ("revoked",   "publish solve",      401, 401, 401),
    ("revoked",   "list publications",  401, 401, 401),
    ("expired",   "solve diff",         401, 401, 401),
    ("expired",   "solve staleness",    401, 401, 401),
    ("expired",   "publish solve",      401, 401, 401),
    ("expired",   "list publications",  401, 401, 401),
    ("planner",   "solve diff",         200, 200, 404),
    ("planner",   "solve staleness",    200, 200, 404),
    ("planner",   "publish solve",      200, 200, 404),
    ("planner",   "list publications",  200, 200, 200),
    ("company",   "solve diff",         403, 403, 403),
    ("company",   "solve staleness",    403, 403, 403),
    ("company",   "publish solve",      403, 403, 403),
    ("company",   "list publications",  403, 403, 403),
    ("school",    "solve diff",         403, 403, 403),
    ("school",    "solve staleness",    403, 403, 403),
    ("school",    "publish solve",      403, 403, 403),
    ("school",    "list publications",  403, 403, 403),
    ("trainer",   "solve diff",         403, 403, 403),
    ("trainer",   "solve staleness",    403, 403, 403),
    ("trainer",   "publish solve",      403, 403, 403),
    ("trainer",   "list publications",  403, 403, 403),
    # --- attendance and the yearly report (api/routes/v1/attendance.py, report.py)
    ("anonymous", "attendance",         401, 401, 401),
    ("anonymous", "mark attendance",    401, 401, 401),
    ("anonymous", "year report",        401, 401, 401),
    ("revoked",   "mark attendance",    401, 401, 401),
    ("revoked",   "year report",        401, 401, 401),
    ("expired",   "mark attendance",    401, 401, 401),
    ("expired",   "year report",        401, 401, 401),
    ("planner",   "attendance",         200, 200, 404),
    ("planner",   "mark attendance",    201, 201, 404),
    ("planner",   "year report",        200, 200, 200),
    ("company",   "attendance",         403, 403, 403),
    ("company",   "mark attendance",    403, 403, 403),
    ("company",   "year report",        403, 403, 403),
    ("school",    "attendance",         403, 403, 403),
    ("school",    "mark attendance",    403, 403, 403),
    ("school",    "year report",        403, 403, 403),
    ("trainer",   "attendance",         200, 404, 404),
    ("trainer",   "mark attendance",    201, 404, 404),
    ("trainer",   "year report",        403, 403, 403),
]
# fmt: on

# What each key must never read: other partners' names, keys, addresses and contacts.
ELEKTRO_NOORD = ["elektro-noord", "Elektro Noord", "E-lab Noord", "Johan van Hasseltweg"]
WARMTE_WEST = ["warmte-west", "Warmte West", "Praktijkhal", "Contactweg", "Sanne de Wit"]
FOREIGN = {
    "company": ELEKTRO_NOORD,
    "school": ELEKTRO_NOORD + WARMTE_WEST,
    "trainer": [*ELEKTRO_NOORD, "Praktijkhal", "Contactweg", "Ahmed"],
    "anonymous": ELEKTRO_NOORD + WARMTE_WEST,
    "revoked": ELEKTRO_NOORD + WARMTE_WEST,
    "expired": ELEKTRO_NOORD + WARMTE_WEST,
}


def rows_for(endpoints: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of MATRIX that one runner checks: those of its endpoints, in table order."""
    return [row for row in MATRIX if row[1] in endpoints]


def test_every_row_of_the_matrix_has_a_runner_and_every_endpoint_rows() -> None:
    runners = [
        ENDPOINTS, GROUP_ENDPOINTS, TRAINER_DELETES, SLOT_ENDPOINTS, ENDPOINTS2, SOLVE_ENDPOINTS,
        SOLVE_JOB_ENDPOINTS,
        CHANGES_ENDPOINTS,
        CHANGE_ENDPOINTS,
        REVIEW_ENDPOINTS,
        ATTENDANCE_ENDPOINTS,
    ]  # fmt: skip
    named = [name for runner in runners for name in runner]
    assert len(named) == len(set(named))  # an endpoint belongs to one runner
    assert {endpoint for _, endpoint, *_ in MATRIX} == set(named)
    keys = {"anonymous", "revoked", "expired", "planner", "company", "school", "trainer"}
    assert {who for who, *_ in MATRIX} <= keys


def test_every_key_gets_exactly_its_status_on_every_endpoint(api: Api) -> None:
    assert {endpoint for _, endpoint, *_ in rows_for(ENDPOINTS)} == set(ENDPOINTS)
    failures = []
    day = date(2027, 5, 3)
    for who, endpoint, *statuses in rows_for(ENDPOINTS):
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


# --- groups: the periods a group cannot come (api/routes/v1/groups.py) ---------------------
# "own" is vz-3bb-a (of vmbo-zuidoost, the school key's partner); "other" is mw-2a of
# mbo-west, a second school loaded from tests/data/second-school.yaml; "missing" does not
# exist. DELETE removes a period the planner key has just added to that group.

GROUP_TARGETS = {"own": "vz-3bb-a", "other": "mw-2a", "missing": "no-such-group"}
GROUP_ENDPOINTS = {
    "unavailable": ("GET", "/api/v1/groups/{group}/unavailable"),
    "add unavailable": ("POST", "/api/v1/groups/{group}/unavailable"),
    "remove unavailable": ("DELETE", "/api/v1/groups/{group}/unavailable/{period}"),
}


# What a school key must never read of another school: its name, address, groups' names, notes.
MBO_WEST = ["Mbo West", "Slotermeer", "2 Installateur A", "BPV bij Dekker"]


def test_every_key_gets_exactly_its_status_on_every_group_endpoint(api: Api) -> None:
    from models.db import session_scope
    from models.store import load_files
    from tests.conftest import DATA

    with session_scope(api.engine) as session:
        load_files(session, [DATA / "second-school.yaml"])
    assert {endpoint for _, endpoint, *_ in rows_for(GROUP_ENDPOINTS)} == set(GROUP_ENDPOINTS)
    failures = []
    body = {"first": "2027-06-07", "last": "2027-06-11", "reason": "exam"}
    for who, endpoint, *statuses in rows_for(GROUP_ENDPOINTS):
        method, template = GROUP_ENDPOINTS[endpoint]
        for (target, group), expected in zip(GROUP_TARGETS.items(), statuses, strict=True):
            period = 1
            if method == "DELETE" and target != "missing":
                made = api.client.post(
                    f"/api/v1/groups/{group}/unavailable", headers=api.headers("planner"), json=body
                )
                assert made.status_code == 201, made.text
                period = made.json()["id"]
            response = api.client.request(
                method,
                template.format(group=group, period=period),
                headers=api.headers(who),
                json=body if method == "POST" else None,
            )
            where = f"{who} {method} {template} ({target})"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            foreign = MBO_WEST if who != "planner" else []
            leaked = [text for text in foreign if text in response.text]
            if leaked:
                failures.append(f"{where}: the answer shows {leaked}")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
    assert failures == []


# --- trainers: the endpoints that delete or change one child row --------------------------
# Each cell gets fresh targets, made by the planner just before it (a delete that succeeds
# would otherwise leave the next row nothing to delete): "own" is a new trainer of
# warmte-west (delete trainer) or a new row of t-sanne, "other" the same for elektro-noord /
# t-ahmed, "missing" a trainer that does not exist.
Setup = Callable[[Api, str, date], str]


def _fresh_trainer(api: Api, target: str, day: date) -> str:
    if target == "missing":
        return "/api/v1/trainers/no-such-trainer"
    partner = "warmte-west" if target == "own" else "elektro-noord"
    body = {"key": f"t-del-{target}-{day:%Y%m%d}", "name": "Tijdelijk", "partner": partner}
    made = api.client.post("/api/v1/trainers", headers=api.headers("planner"), json=body)
    assert made.status_code == 201, made.text
    return f"/api/v1/trainers/{body['key']}"


def _fresh_child(kind: str) -> Setup:
    def setup(api: Api, target: str, day: date) -> str:
        key = TARGETS["trainer"][target]
        if target == "missing":
            return f"/api/v1/trainers/{key}/{kind}/1"
        if kind == "absences":
            made = api.client.post(
                f"/api/v1/trainers/{key}/absences",
                headers=api.headers("planner"),
                json=_absence(day),
            )
        else:
            made = api.client.post(
                f"/api/v1/trainers/{key}/availability/weekly",
                headers=api.headers("planner"),
                json=_weekly(day),
            )
        assert made.status_code == 201, made.text
        return f"/api/v1/trainers/{key}/{kind}/{made.json()['id']}"

    return setup


# name -> method, setup (makes the target, returns its path), body
TRAINER_DELETES: dict[str, tuple[str, Setup, dict[str, Any] | None]] = {
    "delete trainer": ("DELETE", _fresh_trainer, None),
    "delete absence": ("DELETE", _fresh_child("absences"), None),
    "change weekly window": ("PATCH", _fresh_child("availability/weekly"), {"end": "19:30"}),
    "delete weekly window": ("DELETE", _fresh_child("availability/weekly"), None),
}



def test_every_key_gets_exactly_its_status_on_every_trainer_delete(api: Api) -> None:
    assert {endpoint for _, endpoint, *_ in rows_for(TRAINER_DELETES)} == set(TRAINER_DELETES)
    failures = []
    day = date(2027, 9, 6)
    for who, endpoint, *statuses in rows_for(TRAINER_DELETES):
        method, setup, body = TRAINER_DELETES[endpoint]
        for target, expected in zip(TARGETS["trainer"], statuses, strict=True):
            day += timedelta(days=1)
            path = setup(api, target, day)
            headers = {**api.headers(who), "If-Match": "*"}
            response = api.client.request(method, path, headers=headers, json=body)
            where = f"{who} {method} {path} ({target})"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            leaked = [text for text in FOREIGN.get(who, []) if text in response.text]
            if leaked:
                failures.append(f"{where}: the answer shows {leaked}")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
    assert failures == []


# --- a location's slots, bookings and re-planning marks (api/routes/v1/location_slots.py,
# replan_marks.py). Same columns as MATRIX (TARGETS["loc"]). A change of one window or
# closure names one the planner key has just made at that location ({id}; 1 for the missing
# location); an equipment change names an entry the planner key has just set.


def _location_weekly(day: date) -> dict[str, Any]:
    """A weekly window valid on ``day`` only: every row its own, never an overlap."""
    return {"weekday": day.isoweekday(), "start": "06:00", "end": "07:00",
            "valid_from": str(day), "valid_to": str(day)}  # fmt: skip


SLOT_ENDPOINTS: dict[str, tuple[str, str, Body]] = {
    "set equipment": ("PUT", "/api/v1/locations/{loc}/equipment/bim-station",
                      lambda day: {"quantity": 2}),
    "remove equipment": ("DELETE", "/api/v1/locations/{loc}/equipment/bim-station", None),
    "add weekly": ("POST", "/api/v1/locations/{loc}/availability/weekly", _location_weekly),
    "change weekly": ("PATCH", "/api/v1/locations/{loc}/availability/weekly/{id}",
                      lambda day: {"start": "05:00"}),
    "remove weekly": ("DELETE", "/api/v1/locations/{loc}/availability/weekly/{id}", None),
    "change one-off": ("PATCH", "/api/v1/locations/{loc}/availability/one-off/{id}",
                       lambda day: {"start": "05:00"}),
    "remove one-off": ("DELETE", "/api/v1/locations/{loc}/availability/one-off/{id}", None),
    "add closure": ("POST", "/api/v1/locations/{loc}/closures",
                    lambda day: {"first": str(day), "last": str(day), "reason": "Verbouwing"}),
    "change closure": ("PATCH", "/api/v1/locations/{loc}/closures/{id}",
                       lambda day: {"reason": "Onderhoud"}),
    "remove closure": ("DELETE", "/api/v1/locations/{loc}/closures/{id}", None),
    "bookings": ("GET", "/api/v1/locations/{loc}/bookings", None),
    "replan marks": ("GET", "/api/v1/replan-marks", None),
}  # fmt: skip
# What the planner key makes first: the entity the endpoint changes (path under the location).
SLOT_SETUP: dict[str, tuple[str, str, Body]] = {
    "set equipment": ("PUT", "/equipment/bim-station", lambda day: {"quantity": 1}),
    "remove equipment": ("PUT", "/equipment/bim-station", lambda day: {"quantity": 1}),
    "change weekly": ("POST", "/availability/weekly", _location_weekly),
    "remove weekly": ("POST", "/availability/weekly", _location_weekly),
    "change one-off": ("POST", "/availability/one-off", _one_off),
    "remove one-off": ("POST", "/availability/one-off", _one_off),
    "change closure": ("POST", "/closures", lambda day: {"first": str(day), "last": str(day)}),
    "remove closure": ("POST", "/closures", lambda day: {"first": str(day), "last": str(day)}),
}  # fmt: skip



def test_every_key_gets_exactly_its_status_on_every_slot_endpoint(api: Api) -> None:
    assert {endpoint for _, endpoint, *_ in rows_for(SLOT_ENDPOINTS)} == set(SLOT_ENDPOINTS)
    planner = api.headers("planner") | {"If-Match": "*"}
    failures = []
    day = date(2028, 1, 3)
    for who, endpoint, *statuses in rows_for(SLOT_ENDPOINTS):
        method, template, body = SLOT_ENDPOINTS[endpoint]
        for (target, loc), expected in zip(TARGETS["loc"].items(), statuses, strict=True):
            day += timedelta(days=1)  # every change its own day: no 409 from an earlier row
            row_id = 1
            if endpoint in SLOT_SETUP and target != "missing":
                setup_method, under, setup_body = SLOT_SETUP[endpoint]
                made = api.client.request(
                    setup_method, f"/api/v1/locations/{loc}{under}", headers=planner,
                    json=setup_body(day) if setup_body else None,
                )  # fmt: skip
                assert made.status_code in (200, 201), made.text
                row_id = made.json().get("id", 1)
            headers = api.headers(who)
            if method in ("PATCH", "PUT", "DELETE"):
                headers["If-Match"] = "*"
            response = api.client.request(
                method,
                template.format(loc=loc, id=row_id),
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
    assert {endpoint for _, endpoint, *_ in rows_for(ENDPOINTS2)} == set(ENDPOINTS2)
    failures = []
    day = date(2027, 5, 3)
    for who, endpoint, *statuses in rows_for(ENDPOINTS2):
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


# --- solve runs (api/routes/v1/solves.py): read-only, planners only -----------------------
# "own" and "other" are two runs written by hand (run 2 published, run 1 not); "missing" is
# a run id that does not exist. Every other role gets 403 whatever it names.

TARGETS["run"] = {"own": "1", "other": "2", "missing": "999"}
SOLVE_ENDPOINTS = {
    "list solves": "/api/v1/solves",
    "solve": "/api/v1/solves/{run}",
    "solve sessions": "/api/v1/solves/{run}/sessions?week=2027-W13",
}


def test_every_key_gets_exactly_its_status_on_every_solve_endpoint(api: Api) -> None:
    from datetime import UTC, datetime

    from models.db import session_scope
    from models.publish import publish
    from tests.feeds.factory import Planned, make_run

    one = (Planned("r-ws-1", 1, "ww-hal", datetime(2027, 3, 30, 13), datetime(2027, 3, 30, 16),
                   ("t-sanne",)),)  # fmt: skip
    with session_scope(api.engine) as session:
        make_run(session, one)
        publish(session, make_run(session, one), now=datetime(2027, 1, 10, 9, tzinfo=UTC))
    assert {endpoint for _, endpoint, *_ in rows_for(SOLVE_ENDPOINTS)} == set(SOLVE_ENDPOINTS)
    failures = []
    for who, endpoint, *statuses in rows_for(SOLVE_ENDPOINTS):
        template = SOLVE_ENDPOINTS[endpoint]
        for (target, entity), expected in zip(TARGETS["run"].items(), statuses, strict=True):
            response = api.client.get(template.format(run=entity), headers=api.headers(who))
            where = f"{who} GET {template} ({target})"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            if who != "planner" and ("r-ws-1" in response.text or "ww-hal" in response.text):
                failures.append(f"{where}: the answer shows the run's sessions")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
    assert failures == [], "\n".join(failures)


# --- background solves (api/routes/v1/solve_jobs.py): planners only ----------------------
# The runner holds every run queued (no process starts). POST: own and other are two free
# horizons, missing a week that does not exist (422). DELETE: own a fresh queued run, other a
# run that ended (409), missing 999. Events: own and other two ended runs (a stream of just
# their summary), missing 999. Every other role gets 403 and changes nothing.

SOLVE_JOB_ENDPOINTS = {
    "start solve": ("POST", "/api/v1/solves"),
    "cancel solve": ("DELETE", "/api/v1/solves/{run}"),
    "solve events": ("GET", "/api/v1/solves/{run}/events"),
}


def test_every_key_gets_exactly_its_status_on_every_background_solve_endpoint(api: Api) -> None:
    from datetime import datetime

    from fastapi.testclient import TestClient

    from api.app import create_app
    from models import entities as e
    from models.bridge import Horizon
    from models.db import session_scope
    from models.planning import start_run
    from scheduler import SolveOptions
    from tests.feeds.factory import Planned, make_run
    from tests.http.conftest import NOW
    from tests.http.solve_jobs_helpers import HeldRunner

    one = (Planned("r-ws-1", 1, "ww-hal", datetime(2027, 3, 30, 13), datetime(2027, 3, 30, 16),
                   ("t-sanne",)),)  # fmt: skip
    with session_scope(api.engine) as session:
        make_run(session, one)
        make_run(session, one)
    assert {endpoint for _, endpoint, *_ in rows_for(SOLVE_JOB_ENDPOINTS)} == set(
        SOLVE_JOB_ENDPOINTS
    )
    week = iter(range(20, 53))
    failures = []
    app = create_app(engine=api.engine, clock=lambda: NOW, runner=HeldRunner())
    with TestClient(app) as client:
        for who, endpoint, *statuses in rows_for(SOLVE_JOB_ENDPOINTS):
            method, template = SOLVE_JOB_ENDPOINTS[endpoint]
            for target, expected in zip(("own", "other", "missing"), statuses, strict=True):
                body = None
                queued = None
                if endpoint == "start solve":
                    body = {"weeks": "2027-W54" if target == "missing" else f"2027-W{next(week)}"}
                    path = template
                elif endpoint == "cancel solve" and target == "own":
                    horizon = Horizon.parse(f"2028-W{next(week)}")
                    queued = start_run(api.engine, horizon, SolveOptions(), status="queued")
                    path = template.format(run=queued)
                else:
                    path = template.format(run={"own": 1, "other": 2, "missing": 999}[target])
                response = client.request(method, path, headers=api.headers(who), json=body)
                where = f"{who} {method} {template} ({target})"
                if response.status_code != expected:
                    failures.append(f"{where}: {response.status_code}, expected {expected}")
                if response.status_code >= 400:
                    assert response.headers["content-type"] == "application/problem+json", where
                if queued is not None and who != "planner":
                    with session_scope(api.engine) as session:
                        if session.get_one(e.SolveRun, queued).status != "queued":
                            failures.append(f"{where}: the run was cancelled")
                        session.get_one(e.SolveRun, queued).status = "failed"  # free its week
# --- change notices (api/routes/v1/changes.py): every key reads its own -------------------
# The list names no entity: "own" is the key's own notices, "other" asks for another party's
# (elektro-noord: only the planner may read them, the others get an empty page), "missing" a
# moment that does not exist (422 for every key that may read).

TARGETS["changes"] = {"own": "", "other": "?party=elektro-noord", "missing": "?since=gisteren"}
CHANGES_ENDPOINTS = {"list changes": "/api/v1/changes{changes}"}
OWN_PARTY = {"company": "warmte-west", "school": "vmbo-zuidoost", "trainer": "t-sanne"}


def test_every_key_gets_exactly_its_status_on_every_changes_endpoint(api: Api) -> None:
    from datetime import UTC, datetime

    from models.db import session_scope
    from models.notices import notices_for_publication
    from models.publish import publish
    from tests.feeds.factory import Planned, make_run

    # a session of every party: ww-hal and t-sanne (warmte-west), en-lab and t-ahmed
    # (elektro-noord), the groups of vmbo-zuidoost
    plan = (Planned("r-ws-1", 1, "ww-hal", datetime(2027, 3, 30, 13), datetime(2027, 3, 30, 16),
                    ("t-sanne",)),
            Planned("r-sc-1", 1, "en-lab", datetime(2027, 3, 29, 8, 30),
                    datetime(2027, 3, 29, 12, 30), ("t-ahmed",)))  # fmt: skip
    with session_scope(api.engine) as session:
        result = publish(session, make_run(session, plan), now=datetime(2027, 1, 10, 9, tzinfo=UTC))
        assert len(notices_for_publication(session, result)) == 5
    assert {endpoint for _, endpoint, *_ in rows_for(CHANGES_ENDPOINTS)} == set(CHANGES_ENDPOINTS)
    failures = []
    for who, endpoint, *statuses in rows_for(CHANGES_ENDPOINTS):
        template = CHANGES_ENDPOINTS[endpoint]
        for (target, query), expected in zip(TARGETS["changes"].items(), statuses, strict=True):
            response = api.client.get(template.format(changes=query), headers=api.headers(who))
            where = f"{who} GET {template} ({target})"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
                continue
            parties = {item["party"]["key"] for item in response.json()["items"]}
            if who == "planner":
                wanted = {"warmte-west", "elektro-noord", "vmbo-zuidoost", "t-sanne", "t-ahmed"}
                if target == "other":
                    wanted = {"elektro-noord"}
            else:
                wanted = {OWN_PARTY[who]} if target == "own" else set()
            if parties != wanted:
                failures.append(f"{where}: notices of {sorted(parties)}, expected {sorted(wanted)}")
            # A party's own notice names the places and trainers of its own sessions (as its
            # feed does); asking for another party's shows nothing of it.
            leaked = [t for t in FOREIGN.get(who, []) if t in response.text]
            if target != "own" and who != "planner" and leaked:
                failures.append(f"{where}: the answer shows {leaked}")
# --- pins, moves and change requests (sessions.py, change_requests.py) ---------------------
# Sessions: "own" is r-ws-1#1 (vmbo-zuidoost's group, at warmte-west's hall with t-sanne: in
# the scope of every key of the fixture), "other" r-rs-1#1 (another school's request, at
# elektro-noord's lab with t-ahmed; its request is only submitted, so a move is 409), "missing"
# a UID nobody published. Change requests: each key's "own" is one it asked itself, "other"
# one another party asked (the school's; for the school, the company's).

TARGETS["uid"] = {
    "own": "r-ws-1-s1@tic-planner.campus",
    "other": "r-rs-1-s1@tic-planner.campus",
    "missing": "r-no-1-s1@tic-planner.campus",
}
CHANGE_ENDPOINTS: dict[str, tuple[str, str, Callable[[str], dict[str, Any]] | None]] = {
    "pin session": ("POST", "/api/v1/sessions/{uid}/pin", None),
    "unpin session": ("DELETE", "/api/v1/sessions/{uid}/pin", None),
    "move session": (
        "POST", "/api/v1/sessions/{uid}/move", lambda uid: {"start": "2027-03-18T13:00"}
    ),
    "ask change": (
        "POST", "/api/v1/change-requests",
        lambda uid: {"session": uid, "kind": "cancel", "reason": "De klas kan niet"},
    ),
    "list change requests": ("GET", "/api/v1/change-requests", None),
    "change request": ("GET", "/api/v1/change-requests/{cr}", None),
    "decide change": (
        "POST", "/api/v1/change-requests/{cr}/decision",
        lambda uid: {"decision": "refuse", "reason": "Geen ruimte"},
    ),
}  # fmt: skip


def test_every_key_gets_exactly_its_status_on_every_pin_and_change_endpoint(api: Api) -> None:
    from datetime import datetime

    from models.db import session_scope
    from models.store import load_files
    from tests.conftest import DATA
    from tests.feeds.factory import Planned
    from tests.http.test_pins import PLAN, publish_plan

    with session_scope(api.engine) as session:
        load_files(session, [DATA / "other-school.yaml"])
    foreign = Planned("r-rs-1", 1, "en-lab", datetime(2027, 3, 22, 9), datetime(2027, 3, 22, 12),
                      ("t-ahmed",))  # fmt: skip
    publish_plan(api, (*PLAN, foreign))
    asked: dict[str, str] = {}
    for who, uid in [("school", "own"), ("company", "own"), ("trainer", "own"),
                     ("planner", "other")]:  # fmt: skip
        made = api.client.post(
            "/api/v1/change-requests", headers=api.headers(who),
            json={"session": TARGETS["uid"][uid], "kind": "move", "reason": "Anders graag"},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        asked[who] = str(made.json()["id"])
    cr_targets = {
        who: {"own": asked.get(who, asked["school"]),
              "other": asked["company"] if who == "school" else asked["school"],
              "missing": "99999"}
        for who in ("anonymous", "revoked", "expired", "planner", "company", "school", "trainer")
    }  # fmt: skip
    assert {endpoint for _, endpoint, *_ in rows_for(CHANGE_ENDPOINTS)} == set(CHANGE_ENDPOINTS)
    failures = []
    for who, endpoint, *statuses in rows_for(CHANGE_ENDPOINTS):
        method, template, body = CHANGE_ENDPOINTS[endpoint]
        for target, expected in zip(("own", "other", "missing"), statuses, strict=True):
            uid, cr = TARGETS["uid"][target], cr_targets[who][target]
            response = api.client.request(
                method,
                template.format(uid=uid, cr=cr),
                headers=api.headers(who),
                json=body(uid) if body else None,
            )
            where = f"{who} {method} {template} ({target})"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            # the UID a key sent may come back in a 404; the session's details may not
            shown = any(t in response.text for t in ("ROC Sloterdijk", "2027-03-22", "t-ahmed"))
            if who != "planner" and shown:
                failures.append(f"{where}: the answer shows another school's session")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
    assert failures == [], "\n".join(failures)


# --- review and publishing (api/routes/v1/publishing.py): planners only ------------------
# The same two hand-written runs as the solve rows ("own" run 1, "other" run 2 published);
# publishing sends If-Match "*" and an override (the hand-written plan breaks hard rules).

REVIEW_ENDPOINTS = {
    "solve diff": ("GET", "/api/v1/solves/{run}/diff?lang=en&week=2027-W13"),
    "solve staleness": ("GET", "/api/v1/solves/{run}/staleness"),
    "publish solve": ("POST", "/api/v1/solves/{run}/publish"),
    "list publications": ("GET", "/api/v1/publications"),
}


def test_every_key_gets_exactly_its_status_on_every_review_endpoint(api: Api) -> None:
    from datetime import UTC, datetime

    from models.db import session_scope
    from models.publish import publish
    from tests.feeds.factory import Planned, make_run

    one = (Planned("r-ws-1", 1, "ww-hal", datetime(2027, 3, 30, 13), datetime(2027, 3, 30, 16),
                   ("t-sanne",)),)  # fmt: skip
    with session_scope(api.engine) as session:
        make_run(session, one)
        publish(session, make_run(session, one), now=datetime(2027, 1, 10, 9, tzinfo=UTC))
    assert {endpoint for _, endpoint, *_ in rows_for(REVIEW_ENDPOINTS)} == set(REVIEW_ENDPOINTS)
    failures = []
    body = {"override": True, "reason": "matrix"}
    for who, endpoint, *statuses in rows_for(REVIEW_ENDPOINTS):
        method, template = REVIEW_ENDPOINTS[endpoint]
        for (target, entity), expected in zip(TARGETS["run"].items(), statuses, strict=True):
            headers = api.headers(who) | {"If-Match": "*"}
            url = template.format(run=entity)
            response = (
                api.client.post(url, headers=headers, json=body)
                if method == "POST"
                else api.client.get(url, headers=headers)
            )
            where = f"{who} {method} {template} ({target})"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            if who != "planner" and ("r-ws-1" in response.text or "ww-hal" in response.text):
                failures.append(f"{where}: the answer shows the run's sessions")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
    assert failures == [], "\n".join(failures)


# --- attendance and the yearly report (api/routes/v1/attendance.py, report.py) ------------
# "own" is a session t-sanne (the trainer key) taught, "other" one t-ahmed taught, both before
# the app's clock (2027-01-15); "missing" a UID that does not exist. The report names no
# entity: its three columns are the same request. Before every cell the marks are removed,
# so a mark is always the first one (201).

TARGETS["sess"] = {
    "own": "r-ws-1-s1@tic-planner.campus",
    "other": "r-sc-1-s1@tic-planner.campus",
    "missing": "no-such-session@tic-planner.campus",
}
ATTENDANCE_ENDPOINTS: dict[str, tuple[str, str]] = {
    "attendance": ("GET", "/api/v1/sessions/{sess}/attendance"),
    "mark attendance": ("PUT", "/api/v1/sessions/{sess}/attendance"),
    "year report": ("GET", "/api/v1/report?year=2026-2027"),
}


def test_every_key_gets_exactly_its_status_on_every_attendance_endpoint(api: Api) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import delete

    from models import entities as e
    from models.db import session_scope
    from models.publish import publish
    from tests.feeds.factory import Planned, make_run

    plan = (
        Planned("r-ws-1", 1, "ww-hal", datetime(2027, 1, 12, 13), datetime(2027, 1, 12, 16),
                ("t-sanne",)),
        Planned("r-sc-1", 1, "en-lab", datetime(2027, 1, 11, 8, 30),
                datetime(2027, 1, 11, 12, 30), ("t-ahmed",)),
    )  # fmt: skip
    with session_scope(api.engine) as session:
        publish(session, make_run(session, plan), now=datetime(2027, 1, 10, 9, tzinfo=UTC))
    assert {endpoint for _, endpoint, *_ in rows_for(ATTENDANCE_ENDPOINTS)} == set(
        ATTENDANCE_ENDPOINTS
    )
    failures = []
    for who, endpoint, *statuses in rows_for(ATTENDANCE_ENDPOINTS):
        method, template = ATTENDANCE_ENDPOINTS[endpoint]
        for (target, entity), expected in zip(TARGETS["sess"].items(), statuses, strict=True):
            with session_scope(api.engine) as session:
                session.execute(delete(e.SessionAttendance))
            response = api.client.request(
                method,
                template.format(sess=entity),
                headers=api.headers(who),
                json={"held": False} if method == "PUT" else None,
            )
            where = f"{who} {method} {template} ({target})"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            if who not in ("planner",) and "r-sc-1" in response.text.replace(entity, ""):
                failures.append(f"{where}: the answer shows another trainer's session")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", where
    assert failures == [], "\n".join(failures)
