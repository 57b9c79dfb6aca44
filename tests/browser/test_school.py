"""The school's and the trainer's pages in a real browser (issue 26's end-to-end cases).

These tests pick their own school and trainer, other than the ``site`` fixture's, and make
their own keys, so what they change (a submitted request, withdrawn again; a blocked period
in June, removed again) touches nothing the other browser tests look at. The trainer's
absence is shown its confirmation and then not confirmed: the published plan and its marks
stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select

from models import entities as e
from models.db import session_scope
from models.keys import create_key
from models.requests import school_of
from tests.browser.conftest import Site, shot

HOLIDAY = "2027-03-29"  # Easter Monday in the example's calendar: no working day at all


@dataclass(frozen=True)
class Mine:
    """A school other than the site's, one of its planned requests, another school's group and
    request, and a key for it."""

    key: str
    school: str
    activity: str
    activity_title: str
    groups: list[str]
    earliest: str
    latest: str
    foreign_group: str
    foreign_request: str


def _sign_in(page: Page, site: Site, key: str) -> None:
    page.goto(f"{site.url}/aanmelden")
    page.get_by_label("Sleutel").fill(key)
    page.get_by_label("Sleutel").press("Enter")
    page.wait_for_url(f"{site.url}/rooster")


@pytest.fixture(scope="module")
def mine(site: Site) -> Mine:
    engine = create_engine(site.db)
    with session_scope(engine) as session:
        planned = session.scalars(
            select(e.Request)
            .join(e.PublishedSession, e.PublishedSession.request_id == e.Request.id)
            .where(e.PublishedSession.status == "confirmed")
            .order_by(e.PublishedSession.start.desc(), e.Request.key)
        ).all()
        request = next(
            r for r in planned if "+" not in school_of(r) and school_of(r) != site.school
        )
        school = school_of(request)
        other = next(r for r in planned if "+" not in school_of(r) and school_of(r) != school)
        made = Mine(
            key=create_key(session, role="school", partner=school, now=datetime.now(UTC),
                           label="Browsertest")[1],
            school=school,
            activity=request.activity_type.code,
            activity_title=request.activity_type.title,
            groups=[rg.group.key for rg in request.groups],
            earliest=request.earliest.isoformat(),
            latest=request.latest.isoformat(),
            foreign_group=other.groups[0].group.key,
            foreign_request=other.key,
        )  # fmt: skip
    engine.dispose()
    return made


def _fill_request(page: Page, site: Site, mine: Mine, earliest: str, latest: str) -> None:
    page.goto(f"{site.url}/school/aanvragen/nieuw")
    page.get_by_label("Activiteit", exact=True).select_option(mine.activity)
    for group in mine.groups:
        page.locator(f"input[name=groups][value='{group}']").check()
    page.get_by_label("Vroegste datum").fill(earliest)
    page.get_by_label("Laatste datum").fill(latest)
    page.get_by_role("button", name="Aanvraag indienen").click()


def test_school_submits_one_that_cannot_fit_then_one_that_fits(
    page: Page, site: Site, mine: Mine
) -> None:
    _sign_in(page, site, mine.key)
    page.get_by_role("link", name="Aanvragen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanvragen")
    _fill_request(page, site, mine, HOLIDAY, HOLIDAY)
    refused = page.locator("#door-reasons")
    expect(refused).to_contain_text("Deze aanvraag kan nooit worden ingepland")
    expect(refused).to_contain_text("vakantiedagen: ma 29 mrt 2027")
    field = page.get_by_label("Vroegste datum")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value(HOLIDAY)  # what was typed stays
    expect(page.locator("#earliest-error")).to_contain_text("zie de reden")
    shot(page, "school-request-refused")

    _fill_request(page, site, mine, mine.earliest, mine.latest)
    expect(page.get_by_role("status")).to_contain_text("is ingediend")
    new = page.locator("tr.just")
    expect(new).to_contain_text(mine.activity_title)
    expect(new).to_contain_text("Ingediend")
    shot(page, "school-requests")
    # withdrawn again (the cut-off lies months ahead), so no planner ever sees it as open
    new.get_by_role("button", name="Intrekken").click()
    expect(page.get_by_role("status")).to_contain_text("is ingetrokken")


def test_school_blocks_a_period_for_a_group_and_removes_it(
    page: Page, site: Site, mine: Mine
) -> None:
    _sign_in(page, site, mine.key)
    page.get_by_role("link", name="Groepen", exact=True).click()
    page.locator(f"a[href='/school/groepen/{mine.groups[0]}#nieuw']").click()
    page.get_by_label("Van", exact=True).fill("2027-06-14")
    page.get_by_label("Tot en met", exact=True).fill("2027-06-18")
    page.get_by_label("Reden", exact=True).select_option("internship")
    page.get_by_label("Opmerking", exact=True).fill("BPV-week")
    page.get_by_role("button", name="Periode toevoegen").click()
    expect(page.get_by_role("status")).to_contain_text("De periode is toegevoegd")
    row = page.locator("#perioden tr", has_text="BPV-week")
    expect(row).to_contain_text("ma 14 jun 2027 t/m vr 18 jun 2027")
    expect(row).to_contain_text("Stage (BPV)")
    shot(page, "school-groups")
    row.get_by_role("button", name="Verwijderen").click()
    expect(page.get_by_role("status")).to_contain_text("De periode is verwijderd")
    expect(page.locator("#perioden")).not_to_contain_text("BPV-week")


def test_school_sees_nothing_of_another_school_even_by_url(
    page: Page, site: Site, mine: Mine
) -> None:
    _sign_in(page, site, mine.key)
    page.goto(f"{site.url}/school/aanvragen")
    expect(page.locator("table.requests")).to_be_visible()
    expect(page.locator(f"[data-request='{mine.foreign_request}']")).to_have_count(0)
    for path in (f"/school/aanvragen/{mine.foreign_request}",
                 f"/school/groepen/{mine.foreign_group}"):  # fmt: skip
        response = page.goto(f"{site.url}{path}")
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")


def test_trainer_adds_an_absence_over_a_published_session_and_is_asked_to_confirm(
    page: Page, site: Site
) -> None:
    engine = create_engine(site.db)
    with session_scope(engine) as session:
        hit = session.scalars(
            select(e.PublishedSession)
            .join(e.PublishedSessionTrainer)
            .join(e.Trainer)
            .where(e.PublishedSession.status == "confirmed", e.Trainer.key != site.trainer)
            .order_by(e.PublishedSession.start.desc(), e.PublishedSession.id)
        ).first()
        assert hit is not None
        trainer = next(t.trainer for t in hit.trainers if t.trainer.key != site.trainer)
        day, where = hit.start.date().isoformat(), hit.location.name
        absences = len(trainer.absences)
        key = create_key(session, role="trainer", trainer=trainer.key, now=datetime.now(UTC))[1]
        trainer_key = trainer.key
    _sign_in(page, site, key)
    page.get_by_role("link", name="Afwezigheid", exact=True).click()
    page.get_by_label("Van", exact=True).fill(day)
    page.get_by_label("Tot en met", exact=True).fill(day)
    page.get_by_label("Soort", exact=True).select_option("leave")
    page.get_by_role("button", name="Afwezigheid doorgeven").click()
    confirm = page.locator("#bevestigen")
    expect(confirm).to_contain_text("Deze afwezigheid raakt")
    expect(confirm).to_contain_text(where)
    expect(confirm).to_contain_text("Nog is niets opgeslagen")
    expect(confirm.get_by_role("button", name="Bevestigen en doorgeven")).to_be_visible()
    shot(page, "trainer-absence-confirm")
    confirm.get_by_role("link", name="Niet doorgeven").click()
    expect(page.locator("#bevestigen")).to_have_count(0)
    with session_scope(engine) as session:
        again = session.scalars(select(e.Trainer).where(e.Trainer.key == trainer_key)).one()
        assert len(again.absences) == absences  # not confirmed: nothing was stored
    engine.dispose()
