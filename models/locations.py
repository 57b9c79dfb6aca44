"""Locations as the HTTP API reads and changes them, always within a principal's scope.

Scope is decided here, in one place: a planner sees every location, a company its own
partner's. Anything outside the scope is answered exactly like a key that does not exist
(None), so no caller can tell another partner's location from a typo. Changes are per entity:
adding a one-off window touches that window's row and nothing else of the location.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, diff, record, snapshot
from models.keys import Principal
from models.scenario import MAX_DATED, DatedWindow, Key, windows_in_clock_gap
from scheduler.timegrid import skipped_span

# Roles that may read locations at all (schools and trainers get 403 from the API).
LOCATION_ROLES = ("planner", "company")
_KEY: TypeAdapter[str] = TypeAdapter(Key)


class LocationChangeError(ValueError):
    """A change that cannot be made: ``conflict`` with what is stored, or ``invalid`` input."""

    def __init__(self, kind: str, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.kind = kind  # "invalid" (422) or "conflict" (409)
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Page:
    items: list[e.Location]
    total: int


def _scoped(principal: Principal) -> Select[tuple[e.Location]]:
    query = select(e.Location).join(e.Location.partner)
    if principal.role == "planner":
        return query
    if principal.role == "company" and principal.partner:
        return query.where(e.Partner.key == principal.partner)
    return query.where(False)  # nobody else sees a location (the API refuses them earlier)


def list_locations(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    offset: int,
    partner: str | None = None,
    equipment: str | None = None,
) -> Page:
    """The locations in scope, by key; ``total`` counts only those (after the filters)."""
    query = _scoped(principal)
    if partner is not None:
        query = query.where(e.Partner.key == partner)
    if equipment is not None:
        query = query.where(
            e.Location.equipment.any(
                e.LocationEquipment.equipment_type.has(e.EquipmentType.code == equipment)
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(
            selectinload(e.Location.partner),
            selectinload(e.Location.equipment).selectinload(e.LocationEquipment.equipment_type),
        )
        .order_by(e.Location.key)
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(list(rows), total)


def find_location(session: Session, principal: Principal, key: str) -> e.Location | None:
    """The location ``key`` if it exists and is in scope; None in every other case.

    A text that cannot be a key (the scenario format's rule) is not looked up at all: it
    cannot name a location, and PostgreSQL refuses some of them (NUL) outright.
    """
    try:
        _KEY.validate_python(key)
    except ValidationError:
        return None
    return session.scalars(_scoped(principal).where(e.Location.key == key)).one_or_none()


def check_one_off(
    location: e.Location, day: date, start: time, end: time, *, row_id: int | None = None
) -> None:
    """The rules of a one-off window (those of scenario files), ``row_id`` being its own row.

    Refused: end not after start, a window in the hour the clocks skip, one that overlaps
    another one-off window of the same day (conflict).
    """
    if end <= start:
        raise LocationChangeError(
            "invalid", "$.end", f"end {end:%H:%M} is not after start {start:%H:%M}"
        )
    window = DatedWindow(date=day, start=start, end=end)
    for issue in windows_in_clock_gap("", "$", [window]):  # the scenario files' check
        gap = skipped_span(day)
        starts_in_gap = gap is not None and gap[0] <= start.hour * 60 + start.minute < gap[1]
        raise LocationChangeError("invalid", "$.start" if starts_in_gap else "$.end", issue.reason)
    for other in location.one_off_windows:
        if other.id != row_id and other.day == day and other.start < end and start < other.end:
            raise LocationChangeError(
                "conflict",
                "$",
                f"overlaps the one-off window {other.day} {other.start:%H:%M}-{other.end:%H:%M} "
                f"(id {other.id}) of location {location.key}",
            )


def add_one_off_window(
    location: e.Location, day: date, start: time, end: time
) -> e.LocationOneOffWindow:
    """Open ``location`` on ``day`` from ``start`` to ``end``; every other row stays as it was.

    Refused: what ``check_one_off`` refuses, and more than MAX_DATED one-off windows.
    """
    check_one_off(location, day, start, end)
    if len(location.one_off_windows) >= MAX_DATED:
        raise LocationChangeError(
            "conflict", "$", f"location {location.key} already has {MAX_DATED} one-off windows"
        )
    row = e.LocationOneOffWindow(day=day, start=start, end=end)
    location.one_off_windows.append(row)
    return row


# The location's own fields that PATCH may change (its children have their own endpoints).
LOCATION_FIELDS = (
    "name", "address", "latitude", "longitude", "capacity", "buffer_minutes", "hosts_training",
)  # fmt: skip


def update_location(
    session: Session,
    location: e.Location,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
    marked: Sequence[str] = (),
) -> dict[str, list[Any]]:
    """Set the named fields and nothing else; audited (with the UIDs of the published
    sessions the change ``marked`` for re-planning); returns ``{field: [old, new]}``."""
    unknown = set(changes) - set(LOCATION_FIELDS)
    if unknown:
        raise LocationChangeError("invalid", f"$.{min(unknown)}", "is not a field of a location")
    before = snapshot(location, LOCATION_FIELDS)
    for name, value in changes.items():
        setattr(location, name, value)
    changed = diff(before, snapshot(location, LOCATION_FIELDS))
    audited = (
        {**changed, "sessions_marked_for_replanning": [None, list(marked)]} if marked else changed
    )
    record(session, actor, entity="location", key=location.key, action="update",
           changes=audited, now=now)  # fmt: skip
    return changed
