"""/api/v1/change-requests: parties ask to cancel or move one published session; the planner
decides.

Schools, companies and trainers ask about the sessions in their scope and read their own
change requests with the decision in words (their partner's language); a session or change
request outside the key's scope is 404, worded as one that does not exist. Planners see and
decide all; a decision is planners only (403 for the others). Rules: models/change_requests.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Query, Response
from pydantic import Field, field_validator

from api.deps import (
    ApiSessionDep,
    EngineDep,
    NowDep,
    PrincipalDep,
    actor_of,
    reader_language,
    require_role,
)
from api.problems import Problem, responses
from api.routes.v1.changes import email_after_response
from api.routes.v1.schemas import DEFAULT_PAGE, KEY_PATTERN, MAX_OFFSET, MAX_PAGE, _In, _Out
from api.routes.v1.sessions import UID_PATTERN, WALL_TIME, MoveOut, move_out, refused
from models import entities as e
from models.change_requests import (
    ASK_ROLES,
    MAX_TEXT,
    ChangeRequestError,
    ask,
    decide,
    find_change_request,
    list_change_requests,
    notice_text,
)
from models.moves import MoveRefused
from models.words import Language

router = APIRouter(prefix="/change-requests", tags=["change requests"])
WHAT = "change requests"
MAX_ID = 2**31 - 1
ChangeId = Annotated[int, Path(ge=1, le=MAX_ID, description="the change request's id")]
Text = Annotated[str, Field(max_length=MAX_TEXT)]


class ChangeRequestIn(_In):
    """Ask to cancel or move one published session, saying why (a move may add a wish)."""

    session: str = Field(max_length=200, pattern=UID_PATTERN, description="the session's UID")
    kind: Literal["cancel", "move"]
    reason: Text = Field(min_length=1, description="why, in the party's words")
    wish: Text = Field(default="", description="for a move: when or where instead")


class DecisionIn(_In):
    """The planner's decision: move (with where to), cancel, or refuse (with a reason)."""

    decision: Literal["move", "cancel", "refuse"]
    reason: Text = Field(default="", description="what the party reads; needed to refuse")
    start: str | None = Field(
        default=None, pattern=WALL_TIME, description="a move: Amsterdam wall time"
    )
    location: str | None = Field(default=None, max_length=80, pattern=KEY_PATTERN)
    trainers: list[Annotated[str, Field(max_length=80, pattern=KEY_PATTERN)]] | None = Field(
        default=None, min_length=1, max_length=10
    )

    @field_validator("start")
    @classmethod
    def _wall_time(cls, value: str | None) -> str | None:
        if value is not None:
            dt.datetime.fromisoformat(value)
        return value


class ChangeRequestOut(_Out):
    id: int
    session: str = Field(description="the session's UID")
    request: str = Field(description="the request (booking) the session belongs to")
    activity: str
    start: dt.datetime = Field(description="the session as published, Amsterdam wall time")
    end: dt.datetime
    location: str
    kind: str = Field(description="cancel or move")
    reason: str
    wish: str
    status: str = Field(description="open, moved, cancelled or refused")
    asked_by: str = Field(description="the role that asked: school, company, trainer, planner")
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str
    run: int | None = Field(description="the run the decision made (moved, cancelled)")
    message: str = Field(description="what the party reads, in its language")
    lang: str


class ChangeRequestPage(_Out):
    items: list[ChangeRequestOut]
    total: int
    limit: int
    offset: int


class DecisionOut(ChangeRequestOut):
    move: MoveOut | None = Field(default=None, description="the move made (decision move)")


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).replace(microsecond=0)


def _out(row: e.ChangeRequest, lang: Language) -> dict[str, object]:
    ps = row.published_session
    return {
        "id": row.id,
        "session": ps.uid,
        "request": ps.request.key,
        "activity": ps.request.activity_type.code,
        "start": ps.start,
        "end": ps.end,
        "location": ps.location.key,
        "kind": row.kind,
        "reason": row.reason,
        "wish": row.wish,
        "status": row.status,
        "asked_by": row.asked_role,
        "created_at": _utc(row.created_at),
        "decided_at": _utc(row.decided_at),
        "decision_reason": row.decision_reason,
        "run": row.run_id,
        "message": notice_text(row, lang),
        "lang": lang,
    }


def _problem(exc: ChangeRequestError) -> Problem:
    status = {"missing": 404, "conflict": 409}.get(exc.kind, 422)
    errors = [{"in": "body", "path": exc.path, "reason": exc.reason}] if status == 422 else []
    return Problem(status, exc.reason, errors=errors)


@router.post(
    "",
    operation_id="askChange",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_change_request(
    body: ChangeRequestIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> ChangeRequestOut:
    """Ask to cancel or move one published session of your own."""
    require_role(principal, *ASK_ROLES, what=WHAT)
    try:
        row = ask(
            session, principal, body.session, kind=body.kind, reason=body.reason,
            wish=body.wish, actor=actor_of(principal), now=now,
        )  # fmt: skip
    except ChangeRequestError as exc:
        raise _problem(exc) from None
    response.headers["Location"] = f"/api/v1/change-requests/{row.id}"
    return ChangeRequestOut(**_out(row, reader_language(session, principal)))  # type: ignore[arg-type]


@router.get("", operation_id="listChangeRequests", responses=responses(401, 403, 422))
def get_change_requests(
    session: ApiSessionDep,
    principal: PrincipalDep,
    status: Annotated[
        Literal["open", "moved", "cancelled", "refused"] | None,
        Query(description="only change requests in this status (open: still to decide)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ChangeRequestPage:
    """Your change requests (a planner: all), oldest first, with their decisions."""
    require_role(principal, *ASK_ROLES, what=WHAT)
    lang = reader_language(session, principal)
    page = list_change_requests(session, principal, status=status, limit=limit, offset=offset)
    return ChangeRequestPage(
        items=[ChangeRequestOut(**_out(r, lang)) for r in page.items],  # type: ignore[arg-type]
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{change_id}", operation_id="getChangeRequest", responses=responses(401, 403, 404, 422)
)
def get_change_request(
    change_id: ChangeId, session: ApiSessionDep, principal: PrincipalDep
) -> ChangeRequestOut:
    """One change request with its decision."""
    require_role(principal, *ASK_ROLES, what=WHAT)
    row = find_change_request(session, principal, change_id)
    if row is None:
        raise Problem(404, f"no change request {change_id} that this key may see")
    return ChangeRequestOut(**_out(row, reader_language(session, principal)))  # type: ignore[arg-type]


@router.post(
    "/{change_id}/decision",
    operation_id="decideChangeRequest",
    responses=responses(401, 403, 404, 409, 412, 422, 503),
)
def post_decision(
    change_id: ChangeId,
    body: DecisionIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    background: BackgroundTasks,
    engine: EngineDep,
    lang: Annotated[
        Literal["nl", "en"], Query(description="language of the reasons of a refused move")
    ] = "nl",
) -> DecisionOut:
    """Decide an open change request: move (validated), cancel, or refuse with a reason.
    A move or cancellation makes a new run to review and publish."""
    require_role(principal, "planner", what=f"decisions on {WHAT}")
    row = find_change_request(session, principal, change_id)
    if row is None:
        raise Problem(404, f"no change request {change_id}")
    try:
        made = decide(
            session, row, body.decision, reason=body.reason,
            start=dt.datetime.fromisoformat(body.start) if body.start else None,
            location=body.location, trainers=body.trainers,
            actor=actor_of(principal), now=now,
        )  # fmt: skip
    except ChangeRequestError as exc:
        raise _problem(exc) from None
    except MoveRefused as exc:
        raise refused(exc, lang) from None
    session.flush()
    email_after_response(background, engine, made.notice.told)  # the party is told
    move = move_out(made.manual) if made.manual is not None and made.manual.after else None
    return DecisionOut(**_out(made.row, lang), move=move)  # type: ignore[arg-type]
