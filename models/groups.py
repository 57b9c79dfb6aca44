"""Groups as the HTTP API reads and changes them, always within a principal's scope.

Scope is decided in one place, models/school_groups.py: a planner sees every group, a
school its own groups (those whose school is the key's partner). Anything outside the scope
is answered exactly like a key that does not exist (None), so no school can tell another
school's group from a typo. Changes are per entity: adding or removing one unavailable
period touches that period's row and nothing else of the group.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, diff, record, snapshot
from models.keys import Principal
from models.scenario import MAX_DATED, Unavailable
from models.school_groups import GROUP_ROLES, GroupChangeError, is_key, scoped_groups

__all__ = ["GROUP_ROLES", "GroupChangeError", "add_unavailable", "find_group", "remove_unavailable"]


def find_group(session: Session, principal: Principal, key: str) -> e.Group | None:
    """The group ``key`` with its unavailable periods if it exists and is in scope; None in
    every other case (a text that cannot be a key is not looked up at all)."""
    if not is_key(key):
        return None
    query = scoped_groups(principal).where(e.Group.key == key)
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
