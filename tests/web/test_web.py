"""The web pages (api/web) with FastAPI's TestClient: sign in and out, cookies, CSRF, scope,
the week grid and the language switch.

The data is the feed tests' published campus (tests/feeds/factory.py): the mini campus plus a
second school (roc-west), with plan 1 published; daylight saving starts on Sunday 28 March
2027 (the end of 2027-W12), so the sessions of W12 are on winter time and those of W13 on
summer time. SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, select

from api.app import create_app
from api.web.pages import TEAMS
from models import entities as e
from models.db import session_scope
from models.feeds import hash_token
from models.keys import create_key, revoke_key
from models.week_grid import GRID_VIEWS
from models.words import PHRASES
from tests.feeds.conftest import NOW, SETTINGS, build_campus
from tests.feeds.factory import uid

MADE = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
KEYS = {
    "planner": {"role": "planner", "label": "Planbureau"},
    "school": {"role": "school", "partner": "vmbo-zuidoost", "label": "Ans"},
    "other-school": {"role": "school", "partner": "roc-west"},
    "company": {"role": "company", "partner": "warmte-west"},
    "trainer": {"role": "trainer", "trainer": "t-sanne"},
    "expired": {"role": "planner", "expires": datetime(2027, 3, 5).date()},
}


@dataclass
class Web:
    engine: Engine
    keys: dict[str, str]
    app_clients: list[TestClient]

    def client(self, base_url: str = "http://testserver") -> TestClient:
        app = create_app(engine=self.engine, settings=SETTINGS, clock=lambda: NOW)
        client = TestClient(app, base_url=base_url, follow_redirects=False)
        client.__enter__()
        self.app_clients.append(client)
        return client

    def signed_in(self, who: str) -> TestClient:
        client = self.client()
        response = sign_in(client, self.keys[who])
        assert response.status_code == 303, response.text
        return client


@pytest.fixture
def web(engine: Engine) -> Iterator[Web]:
    build_campus(engine)
    keys = {}
    with session_scope(engine) as session:
        for name, spec in KEYS.items():
            keys[name] = create_key(session, now=MADE, **spec)[1]  # type: ignore[arg-type]
    made = Web(engine, keys, [])
    yield made
    for client in made.app_clients:
        client.__exit__(None, None, None)


class Page(HTMLParser):
    """What the tests read from a page: form tokens, errors, links and the grid's cells."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs: dict[str, str] = {}
        self.ids: dict[str, str] = {}  # id -> text inside (one level is enough here)
        self.links: list[str] = []
        self.cells: dict[tuple[str, int], list[str]] = {}  # (day, hour) -> UIDs starting
        self.busy: dict[tuple[str, int], list[str]] = {}  # (day, hour) -> UIDs going on
        self.classes: dict[str, str] = {}  # session UID -> its class attribute
        self.lang = ""
        self._cell: tuple[str, int] | None = None
        self._open_id: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "input" and "name" in a:
            self.inputs[a["name"]] = a.get("value", "")
        if "id" in a:
            self._open_id = a["id"]
            self.ids[a["id"]] = ""
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "td" and "data-hour" in a:
            self._cell = (a["data-day"], int(a["data-hour"]))
            self.cells[self._cell] = []
            self.busy[self._cell] = []
        if self._cell and "data-uid" in a:
            if tag == "a":
                self.cells[self._cell].append(a["data-uid"])
                self.classes[a["data-uid"]] = a.get("class", "")
            else:
                self.busy[self._cell].append(a["data-uid"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._open_id is not None:
            self.ids[self._open_id] += data.strip()
            self._open_id = None if data.strip() else self._open_id

    def starting(self) -> dict[str, tuple[str, int]]:
        """UID -> the cell (day, hour) where the session starts."""
        return {u: cell for cell, uids in self.cells.items() for u in uids}


def sign_in(client: TestClient, key: str, *, csrf: str | None = None) -> Response:
    form = Page(client.get("/aanmelden").text)
    token = form.inputs["csrf"] if csrf is None else csrf
    return client.post("/aanmelden", data={"key": key, "csrf": token})


def sessions_in_db(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(e.WebSession)) or 0


# --- signing in and out ---------------------------------------------------------------


def test_sign_in_keeps_a_session_cookie_that_is_not_the_key(web: Web) -> None:
    client = web.client()
    page = client.get("/aanmelden")
    assert page.status_code == 200 and Page(page.text).lang == "nl"
    assert "Sleutel" in page.text and Page(page.text).inputs["csrf"]
    # keyboard first: a skip link to the content, a label for the field
    assert '<a class="skip" href="#inhoud">Naar de inhoud</a>' in page.text
    assert '<main id="inhoud"' in page.text and '<label for="key">Sleutel</label>' in page.text
    response = sign_in(client, web.keys["planner"])
    assert response.status_code == 303 and response.headers["location"] == "/rooster"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("tic_sessie=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    value = client.cookies["tic_sessie"]
    assert web.keys["planner"] not in cookie and value != web.keys["planner"]
    with session_scope(web.engine) as session:
        row = session.scalars(select(e.WebSession)).one()
        assert row.id_hash == hash_token(value)  # only the hash is stored
    home = client.get("/rooster")
    assert home.status_code == 200
    assert "Aangemeld als planner (Planbureau)" in home.text
    assert "Locaties" in home.text and "/rooster/locatie/ww-hal" in home.text


def test_over_https_the_cookie_is_secure(web: Web) -> None:
    client = web.client("https://testserver")
    response = sign_in(client, web.keys["planner"])
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize("key", ["tic_wrong", "expired", "", "tic_" + "x" * 500])
def test_a_wrong_key_is_refused_next_to_the_field(web: Web, key: str) -> None:
    client = web.client()
    response = sign_in(client, web.keys.get(key, key))
    assert response.status_code == 422
    assert "tic_sessie" not in response.headers.get("set-cookie", "")
    page = Page(response.text)
    wanted = "Vul uw sleutel in." if key == "" else "Deze sleutel is onbekend, ingetrokken"
    assert page.ids["key-error"].startswith(wanted)
    assert 'aria-describedby="key-help key-error"' in response.text
    assert sessions_in_db(web.engine) == 0
    assert client.get("/rooster").headers["location"].startswith("/aanmelden")


def test_sign_in_without_the_forms_token_is_refused(web: Web) -> None:
    client = web.client()
    response = sign_in(client, web.keys["planner"], csrf="forged")
    assert response.status_code == 403
    assert "Dit formulier is verlopen" in response.text
    assert sessions_in_db(web.engine) == 0
    # a cross-site form has no form cookie at all
    other = web.client()
    response = other.post("/aanmelden", data={"key": web.keys["planner"], "csrf": "x"})
    assert response.status_code == 403 and sessions_in_db(web.engine) == 0


def test_sign_out_needs_the_sessions_token_and_ends_it_on_the_server(web: Web) -> None:
    client = web.signed_in("school")
    cookie = client.cookies["tic_sessie"]
    token = Page(client.get("/rooster").text).inputs["csrf"]
    refused = client.post("/afmelden", data={})
    assert refused.status_code == 403
    assert client.post("/afmelden", data={"csrf": "forged"}).status_code == 403
    assert client.get("/rooster").status_code == 200  # still signed in
    response = client.post("/afmelden", data={"csrf": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/aanmelden?afgemeld=1"
    assert "U bent afgemeld." in client.get("/aanmelden?afgemeld=1").text
    assert sessions_in_db(web.engine) == 0
    replay = web.client()
    replay.cookies.set("tic_sessie", cookie)  # a copy of the old cookie opens nothing
    assert replay.get("/rooster").headers["location"].startswith("/aanmelden")


def test_a_revoked_key_ends_its_sessions(web: Web) -> None:
    client = web.signed_in("company")
    assert client.get("/rooster").status_code == 200
    with session_scope(web.engine) as session:
        key_id = session.scalars(select(e.WebSession.api_key_id)).one()
        revoke_key(session, key_id, now=NOW)
    response = client.get("/rooster")
    assert response.status_code == 303
    assert response.headers["location"] == "/aanmelden?verlopen=1"


def test_pages_need_a_signed_in_browser(web: Web) -> None:
    client = web.client()
    for path in ("/", "/rooster", "/rooster/locatie/ww-hal?week=2027-W12"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/aanmelden"


# --- scope: each role sees its own part ------------------------------------------------

NOT_FOUND = "Dit rooster is niet gevonden."
PAGE_NOT_FOUND = "Deze pagina is niet gevonden."


@pytest.mark.parametrize(
    ("who", "own", "others"),
    [
        ("school", ["school/vmbo-zuidoost", "groep/vz-3bb-a"],
         ["school/roc-west", "groep/rw-e2", "locatie/ww-hal", "trainer/t-sanne",
          "bedrijf/warmte-west", "school/no-such-school"]),
        ("company", ["bedrijf/warmte-west", "locatie/ww-hal", "trainer/t-sanne"],
         ["locatie/en-lab", "trainer/t-ahmed", "bedrijf/elektro-noord", "school/vmbo-zuidoost"]),
        ("trainer", ["trainer/t-sanne"], ["trainer/t-ahmed", "locatie/ww-hal", "school/roc-west"]),
    ],
)  # fmt: skip
def test_a_party_sees_only_its_own_weeks_even_by_url(
    web: Web, who: str, own: list[str], others: list[str]
) -> None:
    client = web.signed_in(who)
    listed = Page(client.get("/rooster").text).links
    for path in own:
        assert f"/rooster/{path}" in listed
        assert client.get(f"/rooster/{path}?week=2027-W12").status_code == 200
    for path in others:
        assert f"/rooster/{path}" not in listed
        response = client.get(f"/rooster/{path}?week=2027-W12")
        assert response.status_code == 404, path
        assert NOT_FOUND in response.text  # the same words as for a key that does not exist


def test_a_school_sees_its_sessions_and_no_other_schools_groups(web: Web) -> None:
    client = web.signed_in("school")
    page = client.get("/rooster/school/vmbo-zuidoost?week=2027-W12")
    cells = Page(page.text).starting()
    assert cells == {uid("r-gl-1", 1): ("2027-03-25", 10), uid("r-sc-1", 1): ("2027-03-26", 8)}
    assert "E2-BBL" not in page.text  # roc-west's group


# --- the grid -------------------------------------------------------------------------


def test_the_grid_puts_each_session_in_its_wall_time_cell_across_the_clock_change(
    web: Web,
) -> None:
    client = web.signed_in("planner")
    w12 = Page(client.get("/rooster/locatie/en-lab?week=2027-W12").text)
    assert w12.starting() == {uid("r-sc-1", 1): ("2027-03-26", 8)}
    # 08:30-12:30 goes on through the rows of 09, 10, 11 and 12, and not 13
    going_on = {cell for cell, uids in w12.busy.items() if uid("r-sc-1", 1) in uids}
    assert going_on == {("2027-03-26", h) for h in (9, 10, 11, 12)}
    # the week after the clocks moved forward: still 08:30 wall time, the 08:00 row
    w13 = Page(client.get("/rooster/locatie/en-lab?week=2027-W13").text)
    assert w13.starting() == {uid("r-sc-1", 2): ("2027-04-02", 8)}
    assert "team-E" in w13.classes[uid("r-sc-1", 2)]  # SC-SCHAKEL is an E course
    trainer = Page(client.get("/rooster/trainer/t-sanne?week=2027-W13").text)
    assert trainer.starting() == {uid("r-combi", 1): ("2027-03-30", 13)}
    assert "team-other" in trainer.classes[uid("r-combi", 1)]
    days = [k for k in w13.cells if k[1] == 8]
    assert [d for d, _ in days] == [f"2027-03-{d}" for d in (29, 30, 31)] + [
        "2027-04-01", "2027-04-02"]  # fmt: skip


def test_the_grid_shows_dates_as_people_write_them_and_links_to_details(web: Web) -> None:
    client = web.signed_in("planner")
    response = client.get("/rooster/locatie/en-lab?week=2027-W12")
    assert "vr 26 mrt 2027, 08:30–12:30" in response.text
    assert "Week 2027-W12: ma 22 mrt 2027 t/m zo 28 mrt 2027" in response.text
    assert "E-lab Noord" in response.text and "Ahmed El Amrani" in response.text
    page = Page(response.text)
    detail = next(link for link in page.links if link.startswith("/sessie/"))
    assert client.get(detail).status_code == 200  # the session's page opens
    assert "?week=2027-W11" in " ".join(page.links) and "?week=2027-W13" in " ".join(page.links)
    assert page.inputs["week"] == "2027-W12"


def test_a_wrong_week_is_told_next_to_the_week_field(web: Web) -> None:
    client = web.signed_in("planner")
    response = client.get("/rooster/locatie/en-lab?week=2027-W60")
    assert response.status_code == 422
    page = Page(response.text)
    assert page.ids["week-error"].startswith("Kies een week zoals 2027-W13")
    assert page.inputs["week"] == "2027-W60"  # what was typed stays, to be corrected


def test_the_english_switch(web: Web) -> None:
    client = web.signed_in("planner")
    back = "/rooster/locatie/en-lab?week=2027-W12"
    response = client.get("/taal/en", params={"terug": back})
    assert response.status_code == 303 and response.headers["location"] == back
    page = client.get(back)
    assert Page(page.text).lang == "en"
    assert "Previous week" in page.text and "Sign out" in page.text
    assert "Fri 26 Mar 2027, 08:30–12:30" in page.text
    assert "Nederlands" in page.text  # the switch back
    assert client.get("/rooster/locatie/nope").text.count("This timetable was not found.") == 1
    # the switch only returns to this site
    away = client.get("/taal/nl", params={"terug": "//evil.example/x"})
    assert away.headers["location"] == "/"
    assert Page(client.get(back).text).lang == "nl"


class Overview(HTMLParser):
    """The campus overview's cells: (location, day) -> the UIDs in it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], list[str]] = {}
        self._cell: tuple[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "td" and "data-location" in a:
            self._cell = (a["data-location"], a["data-day"])
            self.cells[self._cell] = []
        elif tag == "a" and self._cell and "data-uid" in a:
            self.cells[self._cell].append(a["data-uid"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None


def test_the_campus_overview_shows_locations_by_days_for_planners_only(web: Web) -> None:
    client = web.signed_in("planner")
    assert "/rooster/campus" in Page(client.get("/rooster").text).links
    response = client.get("/rooster/campus?week=2027-W12")
    assert response.status_code == 200
    cells = {k: v for k, v in Overview(response.text).cells.items() if v}
    assert cells == {
        ("en-lab", "2027-03-26"): [uid("r-sc-1", 1)],
        ("vz-school", "2027-03-25"): [uid("r-gl-1", 1)],  # a school site with a guest lesson
    }
    rows = {loc for loc, _ in Overview(response.text).cells}
    assert {"ww-hal", "en-lab", "vz-school"} <= rows  # training locations even when empty
    for who in ("school", "company", "trainer"):
        other = web.signed_in(who)
        assert "/rooster/campus" not in Page(other.get("/rooster").text).links
        refused = other.get("/rooster/campus?week=2027-W12")  # a planner's page: the page 404
        assert refused.status_code == 404 and PAGE_NOT_FOUND in refused.text


def test_every_word_the_templates_name_exists_in_both_languages() -> None:
    templates = Path(__file__).parents[2] / "api" / "web" / "templates"
    named = {
        key
        for page in templates.glob("*.html")
        for key in re.findall(r"""\bt\(["']([a-z_.]+)["']""", page.read_text(encoding="utf-8"))
    }
    assert "web.sign_in" in named and "web.previous_week" in named
    # a prefix (t("web.team." ~ team)) stands for each of its values
    values = {"web.team.": TEAMS, "web.view.": GRID_VIEWS, "web.kind.": GRID_VIEWS}
    assert {k for k in named if k.endswith(".")} <= set(values)
    named = {k + v for k in named for v in (values[k] if k.endswith(".") else [""])}
    for key in sorted(named):
        assert PHRASES[key]["nl"].strip() and PHRASES[key]["en"].strip(), key
