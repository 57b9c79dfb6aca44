"""The school's pages: its groups with their blocked periods, and its requests.

/school/groepen lists the school's groups (size, level, home site, travel windows) and the
periods each cannot come (exam, internship, trip, other); /school/groepen/<key> adds and
removes them as /api/v1/groups/<key>/unavailable does. /school/aanvragen lists the school's
requests with their status and planned sessions, withdraws one (the cut-off refusal in
words), and /school/aanvragen/nieuw submits one through the same door checks as
``POST /api/v1/requests``: a request that can never be scheduled is refused at once with its
reasons in the reader's language, and nothing is stored. Every page calls the functions of
models/ that the API routes call, so scope, checks and audit are the API's; a group or
request of another school answers the one 404 of a thing that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, actor_of
from api.web.visit import LoginDep, Visit, open_page
from models import entities as e
from models.absences import ABSENCE_CATEGORIES
from models.groups import GroupChangeError, add_unavailable, find_group, remove_unavailable
from models.links import link_secret, page_query
from models.requests import (
    RequestChangeError,
    find_request,
    list_requests,
    published_sessions,
    submit_request,
    withdraw,
    withdrawal_deadline,
)
from models.scenario import MAX_NOTE, Unavailable
from models.school_groups import list_groups
from models.settings import load_settings
from models.text import control_character
from models.words import day_text, period_text, phrase, render
from scheduler.problem import GROUP_AWAY_REASONS
from scheduler.timegrid import from_aware

router = APIRouter(include_in_schema=False)
ROLE = "school"
MAX_GROUPS = 500  # groups of one school on one page (a school has tens)
PAGE = 100  # requests per page
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # ISO 1..7, the API's words
TIMES_OF_DAY = ("morning", "afternoon", "evening")
MAX_PERIOD_NOTE = 200
# The words the templates pick by a stored value, ``t(word("reason", p.reason))``: the key is
# web.<area>.<family>.<value>; tests/web/test_school.py checks every value in both languages.
WORD_FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "reason": ("school", GROUP_AWAY_REASONS),
    "status": ("school", e.REQUEST_STATUSES),
    "time": ("school", TIMES_OF_DAY),
    "weekday": ("school", WEEKDAYS),
    "category": ("trainer", ABSENCE_CATEGORIES),
}


def word(family: str, value: str) -> str:
    """The catalogue key of ``value`` in one of the WORD_FAMILIES."""
    area, _values = WORD_FAMILIES[family]
    return f"web.{area}.{family}.{value}"


# --- reading a form: each field's value and the catalogue key of what is wrong with it ---------


@dataclass
class FormErrors:
    """What was wrong, per field (catalogue keys, with their values), kept for the template."""

    fields: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)

    def add(self, name: str, key: str, **values: object) -> None:
        self.fields.setdefault(name, (key, values))

    def __bool__(self) -> bool:
        return bool(self.fields)


def parse_day(text: str) -> date | None:
    """A day as a date field sends it (2027-03-16); None when it is not one."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def read_period(
    form: Mapping[str, str], errors: FormErrors, first: str = "first", last: str = "last"
) -> tuple[date | None, date | None]:
    """The two days of a from..to pair, each told next to its own field when wrong."""
    days: list[date | None] = []
    for name in (first, last):
        text = form.get(name, "").strip()
        day = parse_day(text) if text else None
        if not text:
            errors.add(name, "web.school.form.day_missing")
        elif day is None:
            errors.add(name, "web.school.form.day_wrong", value=text[:40])
        days.append(day)
    start, end = days
    if start is not None and end is not None and end < start:
        errors.add(last, "web.school.form.day_before", first=start, last=end)
    return start, end


def read_text(
    form: Mapping[str, str], errors: FormErrors, name: str, limit: int, *, lines: bool
) -> str:
    """A free text: at most ``limit`` characters, no control characters (the API's rule; a
    browser's line breaks are CR LF, kept as LF where lines are allowed)."""
    text = form.get(name, "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        errors.add(name, "web.school.form.text_long", limit=limit, length=len(text))
    elif control_character(text, "\n\t" if lines else "") is not None:
        words = "web.school.form.text_control" if lines else "web.school.form.text_one_line"
        errors.add(name, words)
    return text


def field_errors(visit: Visit, errors: FormErrors) -> dict[str, str]:
    """The errors in the reader's words, by field name."""
    return {
        name: phrase(key, visit.lang, **_shown(visit, values))
        for name, (key, values) in errors.fields.items()
    }


def period_of(visit: Visit) -> Callable[[date, date], str]:
    """``period(first, last)`` for the templates: 'ma 15 mrt 2027 t/m vr 9 apr 2027'."""
    return lambda first, last: period_text(first, last, visit.lang)


def _shown(visit: Visit, values: Mapping[str, object]) -> dict[str, object]:
    """Dates as people write them, in the reader's language."""
    return {k: day_text(v, visit.lang) if isinstance(v, date) else v for k, v in values.items()}


# --- the groups and their blocked periods -------------------------------------------------


def _groups_page(
    visit: Visit,
    groups: list[e.Group],
    *,
    one: e.Group | None = None,
    status: int = 200,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str = "",
) -> Response:
    return visit.page(
        "school_groups.html",
        status=status,
        groups=groups,
        one=one,
        form=dict.fromkeys(("first", "last", "reason", "note"), "") | dict(form or {}),
        errors=errors or {},
        notice=notice,
        reasons=GROUP_AWAY_REASONS,
        period=period_of(visit),
        word=word,
        weekdays=WEEKDAYS,
    )


def _group_notice(request: Request) -> str:
    asked = request.query_params.get("gedaan", "")
    return {"toegevoegd": "web.school.period_added",
            "verwijderd": "web.school.period_removed"}.get(asked, "")  # fmt: skip


@router.get("/school/groepen")
def groups_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    page = list_groups(session, visit.principal, limit=MAX_GROUPS, offset=0)
    return _groups_page(visit, page.items)


@router.get("/school/groepen/{key}")
def group_page(
    key: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    group = find_group(session, visit.principal, key[:200])
    if group is None:
        return visit.not_found()
    return _groups_page(visit, [group], one=group, notice=_group_notice(request))


@router.post("/school/groepen/{key}/perioden")
def add_period(
    key: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    first: Annotated[str, Form()] = "",
    last: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Add ONE blocked period, as ``POST /api/v1/groups/<key>/unavailable`` does."""
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    group = find_group(session, visit.principal, key[:200])
    if group is None:
        return visit.not_found()
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    form = {"first": first, "last": last, "reason": reason, "note": note}
    errors = FormErrors()
    day_from, day_to = read_period(form, errors)
    if reason not in GROUP_AWAY_REASONS:
        errors.add("reason", "web.school.reason_missing")
    text = read_text(form, errors, "note", MAX_PERIOD_NOTE, lines=False)
    period = None
    if not errors:
        try:
            period = Unavailable(first=day_from, last=day_to, reason=reason, note=text)
        except ValidationError:  # the scenario format's own rules, should the above miss one
            errors.add("note", "web.school.form.text_one_line")
    if period is not None:
        try:
            add_unavailable(session, group, period, actor=actor_of(visit.principal), now=now)
        except GroupChangeError:
            errors.add("first", "web.school.too_many_periods")
    if errors:
        session.rollback()
        group = find_group(session, visit.principal, key[:200])
        assert group is not None
        return _groups_page(visit, [group], one=group, status=422, form=form,
                            errors=field_errors(visit, errors))  # fmt: skip
    session.flush()
    return visit.back(f"/school/groepen/{group.key}?gedaan=toegevoegd#perioden")


@router.post("/school/groepen/{key}/perioden/{period_id}/verwijderen")
def remove_period(
    key: str,
    period_id: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Remove ONE blocked period, as ``DELETE /api/v1/groups/<key>/unavailable/<id>`` does."""
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    group = find_group(session, visit.principal, key[:200])
    if group is None or not period_id.isdigit() or len(period_id) > 10:
        return visit.not_found()
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    removed = remove_unavailable(
        session, group, int(period_id), actor=actor_of(visit.principal), now=now
    )
    if not removed:
        return visit.not_found()
    session.flush()
    return visit.back(f"/school/groepen/{group.key}?gedaan=verwijderd#perioden")


# --- the requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedSession:
    """One published session of a request, as the school reads it."""

    uid: str
    start: object
    end: object
    location: str
    cancelled: bool
    url: str


@dataclass(frozen=True)
class RequestRow:
    """A request as the school's list and page show it."""

    key: str
    activity: str
    groups: list[str]
    participants: int
    earliest: date
    latest: date
    status: str
    decline_reason: str
    note: str
    weekdays: list[str]
    time_of_day: str | None
    withdraw_until: date | None
    version: int
    sessions: list[PlannedSession]


def _row(session: Session, visit: Visit, request: e.Request, secret: bytes) -> RequestRow:
    until = None
    if request.status in ("submitted", "accepted"):
        days = load_settings(session).withdrawal_cutoff_working_days
        until, _counted = withdrawal_deadline(session, request, days)
    school = visit.principal.partner or ""
    planned = [
        PlannedSession(
            uid=ps.uid,
            start=ps.start,
            end=ps.end,
            location=ps.location.name,
            cancelled=ps.status == "cancelled",
            url=f"/sessions/{ps.uid}?{page_query(secret, 'school', school, ps.uid)}",
        )
        for ps in published_sessions(session, request)
    ]
    groups = [rg.group for rg in request.groups]
    return RequestRow(
        key=request.key,
        activity=request.activity_type.title,
        groups=[g.name for g in groups],
        participants=sum(g.headcount for g in groups),
        earliest=request.earliest,
        latest=request.latest,
        status=request.status,
        decline_reason=request.decline_reason if request.status == "declined" else "",
        note=request.note,
        weekdays=[WEEKDAYS[int(d) - 1] for d in request.preferred_weekdays.split(",") if d],
        time_of_day=request.preferred_time_of_day,
        withdraw_until=until,
        version=request.version,
        sessions=planned,
    )


def _offset(request: Request) -> int:
    text = request.query_params.get("vanaf", "0")
    return min(int(text), 10**6) if text.isdigit() and len(text) < 8 else 0


def _requests_page(
    visit: Visit,
    session: Session,
    *,
    offset: int = 0,
    status: int = 200,
    notice: str = "",
    notice_key: str = "",
    refused: Mapping[str, str] | None = None,
) -> Response:
    page = list_requests(session, visit.principal, limit=PAGE, offset=offset)
    secret = link_secret(session)
    rows = [_row(session, visit, r, secret) for r in page.items]
    return visit.page(
        "school_requests.html",
        status=status,
        rows=rows,
        total=page.total,
        offset=offset,
        page_size=PAGE,
        notice=notice,
        notice_key=notice_key,
        refused=refused or {},
        today=from_aware(visit.now).date(),
        period=period_of(visit),
        word=word,
    )


@router.get("/school/aanvragen")
def requests_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    done = request.query_params.get("gedaan", "")
    notice = {"ingediend": "web.school.request_submitted",
              "ingetrokken": "web.school.request_withdrawn"}.get(done, "")  # fmt: skip
    which = request.query_params.get("aanvraag", "")[:80] if notice else ""
    return _requests_page(visit, session, offset=_offset(request), notice=notice,
                          notice_key=which)  # fmt: skip


@router.post("/school/aanvragen/{key}/intrekken")
def withdraw_post(
    key: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    """Withdraw as ``POST /api/v1/requests/<key>/withdraw`` does for a school: until the
    campus's cut-off; after it the refusal says until when it could, and whom to ask."""
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    found = find_request(session, visit.principal, key[:200])
    if found is None:
        return visit.not_found()
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    shown_key = found.key
    if version and version != str(found.version):  # the form's If-Match
        words = phrase("web.school.changed_meanwhile", visit.lang)
        return _requests_page(visit, session, status=409, refused={shown_key: words})
    days = load_settings(session).withdrawal_cutoff_working_days
    try:
        withdraw(session, found, working_days=days, actor=actor_of(visit.principal), now=now)
    except RequestChangeError as exc:
        session.rollback()
        if exc.until is not None:
            words = phrase("web.school.withdraw_too_late", visit.lang,
                           until=day_text(exc.until, visit.lang))  # fmt: skip
        else:
            words = phrase("web.school.withdraw_not_now", visit.lang)
        return _requests_page(visit, session, status=409, refused={shown_key: words})
    session.flush()
    return visit.back(f"/school/aanvragen?gedaan=ingetrokken&aanvraag={shown_key}#{shown_key}")


@router.get("/school/aanvragen/nieuw")
def new_request_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    return _new_page(visit, session, form={}, chosen=[], weekdays=[])


def _new_page(
    visit: Visit,
    session: Session,
    *,
    form: Mapping[str, str],
    chosen: list[str],
    weekdays: list[str],
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    reasons: list[str] | None = None,
) -> Response:
    activities = session.scalars(
        select(e.ActivityType).order_by(e.ActivityType.team, e.ActivityType.title)
    ).all()
    groups = list_groups(session, visit.principal, limit=MAX_GROUPS, offset=0).items
    return visit.page(
        "school_request_new.html",
        status=status,
        activities=activities,
        groups=groups,
        form=dict.fromkeys(("activity", "earliest", "latest", "time_of_day", "note"), "")
        | dict(form),
        chosen=chosen,
        chosen_weekdays=weekdays,
        errors=errors or {},
        reasons=reasons or [],
        weekdays=WEEKDAYS[:5],
        times_of_day=TIMES_OF_DAY,
        word=word,
    )


# Where the door check's reason points (models/requests.py REASON_PATHS) -> the form's field.
FIELD_OF_PATH = {"$.groups": "groups", "$.activity": "activity", "$.earliest": "earliest",
                 "$.latest": "latest"}  # fmt: skip


@router.post("/school/aanvragen/nieuw")
def new_request_post(
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    activity: Annotated[str, Form()] = "",
    groups: Annotated[list[str] | None, Form()] = None,
    earliest: Annotated[str, Form()] = "",
    latest: Annotated[str, Form()] = "",
    weekdays: Annotated[list[str] | None, Form()] = None,
    time_of_day: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Submit through ``submit_request``, the function behind ``POST /api/v1/requests``."""
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    one = {"activity": activity[:200], "earliest": earliest[:200], "latest": latest[:200],
           "time_of_day": time_of_day[:200], "note": note[:5000]}  # fmt: skip
    chosen = [g[:200] for g in groups or []][:50]
    wished = [d for d in weekdays or [] if d in WEEKDAYS]
    errors = FormErrors()
    if not one["activity"]:
        errors.add("activity", "web.school.activity_missing")
    if not chosen:
        errors.add("groups", "web.school.groups_missing")
    first, last = read_period(one, errors, "earliest", "latest")
    if one["time_of_day"] not in ("", *TIMES_OF_DAY):
        errors.add("time_of_day", "web.school.time_of_day_wrong")
    text = read_text(one, errors, "note", MAX_NOTE, lines=True)
    if errors:
        return _new_page(visit, session, form=one, chosen=chosen, weekdays=wished, status=422,
                         errors=field_errors(visit, errors))  # fmt: skip
    values = {
        "activity": one["activity"],
        "groups": chosen,
        "earliest": first,
        "latest": last,
        "note": text,
        "preferences": {
            "weekdays": [WEEKDAYS.index(d) + 1 for d in wished],
            "time_of_day": one["time_of_day"] or None,
        },
    }
    try:
        made = submit_request(
            session, visit.principal, values, actor=actor_of(visit.principal), now=now
        )
    except RequestChangeError as exc:
        session.rollback()  # nothing half-written: the refused request is not kept
        name = FIELD_OF_PATH.get(exc.path.split("[")[0], "activity")
        reasons: list[str] = []
        if exc.kind == "never":
            reasons = [render(r, visit.lang) for r in exc.reasons]
            errors.add(name, "web.school.door_refused")
        elif name == "groups":
            errors.add(name, "web.school.group_unknown")
        else:
            errors.add(name, "web.school.activity_unknown")
        return _new_page(visit, session, form=one, chosen=chosen, weekdays=wished, status=422,
                         errors=field_errors(visit, errors), reasons=reasons)  # fmt: skip
    session.flush()
    return visit.back(f"/school/aanvragen?gedaan=ingediend&aanvraag={made.key}#{made.key}")


@router.get("/school/aanvragen/{key}")
def request_page(
    key: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    """One request with its status, the planner's reason and its sessions."""
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    found = find_request(session, visit.principal, key[:200])
    if found is None:
        return visit.not_found()
    row = _row(session, visit, found, link_secret(session))
    return visit.page("school_request.html", row=row, today=from_aware(now).date(), refused={},
                      period=period_of(visit), word=word)  # fmt: skip
