"""The feed renderer as it was before it wrote bytes itself (icalendar's object model).

Kept only as the reference the fast renderer in api/feeds/ical.py must match byte for byte
(tests/feeds/test_render_reference.py); copied from api/feeds/ical.py at commit 8d56326.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from icalendar import Calendar, Event, Timezone, vDuration, vText

from models.feeds import FeedData, FeedSession
from scheduler.timegrid import to_aware

TZID = "Europe/Amsterdam"
PRODID = "-//Technische Installatie Campus//TIC Planner//NL"
CANCELLED_PREFIX = "GEANNULEERD: "
VIEW_LABELS = {
    "school": "school",
    "group": "groep",
    "trainer": "trainer",
    "location": "locatie",
    "company": "bedrijf",
    "campus": "planning",
}

# EU rule since 1996: CEST from the last Sunday of March 01:00 UTC, CET from the last Sunday
# of October 01:00 UTC. A test compares it with zoneinfo every half hour over several years.
AMSTERDAM_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Amsterdam\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "TZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:CET\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


def event_summary(s: FeedSession) -> str:
    """Activity and group; cancelled sessions get a prefix since Outlook ignores STATUS."""
    title = f"{s.activity} – {', '.join(s.groups)}" if s.groups else s.activity
    return CANCELLED_PREFIX + title if s.status == "cancelled" else title


def _description(s: FeedSession) -> str:
    lines: list[str] = []
    if s.status == "cancelled":
        lines += ["Deze sessie is geannuleerd.", ""]
    if s.groups:
        lines.append(f"Groep: {', '.join(s.groups)}")
    # Since the words change: the label says what the host is (a school hosts guest lessons).
    host = {"school": "School", "company": "Bedrijf"}.get(s.host_kind, "Organisatie")
    lines.append(f"{host}: {s.host}")
    if s.trainers:
        lines.append(f"Trainer: {', '.join(s.trainers)}")
    if s.equipment:
        lines.append(f"Uitrusting: {', '.join(s.equipment)}")
    route = f"https://www.openstreetmap.org/?mlat={s.latitude}&mlon={s.longitude}#map=17/{s.latitude}/{s.longitude}"
    where = f"{s.location}, {s.address}" if s.address else s.location
    lines.append(f"Route: {where} – {route}")
    if s.contact:
        lines.append(f"Contact: {s.contact}")
    if s.note:
        lines.append(f"Opmerking: {s.note}")
    return "\n".join(lines)


def _event(s: FeedSession, base_url: str) -> Event:
    ev = Event()
    ev.add("UID", s.uid)
    ev.add("DTSTAMP", s.last_modified)
    ev.add("LAST-MODIFIED", s.last_modified)
    ev.add("CREATED", s.created)
    ev.add("SEQUENCE", s.sequence)
    ev.add("DTSTART", to_aware(s.start))
    ev.add("DTEND", to_aware(s.end))
    ev.add("SUMMARY", event_summary(s))
    ev.add("LOCATION", f"{s.location}, {s.address}" if s.address else s.location)
    ev.add("GEO", (s.latitude, s.longitude))
    ev.add("DESCRIPTION", _description(s))
    ev.add("CATEGORIES", [s.team])
    ev.add("STATUS", "CANCELLED" if s.status == "cancelled" else "CONFIRMED")
    ev.add("TRANSP", "TRANSPARENT" if s.status == "cancelled" else "OPAQUE")
    if base_url:
        query = f"?{s.page_query}" if s.page_query else ""
        ev.add("URL", f"{base_url.rstrip('/')}/sessions/{quote(s.uid, safe='')}{query}")
    return ev


def render_feed(
    data: FeedData,
    *,
    refresh: timedelta = timedelta(hours=1),
    base_url: str = "",
    note: str = "",
) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes with CRLF line ends, folded at 75 octets."""
    subject = data.subject
    one_line = " ".join(subject.name.split())  # calendar apps show the name on one line
    name = f"TIC – {one_line}"
    description = (
        f"Sessies van de Technische Installatie Campus ({VIEW_LABELS[subject.view]}: "
        f"{one_line})."
    )
    if note:
        description += f" {note}"
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    # Explicit vText: icalendar leaves NAME and X- properties unescaped otherwise.
    cal.add("NAME", vText(name))
    cal.add("X-WR-CALNAME", vText(name))
    cal.add("DESCRIPTION", vText(description))
    cal.add("X-WR-CALDESC", vText(description))
    cal.add("X-WR-TIMEZONE", TZID)
    cal.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(refresh))
    # Always present, so a feed without sessions still has the one component RFC 5545 asks for.
    cal.add_component(Timezone.from_ical(AMSTERDAM_VTIMEZONE))
    for s in sorted(data.sessions, key=lambda s: (s.start, s.uid)):
        cal.add_component(_event(s, base_url))
    return cal.to_ical()
