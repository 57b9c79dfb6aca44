"""/api/v1/sessions/{uid}/attendance: was a published session held, and how many came.

A trainer reads and marks the sessions they teach (any other session is 404, as a missing
one); a planner any session; company and school keys get 403. The first mark is created
without If-Match (201); changing a mark needs the ETag of the last GET (428, 412).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.etag import IfMatchDep, check_if_match, set_etag
from api.problems import Problem, responses
from models.attendance import AttendanceError, Mark, find_session, group_size, mark_attendance
from models.feeds import as_utc
from models.keys import Principal

router = APIRouter(prefix="/sessions", tags=["attendance"])
WHAT = "attendance"
Uid = Annotated[
    str, Path(max_length=200, description="the session's calendar UID, as in the feeds")
]


class AttendanceIn(BaseModel):
    """A mark: held (with the number who attended) or not held."""

    model_config = ConfigDict(extra="forbid")

    held: bool = Field(strict=True)
    attended: int | None = Field(
        default=None, strict=True, ge=0, le=100_000,
        description="who attended: 1 up to the groups' headcount when held; leave out when not",
    )  # fmt: skip


class AttendanceOut(BaseModel):
    """A published session and its mark (``marked`` false: not marked yet)."""

    model_config = ConfigDict(frozen=True)

    uid: str
    request: str
    session: int = Field(description="1 for the request's first session")
    date: dt.date
    start: str = Field(description="Amsterdam wall time, HH:MM")
    end: str = Field(description="Amsterdam wall time, HH:MM")
    status: str = Field(description="confirmed or cancelled in the published plan")
    group_size: int = Field(description="pupils in the session's groups together")
    marked: bool
    held: bool | None
    attended: int | None
    marked_at: dt.datetime | None = Field(description="when it was marked (UTC)")
    marked_by: str | None = Field(description="the label of whoever marked it")


def _out(mark: Mark) -> AttendanceOut:
    ps, row = mark.session, mark.attendance
    return AttendanceOut(
        uid=ps.uid,
        request=ps.request.key,
        session=ps.session_index,
        date=ps.start.date(),
        start=f"{ps.start:%H:%M}",
        end=f"{ps.end:%H:%M}",
        status=ps.status,
        group_size=group_size(ps),
        marked=row is not None,
        held=row.held if row else None,
        attended=row.attended if row else None,
        marked_at=as_utc(row.marked_at) if row else None,
        marked_by=row.marked_by if row else None,
    )


def _author(principal: Principal) -> str:
    """Who a mark shows as its author: the key's label, else the trainer it speaks for."""
    if principal.label:
        return principal.label
    return f"trainer {principal.trainer}" if principal.trainer else principal.role


def _mark(session: Session, principal: Principal, uid: str) -> Mark:
    require_role(principal, "planner", "trainer", what=WHAT)
    mark = find_session(session, uid, trainer=principal.trainer if principal.role == "trainer"
                        else None)  # fmt: skip
    if mark is None:
        raise Problem(404, f"no published session {uid!r} that this key may see: check the UID")
    return mark


@router.get(
    "/{uid}/attendance",
    operation_id="getAttendance",
    responses=responses(401, 403, 404, 422),
)
def get_attendance(
    uid: Uid, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> AttendanceOut:
    """The session and its mark; a marked one has an ETag for changing the mark."""
    mark = _mark(session, principal, uid)
    if mark.attendance is not None:
        set_etag(response, mark.attendance)
    return _out(mark)


@router.put(
    "/{uid}/attendance",
    operation_id="markAttendance",
    responses={
        201: {"description": "the first mark of this session", "model": AttendanceOut},
        **responses(401, 403, 404, 409, 412, 422, 428, 503),
    },
)
def put_attendance(
    uid: Uid,
    body: AttendanceIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> AttendanceOut:
    """Mark the session held (with the number who attended) or not held."""
    mark = _mark(session, principal, uid)
    if mark.attendance is not None:
        check_if_match(if_match, mark.attendance, what=f"the attendance of {uid}")
    try:
        row, created = mark_attendance(
            session, mark, held=body.held, attended=body.attended, actor=actor_of(principal),
            now=now, by=_author(principal),
        )  # fmt: skip
    except AttendanceError as exc:
        errors = [{"in": "body", "path": f"$.{exc.field}", "reason": str(exc)}] if exc.field else []
        raise Problem(exc.status, str(exc), errors=errors) from None
    session.flush()  # a concurrent writer's version shows here (StaleDataError -> 412)
    response.status_code = 201 if created else 200
    set_etag(response, row)
    return _out(Mark(mark.session, row))
