"""The audit of `campus load`: one entry per entity the load created, changed or removed.

The loader (models/store.py) is not instrumented: the campus is read as one logical
snapshot per entity before the load and again after it, in the same transaction, and the
difference is recorded. So whatever the loader does to a row (upsert, list sync, removal),
the audit shows its effect, and a reload of an unchanged file records nothing.

Child rows (windows, closures, absences, equipment, qualifications) are fields of their
entity: a changed closure shows as the location's ``closures`` field, old list and new list.
Field names are the database's (as in the API's own audit entries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, diff, json_value, record

Snapshot = dict[tuple[str, str], dict[str, Any]]  # (entity, key) -> field -> JSON value
MAX_LABEL = 200


def _weekly(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        json_value(
            {
                "weekday": w.weekday,
                "start": w.start,
                "end": w.end,
                "valid_from": w.valid_from,
                "valid_to": w.valid_to,
            }
        )
        for w in rows
    ]


def _ranges(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [json_value({"first": r.first, "last": r.last, "reason": r.reason}) for r in rows]


def _key_of(row: Any) -> str | None:
    return None if row is None else row.key


def _fields(row: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: json_value(getattr(row, name)) for name in names}


def _partners(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    names = ("name", "kind", "address", "contact_name", "contact_email", "contact_phone")
    for p in session.scalars(select(e.Partner)):
        yield p.key, _fields(p, names)


def _equipment(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    for q in session.scalars(select(e.EquipmentType)):
        yield q.code, _fields(q, ("name", "team"))


def _holidays(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    for h in session.scalars(select(e.Holiday)):
        yield f"{h.first.isoformat()}/{h.name}", _fields(h, ("name", "kind", "first", "last"))


def _locations(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    names = (
        "name", "address", "latitude", "longitude", "capacity", "buffer_minutes",
        "hosts_training",
    )  # fmt: skip
    query = select(e.Location).options(
        selectinload(e.Location.partner),
        selectinload(e.Location.equipment).selectinload(e.LocationEquipment.equipment_type),
        selectinload(e.Location.windows),
        selectinload(e.Location.one_off_windows),
        selectinload(e.Location.closures),
    )
    for loc in session.scalars(query):
        yield (
            loc.key,
            {
                "partner": loc.partner.key,
                **_fields(loc, names),
                "equipment": {q.equipment_type.code: q.quantity for q in loc.equipment},
                "windows": _weekly(loc.windows),
                "one_off_windows": [
                    json_value({"day": w.day, "start": w.start, "end": w.end})
                    for w in loc.one_off_windows
                ],
                "closures": _ranges(loc.closures),
            },
        )


def _trainers(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    query = select(e.Trainer).options(
        selectinload(e.Trainer.partner),
        selectinload(e.Trainer.home_location),
        selectinload(e.Trainer.qualifications),
        selectinload(e.Trainer.windows),
        selectinload(e.Trainer.absences),
    )
    for t in session.scalars(query):
        yield (
            t.key,
            {
                "partner": t.partner.key,
                **_fields(t, ("name", "email", "certified", "max_minutes_per_week")),
                "home_location": _key_of(t.home_location),
                "qualifications": sorted(q.qualification for q in t.qualifications),
                "windows": _weekly(t.windows),
                "absences": _ranges(t.absences),
            },
        )


def _activities(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    query = select(e.ActivityType).options(
        selectinload(e.ActivityType.equipment).selectinload(e.ActivityEquipment.equipment_type)
    )
    names = ("title", "kind", "audience", "team", *e.ACTIVITY_RULES)
    for a in session.scalars(query):
        yield (
            a.code,
            {
                **_fields(a, names),
                "equipment": sorted(
                    (
                        {"code": q.equipment_type.code, "quantity": q.quantity, "per": q.per}
                        for q in a.equipment
                    ),
                    key=lambda need: need["code"],
                ),
            },
        )


def _groups(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    query = select(e.Group).options(
        selectinload(e.Group.school),
        selectinload(e.Group.home_location),
        selectinload(e.Group.windows),
    )
    for g in session.scalars(query):
        yield (
            g.key,
            {
                "school": g.school.key,
                **_fields(g, ("name", "level", "headcount", "max_travel_minutes")),
                "home_location": _key_of(g.home_location),
                "windows": _weekly(g.windows),
            },
        )


def _requests(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    query = select(e.Request).options(
        selectinload(e.Request.activity_type),
        selectinload(e.Request.trainer),
        selectinload(e.Request.groups).selectinload(e.RequestGroup.group),
        selectinload(e.Request.preferred_partners).selectinload(e.RequestPreferredPartner.partner),
        selectinload(e.Request.preferred_locations).selectinload(
            e.RequestPreferredLocation.location
        ),
    )
    names = (
        "earliest", "latest", "priority", "preferred_weekdays", "preferred_time_of_day",
        "status", "note",
    )  # fmt: skip
    for r in session.scalars(query):
        yield (
            r.key,
            {
                "activity_type": r.activity_type.code,
                **_fields(r, names),
                "trainer": _key_of(r.trainer),
                "groups": [rg.group.key for rg in r.groups],
                "preferred_partners": sorted(pp.partner.key for pp in r.preferred_partners),
                "preferred_locations": sorted(pl.location.key for pl in r.preferred_locations),
            },
        )


def _travel(session: Session) -> Iterable[tuple[str, dict[str, Any]]]:
    query = select(e.TravelOverride).options(
        selectinload(e.TravelOverride.from_location), selectinload(e.TravelOverride.to_location)
    )
    for o in session.scalars(query):
        yield f"{o.from_location.key}/{o.to_location.key}", {"minutes": o.minutes}


# entity kind (as the audit names it) -> its rows by key; the sections a scenario file loads
SECTIONS: dict[str, Callable[[Session], Iterable[tuple[str, dict[str, Any]]]]] = {
    "equipment_type": _equipment,
    "holiday": _holidays,
    "partner": _partners,
    "location": _locations,
    "trainer": _trainers,
    "activity_type": _activities,
    "group": _groups,
    "request": _requests,
    "travel_override": _travel,
}


def load_snapshot(session: Session) -> Snapshot:
    """Every entity a scenario file can set, as JSON values (pending changes are flushed)."""
    session.flush()
    return {
        (entity, key): fields for entity, rows in SECTIONS.items() for key, fields in rows(session)
    }


def load_actor(files: Sequence[Path | str], command: str = "campus load") -> Actor:
    """``campus load 1-calendar.yaml 2-catalogue.yaml`` (file names, shortened to fit)."""
    label = command
    names = [Path(f).name for f in files]
    for i, name in enumerate(names):
        more = f" (+{len(names) - i} more)"
        if len(label) + 1 + len(name) + len(more) > MAX_LABEL:
            label += more
            break
        label += " " + name
    return Actor(role="cli", label=label)


def record_load(
    session: Session, before: Snapshot, actor: Actor, *, now: datetime | None = None
) -> int:
    """Audit what changed since ``before``: one entry per entity; returns how many."""
    after = load_snapshot(session)
    moment = now or datetime.now(UTC)
    count = 0
    for entity, key in sorted(set(before) | set(after)):
        old, new = before.get((entity, key)), after.get((entity, key))
        if old == new:
            continue
        action = "create" if old is None else "delete" if new is None else "update"
        # a created entity's fields as [None, new], a removed one's as [old, None]
        changes = diff(old or {}, new or {})
        if record(session, actor, entity=entity, key=key, action=action, changes=changes,
                  now=moment) is not None:  # fmt: skip
            count += 1
    session.flush()
    return count
