"""The company's pages (api/web/company.py) with FastAPI's TestClient, SQLite and PostgreSQL.

The feed tests' published campus (tests/feeds/factory.py): warmte-west's hall ww-hal is open
Tuesday and Thursday 13:00-17:00 (and Wednesday evenings from 2027-01-01), with published
sessions on Tuesday 16 March 13:00-16:00 and Tuesday 30 March 13:00-17:00 2027; the clock of
the app is 10 March 2027. elektro-noord's lab en-lab is another company's location.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select

from models import entities as e
from models.db import session_scope
from models.keys import create_key
from tests.feeds.conftest import build_campus
from tests.feeds.factory import uid
from tests.web.test_web import KEYS, MADE, Page, Web

HALL = "/bedrijf/locaties/ww-hal"
GRID = HALL + "/beschikbaarheid"


@pytest.fixture
def web(engine: Engine) -> Iterator[Web]:
    """The published campus with a key per role (as tests/web/test_web.py has it)."""
    build_campus(engine)
    with session_scope(engine) as session:
        keys = {name: create_key(session, now=MADE, **spec)[1] for name, spec in KEYS.items()}  # type: ignore[arg-type]
    made = Web(engine, keys, [])
    yield made
    for client in made.app_clients:
        client.__exit__(None, None, None)


def _api(web: Web, path: str) -> dict[str, Any]:
    client = web.client()
    response = client.get(path, headers={"Authorization": f"Bearer {web.keys['company']}"})
    assert response.status_code == 200, response.text
    return response.json()


def _weekly(web: Web, weekday: str) -> list[tuple[str, str]]:
    """The hall's weekly windows without dates on ``weekday``, as the API lists them."""
    found = _api(web, "/api/v1/locations/ww-hal/availability")["weekly"]
    return sorted(
        (w["start"], w["end"])
        for w in found
        if w["weekday"] == weekday and w["valid_from"] is None and w["valid_to"] is None
    )


def _csrf(client: TestClient, path: str = GRID) -> str:
    return Page(client.get(path).text).inputs["csrf"]


def _toggle(client: TestClient, slot: str, **extra: str) -> Response:
    return client.post(GRID, data={"csrf": _csrf(client), "slot": slot, "period": "", **extra})


def test_pages_need_sign_in_and_are_the_companys(web: Web) -> None:
    anonymous = web.client()
    for path in ("/bedrijf/locaties", GRID, "/bedrijf/boekingen", "/bedrijf/trainers"):
        assert anonymous.get(path).headers["location"].startswith("/aanmelden")
    for role in ("school", "trainer"):
        client = web.signed_in(role)
        for path in ("/bedrijf/locaties", GRID, "/bedrijf/boekingen", "/bedrijf/trainers"):
            assert client.get(path).status_code == 404, (role, path)
    company = web.signed_in("company")
    nav = Page(company.get("/rooster").text).links
    assert {"/bedrijf/locaties", "/bedrijf/boekingen", "/bedrijf/trainers"} <= set(nav)


def test_another_companys_location_is_404_like_one_that_does_not_exist(web: Web) -> None:
    client = web.signed_in("company")
    token = _csrf(client)
    other = client.get("/bedrijf/locaties/en-lab/beschikbaarheid")
    missing = client.get("/bedrijf/locaties/no-such-hall/beschikbaarheid")
    assert other.status_code == missing.status_code == 404
    assert other.text.replace("en-lab", "?") == missing.text.replace("no-such-hall", "?")
    posted = client.post(
        "/bedrijf/locaties/en-lab/beschikbaarheid",
        data={"csrf": token, "slot": "open:1:07:00-07:30", "period": ""},
    )
    assert posted.status_code == 404
    listed = client.get("/bedrijf/locaties").text
    assert "Praktijkhal Westpoort" in listed and "en-lab" not in listed


def test_the_grid_shows_open_and_closed_slots_in_words_not_colour_alone(web: Web) -> None:
    client = web.signed_in("company")
    html = client.get(GRID).text
    assert 'value="close:2:13:00-13:30"' in html  # Tuesday 13:00 is open: its button closes
    assert 'value="open:2:12:30-13:00"' in html  # 12:30 is closed: its button opens
    assert 'value="open:3:18:00-18:30"' in html  # Wednesday evening is dated: not this grid
    assert "dinsdag 13:00–13:30: open. Sluiten" in html
    dated = client.get(GRID + "?periode=2027-01-01..").text
    assert 'value="close:3:18:00-18:30"' in dated


def test_opening_slots_merges_windows_and_the_api_shows_it(web: Web) -> None:
    client = web.signed_in("company")
    for slot in ("open:2:12:00-12:30", "open:2:12:30-13:00", "open:2:17:00-17:30"):
        response = _toggle(client, slot)
        assert response.status_code == 303, response.text
    assert _weekly(web, "tue") == [("12:00", "17:30")]  # one window, not four
    html = client.get(response.headers["location"]).text
    assert 'value="close:2:12:00-12:30"' in html and "Opgeslagen" in html


def test_closing_a_slot_in_the_middle_splits_the_window(web: Web) -> None:
    client = web.signed_in("company")
    assert _toggle(client, "close:4:14:00-14:30").status_code == 303
    assert _weekly(web, "thu") == [("13:00", "14:00"), ("14:30", "17:00")]
    with session_scope(web.engine) as session:
        audited = session.scalars(
            select(e.AuditEvent.action).where(e.AuditEvent.entity == "location_weekly_window")
        ).all()
    assert sorted(audited) == ["create", "update"]
    # filling the gap again makes one window of the two, without asking to confirm
    assert _toggle(client, "open:4:14:00-14:30").status_code == 303
    assert _weekly(web, "thu") == [("13:00", "17:00")]


@pytest.mark.parametrize("slot", ["open:8:09:00-09:30", "shut:1:09:00-09:30", "open:1:09:30-09:00"])
def test_a_slot_that_cannot_be_is_refused_above_the_grid(web: Web, slot: str) -> None:
    client = web.signed_in("company")
    refused = _toggle(client, slot)
    assert refused.status_code == 422
    assert Page(refused.text).ids["grid-error"].startswith("Dit vakje bestaat niet")
    assert _weekly(web, "mon") == []


def test_closing_a_slot_under_a_published_session_asks_to_confirm(web: Web) -> None:
    client = web.signed_in("company")
    refused = _toggle(client, "close:2:13:00-13:30")
    assert refused.status_code == 409
    page = Page(refused.text)
    assert f"/sessie/{uid('r-ws-1', 1)}" in page.links
    assert "di 16 mrt 2027, 13:00–16:00" in refused.text
    assert _weekly(web, "tue") == [("13:00", "17:00")]  # nothing changed yet
    assert page.inputs["confirm"] == "1" and page.inputs["slot"] == "close:2:13:00-13:30"
    confirmed = client.post(GRID, data=page.inputs)
    assert confirmed.status_code == 303
    assert _weekly(web, "tue") == [("13:30", "17:00")]
    marks = _api(web, "/api/v1/replan-marks")["items"]
    assert uid("r-ws-1", 1) in {m["session"] for m in marks}


def test_opening_over_a_window_of_another_period_is_refused_above_the_grid(web: Web) -> None:
    client = web.signed_in("company")
    data = {"csrf": _csrf(client), "slot": "open:2:13:00-13:30", "period": "2027-01-01.."}
    refused = client.post(GRID, data=data)
    assert refused.status_code == 409
    assert Page(refused.text).ids["grid-error"].startswith("Dit overlapt een ander venster")
    dated = _api(web, "/api/v1/locations/ww-hal/availability")["weekly"]
    assert all(w["weekday"] != "tue" for w in dated if w["valid_from"])


def test_a_post_without_the_sessions_token_changes_nothing(web: Web) -> None:
    client = web.signed_in("company")
    refused = client.post(GRID, data={"csrf": "forged", "slot": "open:1:09:00-09:30"})
    assert refused.status_code == 403
    assert _weekly(web, "mon") == []
    refused = client.post(HALL + "/capaciteit", data={"capacity": "3", "version": "1"})
    assert refused.status_code == 403
    assert _api(web, "/api/v1/locations/ww-hal")["capacity"] == 16


def test_a_stale_version_is_told_in_words_with_the_current_values(web: Web) -> None:
    client = web.signed_in("company")
    form = Page(client.get("/bedrijf/locaties").text)
    version = form.inputs["version"]
    first = client.post(
        HALL + "/capaciteit",
        data={"csrf": form.inputs["csrf"], "capacity": "20", "version": version},
    )
    assert first.status_code == 303
    again = client.post(
        HALL + "/capaciteit",
        data={"csrf": form.inputs["csrf"], "capacity": "18", "version": version},
    )
    assert again.status_code == 409
    assert "intussen door iemand anders gewijzigd" in again.text
    assert Page(again.text).inputs["capacity"] == "20"  # the field shows what holds now
    assert _api(web, "/api/v1/locations/ww-hal")["capacity"] == 20


def test_a_lower_capacity_under_a_session_asks_to_confirm(web: Web) -> None:
    client = web.signed_in("company")
    form = Page(client.get("/bedrijf/locaties").text)
    refused = client.post(
        HALL + "/capaciteit",
        data={"csrf": form.inputs["csrf"], "capacity": "1", "version": form.inputs["version"]},
    )
    assert refused.status_code == 409
    assert f"/sessie/{uid('r-ws-1', 1)}" in Page(refused.text).links
    assert _api(web, "/api/v1/locations/ww-hal")["capacity"] == 16


@pytest.mark.parametrize("typed", ["", "0", "veel", "1001"])
def test_a_wrong_capacity_is_told_next_to_the_field(web: Web, typed: str) -> None:
    client = web.signed_in("company")
    form = Page(client.get("/bedrijf/locaties").text)
    response = client.post(
        HALL + "/capaciteit",
        data={"csrf": form.inputs["csrf"], "capacity": typed, "version": form.inputs["version"]},
    )
    assert response.status_code == 422
    page = Page(response.text)
    assert page.ids["cap-ww-hal-error"] == "Vul een heel getal in van 1 t/m 1000."
    assert 'id="cap-ww-hal"' in response.text and 'aria-invalid="true"' in response.text
    assert f'value="{typed}"' in response.text


def test_equipment_is_set_added_and_removed_as_the_api_does(web: Web) -> None:
    client = web.signed_in("company")
    form = Page(client.get("/bedrijf/locaties").text)
    data = {"csrf": form.inputs["csrf"], "version": form.inputs["version"]}
    added = client.post(HALL + "/uitrusting", data={**data, "code": "switchboard", "quantity": "3"})
    assert added.status_code == 303
    assert _api(web, "/api/v1/locations/ww-hal")["equipment"]["switchboard"] == 3
    version = str(int(data["version"]) + 1)
    removed = client.post(
        HALL + "/uitrusting",
        data={**data, "version": version, "code": "switchboard", "remove": "1"},
    )
    assert removed.status_code == 303
    assert "switchboard" not in _api(web, "/api/v1/locations/ww-hal")["equipment"]
    wrong = client.post(HALL + "/uitrusting", data={**data, "version": str(int(version) + 1),
                                                    "code": "", "quantity": "2"})  # fmt: skip
    assert wrong.status_code == 422
    assert Page(wrong.text).ids["new-code-ww-hal-error"].startswith("Kies een soort")


def test_one_off_windows_and_closures_are_added_and_removed(web: Web) -> None:
    client = web.signed_in("company")
    token = _csrf(client)
    bad = client.post(
        HALL + "/extra", data={"csrf": token, "date": "2027-04-20", "start": "15:00", "end": "14"}
    )
    assert bad.status_code == 422
    page = Page(bad.text)
    assert page.ids["one-end-error"] == "Vul een tijd in als 09:00."
    assert page.inputs["date"] == "2027-04-20"  # what was typed stays
    wrong_way = client.post(
        HALL + "/extra",
        data={"csrf": token, "date": "2027-04-20", "start": "15:00", "end": "14:00"},
    )
    assert Page(wrong_way.text).ids["one-end-error"].startswith("De eindtijd moet na")
    made = client.post(
        HALL + "/extra",
        data={"csrf": token, "date": "2027-04-20", "start": "14:00", "end": "16:00"},
    )
    assert made.status_code == 303
    one_off = _api(web, "/api/v1/locations/ww-hal/availability")["one_off"]
    assert {"date": "2027-04-20", "start": "14:00", "end": "16:00"}.items() <= one_off[-1].items()
    closed = client.post(
        HALL + "/sluitingen",
        data={"csrf": token, "first": "2027-05-03", "last": "2027-05-04", "reason": "Onderhoud"},
    )
    assert closed.status_code == 303
    html = client.get(GRID).text
    assert "ma 3 mei 2027 t/m di 4 mei 2027 (Onderhoud)" in html
    closures = _api(web, "/api/v1/locations/ww-hal/availability")["closures"]
    row = next(c for c in closures if c["first"] == "2027-05-03")
    gone = client.post(
        f"{HALL}/sluitingen/{row['id']}/weg",
        data={"csrf": token, "version": row["etag"].strip('"'), "period": ""},
    )
    assert gone.status_code == 303
    closures = _api(web, "/api/v1/locations/ww-hal/availability")["closures"]
    assert all(c["first"] != "2027-05-03" for c in closures)


def test_a_closure_over_a_session_asks_to_confirm(web: Web) -> None:
    client = web.signed_in("company")
    data = {"csrf": _csrf(client), "first": "2027-03-16", "last": "2027-03-16", "reason": ""}
    refused = client.post(HALL + "/sluitingen", data=data)
    assert refused.status_code == 409
    assert f"/sessie/{uid('r-ws-1', 1)}" in Page(refused.text).links
    assert all(
        c["first"] != "2027-03-16"
        for c in _api(web, "/api/v1/locations/ww-hal/availability")["closures"]
    )


def test_the_bookings_by_week_link_to_the_session_page(web: Web) -> None:
    client = web.signed_in("company")
    response = client.get("/bedrijf/boekingen?week=2027-W11")
    assert response.status_code == 200
    page = Page(response.text)
    assert f"/sessie/{uid('r-ws-1', 1)}" in page.links
    assert "/bedrijf/boekingen?week=2027-W12" in page.links
    assert "di 16 mrt 2027" in response.text
    wrong = client.get("/bedrijf/boekingen?week=2027-W99")
    assert wrong.status_code == 422 and Page(wrong.text).ids["week-error"]


def test_the_trainers_show_absences_by_category_only(web: Web) -> None:
    with session_scope(web.engine) as session:
        sanne = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one()
        # a reason never kept by the API, written straight into the row: still never shown
        sanne.absences.append(
            e.TrainerAbsence(
                first=date(2027, 4, 12), last=date(2027, 4, 13), category="sick",
                reason="Knieoperatie",
            )
        )  # fmt: skip
    client = web.signed_in("company")
    html = client.get("/bedrijf/trainers").text
    assert "Sanne de Wit" in html and "dinsdag 08:00–18:00" in html
    assert "W-basis, W-heatpump" in html
    assert "ma 22 mrt 2027 t/m vr 26 mrt 2027: opleiding" in html
    assert "ma 12 apr 2027 t/m di 13 apr 2027: ziek" in html
    assert "Knieoperatie" not in html
    assert "Ahmed" not in html  # elektro-noord's trainer


def test_planners_open_every_location_but_the_bookings_are_a_companys(web: Web) -> None:
    client = web.signed_in("planner")
    listed = client.get("/bedrijf/locaties").text
    assert "Praktijkhal Westpoort" in listed and 'id="loc-en-lab"' in listed
    assert client.get("/bedrijf/locaties/en-lab/beschikbaarheid").status_code == 200
    assert client.get("/bedrijf/boekingen").status_code == 404
    assert "/bedrijf/locaties" not in Page(client.get("/rooster").text).links


def test_the_pages_in_english(web: Web) -> None:
    client = web.signed_in("company")
    client.get("/taal/en")
    html = client.get(GRID).text
    assert "Availability of Praktijkhal Westpoort" in html
    assert "Tuesday 13:00–13:30: open. Close it" in html
    assert "Your trainers" in client.get("/bedrijf/trainers").text
    assert "Bookings" in client.get("/bedrijf/boekingen?week=2027-W11").text
