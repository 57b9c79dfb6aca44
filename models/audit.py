"""The audit trail: every write through the API or ``campus load`` says who changed what.

Writers call ``record`` in the same transaction as the change, so a change and its audit
entry are kept or lost together. ``changes`` maps each changed field to ``[old, new]`` as
JSON values; secrets never reach it (``SECRET_FIELDS`` are dropped whatever the caller
passes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from models import entities as e

SECRET_FIELDS = frozenset({"key_hash", "token_hash", "token", "secret", "password"})


@dataclass(frozen=True)
class Actor:
    """Who writes: an API key (role, label, id) or the command line (role "cli")."""

    role: str
    label: str
    key_id: int | None = None


CLI = Actor(role="cli", label="campus CLI")


def json_value(value: Any) -> Any:
    """A field's value as the audit stores it: dates and times as ISO text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def snapshot(row: object, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``row`` as JSON values (before and after a change)."""
    return {name: json_value(getattr(row, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as ``{field: [old, new]}``; a field on one side only too."""
    changed = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changed[name] = [old, new]
    return changed


def record(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    key: str,
    action: str,
    changes: Mapping[str, list[Any]],
    now: datetime | None = None,
) -> e.AuditEvent | None:
    """Add one audit entry; an update that changed nothing is not recorded (None)."""
    kept = {k: v for k, v in changes.items() if k not in SECRET_FIELDS}
    if action == "update" and not kept:
        return None
    row = e.AuditEvent(
        at=now or datetime.now(UTC),
        actor_role=actor.role,
        actor_label=actor.label,
        actor_key_id=actor.key_id,
        entity=entity,
        entity_key=key,
        action=action,
        changes=json_value(kept),
    )
    session.add(row)
    return row
