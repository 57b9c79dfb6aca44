"""/api/v1/locations/{key}/...: a company declares its location's equipment, weekly and one-off
windows and closures; it reads the bookings at its location.

Scope as in api/routes/v1/locations.py (planner: every location; company: its own partner's;
school and trainer: 403). Each write changes one row, needs the ETag of what it changes
(equipment: the location's; a window or closure: its own, listed by GET .../availability),
is audited, and a change that takes time away under a session of the published plan is
answered 409 unless it is sent with ``?confirm=true`` (docs/api.md, models/slots.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.confirm import ConfirmDep, confirm_or_409
from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.etag import IfMatchDep, check_if_match, etag_of, set_etag
from api.problems import Problem, responses
from api.routes.v1.schemas import (
    DEFAULT_PAGE,
    MAX_OFFSET,
    MAX_PAGE,
    ClosureOut,
    OneOffWindowOut,
    WeeklyWindowIn,
    WeeklyWindowOut,
)
from api.routes.v1.slot_schemas import (
    BookingOut,
    BookingPage,
    ClosureIn,
    ClosurePatch,
    EquipmentIn,
    EquipmentOut,
    OneOffWindowPatch,
    WeeklyWindowPatch,
)
from models import entities as e
from models import slots
from models.bookings import bookings_at, participants
from models.bridge import HorizonError, parse_week
from models.keys import Principal
from models.locations import LOCATION_ROLES, LocationChangeError, find_location
from models.text import excerpt

router = APIRouter(prefix="/locations", tags=["locations"])
WHAT = "locations"
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="the id GET .../availability lists")]
Row = TypeVar("Row", e.LocationWindow, e.LocationOneOffWindow, e.LocationClosure)


def weekly_out(row: e.LocationWindow) -> WeeklyWindowOut:
    return WeeklyWindowOut(
        id=row.id, weekday=row.weekday, start=row.start, end=row.end,
        valid_from=row.valid_from, valid_to=row.valid_to, etag=etag_of(row),
    )  # fmt: skip


def one_off_out(row: e.LocationOneOffWindow) -> OneOffWindowOut:
    return OneOffWindowOut(id=row.id, date=row.day, start=row.start, end=row.end, etag=etag_of(row))


def closure_out(row: e.LocationClosure) -> ClosureOut:
    return ClosureOut(
        id=row.id, first=row.first, last=row.last, reason=row.reason, etag=etag_of(row)
    )


def location_or_404(session: Session, principal: Principal, key: str) -> e.Location:
    """The location ``key`` in the key's scope: 403 for a role that may never, else 404."""
    require_role(principal, *LOCATION_ROLES, what=WHAT)
    location = find_location(session, principal, key)
    if location is None:
        raise Problem(404, f"no location {excerpt(key)} that this key may see: check the key")
    return location


def _row(rows: list[Row], row_id: int, what: str, location: e.Location) -> Row:
    row = next((r for r in rows if r.id == row_id), None)
    if row is None:
        raise Problem(
            404,
            f"location {location.key} has no {what} {row_id}: "
            f"GET /api/v1/locations/{location.key}/availability lists them",
        )
    return row


def _values(body: BaseModel, *, only_sent: bool) -> dict[str, Any]:
    """The body's fields as Python values (``model_dump`` would give times as text)."""
    names = body.model_fields_set if only_sent else type(body).model_fields
    return {name: getattr(body, name) for name in names}


def change(apply: Callable[[], object], *, what: str) -> None:
    """Run a change of models/slots.py; its refusals as problems (422, 409, 404)."""
    try:
        apply()
    except slots.BreaksSessions as exc:
        confirm_or_409(exc.rows, False, what=what)
    except LocationChangeError as exc:
        if exc.kind == "conflict":
            raise Problem(409, f"{exc.reason}: choose another time or day") from None
        if exc.kind == "missing":
            raise Problem(404, exc.reason) from None
        raise Problem(
            422,
            f"{exc.path}: {exc.reason}",
            errors=[{"in": "body", "path": exc.path, "reason": exc.reason}],
        ) from None


# --- equipment ---------------------------------------------------------------------------


def _equipment_type(session: Session, code: str) -> e.EquipmentType:
    found = slots.find_equipment_type(session, code)
    if found is None:
        reason = f"no equipment type {excerpt(code)} in the campus catalogue: check the code"
        raise Problem(
            422, f"code: {reason}", errors=[{"in": "path", "path": "code", "reason": reason}]
        )
    return found


@router.put(
    "/{key}/equipment/{code}",
    operation_id="setLocationEquipment",
    responses={201: {"model": EquipmentOut, "description": "Created"}}
    | responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def put_equipment(
    key: str,
    code: str,
    body: EquipmentIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> EquipmentOut:
    """Set how many of one equipment type the location has (201 when it had none); the
    location's ETag covers its equipment, so If-Match is the location's ETag."""
    location = location_or_404(session, principal, key)
    check_if_match(if_match, location, what=f"location {location.key}")
    equipment = _equipment_type(session, code)
    created: list[bool] = []
    change(
        lambda: created.append(
            slots.set_equipment(
                session, location, equipment, body.quantity, confirm=confirm,
                actor=actor_of(principal), now=now,
            )
        ),
        what=f"setting {equipment.code} of location {location.key} to {body.quantity}",
    )  # fmt: skip
    session.flush()
    set_etag(response, location)
    if created[0]:
        response.status_code = 201
    return EquipmentOut(location=location.key, code=equipment.code, quantity=body.quantity)


@router.delete(
    "/{key}/equipment/{code}",
    operation_id="removeLocationEquipment",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def delete_equipment(
    key: str,
    code: str,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> None:
    """Remove one equipment type from the location (If-Match: the location's ETag)."""
    location = location_or_404(session, principal, key)
    check_if_match(if_match, location, what=f"location {location.key}")
    equipment = _equipment_type(session, code)
    change(
        lambda: slots.remove_equipment(
            session, location, equipment, confirm=confirm, actor=actor_of(principal), now=now
        ),
        what=f"removing {equipment.code} from location {location.key}",
    )
    session.flush()
    set_etag(response, location)


# --- weekly windows ----------------------------------------------------------------------


@router.post(
    "/{key}/availability/weekly",
    operation_id="addLocationWeeklyWindow",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_weekly(
    key: str,
    window: WeeklyWindowIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> WeeklyWindowOut:
    """Add ONE weekly window; every other window, the equipment and the address stay."""
    location = location_or_404(session, principal, key)
    made: list[e.LocationWindow] = []
    change(
        lambda: made.append(
            slots.add_weekly(
                session,
                location,
                _values(window, only_sent=False),
                actor=actor_of(principal),
                now=now,
            )
        ),
        what="adding a weekly window",
    )
    session.flush()
    set_etag(response, made[0])
    response.headers["Location"] = f"/api/v1/locations/{location.key}/availability"
    return weekly_out(made[0])


@router.patch(
    "/{key}/availability/weekly/{window_id}",
    operation_id="updateLocationWeeklyWindow",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def patch_weekly(
    key: str,
    window_id: Id,
    patch: WeeklyWindowPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> WeeklyWindowOut:
    """Change the named fields of one weekly window (If-Match: the window's ETag)."""
    location = location_or_404(session, principal, key)
    row = _row(location.windows, window_id, "weekly window", location)
    check_if_match(if_match, row, what=f"weekly window {row.id} of location {location.key}")
    change(
        lambda: slots.update_weekly(
            session, location, row, _values(patch, only_sent=True), confirm=confirm,
            actor=actor_of(principal), now=now,
        ),
        what=f"changing weekly window {row.id} of location {location.key}",
    )  # fmt: skip
    session.flush()
    set_etag(response, row)
    return weekly_out(row)


@router.delete(
    "/{key}/availability/weekly/{window_id}",
    operation_id="deleteLocationWeeklyWindow",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def delete_weekly(
    key: str,
    window_id: Id,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> None:
    """Remove one weekly window (If-Match: the window's ETag)."""
    location = location_or_404(session, principal, key)
    row = _row(location.windows, window_id, "weekly window", location)
    check_if_match(if_match, row, what=f"weekly window {row.id} of location {location.key}")
    change(
        lambda: slots.delete_weekly(
            session, location, row, confirm=confirm, actor=actor_of(principal), now=now
        ),
        what=f"removing weekly window {row.id} of location {location.key}",
    )
    session.flush()


# --- one-off windows (POST is in api/routes/v1/locations.py) -----------------------------


@router.patch(
    "/{key}/availability/one-off/{window_id}",
    operation_id="updateLocationOneOffWindow",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def patch_one_off(
    key: str,
    window_id: Id,
    patch: OneOffWindowPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> OneOffWindowOut:
    """Change the named fields of one one-off window (If-Match: the window's ETag)."""
    location = location_or_404(session, principal, key)
    row = _row(location.one_off_windows, window_id, "one-off window", location)
    check_if_match(if_match, row, what=f"one-off window {row.id} of location {location.key}")
    changes = _values(patch, only_sent=True)
    if "date" in changes:
        changes["day"] = changes.pop("date")
    change(
        lambda: slots.update_one_off(
            session, location, row, changes, confirm=confirm, actor=actor_of(principal), now=now
        ),
        what=f"changing one-off window {row.id} of location {location.key}",
    )
    session.flush()
    set_etag(response, row)
    return one_off_out(row)


@router.delete(
    "/{key}/availability/one-off/{window_id}",
    operation_id="deleteLocationOneOffWindow",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def delete_one_off(
    key: str,
    window_id: Id,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> None:
    """Remove one one-off window (If-Match: the window's ETag)."""
    location = location_or_404(session, principal, key)
    row = _row(location.one_off_windows, window_id, "one-off window", location)
    check_if_match(if_match, row, what=f"one-off window {row.id} of location {location.key}")
    change(
        lambda: slots.delete_one_off(
            session, location, row, confirm=confirm, actor=actor_of(principal), now=now
        ),
        what=f"removing one-off window {row.id} of location {location.key}",
    )
    session.flush()


# --- closures ----------------------------------------------------------------------------


@router.post(
    "/{key}/closures",
    operation_id="addLocationClosure",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_closure(
    key: str,
    closure: ClosureIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
) -> ClosureOut:
    """Close the location from ``first`` to ``last``; 409 over published sessions unless
    confirmed."""
    location = location_or_404(session, principal, key)
    made: list[e.LocationClosure] = []
    change(
        lambda: made.append(
            slots.add_closure(
                session, location, _values(closure, only_sent=False), confirm=confirm,
                actor=actor_of(principal), now=now,
            )
        ),
        what=f"closing location {location.key} {closure.first}..{closure.last}",
    )  # fmt: skip
    session.flush()
    set_etag(response, made[0])
    response.headers["Location"] = f"/api/v1/locations/{location.key}/availability"
    return closure_out(made[0])


@router.patch(
    "/{key}/closures/{closure_id}",
    operation_id="updateLocationClosure",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def patch_closure(
    key: str,
    closure_id: Id,
    patch: ClosurePatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> ClosureOut:
    """Change the named fields of one closure (If-Match: the closure's ETag)."""
    location = location_or_404(session, principal, key)
    row = _row(location.closures, closure_id, "closure", location)
    check_if_match(if_match, row, what=f"closure {row.id} of location {location.key}")
    change(
        lambda: slots.update_closure(
            session, location, row, _values(patch, only_sent=True), confirm=confirm,
            actor=actor_of(principal), now=now,
        ),
        what=f"changing closure {row.id} of location {location.key}",
    )  # fmt: skip
    session.flush()
    set_etag(response, row)
    return closure_out(row)


@router.delete(
    "/{key}/closures/{closure_id}",
    operation_id="deleteLocationClosure",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 412, 422, 428, 503),
)
def delete_closure(
    key: str,
    closure_id: Id,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    if_match: IfMatchDep = None,
) -> None:
    """Remove one closure (If-Match: the closure's ETag); it only gives time back."""
    location = location_or_404(session, principal, key)
    row = _row(location.closures, closure_id, "closure", location)
    check_if_match(if_match, row, what=f"closure {row.id} of location {location.key}")
    slots.delete_closure(session, location, row, actor=actor_of(principal), now=now)
    session.flush()


# --- bookings ----------------------------------------------------------------------------


@router.get(
    "/{key}/bookings",
    operation_id="listLocationBookings",
    responses=responses(401, 403, 404, 422),
)
def get_bookings(
    key: str,
    session: ApiSessionDep,
    principal: PrincipalDep,
    week: Annotated[
        str | None, Query(description="an ISO week, e.g. 2027-W12", max_length=20)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> BookingPage:
    """The sessions of the published plan at the location, by start (Amsterdam wall time)."""
    location = location_or_404(session, principal, key)
    monday = None
    if week is not None:
        try:
            monday = parse_week(week)
        except HorizonError as exc:
            reason = str(exc)
            raise Problem(
                422, f"week: {reason}", errors=[{"in": "query", "path": "week", "reason": reason}]
            ) from None
    page = bookings_at(session, location, week=monday, limit=limit, offset=offset)
    return BookingPage(
        location=location.key,
        week=week,
        items=[
            BookingOut(
                uid=row.uid,
                date=row.start.date(),
                start=row.start,
                end=row.end,
                activity=row.request.activity_type.title,
                participants=participants(row),
                trainers=[t.trainer.key for t in row.trainers],
            )
            for row in page.items
        ],
        total=page.total,
        limit=limit,
        offset=offset,
    )
