"""Rendering of the web pages: one Jinja2 environment, the words of models/words.py, dates
as people write them. Every value from the data is escaped by the templates (autoescape)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from models.keys import Principal
from models.week_grid import week_text
from models.words import Language, day_text, phrase, slot_text

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEAMS = ("W", "E", "BIM", "BOL4", "other")
# The pages show who is signed in and a CSRF token: never cache or frame them, load nothing
# from elsewhere (the style sheet and the few small scripts are ours, from /static; no inline
# script runs), and send no address on.
HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "script-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,  # a misspelt name fails the test, not the reader
    trim_blocks=True,
    lstrip_blocks=True,
)


def time_span(start: datetime, end: datetime) -> str:
    """'09:00–12:00' (wall time, an en dash as people write it)."""
    return f"{start:%H:%M}–{end:%H:%M}"


def who(principal: Principal, name: str, lang: Language) -> str:
    """'school: Vmbo College Zuidoost (Ans)': the role, its partner or trainer, the label."""
    role = phrase(f"web.role.{principal.role}", lang)
    text = f"{role}: {name}" if name else role
    return f"{text} ({principal.label})" if principal.label else text


def render(
    template: str,
    *,
    lang: Language,
    status: int = 200,
    path: str = "/",
    **context: Any,
) -> HTMLResponse:
    """A page in ``lang``; ``path`` is where the language switch returns to."""

    def t(key: str, **values: object) -> str:
        return phrase(key, lang, **values)

    html = _env.get_template(template).render(
        lang=lang,
        other_lang="en" if lang == "nl" else "nl",
        t=t,
        day=lambda d: day_text(d, lang),
        slot=lambda a, b: slot_text(a, b, lang),
        time_span=time_span,
        week_text=week_text,
        week_after=lambda monday, n: week_text(monday + timedelta(weeks=n)),
        plus_days=lambda d, n: d + timedelta(days=n),
        teams=TEAMS,
        path=path,
        login=context.pop("login", None),
        who_text=context.pop("who_text", ""),
        nav=context.pop("nav", ()),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
