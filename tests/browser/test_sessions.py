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
from tests.browser.conftest import DEMO_WEEK, Site, shot, sign_in


def test_a_planner_opens_a_session_pins_it_and_sees_a_refused_move(page: Page, site: Site) -> None:
    sign_in(page, site, "planner")
    page.goto(f"{site.url}/rooster/trainer/{site.trainer}?week={DEMO_WEEK}")
    page.locator("table.grid a[href^='/sessie/']").first.click()
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
    sign_in(page, site, "school")
    page.goto(f"{site.url}/rooster/school/{site.school}?week={DEMO_WEEK}")
    page.locator("table.grid a[href^='/sessie/']").last.click()
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
    """A submitted request of the school: a copy of one of its accepted ones, via the API."""
    engine = create_engine(site.db)
    with session_scope(engine) as session:
        accepted = session.scalars(
            select(e.Request)
            .where(e.Request.status == "accepted", e.Request.earliest >= date(2027, 3, 1))
            .order_by(e.Request.key)
        ).all()
        mine = next(
            r for r in accepted if {rg.group.school.key for rg in r.groups} == {site.school}
        )
        body = {
            "activity": mine.activity_type.code,
            "groups": [rg.group.key for rg in mine.groups],
            "earliest": date.isoformat(mine.earliest),
            "latest": date.isoformat(mine.latest),
            "note": "Browsertest: af te wijzen",
        }
    engine.dispose()
    made = httpx.post(
        f"{site.url}/api/v1/requests",
        json=body,
        headers={"Authorization": f"Bearer {site.keys['school']}"},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


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
        headers={"Authorization": f"Bearer {site.keys['school']}"},
    ).json()
    assert (answer["status"], answer["decline_reason"]) == ("declined", "De hal is die weken vol")
