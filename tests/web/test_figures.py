"""The planner's figures and report, the calendar links of every role and the sign-in keys
(api/web/figures.py), with FastAPI's TestClient on SQLite and PostgreSQL.

The data is the feed tests' published campus (tests/feeds/factory.py, see test_web.py): in
2027-W12..W13 the E-lab Noord (Elektro Noord) has two sessions of four hours out of 16 open
hours, the Praktijkhal Westpoort (Warmte West) none out of 23; Vmbo College Zuidoost has 3 of
its 4 accepted requests in those weeks planned, ROC West its only one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.web.svg import Bar, bar_chart, nice_maximum
from models import entities as e
from models.db import session_scope
from models.feeds import create_token
from models.report import report_csv, school_year, year_report
from tests.feeds.conftest import NOW, SETTINGS
from tests.web import test_web
from tests.web.test_web import Page, Web, sign_in

web = test_web.web  # the fixture: the published campus and a key per role

PERIOD = "2027-W12..2027-W13"


class Chart(HTMLParser):
    """The bars of each chart: chart id -> [(label, value, more, number text)]."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.charts: dict[str, list[tuple[str, float, float, str]]] = {}
        self.descs: dict[str, str] = {}
        self.targets: list[str] = []
        self._chart = ""
        self._row: list[object] | None = None
        self._in: str = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self._chart = a["id"]
            self.charts[self._chart] = []
        elif tag == "g" and "data-label" in a:
            self._row = [a["data-label"], 0.0, 0.0, ""]
        elif tag == "rect" and self._row is not None:
            self._row[2 if "more" in a["class"] else 1] = float(a["data-value"])
        elif tag == "text" and self._row is not None and a.get("class") == "bar-number":
            self._in = "number"
        elif tag == "desc":
            self._in = "desc"
        elif tag == "line" and a.get("class") == "target":
            self.targets.append(self._chart)

    def handle_endtag(self, tag: str) -> None:
        if tag == "g" and self._row is not None:
            self.charts[self._chart].append(tuple(self._row))  # type: ignore[arg-type]
            self._row = None
        if tag in ("text", "desc"):
            self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "number" and self._row is not None:
            self._row[3] = str(self._row[3]) + data
        elif self._in == "desc":
            self.descs[self._chart] = self.descs.get(self._chart, "") + data


def error_of(html: str, field: str) -> str:
    """The error next to ``field``, checked to be tied to it (aria-invalid, -describedby)."""
    tag = re.search(rf'<(?:input|select)[^>]*\bid="{field}"[^>]*>', html, re.S)
    assert tag is not None, f"no field {field}"
    assert 'aria-invalid="true"' in tag.group(0)
    assert f"{field}-error" in tag.group(0)
    return Page(html).ids[f"{field}-error"]


def csrf_of(client: TestClient, path: str = "/agenda") -> str:
    return Page(client.get(path).text).inputs["csrf"]


def feed_token(html: str) -> str:
    found = re.search(r'id="link-https"[^>]*value="https://campus\.test/cal/([^".]+)\.ics"', html)
    assert found is not None, "no new link on the page"
    return found.group(1)


def feed(client: TestClient, token: str) -> tuple[int, int]:
    """The status of a feed URL and how many sessions it holds."""
    response = client.get(f"/cal/{token}.ics")
    return response.status_code, response.text.count("BEGIN:VEVENT")


def tokens_in_db(web: Web) -> int:
    with session_scope(web.engine) as session:
        query = select(func.count()).select_from(e.FeedToken).where(e.FeedToken.active.is_(True))
        return session.scalar(query) or 0


# --- who may open what -------------------------------------------------------------------

PLANNER_PAGES = ("/planner/cijfers", "/planner/verslag", "/planner/verslag.csv",
                 "/planner/sleutels")  # fmt: skip


def test_the_pages_need_sign_in_and_the_planners_pages_are_404_for_others(web: Web) -> None:
    anonymous = web.client()
    for path in (*PLANNER_PAGES, "/agenda"):
        response = anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/aanmelden"
    for who in ("school", "company", "trainer"):
        client = web.signed_in(who)
        for path in PLANNER_PAGES:
            response = client.get(path)
            assert response.status_code == 404, (who, path)
            assert "Niet gevonden" in response.text
        token = csrf_of(client)
        refused = client.post("/planner/sleutels", data={"csrf": token, "role": "planner"})
        assert refused.status_code == 404
        nav = client.get("/agenda")
        assert nav.status_code == 200 and 'href="/agenda">Agenda-links</a>' in nav.text
        assert "/planner/cijfers" not in nav.text
    planner = web.signed_in("planner").get("/agenda").text
    for path, word in (("/planner/cijfers", "Cijfers"), ("/planner/verslag", "Verslag"),
                       ("/planner/sleutels", "Sleutels")):  # fmt: skip
        assert f'href="{path}">{word}</a>' in planner


# --- the figures -------------------------------------------------------------------------


def test_the_charts_hold_the_bars_and_numbers_of_the_published_plan(web: Web) -> None:
    client = web.signed_in("planner")
    response = client.get(f"/planner/cijfers?periode={PERIOD}")
    assert response.status_code == 200
    assert "2027-W12..2027-W13 (ma 22 mrt 2027 t/m zo 4 apr 2027)" in response.text
    charts = Chart(response.text)
    assert charts.charts["benutting-locaties"] == [
        ("E-lab Noord", 50.0, 0.0, "50 % (8,0 van 16,0 uur)"),
        ("Praktijkhal Westpoort", 0.0, 0.0, "0 % (0,0 van 23,0 uur)"),
    ]
    assert charts.charts["benutting-bedrijven"] == [
        ("Elektro Noord, installaties; service & onderhoud", 50.0, 0.0,
         "50 % (8,0 van 16,0 uur)"),
        ("Warmte West B.V.", 0.0, 0.0, "0 % (0,0 van 23,0 uur)"),
    ]  # fmt: skip
    assert charts.charts["aandeel-scholen"] == [
        ("ROC West; techniek, bouw & ÿ", 100.0, 0.0, "1 van 1 aanvragen (100 %)"),
        ("Vmbo College Zuidoost", 75.0, 0.0, "3 van 4 aanvragen (75 %)"),
    ]
    assert charts.charts["reistijd"] == [
        ("Alle groepen samen", 80.0, 0.0, "80 min"),
        ("Alle trainers samen", 46.0, 0.0, "46 min"),
        ("ROC West; techniek, bouw & ÿ", 0.0, 0.0, "0 min"),
        ("Vmbo College Zuidoost", 80.0, 0.0, "80 min"),
    ]
    # the targets of the school year: nothing held yet, the pupils of planned sessions lighter
    assert charts.charts["doelen"] == [
        ("Vmbo-leerlingen", 0.0, 6.2, "0 bereikt + 37 gepland, doel 600"),
        ("Mbo-studenten", 0.0, 1.4, "0 bereikt + 11 gepland, doel 800"),
        ("Werkzoekenden", 0.0, 0.0, "0 bereikt + 0 gepland, doel 50"),
    ]
    assert charts.targets == ["doelen"]  # the target line
    # the text alternative says every number, and the table beside it too
    assert charts.descs["benutting-locaties"] == (
        "E-lab Noord: 50 % (8,0 van 16,0 uur); Praktijkhal Westpoort: 0 % (0,0 van 23,0 uur)"
    )
    assert 'aria-labelledby="benutting-locaties-title benutting-locaties-desc"' in response.text
    assert (
        '<tr><th scope="row">E-lab Noord</th><td>50</td><td>8,0</td><td>16,0</td>'
        "<td>2</td></tr>" in response.text
    )


def test_the_school_year_counts_every_week_of_it(web: Web) -> None:
    client = web.signed_in("planner")
    year = Chart(client.get("/planner/cijfers?periode=2026-2027").text).charts
    default = Chart(client.get("/planner/cijfers").text).charts  # today: December 2026
    assert year == default
    assert year["aandeel-scholen"][1] == (
        "Vmbo College Zuidoost",
        100.0,
        0.0,
        "4 van 4 aanvragen (100 %)",
    )
    assert year["benutting-locaties"][0][3] == "2 % (12,0 van 616,0 uur)"


@pytest.mark.parametrize(
    "period",
    ["2027-W99", "volgend jaar", "2026-2028", "2020-W01..2027-W01", "9999-W52", "0001-W01"],
)
def test_a_wrong_period_is_told_next_to_its_field(web: Web, period: str) -> None:
    client = web.signed_in("planner")
    response = client.get("/planner/cijfers", params={"periode": period})
    assert response.status_code == 422
    assert error_of(response.text, "periode").startswith(f"'{period}' is geen periode")
    assert Page(response.text).inputs["periode"] == period  # what was typed stays
    assert Chart(response.text).charts["doelen"]  # this school year's figures instead


def test_the_figures_in_english(web: Web) -> None:
    client = web.signed_in("planner")
    client.cookies.set("tic_taal", "en")
    response = client.get(f"/planner/cijfers?periode={PERIOD}")
    assert Page(response.text).lang == "en"
    charts = Chart(response.text).charts
    assert charts["benutting-locaties"][0] == ("E-lab Noord", 50.0, 0.0,
                                               "50 % (8.0 of 16.0 hours)")  # fmt: skip
    assert charts["doelen"][0][3] == "0 reached + 37 planned, target 600"
    assert "Utilisation per location" in response.text


# --- the report ----------------------------------------------------------------------------


def test_the_report_shows_the_rows_and_offers_the_csv_of_the_api(web: Web) -> None:
    client = web.signed_in("planner")
    response = client.get("/planner/verslag?jaar=2026-2027")
    assert response.status_code == 200
    html = response.text
    campus = re.search(r'<tr data-key="" data-audience="vmbo">(.*?)</tr>', html, re.S)
    assert campus is not None
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", campus.group(1), re.S)
    assert cells == ["Vmbo-leerlingen", "600", "nee", "0", "0", "0", "0", "3", "37"]
    assert 'data-key="roc-west" data-audience="vmbo"' in html  # per school
    assert 'data-key="elektro-noord" data-audience="mbo"' in html  # per host company
    assert 'href="/planner/verslag.csv?jaar=2026-2027"' in html
    download = client.get("/planner/verslag.csv?jaar=2026-2027")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == (
        'attachment; filename="tic-report-2026-2027.csv"'
    )
    with session_scope(web.engine) as session:
        expected = report_csv(year_report(session, school_year(session, "2026-2027")))
    assert download.text == expected


def test_a_wrong_school_year_is_told_next_to_its_field(web: Web) -> None:
    client = web.signed_in("planner")
    response = client.get("/planner/verslag?jaar=2026-2028")
    assert response.status_code == 422
    assert error_of(response.text, "jaar").startswith("'2026-2028' is geen schooljaar")
    assert client.get("/planner/verslag.csv?jaar=2026-2028").status_code == 404


# --- calendar links ---------------------------------------------------------------------

SCOPE = {
    "planner": {"campus:", "school:vmbo-zuidoost", "school:roc-west", "group:vz-3bb-a",
                "group:vz-3kb-b", "group:vz-odd", "group:rw-e2", "company:warmte-west",
                "company:elektro-noord", "company:vmbo-zuidoost", "location:ww-hal",
                "location:en-lab", "location:vz-school", "trainer:t-sanne", "trainer:t-ahmed"},
    "school": {"school:vmbo-zuidoost", "group:vz-3bb-a", "group:vz-3kb-b", "group:vz-odd"},
    "company": {"company:warmte-west", "location:ww-hal", "trainer:t-sanne"},
    "trainer": {"trainer:t-sanne"},
}  # fmt: skip


def options(html: str) -> set[str]:
    select_ = re.search(r'<select id="subject".*?</select>', html, re.S)
    assert select_ is not None
    return set(re.findall(r'<option value="([^"]+)"', select_.group(0)))


@pytest.mark.parametrize("who", ["planner", "school", "company", "trainer"])
def test_each_role_makes_links_only_for_its_own_calendars(web: Web, who: str) -> None:
    with session_scope(web.engine) as session:  # a link of everyone else's
        others = {s: create_token(session, *s.split(":"), now=NOW, label="elders")[0].id
                  for s in SCOPE["planner"] - SCOPE[who]}  # fmt: skip
    client = web.signed_in(who)
    page = client.get("/agenda").text
    assert options(page) == SCOPE[who]
    assert 'data-subject="' not in page  # no working link of theirs yet, none of others
    token = csrf_of(client)
    for subject, token_id in sorted(others.items())[:3]:
        for path in (f"/agenda/{token_id}/vervangen", f"/agenda/{token_id}/intrekken"):
            assert client.post(path, data={"csrf": token}).status_code == 404
        refused = client.post("/agenda", data={"csrf": token, "subject": subject, "label": "x"})
        assert refused.status_code == 404
    assert tokens_in_db(web) == len(others)
    mine = sorted(SCOPE[who])[0]
    made = client.post("/agenda", data={"csrf": token, "subject": mine, "label": "Ans"})
    assert made.status_code == 200 and tokens_in_db(web) == len(others) + 1
    assert f'data-subject="{mine}"' in made.text


def test_a_new_link_is_shown_once_works_and_rotating_stops_the_old_one(web: Web) -> None:
    client = web.signed_in("school")
    token = csrf_of(client)
    made = client.post("/agenda", data={"csrf": token, "subject": "group:vz-3bb-a",
                                        "label": "Ans, BBL-team"})  # fmt: skip
    assert made.status_code == 200
    assert "Nieuwe agenda-link voor 3 BB-a" in made.text
    first = feed_token(made.text)
    assert f'value="webcal://campus.test/cal/{first}.ics"' in made.text
    assert 'class="copy" data-copy="link-https"' in made.text
    assert '<script src="/static/copy.js" defer></script>' in made.text
    assert made.headers["cache-control"] == "private, no-store"
    listed = client.get("/agenda").text
    assert first not in listed  # shown once: only the label and dates stay
    row = re.search(r'<tr data-token="(\d+)" data-subject="group:vz-3bb-a">(.*?)</tr>', listed,
                    re.S)  # fmt: skip
    assert row is not None and "Ans, BBL-team" in row.group(2) and "nog nooit" in row.group(2)
    status, events = feed(client, first)
    assert status == 200 and events > 0
    rotated = client.post(f"/agenda/{row.group(1)}/vervangen", data={"csrf": token})
    assert rotated.status_code == 200 and "Vervangen agenda-link" in rotated.text
    second = feed_token(rotated.text)
    assert second != first
    assert feed(client, second) == (200, events)
    assert feed(client, first) == (200, 0)  # revoked: an empty calendar for 14 days
    later = TestClient(create_app(engine=web.engine, settings=SETTINGS,
                                  clock=lambda: NOW + timedelta(days=15)))  # fmt: skip
    with later:
        assert later.get(f"/cal/{first}.ics").status_code == 410  # then gone
        assert later.get(f"/cal/{second}.ics").status_code == 200
    assert client.get(f"/cal/{'x' * 43}.ics").status_code == 404  # never a token at all


def test_revoking_a_link_keeps_the_others_and_shows_when_each_was_fetched(web: Web) -> None:
    with session_scope(web.engine) as session:
        ans, ans_secret = create_token(session, "school", "vmbo-zuidoost", now=NOW, label="Ans")
        piet, piet_secret = create_token(session, "school", "vmbo-zuidoost", now=NOW,
                                         label="Piet")  # fmt: skip
        ans.last_fetched_at = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
        ans_id, piet_id = ans.id, piet.id
    client = web.signed_in("school")
    page = client.get("/agenda").text
    row = re.search(rf'<tr data-token="{ans_id}".*?</tr>', page, re.S)
    assert row is not None and "wo 10 mrt 2027, 13:00" in row.group(0)  # Amsterdam time
    token = csrf_of(client)
    assert client.post(f"/agenda/{piet_id}/intrekken", data={}).status_code == 403
    assert client.post(f"/agenda/{piet_id}/intrekken", data={"csrf": "x"}).status_code == 403
    assert tokens_in_db(web) == 2
    done = client.post(f"/agenda/{piet_id}/intrekken", data={"csrf": token})
    assert done.status_code == 303 and done.headers["location"] == "/agenda?ingetrokken=1"
    after = client.get("/agenda?ingetrokken=1").text
    assert "De link is ingetrokken" in after
    assert f'data-token="{piet_id}"' not in after and f'data-token="{ans_id}"' in after
    assert feed(client, piet_secret)[1] == 0 and feed(client, ans_secret)[1] > 0
    again = client.post(f"/agenda/{piet_id}/intrekken", data={"csrf": token})
    assert again.status_code == 404  # a revoked link is no longer there to revoke


def test_a_link_form_mistake_is_told_next_to_its_field(web: Web) -> None:
    client = web.signed_in("planner")
    token = csrf_of(client)
    empty = client.post("/agenda", data={"csrf": token, "subject": "", "label": "Ans"})
    assert empty.status_code == 422
    assert error_of(empty.text, "subject") == "Kies wiens agenda de link toont."
    assert Page(empty.text).inputs["label"] == "Ans"
    data = {"csrf": token, "subject": "trainer:t-ahmed", "label": "Ahmed"}
    assert client.post("/agenda", data=data).status_code == 200
    taken = client.post("/agenda", data=data)
    assert taken.status_code == 422
    assert error_of(taken.text, "label").startswith(
        "Deze agenda heeft al een werkende link met het label 'Ahmed'"
    )
    assert 'value="trainer:t-ahmed" selected' in taken.text
    two_lines = client.post("/agenda", data={**data, "label": "Ahmed\nen Piet"})
    assert two_lines.status_code == 422
    assert error_of(two_lines.text, "label").startswith("Het label moet op één regel passen")
    too_long = client.post("/agenda", data={**data, "label": "x" * 201})
    assert error_of(too_long.text, "label").endswith("hoogstens 200 tekens hebben.")
    assert tokens_in_db(web) == 1
    assert client.post("/agenda", data={**data, "csrf": "x"}).status_code == 403


# --- sign-in keys -----------------------------------------------------------------------


def new_secret(html: str) -> str:
    found = re.search(r'id="new-secret"[^>]*value="(tic_[^"]+)"', html)
    assert found is not None, "no new key on the page"
    return found.group(1)


def test_a_new_key_is_shown_once_signs_in_and_stops_when_revoked(web: Web) -> None:
    planner = web.signed_in("planner")
    token = csrf_of(planner, "/planner/sleutels")
    made = planner.post("/planner/sleutels", data={
        "csrf": token, "role": "school", "partner": "roc-west", "label": "Fatima, coördinator",
        "expires": "2027-08-01"})  # fmt: skip
    assert made.status_code == 201
    secret = new_secret(made.text)
    assert "Deze sleutel ziet u alleen nu" in made.text
    assert "Werkt tot zo 1 aug 2027." in made.text
    listed = planner.get("/planner/sleutels").text
    assert secret not in listed
    rows = dict(re.findall(r'<tr data-key-id="(\d+)"[^>]*>(.*?)</tr>', listed, re.S))
    key_id = next(k for k, cells in rows.items() if "Fatima, coördinator" in cells)
    assert "ROC West; techniek, bouw &amp; ÿ" in rows[key_id] and "werkt" in rows[key_id]
    coordinator = web.client()
    assert sign_in(coordinator, secret).status_code == 303
    assert coordinator.get("/rooster").status_code == 200
    assert planner.post(f"/planner/sleutels/{key_id}/intrekken", data={}).status_code == 403
    revoked = planner.post(f"/planner/sleutels/{key_id}/intrekken", data={"csrf": token})
    assert revoked.status_code == 303
    assert "wie hem gebruikte, is meteen afgemeld" in planner.get(revoked.headers["location"]).text
    # her open session ends at once, and the key no longer signs in
    assert coordinator.get("/rooster").headers["location"] == "/aanmelden?verlopen=1"
    assert sign_in(web.client(), secret).status_code == 422
    again = planner.post(f"/planner/sleutels/{key_id}/intrekken", data={"csrf": token})
    assert again.status_code == 409 and "al ingetrokken" in again.text
    with session_scope(web.engine) as session:  # audited as /api/v1/keys audits it
        audit = session.scalars(
            select(e.AuditEvent)
            .where(e.AuditEvent.entity == "api_key", e.AuditEvent.entity_key == key_id)
            .order_by(e.AuditEvent.id)
        ).all()
        assert [(a.action, a.actor_label) for a in audit] == [
            ("create", "Planbureau"),
            ("update", "Planbureau"),
        ]
        assert audit[1].changes == {"status": ["active", "revoked"]}


def test_a_planner_cannot_revoke_the_key_they_are_signed_in_with(web: Web) -> None:
    planner = web.signed_in("planner")
    token = csrf_of(planner, "/planner/sleutels")
    page = planner.get("/planner/sleutels").text
    rows = dict(re.findall(r'<tr data-key-id="(\d+)"[^>]*>(.*?)</tr>', page, re.S))
    own = next(k for k, cells in rows.items() if "uw sleutel" in cells)
    refused = planner.post(f"/planner/sleutels/{own}/intrekken", data={"csrf": token})
    assert refused.status_code == 409 and "U bent met deze sleutel aangemeld" in refused.text
    assert planner.get("/planner/sleutels").status_code == 200  # still signed in
    assert (
        planner.post("/planner/sleutels/99999/intrekken", data={"csrf": token}).status_code == 404
    )


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"role": ""}, "role", "Kies de rol van de sleutel."),
        ({"role": "school"}, "partner", "Een schoolsleutel hoort bij een school"),
        ({"role": "school", "partner": "warmte-west"}, "partner", "Dit is geen school"),
        ({"role": "company", "partner": "roc-west"}, "partner", "Dit is een school"),
        ({"role": "trainer"}, "trainer", "Een trainersleutel hoort bij een trainer"),
        ({"role": "planner", "trainer": "t-sanne"}, "trainer", "Deze rol hoort niet bij een"),
        ({"role": "planner", "expires": "2026-12-01"}, "expires", "De einddatum moet na"),
        ({"role": "planner", "expires": "1-8-2027"}, "expires", "Dit is geen datum"),
        ({"role": "planner", "label": "a\nb"}, "label", "Het label moet op één regel"),
        ({"role": "planner", "label": "x" * 201}, "label", "Het label is langer dan 200"),
    ],
)
def test_a_key_form_mistake_is_told_next_to_its_field(
    web: Web, form: dict[str, str], field: str, words: str
) -> None:
    planner = web.signed_in("planner")
    with session_scope(web.engine) as session:
        before = session.scalar(select(func.count()).select_from(e.ApiKey))
    token = csrf_of(planner, "/planner/sleutels")
    response = planner.post("/planner/sleutels", data={"csrf": token, **form})
    assert response.status_code == 422
    assert error_of(response.text, field).startswith(words)
    if form.get("role"):
        assert f'<option value="{form["role"]}" selected>' in response.text
    with session_scope(web.engine) as session:
        assert session.scalar(select(func.count()).select_from(e.ApiKey)) == before
    assert 'id="new-secret"' not in response.text


def test_links_and_keys_in_english(web: Web) -> None:
    client = web.signed_in("planner")
    client.cookies.set("tic_taal", "en")
    feeds = client.get("/agenda").text
    assert Page(feeds).lang == "en"
    assert "<h1>Calendar links</h1>" in feeds and ">Make the link</button>" in feeds
    assert '<optgroup label="Schools">' in feeds
    token = Page(feeds).inputs["csrf"]
    taken = {"csrf": token, "subject": "location:en-lab", "label": "Hal"}
    assert client.post("/agenda", data=taken).status_code == 200
    refused = client.post("/agenda", data=taken)
    assert error_of(refused.text, "label").startswith(
        "This calendar already has a working link labelled 'Hal'"
    )
    keys = client.get("/planner/sleutels").text
    assert "<h1>Keys</h1>" in keys and ">Make the key</button>" in keys
    wrong = client.post("/planner/sleutels", data={"csrf": token, "role": "trainer"})
    assert (
        error_of(wrong.text, "trainer") == "A trainer key belongs to a trainer: choose them here."
    )
    report = client.get("/planner/verslag").text
    assert "<h1>Report 2026-2027</h1>" in report and "Download as CSV" in report


def test_a_chart_escapes_names_and_scales_to_a_round_end() -> None:
    assert [nice_maximum(v) for v in (0, 7, 80, 101, 1232, 2600)] == [1, 10, 100, 200, 2000, 5000]
    svg = str(
        bar_chart(
            chart_id="c",
            title="T & co",
            desc="a <b>",
            axis="minuten",
            bars=[Bar("<script>x</script>", 80, "80 min"), Bar("B", 20, "20 min")],
            target=50,
            target_text="doel",
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg
    assert '<title id="c-title">T &amp; co</title><desc id="c-desc">a &lt;b&gt;</desc>' in svg
    bars = Chart(svg).charts["c"]
    assert [(b[0], b[1], b[3]) for b in bars] == [("<script>x</script>", 80.0, "80 min"),
                                                  ("B", 20.0, "20 min")]  # fmt: skip
    ticks = re.findall(r'class="tick-text"[^>]*>([^<]+)<', svg)
    assert ticks == ["0", "25", "50", "75", "100"]  # 80 rounds up to an axis of 100
    widths = [float(w) for w in re.findall(r'class="bar" [^>]*width="([\d.]+)"', svg)]
    assert widths[0] == 4 * widths[1]  # bars in proportion to their values
    assert Chart(svg).targets == ["c"]
