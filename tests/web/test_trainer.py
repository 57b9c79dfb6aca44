"""The trainer's absences page (api/web/trainer.py): add one (the API's 409-unless-confirmed
shown as a confirmation), remove one, scope, CSRF, errors next to the field.

The feed tests' published campus (tests/web/test_web.py's ``web``), the clock on 10 March
2027: t-sanne teaches r-ws-1 on Tuesday 16 March 13:00-16:00 at ww-hal (Praktijkhal
Westpoort) and is away 22-26 March already (the scenario's "Cursus": category training).
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models import entities as e
from models.db import session_scope
from tests.web import test_web
from tests.web.test_school import _error_of
from tests.web.test_web import Page, Web

web = test_web.web  # the published campus with a key per role (tests/web/test_web.py)
PATH = "/trainer/afwezigheid"


def _token(client: TestClient) -> str:
    return Page(client.get(PATH).text).inputs["csrf"]


def _absences(web: Web, trainer: str = "t-sanne") -> list[tuple[date, date, str]]:
    with session_scope(web.engine) as session:
        rows = session.scalars(
            select(e.TrainerAbsence).join(e.Trainer).where(e.Trainer.key == trainer)
            .order_by(e.TrainerAbsence.first)
        )  # fmt: skip
        return [(a.first, a.last, a.category) for a in rows]


def _marks(web: Web) -> int:
    with session_scope(web.engine) as session:
        return session.scalar(select(func.count()).select_from(e.ReplanMark)) or 0


def test_only_a_signed_in_trainer_opens_the_page(web: Web) -> None:
    assert web.client().get(PATH).headers["location"] == "/aanmelden"
    for role in ("planner", "school", "company"):
        assert web.signed_in(role).get(PATH).status_code == 404, role
    client = web.signed_in("trainer")
    page = client.get(PATH)
    assert page.status_code == 200
    assert '<a href="/trainer/afwezigheid">Afwezigheid</a>' in page.text
    assert "ma 22 mrt 2027 t/m vr 26 mrt 2027" in page.text and "Opleiding" in page.text


def test_an_absence_away_from_published_sessions_is_stored_at_once(web: Web) -> None:
    client = web.signed_in("trainer")
    data = {"csrf": _token(client), "first": "2027-05-03", "last": "2027-05-07",
            "category": "leave"}  # fmt: skip
    response = client.post(PATH, data=data)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "De afwezigheid is opgeslagen." in page and "opnieuw te plannen" not in page
    assert "ma 3 mei 2027 t/m vr 7 mei 2027" in page and "Verlof" in page
    assert (date(2027, 5, 3), date(2027, 5, 7), "leave") in _absences(web)
    assert _marks(web) == 0


def test_an_absence_over_a_published_session_asks_to_confirm_and_then_marks_it(
    web: Web,
) -> None:
    client = web.signed_in("trainer")
    before = _absences(web)
    data = {"csrf": _token(client), "first": "2027-03-16", "last": "2027-03-16",
            "category": "sick"}  # fmt: skip
    asked = client.post(PATH, data=data)
    assert asked.status_code == 409  # the API's answer, in words
    assert "Deze afwezigheid raakt 1 geplande sessie(s)" in asked.text
    confirm = asked.text[asked.text.index('id="bevestigen"'):]
    assert "di 16 mrt 2027, 13:00–16:00" in confirm and "Praktijkhal Westpoort" in confirm
    assert "Workshop warmtepomp" in confirm and "Nog is niets opgeslagen" in confirm
    assert _absences(web) == before and _marks(web) == 0  # nothing kept yet
    form = Page(confirm)
    assert form.inputs["confirm"] == "1" and form.inputs["first"] == "2027-03-16"
    confirmed = client.post(PATH, data={k: form.inputs[k] for k in
                                        ("csrf", "first", "last", "category", "confirm")})
    assert confirmed.status_code == 303
    page = client.get(confirmed.headers["location"]).text
    assert "1 sessie(s) zijn gemarkeerd om opnieuw te plannen" in page
    assert (date(2027, 3, 16), date(2027, 3, 16), "sick") in _absences(web)
    assert _marks(web) == 1
    with session_scope(web.engine) as session:
        audit = session.scalars(
            select(e.AuditEvent.entity_key).where(e.AuditEvent.entity == "trainer")
        ).all()
    assert any(key.startswith("t-sanne/absence/") for key in audit)


def test_the_confirmation_speaks_english_on_request(web: Web) -> None:
    client = web.signed_in("trainer")
    client.get("/taal/en")
    data = {"csrf": _token(client), "first": "2027-03-15", "last": "2027-03-17",
            "category": "other"}  # fmt: skip
    asked = client.post(PATH, data=data)
    assert asked.status_code == 409
    assert "This absence hits 1 planned session(s)" in asked.text
    assert "Tue 16 Mar 2027, 13:00–16:00" in asked.text


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"first": "", "last": "2027-05-07", "category": "leave"}, "first", "Vul een datum in."),
        ({"first": "2027-05-07", "last": "3 mei", "category": "leave"}, "last",
         "„3 mei” is geen datum"),
        ({"first": "2027-05-07", "last": "2027-05-03", "category": "leave"}, "last",
         "ligt vóór de eerste datum"),
        ({"first": "2027-05-03", "last": "2027-05-07", "category": "knee"}, "category",
         "Kies een soort"),
        ({"first": "2027-03-24", "last": "2027-03-30", "category": "leave"}, "first",
         "overlappen een afwezigheid"),
    ],
)  # fmt: skip
def test_a_wrong_absence_is_told_next_to_its_field_and_nothing_is_stored(
    web: Web, form: dict[str, str], field: str, words: str
) -> None:
    client = web.signed_in("trainer")
    before = _absences(web)
    response = client.post(PATH, data=form | {"csrf": _token(client)})
    assert response.status_code in (409, 422)
    assert words in _error_of(response.text, field)
    assert Page(response.text).inputs["last"] == form["last"]
    assert _absences(web) == before and _marks(web) == 0


def test_remove_an_absence_and_not_another_trainers(web: Web) -> None:
    with session_scope(web.engine) as session:
        ahmed = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-ahmed")).one()
        ahmed.absences.append(e.TrainerAbsence(first=date(2027, 4, 5), last=date(2027, 4, 6),
                                               category="leave", reason=""))  # fmt: skip
        session.flush()
        foreign = ahmed.absences[0].id
    client = web.signed_in("trainer")
    page = Page(client.get(PATH).text)
    token = page.inputs["csrf"]
    assert client.post(f"{PATH}/{foreign}/verwijderen",
                       data={"csrf": token, "version": "1"}).status_code == 404  # fmt: skip
    assert client.post(f"{PATH}/x/verwijderen", data={"csrf": token}).status_code == 404
    with session_scope(web.engine) as session:
        own = session.scalars(
            select(e.TrainerAbsence).join(e.Trainer).where(e.Trainer.key == "t-sanne")
        ).one()
        own_id, version = own.id, own.version
    forged = client.post(f"{PATH}/{own_id}/verwijderen", data={"csrf": "x", "version": version})
    assert forged.status_code == 403
    stale = client.post(f"{PATH}/{own_id}/verwijderen", data={"csrf": token, "version": "99"})
    assert stale.status_code == 409
    assert "intussen gewijzigd" in Page(stale.text).ids[f"absence-{own_id}-error"]
    assert len(_absences(web)) == 1
    removed = client.post(f"{PATH}/{own_id}/verwijderen",
                          data={"csrf": token, "version": str(version)})  # fmt: skip
    assert removed.status_code == 303
    assert "De afwezigheid is verwijderd." in client.get(removed.headers["location"]).text
    assert _absences(web) == [] and len(_absences(web, "t-ahmed")) == 1


def test_an_absence_without_the_sessions_token_is_refused(web: Web) -> None:
    client = web.signed_in("trainer")
    before = _absences(web)
    data = {"csrf": "forged", "first": "2027-03-16", "last": "2027-03-16", "category": "sick",
            "confirm": "1"}  # fmt: skip
    response = client.post(PATH, data=data)
    assert response.status_code == 403 and "Dit formulier is verlopen" in response.text
    assert _absences(web) == before and _marks(web) == 0
