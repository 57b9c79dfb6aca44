"""The routes of the web pages: sign in and out, the language switch, the week timetables.

Dutch paths (the readers are Dutch): /aanmelden, /afmelden, /taal/en, /rooster and
/rooster/<locatie|trainer|school|groep|bedrijf>/<key>?week=2027-W13. A page that needs a
signed-in browser sends others to /aanmelden; a timetable outside the key's scope gets the
same 404 as one that does not exist (models/week_grid.py decides both).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.deps import ApiSessionDep, NowDep
from api.web.pages import STATIC, render
from api.web.visit import (
    FORM_COOKIE,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    LoginDep,
    Visit,
    is_https,
    open_page,
    page_frame,
    page_language,
    to_sign_in,
)
from models.web_sessions import csrf_ok, sign_in, sign_out
from models.week_grid import (
    WeekError,
    campus_week,
    parse_week,
    subjects,
    this_week,
    week_grid,
    week_text,
)
from models.words import LANGUAGES, Language

router = APIRouter(include_in_schema=False)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
VIEWS = {"locatie": "location", "trainer": "trainer", "school": "school", "groep": "group",
         "bedrijf": "company"}  # fmt: skip
VIEW_PATHS = {view: path for path, view in VIEWS.items()}


@router.get("/")
def home(login: LoginDep) -> Response:
    return RedirectResponse("/rooster" if login else "/aanmelden", status_code=303)


STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    """Our own style sheet and scripts (api/web/static), by exact file name only."""
    path = STATIC / name
    kind = STATIC_TYPES.get(path.suffix)
    if kind is None or "/" in name or name.startswith(".") or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type=kind, headers={"Cache-Control": "public, max-age=3600"})


def _sign_in_page(
    request: Request, lang: Language, *, status: int = 200, error: str = "", notice: str = ""
) -> Response:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
    response = render("sign_in.html", lang=lang, status=status, path="/aanmelden",
                      form_token=token, error=error, notice=notice)  # fmt: skip
    response.set_cookie(FORM_COOKIE, token, path="/aanmelden", httponly=True,
                        samesite="strict", secure=is_https(request))  # fmt: skip
    return response


@router.get("/aanmelden")
def sign_in_form(request: Request, session: ApiSessionDep, login: LoginDep) -> Response:
    if login is not None:
        return RedirectResponse("/rooster", status_code=303)
    lang = page_language(request, session, None)
    notice = ""
    if request.query_params.get("afgemeld"):
        notice = "web.signed_out"
    elif request.query_params.get("verlopen"):
        notice = "web.session_ended"
    return _sign_in_page(request, lang, notice=notice)


@router.post("/aanmelden")
def sign_in_post(
    request: Request,
    session: ApiSessionDep,
    now: NowDep,
    key: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    lang = page_language(request, session, None)
    expected = request.cookies.get(FORM_COOKIE) or ""
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return _sign_in_page(request, lang, status=403, notice="web.form_expired")
    if not key.strip():
        return _sign_in_page(request, lang, status=422, error="web.key_missing")
    made = sign_in(session, key, now=now)
    if made is None:
        return _sign_in_page(request, lang, status=422, error="web.key_wrong")
    cookie, login = made
    response = RedirectResponse("/rooster", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        expires=login.expires_at,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )
    response.delete_cookie(FORM_COOKIE, path="/aanmelden")
    return response


@router.post("/afmelden")
def sign_out_post(
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if login is None:
        return to_sign_in()
    if not csrf_ok(login, csrf):
        lang = page_language(request, session, login)
        frame = page_frame(request, session, login, lang)
        return render("message.html", lang=lang, status=403, title="web.sign_out",
                      message="web.form_expired", **frame)  # fmt: skip
    sign_out(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/aanmelden?afgemeld=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/taal/{lang}")
def switch_language(lang: str, request: Request) -> Response:
    """Remember the reader's language and go back where the switch was clicked (this site
    only: a path, never another host)."""
    back = request.query_params.get("terug", "/")
    if not back.startswith("/") or back.startswith(("//", "/\\")):
        back = "/"
    response = RedirectResponse(back, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, path="/",
                            samesite="lax", secure=is_https(request))  # fmt: skip
    return response


@router.get("/rooster")
def timetables(request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep) -> Response:
    visit = open_page(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    groups: dict[str, list[tuple[str, str]]] = {}
    for subject in subjects(session, visit.principal):
        url = f"/rooster/{VIEW_PATHS[subject.view]}/{subject.key}"
        groups.setdefault(subject.view, []).append((url, subject.name))
    return visit.page("timetables.html", groups=groups)


def _week(request: Request, now: datetime) -> tuple[date, str, str]:
    """The asked week's Monday (this week when none or a wrong one is asked), the text to put
    back in the week field, and the error to show next to it."""
    today = now.astimezone(AMSTERDAM).date()
    asked = request.query_params.get("week")
    if asked:
        try:
            monday = parse_week(asked)
        except WeekError:
            return this_week(today), asked, "web.week_wrong"
        return monday, week_text(monday), ""
    return this_week(today), week_text(this_week(today)), ""


def _week_context(now: datetime, monday: date, base: str) -> dict[str, object]:
    """The week navigation's links: ``base`` with the weeks around ``monday`` and today's."""
    today = now.astimezone(AMSTERDAM).date()
    return {"base": base, "week": week_text(monday), "today_week": week_text(this_week(today))}


@router.get("/rooster/campus")
def campus_page(request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep) -> Response:
    """The campus overview of a week (locations by days): planners only, 404 for others."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    monday, asked_week, week_error = _week(request, now)
    grid = campus_week(session, visit.principal, monday)
    if grid is None:
        return visit.not_found("web.not_found")
    return visit.page(
        "campus.html",
        status=422 if week_error else 200,
        grid=grid,
        days=grid.days,
        week_error=week_error,
        asked_week=asked_week,
        **_week_context(now, monday, "/rooster/campus"),
    )


@router.get("/rooster/{kind}/{key}")
def week_page(
    kind: str, key: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    monday, asked_week, week_error = _week(request, now)
    grid = week_grid(session, visit.principal, VIEWS.get(kind, ""), key[:200], monday)
    if grid is None:
        return visit.not_found("web.not_found")
    return visit.page(
        "week.html",
        status=422 if week_error else 200,
        grid=grid,
        days=grid.days,
        kind_word=f"web.kind.{grid.subject.view}",
        week_error=week_error,
        asked_week=asked_week,
        **_week_context(now, monday, f"/rooster/{kind}/{grid.subject.key}"),
    )
