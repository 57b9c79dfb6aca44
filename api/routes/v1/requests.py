"""/api/v1/requests: schools submit and withdraw requests, planners accept or decline them.

Planners see every request, schools those of their own groups; companies and trainers get
403. A request outside the key's scope is 404, worded exactly as one that does not exist.
The life cycle, the withdrawal cut-off and the door checks live in models/requests.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Response
from sqlalchemy.orm import Session

from api.deps import (
    ApiSessionDep,
    EngineDep,
    NowDep,
    PrincipalDep,
    actor_of,
    reader_language,
    require_role,
)
from api.etag import IfMatchDep, check_if_match, set_etag
from api.problems import Problem, responses
from api.routes.v1.changes import email_after_response
from api.routes.v1.requests_schemas import (
    DeclineIn,
    PreferencesOut,
    RequestIn,
    RequestOut,
    RequestPage,
    RequestPatch,
    SessionOut,
    Status,
)
from api.routes.v1.schemas import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE
from api.routes.v1.school_groups_schemas import values_of
from models import entities as e
from models.bridge import HorizonError, parse_week
from models.keys import Principal
from models.requests import (
    REQUEST_ROLES,
    RequestChangeError,
    decide,
    find_request,
    list_requests,
    preferences_of,
    published_sessions,
    school_of,
    submit_request,
    update_request,
    withdraw,
    withdrawal_deadline,
)
from models.settings import load_settings
from models.text import excerpt
from models.words import DEFAULT_LANGUAGE, Language, render

router = APIRouter(prefix="/requests", tags=["requests"])
WHAT = "requests"
Team = Annotated[str | None, Query(pattern="^(W|E|BIM|BOL4|other)$", description="the team")]


def _request(session: Session, principal: Principal, key: str) -> e.Request:
    require_role(principal, *REQUEST_ROLES, what=WHAT)
    request = find_request(session, principal, key)
    if request is None:
        raise Problem(404, f"no request {excerpt(key)} that this key may see: check the key")
    return request


def _refused(exc: RequestChangeError, lang: Language = DEFAULT_LANGUAGE) -> Problem:
    """The problem for a refused change; the door check's reasons in the reader's language
    (``text``; ``message`` stays the engine's English, ``code`` and the words are those of
    ``campus explain``)."""
    if exc.kind == "conflict":
        extra = {"withdraw_until": exc.until.isoformat()} if exc.until else {}
        return Problem(409, exc.reason, extensions=extra)
    if exc.kind == "never":
        reasons = [
            {"code": str(r.code), "message": r.message, "text": render(r, lang), "lang": lang}
            for r in exc.reasons
        ]
        return Problem(
            422,
            f"this request can never be scheduled: {exc.reason} (see 'reasons'; nothing was "
            "stored): change what the reasons name and send it again",
            errors=[
                {"in": "body", "path": exc.path, "reason": render(r, lang)} for r in exc.reasons
            ],
            extensions={"reasons": reasons},
        )
    return Problem(
        422,
        f"{exc.path}: {exc.reason}",
        errors=[{"in": "body", "path": exc.path, "reason": exc.reason}],
    )


def _utc(moment: datetime | None) -> datetime | None:
    """Stored instants in UTC, whatever the database hands back (SQLite: naive UTC)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


def _out(session: Session, request: e.Request, *, with_sessions: bool = False) -> RequestOut:
    until = None
    if request.status in ("submitted", "accepted"):
        days = load_settings(session).withdrawal_cutoff_working_days
        until, _counted = withdrawal_deadline(session, request, days)
    sessions = None
    if with_sessions:
        sessions = [
            SessionOut(
                session=ps.session_index,
                start=ps.start,
                end=ps.end,
                location=ps.location.key,
                location_name=ps.location.name,
                status=ps.status,
            )
            for ps in published_sessions(session, request)
        ]
    return RequestOut(
        key=request.key,
        school=school_of(request),
        activity=request.activity_type.code,
        groups=[rg.group.key for rg in request.groups],
        earliest=request.earliest,
        latest=request.latest,
        priority=request.priority,
        preferences=PreferencesOut(**preferences_of(request)),
        note=request.note,
        status=request.status,  # type: ignore[arg-type]
        decline_reason=request.decline_reason if request.status == "declined" else None,
        decided_at=_utc(request.decided_at),
        withdrawn_at=_utc(request.withdrawn_at),
        withdraw_until=until,
        sessions=sessions,
    )


@router.get("", operation_id="listRequests", responses=responses(401, 403, 422))
def get_requests(
    session: ApiSessionDep,
    principal: PrincipalDep,
    status: Annotated[Status | None, Query(description="only requests in this status")] = None,
    week: Annotated[
        str | None, Query(description="ISO week (2027-W12): requests whose dates meet it")
    ] = None,
    team: Team = None,
    activity: Annotated[str | None, Query(max_length=80, description="activity code")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> RequestPage:
    """The requests this key may see, by key, filtered, a page at a time."""
    require_role(principal, *REQUEST_ROLES, what=WHAT)
    monday = None
    if week is not None:
        try:
            monday = parse_week(week)
        except HorizonError as exc:
            raise Problem(
                422, f"week: {exc}", errors=[{"in": "query", "path": "week", "reason": str(exc)}]
            ) from None
    page = list_requests(
        session,
        principal,
        status=status,
        week=monday,
        team=team,
        activity=activity,
        limit=limit,
        offset=offset,
    )
    return RequestPage(
        items=[_out(session, r) for r in page.items], total=page.total, limit=limit, offset=offset
    )


@router.post(
    "", operation_id="submitRequest", status_code=201, responses=responses(401, 403, 409, 422, 503)
)
def post_request(
    body: RequestIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> RequestOut:
    """Submit a request (a planner enters one for a school); refused with the reasons when
    it can never be scheduled."""
    require_role(principal, *REQUEST_ROLES, what=WHAT)
    values = {k: v for k, v in values_of(body).items() if v is not None}
    try:
        request = submit_request(session, principal, values, actor=actor_of(principal), now=now)
    except RequestChangeError as exc:
        raise _refused(exc, reader_language(session, principal)) from None
    session.flush()
    response.headers["Location"] = f"/api/v1/requests/{request.key}"
    set_etag(response, request)
    return _out(session, request, with_sessions=True)


@router.get("/{key}", operation_id="getRequest", responses=responses(401, 403, 404))
def get_request(
    key: str, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> RequestOut:
    """One request with its status, the decline reason and its published sessions."""
    request = _request(session, principal, key)
    set_etag(response, request)
    return _out(session, request, with_sessions=True)


@router.patch(
    "/{key}",
    operation_id="updateRequest",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def patch_request(
    key: str,
    patch: RequestPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> RequestOut:
    """Change a submitted request's named fields; the others stay as they were."""
    request = _request(session, principal, key)
    check_if_match(if_match, request, what=f"request {request.key}")
    try:
        update_request(
            session,
            principal,
            request,
            values_of(patch, only_set=True),
            actor=actor_of(principal),
            now=now,
        )
    except RequestChangeError as exc:
        raise _refused(exc, reader_language(session, principal)) from None
    session.flush()
    set_etag(response, request)
    return _out(session, request, with_sessions=True)


def _action(
    session: Session, principal: Principal, key: str, if_match: str | None, *roles: str
) -> e.Request:
    """The request of an action; If-Match is optional here, but checked when sent."""
    request = _request(session, principal, key)
    require_role(principal, *roles, what=f"this action on {WHAT}")
    if if_match is not None:
        check_if_match(if_match, request, what=f"request {request.key}")
    return request


@router.post(
    "/{key}/withdraw",
    operation_id="withdrawRequest",
    responses=responses(401, 403, 404, 409, 412, 503),
)
def post_withdraw(
    key: str,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> RequestOut:
    """Withdraw a submitted or accepted request (a school until the campus's cut-off, a
    planner at any time); the next publish cancels its sessions."""
    request = _action(session, principal, key, if_match, "school", "planner")
    days = load_settings(session).withdrawal_cutoff_working_days
    try:
        withdraw(
            session,
            request,
            working_days=days,
            actor=actor_of(principal),
            now=now,
            cutoff=principal.role != "planner",  # the one the school is sent to after it
        )
    except RequestChangeError as exc:
        raise _refused(exc, reader_language(session, principal)) from None
    session.flush()
    set_etag(response, request)
    return _out(session, request, with_sessions=True)


@router.post(
    "/{key}/accept",
    operation_id="acceptRequest",
    responses=responses(401, 403, 404, 409, 412, 503),
)
def post_accept(
    key: str,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    background: BackgroundTasks,
    engine: EngineDep,
    if_match: IfMatchDep = None,
) -> RequestOut:
    """Accept a submitted request: the next solve plans it; the school is told."""
    request = _action(session, principal, key, if_match, "planner")
    try:
        told = decide(session, request, accept=True, actor=actor_of(principal), now=now)
    except RequestChangeError as exc:
        raise _refused(exc, reader_language(session, principal)) from None
    session.flush()
    email_after_response(background, engine, told)
    set_etag(response, request)
    return _out(session, request, with_sessions=True)


@router.post(
    "/{key}/decline",
    operation_id="declineRequest",
    responses=responses(401, 403, 404, 409, 412, 422, 503),
)
def post_decline(
    key: str,
    body: DeclineIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    background: BackgroundTasks,
    engine: EngineDep,
    if_match: IfMatchDep = None,
) -> RequestOut:
    """Decline a submitted request with a reason the school reads (and is told)."""
    request = _action(session, principal, key, if_match, "planner")
    try:
        told = decide(
            session, request, accept=False, reason=body.reason, actor=actor_of(principal), now=now
        )
    except RequestChangeError as exc:
        raise _refused(exc, reader_language(session, principal)) from None
    session.flush()
    email_after_response(background, engine, told)
    set_etag(response, request)
    return _out(session, request, with_sessions=True)
