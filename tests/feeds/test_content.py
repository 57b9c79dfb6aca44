"""What a feed contains: calendar properties, stable bytes, privacy per view, window, size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import vobject
from sqlalchemy import Engine

from api.feeds.ical import render_feed
from models.db import session_scope
from models.feeds import FeedData, FeedSession, FeedSubject, FeedWindow, feed_data, find_subject
from tests.feeds.conftest import NOW, renderer
from tests.feeds.factory import ODD_GROUP, ODD_NOTE, ODD_SCHOOL, T1, T2, uid


def _events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(ev["UID"]): ev for ev in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_calendar_properties(published: Engine) -> None:
    body = renderer(published)("school", "roc-west")
    text = body.decode()
    assert "\r\nVERSION:2.0\r\n" in text
    assert "\r\nPRODID:-//Technische Installatie Campus//TIC Planner//NL\r\n" in text
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text
    assert "\r\nX-WR-TIMEZONE:Europe/Amsterdam\r\n" in text
    head = text.split("BEGIN:VTIMEZONE")[0]  # properties before any component (Outlook)
    assert "X-WR-CALNAME" in head and "NAME:" in head
    assert "METHOD" not in text
    assert "\nUID:" not in head  # no RFC 7986 calendar UID: it breaks vdirsyncer
    assert text.count("BEGIN:VTIMEZONE") == 1 and "RRULE:FREQ=YEARLY" in text
    cal = vobject.readOne(text, validate=True)
    assert cal.x_wr_calname.value == f"TIC – {ODD_SCHOOL}"  # commas and ; survive escaping
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_an_event_at_a_school_site_names_the_school_as_its_host(published: Engine) -> None:
    """A guest lesson takes place at the school: the feed says "School", not "Bedrijf"."""
    events = _events(renderer(published)("campus", ""))
    guest = str(events[uid("r-gl-1", 1)]["DESCRIPTION"])
    assert "\nSchool: Vmbo College Zuidoost\n" in guest and "Bedrijf" not in guest
    workshop = str(events[uid("r-ws-1", 1)]["DESCRIPTION"])
    assert "\nBedrijf: Warmte West B.V.\n" in workshop and "School:" not in workshop


def test_event_properties(published: Engine) -> None:
    ev = _events(renderer(published)("campus", ""))[uid("r-ws-1", 1)]
    assert str(ev["SUMMARY"]) == "Workshop warmtepomp – 3 BB-a (Vmbo College Zuidoost)"
    assert str(ev["LOCATION"]) == "Praktijkhal Westpoort, Contactweg 12, Amsterdam"
    assert (ev["GEO"].latitude, ev["GEO"].longitude) == (52.3898, 4.8385)
    assert ev.categories == ["W-installaties"]
    # The session page's link, signed for this view and subject (models/links.py).
    url = str(ev["URL"])
    assert url.startswith(
        "https://campus.test/sessions/r-ws-1-s1%40tic-planner.campus?view=campus&subject=&sig="
    )
    assert len(url.rsplit("sig=", 1)[1]) == 22
    description = str(ev["DESCRIPTION"])
    for part in (
        "Bedrijf: Warmte West B.V.",
        "Trainer: Sanne de Wit",
        "Uitrusting: Warmtepomp-opstelling",
        "Route: Praktijkhal Westpoort",
        "openstreetmap.org",
        "Contact: Sanne de Wit, planning@warmte-west.example",
    ):
        assert part in description  # fmt: skip
    assert ev.decoded("DTSTAMP") == ev.decoded("LAST-MODIFIED") == T1
    assert ev.decoded("DTSTART").tzinfo is not None
    assert (
        "TZID=Europe/Amsterdam" in ev["DTSTART"].to_ical().decode()
        or ev["DTSTART"].params.get("TZID") == "Europe/Amsterdam"
    )


def test_unchanged_data_gives_byte_identical_output(republished: Engine) -> None:
    render = renderer(republished)
    later = renderer(republished, NOW + timedelta(hours=5))
    for view, key in (("campus", ""), ("trainer", "t-sanne"), ("school", "vmbo-zuidoost")):
        assert render(view, key) == render(view, key) == later(view, key)


def test_cancelled_session_keeps_its_place_with_prefix_then_leaves(republished: Engine) -> None:
    gl = _events(renderer(republished)("school", "vmbo-zuidoost"))[uid("r-gl-1", 1)]
    assert str(gl["STATUS"]) == "CANCELLED" and int(gl["SEQUENCE"]) == 1
    assert str(gl["SUMMARY"]).startswith("GEANNULEERD: ")
    assert gl.decoded("DTSTAMP") == T2
    after_grace = renderer(republished, T2 + timedelta(days=14, seconds=1))
    assert uid("r-gl-1", 1) not in _events(after_grace("school", "vmbo-zuidoost"))


def test_school_feed_shows_only_its_own_groups(published: Engine) -> None:
    render = renderer(published)
    roc = _events(render("school", "roc-west"))
    assert set(roc) == {uid("r-combi", 1)}  # the combined class, not the other school's
    assert str(roc[uid("r-combi", 1)]["SUMMARY"]).endswith("– E2-BBL")
    assert "3 BB-a" not in render("school", "roc-west").decode()
    vz = _events(render("school", "vmbo-zuidoost"))
    assert "E2-BBL" not in str(vz[uid("r-combi", 1)]["SUMMARY"])
    assert uid("r-combi", 1) in vz


def test_group_feed_names_only_that_group(published: Engine) -> None:
    events = _events(renderer(published)("group", "vz-3kb-b"))
    assert set(events) == {uid("r-gl-1", 1)} | {uid("r-sc-1", i) for i in (1, 2, 3)}
    assert "3 BB-a" not in str(events[uid("r-gl-1", 1)]["SUMMARY"])


def test_trainer_feed_has_group_names_but_no_notes(published: Engine) -> None:
    body = renderer(published)("trainer", "t-sanne")
    events = _events(body)
    assert uid("r-sc-1", 1) not in events  # Ahmed's course
    assert ODD_GROUP in str(events[uid("r-bim-1", 1)]["SUMMARY"])
    assert "Opmerking" not in body.decode() and ODD_NOTE not in str(
        events[uid("r-bim-1", 1)]["DESCRIPTION"]
    )


def test_company_and_location_feeds_show_bookings_at_their_places(published: Engine) -> None:
    render = renderer(published)
    company = _events(render("company", "elektro-noord"))
    assert set(company) == {uid("r-sc-1", i) for i in (1, 2, 3)}
    location = _events(render("location", "ww-hal"))
    assert uid("r-ws-1", 1) in location and uid("r-sc-1", 1) not in location


def test_window_of_weeks_around_today(published: Engine) -> None:
    narrow = FeedWindow(weeks_before=1, weeks_after=3)
    with session_scope(published) as session:
        subject = find_subject(session, "campus", "")
        # 2027-03-10: r-bim-1 (October) is beyond three weeks, r-sc-1-s3 (9 April) too.
        data = feed_data(session, subject, now=NOW, window=narrow)
    uids = {s.uid for s in data.sessions}
    assert uid("r-ws-1", 1) in uids and uid("r-bim-1", 1) not in uids
    assert uid("r-sc-1", 3) not in uids


def test_a_year_of_daily_sessions_stays_well_under_one_megabyte() -> None:
    start = datetime(2027, 1, 4, 9)
    dec_1 = datetime(2026, 12, 1, tzinfo=UTC)
    sessions = tuple(
        FeedSession(
            uid=f"r-{i}-s1@tic-planner.campus", start=start + timedelta(days=i),
            end=start + timedelta(days=i, hours=3), status="confirmed", sequence=0,
            created=dec_1, last_modified=dec_1,
            activity="Vaardigheidstraining schakelkasten", team="E-installaties",
            groups=("3 KB-b (Vmbo College Zuidoost)",), location="E-lab Noord",
            address="Johan van Hasseltweg 20, 1021 KN Amsterdam", latitude=52.401,
            longitude=4.929, host="Elektro Noord", host_kind="company",
            contact="planning@example.org, 020 555 0101",
            trainers=("Ahmed El Amrani",), equipment=("Schakelkast, 3-fase",),
        )
        for i in range(30 * 7)  # the default window: 4 weeks back, 26 ahead, a session a day
    )  # fmt: skip
    body = render_feed(FeedData(FeedSubject("campus", "", "Campus"), sessions))
    assert len(body) < 400_000, len(body)
