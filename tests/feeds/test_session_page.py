"""The session page behind a feed event's URL: only a link from the feed opens it.

The links are taken from feeds as the server serves them (GET /cal/<token>.ics); the data
is tests/feeds/factory.py (plan 1 has sessions on both sides of the spring clock change of
28 March 2027). SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from api.app import create_app
from models import entities as e
from models.db import session_scope
from models.feeds import create_token
from tests.feeds.conftest import NOW, SETTINGS, build_campus
from tests.feeds.factory import PLAN_2, T2, make_run, uid

BASE = SETTINGS.public_url


@pytest.fixture
def campus(engine: Engine) -> Engine:
    return build_campus(engine)


@pytest.fixture
def client(campus: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=campus, settings=SETTINGS, clock=lambda: NOW)) as c:
        yield c


def _token(engine: Engine, view: str, key: str, label: str = "") -> str:
    with session_scope(engine) as session:
        return create_token(session, view, key, now=NOW, label=label)[1]


def _feed(client: TestClient, token: str) -> bytes:
    response = client.get(f"/cal/{token}.ics")
    assert response.status_code == 200
    return response.content


def _links(body: bytes) -> dict[str, str]:
    """UID -> the event's URL as a path with query (what a browser asks the server for)."""
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    out = {}
    for ev in events:
        url = str(ev["URL"])
        assert url.startswith(BASE + "/sessions/")
        out[str(ev["UID"])] = url.removeprefix(BASE)
    return out


def _with(path: str, **changes: str) -> str:
    parts = urlsplit(path)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    query.update(changes)
    return parts.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_a_link_from_a_served_feed_opens_the_session_page(
    campus: Engine, client: TestClient
) -> None:
    links = _links(_feed(client, _token(campus, "school", "vmbo-zuidoost")))
    page = client.get(links[uid("r-ws-1", 1)])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in page.headers["cache-control"]
    html = page.text
    assert '<html lang="nl">' in html and "<script" not in html
    for part in (
        "<h1>Workshop warmtepomp</h1>",
        "Voor: Vmbo College Zuidoost",
        "gaat door",
        "di 16 mrt 2027, 13:00–16:00",
        "3 BB-a",
        "Warmte West B.V.",
        "Praktijkhal Westpoort, Contactweg 12, Amsterdam",
        "Sanne de Wit",
        "Aanwezig op de locatie: Warmtepomp-opstelling.",
        "3 BB-a: 46 min",  # vz-school -> ww-hal (11.5 km), estimated from the coordinates
        "ma 1 mrt 2027 10:00",  # last change: published 09:00 UTC = 10:00 in Amsterdam (CET)
    ):
        assert part in html, part


def test_the_page_shows_wall_time_after_the_clock_change_and_at_school(
    campus: Engine, client: TestClient
) -> None:
    links = _links(_feed(client, _token(campus, "school", "vmbo-zuidoost")))
    html = client.get(links[uid("r-sc-1", 2)]).text  # Friday after the spring switch
    assert "vr 2 apr 2027, 08:30–12:30" in html
    assert "3 KB-b: onbekend (geen schoollocatie vastgelegd)" in html  # no home site on record
    guest = client.get(links[uid("r-gl-1", 1)]).text  # the guest lesson at the school
    assert "3 BB-a: op school" in guest


def test_a_session_at_a_school_site_names_the_school_as_its_host(
    campus: Engine, client: TestClient
) -> None:
    """The guest lesson is at the school: its host is a school, not a company."""
    links = _links(_feed(client, _token(campus, "school", "vmbo-zuidoost")))
    guest = client.get(links[uid("r-gl-1", 1)]).text
    assert "<dt>School</dt><dd>Vmbo College Zuidoost</dd>" in guest
    assert "Bedrijf" not in guest
    english = client.get(links[uid("r-gl-1", 1)] + "&lang=en").text
    assert "<dt>School</dt><dd>Vmbo College Zuidoost</dd>" in english
    workshop = client.get(links[uid("r-ws-1", 1)]).text  # at a company's hall
    assert "<dt>Bedrijf</dt><dd>Warmte West B.V.</dd>" in workshop
    english = client.get(links[uid("r-ws-1", 1)] + "&lang=en").text
    assert "<dt>Company</dt><dd>Warmte West B.V.</dd>" in english


def test_tampered_links_and_other_sessions_answer_the_same_404(
    campus: Engine, client: TestClient
) -> None:
    links = _links(_feed(client, _token(campus, "school", "vmbo-zuidoost")))
    good = links[uid("r-ws-1", 1)]
    sig = parse_qs(urlsplit(good).query)["sig"][0]
    other_uid = uid("r-sc-1", 1).replace("@", "%40")
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    bad = [
        good.split("?")[0],  # no signature at all
        _with(good, sig=flipped),
        _with(good, sig=""),
        _with(good, subject="roc-west"),  # another school with this link's signature
        _with(good, view="campus", subject=""),
        _with(good, view="group", subject="vz-3bb-a"),
        "/sessions/" + other_uid + "?" + urlsplit(good).query,  # this signature, another uid
        "/sessions/no-such-session%40tic-planner.campus?" + urlsplit(good).query,
    ]
    answers = [client.get(path) for path in bad]
    assert [a.status_code for a in answers] == [404] * len(bad)
    assert len({a.text for a in answers}) == 1  # nothing tells them apart
    assert "Workshop warmtepomp" not in answers[0].text
    assert client.get(good).status_code == 200


def test_two_tokens_of_one_view_get_identical_bytes_and_links(
    campus: Engine, client: TestClient
) -> None:
    ans = _feed(client, _token(campus, "school", "vmbo-zuidoost", "Ans"))
    jan = _feed(client, _token(campus, "school", "vmbo-zuidoost", "Jan"))
    assert ans == jan
    group = _links(_feed(client, _token(campus, "group", "vz-3bb-a")))
    school = _links(ans)
    # The same session has another link in another subject's feed, and each opens only as its
    # own subject sees it.
    key = uid("r-combi", 1)
    assert group[key] != school[key]
    assert client.get(group[key]).status_code == 200
    assert "Voor: 3 BB-a" in client.get(group[key]).text


def test_each_subject_sees_only_what_its_feed_shows(campus: Engine, client: TestClient) -> None:
    key = uid("r-combi", 1)  # 3 BB-a of vmbo-zuidoost with E2-BBL of roc-west
    school = client.get(_links(_feed(client, _token(campus, "school", "vmbo-zuidoost")))[key])
    assert "3 BB-a" in school.text and "E2-BBL" not in school.text
    trainer = client.get(_links(_feed(client, _token(campus, "trainer", "t-sanne")))[key])
    assert "E2-BBL (ROC West; techniek, bouw &amp; ÿ)" in trainer.text  # escaped
    campus_page = client.get(_links(_feed(client, _token(campus, "campus", "")))[uid("r-bim-1", 1)])
    assert "laptop meenemen" in campus_page.text  # the request's note: campus view only
    roc = client.get(_links(_feed(client, _token(campus, "school", "roc-west")))[key])
    assert "3 BB-a" not in roc.text


def test_a_link_stops_working_when_its_subject_no_longer_sees_the_session(
    campus: Engine, client: TestClient
) -> None:
    link = _links(_feed(client, _token(campus, "trainer", "t-sanne")))[uid("r-ws-1", 1)]
    with session_scope(campus) as session:
        ahmed = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-ahmed")).one()
        ps = session.scalars(
            select(e.PublishedSession).where(e.PublishedSession.uid == uid("r-ws-1", 1))
        ).one()
        ps.trainers = [e.PublishedSessionTrainer(trainer=ahmed)]
    assert client.get(link).status_code == 404


def test_english_on_request_or_by_the_partners_preference(
    campus: Engine, client: TestClient
) -> None:
    link = _links(_feed(client, _token(campus, "school", "vmbo-zuidoost")))[uid("r-ws-1", 1)]
    english = client.get(link + "&lang=en").text
    assert '<html lang="en">' in english
    assert "What to bring" in english and "Tue 16 Mar 2027, 13:00–16:00" in english
    assert "?view=school&amp;subject=vmbo-zuidoost&amp;sig=" in english  # back to Dutch
    with session_scope(campus) as session:
        session.execute(
            update(e.Partner).where(e.Partner.key == "vmbo-zuidoost").values(language="en")
        )
    assert "Travel time from school" in client.get(link).text
    assert "Reistijd vanaf school" in client.get(link + "&lang=nl").text


def test_a_cancelled_session_says_so(campus: Engine, client: TestClient) -> None:
    link = _links(_feed(client, _token(campus, "school", "vmbo-zuidoost")))[uid("r-gl-1", 1)]
    from models.publish import publish

    with session_scope(campus) as session:
        publish(session, make_run(session, PLAN_2, created=T2), now=T2)
    html = client.get(link).text
    assert "geannuleerd" in html and "Deze sessie is geannuleerd." in html
    assert "ma 8 mrt 2027 10:00" in html  # the last change: the publication that cancelled it


def test_replacing_the_secret_closes_every_old_link_and_new_feeds_carry_new_ones(
    campus: Engine, client: TestClient
) -> None:
    from sqlalchemy import delete

    from tests.feeds.conftest import renderer

    old = _links(_feed(client, _token(campus, "school", "vmbo-zuidoost")))[uid("r-ws-1", 1)]
    with session_scope(campus) as session:  # what docs/feeds.md tells a planner to run
        session.execute(delete(e.CampusSecret).where(e.CampusSecret.name == "session-links"))
    assert client.get(old).status_code == 404
    new = _links(renderer(campus)("school", "vmbo-zuidoost"))[uid("r-ws-1", 1)]
    assert new != old and client.get(new).status_code == 200
