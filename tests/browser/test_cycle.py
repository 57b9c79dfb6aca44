"""The planner's weekly cycle in a real browser: solve one week, follow it live, review the
changes against the published plan, publish, and see who was told what.

The live site's published plan is the demo's; the first test re-solves one demo week (a
short time limit), publishes the result and then rolls back to the plan that was in force
(publishing its run again from the history), so the other browser tests find the demo's
sessions where they were. The second test cancels its solve: it publishes nothing."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_WEEK, Site, shot, sign_in

SOLVE_SECONDS = 5


def test_the_planner_solves_a_week_follows_it_reviews_and_publishes(page: Page, site: Site) -> None:
    sign_in(page, site, "planner")
    page.goto(f"{site.url}/planner/publicaties")
    in_force = page.locator("tbody tr", has=page.locator(".badge")).locator("td a").first
    before = in_force.inner_text()  # "Planrun 1": put back at the end, for the other tests
    page.goto(f"{site.url}/rooster/campus?week={DEMO_WEEK}")
    expect(page.locator("table.grid")).to_be_visible()

    page.get_by_role("link", name="Plannen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plannen")
    # a wrong week is told next to the field, and what was typed stays
    page.get_by_label("Weken", exact=True).fill("2027-W60")
    page.get_by_role("button", name="Start het plannen").click()
    weeks = page.get_by_label("Weken", exact=True)
    expect(weeks).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#weeks-error")).to_contain_text("Dit zijn geen weken")
    expect(weeks).to_have_value("2027-W60")

    weeks.fill(DEMO_WEEK)
    page.get_by_label("Rekentijd (seconden)").fill(str(SOLVE_SECONDS))
    shot(page, "cycle-solve")
    page.get_by_role("button", name="Start het plannen").click()
    expect(page).to_have_url(re.compile(r"/planner/runs/\d+$"))
    run_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planrun")
    expect(page.locator("[data-field=status]")).to_be_visible()
    shot(page, "cycle-progress")

    # the events end the run: the page shows its result and leads to the review
    expect(page.get_by_role("heading", name="Resultaat")).to_be_visible(timeout=90_000)
    expect(page.locator("[data-field=status]")).to_contain_text("Klaar")
    expect(page.locator("[data-field=placed]")).to_contain_text("aanvragen")
    expect(page.locator("[data-field=travel]")).to_contain_text("groepen")  # the stored plan's
    expect(page.get_by_role("button", name="Annuleer het plannen")).to_have_count(0)
    page.get_by_role("link", name="Bekijk de wijzigingen en publiceer").click()
    expect(page).to_have_url(f"{run_url}/wijzigingen")
    expect(page.get_by_role("heading", name="Wijzigingen", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Is het plan nog actueel?")).to_be_visible()
    expect(page.get_by_text("Vergeleken met het gepubliceerde rooster")).to_be_visible()
    shot(page, "cycle-diff")

    page.get_by_role("button", name=re.compile(r"^Publiceer planrun \d+$")).click()
    expect(page).to_have_url(re.compile(r"/planner/publicaties/\d+$"))
    expect(page.get_by_role("heading", name="Wie kreeg welk bericht")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("door planner Planbureau")
    shot(page, "cycle-published")

    page.get_by_role("link", name="Naar de publicaties").click()
    expect(page.locator("tbody tr").first.locator(".badge")).to_have_text("gepubliceerd")

    # rolling back: the plan in force before is published again, as the other tests know it
    page.get_by_role("button", name=f"Publiceer {before.lower()} opnieuw").first.click()
    expect(page).to_have_url(re.compile(r"/planner/publicaties/\d+$"))
    expect(page.get_by_role("status")).to_contain_text(f"{before},")


def test_the_planner_follows_a_solve_live_and_cancels_it(page: Page, site: Site) -> None:
    """The demo's four weeks with a long limit and no gap, which the solver takes tens of
    seconds to prove (one or two weeks it proves in a second, before anyone could cancel):
    the page's figures come from the run's events (the script), and cancelling leaves the
    published plan as it was."""
    sign_in(page, site, "planner")
    page.goto(f"{site.url}/planner/plannen")
    page.get_by_label("Weken", exact=True).fill("2027-W11..2027-W14")
    page.get_by_label("Rekentijd (seconden)").fill("300")
    page.get_by_role("button", name="Start het plannen").click()
    expect(page).to_have_url(re.compile(r"/planner/runs/\d+$"))
    status = page.locator("[data-field=status]")
    expect(status).to_have_text("Bezig met plannen", timeout=60_000)
    left = page.locator("[data-field=left]")
    expect(left).to_contain_text(" s")
    expect(left).not_to_have_text(left.inner_text())  # the script's clock goes on
    # the travel of the best plan so far, filled in by the script from the run's events
    travel = page.locator("[data-field=travel]")
    expect(travel).to_have_text(
        re.compile(r"^groepen \d{1,3}(\.\d{3})* min, trainers \d{1,3}(\.\d{3})* min$"),
        timeout=60_000,
    )
    page.get_by_role("button", name="Annuleer het plannen").click()
    expect(page.get_by_role("heading", name="Resultaat")).to_be_visible(timeout=60_000)
    expect(status).to_have_text("Geannuleerd")
    expect(page.get_by_text("het gepubliceerde rooster is niet veranderd")).to_be_visible()
