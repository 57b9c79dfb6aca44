"""The audit of `campus load`: one entry per entity the load created, changed or removed.

The loader (models/store.py) is not instrumented: the campus is read as one logical
snapshot per entity before the load and again after it, in the same transaction, and the
difference is recorded. So whatever the loader does to a row (upsert, list sync, removal),
the audit shows its effect, and a reload of an unchanged file records nothing.

Child rows (windows, closures, absences, equipment, qualifications) are fields of their
entity: a changed closure shows as the location's ``closures`` field, old list and new list.
Field names are the database's (as in the API's own audit entries). The snapshot reads plain
rows (no ORM objects), a few queries per section, so it stays small next to the load itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, inspect, select
from sqlalchemy.orm import Session

from models import entities as e
from models.audit import Actor, diff, json_value, record

Snapshot = dict[tuple[str, str], dict[str, Any]]  # (entity, key) -> field -> JSON value
Rows = Iterable[tuple[str, dict[str, Any]]]
MAX_LABEL = 200


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _columns(model: type, *skip: str) -> tuple[str, ...]:
    """Every column but the row's id, its version and ``skip`` (a parent's id).

    Taken from the table, so a column a later migration adds (an absence's category, a
    partner's language) is audited without a change here.
    """
    return tuple(
        c.name for c in _table(model).columns if c.name not in ("id", "version", *skip)
    )


def _fields(session: Session, model: type, names: Sequence[str]) -> dict[int, dict[str, Any]]:
    """id -> the named columns as JSON values, for every row of ``model``."""
    t = _table(model)
    query = select(t.c.id, *(t.c[name] for name in names))
    return {
        row[0]: {name: json_value(value) for name, value in zip(names, row[1:], strict=True)}
        for row in session.execute(query)
    }


def _keys(session: Session, model: type, column: str = "key") -> dict[int, str]:
    t = _table(model)
    return dict(session.execute(select(t.c.id, t.c[column])).tuples().all())


def _children(
    session: Session, model: type, parent: str, names: Sequence[str] = (), *order: str
) -> dict[int, list[dict[str, Any]]]:
    """parent id -> its child rows (dicts of ``names``, default all columns), in ``order``."""
    t = _table(model)
    names = names or _columns(model, parent)
    sort: list[Column[Any]] = [t.c[name] for name in (order or ("id",))]
    query = select(t.c[parent], *(t.c[name] for name in names)).order_by(*sort)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(query):
        out[row[0]].append(
            {name: json_value(value) for name, value in zip(names, row[1:], strict=True)}
        )
    return out


def _owned(session: Session, model: type) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Relationship name -> parent id -> rows, for the child lists ``model`` owns by id.

    Those are its delete-orphan relationships to tables with their own ``id`` (windows,
    closures, absences, ...), found on the mapper, so a list a later release adds to an
    entity (a group's unavailable periods) is audited with it. Lists of plain links
    (equipment, qualifications, a request's groups) are read by the sections themselves.
    """
    owned = {}
    for rel in inspect(model).relationships:
        target = rel.mapper.local_table
        if "delete-orphan" not in rel.cascade or "id" not in target.columns:
            continue
        (parent,) = [remote.name for _, remote in rel.local_remote_pairs]
        owned[rel.key] = _children(session, rel.mapper.class_, parent)
    return owned


def _partners(session: Session) -> Rows:
    for fields in _fields(session, e.Partner, _columns(e.Partner)).values():
        yield fields.pop("key"), fields


def _equipment(session: Session) -> Rows:
    for fields in _fields(session, e.EquipmentType, _columns(e.EquipmentType)).values():
        yield fields.pop("code"), fields


def _holidays(session: Session) -> Rows:
    for fields in _fields(session, e.Holiday, _columns(e.Holiday)).values():
        yield f"{fields['first']}/{fields['name']}", fields


def _locations(session: Session) -> Rows:
    names = _columns(e.Location)
    partners = _keys(session, e.Partner)
    codes = _keys(session, e.EquipmentType, "code")
    equipment = _children(
        session, e.LocationEquipment, "location_id", ("equipment_type_id", "quantity"),
        "equipment_type_id",
    )  # fmt: skip
    owned = _owned(session, e.Location)
    for id_, fields in _fields(session, e.Location, names).items():
        key = fields.pop("key")
        yield key, {
            "partner": partners.get(fields.pop("partner_id")),
            **fields,
            "equipment": {codes[q["equipment_type_id"]]: q["quantity"] for q in equipment[id_]},
            **{name: rows[id_] for name, rows in owned.items()},
        }


def _trainers(session: Session) -> Rows:
    names = _columns(e.Trainer)
    partners = _keys(session, e.Partner)
    locations = _keys(session, e.Location)
    qualifications = _children(
        session, e.TrainerQualification, "trainer_id", ("qualification",), "qualification"
    )
    owned = _owned(session, e.Trainer)
    for id_, fields in _fields(session, e.Trainer, names).items():
        key = fields.pop("key")
        home = fields.pop("home_location_id")
        yield key, {
            "partner": partners.get(fields.pop("partner_id")),
            **fields,
            "home_location": None if home is None else locations.get(home),
            "qualifications": [q["qualification"] for q in qualifications[id_]],
            **{name: rows[id_] for name, rows in owned.items()},
        }


def _activities(session: Session) -> Rows:
    names = _columns(e.ActivityType)
    codes = _keys(session, e.EquipmentType, "code")
    needs = _children(
        session, e.ActivityEquipment, "activity_type_id",
        ("equipment_type_id", "quantity", "per"), "equipment_type_id",
    )  # fmt: skip
    for id_, fields in _fields(session, e.ActivityType, names).items():
        code = fields.pop("code")
        yield code, {
            **fields,
            "equipment": sorted(
                (
                    {
                        "code": codes[q["equipment_type_id"]],
                        "quantity": q["quantity"],
                        "per": q["per"],
                    }
                    for q in needs[id_]
                ),
                key=lambda need: need["code"],
            ),
        }


def _groups(session: Session) -> Rows:
    names = _columns(e.Group)
    partners = _keys(session, e.Partner)
    locations = _keys(session, e.Location)
    owned = _owned(session, e.Group)
    for id_, fields in _fields(session, e.Group, names).items():
        key = fields.pop("key")
        home = fields.pop("home_location_id")
        yield key, {
            "school": partners.get(fields.pop("school_id")),
            **fields,
            "home_location": None if home is None else locations.get(home),
            **{name: rows[id_] for name, rows in owned.items()},
        }


def _requests(session: Session) -> Rows:
    names = _columns(e.Request)
    activities = _keys(session, e.ActivityType, "code")
    trainers = _keys(session, e.Trainer)
    partners = _keys(session, e.Partner)
    locations = _keys(session, e.Location)
    groups = _keys(session, e.Group)
    members = _children(session, e.RequestGroup, "request_id", ("group_id",), "position")
    by_partner = _children(session, e.RequestPreferredPartner, "request_id", ("partner_id",),
                           "partner_id")  # fmt: skip
    by_location = _children(session, e.RequestPreferredLocation, "request_id",
                            ("location_id",), "location_id")  # fmt: skip
    for id_, fields in _fields(session, e.Request, names).items():
        key = fields.pop("key")
        trainer = fields.pop("trainer_id")
        yield key, {
            "activity_type": activities.get(fields.pop("activity_type_id")),
            **fields,
            "trainer": None if trainer is None else trainers.get(trainer),
            "groups": [groups[m["group_id"]] for m in members[id_]],
            "preferred_partners": sorted(partners[p["partner_id"]] for p in by_partner[id_]),
            "preferred_locations": sorted(
                locations[p["location_id"]] for p in by_location[id_]
            ),
        }


def _travel(session: Session) -> Rows:
    t = _table(e.TravelOverride)
    locations = _keys(session, e.Location)
    for first, second, minutes in session.execute(
        select(t.c.from_location_id, t.c.to_location_id, t.c.minutes)
    ):
        yield f"{locations[first]}/{locations[second]}", {"minutes": minutes}


# entity kind (as the audit names it) -> its rows by key; the sections a scenario file loads
SECTIONS: dict[str, Callable[[Session], Rows]] = {
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
        (entity, key): fields
        for entity, rows in SECTIONS.items()
        for key, fields in rows(session)
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
