"""The session page, change requests and requests to decide, in a real browser.

Each test picks its own targets and leaves the published plan as it found it: a pin is
removed again, a refused move stores nothing, a change request and a declined request of our
own change no session.
"""

from __future__ import annotations

import re
from datetime import date

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select

from models import entities as e
from models.db import session_scope
from tests.browser.conftest import Site, shot, sign_in


def _a_session(site: Site, school: str | None = None) -> tuple[str, str, str]:
    """(uid, location key, ISO week) of a confirmed, unpinned published session (of
    ``school``'s own requests, when given) in the demo's weeks."""
    engine = create_engine(site.db)
    with session_scope(engine) as session:
        pinned = {(p.request_id, p.session_index) for p in session.scalars(select(e.Pin))}
        rows = session.scalars(
            select(e.PublishedSession)
            .where(e.PublishedSession.status == "confirmed")
            .order_by(e.PublishedSession.start.desc(), e.PublishedSession.uid)
        ).all()
        for ps in rows:
            schools = {rg.group.school.key for rg in ps.request.groups}
            if (ps.request_id, ps.session_index) in pinned or (school and schools != {school}):
                continue
            year, week, _ = ps.start.isocalendar()
            found = (ps.uid, ps.location.key, f"{year}-W{week:02d}")
            break
        else:
            raise AssertionError("the demo published no such session")
    engine.dispose()
    return found


def test_a_planner_opens_a_session_pins_it_and_sees_a_refused_move(page: Page, site: Site) -> None:
    uid, location, week = _a_session(site)
    sign_in(page, site, "planner")
    page.goto(f"{site.url}/rooster/locatie/{location}?week={week}")
    page.locator(f"table.grid a[data-uid='{uid}']").click()
    expect(page).to_have_url(re.compile(r"/sessie/"))
    expect(page.locator("#when")).to_have_text(re.compile(r"^\w\w \d+ \w+ 2027, \d\d:\d\d–"))
    expect(page.locator("#pinned")).to_have_text("nee")
    page.get_by_role("button", name="Vastzetten").click()
    expect(page.locator("#pinned")).to_contain_text("ja")
    expect(page.locator("#done")).to_contain_text("vastgezet")
    shot(page, "sessions-detail")
    page.get_by_role("button", name="Losmaken").click()  # leave no pin for the other tests
    expect(page.locator("#pinned")).to_have_text("nee")

    page.get_by_label("Begintijd").fill("05:00")  # before anything on the campus opens
    page.get_by_role("button", name="Verplaatsen").click()
    refused = page.locator("#move-refused")
    expect(refused).to_contain_text("Niet verplaatst")
    expect(refused.locator("li").first).to_be_visible()
    expect(page.get_by_label("Begintijd")).to_have_value("05:00")
    shot(page, "sessions-move-refused")


def test_a_school_asks_to_cancel_one_of_its_sessions_and_sees_it_open(
    page: Page, site: Site
) -> None:
    uid, _location, week = _a_session(site, site.school)
    sign_in(page, site, "school")
    page.goto(f"{site.url}/rooster/school/{site.school}?week={week}")
    page.locator(f"table.grid a[data-uid='{uid}']").click()
    expect(
        page.get_by_role("heading", name="Vragen om te annuleren of te verplaatsen")
    ).to_be_visible()
    page.get_by_role("button", name="Verzoek versturen").click()  # no reason yet
    reason = page.get_by_label("Reden")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#ask-reason-error")).to_contain_text("Zeg waarom")
    reason.fill("Browsertest: de klas heeft die dag een excursie")
    page.get_by_role("button", name="Verzoek versturen").click()
    expect(page.locator("#done")).to_contain_text("Uw verzoek is verstuurd")
    row = page.locator("#change-requests tbody tr", has_text="Browsertest")
    expect(row).to_contain_text("Annuleren")
    expect(row).to_contain_text("Open")


def _submit_a_request(site: Site) -> str:
    """A submitted request: a copy of an accepted one of a single school in the demo's weeks,
    entered by the planner through the API (the first copy the door lets in)."""
    engine = create_engine(site.db)
    with session_scope(engine) as session:
        accepted = session.scalars(
            select(e.Request)
            .where(e.Request.status == "accepted", e.Request.earliest >= date(2027, 3, 1))
            .order_by(e.Request.key)
        ).all()
        bodies = [
            {
                "activity": r.activity_type.code,
                "groups": [rg.group.key for rg in r.groups],
                "earliest": r.earliest.isoformat(),
                "latest": r.latest.isoformat(),
                "note": "Browsertest: af te wijzen",
            }
            for r in accepted
            if len({rg.group.school_id for rg in r.groups}) == 1
        ]
    engine.dispose()
    answers = []
    for body in bodies[:10]:
        made = httpx.post(
            f"{site.url}/api/v1/requests",
            json=body,
            headers={"Authorization": f"Bearer {site.keys['planner']}"},
        )
        if made.status_code == 201:
            return str(made.json()["key"])
        answers.append(made.text)
    raise AssertionError(f"no copy of a demo request was let in: {answers}")


def test_a_planner_declines_a_request_with_a_reason(page: Page, site: Site) -> None:
    key = _submit_a_request(site)
    sign_in(page, site, "planner")
    page.get_by_role("link", name="Aanvragen").click()
    card = page.locator(f"article[data-request='{key}']")
    expect(card).to_contain_text("Browsertest: af te wijzen")
    card.get_by_role("button", name="Afwijzen").click()
    card = page.locator(f"article[data-request='{key}']")
    reason = card.get_by_label("Reden van afwijzen")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(card.locator(".error")).to_contain_text("Zeg waarom")
    shot(page, "sessions-requests")
    reason.fill("De hal is die weken vol")
    card.get_by_role("button", name="Afwijzen").click()
    expect(page.locator("#done")).to_contain_text("De aanvraag is afgewezen")
    expect(page.locator(f"article[data-request='{key}']")).to_have_count(0)
    answer = httpx.get(
        f"{site.url}/api/v1/requests/{key}",
        headers={"Authorization": f"Bearer {site.keys['planner']}"},
    ).json()
    assert (answer["status"], answer["decline_reason"]) == ("declined", "De hal is die weken vol")
