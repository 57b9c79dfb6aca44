"""GET /sessions/{uid}: the page a calendar event's URL opens (server-rendered HTML, no script).

Only a link taken from a feed opens it: the link's view, subject and signature must match
(models/links.py, docs/feeds.md "The session page"). Everything else (no or a wrong
signature, another session's signature, a session the subject no longer sees, no such
session) gets the same 404 page, so the page never confirms that a session exists.
Dutch by default, English with ?lang=en or when the subject's partner prefers English.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from models.session_page import SessionPage, page_data
from models.words import LANGUAGES, Language, host_word, moment_text, phrase, slot_text

router = APIRouter(tags=["feeds"])
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The link's signature is in the URL: never send it on (the map link), never index it.
HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40em;margin:1.5em auto;padding:0 1em;"
    "line-height:1.45;color:#222}dt{font-weight:bold;margin-top:.7em}dd{margin:0}"
    ".cancelled{color:#a00;font-weight:bold}small{color:#555}"
)


def _document(lang: Language, title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _travel(page: SessionPage, lang: Language) -> str:
    items = []
    for group in page.groups:
        if group.minutes is None:
            minutes = phrase("page.travel_unknown", lang)
        elif group.minutes == 0 and page.at_school:
            minutes = phrase("page.at_school", lang)
        else:
            minutes = phrase("page.minutes", lang, minutes=group.minutes)
        items.append(f"<li>{escape(group.name)}: {escape(minutes)}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else "<p>-</p>"


def render_page(page: SessionPage, lang: Language, other_language_url: str) -> str:
    """The session as HTML in ``lang``; every value from the data is escaped."""
    status = phrase(f"page.{page.status}", lang)
    changed = page.last_modified.astimezone(AMSTERDAM)
    when = (
        slot_text(page.start, page.end, lang)
        if page.start.date() == page.end.date()
        else f"{moment_text(page.start, lang)} – {moment_text(page.end, lang)}"
    )
    where = f"{page.location}, {page.address}" if page.address else page.location
    route = (
        f"https://www.openstreetmap.org/?mlat={page.latitude}&mlon={page.longitude}"
        f"#map=17/{page.latitude}/{page.longitude}"
    )
    bring = phrase("page.bring_nothing", lang)
    if page.equipment:
        bring += " " + phrase("page.provided", lang, equipment=", ".join(page.equipment))
    rows = [
        (phrase("page.status", lang),
         f'<span class="{page.status}">{escape(status)}</span>'),
        (phrase("page.when", lang), escape(when)),
        (phrase("page.groups", lang), escape(", ".join(g.name for g in page.groups)) or "-"),
        (host_word(page.host_kind, lang), escape(page.host)),
        (phrase("page.where", lang),
         f'{escape(where)} (<a href="{escape(route)}" rel="noreferrer">'
         f'{escape(phrase("page.map", lang))}</a>)'),
        (phrase("page.trainers", lang),
         escape(", ".join(page.trainers) or phrase("page.no_trainer", lang))),
        (phrase("page.bring", lang), escape(bring)),
        (phrase("page.travel", lang), _travel(page, lang)),
    ]  # fmt: skip
    if page.contact:
        rows.append((phrase("feed.contact", lang), escape(page.contact)))
    if page.note:
        rows.append((phrase("feed.note", lang), escape(page.note).replace("\n", "<br>")))
    rows.append(
        (phrase("page.last_change", lang), escape(moment_text(changed, lang)))
    )
    items = "\n".join(f"<dt>{escape(name)}</dt><dd>{value}</dd>" for name, value in rows)
    cancelled = (
        f'<p class="cancelled">{escape(phrase("feed.cancelled", lang))}</p>\n'
        if page.status == "cancelled"
        else ""
    )
    body = (
        f"<h1>{escape(page.activity)}</h1>\n"
        f"<p><small>{escape(phrase('page.for', lang, name=page.subject.name))}</small></p>\n"
        f"{cancelled}<dl>\n{items}\n</dl>\n"
        f'<p><small><a href="{escape(other_language_url)}">'
        f"{escape(phrase('page.other_language', lang))}</a></small></p>"
    )
    return _document(lang, page.activity, body)


def not_found_page(lang: Language) -> HTMLResponse:
    body = f"<h1>{escape(phrase('page.not_found_title', lang))}</h1>\n" + (
        f"<p>{escape(phrase('page.not_found', lang))}</p>"
    )
    html = _document(lang, phrase("page.not_found_title", lang), body)
    return HTMLResponse(html, 404, headers=HEADERS)


_HTML = {"text/html": {"schema": {"type": "string"}}}


@router.get(
    "/sessions/{uid:path}",
    operation_id="getSessionPage",
    response_class=HTMLResponse,
    summary="The session page a calendar event links to",
    responses={
        200: {"description": "the session as the link's subject sees it", "content": _HTML},
        404: {
            "description": "no such session, or the link's view, subject or signature does "
            "not open it (the same answer for all, so nothing is confirmed)",
            "content": _HTML,
        },
    },
)
def session_page(uid: str, request: Request, session: SessionDep) -> HTMLResponse:
    """The session's details for the feed subscriber whose link this is; 404 for anyone else.

    The link's query: `view` and `subject` (the feed's view and subject key), `sig` (the
    link's signature) and optionally `lang` (`nl` or `en`; else the subject's preference).
    They are read as plain text, so a malformed one is a wrong link (404), never a 422.
    """
    query = request.query_params
    view, subject, sig = query.get("view", ""), query.get("subject", ""), query.get("sig", "")
    wanted: Language | None = next((x for x in LANGUAGES if x == query.get("lang")), None)
    page = page_data(session, uid, view, subject, sig)
    if page is None:
        return not_found_page(wanted or "nl")
    shown: Language = wanted or page.language
    other = "en" if shown == "nl" else "nl"
    toggle = urlencode({"view": view, "subject": subject, "sig": sig, "lang": other})
    return HTMLResponse(render_page(page, shown, f"?{toggle}"), 200, headers=HEADERS)
