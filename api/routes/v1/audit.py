"""GET /api/v1/audit: planners read who changed what, filtered and a page at a time.

Only planners read the audit (it spans every partner); every other role gets 403, which says
nothing about any entry. Secrets never reach the trail (models/audit.py) and are dropped
again on the way out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ApiSessionDep, PrincipalDep, require_role
from api.problems import Problem, responses
from api.routes.v1.schemas import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE
from models import entities as e
from models.audit_read import (
    AMSTERDAM,
    AuditFilter,
    AuditFilterError,
    clean_text,
    parse_entity,
    parse_moment,
    read_audit,
    shown_changes,
)
from models.feeds import as_utc

router = APIRouter(prefix="/audit", tags=["audit"])

Action = Literal["create", "update", "delete", "erase"]


class AuditActor(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str = Field(description="the key's role, or 'cli' for the command line")
    label: str = Field(description="the key's label, or the command ('campus load a.yaml')")


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime = Field(description="when, Amsterdam time with its offset")
    actor: AuditActor
    entity: str = Field(description="the kind of entity: location, trainer, partner, ...")
    key: str = Field(description="the entity's key ('ww-hal', 'ww-hal/one-off/12')")
    action: str = Field(description="create, update, delete or erase")
    changes: dict[str, Any] = Field(
        description="field -> [old, new]; a created entity's old values and a deleted one's "
        "new values are null; an erase entry never holds the erased values"
    )


class AuditPageOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[AuditEntry]
    total: int = Field(description="how many entries match the filters in all")
    limit: int
    offset: int


def _filter(
    entity: str | None, actor: str | None, action: str | None, since: str | None, until: str | None
) -> AuditFilter:
    kind, key = parse_entity(entity) if entity is not None else (None, None)
    return AuditFilter(
        entity=kind,
        key=key,
        actor=clean_text("actor", actor) if actor is not None else None,
        action=action,
        since=parse_moment("since", since, end_of_day=False) if since is not None else None,
        until=parse_moment("until", until, end_of_day=True) if until is not None else None,
    )


def _entry(row: e.AuditEvent) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=as_utc(row.at).astimezone(AMSTERDAM),
        actor=AuditActor(role=row.actor_role, label=row.actor_label),
        entity=row.entity,
        key=row.entity_key,
        action=row.action,
        changes=shown_changes(row.changes),
    )


@router.get("", operation_id="listAuditEntries", responses=responses(401, 403, 422))
def get_audit(
    session: ApiSessionDep,
    principal: PrincipalDep,
    entity: Annotated[
        str | None,
        Query(
            max_length=241,
            description="'location' for every location, 'location/ww-hal' for one (and its "
            "windows, closures, ...)",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        Query(max_length=200, description="part of the actor's label, in any case"),
    ] = None,
    action: Action | None = None,
    since: Annotated[
        str | None,
        Query(
            max_length=40,
            description="from this moment: 2027-03-01 (that day's start) or 2027-03-01T08:00 "
            "(Amsterdam time unless an offset is given)",
        ),
    ] = None,
    until: Annotated[
        str | None,
        Query(
            max_length=40,
            description="before this moment; a date includes that whole day",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AuditPageOut:
    """Audit entries, newest first: who (role and label), when, which entity, what changed."""
    require_role(principal, "planner", what="the audit")
    try:
        page = read_audit(
            session, _filter(entity, actor, action, since, until), limit=limit, offset=offset
        )
    except AuditFilterError as exc:
        raise Problem(
            422,
            f"{exc.parameter}: {exc.reason}",
            errors=[{"in": "query", "path": exc.parameter, "reason": exc.reason}],
        ) from None
    return AuditPageOut(
        items=[_entry(row) for row in page.items], total=page.total, limit=limit, offset=offset
    )
