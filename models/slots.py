"""Companies declare slots: a location's equipment, weekly and one-off windows and closures.

Every change touches one row and nothing else of the location. A change that takes time
away (removing or shrinking a window, adding or extending a closure) is first tried against
the published plan: a session that has not started, lies inside an open window of its
location today and would no longer do so after the change is "broken" by it. Such a change
raises ``BreaksSessions`` unless it is confirmed; confirmed, it is made and each broken
session is marked for re-planning (models/impact.py). Whether a session lies inside its
location's open time is decided by ``session_fits`` on the same ``Availability`` the bridge
gives the engine, so the API and the solver agree on what "open" means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from models import entities as e
from models.audit import Actor, diff, record, snapshot
from models.bookings import participants
from models.bridge import location_availability
from models.impact import affected, mark_for_replanning, upcoming_published
from models.locations import LocationChangeError, check_one_off
from models.scenario import MAX_DATED, MAX_WEEKLY, Key
from models.words import DEFAULT_LANGUAGE, Language, phrase
from scheduler import problem as p
from scheduler.lookup import covers, minute_of, spans_on
from scheduler.timegrid import from_aware

# A replanning mark's reason is stored text, written once in the planners' language (Dutch)
# from the catalogue ("replan.…", the weekday names "date.weekday.…").
MARKS: Language = DEFAULT_LANGUAGE
DAGEN = tuple(
    phrase(f"date.weekday.{d}", MARKS) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)
WEEKLY_FIELDS = ("weekday", "start", "end", "valid_from", "valid_to")
ONE_OFF_FIELDS = ("day", "start", "end")
CLOSURE_FIELDS = ("first", "last", "reason")
_KEY: TypeAdapter[str] = TypeAdapter(Key)


class BreaksSessions(Exception):
    """The change would break these published sessions and was not confirmed."""

    def __init__(self, rows: Sequence[e.PublishedSession]) -> None:
        super().__init__(f"breaks {len(rows)} published session(s)")
        self.rows = list(rows)


# --- does a published session still fit ------------------------------------------------


def session_fits(
    availability: p.Availability, start: datetime, end: datetime, *, at_school: bool
) -> bool:
    """Whether [start, end) (naive Amsterdam wall time) lies inside ONE open span of its day.

    As the engine's validator decides it: open spans are ``Availability.windows_on`` (weekly
    windows valid that day, one-off windows, merged; nothing on a closed day); an activity
    held at the school ignores the site's hours and only minds its closures.
    """
    day = start.date()
    if end.date() != day:
        return False
    if at_school:
        return not any(c.contains(day) for c in availability.closures)
    return covers(spans_on(availability, day), minute_of(start), minute_of(end))


def _guard_rows(
    session: Session,
    location: e.Location,
    breaks: Callable[[e.PublishedSession], bool],
    *,
    confirm: bool,
    reason: str,
    actor: Actor,
    now: datetime,
) -> list[str]:
    """Refuse (BreaksSessions) or mark the published sessions at ``location`` that have not
    started and that ``breaks``; their UIDs."""
    upcoming = upcoming_published(session, now_wall=from_aware(now), location_id=location.id)
    broken = affected(upcoming, breaks)
    if broken and not confirm:
        raise BreaksSessions(broken)
    mark_for_replanning(session, broken, reason=f"{location.key}: {reason}", actor=actor, now=now)
    return [row.uid for row in broken]


def _guard(
    session: Session,
    location: e.Location,
    after: p.Availability,
    *,
    confirm: bool,
    reason: str,
    actor: Actor,
    now: datetime,
) -> list[str]:
    """``_guard_rows`` for a change of open time: sessions that fit now and not ``after``."""
    before = location_availability(location)

    def breaks(row: e.PublishedSession) -> bool:
        at_school = row.request.activity_type.at_school
        return session_fits(before, row.start, row.end, at_school=at_school) and not session_fits(
            after, row.start, row.end, at_school=at_school
        )

    return _guard_rows(
        session, location, breaks, confirm=confirm, reason=reason, actor=actor, now=now
    )


def guard_capacity(
    session: Session,
    location: e.Location,
    capacity: int,
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> list[str]:
    """Lowering the seats below a published session's headcount (as the engine's validator
    counts it: not at school, not an activity whose capacity is soft) is refused unless
    confirmed; confirmed, those sessions are marked. Their UIDs."""
    old = location.capacity

    def breaks(row: e.PublishedSession) -> bool:
        activity = row.request.activity_type
        if activity.at_school or activity.capacity_soft:
            return False
        return capacity < participants(row) <= old

    if capacity >= old:
        return []
    return _guard_rows(
        session, location, breaks, confirm=confirm, actor=actor, now=now,
        reason=phrase("replan.capacity", MARKS, capacity=capacity, old=old),
    )  # fmt: skip


def _needed(row: e.PublishedSession, equipment: e.EquipmentType) -> int:
    """How many of ``equipment`` a session needs (0: none, or it is held at the school)."""
    activity = row.request.activity_type
    if activity.at_school:
        return 0
    for need in activity.equipment:
        if need.equipment_type_id == equipment.id:
            return need.quantity * participants(row) if need.per == "participant" else need.quantity
    return 0


def _audit(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    key: str,
    action: str,
    changes: dict[str, list[Any]],
    broken: list[str],
    now: datetime,
) -> None:
    if broken:  # a confirmed change says which sessions it sent back to the planner
        changes = {**changes, "sessions_marked_for_replanning": [None, broken]}
    record(session, actor, entity=entity, key=key, action=action, changes=changes, now=now)


# --- the availability after a change -----------------------------------------------------


def _weekly(row: e.LocationWindow | WeeklyValues) -> p.WeeklyWindow:
    return p.WeeklyWindow(row.weekday, row.start, row.end, row.valid_from, row.valid_to)


def _with(
    location: e.Location,
    *,
    weekly: tuple[int | None, WeeklyValues | None] | None = None,
    one_off: tuple[int, OneOffValues | None] | None = None,
    closure: tuple[int | None, ClosureValues | None] | None = None,
) -> p.Availability:
    """The location's availability with one row replaced (values), removed (None) or added
    (id None)."""
    av = location_availability(location)
    if weekly is not None:
        row_id, new = weekly
        kept = [_weekly(w) for w in location.windows if w.id != row_id]
        av = replace(av, weekly=tuple(kept + ([_weekly(new)] if new else [])))
    if one_off is not None:
        row_id, values = one_off
        kept_dated = [
            p.DatedWindow(w.day, w.start, w.end) for w in location.one_off_windows if w.id != row_id
        ]
        if values:
            kept_dated.append(p.DatedWindow(values.day, values.start, values.end))
        av = replace(av, one_off=tuple(kept_dated))
    if closure is not None:
        row_id, range_ = closure
        kept_ranges = [
            p.DateRange(c.first, c.last, c.reason) for c in location.closures if c.id != row_id
        ]
        if range_:
            kept_ranges.append(p.DateRange(range_.first, range_.last, range_.reason))
        av = replace(av, closures=tuple(kept_ranges))
    return av


# --- values, merged from a row and a partial change ---------------------------------------


@dataclass(frozen=True)
class WeeklyValues:
    weekday: int
    start: time
    end: time
    valid_from: date | None
    valid_to: date | None

    def text(self) -> str:
        valid = ""
        if self.valid_from or self.valid_to:
            valid = f" ({self.valid_from or '...'}..{self.valid_to or '...'})"
        return f"{DAGEN[self.weekday - 1]} {self.start:%H:%M}-{self.end:%H:%M}{valid}"


@dataclass(frozen=True)
class OneOffValues:
    day: date
    start: time
    end: time

    def text(self) -> str:
        return f"{self.day} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class ClosureValues:
    first: date
    last: date
    reason: str

    def text(self) -> str:
        return f"{self.first}..{self.last}" + (f" ({self.reason})" if self.reason else "")


def _merged(row: object | None, fields: Sequence[str], changes: Mapping[str, Any]) -> dict:
    unknown = set(changes) - set(fields)
    if unknown:
        raise LocationChangeError("invalid", f"$.{min(unknown)}", "is not a field you may set")
    values = {name: getattr(row, name) if row is not None else None for name in fields}
    values.update(changes)
    return values


def _end_after_start(start: time, end: time) -> None:
    if end <= start:
        raise LocationChangeError(
            "invalid", "$.end", f"end {end:%H:%M} is not after start {start:%H:%M}"
        )


def _check_weekly(location: e.Location, values: WeeklyValues, row_id: int | None) -> None:
    """End after start, a valid range in order, and no overlap with another weekly window of
    the same weekday whose dates overlap too (as in scenario files; answered 409)."""
    _end_after_start(values.start, values.end)
    if values.valid_from and values.valid_to and values.valid_to < values.valid_from:
        raise LocationChangeError(
            "invalid",
            "$.valid_to",
            f"valid_to {values.valid_to} is before valid_from {values.valid_from}",
        )
    for other in location.windows:
        if other.id == row_id or other.weekday != values.weekday:
            continue
        if not (other.start < values.end and values.start < other.end):
            continue
        a_from, a_to = values.valid_from or date.min, values.valid_to or date.max
        b_from, b_to = other.valid_from or date.min, other.valid_to or date.max
        if a_from <= b_to and b_from <= a_to:
            raise LocationChangeError(
                "conflict",
                "$",
                f"overlaps the weekly window {_weekly_text(other)} (id {other.id}) of location "
                f"{location.key} on the same weekday",
            )


def _weekly_text(row: e.LocationWindow) -> str:
    return WeeklyValues(row.weekday, row.start, row.end, row.valid_from, row.valid_to).text()


def _check_one_off(location: e.Location, values: OneOffValues, row_id: int | None) -> None:
    check_one_off(location, values.day, values.start, values.end, row_id=row_id)


def _check_closure(values: ClosureValues) -> None:
    if values.last < values.first:
        raise LocationChangeError(
            "invalid", "$.last", f"last {values.last} is before first {values.first}"
        )


def _key(location: e.Location, row_id: int) -> str:
    return f"{location.key}/{row_id}"


# --- equipment ---------------------------------------------------------------------------


def find_equipment_type(session: Session, code: str) -> e.EquipmentType | None:
    """The equipment type ``code``; None also for a text that cannot be a code (PostgreSQL
    refuses some of them, NUL, outright)."""
    try:
        _KEY.validate_python(code)
    except ValidationError:
        return None
    return session.scalars(
        select(e.EquipmentType).where(e.EquipmentType.code == code)
    ).one_or_none()


def _bump(location: e.Location) -> None:
    """Equipment is part of the location's ETag: a change of it writes a new location version."""
    flag_modified(location, "capacity")


def set_equipment(
    session: Session,
    location: e.Location,
    equipment: e.EquipmentType,
    quantity: int,
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> bool:
    """Set one equipment entry (added when new); True when it was new. Lowering it below what
    a published session needs is refused unless confirmed. Audited on the location."""
    row = next((q for q in location.equipment if q.equipment_type_id == equipment.id), None)
    old = row.quantity if row is not None else None
    broken = _guard_equipment(
        session, location, equipment, old or 0, quantity, confirm=confirm, actor=actor, now=now
    )
    if row is None:
        location.equipment.append(e.LocationEquipment(equipment_type=equipment, quantity=quantity))
    else:
        row.quantity = quantity
    if old != quantity:
        _bump(location)
        _audit(session, actor, entity="location", key=location.key, action="update",
               changes={f"equipment.{equipment.code}": [old, quantity]}, broken=broken,
               now=now)  # fmt: skip
    return row is None


def remove_equipment(
    session: Session,
    location: e.Location,
    equipment: e.EquipmentType,
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> None:
    """Remove one equipment entry; LocationChangeError("missing") when the location has none."""
    row = next((q for q in location.equipment if q.equipment_type_id == equipment.id), None)
    if row is None:
        raise LocationChangeError(
            "missing", "code", f"location {location.key} has no {equipment.code}"
        )
    broken = _guard_equipment(
        session, location, equipment, row.quantity, 0, confirm=confirm, actor=actor, now=now
    )
    location.equipment.remove(row)
    _bump(location)
    _audit(session, actor, entity="location", key=location.key, action="update",
           changes={f"equipment.{equipment.code}": [row.quantity, None]}, broken=broken,
           now=now)  # fmt: skip


def _guard_equipment(
    session: Session,
    location: e.Location,
    equipment: e.EquipmentType,
    old: int,
    new: int,
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> list[str]:
    if new >= old:
        return []
    return _guard_rows(
        session, location, lambda row: new < _needed(row, equipment) <= old, confirm=confirm,
        reason=phrase("replan.equipment", MARKS, quantity=new, equipment=equipment.code, old=old),
        actor=actor, now=now,
    )  # fmt: skip


# --- weekly windows ----------------------------------------------------------------------


def add_weekly(
    session: Session,
    location: e.Location,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> e.LocationWindow:
    """Add ONE weekly window (it only adds time, so no published session can break)."""
    merged = WeeklyValues(**_merged(None, WEEKLY_FIELDS, values))
    _check_weekly(location, merged, None)
    if len(location.windows) >= MAX_WEEKLY:
        raise LocationChangeError(
            "conflict", "$", f"location {location.key} already has {MAX_WEEKLY} weekly windows"
        )
    row = e.LocationWindow(**{name: getattr(merged, name) for name in WEEKLY_FIELDS})
    location.windows.append(row)
    session.flush()
    record(session, actor, entity="location_weekly_window", key=_key(location, row.id),
           action="create", changes={k: [None, v] for k, v in snapshot(row, WEEKLY_FIELDS).items()},
           now=now)  # fmt: skip
    return row


def update_weekly(
    session: Session,
    location: e.Location,
    row: e.LocationWindow,
    changes: Mapping[str, Any],
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> None:
    """Change the named fields of one weekly window; 409-unless-confirmed when it shrinks."""
    merged = WeeklyValues(**_merged(row, WEEKLY_FIELDS, changes))
    _check_weekly(location, merged, row.id)
    before = snapshot(row, WEEKLY_FIELDS)
    broken = _guard(
        session, location, _with(location, weekly=(row.id, merged)), confirm=confirm,
        reason=phrase("replan.weekly_changed", MARKS, old=_weekly_text(row), new=merged.text()),
        actor=actor, now=now,
    )  # fmt: skip
    for name in WEEKLY_FIELDS:
        setattr(row, name, getattr(merged, name))
    _audit(session, actor, entity="location_weekly_window", key=_key(location, row.id),
           action="update", changes=diff(before, snapshot(row, WEEKLY_FIELDS)), broken=broken,
           now=now)  # fmt: skip


def delete_weekly(
    session: Session,
    location: e.Location,
    row: e.LocationWindow,
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> None:
    broken = _guard(
        session, location, _with(location, weekly=(row.id, None)), confirm=confirm,
        reason=phrase("replan.weekly_removed", MARKS, old=_weekly_text(row)), actor=actor, now=now,
    )  # fmt: skip
    before = snapshot(row, WEEKLY_FIELDS)
    location.windows.remove(row)
    _audit(session, actor, entity="location_weekly_window", key=_key(location, row.id),
           action="delete", changes={k: [v, None] for k, v in before.items()}, broken=broken,
           now=now)  # fmt: skip


# --- one-off windows ---------------------------------------------------------------------


def audit_one_off_added(
    session: Session, location: e.Location, row: e.LocationOneOffWindow, *, actor: Actor,
    now: datetime,
) -> None:  # fmt: skip
    """The audit entry of a one-off window just added (models/locations.add_one_off_window)."""
    session.flush()
    record(session, actor, entity="location_one_off_window", key=_key(location, row.id),
           action="create",
           changes={k: [None, v] for k, v in snapshot(row, ONE_OFF_FIELDS).items()},
           now=now)  # fmt: skip


def update_one_off(
    session: Session,
    location: e.Location,
    row: e.LocationOneOffWindow,
    changes: Mapping[str, Any],
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> None:
    merged = OneOffValues(**_merged(row, ONE_OFF_FIELDS, changes))
    _check_one_off(location, merged, row.id)
    before = snapshot(row, ONE_OFF_FIELDS)
    old = OneOffValues(row.day, row.start, row.end)
    broken = _guard(
        session, location, _with(location, one_off=(row.id, merged)), confirm=confirm,
        reason=phrase("replan.one_off_changed", MARKS, old=old.text(), new=merged.text()),
        actor=actor, now=now,
    )  # fmt: skip
    for name in ONE_OFF_FIELDS:
        setattr(row, name, getattr(merged, name))
    _audit(session, actor, entity="location_one_off_window", key=_key(location, row.id),
           action="update", changes=diff(before, snapshot(row, ONE_OFF_FIELDS)), broken=broken,
           now=now)  # fmt: skip


def delete_one_off(
    session: Session,
    location: e.Location,
    row: e.LocationOneOffWindow,
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> None:
    old = OneOffValues(row.day, row.start, row.end)
    broken = _guard(
        session, location, _with(location, one_off=(row.id, None)), confirm=confirm,
        reason=phrase("replan.one_off_removed", MARKS, old=old.text()), actor=actor, now=now,
    )  # fmt: skip
    before = snapshot(row, ONE_OFF_FIELDS)
    location.one_off_windows.remove(row)
    _audit(session, actor, entity="location_one_off_window", key=_key(location, row.id),
           action="delete", changes={k: [v, None] for k, v in before.items()}, broken=broken,
           now=now)  # fmt: skip


# --- closures ----------------------------------------------------------------------------


def add_closure(
    session: Session,
    location: e.Location,
    values: Mapping[str, Any],
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> e.LocationClosure:
    merged = ClosureValues(**{"reason": "", **_merged(None, CLOSURE_FIELDS, values)})
    _check_closure(merged)
    if len(location.closures) >= MAX_DATED:
        raise LocationChangeError(
            "conflict", "$", f"location {location.key} already has {MAX_DATED} closures"
        )
    broken = _guard(
        session, location, _with(location, closure=(None, merged)), confirm=confirm,
        reason=phrase("replan.closed", MARKS, closure=merged.text()), actor=actor, now=now,
    )  # fmt: skip
    row = e.LocationClosure(first=merged.first, last=merged.last, reason=merged.reason)
    location.closures.append(row)
    session.flush()
    _audit(session, actor, entity="location_closure", key=_key(location, row.id),
           action="create",
           changes={k: [None, v] for k, v in snapshot(row, CLOSURE_FIELDS).items()},
           broken=broken, now=now)  # fmt: skip
    return row


def update_closure(
    session: Session,
    location: e.Location,
    row: e.LocationClosure,
    changes: Mapping[str, Any],
    *,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> None:
    merged = ClosureValues(**_merged(row, CLOSURE_FIELDS, changes))
    _check_closure(merged)
    before = snapshot(row, CLOSURE_FIELDS)
    broken = _guard(
        session, location, _with(location, closure=(row.id, merged)), confirm=confirm,
        reason=phrase("replan.closed", MARKS, closure=merged.text()), actor=actor, now=now,
    )  # fmt: skip
    for name in CLOSURE_FIELDS:
        setattr(row, name, getattr(merged, name))
    _audit(session, actor, entity="location_closure", key=_key(location, row.id),
           action="update", changes=diff(before, snapshot(row, CLOSURE_FIELDS)), broken=broken,
           now=now)  # fmt: skip


def delete_closure(
    session: Session,
    location: e.Location,
    row: e.LocationClosure,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Remove a closure: it only gives time back, so no published session can break."""
    before = snapshot(row, CLOSURE_FIELDS)
    location.closures.remove(row)
    record(session, actor, entity="location_closure", key=_key(location, row.id),
           action="delete", changes={k: [v, None] for k, v in before.items()},
           now=now)  # fmt: skip
