"""Signing in and the week timetable, in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_WEEK, Site, shot, sign_in


def test_a_wrong_key_is_told_next_to_the_field(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/aanmelden")
    page.get_by_label("Sleutel").fill("tic_not-a-key")
    page.get_by_role("button", name="Aanmelden").click()
    field = page.get_by_label("Sleutel")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    told = " ".join(page.locator(f"#{ref}").inner_text() for ref in described)
    assert "onbekend, ingetrokken of verlopen" in told


def test_the_planner_opens_a_location_week_and_the_campus_overview(page: Page, site: Site) -> None:
    sign_in(page, site, "planner")
    expect(page.get_by_text("Aangemeld als planner")).to_be_visible()
    page.goto(f"{site.url}/rooster/campus?week={DEMO_WEEK}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Campusoverzicht")
    shot(page, "planner-campus-week")
    page.locator("table a[href^='/rooster/locatie/']").first.click()
    expect(page.locator("table.grid")).to_be_visible()
    shot(page, "planner-location-week")


def test_the_trainer_sees_their_week_in_english_on_request(page: Page, site: Site) -> None:
    sign_in(page, site, "trainer")
    page.goto(f"{site.url}/rooster/trainer/{site.trainer}?week={DEMO_WEEK}")
    expect(page.locator("table.grid a[href^='/sessie/']").first).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("link", name="Next week")).to_be_visible()
