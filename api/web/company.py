"""The company's pages: its locations and equipment, the weekly availability grid with the
one-off windows and closures, the bookings at its sites, its trainers.

Paths (Dutch, like the other pages): /bedrijf/locaties, /bedrijf/locaties/<key>/
beschikbaarheid, /bedrijf/boekingen and /bedrijf/trainers. Every change calls the function of
models/ that the API route for it calls (api/routes/v1/locations.py, location_slots.py), so
scope, checks, the 409-unless-confirmed rule and the audit are the API's: a form carries the
row version the API wants as If-Match, and a change that breaks published sessions is shown
as a page that lists them with a button that sends it again confirmed. A location outside
the key's scope is the one 404 of the pages. Planners may open the location pages and the
trainers too (every location, every trainer); the bookings are the company's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import select

from api.deps import ApiSessionDep, NowDep, actor_of
from api.routes.v1.schemas import Day, OneOffWindowIn
from api.routes.v1.slot_schemas import ClosureIn, EquipmentIn
from api.web.visit import LoginDep, Visit, open_page
from models import entities as e
from models import slots
from models.bridge import TRAINER_DEFAULT
from models.location_grid import (
    ALWAYS,
    Period,
    parse_period,
    parse_slot,
    period_text,
    periods,
    set_slot,
    week_grid,
)
from models.locations import (
    LocationChangeError,
    add_one_off_window,
    find_location,
    list_locations,
    update_location,
)
from models.scenario import MAX_PEOPLE, ClockTime
from models.trainers import list_trainers
from models.week_grid import WeekError, parse_week, this_week, week_text
from models.week_grid import week_grid as published_week
from models.words import day_text, phrase

router = APIRouter(include_in_schema=False)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MANY = 500  # a company's locations or trainers on one page (the API's largest page)
LOCATIONS = "/bedrijf/locaties"


def _visit(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep, *roles: str
) -> Visit | Response:
    return open_page(request, session, login, now, *(roles or ("company", "planner")))


def _location(visit: Visit, key: str) -> e.Location | None:
    return find_location(visit.session, visit.principal, key[:200])


def _int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def _words(visit: Visit, key: str, **values: object) -> str:
    return phrase(key, visit.lang, **values)


def _refused(
    visit: Visit,
    rows: Sequence[e.PublishedSession],
    *,
    what: str,
    action: str,
    fields: dict[str, str],
    back: str,
) -> Response:
    """The 409 of the API as a page: the sessions the change would break, and a button that
    sends the same form again with confirm."""
    return visit.page(
        "company_confirm.html",
        status=409,
        what=what,
        sessions=sorted(rows, key=lambda row: (row.start, row.uid)),
        action=action,
        fields=fields,
        back_url=back,
    )


# --- the locations -----------------------------------------------------------------------


def _locations_page(
    visit: Visit,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    stale: str = "",
    done: str = "",
) -> Response:
    rows = list_locations(visit.session, visit.principal, limit=MANY, offset=0).items
    kinds = visit.session.scalars(select(e.EquipmentType).order_by(e.EquipmentType.code)).all()
    return visit.page(
        "company_locations.html",
        status=status,
        locations=rows,
        kinds=kinds,
        errors=errors or {},
        typed=typed or {},
        stale=stale,
        done=done,
    )


@router.get(LOCATIONS)
def locations_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    return _locations_page(visit, done=request.query_params.get("klaar", "")[:80])


def _stale(visit: Visit, location: e.Location, version: str) -> Response | None:
    """The page that says the location changed meanwhile (the API's 412), or None."""
    if _int(version) == location.version:
        return None
    return _locations_page(visit, status=409, stale=location.key)


@router.post(LOCATIONS + "/{key}/capaciteit")
def set_capacity(
    key: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    capacity: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """As PATCH /api/v1/locations/{key} with {"capacity": n} and If-Match."""
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    location = _location(visit, key)
    if location is None:
        return visit.not_found()
    stale = _stale(visit, location, version)
    if stale is not None:
        return stale
    seats = _int(capacity)
    if seats is None or not 0 < seats <= MAX_PEOPLE:
        field = f"cap-{location.key}"
        return _locations_page(
            visit, status=422, typed={field: capacity},
            errors={field: _words(visit, "web.company.error.number", max=MAX_PEOPLE)},
        )  # fmt: skip
    actor = actor_of(visit.principal)
    try:
        marked = slots.guard_capacity(
            session, location, seats, confirm=confirm == "1", actor=actor, now=now
        )
    except slots.BreaksSessions as exc:
        return _refused(
            visit, exc.rows,
            what=_words(visit, "web.company.confirm.capacity", location=location.name,
                        old=location.capacity, new=seats),
            action=f"{LOCATIONS}/{location.key}/capaciteit",
            fields={"capacity": str(seats), "version": str(location.version)},
            back=LOCATIONS,
        )  # fmt: skip
    update_location(session, location, {"capacity": seats}, actor=actor, now=now, marked=marked)
    session.flush()
    return visit.back(f"{LOCATIONS}?klaar={location.key}#loc-{location.key}")


@router.post(LOCATIONS + "/{key}/uitrusting")
def set_equipment(
    key: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    code: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    remove: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """As PUT (or, with ``remove``, DELETE) /api/v1/locations/{key}/equipment/{code}."""
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    location = _location(visit, key)
    if location is None:
        return visit.not_found()
    stale = _stale(visit, location, version)
    if stale is not None:
        return stale
    equipment = slots.find_equipment_type(session, code.strip())
    new = not any(item.equipment_type.code == code for item in location.equipment)
    if equipment is None:
        return _locations_page(
            visit, status=422, typed={f"new-qty-{location.key}": quantity},
            errors={f"new-code-{location.key}": _words(visit, "web.company.error.equipment")},
        )  # fmt: skip
    actor = actor_of(visit.principal)
    amount = 0
    if not remove:
        try:
            amount = EquipmentIn.model_validate({"quantity": _int(quantity)}).quantity
        except ValidationError:
            field = f"new-qty-{location.key}" if new else f"qty-{location.key}-{code}"
            return _locations_page(
                visit, status=422, typed={field: quantity, f"new-code-{location.key}": code},
                errors={field: _words(visit, "web.company.error.number", max=MAX_PEOPLE)},
            )  # fmt: skip
    try:
        if remove:
            slots.remove_equipment(
                session, location, equipment, confirm=confirm == "1", actor=actor, now=now
            )
        else:
            slots.set_equipment(
                session, location, equipment, amount, confirm=confirm == "1", actor=actor,
                now=now,
            )  # fmt: skip
    except slots.BreaksSessions as exc:
        what = (
            "web.company.confirm.equipment_removed" if remove else "web.company.confirm.equipment"
        )
        return _refused(
            visit, exc.rows,
            what=_words(visit, what, location=location.name, code=equipment.code, new=amount),
            action=f"{LOCATIONS}/{location.key}/uitrusting",
            fields={"code": equipment.code, "quantity": quantity, "remove": remove,
                    "version": str(location.version)},
            back=LOCATIONS,
        )  # fmt: skip
    except LocationChangeError:  # removing what it no longer has: told as changed meanwhile
        return _locations_page(visit, status=409, stale=location.key)
    session.flush()
    return visit.back(f"{LOCATIONS}?klaar={location.key}#loc-{location.key}")


# --- the availability: the weekly grid, one-off windows, closures -------------------------


def _availability_url(location: e.Location, period: Period = ALWAYS) -> str:
    url = f"{LOCATIONS}/{location.key}/beschikbaarheid"
    return f"{url}?periode={period_text(period)}" if period != ALWAYS else url


def _availability_page(
    visit: Visit,
    location: e.Location,
    period: Period,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    return visit.page(
        "company_availability.html",
        status=status,
        location=location,
        grid=week_grid(location, period),
        period=period,
        period_value=period_text(period),
        periods=[(p, _availability_url(location, p)) for p in periods(location)],
        one_off=sorted(location.one_off_windows, key=lambda w: (w.day, w.start)),
        closures=sorted(location.closures, key=lambda c: (c.first, c.last)),
        errors=errors or {},
        grid_error=(errors or {}).get("grid", ""),
        typed=typed or {},
        notice=notice,
        base=f"{LOCATIONS}/{location.key}/beschikbaarheid",
        loc_url=f"{LOCATIONS}/{location.key}",
        weekday_name=lambda d: _words(visit, f"web.company.weekday.{d}"),
        slot_day=lambda w: f"{_day(visit, w.day)}, {w.start:%H:%M}–{w.end:%H:%M}",
    )


def _period(text: str) -> Period | None:
    try:
        return parse_period(text[:40])
    except ValueError:
        return None


@router.get(LOCATIONS + "/{key}/beschikbaarheid")
def availability_page(
    key: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    location = _location(visit, key)
    period = _period(request.query_params.get("periode", ""))
    if location is None or period is None:
        return visit.not_found()
    notice = "web.company.saved" if request.query_params.get("klaar") else ""
    return _availability_page(visit, location, period, notice=notice)


def _slot_words(visit: Visit, weekday: int, start: Any, end: Any) -> str:
    day = _words(visit, f"web.company.weekday.{weekday}")
    return f"{day} {start:%H:%M}–{end:%H:%M}"


@router.post(LOCATIONS + "/{key}/beschikbaarheid")
def toggle_slot(
    key: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    slot: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Open a closed half hour or close an open one: the weekly windows of the day are
    rewritten as the API's weekly window routes would (models/location_grid.py)."""
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    location = _location(visit, key)
    shown = _period(period)
    if location is None or shown is None:
        return visit.not_found()
    try:
        opening, weekday, start, end = parse_slot(slot)
        set_slot(
            session, location, shown, weekday, start, end, opening=opening,
            confirm=confirm == "1", actor=actor_of(visit.principal), now=now,
        )  # fmt: skip
    except slots.BreaksSessions as exc:
        return _refused(
            visit, exc.rows,
            what=_words(visit, "web.company.confirm.close_slot", location=location.name,
                        slot=_slot_words(visit, weekday, start, end)),
            action=f"{LOCATIONS}/{location.key}/beschikbaarheid",
            fields={"slot": slot, "period": period},
            back=_availability_url(location, shown),
        )  # fmt: skip
    except LocationChangeError as exc:
        reason = "web.company.error.slot" if exc.kind == "invalid" else "web.company.error.overlap"
        return _availability_page(
            visit, location, shown, status=422 if exc.kind == "invalid" else 409,
            errors={"grid": _words(visit, reason)},
        )  # fmt: skip
    session.flush()
    url = _availability_url(location, shown)
    mark = "&" if "?" in url else "?"
    return visit.back(f"{url}{mark}klaar=1#rooster-{weekday}-{start:%H%M}")


_ONE_OFF_FIELDS = {"date": "one-date", "start": "one-start", "end": "one-end"}
_CLOSURE_FIELDS = {"first": "closure-first", "last": "closure-last", "reason": "closure-reason"}
_FIELD_WORDS = {
    "one-date": "web.company.error.date",
    "one-start": "web.company.error.time",
    "one-end": "web.company.error.time",
    "closure-first": "web.company.error.date",
    "closure-last": "web.company.error.date",
    "closure-reason": "web.company.error.reason",
}


_ORDERED: dict[str, TypeAdapter[Any]] = {"end": TypeAdapter(ClockTime), "last": TypeAdapter(Day)}


def _reads_as(adapter: TypeAdapter[Any], text: str) -> bool:
    """Whether ``text`` is a good value on its own (so its error is its order, not its form)."""
    try:
        adapter.validate_python(text.strip())
    except ValidationError:
        return False
    return True


def _checked(
    visit: Visit, model: type[BaseModel], values: dict[str, str], fields: dict[str, str]
) -> tuple[BaseModel | None, dict[str, str]]:
    """The form's values checked by the API's own body model; errors by the page's field ids
    in the reader's words (an end before its start is told at the end)."""
    try:
        return model.model_validate({k: v.strip() for k, v in values.items()}), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            field = fields.get(name)
            if field is None or field in errors:
                continue
            if name in _ORDERED and _reads_as(_ORDERED[name], values.get(name, "")):
                errors[field] = _words(visit, f"web.company.error.{name}_before")
            else:
                errors[field] = _words(visit, _FIELD_WORDS[field])
        return None, errors


@router.post(LOCATIONS + "/{key}/extra")
def add_one_off(
    key: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    day: Annotated[str, Form(alias="date")] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """As POST /api/v1/locations/{key}/availability/one-off."""
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    location = _location(visit, key)
    shown = _period(period) or ALWAYS
    if location is None:
        return visit.not_found()
    typed = {"one-date": day, "one-start": start, "one-end": end}
    body, errors = _checked(
        visit, OneOffWindowIn, {"date": day, "start": start, "end": end}, _ONE_OFF_FIELDS
    )
    if not isinstance(body, OneOffWindowIn):
        return _availability_page(visit, location, shown, status=422, errors=errors, typed=typed)
    try:
        row = add_one_off_window(location, body.date, body.start, body.end)
    except LocationChangeError as exc:
        field = {"$.start": "one-start", "$.end": "one-end"}.get(exc.path, "one-date")
        words = "web.company.error.overlap" if exc.kind == "conflict" else "web.company.error.gap"
        return _availability_page(
            visit, location, shown, status=409 if exc.kind == "conflict" else 422,
            errors={field: _words(visit, words)}, typed=typed,
        )  # fmt: skip
    slots.audit_one_off_added(session, location, row, actor=actor_of(visit.principal), now=now)
    session.flush()
    return visit.back(_done(location, shown, "extra"))


def _done(location: e.Location, period: Period, anchor: str) -> str:
    url = _availability_url(location, period)
    return f"{url}{'&' if '?' in url else '?'}klaar=1#{anchor}"


def _remove_row(
    visit: Visit,
    location: e.Location,
    shown: Period,
    row: e.LocationOneOffWindow | e.LocationClosure | None,
    version: str,
    remove: Callable[[], object],
    *,
    what: str,
    action: str,
    fields: dict[str, str],
    anchor: str,
) -> Response:
    """Remove one one-off window or closure with its version as If-Match; a row that is gone
    or changed meanwhile is told in words with the current lists."""
    if row is None or _int(version) != row.version:
        return _availability_page(visit, location, shown, status=409, notice="web.company.stale")
    try:
        remove()
    except slots.BreaksSessions as exc:
        return _refused(
            visit, exc.rows, what=what, action=action, fields=fields,
            back=_availability_url(location, shown),
        )  # fmt: skip
    visit.session.flush()
    return visit.back(_done(location, shown, anchor))


@router.post(LOCATIONS + "/{key}/extra/{row_id}/weg")
def remove_one_off(
    key: str,
    row_id: int,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """As DELETE /api/v1/locations/{key}/availability/one-off/{id} with If-Match."""
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    location = _location(visit, key)
    shown = _period(period) or ALWAYS
    if location is None:
        return visit.not_found()
    row = next((w for w in location.one_off_windows if w.id == row_id), None)
    what = ""
    if row is not None:
        what = _words(visit, "web.company.confirm.remove_one_off", location=location.name,
                      day=f"{_day(visit, row.day)}, {row.start:%H:%M}–{row.end:%H:%M}")  # fmt: skip

    def remove() -> None:
        assert row is not None
        slots.delete_one_off(session, location, row, confirm=confirm == "1",
                             actor=actor_of(visit.principal), now=now)  # fmt: skip

    return _remove_row(
        visit, location, shown, row, version, remove, what=what,
        action=f"{LOCATIONS}/{location.key}/extra/{row_id}/weg",
        fields={"version": version, "period": period}, anchor="extra",
    )  # fmt: skip


def _day(visit: Visit, d: date) -> str:
    return day_text(d, visit.lang)


@router.post(LOCATIONS + "/{key}/sluitingen")
def add_closure(
    key: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    first: Annotated[str, Form()] = "",
    last: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """As POST /api/v1/locations/{key}/closures (409 over published sessions unless
    confirmed)."""
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    location = _location(visit, key)
    shown = _period(period) or ALWAYS
    if location is None:
        return visit.not_found()
    typed = {"closure-first": first, "closure-last": last, "closure-reason": reason}
    body, errors = _checked(
        visit, ClosureIn, {"first": first, "last": last, "reason": reason}, _CLOSURE_FIELDS
    )
    if not isinstance(body, ClosureIn):
        return _availability_page(visit, location, shown, status=422, errors=errors, typed=typed)
    values = {"first": body.first, "last": body.last, "reason": body.reason}
    try:
        slots.add_closure(session, location, values, confirm=confirm == "1",
                          actor=actor_of(visit.principal), now=now)  # fmt: skip
    except slots.BreaksSessions as exc:
        return _refused(
            visit, exc.rows,
            what=_words(visit, "web.company.confirm.closure", location=location.name,
                        first=_day(visit, body.first), last=_day(visit, body.last)),
            action=f"{LOCATIONS}/{location.key}/sluitingen",
            fields={"first": first, "last": last, "reason": reason, "period": period},
            back=_availability_url(location, shown),
        )  # fmt: skip
    except LocationChangeError:
        return _availability_page(
            visit, location, shown, status=409, typed=typed,
            errors={"closure-first": _words(visit, "web.company.error.too_many")},
        )  # fmt: skip
    session.flush()
    return visit.back(_done(location, shown, "sluitingen"))


@router.post(LOCATIONS + "/{key}/sluitingen/{row_id}/weg")
def remove_closure(
    key: str,
    row_id: int,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """As DELETE /api/v1/locations/{key}/closures/{id} with If-Match (it only gives time
    back, so there is nothing to confirm)."""
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    location = _location(visit, key)
    shown = _period(period) or ALWAYS
    if location is None:
        return visit.not_found()
    row = next((c for c in location.closures if c.id == row_id), None)

    def remove() -> None:
        assert row is not None
        slots.delete_closure(session, location, row, actor=actor_of(visit.principal), now=now)

    return _remove_row(
        visit, location, shown, row, version, remove, what="", action="", fields={},
        anchor="sluitingen",
    )  # fmt: skip


# --- the bookings ------------------------------------------------------------------------


@router.get("/bedrijf/boekingen")
def bookings_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    """The published sessions at the company's sites and with its trainers, one ISO week at
    a time (the company's timetable of /rooster, as a list by day)."""
    visit = _visit(request, session, login, now, "company")
    if not isinstance(visit, Visit):
        return visit
    today = this_week(now.astimezone(AMSTERDAM).date())
    asked = request.query_params.get("week", "")[:20]
    error = ""
    try:
        monday = parse_week(asked) if asked else today
    except WeekError:
        monday, error = today, "web.week_wrong"
    grid = published_week(session, visit.principal, "company", visit.principal.partner or "",
                          monday)  # fmt: skip
    if grid is None:
        return visit.not_found()
    days = [(d, [s for s in grid.sessions if s.start.date() == d]) for d in grid.days]
    return visit.page(
        "company_bookings.html",
        status=422 if error else 200,
        grid=grid,
        by_day=[(d, found) for d, found in days if found],
        week=week_text(monday),
        asked_week=asked if error else week_text(monday),
        week_error=error,
        today_week=week_text(today),
        base="/bedrijf/boekingen",
    )


# --- the trainers ------------------------------------------------------------------------


@router.get("/bedrijf/trainers")
def trainers_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    """The company's trainers: qualifications, certified, hours per week, their weekly
    availability and their absences by category only (never a reason)."""
    visit = _visit(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    rows = list_trainers(session, visit.principal, limit=MANY, offset=0).items
    today = now.astimezone(AMSTERDAM).date()
    return visit.page(
        "company_trainers.html",
        trainers=rows,
        default_week=sorted(TRAINER_DEFAULT, key=lambda w: (w.weekday, w.start)),
        absences={t.key: [a for a in t.absences if a.last >= today] for t in rows},
        by_day=lambda windows: sorted(windows, key=lambda w: (w.weekday, w.start)),
        weekday_name=lambda d: _words(visit, f"web.company.weekday.{d}"),
        absence_word=lambda category: _words(visit, f"web.company.absence.{category}"),
    )
