"""/api/v1/replan-marks: the published sessions that confirmed changes sent back for re-planning.

A planner reads every open mark, a company those at its own locations (the sessions its own
closures and window changes broke); schools and trainers get 403.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ApiSessionDep, PrincipalDep, require_role
from api.problems import responses
from api.routes.v1.schemas import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE
from api.routes.v1.slot_schemas import ReplanMarkOut, ReplanMarkPage
from models.bookings import open_marks

router = APIRouter(prefix="/replan-marks", tags=["replan-marks"])


def _utc(moment: datetime) -> datetime:
    """Stored in UTC; SQLite gives it back without its zone, PostgreSQL with it."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@router.get("", operation_id="listReplanMarks", responses=responses(401, 403, 422))
def get_replan_marks(
    session: ApiSessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ReplanMarkPage:
    """Open marks in this key's scope, oldest first, a page at a time."""
    require_role(principal, "planner", "company", what="replan-marks")
    page = open_marks(session, principal, limit=limit, offset=offset)
    return ReplanMarkPage(
        items=[
            ReplanMarkOut(
                id=mark.id,
                session=mark.published_session.uid,
                request=mark.published_session.request.key,
                session_number=mark.published_session.session_index,
                location=mark.published_session.location.key,
                start=mark.published_session.start,
                end=mark.published_session.end,
                reason=mark.reason,
                marked_at=_utc(mark.created_at),
                marked_by=mark.actor_label,
            )
            for mark in page.items
        ],
        total=page.total,
        limit=limit,
        offset=offset,
    )
