"""Reading the audit trail: planners filter it by entity, actor, action and time.

Filters are decided here so the API and any later screen read the same rows. Times are
stored in UTC; a filter given as Amsterdam wall time (or a date: its whole Amsterdam day) is
converted once, on the way in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from models import entities as e
from models.audit import SECRET_FIELDS
from models.text import control_character

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_ENTITY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class AuditFilterError(ValueError):
    """A filter that cannot be applied: which parameter, and why."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; every field left as None matches everything."""

    entity: str | None = None  # "location"
    key: str | None = None  # "ww-hal": the entity itself and its children ("ww-hal/one-off/3")
    actor: str | None = None  # part of the actor's label, any case
    action: str | None = None
    since: datetime | None = None  # aware; rows at or after it
    until: datetime | None = None  # aware; rows before it


@dataclass(frozen=True)
class AuditPage:
    items: list[e.AuditEvent]
    total: int


def clean_text(parameter: str, text: str) -> str:
    """``text`` if it holds no control character (PostgreSQL refuses NUL outright)."""
    bad = control_character(text)
    if bad is not None:
        raise AuditFilterError(parameter, f"contains the control character {bad[1]}")
    return text


def parse_entity(text: str) -> tuple[str, str | None]:
    """``location`` or ``location/ww-hal`` (a key may itself contain '/')."""
    kind, _, key = clean_text("entity", text).partition("/")
    if not _ENTITY.match(kind):
        raise AuditFilterError(
            "entity",
            "must be an entity kind such as 'location', optionally followed by '/' and a key "
            "('location/ww-hal')",
        )
    if "/" in text and not key:
        raise AuditFilterError("entity", f"the key after '{kind}/' is empty")
    if len(key) > 200:
        raise AuditFilterError("entity", "the key is longer than 200 characters")
    return kind, key or None


def parse_moment(parameter: str, text: str, *, end_of_day: bool) -> datetime:
    """An ISO date-time (Amsterdam wall time unless it carries an offset) or a date.

    A date stands for its whole Amsterdam day: ``since`` starts at its midnight, ``until``
    ends at the next midnight, so ``since=until=2027-03-01`` is that one day.
    """
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end_of_day:
                day += timedelta(days=1)
            moment = datetime.combine(day, time(0, 0))
        else:
            moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=AMSTERDAM)
        moment = moment.astimezone(UTC)
    except ValueError:
        raise AuditFilterError(
            parameter,
            "must be a date (2027-03-01) or a date-time (2027-03-01T08:00, Amsterdam time, "
            "or with an offset such as +01:00)",
        ) from None
    except OverflowError:
        raise AuditFilterError(parameter, "must lie between the years 1900 and 9998") from None
    if not 1900 <= moment.year <= 9998:
        raise AuditFilterError(parameter, "must lie between the years 1900 and 9998")
    return moment


def _filtered(f: AuditFilter) -> Select[tuple[e.AuditEvent]]:
    query = select(e.AuditEvent)
    if f.entity is not None:
        query = query.where(e.AuditEvent.entity == f.entity)
    if f.key is not None:
        query = query.where(
            or_(
                e.AuditEvent.entity_key == f.key,
                e.AuditEvent.entity_key.startswith(f.key + "/", autoescape=True),
            )
        )
    if f.actor:
        query = query.where(
            func.lower(e.AuditEvent.actor_label).contains(f.actor.lower(), autoescape=True)
        )
    if f.action is not None:
        query = query.where(e.AuditEvent.action == f.action)
    # Stored as UTC (SQLite keeps the UTC wall time, PostgreSQL an instant): compare in UTC.
    if f.since is not None:
        query = query.where(e.AuditEvent.at >= f.since.astimezone(UTC))
    if f.until is not None:
        query = query.where(e.AuditEvent.at < f.until.astimezone(UTC))
    return query


def read_audit(session: Session, f: AuditFilter, *, limit: int, offset: int) -> AuditPage:
    """Matching rows, newest first (ties by id, newest first); ``total`` counts them all."""
    if f.since is not None and f.until is not None and f.until <= f.since:
        raise AuditFilterError("until", "is not after since: no entry can match")
    query = _filtered(f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(e.AuditEvent.at.desc(), e.AuditEvent.id.desc()).limit(limit).offset(offset)
    ).all()
    return AuditPage(list(rows), total)


def shown_changes(changes: Any) -> dict[str, Any]:
    """The changes as a reader gets them: never a secret field, even one written by hand."""
    if not isinstance(changes, dict):
        return {}
    return {str(k): v for k, v in changes.items() if k not in SECRET_FIELDS}
