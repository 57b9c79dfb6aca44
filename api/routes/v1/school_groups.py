"""/api/v1/groups: a school reads and keeps its own groups and when they can travel.

Planners see every group, schools their own partner's; companies and trainers get 403. A
group outside the key's scope is 404, worded exactly as a group that does not exist. Weekly
windows are changed one at a time: adding one leaves every other window alone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.etag import IfMatchDep, check_if_match, etag_of, set_etag
from api.problems import Problem, responses
from api.routes.v1.schemas import DEFAULT_PAGE, KEY_PATTERN, MAX_OFFSET, MAX_PAGE
from api.routes.v1.school_groups_schemas import (
    GroupIn,
    GroupOut,
    GroupPage,
    GroupPatch,
    GroupWindowIn,
    GroupWindowOut,
    GroupWindowPatch,
    values_of,
)
from models import entities as e
from models.keys import Principal
from models.school_groups import (
    GROUP_ROLES,
    GroupChangeError,
    add_window,
    create_group,
    delete_window,
    find_group,
    find_window,
    list_groups,
    update_group,
    update_window,
)
from models.text import excerpt

router = APIRouter(prefix="/groups", tags=["groups"])
WHAT = "groups"


def _group(session: Session, principal: Principal, key: str) -> e.Group:
    require_role(principal, *GROUP_ROLES, what=WHAT)
    group = find_group(session, principal, key)
    if group is None:
        raise Problem(404, f"no group {excerpt(key)} that this key may see: check the key")
    return group


def _window(group: e.Group, window_id: int) -> e.GroupWindow:
    row = find_window(group, window_id)
    if row is None:
        raise Problem(404, f"group {group.key} has no window {window_id}: GET the group")
    return row


def _refused(exc: GroupChangeError) -> Problem:
    if exc.kind == "conflict":
        return Problem(409, f"{exc.path}: {exc.reason}: change it and send it again")
    return Problem(
        422,
        f"{exc.path}: {exc.reason}",
        errors=[{"in": "body", "path": exc.path, "reason": exc.reason}],
    )


def _window_out(row: e.GroupWindow) -> GroupWindowOut:
    return GroupWindowOut(
        id=row.id,
        weekday=row.weekday,
        start=row.start,
        end=row.end,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        etag=etag_of(row),
    )


def _out(group: e.Group) -> GroupOut:
    return GroupOut(
        key=group.key,
        school=group.school.key,
        name=group.name,
        level=group.level,
        headcount=group.headcount,
        home=group.home_location.key if group.home_location else None,
        max_travel_minutes=group.max_travel_minutes,
        windows=[_window_out(w) for w in group.windows],
    )


@router.get("", operation_id="listGroups", responses=responses(401, 403, 422))
def get_groups(
    session: ApiSessionDep,
    principal: PrincipalDep,
    school: Annotated[
        str | None, Query(max_length=80, pattern=KEY_PATTERN, description="a school's key")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> GroupPage:
    """The groups this key may see (of one school), by key, a page at a time."""
    require_role(principal, *GROUP_ROLES, what=WHAT)
    page = list_groups(session, principal, limit=limit, offset=offset, school=school)
    return GroupPage(
        items=[_out(g) for g in page.items], total=page.total, limit=limit, offset=offset
    )


@router.post(
    "",
    operation_id="createGroup",
    status_code=201,
    responses=responses(401, 403, 409, 422, 503),
)
def post_group(
    body: GroupIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> GroupOut:
    """A new group of the key's school (a planner names the school)."""
    require_role(principal, *GROUP_ROLES, what=WHAT)
    try:
        group = create_group(
            session, principal, values_of(body), actor=actor_of(principal), now=now
        )
    except GroupChangeError as exc:
        raise _refused(exc) from None
    session.flush()
    response.headers["Location"] = f"/api/v1/groups/{group.key}"
    set_etag(response, group)
    return _out(group)


@router.get("/{key}", operation_id="getGroup", responses=responses(401, 403, 404))
def get_group(
    key: str, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> GroupOut:
    """One group with its windows; its ETag header is what a PATCH sends back as If-Match."""
    group = _group(session, principal, key)
    set_etag(response, group)
    return _out(group)


@router.patch(
    "/{key}", operation_id="updateGroup", responses=responses(401, 403, 404, 412, 422, 428, 503)
)
def patch_group(
    key: str,
    patch: GroupPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> GroupOut:
    """Change the fields the body names; everything else of the group stays as it was."""
    group = _group(session, principal, key)
    check_if_match(if_match, group, what=f"group {group.key}")
    try:
        update_group(
            session,
            principal,
            group,
            values_of(patch, only_set=True),
            actor=actor_of(principal),
            now=now,
        )
    except GroupChangeError as exc:
        raise _refused(exc) from None
    session.flush()
    set_etag(response, group)
    return _out(group)


@router.post(
    "/{key}/windows",
    operation_id="addGroupWindow",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_window(
    key: str,
    window: GroupWindowIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> GroupWindowOut:
    """Add ONE weekly window when the group can travel; the other windows stay."""
    group = _group(session, principal, key)
    try:
        row = add_window(session, group, values_of(window), actor=actor_of(principal), now=now)
    except GroupChangeError as exc:
        raise _refused(exc) from None
    response.headers["Location"] = f"/api/v1/groups/{group.key}"
    set_etag(response, row)
    return _window_out(row)


@router.patch(
    "/{key}/windows/{window_id}",
    operation_id="updateGroupWindow",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def patch_window(
    key: str,
    window_id: int,
    patch: GroupWindowPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> GroupWindowOut:
    """Change one window's named fields (If-Match: the window's etag)."""
    group = _group(session, principal, key)
    row = _window(group, window_id)
    check_if_match(if_match, row, what=f"window {window_id} of group {group.key}")
    try:
        update_window(
            session,
            group,
            row,
            values_of(patch, only_set=True),
            actor=actor_of(principal),
            now=now,
        )
    except GroupChangeError as exc:
        raise _refused(exc) from None
    session.flush()
    set_etag(response, row)
    return _window_out(row)


@router.delete(
    "/{key}/windows/{window_id}",
    operation_id="deleteGroupWindow",
    status_code=204,
    responses=responses(401, 403, 404, 412, 422, 428, 503),
)
def remove_window(
    key: str,
    window_id: int,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    if_match: IfMatchDep = None,
) -> Response:
    """Remove one window (If-Match: the window's etag); the other windows stay."""
    group = _group(session, principal, key)
    row = _window(group, window_id)
    check_if_match(if_match, row, what=f"window {window_id} of group {group.key}")
    delete_window(session, group, row, actor=actor_of(principal), now=now)
    session.flush()
    return Response(status_code=204)
