"""Groups (school classes) as the HTTP API reads and changes them, within a principal's scope.

A planner sees every group, a school its own partner's; anything outside the scope is
answered like a key that does not exist (None), as for locations (models/locations.py).
A group's weekly windows say when it can travel; each is its own row, added, changed and
removed one at a time. Every change is audited in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, diff, json_value, record, snapshot
from models.keys import Principal
from models.scenario import MAX_WEEKLY, WEEKDAYS, Key

GROUP_ROLES = ("planner", "school")
_KEY: TypeAdapter[str] = TypeAdapter(Key)

# The group's own fields that PATCH may change (windows have their own endpoints).
GROUP_FIELDS = ("name", "level", "headcount", "home", "max_travel_minutes")
WINDOW_FIELDS = ("weekday", "start", "end", "valid_from", "valid_to")


class GroupChangeError(ValueError):
    """A change that cannot be made: ``conflict`` with what is stored, or ``invalid`` input."""

    def __init__(self, kind: str, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.kind = kind  # "invalid" (422) or "conflict" (409)
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Page:
    items: list[e.Group]
    total: int


def is_key(text: str) -> bool:
    """Whether ``text`` can be a key at all (else it is not looked up: it names nothing)."""
    try:
        _KEY.validate_python(text)
    except ValidationError:
        return False
    return True


def scoped_groups(principal: Principal) -> Select[tuple[e.Group]]:
    query = select(e.Group).join(e.Group.school)
    if principal.role == "planner":
        return query
    if principal.role == "school" and principal.partner:
        return query.where(e.Partner.key == principal.partner)
    return query.where(False)  # nobody else sees a group (the API refuses them earlier)


def list_groups(
    session: Session, principal: Principal, *, limit: int, offset: int, school: str | None = None
) -> Page:
    """The groups in scope (of one school), by key; ``total`` counts only those."""
    query = scoped_groups(principal)
    if school is not None:
        query = query.where(e.Group.school.has(e.Partner.key == school))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(e.Group.windows), selectinload(e.Group.home_location))
        .order_by(e.Group.key)
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(list(rows), total)


def find_group(session: Session, principal: Principal, key: str) -> e.Group | None:
    """The group ``key`` if it exists and is in scope; None in every other case."""
    if not is_key(key):
        return None
    return session.scalars(scoped_groups(principal).where(e.Group.key == key)).one_or_none()


def _school(session: Session, principal: Principal, key: str | None) -> e.Partner:
    """The school a new group belongs to: a school key's own; a planner names it."""
    if principal.role == "school":
        if key is not None and key != principal.partner:
            raise GroupChangeError("invalid", "$.school", f"no school {key} that this key may see")
        key = principal.partner
    if key is None:
        raise GroupChangeError("invalid", "$.school", "is required for a planner key")
    school = session.scalars(select(e.Partner).where(e.Partner.key == key)).one_or_none()
    if school is None or school.kind != "school":
        raise GroupChangeError("invalid", "$.school", f"no school {key}")
    return school


def _home(session: Session, principal: Principal, key: str | None) -> e.Location | None:
    """A group's home: any location for a planner, one of its own school's for a school."""
    if key is None:
        return None
    query = select(e.Location).join(e.Location.partner).where(e.Location.key == key)
    if principal.role != "planner":
        query = query.where(e.Partner.key == principal.partner)
    home = session.scalars(query).one_or_none()
    if home is None:
        mine = " of your school" if principal.role != "planner" else ""
        raise GroupChangeError("invalid", "$.home", f"no location {key}{mine}")
    return home


def _fields(group: e.Group) -> dict[str, Any]:
    row = snapshot(group, ("name", "level", "headcount", "max_travel_minutes"))
    row["home"] = group.home_location.key if group.home_location else None
    return row


def create_group(
    session: Session,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> e.Group:
    """A new group with its windows; refused (409) when the key is taken."""
    key = values["key"]
    if session.scalars(select(e.Group.id).where(e.Group.key == key)).first() is not None:
        raise GroupChangeError(
            "conflict", "$.key", f"a group {key} already exists: choose another key"
        )
    group = e.Group(
        key=key,
        school=_school(session, principal, values.get("school")),
        name=values["name"],
        level=values.get("level") or "",
        headcount=values["headcount"],
        home_location=_home(session, principal, values.get("home")),
        max_travel_minutes=values.get("max_travel_minutes"),
    )
    session.add(group)
    for i, window in enumerate(values.get("windows") or []):
        _check_window(group, None, window, f"$.windows[{i}]")
        group.windows.append(e.GroupWindow(**window))
    record(session, actor, entity="group", key=key, action="create",
           changes={k: [None, v] for k, v in {**_fields(group), "school": group.school.key,
                    "windows": [json_value(w) for w in values.get("windows") or []]}.items()},
           now=now)  # fmt: skip
    return group


def update_group(
    session: Session,
    principal: Principal,
    group: e.Group,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> dict[str, list[Any]]:
    """Set the named fields and nothing else; audited; returns ``{field: [old, new]}``."""
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise GroupChangeError("invalid", f"$.{min(unknown)}", "is not a field of a group")
    before = _fields(group)
    for name, value in changes.items():
        if name == "home":
            group.home_location = _home(session, principal, value)
        else:
            setattr(group, name, value)
    changed = diff(before, _fields(group))
    record(session, actor, entity="group", key=group.key, action="update",
           changes=changed, now=now)  # fmt: skip
    return changed


def _overlaps(a: Mapping[str, Any], b: e.GroupWindow) -> bool:
    if a["weekday"] != b.weekday or not (a["start"] < b.end and b.start < a["end"]):
        return False
    a_from, a_to = a.get("valid_from") or date.min, a.get("valid_to") or date.max
    b_from, b_to = b.valid_from or date.min, b.valid_to or date.max
    return a_from <= b_to and b_from <= a_to


def _check_window(
    group: e.Group, row: e.GroupWindow | None, window: Mapping[str, Any], path: str
) -> None:
    """Refuse a window that overlaps another of the group (as in scenario files)."""
    for other in group.windows:
        if other is row:
            continue
        if _overlaps(window, other):
            raise GroupChangeError(
                "conflict",
                path,
                f"overlaps the window {WEEKDAYS[other.weekday - 1]} {other.start:%H:%M}-"
                f"{other.end:%H:%M} (id {other.id}) of group {group.key}",
            )
    if row is None and len(group.windows) >= MAX_WEEKLY:
        raise GroupChangeError("conflict", path, f"group {group.key} has {MAX_WEEKLY} windows")


def window_key(group: e.Group, row: e.GroupWindow) -> str:
    return f"{group.key}/windows/{row.id}"


def add_window(
    session: Session, group: e.Group, window: Mapping[str, Any], *, actor: Actor, now: datetime
) -> e.GroupWindow:
    """Add ONE weekly window; the group's other windows stay as they are."""
    _check_window(group, None, window, "$")
    row = e.GroupWindow(**window)
    group.windows.append(row)
    session.flush()
    record(session, actor, entity="group-window", key=window_key(group, row), action="create",
           changes={k: [None, v] for k, v in snapshot(row, WINDOW_FIELDS).items()},
           now=now)  # fmt: skip
    return row


def find_window(group: e.Group, window_id: int) -> e.GroupWindow | None:
    return next((w for w in group.windows if w.id == window_id), None)


def update_window(
    session: Session,
    group: e.Group,
    row: e.GroupWindow,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> dict[str, list[Any]]:
    """Change the named fields of one window; the result must still be a valid window."""
    merged = {name: getattr(row, name) for name in WINDOW_FIELDS} | dict(changes)
    start, end = merged["start"], merged["end"]
    if end <= start:
        where = "$.end" if "end" in changes else "$.start"
        raise GroupChangeError(
            "invalid", where, f"end {end:%H:%M} is not after start {start:%H:%M}"
        )
    first, last = merged["valid_from"], merged["valid_to"]
    if first is not None and last is not None and last < first:
        where = "$.valid_to" if "valid_to" in changes else "$.valid_from"
        raise GroupChangeError("invalid", where, f"valid_to {last} is before valid_from {first}")
    _check_window(group, row, merged, "$")
    before = snapshot(row, WINDOW_FIELDS)
    for name, value in changes.items():
        setattr(row, name, value)
    changed = diff(before, snapshot(row, WINDOW_FIELDS))
    record(session, actor, entity="group-window", key=window_key(group, row), action="update",
           changes=changed, now=now)  # fmt: skip
    return changed


def delete_window(
    session: Session, group: e.Group, row: e.GroupWindow, *, actor: Actor, now: datetime
) -> None:
    """Remove one window (a group without windows travels Monday-Friday 08:30-16:30)."""
    before = snapshot(row, WINDOW_FIELDS)
    key = window_key(group, row)
    group.windows.remove(row)
    record(session, actor, entity="group-window", key=key, action="delete",
           changes={k: [v, None] for k, v in before.items()}, now=now)  # fmt: skip
