"""One signed-in visit to a page: who, in which language, and how to answer.

Every page route starts with ``open_page``: no (or an ended) session goes to /aanmelden, a
role that may not see the page gets the same 404 as a page that does not exist (the scope
rule of the API), and otherwise the route gets a ``Visit`` that renders in the reader's
language with the header's frame filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, reader_language
from api.web.nav import nav_for
from api.web.pages import render, who
from models.feeds import FeedError, find_subject
from models.keys import Principal
from models.web_sessions import WebLogin, csrf_ok, current
from models.words import DEFAULT_LANGUAGE, LANGUAGES, Language, language

SESSION_COOKIE = "tic_sessie"
FORM_COOKIE = "tic_formulier"  # the sign-in form's CSRF token (before there is a session)
LANGUAGE_COOKIE = "tic_taal"


def is_https(request: Request) -> bool:
    """Cookies are Secure when the browser reached the campus over https (behind a TLS proxy
    on this host too: uvicorn trusts its X-Forwarded-Proto); plain http on 127.0.0.1 for a
    local trial would otherwise never get its cookie back."""
    return request.url.scheme == "https"


def page_language(request: Request, session: Session, login: WebLogin | None) -> Language:
    """The chosen language (cookie), else the partner's preference, else Dutch."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return language(chosen)
    if login is not None:
        return reader_language(session, login.principal)
    return DEFAULT_LANGUAGE


def get_login(request: Request, session: ApiSessionDep, now: NowDep) -> WebLogin | None:
    return current(session, request.cookies.get(SESSION_COOKIE), now=now)


LoginDep = Annotated[WebLogin | None, Depends(get_login)]


def to_sign_in(ended: bool = False) -> RedirectResponse:
    return RedirectResponse("/aanmelden?verlopen=1" if ended else "/aanmelden", status_code=303)


def page_frame(
    request: Request, session: Session, login: WebLogin, lang: Language
) -> dict[str, object]:
    """What the layout of a signed-in page needs: who, the navigation, the CSRF token."""
    principal = login.principal
    name = ""
    try:
        if principal.role in ("school", "company") and principal.partner:
            name = find_subject(session, principal.role, principal.partner).name
        elif principal.role == "trainer" and principal.trainer:
            name = find_subject(session, "trainer", principal.trainer).name
    except FeedError:
        name = principal.partner or principal.trainer or ""
    return {
        "login": login,
        "who_text": who(principal, name, lang),
        "nav": nav_for(principal.role),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }


@dataclass
class Visit:
    request: Request
    session: Session
    login: WebLogin
    lang: Language
    now: datetime
    frame: dict[str, object]

    @property
    def principal(self) -> Principal:
        return self.login.principal

    def page(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        """``template`` in the reader's language, inside the signed-in layout."""
        return render(template, lang=self.lang, status=status, **self.frame, **context)

    def message(self, title: str, message: str, *, status: int) -> HTMLResponse:
        """A page of one message (both are catalogue keys)."""
        return self.page("message.html", status=status, title=title, message=message)

    def not_found(self, message: str = "web.page_not_found") -> HTMLResponse:
        """The one 404 for missing and out-of-scope alike (``message`` may name what was
        asked for, e.g. a timetable, never whether it exists)."""
        return self.message("web.not_found_title", message, status=404)

    def csrf_ok(self, token: str | None) -> bool:
        return csrf_ok(self.login, token)

    def form_expired(self) -> HTMLResponse:
        """A form post without this session's CSRF token: refused, nothing changed."""
        return self.message("web.not_found_title", "web.form_expired", status=403)

    def back(self, url: str) -> RedirectResponse:
        """After a successful post: see the result with a GET (post/redirect/get)."""
        return RedirectResponse(url, status_code=303)


def open_page(
    request: Request,
    session: Session,
    login: WebLogin | None,
    now: datetime,
    *roles: str,
) -> Visit | Response:
    """The visit, or the answer that replaces the page (to sign in, or 404 for the role)."""
    if login is None:
        return to_sign_in(ended=SESSION_COOKIE in request.cookies)
    lang = page_language(request, session, login)
    visit = Visit(request, session, login, lang, now, page_frame(request, session, login, lang))
    if roles and login.principal.role not in roles:
        return visit.not_found()
    return visit
