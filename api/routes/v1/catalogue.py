"""/api/v1/holidays, /equipment-types, /activity-types: the campus catalogue.

Every signed-in key reads the catalogue (a school picks activities from it, a company names
its equipment by it); only planner keys change it (403 for the others, before anything is
looked up). Changes need the entry's ETag as If-Match; deleting what a location, activity or
request still uses is 409 and the answer says what uses it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.etag import IfMatchDep, check_if_match, set_etag
from api.problems import Problem, responses
from api.routes.v1.catalogue_schemas import (
    ActivityTypeIn,
    ActivityTypeOut,
    ActivityTypePage,
    ActivityTypePatch,
    Audience,
    EquipmentTypeIn,
    EquipmentTypeOut,
    EquipmentTypePage,
    EquipmentTypePatch,
    HolidayIn,
    HolidayKind,
    HolidayOut,
    HolidayPage,
    HolidayPatch,
    Kind,
    Team,
)
from api.routes.v1.schemas import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE
from models import catalogue as c
from models import entities as e
from models import scenario as s
from models.keys import ROLES, Principal

holidays = APIRouter(prefix="/holidays", tags=["catalogue"])
equipment_types = APIRouter(prefix="/equipment-types", tags=["catalogue"])
activity_types = APIRouter(prefix="/activity-types", tags=["catalogue"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
HolidayId = Annotated[int, Path(ge=1, le=2**31 - 1)]
READ = responses(401, 404)
WRITE = responses(401, 403, 404, 409, 412, 413, 422, 428, 503)


def _read(principal: Principal) -> None:
    require_role(principal, *ROLES, what="the catalogue")


def _write(principal: Principal) -> None:
    require_role(principal, "planner", what="changing the catalogue")


def _problem(exc: c.CatalogueError) -> Problem:
    errors = [{"in": "body", "path": i.path, "reason": i.reason} for i in exc.issues]
    first = exc.issues[0]
    if exc.kind == "conflict":
        return Problem(409, first.reason)
    more = f" (and {len(errors) - 1} more, see errors)" if len(errors) > 1 else ""
    return Problem(422, f"{first.path}: {first.reason}{more}", errors=errors)


def _flush_create(session: Session, what: str) -> None:
    """Two requests that add the same entry at once: the second is a 409, not a 500."""
    try:
        session.flush()
    except IntegrityError:
        raise Problem(409, f"{what} was just added by another request: GET it") from None


def _flush_delete(session: Session, what: str) -> None:
    """A use added by a concurrent request after the check is a 409 too, not a 500."""
    try:
        session.flush()
    except IntegrityError:
        raise Problem(
            409, f"{what} was just put to use by another change: it cannot be deleted now"
        ) from None


# --------------------------------------------------------------------------- holidays


def _holiday_out(row: e.Holiday) -> HolidayOut:
    return HolidayOut(id=row.id, name=row.name, kind=row.kind, first=row.first, last=row.last)


def _holiday(session: Session, holiday_id: int) -> e.Holiday:
    row = c.find_holiday(session, holiday_id)
    if row is None:
        raise Problem(404, f"no holiday with id {holiday_id}: GET /api/v1/holidays lists them")
    return row


@holidays.get("", operation_id="listHolidays", responses=responses(401, 422))
def list_holidays(
    session: ApiSessionDep,
    principal: PrincipalDep,
    kind: HolidayKind | None = None,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
) -> HolidayPage:
    """Campus-wide days without sessions, by first day."""
    _read(principal)
    page = c.list_holidays(session, kind=kind, limit=limit, offset=offset)
    items = [_holiday_out(r) for r in page.items]
    return HolidayPage(items=items, total=page.total, limit=limit, offset=offset)


@holidays.get("/{holiday_id}", operation_id="getHoliday", responses=responses(401, 404, 422))
def get_holiday(
    holiday_id: HolidayId, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> HolidayOut:
    _read(principal)
    row = _holiday(session, holiday_id)
    set_etag(response, row)
    return _holiday_out(row)


@holidays.post("", operation_id="createHoliday", status_code=201, responses=WRITE)
def post_holiday(
    body: HolidayIn, session: ApiSessionDep, principal: PrincipalDep, now: NowDep,
    response: Response,
) -> HolidayOut:  # fmt: skip
    """Add a holiday (planners); 409 when one of that name starts that day already."""
    _write(principal)
    try:
        row = c.create_holiday(session, body, actor=actor_of(principal), now=now)  # flushes
    except c.CatalogueError as exc:
        raise _problem(exc) from None
    except IntegrityError:  # the same holiday added by a concurrent request
        raise Problem(409, "this holiday was just added by another request: GET it") from None
    response.headers["Location"] = f"/api/v1/holidays/{row.id}"
    set_etag(response, row)
    return _holiday_out(row)


@holidays.patch("/{holiday_id}", operation_id="updateHoliday", responses=WRITE)
def patch_holiday(
    holiday_id: HolidayId, patch: HolidayPatch, session: ApiSessionDep, principal: PrincipalDep,
    now: NowDep, response: Response, if_match: IfMatchDep = None,
) -> HolidayOut:  # fmt: skip
    """Change the fields the body names (planners)."""
    _write(principal)
    row = _holiday(session, holiday_id)
    check_if_match(if_match, row, what=f"holiday {row.id}")
    try:
        c.update_holiday(session, row, patch.model_dump(exclude_unset=True),
                         actor=actor_of(principal), now=now)  # fmt: skip
    except c.CatalogueError as exc:
        raise _problem(exc) from None
    session.flush()
    set_etag(response, row)
    return _holiday_out(row)


@holidays.delete(
    "/{holiday_id}", operation_id="deleteHoliday", status_code=204, responses=WRITE
)
def delete_holiday(
    holiday_id: HolidayId, session: ApiSessionDep, principal: PrincipalDep, now: NowDep,
    if_match: IfMatchDep = None,
) -> Response:  # fmt: skip
    """Remove a holiday (planners); the next solve may plan on its days."""
    _write(principal)
    row = _holiday(session, holiday_id)
    check_if_match(if_match, row, what=f"holiday {row.id}")
    c.delete_holiday(session, row, actor=actor_of(principal), now=now)
    session.flush()
    return Response(status_code=204)


# --------------------------------------------------------------------------- equipment types


def _equipment_out(row: e.EquipmentType) -> EquipmentTypeOut:
    return EquipmentTypeOut(code=row.code, name=row.name, team=row.team)


def _equipment(session: Session, code: str) -> e.EquipmentType:
    row = c.find_equipment_type(session, code)
    if row is None:
        raise Problem(404, "no equipment type with that code: GET /api/v1/equipment-types")
    return row


@equipment_types.get("", operation_id="listEquipmentTypes", responses=responses(401, 422))
def list_equipment_types(
    session: ApiSessionDep,
    principal: PrincipalDep,
    team: Team | None = None,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
) -> EquipmentTypePage:
    """Equipment types by code (of one team)."""
    _read(principal)
    page = c.list_equipment_types(session, team=team, limit=limit, offset=offset)
    items = [_equipment_out(r) for r in page.items]
    return EquipmentTypePage(items=items, total=page.total, limit=limit, offset=offset)


@equipment_types.get("/{code}", operation_id="getEquipmentType", responses=READ)
def get_equipment_type(
    code: str, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> EquipmentTypeOut:
    _read(principal)
    row = _equipment(session, code)
    set_etag(response, row)
    return _equipment_out(row)


@equipment_types.post("", operation_id="createEquipmentType", status_code=201, responses=WRITE)
def post_equipment_type(
    body: EquipmentTypeIn, session: ApiSessionDep, principal: PrincipalDep, now: NowDep,
    response: Response,
) -> EquipmentTypeOut:  # fmt: skip
    """Add an equipment type (planners); 409 when the code is taken."""
    _write(principal)
    try:
        row = c.create_equipment_type(session, body, actor=actor_of(principal), now=now)
        _flush_create(session, f"equipment type {body.code}")
    except c.CatalogueError as exc:
        raise _problem(exc) from None
    response.headers["Location"] = f"/api/v1/equipment-types/{row.code}"
    set_etag(response, row)
    return _equipment_out(row)


@equipment_types.patch("/{code}", operation_id="updateEquipmentType", responses=WRITE)
def patch_equipment_type(
    code: str, patch: EquipmentTypePatch, session: ApiSessionDep, principal: PrincipalDep,
    now: NowDep, response: Response, if_match: IfMatchDep = None,
) -> EquipmentTypeOut:  # fmt: skip
    """Change its name or team (planners); the code is its key and stays."""
    _write(principal)
    row = _equipment(session, code)
    check_if_match(if_match, row, what=f"equipment type {row.code}")
    try:
        c.update_equipment_type(session, row, patch.model_dump(exclude_unset=True),
                                actor=actor_of(principal), now=now)  # fmt: skip
    except c.CatalogueError as exc:
        raise _problem(exc) from None
    session.flush()
    set_etag(response, row)
    return _equipment_out(row)


@equipment_types.delete(
    "/{code}", operation_id="deleteEquipmentType", status_code=204, responses=WRITE
)
def delete_equipment_type(
    code: str, session: ApiSessionDep, principal: PrincipalDep, now: NowDep,
    if_match: IfMatchDep = None,
) -> Response:  # fmt: skip
    """Remove an equipment type no location and no activity uses (else 409 naming them)."""
    _write(principal)
    row = _equipment(session, code)
    check_if_match(if_match, row, what=f"equipment type {row.code}")
    try:
        c.delete_equipment_type(session, row, actor=actor_of(principal), now=now)
    except c.CatalogueError as exc:
        raise _problem(exc) from None
    _flush_delete(session, f"equipment type {code}")
    return Response(status_code=204)


# --------------------------------------------------------------------------- activity types


def _activity_out(row: e.ActivityType) -> ActivityTypeOut:
    return ActivityTypeOut.model_validate(c.activity_of(row).model_dump(mode="python"))


def _activity(session: Session, code: str) -> e.ActivityType:
    row = c.find_activity_type(session, code)
    if row is None:
        raise Problem(404, "no activity type with that code: GET /api/v1/activity-types")
    return row


@activity_types.get("", operation_id="listActivityTypes", responses=responses(401, 422))
def list_activity_types(
    session: ApiSessionDep,
    principal: PrincipalDep,
    team: Team | None = None,
    kind: Kind | None = None,
    audience: Audience | None = None,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
) -> ActivityTypePage:
    """The activities the campus offers, by code (filtered by team, kind, audience)."""
    _read(principal)
    page = c.list_activity_types(
        session, team=team, kind=kind, audience=audience, limit=limit, offset=offset
    )
    items = [_activity_out(r) for r in page.items]
    return ActivityTypePage(items=items, total=page.total, limit=limit, offset=offset)


@activity_types.get("/{code}", operation_id="getActivityType", responses=READ)
def get_activity_type(
    code: str, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> ActivityTypeOut:
    _read(principal)
    row = _activity(session, code)
    set_etag(response, row)
    return _activity_out(row)


@activity_types.post("", operation_id="createActivityType", status_code=201, responses=WRITE)
def post_activity_type(
    body: ActivityTypeIn, session: ApiSessionDep, principal: PrincipalDep, now: NowDep,
    response: Response,
) -> ActivityTypeOut:  # fmt: skip
    """Add an activity type (planners); its equipment must be known equipment types."""
    _write(principal)
    try:
        row = c.create_activity_type(
            session, s.Activity.model_validate(body.model_dump()), actor=actor_of(principal),
            now=now,
        )  # fmt: skip
        _flush_create(session, f"activity type {body.code}")
    except c.CatalogueError as exc:
        raise _problem(exc) from None
    response.headers["Location"] = f"/api/v1/activity-types/{row.code}"
    set_etag(response, row)
    return _activity_out(row)


@activity_types.patch("/{code}", operation_id="updateActivityType", responses=WRITE)
def patch_activity_type(
    code: str, patch: ActivityTypePatch, session: ApiSessionDep, principal: PrincipalDep,
    now: NowDep, response: Response, if_match: IfMatchDep = None,
) -> ActivityTypeOut:  # fmt: skip
    """Change the fields the body names (planners); checked as a whole, like a file's entry."""
    _write(principal)
    row = _activity(session, code)
    check_if_match(if_match, row, what=f"activity type {row.code}")
    try:
        c.update_activity_type(session, row, patch.model_dump(exclude_unset=True),
                               actor=actor_of(principal), now=now)  # fmt: skip
    except c.CatalogueError as exc:
        raise _problem(exc) from None
    session.flush()
    set_etag(response, row)
    return _activity_out(row)


@activity_types.delete(
    "/{code}", operation_id="deleteActivityType", status_code=204, responses=WRITE
)
def delete_activity_type(
    code: str, session: ApiSessionDep, principal: PrincipalDep, now: NowDep,
    if_match: IfMatchDep = None,
) -> Response:  # fmt: skip
    """Remove an activity type no request uses (else 409 naming the requests)."""
    _write(principal)
    row = _activity(session, code)
    check_if_match(if_match, row, what=f"activity type {row.code}")
    try:
        c.delete_activity_type(session, row, actor=actor_of(principal), now=now)
    except c.CatalogueError as exc:
        raise _problem(exc) from None
    _flush_delete(session, f"activity type {code}")
    return Response(status_code=204)
