"""The session page, the change requests and the requests to decide (api/web/sessions.py).

The feed tests' published campus (tests/feeds/factory.py, plan 1) with the mini campus's data
made valid for a move (tests/http/test_pins.py): r-ws-1 on Tuesday 16 March 2027 at the
Praktijkhal with Sanne (school vmbo-zuidoost, company warmte-west), r-combi on Tuesday 30
March with a group of each school. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from api.web.sessions import WORDS, reason_words
from models import entities as e
from models.db import session_scope
from models.publish import publish
from models.words import PHRASES
from scheduler.reasons import Code
from tests.feeds.factory import PLAN_2, T2, make_run, uid
from tests.http.test_pins import make_plan_valid
from tests.web.test_web import Page, Web, web  # noqa: F401  (the fixture)

WS = uid("r-ws-1", 1)
COMBI = uid("r-combi", 1)


@pytest.fixture
def valid(web: Web) -> Web:  # noqa: F811
    with session_scope(web.engine) as session:
        make_plan_valid(session)
    return web


def _count(made: Web, entity: type) -> int:
    with session_scope(made.engine) as session:
        return session.scalar(select(func.count()).select_from(entity)) or 0


def test_the_grid_links_each_session_to_its_page_for_the_signed_in_reader(valid: Web) -> None:
    client = valid.signed_in("planner")
    grid = Page(client.get("/rooster/locatie/ww-hal?week=2027-W11").text)
    assert f"/sessie/{WS}" in grid.links
    campus = Page(client.get("/rooster/campus?week=2027-W11").text)
    assert f"/sessie/{WS}" in campus.links
    page = client.get(f"/sessie/{WS}")
    assert page.status_code == 200
    found = Page(page.text)
    assert found.ids["when"] == "di 16 mrt 2027, 13:00–16:00"
    assert "Sanne de Wit" in page.text and "Praktijkhal Westpoort" in page.text
    assert found.ids["status"] == "Gaat door" and found.ids["pinned"] == "nee"
    assert "W-installaties" in page.text  # the techniek team


def test_sign_in_is_needed_and_scope_is_the_change_requests_scope(valid: Web) -> None:
    anonymous = valid.client()
    assert anonymous.get(f"/sessie/{WS}").headers["location"] == "/aanmelden"
    # a school sees only its own groups of a session that is its own
    school = valid.signed_in("school")
    own = school.get(f"/sessie/{WS}")
    assert own.status_code == 200 and Page(own.text).ids["groups"] == "3 BB-a"
    other = valid.signed_in("other-school")
    missing = other.get("/sessie/r-nope-s1@tic-planner.campus")
    foreign = other.get(f"/sessie/{WS}")
    assert foreign.status_code == missing.status_code == 404
    assert Page(foreign.text).ids == Page(missing.text).ids  # the same words: nothing learnt
    assert "Deze sessie is niet gevonden" in foreign.text
    # the company of the location, and the trainer of the session
    assert valid.signed_in("company").get(f"/sessie/{WS}").status_code == 200
    assert valid.signed_in("trainer").get(f"/sessie/{WS}").status_code == 200
    assert valid.signed_in("company").get(f"/sessie/{uid('r-sc-1', 1)}").status_code == 404


def test_only_a_planner_pins_and_moves_and_only_with_the_form_token(valid: Web) -> None:
    school = valid.signed_in("school")
    token = Page(school.get(f"/sessie/{WS}").text).inputs["csrf"]
    assert "/vastzetten" not in school.get(f"/sessie/{WS}").text  # no such form for a school
    refused = school.post(f"/sessie/{WS}/vastzetten", data={"csrf": token, "pin": "1"})
    assert refused.status_code == 404
    planner = valid.signed_in("planner")
    expired = planner.post(f"/sessie/{WS}/vastzetten", data={"csrf": "wrong", "pin": "1"})
    assert expired.status_code == 403
    assert _count(valid, e.Pin) == 0


def test_a_planner_pins_and_unpins_a_session(valid: Web) -> None:
    planner = valid.signed_in("planner")
    token = Page(planner.get(f"/sessie/{WS}").text).inputs["csrf"]
    pinned = planner.post(f"/sessie/{WS}/vastzetten", data={"csrf": token, "pin": "1"})
    assert pinned.status_code == 303
    page = Page(planner.get(pinned.headers["location"]).text)
    assert page.ids["pinned"].startswith("ja") and page.ids["done"].startswith("De sessie is vast")
    assert _count(valid, e.Pin) == 1
    unpinned = planner.post(f"/sessie/{WS}/vastzetten", data={"csrf": token, "pin": "0"})
    assert Page(planner.get(unpinned.headers["location"]).text).ids["pinned"] == "nee"
    assert _count(valid, e.Pin) == 0


def test_a_refused_move_shows_each_reason_next_to_the_form_and_stores_nothing(
    valid: Web,
) -> None:
    planner = valid.signed_in("planner")
    token = Page(planner.get(f"/sessie/{WS}").text).inputs["csrf"]
    runs = _count(valid, e.SolveRun)
    form = {"csrf": token, "day": "2027-03-30", "time": "13:00", "location": "ww-hal",
            "trainers": ["t-sanne"]}  # fmt: skip
    answer = planner.post(f"/sessie/{WS}/verplaatsen", data=form)
    assert answer.status_code == 422
    page = Page(answer.text)
    assert "move-refused" in page.ids
    assert "trainers: trainer t-sanne is dan al ingepland (r-combi#1 op di 30 mrt 2027 13:00 in " \
        "Praktijkhal Westpoort)" in answer.text  # fmt: skip
    assert page.inputs["day"] == "2027-03-30"  # what was typed stays
    assert _count(valid, e.SolveRun) == runs and _count(valid, e.Pin) == 0
    planner.get("/taal/en")
    english = planner.post(f"/sessie/{WS}/verplaatsen", data=form)
    assert "trainer t-sanne is already booked then" in english.text and "Not moved" in english.text


def test_wrong_fields_of_a_move_are_told_next_to_them(valid: Web) -> None:
    planner = valid.signed_in("planner")
    token = Page(planner.get(f"/sessie/{WS}").text).inputs["csrf"]
    answer = planner.post(
        f"/sessie/{WS}/verplaatsen",
        data={"csrf": token, "day": "16-03-2027", "time": "9 uur", "location": "ww-hal"},
    )
    assert answer.status_code == 422
    page = Page(answer.text)
    assert page.ids["move-day-error"].startswith("Kies een dag")
    assert page.ids["move-time-error"].startswith("Geef een begintijd")
    assert page.ids["move-trainers-error"] == "Kies minstens één trainer."
    assert 'id="move-day" name="day" type="date" value="16-03-2027"' in answer.text
    assert 'aria-describedby=" move-day-error" aria-invalid="true"' in answer.text
    same = planner.post(
        f"/sessie/{WS}/verplaatsen",
        data={"csrf": token, "day": "2027-03-16", "time": "13:00", "location": "ww-hal",
              "trainers": "t-sanne"},
    )  # fmt: skip
    assert same.status_code == 422 and "move-problem" in Page(same.text).ids
    assert _count(valid, e.SolveRun) == 1


def test_an_accepted_move_makes_a_run_to_review_and_pins_the_session(valid: Web) -> None:
    planner = valid.signed_in("planner")
    token = Page(planner.get(f"/sessie/{WS}").text).inputs["csrf"]
    answer = planner.post(
        f"/sessie/{WS}/verplaatsen",
        data={"csrf": token, "day": "2027-03-18", "time": "13:00", "location": "ww-hal",
              "trainers": "t-sanne"},
    )  # fmt: skip
    assert answer.status_code == 303
    with session_scope(valid.engine) as session:
        run = session.scalars(select(e.SolveRun).order_by(e.SolveRun.id.desc())).first()
        assert run is not None and run.parameters["kind"] == "manual_move"
        assert run.parameters["to"]["start"] == "2027-03-18T13:00"
        ps = session.scalars(select(e.PublishedSession).where(e.PublishedSession.uid == WS)).one()
        assert ps.start.day == 16  # nothing is published by a move
    page = Page(planner.get(answer.headers["location"]).text)
    assert f"/planner/runs/{run.id}/wijzigingen" in page.links
    assert page.ids["pinned"].startswith("ja")


def test_a_school_asks_to_move_its_session_and_sees_it_open(valid: Web) -> None:
    school = valid.signed_in("school")
    token = Page(school.get(f"/sessie/{WS}").text).inputs["csrf"]
    empty = school.post(
        f"/sessie/{WS}/verzoek",
        data={"csrf": token, "kind": "move", "reason": "  ", "wish": "donderdag"},
    )
    assert empty.status_code == 422
    page = Page(empty.text)
    assert page.ids["ask-reason-error"].startswith("Zeg waarom")
    assert "donderdag" in page.ids["ask-wish"] and _count(valid, e.ChangeRequest) == 0
    wish = school.post(
        f"/sessie/{WS}/verzoek",
        data={"csrf": token, "kind": "cancel", "reason": "toets", "wish": "later"},
    )
    assert wish.status_code == 422 and "ask-wish-error" in Page(wish.text).ids
    asked = school.post(
        f"/sessie/{WS}/verzoek",
        data={"csrf": token, "kind": "move", "reason": "Toetsweek", "wish": "liever donderdag"},
    )
    assert asked.status_code == 303
    text = school.get(asked.headers["location"]).text
    assert "Toetsweek" in text and "liever donderdag" in text
    assert "wacht op een besluit van de planner" in text
    assert 'data-status="open"' in text
    with session_scope(valid.engine) as session:
        row = session.scalars(select(e.ChangeRequest)).one()
        assert (row.asked_role, row.asked_partner, row.kind) == ("school", "vmbo-zuidoost", "move")
    # another school neither sees it nor may ask about the session
    other = valid.signed_in("other-school")
    other_token = Page(other.get("/rooster").text).inputs["csrf"]
    foreign = other.post(
        f"/sessie/{WS}/verzoek", data={"csrf": other_token, "kind": "cancel", "reason": "x"}
    )
    assert foreign.status_code == 404 and _count(valid, e.ChangeRequest) == 1


def test_a_planner_may_not_use_the_ask_form_nor_a_school_the_decisions(valid: Web) -> None:
    planner = valid.signed_in("planner")
    token = Page(planner.get(f"/sessie/{WS}").text).inputs["csrf"]
    assert (
        planner.post(
            f"/sessie/{WS}/verzoek", data={"csrf": token, "kind": "cancel", "reason": "x"}
        ).status_code
        == 404
    )
    school = valid.signed_in("school")
    assert school.get("/planner/verzoeken").status_code == 404
    assert school.get("/planner/aanvragen").status_code == 404


def _ask(made: Web, who: str = "school", kind: str = "move") -> int:
    client = made.signed_in(who)
    token = Page(client.get(f"/sessie/{WS}").text).inputs["csrf"]
    client.post(f"/sessie/{WS}/verzoek", data={"csrf": token, "kind": kind, "reason": "Toets"})
    with session_scope(made.engine) as session:
        return session.scalars(select(e.ChangeRequest.id).order_by(e.ChangeRequest.id)).all()[-1]


def test_the_planner_refuses_a_change_request_with_a_reason(valid: Web) -> None:
    ident = _ask(valid)
    planner = valid.signed_in("planner")
    page = Page(planner.get("/planner/verzoeken").text)
    assert f"/sessie/{WS}" in page.links and page.inputs["version"] == "1"
    token = page.inputs["csrf"]
    no_reason = planner.post(
        f"/planner/verzoeken/{ident}",
        data={"csrf": token, "decision": "refuse", "reason": "", "version": "1"},
    )
    assert no_reason.status_code == 422
    assert Page(no_reason.text).ids[f"cr-{ident}-reason-error"].startswith("Zeg waarom")
    stale = planner.post(
        f"/planner/verzoeken/{ident}",
        data={"csrf": token, "decision": "refuse", "reason": "Vol", "version": "7"},
    )
    assert stale.status_code == 409 and "intussen" in stale.text
    done = planner.post(
        f"/planner/verzoeken/{ident}",
        data={"csrf": token, "decision": "refuse", "reason": "De hal is vol", "version": "1"},
    )
    assert done.status_code == 303
    assert "Er zijn geen open verzoeken." in planner.get(done.headers["location"]).text
    school_view = valid.signed_in("school").get(f"/sessie/{WS}").text
    assert "is afgewezen: De hal is vol" in school_view and 'data-status="refused"' in school_view


def test_the_planner_moves_by_a_change_request_and_a_refusal_keeps_it_open(valid: Web) -> None:
    ident = _ask(valid, "company")
    planner = valid.signed_in("planner")
    token = Page(planner.get("/planner/verzoeken").text).inputs["csrf"]
    clash = planner.post(f"/planner/verzoeken/{ident}", data={
        "csrf": token, "decision": "move", "day": "2027-03-30", "time": "13:00",
        "location": "ww-hal", "trainers": "t-sanne", "version": "1"})  # fmt: skip
    assert clash.status_code == 422 and f"cr-{ident}-refused" in Page(clash.text).ids
    nobody = planner.post(f"/planner/verzoeken/{ident}", data={
        "csrf": token, "decision": "move", "day": "2027-03-18", "time": "13:00",
        "location": "ww-hal", "version": "1"})  # fmt: skip
    assert Page(nobody.text).ids[f"cr-{ident}-trainers-error"] == "Kies minstens één trainer."
    moved = planner.post(f"/planner/verzoeken/{ident}", data={
        "csrf": token, "decision": "move", "day": "2027-03-18", "time": "13:00",
        "location": "ww-hal", "trainers": "t-sanne", "version": "1"})  # fmt: skip
    assert moved.status_code == 303 and "run=" in moved.headers["location"]
    with session_scope(valid.engine) as session:
        row = session.get_one(e.ChangeRequest, ident)
        assert row.status == "moved" and row.run_id is not None
        assert session.scalars(select(e.Notice)).first() is not None  # the company is told


@pytest.fixture
def with_requests(valid: Web) -> Web:
    """A submitted request to decide, and a newer run that left r-gl-1 out (plan 2)."""
    with session_scope(valid.engine) as session:
        ws = session.scalars(select(e.ActivityType).where(e.ActivityType.code == "WS-WARMTEPOMP"))
        group = session.scalars(select(e.Group).where(e.Group.key == "vz-3kb-b")).one()
        session.add(e.Request(
            key="r-new-1", activity_type=ws.one(), earliest=date(2027, 4, 5),
            latest=date(2027, 4, 16), status="submitted", note="Graag op maandag",
            groups=[e.RequestGroup(group=group, position=0)],
        ))  # fmt: skip
        publish(session, make_run(session, PLAN_2, created=T2), now=T2)
    return valid


def test_the_planner_declines_a_request_with_a_reason_next_to_the_field(
    with_requests: Web,
) -> None:
    planner = with_requests.signed_in("planner")
    page = planner.get("/planner/aanvragen")
    assert page.status_code == 200 and "Graag op maandag" in page.text
    token = Page(page.text).inputs["csrf"]
    empty = planner.post(
        "/planner/aanvragen/r-new-1/afwijzen", data={"csrf": token, "reason": " ", "version": "1"}
    )
    assert empty.status_code == 422
    assert Page(empty.text).ids["rq-r-new-1-reason-error"].startswith("Zeg waarom")
    assert 'aria-invalid="true"' in empty.text
    forged = planner.post(
        "/planner/aanvragen/r-new-1/afwijzen", data={"csrf": "x", "reason": "Vol", "version": "1"}
    )
    assert forged.status_code == 403
    declined = planner.post(
        "/planner/aanvragen/r-new-1/afwijzen",
        data={"csrf": token, "reason": "Geen trainer vrij", "version": "1"},
    )
    assert declined.status_code == 303
    after = planner.get(declined.headers["location"]).text
    assert "De aanvraag is afgewezen" in after and "Graag op maandag" not in after
    with session_scope(with_requests.engine) as session:
        row = session.scalars(select(e.Request).where(e.Request.key == "r-new-1")).one()
        assert (row.status, row.decline_reason) == ("declined", "Geen trainer vrij")
    again = planner.post(
        "/planner/aanvragen/r-new-1/accepteren", data={"csrf": token, "version": "2"}
    )
    assert again.status_code == 409 and "intussen" in again.text


def test_the_planner_accepts_a_request(with_requests: Web) -> None:
    planner = with_requests.signed_in("planner")
    token = Page(planner.get("/planner/aanvragen").text).inputs["csrf"]
    accepted = planner.post(
        "/planner/aanvragen/r-new-1/accepteren", data={"csrf": token, "version": "1"}
    )
    assert accepted.status_code == 303
    with session_scope(with_requests.engine) as session:
        row = session.scalars(select(e.Request).where(e.Request.key == "r-new-1")).one()
        assert row.status == "accepted"


def test_unscheduled_requests_are_grouped_by_reason_with_links_to_what_blocks_them(
    with_requests: Web,
) -> None:
    planner = with_requests.signed_in("planner")
    answer = planner.get("/planner/aanvragen")
    page = Page(answer.text)
    assert 'data-request="r-gl-1"' in answer.text  # plan 2 left the guest lesson out
    reason_ids = [i for i in page.ids if i.startswith("reason-")]
    assert reason_ids and all(page.ids[i] for i in reason_ids)  # a heading in words each
    assert "/rooster/groep/vz-3bb-a?week=2027-W11" in page.links  # r-gl-1's groups
    assert "/rooster/campus?week=2027-W11" in page.links  # its window (from 15 March)
    assert "/rooster/trainer/t-sanne?week=2027-W11" in page.links  # the trainer its reason names
    assert "ma 15 mrt 2027 t/m wo 31 mrt 2027" in answer.text
    planner.get("/taal/en")
    english = planner.get("/planner/aanvragen").text
    assert "Not scheduled" in english and "Mon 15 Mar 2027 to Wed 31 Mar 2027" in english


def test_every_reason_code_and_shown_value_has_words_in_both_languages() -> None:
    keys = [reason_words(str(code)) for code in Code] + [reason_words("unknown")]
    keys += [key for values in WORDS.values() for key in values.values()]
    for key in keys:
        assert PHRASES[key]["nl"].strip() and PHRASES[key]["en"].strip(), key


def test_the_session_page_in_english_and_a_trainer_asks_about_their_own(valid: Web) -> None:
    trainer = valid.signed_in("trainer")
    trainer.get("/taal/en")
    page = trainer.get(f"/sessie/{WS}")
    found = Page(page.text)
    assert found.lang == "en" and found.ids["when"] == "Tue 16 Mar 2027, 13:00–16:00"
    assert found.ids["status"] == "Going ahead" and "Ask to cancel or move" in page.text
    long = trainer.post(f"/sessie/{WS}/verzoek", data={
        "csrf": found.inputs["csrf"], "kind": "cancel", "reason": "x" * 1001})  # fmt: skip
    assert long.status_code == 422
    assert Page(long.text).ids["ask-reason-error"].startswith("Say why, in at most 1000")
    asked = trainer.post(f"/sessie/{WS}/verzoek", data={
        "csrf": found.inputs["csrf"], "kind": "cancel", "reason": "Ziek"})  # fmt: skip
    assert asked.status_code == 303
    text = trainer.get(asked.headers["location"]).text
    assert "Your request has been sent" in text and 'data-status="open"' in text
    # a company sees the session but not the trainer's request about it
    company = valid.signed_in("company").get(f"/sessie/{WS}").text
    assert "Ziek" not in company and "Er zijn geen verzoeken over deze sessie." in company


def test_a_decision_on_a_change_request_that_does_not_exist_is_the_page_404(valid: Web) -> None:
    planner = valid.signed_in("planner")
    token = Page(planner.get("/planner/verzoeken").text).inputs["csrf"]
    for ident in ("999", "abc", "99999999999"):
        answer = planner.post(f"/planner/verzoeken/{ident}", data={
            "csrf": token, "decision": "refuse", "reason": "x", "version": "1"})  # fmt: skip
        assert answer.status_code == 404 and "<html" in answer.text
    too_many = planner.post(f"/sessie/{WS}/verplaatsen", data={
        "csrf": token, "day": "2027-03-18", "time": "13:00", "location": "ww-hal",
        "trainers": [f"t-{n}" for n in range(11)]})  # fmt: skip
    assert Page(too_many.text).ids["move-trainers-error"] == "Kies hoogstens tien trainers."
    unknown = planner.post(f"/sessie/{WS}/verplaatsen", data={
        "csrf": token, "day": "2027-03-18", "time": "13:00", "location": "nergens",
        "trainers": ["t-sanne"]})  # fmt: skip
    assert Page(unknown.text).ids["move-location-error"].startswith("Deze locatie bestaat niet")


def test_a_cancelled_session_cannot_be_pinned_moved_or_asked_about(with_requests: Web) -> None:
    cancelled = uid("r-gl-1", 1)  # plan 2 left it out: cancelled for subscribers
    planner = with_requests.signed_in("planner")
    page = planner.get(f"/sessie/{cancelled}")
    found = Page(page.text)
    assert found.ids["status"] == "Geannuleerd" and "/verplaatsen" not in page.text
    pinned = planner.post(f"/sessie/{cancelled}/vastzetten",
                          data={"csrf": found.inputs["csrf"], "pin": "1"})  # fmt: skip
    assert pinned.status_code == 409
    assert Page(pinned.text).ids["pin-problem"].startswith("Deze sessie kan niet")
    # the language switch of a refused post returns to the session's page, not the post
    assert f'/taal/en?terug=/sessie/{cancelled.replace("@", "%40")}"' in pinned.text
    assert _count(with_requests, e.Pin) == 0
    school = with_requests.signed_in("school").get(f"/sessie/{cancelled}").text
    assert "Voor deze sessie kan geen verzoek meer worden gedaan" in school
