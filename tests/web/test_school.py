"""The school's pages (api/web/school.py): groups and their blocked periods, requests with the
door checks, withdrawal and its cut-off, scope by URL, CSRF, errors next to the field.

The feed tests' published campus (tests/web/test_web.py's ``web``): vmbo-zuidoost has the
groups vz-3bb-a (14), vz-3kb-b (11) and vz-odd; roc-west has rw-e2 and shares r-combi with
vz-3bb-a. The clock is 10 March 2027; r-ws-1's first published session is Tuesday 16 March,
so its withdrawal cut-off (10 working days before) has passed. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.web.school import WORD_FAMILIES, word
from models import entities as e
from models.db import session_scope
from models.words import PHRASES
from tests.feeds.factory import uid
from tests.web import test_web
from tests.web.test_web import Page, Web

web = test_web.web  # the published campus with a key per role (tests/web/test_web.py)

FITS = {"activity": "WS-WARMTEPOMP", "groups": ["vz-3kb-b"], "earliest": "2027-05-10",
        "latest": "2027-05-28", "note": "Graag in de middag\r\nmet lunch"}  # fmt: skip


def _token(client: TestClient, path: str = "/school/aanvragen") -> str:
    return Page(client.get(path).text).inputs["csrf"]


def _submit(client: TestClient, **changes: Any) -> Any:
    form = FITS | changes | {"csrf": _token(client, "/school/aanvragen/nieuw")}
    return client.post("/school/aanvragen/nieuw", data=form)


def _count(web: Web, entity: type[Any]) -> int:
    with session_scope(web.engine) as session:
        return session.scalar(select(func.count()).select_from(entity)) or 0


def _audited(web: Web, entity: str) -> int:
    with session_scope(web.engine) as session:
        query = select(func.count()).where(e.AuditEvent.entity == entity)
        return session.scalar(query.select_from(e.AuditEvent)) or 0


def _error_of(html: str, field: str) -> str:
    """The error told next to ``field``, after checking the field points at it."""
    page = Page(html)
    assert f'{field}-error' in page.ids, f"no error next to {field}"
    marker = f'id="{field}"' if field not in ("groups",) else 'name="groups"'
    start = html.index(marker)
    tag = html[html.rindex("<", 0, start) : html.index(">", start)]
    assert 'aria-invalid="true"' in tag and f"{field}-error" in tag, tag
    return page.ids[f"{field}-error"]


# --- who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/school/groepen", "/school/groepen/vz-3kb-b", "/school/aanvragen",
             "/school/aanvragen/nieuw", "/school/aanvragen/r-ws-1"],
)  # fmt: skip
def test_only_a_signed_in_school_opens_the_pages(web: Web, path: str) -> None:
    assert web.client().get(path).headers["location"] == "/aanmelden"
    for role in ("planner", "company", "trainer"):
        refused = web.signed_in(role).get(path)
        assert refused.status_code == 404, (role, path)
    assert web.signed_in("school").get(path).status_code == 200


def test_the_school_sees_its_own_links_in_the_menu(web: Web) -> None:
    page = web.signed_in("school").get("/rooster").text
    assert '<a href="/school/groepen">Groepen</a>' in page
    assert '<a href="/school/aanvragen">Aanvragen</a>' in page
    assert "/school/groepen" not in web.signed_in("company").get("/rooster").text


# --- groups and their blocked periods --------------------------------------------------------


def test_the_groups_page_shows_size_level_home_and_travel_windows(web: Web) -> None:
    client = web.signed_in("school")
    page = client.get("/school/groepen")
    assert page.status_code == 200
    text = page.text
    assert "3 BB-a" in text and "3 KB-b" in text and "14 leerlingen" in text
    assert "vmbo-kb" in text and "dinsdag 08:30–16:00" in text
    assert "E2-BBL" not in text and "rw-e2" not in text  # roc-west's group


def test_add_and_remove_a_blocked_period_as_the_api_does(web: Web) -> None:
    client = web.signed_in("school")
    token = _token(client, "/school/groepen/vz-3kb-b")
    added = client.post("/school/groepen/vz-3kb-b/perioden", data={
        "csrf": token, "first": "2027-05-17", "last": "2027-05-21", "reason": "exam",
        "note": "toetsweek"})  # fmt: skip
    assert added.status_code == 303
    assert added.headers["location"].startswith("/school/groepen/vz-3kb-b?gedaan=toegevoegd")
    page = client.get(added.headers["location"]).text
    assert "De periode is toegevoegd" in page
    assert "ma 17 mei 2027 t/m vr 21 mei 2027" in page and "Toetsen" in page
    # the API reads the same period
    with session_scope(web.engine) as session:
        group = session.scalars(select(e.Group).where(e.Group.key == "vz-3kb-b")).one()
        (row,) = [(u.first.isoformat(), u.reason, u.note) for u in group.unavailable]
        period_id = group.unavailable[0].id
    assert row == ("2027-05-17", "exam", "toetsweek")
    assert _audited(web, "group-unavailable") == 1
    removed = client.post(f"/school/groepen/vz-3kb-b/perioden/{period_id}/verwijderen",
                          data={"csrf": token})  # fmt: skip
    assert removed.status_code == 303
    assert "De periode is verwijderd" in client.get(removed.headers["location"]).text
    assert _count(web, e.GroupUnavailability) == 0 and _audited(web, "group-unavailable") == 2


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"first": "", "last": "2027-05-21", "reason": "exam"}, "first", "Vul een datum in."),
        ({"first": "17-5-2027", "last": "2027-05-21", "reason": "exam"}, "first",
         "„17-5-2027” is geen datum"),
        ({"first": "2027-05-21", "last": "2027-05-17", "reason": "trip"}, "last",
         "ligt vóór de eerste datum (vr 21 mei 2027)"),
        ({"first": "2027-05-17", "last": "2027-05-21", "reason": "holiday"}, "reason",
         "Kies een reden"),
        ({"first": "2027-05-17", "last": "2027-05-21", "reason": "exam", "note": "a\tb"}, "note",
         "op één regel"),
        ({"first": "2027-05-17", "last": "2027-05-21", "reason": "exam", "note": "x" * 201},
         "note", "201 tekens"),
    ],
)  # fmt: skip
def test_a_wrong_period_is_told_next_to_its_field_and_nothing_is_stored(
    web: Web, form: dict[str, str], field: str, words: str
) -> None:
    client = web.signed_in("school")
    token = _token(client, "/school/groepen/vz-3kb-b")
    response = client.post("/school/groepen/vz-3kb-b/perioden", data=form | {"csrf": token})
    assert response.status_code == 422
    assert words in _error_of(response.text, field)
    assert Page(response.text).inputs["first"] == form["first"]  # what was typed stays
    assert _count(web, e.GroupUnavailability) == 0


def test_another_schools_group_is_404_by_url_and_its_periods_cannot_be_touched(
    web: Web,
) -> None:
    with session_scope(web.engine) as session:
        group = session.scalars(select(e.Group).where(e.Group.key == "rw-e2")).one()
        away = e.GroupUnavailability(
            first=date(2027, 5, 3), last=date(2027, 5, 7), reason="trip", note="Parijs"
        )
        group.unavailable.append(away)
        session.flush()
        foreign = group.unavailable[0].id
    client = web.signed_in("school")
    token = _token(client)
    missing = client.get("/school/groepen/no-such-group")
    tampered = client.get("/school/groepen/rw-e2")
    assert tampered.status_code == missing.status_code == 404
    assert tampered.text.replace("rw-e2", "") == missing.text.replace("no-such-group", "")
    for url in ("/school/groepen/rw-e2/perioden", f"/school/groepen/rw-e2/perioden/{foreign}"
                "/verwijderen", f"/school/groepen/vz-3kb-b/perioden/{foreign}/verwijderen"):
        data = {"csrf": token, "first": "2027-05-17", "last": "2027-05-21", "reason": "exam"}
        assert client.post(url, data=data).status_code == 404, url
    assert _count(web, e.GroupUnavailability) == 1
    assert "Parijs" not in client.get("/school/groepen").text


def test_a_period_without_the_sessions_token_is_refused(web: Web) -> None:
    client = web.signed_in("school")
    form = {"first": "2027-05-17", "last": "2027-05-21", "reason": "exam", "csrf": "forged"}
    response = client.post("/school/groepen/vz-3kb-b/perioden", data=form)
    assert response.status_code == 403 and "Dit formulier is verlopen" in response.text
    assert _count(web, e.GroupUnavailability) == 0


# --- requests: submit with the checks at the door -----------------------------------------


def test_a_fitting_request_is_stored_and_listed(web: Web) -> None:
    client = web.signed_in("school")
    before = _count(web, e.Request)
    response = _submit(client, weekdays=["tue", "thu"], time_of_day="afternoon")
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/school/aanvragen?gedaan=ingediend")
    listed = client.get(response.headers["location"]).text
    assert _count(web, e.Request) == before + 1
    with session_scope(web.engine) as session:
        made = session.scalars(select(e.Request).order_by(e.Request.id.desc())).first()
        assert made is not None
        key = made.key
        assert (made.status, made.note, made.preferred_weekdays) == (
            "submitted", "Graag in de middag\nmet lunch", "2,4")
        assert made.preferred_time_of_day == "afternoon"
    assert f"Aanvraag {key} is ingediend" in listed
    row = listed[listed.index(f'data-request="{key}"'):]
    assert "Workshop warmtepomp" in row and "Ingediend" in row[:2000]
    assert "kan tot en met ma 26 apr 2027" in row[:3000]  # 10 working days before 10 May
    assert _audited(web, "request") == 1


def test_a_request_that_can_never_fit_is_refused_at_once_with_its_reason(web: Web) -> None:
    client = web.signed_in("school")
    before = _count(web, e.Request)
    response = _submit(client, earliest="2027-03-29", latest="2027-03-29")  # Easter Monday
    assert response.status_code == 422
    page = Page(response.text)
    assert "Deze aanvraag kan nooit worden ingepland" in response.text
    reasons = response.text[response.text.index('id="door-reasons"'):]
    assert "29 mrt 2027" in reasons[:1500] and "Er is niets opgeslagen" in reasons[:1500]
    assert "see the reason" not in response.text  # the reader's language, not the engine's
    assert "zie de reden bovenaan" in _error_of(response.text, "earliest")
    assert page.inputs["earliest"] == "2027-03-29"
    assert 'value="vz-3kb-b" checked' in response.text  # what was chosen stays chosen
    assert _count(web, e.Request) == before and _audited(web, "request") == 0


def test_the_door_speaks_english_on_request(web: Web) -> None:
    client = web.signed_in("school")
    client.get("/taal/en")
    response = _submit(client, groups=["vz-3bb-a", "vz-3kb-b"])  # 25 pupils, at most 16
    assert response.status_code == 422
    assert "This request can never be planned" in response.text
    assert "25 participants" in response.text and "8-16" in response.text
    assert "Here is the problem" in _error_of(response.text, "groups")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"activity": ""}, "activity", "Kies een activiteit."),
        ({"activity": "NO-SUCH"}, "activity", "niet (meer) in de catalogus"),
        ({"groups": []}, "groups", "Kies minstens één groep."),
        ({"groups": ["rw-e2"]}, "groups", "niet (meer) van uw school"),
        ({"earliest": "volgende week"}, "earliest", "„volgende week” is geen datum"),
        ({"latest": "2027-05-01"}, "latest", "ligt vóór de eerste datum (ma 10 mei 2027)"),
        ({"time_of_day": "night"}, "time_of_day", "Kies een dagdeel"),
        ({"note": "x" * 2001}, "note", "2001 tekens"),
    ],
)  # fmt: skip
def test_wrong_input_is_told_next_to_the_field_and_nothing_is_stored(
    web: Web, changes: dict[str, Any], field: str, words: str
) -> None:
    client = web.signed_in("school")
    before = _count(web, e.Request)
    response = _submit(client, **changes)
    assert response.status_code == 422
    assert words in _error_of(response.text, field)
    assert _count(web, e.Request) == before and _audited(web, "request") == 0


def test_submitting_without_the_sessions_token_is_refused(web: Web) -> None:
    client = web.signed_in("school")
    before = _count(web, e.Request)
    response = client.post("/school/aanvragen/nieuw", data=FITS | {"csrf": "forged"})
    assert response.status_code == 403 and _count(web, e.Request) == before


# --- following and withdrawing requests ---------------------------------------------------


def test_the_list_shows_status_sessions_and_nothing_of_another_school(web: Web) -> None:
    client = web.signed_in("school")
    listed = client.get("/school/aanvragen").text
    assert 'data-request="r-ws-1"' in listed and 'data-request="r-sc-1"' in listed
    assert "r-combi" not in listed  # shared with roc-west's group: the planner's, as in the API
    start = listed.index('data-request="r-ws-1"')
    row = listed[start:listed.index("</tr>", start)]
    assert "Geaccepteerd" in row and "di 16 mrt 2027, 13:00–16:00" in row
    assert f'href="/sessions/{uid("r-ws-1", 1)}?' in row  # its session page, signed
    assert "kon tot en met di 2 mrt 2027" in row  # the cut-off has passed
    detail = client.get("/school/aanvragen/r-ws-1")
    assert detail.status_code == 200 and "Voorkeursdagen" in detail.text
    assert "dinsdag" in detail.text and "middag" in detail.text
    for key in ("r-combi", "no-such", "r-" + "x" * 300):
        assert client.get(f"/school/aanvragen/{key}").status_code == 404, key


def test_a_declined_request_shows_the_planners_reason(web: Web) -> None:
    with session_scope(web.engine) as session:
        row = session.scalars(select(e.Request).where(e.Request.key == "r-gl-1")).one()
        row.status, row.decline_reason = "declined", "Geen trainer vrij in maart"
    listed = web.signed_in("school").get("/school/aanvragen").text
    row_text = listed[listed.index('data-request="r-gl-1"'):]
    assert "Afgewezen" in row_text[:1500] and "reden: Geen trainer vrij in maart" in row_text


def test_withdraw_before_the_cut_off(web: Web) -> None:
    client = web.signed_in("school")
    _submit(client)
    with session_scope(web.engine) as session:
        key = session.scalars(select(e.Request.key).order_by(e.Request.id.desc())).first()
    page = Page(client.get("/school/aanvragen").text)
    token = page.inputs["csrf"]
    withdrawn = client.post(f"/school/aanvragen/{key}/intrekken",
                            data={"csrf": token, "version": "1"})  # fmt: skip
    assert withdrawn.status_code == 303
    listed = client.get(withdrawn.headers["location"]).text
    assert f"Aanvraag {key} is ingetrokken" in listed
    with session_scope(web.engine) as session:
        assert session.scalars(select(e.Request.status).where(e.Request.key == key)).one() == (
            "withdrawn"
        )


def test_withdrawing_after_the_cut_off_is_refused_in_words(web: Web) -> None:
    client = web.signed_in("school")
    token = _token(client)
    response = client.post("/school/aanvragen/r-ws-1/intrekken", data={"csrf": token})
    assert response.status_code == 409
    told = Page(response.text).ids["withdraw-r-ws-1-error"]
    assert "kon worden ingetrokken tot en met di 2 mrt 2027" in told
    assert "vraag de planner" in told
    with session_scope(web.engine) as session:
        status = session.scalars(select(e.Request.status).where(e.Request.key == "r-ws-1")).one()
    assert status == "accepted" and _audited(web, "request") == 0


def test_a_stale_withdraw_form_is_told_and_changes_nothing(web: Web) -> None:
    client = web.signed_in("school")
    _submit(client)
    with session_scope(web.engine) as session:
        key = session.scalars(select(e.Request.key).order_by(e.Request.id.desc())).first()
    response = client.post(f"/school/aanvragen/{key}/intrekken",
                           data={"csrf": _token(client), "version": "99"})  # fmt: skip
    assert response.status_code == 409
    assert "intussen gewijzigd" in Page(response.text).ids[f"withdraw-{key}-error"]


def test_withdrawing_another_schools_request_or_without_token_is_refused(web: Web) -> None:
    client = web.signed_in("school")
    token = _token(client)
    assert client.post("/school/aanvragen/r-combi/intrekken",
                       data={"csrf": token}).status_code == 404  # fmt: skip
    other = web.signed_in("other-school")
    assert other.post("/school/aanvragen/r-sc-1/intrekken",
                      data={"csrf": _token(other)}).status_code == 404  # fmt: skip
    _submit(client)
    with session_scope(web.engine) as session:
        key = session.scalars(select(e.Request.key).order_by(e.Request.id.desc())).first()
    forged = client.post(f"/school/aanvragen/{key}/intrekken", data={"csrf": "forged"})
    assert forged.status_code == 403
    with session_scope(web.engine) as session:
        assert session.scalars(select(e.Request.status).where(e.Request.key == key)).one() == (
            "submitted"
        )


def test_the_pages_speak_english_on_request(web: Web) -> None:
    client = web.signed_in("school")
    client.get("/taal/en")
    groups = client.get("/school/groepen").text
    assert "14 pupils" in groups and "Periods 3 BB-a cannot come" in groups
    listed = client.get("/school/aanvragen").text
    assert "Accepted" in listed and "Tue 16 Mar 2027, 13:00–16:00" in listed
    assert Page(listed).lang == "en"


def test_every_word_the_pages_pick_by_a_value_exists_in_both_languages() -> None:
    for family, (_area, values) in WORD_FAMILIES.items():
        for value in values:
            key = word(family, value)
            assert PHRASES[key]["nl"].strip() and PHRASES[key]["en"].strip(), key
