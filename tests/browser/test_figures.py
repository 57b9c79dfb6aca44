"""The planner's figures, calendar links and keys in a real browser (api/web/figures.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, shot, sign_in


def test_the_figures_page_renders_its_charts(page: Page, site: Site) -> None:
    sign_in(page, site, "planner")
    page.get_by_role("link", name="Cijfers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cijfers")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(5)
    for chart_id in ("benutting-locaties", "benutting-bedrijven", "aandeel-scholen", "reistijd",
                     "doelen"):  # fmt: skip
        bars = page.locator(f"svg#{chart_id} g.bar-row")
        expect(bars.first).to_be_visible()
        expect(bars.first.locator("text.bar-number")).not_to_have_text("")
    expect(page.locator("svg#doelen line.target")).to_have_count(1)
    # the same numbers as a table, one click away
    page.locator("#benutting-locaties-h ~ details summary").click()
    expect(page.locator("#benutting-locaties-table tbody tr").first).to_be_visible()
    shot(page, "figures-charts")


def test_the_planner_makes_a_feed_link_and_copies_it(page: Page, site: Site) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    sign_in(page, site, "planner")
    page.get_by_role("link", name="Agenda-links").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda-links")
    page.get_by_label("Agenda van").select_option(f"trainer:{site.trainer}")
    page.get_by_label("Label", exact=True).fill("Browsertest, telefoon")
    page.get_by_role("button", name="Link maken").click()
    link = page.get_by_label("Link (https)")
    expect(link).to_have_value(re.compile(r"^https://[^ ]+/cal/[A-Za-z0-9_-]{43}\.ics$"))
    url = link.input_value()
    webcal = page.get_by_label("Link voor agenda-apps (webcal)").input_value()
    assert webcal == "webcal://" + url.split("://", 1)[1]
    page.locator("button.copy[data-copy='link-https']").click()
    expect(page.locator(".copy-status")).to_have_text("Gekopieerd naar het klembord.")
    assert page.evaluate("navigator.clipboard.readText()") == url
    row = page.locator("tr", has_text="Browsertest, telefoon")
    expect(row).to_contain_text("nog nooit")
    shot(page, "figures-feeds")
    page.reload()  # shown once: a fresh look at the page has the label, not the URL
    expect(page.locator("tr", has_text="Browsertest, telefoon")).to_be_visible()
    assert url.rsplit("/", 1)[1] not in page.content()


def test_the_planner_makes_a_key_and_sees_it_once(page: Page, site: Site) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    sign_in(page, site, "planner")
    page.get_by_role("link", name="Sleutels").click()
    page.get_by_label("Rol").select_option("school")
    page.get_by_label("School of bedrijf").select_option(site.school)
    page.get_by_label("Label", exact=True).fill("Nieuwe coördinator (browsertest)")
    expiry = date.today() + timedelta(days=200)
    page.get_by_label("Verloopt op").fill(expiry.isoformat())
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.get_by_text("Deze sleutel ziet u alleen nu")).to_be_visible()
    secret = page.locator("#new-secret").input_value()
    assert secret.startswith("tic_")
    page.locator("button.copy[data-copy='new-secret']").click()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    shot(page, "figures-keys")
    page.get_by_role("link", name="Sleutels").click()
    expect(page.locator("tr", has_text="Nieuwe coördinator (browsertest)")).to_contain_text("werkt")
    assert secret not in page.content()
