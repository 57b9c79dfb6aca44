"""The campus catalogue as the HTTP API changes it: holidays, equipment types, activity types.

Every signed-in key reads the catalogue; planners change it. Input is checked by the
scenario format's own models (models/scenario.py), so an entry is valid through the API
exactly when it is valid in a scenario file; a PATCH is applied to the stored entry and the
result validated as a whole (``max_participants`` below ``min_participants`` is refused
whichever of the two the PATCH names). Deleting what something else uses is refused, and the
answer says which entities use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from models import entities as e
from models import scenario as s
from models.audit import Actor, diff, json_value, record, snapshot

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
_KEY: TypeAdapter[str] = TypeAdapter(s.Key)
MAX_NAMED = 10  # users named in a 409 before "and N more"


@dataclass(frozen=True)
class Issue:
    path: str  # JSON path in the body: "$.equipment[0].code"
    reason: str


class CatalogueError(ValueError):
    """``invalid`` input (422, every bad field in ``issues``) or a ``conflict`` (409)."""

    def __init__(self, kind: str, issues: Sequence[Issue]) -> None:
        super().__init__("; ".join(f"{i.path}: {i.reason}" for i in issues))
        self.kind = kind
        self.issues = list(issues)


def _json_path(loc: Sequence[int | str]) -> str:
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validated(model: type[M], data: Mapping[str, Any]) -> M:
    """``data`` as the scenario model ``model``, or CatalogueError naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = [Issue(_json_path(err["loc"]), s.validation_reason(err)) for err in exc.errors()]
        raise CatalogueError("invalid", issues) from None


def valid_key(key: str) -> bool:
    """Whether ``key`` can name an entry at all (PostgreSQL refuses some texts outright)."""
    try:
        _KEY.validate_python(key)
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


def _page(
    session: Session, query: Select[tuple[T]], order: Any, limit: int, offset: int
) -> Page[T]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return Page(list(session.scalars(query.order_by(*order).limit(limit).offset(offset))), total)


def _made(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [None, value] for name, value in values.items()}


def _gone(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [value, None] for name, value in values.items()}


def _users(kind: str, keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:MAX_NAMED])
    more = f" and {len(keys) - MAX_NAMED} more" if len(keys) > MAX_NAMED else ""
    return f"{kind} {shown}{more}"


# --------------------------------------------------------------------------- holidays

HOLIDAY_FIELDS = ("name", "kind", "first", "last")


def list_holidays(
    session: Session, *, kind: str | None, limit: int, offset: int
) -> Page[e.Holiday]:
    query = select(e.Holiday)
    if kind is not None:
        query = query.where(e.Holiday.kind == kind)
    return _page(session, query, (e.Holiday.first, e.Holiday.name, e.Holiday.id), limit, offset)


def find_holiday(session: Session, holiday_id: int) -> e.Holiday | None:
    return session.get(e.Holiday, holiday_id)


def _holiday_taken(session: Session, holiday: s.Holiday, own_id: int | None) -> None:
    query = select(e.Holiday.id).where(
        e.Holiday.name == holiday.name, e.Holiday.first == holiday.first
    )
    found = session.scalars(query).first()
    if found is not None and found != own_id:
        raise CatalogueError("conflict", [Issue("$", (
            f"there is a holiday {holiday.name!r} from {holiday.first} already (id {found})"
        ))])  # fmt: skip


def create_holiday(
    session: Session, holiday: s.Holiday, *, actor: Actor, now: datetime
) -> e.Holiday:
    _holiday_taken(session, holiday, None)
    row = e.Holiday(**holiday.model_dump())
    session.add(row)
    session.flush()  # the id is the holiday's key in the audit and in URLs (the caller
    # turns an IntegrityError of a concurrent twin into a conflict)
    changes = _made(snapshot(row, HOLIDAY_FIELDS))
    record(session, actor, entity="holiday", key=str(row.id), action="create",
           changes=changes, now=now)  # fmt: skip
    return row


def update_holiday(
    session: Session, row: e.Holiday, changes: Mapping[str, Any], *, actor: Actor, now: datetime
) -> dict[str, list[Any]]:
    before = snapshot(row, HOLIDAY_FIELDS)
    holiday = validated(s.Holiday, {**{f: getattr(row, f) for f in HOLIDAY_FIELDS}, **changes})
    _holiday_taken(session, holiday, row.id)
    for name in HOLIDAY_FIELDS:
        setattr(row, name, getattr(holiday, name))
    changed = diff(before, snapshot(row, HOLIDAY_FIELDS))
    record(session, actor, entity="holiday", key=str(row.id), action="update",
           changes=changed, now=now)  # fmt: skip
    return changed


def delete_holiday(session: Session, row: e.Holiday, *, actor: Actor, now: datetime) -> None:
    changes = _gone(snapshot(row, HOLIDAY_FIELDS))
    record(session, actor, entity="holiday", key=str(row.id), action="delete",
           changes=changes, now=now)  # fmt: skip
    session.delete(row)


# --------------------------------------------------------------------------- equipment types

EQUIPMENT_FIELDS = ("code", "name", "team")


def list_equipment_types(
    session: Session, *, team: str | None, limit: int, offset: int
) -> Page[e.EquipmentType]:
    query = select(e.EquipmentType)
    if team is not None:
        query = query.where(e.EquipmentType.team == team)
    return _page(session, query, (e.EquipmentType.code,), limit, offset)


def find_equipment_type(session: Session, code: str) -> e.EquipmentType | None:
    if not valid_key(code):
        return None
    return session.scalars(select(e.EquipmentType).where(e.EquipmentType.code == code)).first()


def create_equipment_type(
    session: Session, equipment: s.Equipment, *, actor: Actor, now: datetime
) -> e.EquipmentType:
    if find_equipment_type(session, equipment.code) is not None:
        raise CatalogueError(
            "conflict", [Issue("$.code", f"equipment type {equipment.code!r} exists already")]
        )
    row = e.EquipmentType(**equipment.model_dump())
    session.add(row)
    changes = _made(snapshot(row, EQUIPMENT_FIELDS))
    record(session, actor, entity="equipment_type", key=row.code, action="create",
           changes=changes, now=now)  # fmt: skip
    return row


def update_equipment_type(
    session: Session, row: e.EquipmentType, changes: Mapping[str, Any], *, actor: Actor,
    now: datetime,
) -> dict[str, list[Any]]:  # fmt: skip
    before = snapshot(row, EQUIPMENT_FIELDS)
    equipment = validated(s.Equipment, {**before, **changes})
    row.name, row.team = equipment.name, equipment.team
    changed = diff(before, snapshot(row, EQUIPMENT_FIELDS))
    record(session, actor, entity="equipment_type", key=row.code, action="update",
           changes=changed, now=now)  # fmt: skip
    return changed


def equipment_users(session: Session, row: e.EquipmentType) -> list[str]:
    """Who uses this equipment type: 'location ww-hal', 'activity WS-WARMTEPOMP', ..."""
    locations = session.scalars(
        select(e.Location.key).join(e.LocationEquipment)
        .where(e.LocationEquipment.equipment_type_id == row.id).order_by(e.Location.key)
    ).all()  # fmt: skip
    activities = session.scalars(
        select(e.ActivityType.code).join(e.ActivityEquipment)
        .where(e.ActivityEquipment.equipment_type_id == row.id).order_by(e.ActivityType.code)
    ).all()  # fmt: skip
    users = []
    if locations:
        users.append(_users("location" if len(locations) == 1 else "locations", locations))
    if activities:
        users.append(_users("activity" if len(activities) == 1 else "activities", activities))
    return users


def delete_equipment_type(
    session: Session, row: e.EquipmentType, *, actor: Actor, now: datetime
) -> None:
    users = equipment_users(session, row)
    if users:
        raise CatalogueError("conflict", [Issue("$", (
            f"equipment type {row.code} is used by {' and '.join(users)}: remove it there first"
        ))])  # fmt: skip
    changes = _gone(snapshot(row, EQUIPMENT_FIELDS))
    record(session, actor, entity="equipment_type", key=row.code, action="delete",
           changes=changes, now=now)  # fmt: skip
    session.delete(row)


# --------------------------------------------------------------------------- activity types

ACTIVITY_FIELDS = ("code", "title", "kind", "audience", "team", *e.ACTIVITY_RULES)


def activity_of(row: e.ActivityType) -> s.Activity:
    """A stored activity type in the scenario format (what the API shows and PATCH starts from)."""
    return s.Activity.model_validate({
        **{name: getattr(row, name) for name in ACTIVITY_FIELDS},
        "equipment": [
            {"code": q.equipment_type.code, "quantity": q.quantity, "per": q.per}
            for q in sorted(row.equipment, key=lambda q: q.equipment_type.code)
        ],
    })  # fmt: skip


def _activity_query() -> Select[tuple[e.ActivityType]]:
    return select(e.ActivityType).options(
        selectinload(e.ActivityType.equipment).selectinload(e.ActivityEquipment.equipment_type)
    )


def list_activity_types(
    session: Session, *, team: str | None, kind: str | None, audience: str | None, limit: int,
    offset: int,
) -> Page[e.ActivityType]:  # fmt: skip
    query = _activity_query()
    for column, value in ((e.ActivityType.team, team), (e.ActivityType.kind, kind),
                          (e.ActivityType.audience, audience)):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    return _page(session, query, (e.ActivityType.code,), limit, offset)


def find_activity_type(session: Session, code: str) -> e.ActivityType | None:
    if not valid_key(code):
        return None
    return session.scalars(_activity_query().where(e.ActivityType.code == code)).first()


def _audited(activity: s.Activity) -> dict[str, Any]:
    data = activity.model_dump(mode="json")
    data["equipment"] = [f"{q['code']} x{q['quantity']} per {q['per']}" for q in data["equipment"]]
    return data


def _apply(session: Session, row: e.ActivityType, activity: s.Activity) -> None:
    """Copy a validated activity onto ``row``; unknown equipment codes are 422 at their path."""
    codes = {q.code for q in activity.equipment}
    known = {
        q.code: q
        for q in session.scalars(select(e.EquipmentType).where(e.EquipmentType.code.in_(codes)))
    }
    missing = [
        Issue(f"$.equipment[{i}].code", f"no equipment type {q.code!r}")
        for i, q in enumerate(activity.equipment)
        if q.code not in known
    ]
    seen: set[str] = set()
    for i, q in enumerate(activity.equipment):
        if q.code in seen:
            missing.append(Issue(f"$.equipment[{i}].code", f"lists {q.code!r} twice"))
        seen.add(q.code)
    if missing:
        raise CatalogueError("invalid", missing)
    for name in ACTIVITY_FIELDS[1:]:
        setattr(row, name, getattr(activity, name))
    wanted = [(known[q.code], q.quantity, q.per) for q in activity.equipment]
    current = [(q.equipment_type, q.quantity, q.per) for q in row.equipment]
    if sorted(wanted, key=lambda w: w[0].code) != sorted(current, key=lambda w: w[0].code):
        by_type = {q.equipment_type_id: q for q in row.equipment}
        kept = []
        for equipment_type, quantity, per in wanted:
            need = by_type.get(equipment_type.id)
            if need is None:
                need = e.ActivityEquipment(equipment_type=equipment_type)
            need.quantity, need.per = quantity, per
            kept.append(need)
        row.equipment = kept
        flag_modified(row, "title")  # a change of equipment alone is a new version (ETag) too


def create_activity_type(
    session: Session, activity: s.Activity, *, actor: Actor, now: datetime
) -> e.ActivityType:
    if find_activity_type(session, activity.code) is not None:
        raise CatalogueError(
            "conflict", [Issue("$.code", f"activity type {activity.code!r} exists already")]
        )
    row = e.ActivityType(code=activity.code, equipment=[])
    _apply(session, row, activity)
    session.add(row)
    record(session, actor, entity="activity_type", key=row.code, action="create",
           changes=_made(_audited(activity)), now=now)  # fmt: skip
    return row


def update_activity_type(
    session: Session, row: e.ActivityType, changes: Mapping[str, Any], *, actor: Actor,
    now: datetime,
) -> dict[str, list[Any]]:  # fmt: skip
    before = activity_of(row)
    data = before.model_dump(mode="json")
    data.update(json_value(dict(changes)))
    activity = validated(s.Activity, data)
    _apply(session, row, activity)
    changed = diff(_audited(before), _audited(activity))
    record(session, actor, entity="activity_type", key=row.code, action="update",
           changes=changed, now=now)  # fmt: skip
    return changed


def delete_activity_type(
    session: Session, row: e.ActivityType, *, actor: Actor, now: datetime
) -> None:
    requests = session.scalars(
        select(e.Request.key).where(e.Request.activity_type_id == row.id).order_by(e.Request.key)
    ).all()
    if requests:
        users = _users("request" if len(requests) == 1 else "requests", requests)
        raise CatalogueError("conflict", [Issue("$", (
            f"activity type {row.code} is used by {users}: those must go first"
        ))])  # fmt: skip
    record(session, actor, entity="activity_type", key=row.code, action="delete",
           changes=_gone(_audited(activity_of(row))), now=now)  # fmt: skip
    session.delete(row)
