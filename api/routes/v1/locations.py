"""/api/v1/locations: a company reads its own locations and adds one-off openings.

Planners see every location, companies their own partner's; schools and trainers get 403
(the role may never use these endpoints, which says nothing about any location). A location
outside the key's scope is 404, worded exactly as a key that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.confirm import ConfirmDep
from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.etag import IfMatchDep, check_if_match, set_etag
from api.problems import Problem, responses
from api.routes.v1.location_slots import (
    change,
    closure_out,
    location_or_404,
    one_off_out,
    weekly_out,
)
from api.routes.v1.schemas import (
    DEFAULT_PAGE,
    KEY_PATTERN,
    MAX_OFFSET,
    MAX_PAGE,
    AvailabilityOut,
    LocationOut,
    LocationPage,
    LocationPatch,
    OneOffWindowIn,
    OneOffWindowOut,
)
from models import entities as e
from models.locations import (
    LOCATION_ROLES,
    LocationChangeError,
    add_one_off_window,
    list_locations,
    update_location,
)
from models.slots import audit_one_off_added, guard_capacity

router = APIRouter(prefix="/locations", tags=["locations"])
WHAT = "locations"


def _out(location: e.Location) -> LocationOut:
    return LocationOut(
        key=location.key,
        name=location.name,
        partner=location.partner.key,
        address=location.address,
        latitude=location.latitude,
        longitude=location.longitude,
        capacity=location.capacity,
        buffer_minutes=location.buffer_minutes,
        hosts_training=location.hosts_training,
        equipment={
            item.equipment_type.code: item.quantity
            for item in sorted(location.equipment, key=lambda item: item.equipment_type.code)
        },
    )


@router.get("", operation_id="listLocations", responses=responses(401, 403, 422))
def get_locations(
    session: ApiSessionDep,
    principal: PrincipalDep,
    partner: Annotated[
        str | None, Query(max_length=80, pattern=KEY_PATTERN, description="a partner's key")
    ] = None,
    equipment: Annotated[
        str | None,
        Query(max_length=80, pattern=KEY_PATTERN, description="only locations holding this code"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> LocationPage:
    """The locations this key may see, by key, a page at a time, filtered by partner and by
    equipment they hold."""
    require_role(principal, *LOCATION_ROLES, what=WHAT)
    page = list_locations(
        session, principal, limit=limit, offset=offset, partner=partner, equipment=equipment
    )
    return LocationPage(
        items=[_out(row) for row in page.items], total=page.total, limit=limit, offset=offset
    )


@router.get("/{key}", operation_id="getLocation", responses=responses(401, 403, 404))
def get_location(
    key: str, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> LocationOut:
    """One location; its ETag header is what a PATCH sends back as If-Match."""
    location = location_or_404(session, principal, key)
    set_etag(response, location)
    return _out(location)


@router.patch(
    "/{key}",
    operation_id="updateLocation",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def patch_location(
    key: str,
    patch: LocationPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> LocationOut:
    """Change the fields the body names; everything else of the location stays as it was.

    Lowering ``capacity`` below a published session's headcount is 409 unless confirmed."""
    location = location_or_404(session, principal, key)
    check_if_match(if_match, location, what=f"location {location.key}")
    actor = actor_of(principal)
    marked: list[str] = []
    if patch.capacity is not None:
        capacity = patch.capacity
        change(
            lambda: marked.extend(
                guard_capacity(session, location, capacity, confirm=confirm, actor=actor, now=now)
            ),
            what=f"lowering the capacity of location {location.key} to {capacity}",
        )
    update_location(
        session, location, patch.model_dump(exclude_unset=True), actor=actor, now=now,
        marked=marked,
    )  # fmt: skip
    session.flush()  # a concurrent writer's version shows here (StaleDataError -> 412)
    set_etag(response, location)
    return _out(location)


@router.get(
    "/{key}/availability",
    operation_id="getLocationAvailability",
    responses=responses(401, 403, 404),
)
def get_availability(key: str, session: ApiSessionDep, principal: PrincipalDep) -> AvailabilityOut:
    """Weekly windows, one-off windows and closures, each with its id and ETag."""
    location = location_or_404(session, principal, key)
    return AvailabilityOut(
        location=location.key,
        weekly=[weekly_out(w) for w in location.windows],
        one_off=[one_off_out(w) for w in location.one_off_windows],
        closures=[closure_out(c) for c in location.closures],
    )


@router.post(
    "/{key}/availability/one-off",
    operation_id="addLocationOneOffWindow",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_one_off(
    key: str,
    window: OneOffWindowIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> OneOffWindowOut:
    """Add ONE one-off window; every other window, the equipment and the address stay."""
    location = location_or_404(session, principal, key)
    try:
        row = add_one_off_window(location, window.date, window.start, window.end)
    except LocationChangeError as exc:
        if exc.kind == "conflict":
            raise Problem(409, f"{exc.reason}: choose another time or day") from None
        raise Problem(
            422,
            f"{exc.path}: {exc.reason}",
            errors=[{"in": "body", "path": exc.path, "reason": exc.reason}],
        ) from None
    audit_one_off_added(session, location, row, actor=actor_of(principal), now=now)
    session.flush()
    set_etag(response, row)
    response.headers["Location"] = f"/api/v1/locations/{location.key}/availability"
    return one_off_out(row)
