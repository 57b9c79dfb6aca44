"""/api/v1/groups/{key}/unavailable: schools declare when a group cannot come at all.

Exam weeks, internship (BPV) periods and trips, one period at a time. Planners see every
group, schools their own; companies and trainers get 403 (the role may never use these
endpoints, which says nothing about any group). A group outside the key's scope is 404,
worded exactly as a key that does not exist. The engine plans none of the group's sessions
on those days from the next solve on (docs/api.md, docs/scenario.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.problems import Problem, responses
from api.routes.v1.schemas import Day
from models import entities as e
from models.groups import (
    GROUP_ROLES,
    GroupChangeError,
    add_unavailable,
    find_group,
    remove_unavailable,
)
from models.keys import Principal
from models.scenario import Name, Unavailable, UnavailableReason
from models.text import excerpt

router = APIRouter(prefix="/groups", tags=["groups"])
WHAT = "groups"
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


class UnavailableIn(BaseModel):
    """One period a group cannot come at all: whole days ``first``..``last`` (both included)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    first: Day
    last: Day
    reason: UnavailableReason = Field(description="exam, internship, trip or other")
    note: Name = Field(default="", description="a short remark for the planner, one line")

    @field_validator("last")
    @classmethod
    def _not_before_first(cls, last: dt.date, info: ValidationInfo) -> dt.date:
        first = info.data.get("first")
        if first is not None and last < first:
            raise ValueError(f"last {last} is before first {first}")
        return last


class UnavailableOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    first: dt.date
    last: dt.date
    reason: str
    note: str


class GroupUnavailableOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    group: str
    unavailable: list[UnavailableOut]


def _group(session: Session, principal: Principal, key: str) -> e.Group:
    require_role(principal, *GROUP_ROLES, what=WHAT)
    group = find_group(session, principal, key)
    if group is None:
        raise Problem(404, f"no group {excerpt(key)} that this key may see: check the key")
    return group


def _out(row: e.GroupUnavailability) -> UnavailableOut:
    return UnavailableOut(
        id=row.id, first=row.first, last=row.last, reason=row.reason, note=row.note
    )


@router.get(
    "/{key}/unavailable",
    operation_id="getGroupUnavailable",
    responses=responses(401, 403, 404),
)
def get_unavailable(
    key: str, session: ApiSessionDep, principal: PrincipalDep
) -> GroupUnavailableOut:
    """The periods the group cannot come at all, each with its id, in the order declared."""
    group = _group(session, principal, key)
    return GroupUnavailableOut(group=group.key, unavailable=[_out(u) for u in group.unavailable])


@router.post(
    "/{key}/unavailable",
    operation_id="addGroupUnavailable",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_unavailable(
    key: str,
    period: UnavailableIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> UnavailableOut:
    """Add ONE period; the group's other periods, windows and fields stay as they were."""
    group = _group(session, principal, key)
    try:
        row = add_unavailable(
            session,
            group,
            Unavailable(**period.model_dump()),
            actor=actor_of(principal),
            now=now,
        )
    except GroupChangeError as exc:
        raise Problem(409, f"{exc.reason}: remove a period first") from None
    session.flush()
    response.headers["Location"] = f"/api/v1/groups/{group.key}/unavailable"
    return _out(row)


@router.delete(
    "/{key}/unavailable/{period_id}",
    operation_id="removeGroupUnavailable",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 422, 503),
)
def delete_unavailable(
    key: str,
    period_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> Response:
    """Remove ONE period by its id (from the list); nothing else of the group changes."""
    group = _group(session, principal, key)
    if not remove_unavailable(session, group, period_id, actor=actor_of(principal), now=now):
        raise Problem(
            404,
            f"group {group.key} has no unavailable period {period_id}: "
            f"GET /api/v1/groups/{group.key}/unavailable lists them",
        )
    session.flush()
    return Response(status_code=204)
