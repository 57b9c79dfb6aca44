"""The company's pages in a real browser: open a slot in the weekly grid and find it in the
API; the locations and the bookings of a week."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_WEEK, Site, shot, sign_in

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_the_company_opens_a_slot_in_the_weekly_grid_and_the_api_has_it(
    page: Page, site: Site
) -> None:
    sign_in(page, site, "company")
    page.get_by_role("link", name="Locaties").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw locaties")
    shot(page, "company-locations")
    page.locator("a[href$='/beschikbaarheid']").first.click()
    key = page.url.split("/bedrijf/locaties/")[1].split("/")[0]
    # a closed half hour on Sunday morning: only adds time, so the published plan stays whole
    closed = page.locator("button.slot[data-day='7'][data-open='no']").first
    start = closed.get_attribute("data-start")
    assert start is not None
    closed.click()
    cell = page.locator(f"button.slot[data-day='7'][data-start='{start}']")
    expect(cell).to_have_attribute("data-open", "yes")
    expect(cell).to_contain_text("open")
    expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
    shot(page, "company-availability")
    answer = httpx.get(
        f"{site.url}/api/v1/locations/{key}/availability",
        headers={"Authorization": f"Bearer {site.keys['company']}"},
    )
    assert answer.status_code == 200
    sundays = [w for w in answer.json()["weekly"] if w["weekday"] == WEEKDAYS[6]]
    assert any(w["start"] <= start < w["end"] and w["valid_from"] is None for w in sundays)


def test_the_company_sees_its_bookings_of_a_week(page: Page, site: Site) -> None:
    sign_in(page, site, "company")
    page.goto(f"{site.url}/bedrijf/boekingen?week={DEMO_WEEK}")
    booking = page.locator("table.bookings a[href^='/sessie/']").first
    expect(booking).to_be_visible()
    shot(page, "company-bookings")
    page.get_by_role("link", name="Volgende week").click()
    expect(page).to_have_url(f"{site.url}/bedrijf/boekingen?week=2027-W13")
