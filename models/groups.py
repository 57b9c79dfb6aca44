"""Groups as the HTTP API reads and changes them, always within a principal's scope.

Scope is decided here, in one place: a planner sees every group, a school its own groups
(those whose school is the key's partner). Anything outside the scope is answered exactly
like a key that does not exist (None), so no school can tell another school's group from a
typo. Changes are per entity: adding or removing one unavailable period touches that
period's row and nothing else of the group.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, diff, record, snapshot
from models.keys import Principal
from models.scenario import MAX_DATED, Key, Unavailable

# Roles that may read groups at all (companies and trainers get 403 from the API).
GROUP_ROLES = ("planner", "school")
_KEY: TypeAdapter[str] = TypeAdapter(Key)


class GroupChangeError(ValueError):
    """A change that cannot be made: it ``conflict``s with what is stored (409)."""

    def __init__(self, kind: str, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.kind = kind
        self.path = path
        self.reason = reason


def _scoped(principal: Principal) -> Select[tuple[e.Group]]:
    query = select(e.Group).join(e.Group.school)
    if principal.role == "planner":
        return query
    if principal.role == "school" and principal.partner:
        return query.where(e.Partner.key == principal.partner)
    return query.where(False)  # nobody else sees a group (the API refuses them earlier)


def find_group(session: Session, principal: Principal, key: str) -> e.Group | None:
    """The group ``key`` with its unavailable periods if it exists and is in scope; None in
    every other case (a text that cannot be a key is not looked up at all)."""
    try:
        _KEY.validate_python(key)
    except ValidationError:
        return None
    query = _scoped(principal).where(e.Group.key == key)
    return session.scalars(query.options(selectinload(e.Group.unavailable))).one_or_none()


UNAVAILABLE_FIELDS = ("first", "last", "reason", "note")


def add_unavailable(
    session: Session, group: e.Group, period: Unavailable, *, actor: Actor, now: datetime
) -> e.GroupUnavailability:
    """Declare ONE period the group cannot come; its other periods and fields stay as they were.

    ``period`` is valid by construction (the scenario format's model: dates in order, a
    known reason, a one-line note); refused here is only what depends on what is stored:
    more than MAX_DATED periods, as a scenario file may hold.
    """
    if len(group.unavailable) >= MAX_DATED:
        raise GroupChangeError(
            "conflict", "$", f"group {group.key} already has {MAX_DATED} unavailable periods"
        )
    row = e.GroupUnavailability(
        first=period.first, last=period.last, reason=period.reason, note=period.note
    )
    group.unavailable.append(row)
    session.flush()  # the id names the period in the audit
    record(
        session,
        actor,
        entity="group-unavailable",
        key=f"{group.key}/{row.id}",
        action="create",
        changes=diff({}, snapshot(row, UNAVAILABLE_FIELDS)),
        now=now,
    )
    return row


def remove_unavailable(
    session: Session, group: e.Group, period_id: int, *, actor: Actor, now: datetime
) -> bool:
    """Remove the group's period ``period_id``; False when the group has no such period."""
    for row in group.unavailable:
        if row.id == period_id:
            record(
                session,
                actor,
                entity="group-unavailable",
                key=f"{group.key}/{row.id}",
                action="delete",
                changes=diff(snapshot(row, UNAVAILABLE_FIELDS), {}),
                now=now,
            )
            group.unavailable.remove(row)  # delete-orphan: the row goes with it
            return True
    return False
