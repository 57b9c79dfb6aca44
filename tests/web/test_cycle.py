"""The planner's cycle pages (api/web/cycle.py): solve, follow, review, publish.

The mini campus with a second school (the review API tests' data, tests/http/
test_review_publish.py): run 1 puts trainer t-sanne in front of both schools on Tuesday 16
March 2027 and is published; run 2 has the same sessions on Tuesday 30 March (after daylight
saving started), both valid plans. The clock is 15 January 2027. Starting a solve uses a
runner that holds its runs queued (the API tests' HeldRunner: the page's side of the
contract, without worker processes). SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from api.app import create_app
from api.web.cycle import WORDS
from models import entities as e
from models.audit import Actor, record
from models.db import session_scope
from models.publish import publish
from models.store import load_files
from models.trainers import add_absence
from models.words import PHRASES
from tests.conftest import DATA, MINI
from tests.feeds.factory import make_run
from tests.http.conftest import NOW, make_keys
from tests.http.solve_jobs_helpers import HeldRunner, parse_events
from tests.http.test_review_publish import HORIZON, MARCH_16, MARCH_30, NEWER, OLDER
from tests.web.test_web import Page, Web, sign_in

PAGES = (
    "/planner/plannen",
    "/planner/runs/1",
    "/planner/runs/1/wijzigingen",
    "/planner/publicaties",
    "/planner/publicaties/1",
    "/planner/runs/1/events",
)
RESOLVE = 2  # run 2, the 30 March plan, not published


@pytest.fixture
def web(engine: Engine) -> Iterator[Web]:
    """Run 1 published (version 1), run 2 to review; a key per role."""
    with session_scope(engine) as session:
        load_files(session, [MINI, DATA / "other-school.yaml"])
        request = session.scalars(select(e.Request).where(e.Request.key == "r-rs-1")).one()
        request.status = "accepted"
        first = make_run(session, MARCH_16, horizon=HORIZON, created=OLDER)
        make_run(session, MARCH_30, horizon=HORIZON, created=NEWER)
        publish(session, first, now=OLDER)
    made = Web(engine, make_keys(engine), [])
    yield made
    for client in made.app_clients:
        client.__exit__(None, None, None)


def client_of(web: Web, who: str | None, runner: HeldRunner | None = None) -> TestClient:
    """A browser on an app whose runner holds every run queued; signed in as ``who``."""
    app = create_app(engine=web.engine, clock=lambda: NOW, runner=runner or HeldRunner())
    client = TestClient(app, follow_redirects=False)
    client.__enter__()
    web.app_clients.append(client)
    if who is not None:
        assert sign_in(client, web.keys[who]).status_code == 303
    return client


def planner(web: Web, runner: HeldRunner | None = None) -> TestClient:
    return client_of(web, "planner", runner)


def csrf(client: TestClient, path: str = "/planner/plannen") -> str:
    return Page(client.get(path).text).inputs["csrf"]


def runs(web: Web) -> int:
    with session_scope(web.engine) as session:
        return session.scalar(select(func.count()).select_from(e.SolveRun)) or 0


def state(web: Web) -> tuple[Any, ...]:
    """The published plan and the notices: what a refused publish must leave alone."""
    with session_scope(web.engine) as session:
        return (
            session.scalar(select(func.max(e.Publication.version))),
            session.scalar(select(func.count()).select_from(e.Notice)),
            session.scalar(select(func.count()).select_from(e.PublishedSession)),
        )


def test_signed_out_goes_to_sign_in_and_other_roles_get_the_404(web: Web) -> None:
    client = client_of(web, None)
    for path in PAGES:
        assert client.get(path).headers["location"] == "/aanmelden"
    for who in ("school", "company", "trainer"):
        other = client_of(web, who)
        for path in PAGES:
            answer = other.get(path)
            assert answer.status_code == 404, (who, path)
            assert "Niet gevonden" in answer.text
        assert "/planner/plannen" not in Page(other.get("/rooster").text).links
        posted = other.post("/planner/plannen", data={"weeks": "2027-W12", "csrf": "x"})
        assert posted.status_code == 404
    assert runs(web) == 2


def test_the_menu_and_a_missing_run_or_publication(web: Web) -> None:
    client = planner(web)
    links = Page(client.get("/rooster").text).links
    assert "/planner/plannen" in links and "/planner/publicaties" in links
    for path in (
        "/planner/runs/99",
        "/planner/runs/abc",
        "/planner/runs/0/wijzigingen",
        "/planner/runs/99999999999/events",
        "/planner/publicaties/7",
    ):
        assert client.get(path).status_code == 404, path


def test_starting_a_solve_queues_a_run_records_who_and_shows_its_page(web: Web) -> None:
    held = HeldRunner()
    client = planner(web, held)
    form = client.get("/planner/plannen")
    assert form.status_code == 200
    page = Page(form.text)
    assert page.inputs["time_limit"] == "30" and page.inputs["seed"] == "0"
    answer = client.post(
        "/planner/plannen",
        data={
            "mode": "weeks",
            "weeks": "2027-W12",
            "time_limit": "5",
            "seed": "3",
            "csrf": page.inputs["csrf"],
        },
    )
    assert answer.status_code == 303
    run_id = held.submitted[0]
    assert answer.headers["location"] == f"/planner/runs/{run_id}"
    with session_scope(web.engine) as session:
        run = session.get(e.SolveRun, run_id)
        assert run is not None
        assert (run.status, run.first_week, run.last_week) == ("queued", "2027-W12", "2027-W12")
        assert run.parameters["time_limit_seconds"] == 5 and run.parameters["seed"] == 3
        audit = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == "solve_run")
        ).one()
        assert (audit.actor_role, audit.actor_label, audit.entity_key) == (
            "planner",
            "Planbureau",
            str(run_id),
        )
    shown = client.get(f"/planner/runs/{run_id}").text
    assert "In de wachtrij" in shown and 'src="/static/progress.js"' in shown
    assert f'data-events="/planner/runs/{run_id}/events"' in shown
    assert '<noscript><meta http-equiv="refresh"' in shown  # without JS it refreshes itself
    listed = client.get("/planner/plannen").text
    assert f'href="/planner/runs/{run_id}"' in listed and "planner Planbureau" in listed


def test_wrong_weeks_time_limit_and_seed_are_told_next_to_their_field(web: Web) -> None:
    held = HeldRunner()
    client = planner(web, held)
    answer = client.post(
        "/planner/plannen",
        data={
            "mode": "weeks",
            "weeks": "2027-W54",
            "time_limit": "0",
            "seed": "-1",
            "csrf": csrf(client),
        },
    )
    assert answer.status_code == 422
    page = Page(answer.text)
    assert "Dit zijn geen weken" in page.ids["weeks-error"]
    assert "1 tot 3600" in page.ids["time_limit-error"]
    assert "heel getal" in page.ids["seed-error"]
    assert (
        'aria-invalid="true"' in answer.text
        and 'aria-describedby="weeks-help weeks-error"' in answer.text
    )
    assert page.inputs["weeks"] == "2027-W54" and page.inputs["time_limit"] == "0"  # kept
    empty = client.post(
        "/planner/plannen", data={"weeks": "", "time_limit": "5", "csrf": csrf(client)}
    )
    assert "Vul de weken in" in Page(empty.text).ids["weeks-error"]
    backwards = client.post(
        "/planner/plannen",
        data={"weeks": "2027-W14..2027-W11", "time_limit": "5", "csrf": csrf(client)},
    )
    assert backwards.status_code == 422 and "weeks-error" in Page(backwards.text).ids
    too_long = client.post(
        "/planner/plannen", data={"weeks": "2027-W12" * 30, "time_limit": "5", "csrf": csrf(client)}
    )
    assert too_long.status_code == 422 and "weeks-error" in Page(too_long.text).ids
    assert held.submitted == [] and runs(web) == 2


def test_a_busy_horizon_is_told_next_to_the_weeks_with_a_link_to_that_run(web: Web) -> None:
    held = HeldRunner()
    client = planner(web, held)
    token = csrf(client)
    first = client.post(
        "/planner/plannen", data={"weeks": "2027-W11..2027-W13", "time_limit": "5", "csrf": token}
    )
    assert first.status_code == 303
    busy = client.post(
        "/planner/plannen", data={"weeks": "2027-W13", "time_limit": "5", "csrf": token}
    )
    assert busy.status_code == 409
    page = Page(busy.text)
    assert page.ids["weeks-error"].startswith(f"Planrun {held.submitted[0]} plant al")
    assert f"/planner/runs/{held.submitted[0]}" in page.links
    assert held.submitted == [held.submitted[0]] and runs(web) == 3


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(web: Web) -> None:
    held = HeldRunner()
    client = planner(web, held)
    assert (
        client.post(
            "/planner/plannen", data={"weeks": "2027-W12", "time_limit": "5", "csrf": "wrong"}
        ).status_code
        == 403
    )
    resolve = RESOLVE
    before = state(web)
    assert (
        client.post(f"/planner/runs/{resolve}/publiceren", data={"version": "1"}).status_code == 403
    )
    assert state(web) == before and runs(web) == 2 and held.submitted == []


def test_cancelling_a_queued_run_and_an_ended_one(web: Web) -> None:
    held = HeldRunner()
    client = planner(web, held)
    token = csrf(client)
    client.post("/planner/plannen", data={"weeks": "2027-W12", "time_limit": "5", "csrf": token})
    run_id = held.submitted[0]
    assert client.post(f"/planner/runs/{run_id}/annuleren", data={"csrf": "x"}).status_code == 403
    done = client.post(f"/planner/runs/{run_id}/annuleren", data={"csrf": token})
    assert done.status_code == 303 and held.cancelled == [run_id]
    shown = client.get(f"/planner/runs/{run_id}").text
    assert "Geannuleerd" in shown and "gepubliceerde rooster is niet veranderd" in shown
    assert "progress.js" not in shown  # an ended run is not followed
    again = client.post(f"/planner/runs/{run_id}/annuleren", data={"csrf": token})
    assert again.status_code == 409
    assert "al klaar" in Page(again.text).ids["cancel-error"]


def test_the_event_stream_of_an_ended_run_is_its_summary(web: Web) -> None:
    client = planner(web)
    answer = client.get("/planner/runs/1/events")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = parse_events(answer.text)
    assert [name for name, _ in events] == ["summary"]
    assert events[0][1]["id"] == 1 and events[0][1]["status"] == "feasible"


def test_the_run_page_of_a_finished_run_links_to_its_review(web: Web) -> None:
    client = planner(web)
    resolve = RESOLVE
    page = client.get(f"/planner/runs/{resolve}")
    assert page.status_code == 200
    assert "Klaar: een plan gevonden" in page.text
    assert f"/planner/runs/{resolve}/wijzigingen" in Page(page.text).links
    assert "progress.js" not in page.text and "http-equiv" not in page.text


def test_the_review_shows_per_party_changes_left_out_and_staleness(web: Web) -> None:
    client = planner(web)
    resolve = RESOLVE
    answer = client.get(f"/planner/runs/{resolve}/wijzigingen")
    assert answer.status_code == 200
    text = answer.text
    assert "Vergeleken met het gepubliceerde rooster (versie 1)" in text
    # both sessions move from Tuesday 16 to Tuesday 30 March, at the same wall times
    assert 'data-party="trainer:t-sanne"' in text and 'data-party="school:vmbo-zuidoost"' in text
    assert (
        "van di 16 mrt 2027, 13:00–16:00, " in text and "naar di 30 mrt 2027, 13:00–16:00" in text
    )
    assert 'data-count="moved"><strong>2</strong>' in text
    assert 'data-count="new"><strong>0</strong>' in text
    # the requests left out, with why in the reader's language
    assert 'data-request="r-ws-1"' in text
    assert "2 trainers bevoegd voor W-heatpump nodig, alleen t-sanne" in text
    assert "Met de gegevens van vandaag breekt het plan geen enkele harde regel." in text
    page = Page(text)
    assert page.inputs["version"] == "1" and page.inputs["csrf"]
    english = client.get("/taal/en?terug=/rooster")
    assert english.status_code == 303
    in_english = client.get(f"/planner/runs/{resolve}/wijzigingen").text
    assert "Compared with the published plan (version 1)" in in_english
    assert "from Tue 16 Mar 2027, 13:00–16:00, " in in_english
    assert "2 trainers bevoegd" not in in_english and "t-sanne" in in_english


def test_publishing_tells_who_was_told_what_and_lists_the_history(web: Web) -> None:
    client = planner(web)
    resolve = RESOLVE
    review = Page(client.get(f"/planner/runs/{resolve}/wijzigingen").text)
    answer = client.post(
        f"/planner/runs/{resolve}/publiceren",
        data={"csrf": review.inputs["csrf"], "version": review.inputs["version"]},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/planner/publicaties/2"
    told = client.get("/planner/publicaties/2").text
    assert "Publicatie 2" in told and "door planner Planbureau." in told
    assert 'data-party="trainer:t-sanne"' in told and 'data-party="school:vmbo-zuidoost"' in told
    with session_scope(web.engine) as session:
        notices = session.scalars(select(e.Notice).where(e.Notice.kind == "plan_changes")).all()
        assert notices and all(n.subject in told for n in notices)
        audit = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == "publication")
        ).one()
        assert (audit.entity_key, audit.actor_label) == ("2", "Planbureau")
    history = client.get("/planner/publicaties").text
    assert 'data-version="2"' in history and 'data-version="1"' in history
    assert 'action="/planner/runs/1/publiceren"' in history  # the older run: roll back
    assert 'action="/planner/runs/2/publiceren"' not in history  # in force: nothing to do
    # rolling back: publish run 1 again from the history
    back = client.post(
        "/planner/runs/1/publiceren", data={"csrf": review.inputs["csrf"], "version": "2"}
    )
    assert back.status_code == 303 and back.headers["location"] == "/planner/publicaties/3"
    with session_scope(web.engine) as session:
        current = session.scalar(select(e.Publication).order_by(e.Publication.version.desc()))
        assert current is not None and (current.version, current.run_id) == (3, 1)


def test_a_publication_that_came_first_is_told_in_words_and_nothing_is_written(web: Web) -> None:
    client = planner(web)
    resolve = RESOLVE
    token = csrf(client)
    before = state(web)
    stale = client.post(f"/planner/runs/{resolve}/publiceren", data={"csrf": token, "version": "0"})
    assert stale.status_code == 409
    assert "intussen veranderd" in stale.text and "Versie 1 (planrun 1)" in stale.text
    assert Page(stale.text).inputs["version"] == "1"  # the form now carries the plan in force
    assert state(web) == before


def test_broken_rules_refuse_then_an_override_needs_a_reason(web: Web) -> None:
    client = planner(web)
    resolve = RESOLVE
    with session_scope(web.engine) as session:
        sanne = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one()
        add_absence(sanne, date(2027, 3, 30), date(2027, 3, 30), "sick")
        record(
            session,
            Actor(role="planner", label="Roos"),
            entity="trainer_absence",
            key="t-sanne/absence/1",
            action="create",
            changes={"first": [None, "2027-03-30"]},
            now=NOW,
        )
    review = client.get(f"/planner/runs/{resolve}/wijzigingen").text
    assert "Sindsdien zijn er 1 gegevens gewijzigd" in review and "planner Roos" in review
    assert "breekt het plan 2 harde regel(s)" in review
    token = csrf(client)
    before = state(web)
    refused = client.post(
        f"/planner/runs/{resolve}/publiceren", data={"csrf": token, "version": "1"}
    )
    assert refused.status_code == 409
    assert "Niet gepubliceerd: harde regels gebroken" in refused.text
    assert "di 30 mrt 2027, 13:00–16:00" in refused.text
    page = Page(refused.text)
    assert page.inputs["override"] == "1" and "reason" in refused.text
    no_reason = client.post(
        f"/planner/runs/{resolve}/publiceren",
        data={"csrf": token, "version": "1", "override": "1", "reason": " "},
    )
    assert no_reason.status_code == 422
    assert Page(no_reason.text).ids["reason-error"] == "Geef een reden om toch te publiceren."
    assert 'aria-describedby="reason-help reason-error"' in no_reason.text
    long_reason = {"csrf": token, "version": "1", "override": "1", "reason": "x" * 501}
    too_long = client.post(f"/planner/runs/{resolve}/publiceren", data=long_reason)
    assert too_long.status_code == 422
    assert "hooguit 500 tekens" in Page(too_long.text).ids["reason-error"]
    assert state(web) == before
    done = client.post(
        f"/planner/runs/{resolve}/publiceren",
        data={"csrf": token, "version": "1", "override": "1", "reason": "Sanne komt toch"},
    )
    assert done.status_code == 303
    assert "Toch gepubliceerd, reden: Sanne komt toch" in client.get("/planner/publicaties/2").text


@pytest.mark.parametrize("path", ["/planner/plannen", "/planner/publicaties"])
def test_the_pages_in_english(web: Web, path: str) -> None:
    client = planner(web)
    client.get(f"/taal/en?terug={path}")
    page = client.get(path)
    assert page.status_code == 200 and Page(page.text).lang == "en"
    assert ("Start solving" in page.text) or ("Publication 1" in page.text)


def test_every_word_the_pages_pick_by_value_exists_in_both_languages() -> None:
    """The templates' t(words.status[run.status]) and the like: every value has its words."""
    assert set(WORDS["status"]) == set(e.RUN_STATUSES)
    assert set(WORDS["email"]) == set(e.EMAIL_STATUSES)
    for keys in WORDS.values():
        for key in keys.values():
            assert PHRASES[key]["nl"].strip() and PHRASES[key]["en"].strip(), key


def test_a_rolling_solve_plans_from_the_coming_week(web: Web) -> None:
    held = HeldRunner()
    client = planner(web, held)
    answer = client.post(
        "/planner/plannen", data={"mode": "rolling", "time_limit": "5", "csrf": csrf(client)}
    )
    assert answer.status_code == 303
    with session_scope(web.engine) as session:
        run = session.get(e.SolveRun, held.submitted[0])
        assert run is not None and run.first_week == "2027-W03"  # Friday 15 January 2027


def test_a_run_without_a_plan_has_no_review(web: Web) -> None:
    held = HeldRunner()
    client = planner(web, held)
    token = csrf(client)
    client.post("/planner/plannen", data={"weeks": "2027-W12", "time_limit": "5", "csrf": token})
    run_id = held.submitted[0]
    review = client.get(f"/planner/runs/{run_id}/wijzigingen")
    assert review.status_code == 303 and review.headers["location"] == f"/planner/runs/{run_id}"
    before = state(web)
    refused = client.post(
        f"/planner/runs/{run_id}/publiceren", data={"csrf": token, "version": "1"}
    )
    assert refused.status_code == 409
    assert "geen plan om te publiceren" in Page(refused.text).ids["publish-error"]
    assert state(web) == before


def _travel_line(html: str) -> str:
    """The run page's travel figure (label and words), its whitespace collapsed."""
    start = html.index('<dd data-field="travel"')
    dd = html[start : html.index("</dd>", start)]
    return " ".join(dd[dd.index(">") + 1 :].split())


def test_the_run_page_shows_the_travel_of_the_best_plan_so_far(web: Web) -> None:
    held = HeldRunner()
    client = planner(web, held)
    posted = client.post(
        "/planner/plannen",
        data={"mode": "weeks", "weeks": "2027-W12", "time_limit": "30", "csrf": csrf(client)},
    )
    run_id = held.submitted[0]
    assert posted.headers["location"] == f"/planner/runs/{run_id}"
    queued = client.get(f"/planner/runs/{run_id}").text
    assert "Reistijd" in queued and _travel_line(queued) == "nog niet bekend"
    with session_scope(web.engine) as session:  # the solving process reported a plan
        run = session.get_one(e.SolveRun, run_id)
        run.status, run.snapshot_at, run.progress_at, run.heartbeat_at = "running", NOW, NOW, NOW
        run.progress_objective, run.progress_placed, run.requests_total = 9000.0, 1, 3
        run.progress_group_travel, run.progress_trainer_travel = 1254, 1604
    shown = client.get(f"/planner/runs/{run_id}").text
    assert _travel_line(shown) == "groepen 1.254 min, trainers 1.604 min"
    # progress.js fills the same words from the events, grouping digits as the page does
    assert 'data-words="groepen {groups} min, trainers {trainers} min"' in shown
    assert 'data-none="nog niet bekend" data-thousands="."' in shown
    client.get("/taal/en?terug=/rooster")
    english = client.get(f"/planner/runs/{run_id}").text
    assert "Travel" in english
    assert _travel_line(english) == "groups 1,254 min, trainers 1,604 min"
    assert 'data-none="not known yet" data-thousands=","' in english
