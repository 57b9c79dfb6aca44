"""Review a run and publish it through the API: diff, staleness, publish checks, history.

The mini campus plus the second school (tests/data/other-school.yaml, its request accepted
here) and two runs written by hand with valid plans (checked by the validator):
run 1 ("March 16") puts trainer t-sanne in front of both schools on Tuesday 16 March 2027;
run 2 ("March 30") has the same sessions on Tuesday 30 March, after daylight saving started
(Sunday 28 March), at the same wall times. Run 1's snapshot is older than run 2's.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

import api.routes.v1.publishing as publishing_routes
from models import entities as e
from models.bridge import Horizon
from models.db import session_scope
from models.publish import current_publication
from models.store import load_files
from tests.conftest import DATA
from tests.feeds.factory import Planned, make_run
from tests.http.auth_helpers import assert_problem as problem_of
from tests.http.conftest import NOW, Api

HORIZON = Horizon("2027-W11", "2027-W14")
MARCH_16 = (
    Planned("r-gl-1", 1, "vz-school", datetime(2027, 3, 16, 8, 30), datetime(2027, 3, 16, 10),
            ("t-sanne",)),
    Planned("r-rs-1", 1, "ww-hal", datetime(2027, 3, 16, 13), datetime(2027, 3, 16, 16),
            ("t-sanne",)),
)  # fmt: skip
MARCH_30 = (
    Planned("r-gl-1", 1, "vz-school", datetime(2027, 3, 30, 8, 30), datetime(2027, 3, 30, 10),
            ("t-sanne",)),
    Planned("r-rs-1", 1, "ww-hal", datetime(2027, 3, 30, 13), datetime(2027, 3, 30, 16),
            ("t-sanne",)),
)  # fmt: skip
OLDER = datetime(2027, 1, 5, 9, tzinfo=UTC)
NEWER = datetime(2027, 1, 10, 9, tzinfo=UTC)


def add_runs(api: Api) -> None:
    """Run 1 (16 March, older snapshot) and run 2 (30 March); nothing published."""
    with session_scope(api.engine) as session:
        load_files(session, [DATA / "other-school.yaml"])
        request = session.scalars(select(e.Request).where(e.Request.key == "r-rs-1")).one()
        request.status = "accepted"
        make_run(session, MARCH_16, horizon=HORIZON, created=OLDER)
        make_run(session, MARCH_30, horizon=HORIZON, created=NEWER)


@pytest.fixture
def runs(api: Api) -> Api:
    add_runs(api)
    return api


def _get(api: Api, path: str) -> Any:
    response = api.client.get(path, headers=api.headers("planner"))
    assert response.status_code == 200, response.text
    return response.json()


def publish(api: Api, run: int, etag: str | None, body: dict[str, Any] | None = None) -> Any:
    headers = api.headers("planner") | ({"If-Match": etag} if etag is not None else {})
    return api.client.post(f"/api/v1/solves/{run}/publish", headers=headers, json=body or {})


def _party(body: dict[str, Any], kind: str, key: str) -> dict[str, Any]:
    return next(p for p in body["parties"] if (p["kind"], p["key"]) == (kind, key))


def test_first_diff_is_all_new_then_publishing_says_what_changed(runs: Api) -> None:
    api = runs
    response = api.client.get("/api/v1/solves/1/diff", headers=api.headers("planner"))
    assert response.status_code == 200 and response.headers["ETag"] == '"0"'
    diff = response.json()
    assert (diff["run"], diff["against"], diff["lang"]) == (1, None, "nl")
    assert diff["counts"] == {"new": 2, "moved": 0, "cancelled": 0, "unchanged": 0}
    school = _party(diff, "school", "vmbo-zuidoost")
    assert [(c["request"], c["new"]["date"], c["new"]["start"]) for c in school["new"]] == [
        ("r-gl-1", "2027-03-16", "08:30")
    ]
    trainer = _party(diff, "trainer", "t-sanne")
    assert (trainer["name"], len(trainer["new"]), trainer["unchanged"]) == ("Sanne de Wit", 2, 0)
    assert {p["key"] for p in diff["parties"] if p["kind"] == "company"} == {
        "warmte-west", "vmbo-zuidoost"
    }  # fmt: skip
    # the requests left out, each with why: Dutch by default, English on request
    left = {x["request"]: x for x in diff["left_out"]}
    assert set(left) == {"r-sc-1", "r-ws-1"}
    assert left["r-ws-1"]["reasons"] == ["2 trainers bevoegd voor W-heatpump nodig, alleen t-sanne"]
    english = _get(api, "/api/v1/solves/1/diff?lang=en")
    reasons = {x["request"]: x["reasons"] for x in english["left_out"]}
    assert "t-sanne" in reasons["r-ws-1"][0] and reasons["r-ws-1"] != left["r-ws-1"]["reasons"]
    assert diff["staleness"]["violations"] == [] and diff["staleness"]["changes"] == []

    response = publish(api, 1, '"0"')
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["ETag"] == '"1"'
    assert body["publication"]["version"] == 1 and body["publication"]["run"] == 1
    assert body["publication"]["by"] == "planner Planbureau"
    assert body["counts"] == {"new": 2, "unchanged": 0}
    assert [p["key"] for p in body["parties"] if p["kind"] == "school"] == [
        "roc-sloterdijk", "vmbo-zuidoost"
    ]  # fmt: skip
    assert (body["overridden"], body["warnings"], body["already_current"]) == ([], [], False)
    # the same run again: nothing changes, nothing is written
    again = publish(api, 1, '"1"')
    assert again.status_code == 200 and again.json()["already_current"] is True
    assert _get(api, "/api/v1/publications")["total"] == 1


def test_a_move_across_daylight_saving_shows_from_and_to_per_party(runs: Api) -> None:
    api = runs
    assert publish(api, 2, '"0"').status_code == 200
    diff = _get(api, "/api/v1/solves/1/diff")
    assert diff["against"] == 1
    assert diff["counts"] == {"new": 0, "moved": 2, "cancelled": 0, "unchanged": 0}
    moved = _party(diff, "school", "roc-sloterdijk")["moved"]
    assert [(c["kind"], c["what"]) for c in moved] == [("moved", ["time"])]
    change = moved[0]
    # wall times stay 13:00-16:00 on both sides of the switch to summer time
    assert (change["old"]["date"], change["old"]["start"], change["old"]["end"]) == (
        "2027-03-30", "13:00", "16:00"
    )  # fmt: skip
    assert (change["new"]["date"], change["new"]["start"]) == ("2027-03-16", "13:00")
    # the filters narrow the changes: one school, one week
    only = _get(api, "/api/v1/solves/1/diff?school=vmbo-zuidoost&week=2027-W11")
    assert next((p["kind"], p["key"]) for p in only["parties"]) == ("school", "vmbo-zuidoost")
    assert only["counts"]["moved"] == 1
    assert _get(api, "/api/v1/solves/1/diff?week=2027-W20")["counts"]["moved"] == 0


def test_the_issue_reproduction_absence_then_older_run_is_refused_then_overridden(
    runs: Api,
) -> None:
    """Trainer absent 15-19 March; re-publishing the older run of 16 March is refused."""
    api = runs
    assert publish(api, 1, '"0"').status_code == 200
    assert publish(api, 2, '"1"').status_code == 200  # 30 March is in force
    absence = api.client.post(
        "/api/v1/trainers/t-sanne/absences",
        headers=api.headers("planner"),
        json={"first": "2027-03-15", "last": "2027-03-19", "category": "sick"},
    )
    assert absence.status_code == 201, absence.text

    stale = _get(api, "/api/v1/solves/1/staleness")
    assert stale["snapshot_at"] == "2027-01-05T09:00:00Z" and stale["older_than_published"]
    change = stale["changes"][-1]
    assert (change["entity"], change["action"], change["who"]) == (
        "trainer", "create", "planner Planbureau"
    )  # fmt: skip
    assert change["key"].startswith("t-sanne/absence/")
    assert "door planner Planbureau" in change["text"]
    concerned = sorted((v["request"], v["session"], v["date"]) for v in stale["violations"])
    assert concerned == [("r-gl-1", 1, "2027-03-16"), ("r-rs-1", 1, "2027-03-16")]
    assert {(v["rule"], v["check"]) for v in stale["violations"]} == {("trainers", "unavailable")}
    assert stale["violations"][0]["text"].startswith("trainer afwezig of niet beschikbaar: ")
    assert "di 16 mrt 2027" in stale["violations"][0]["text"]

    refused = publish(api, 1, '"2"')
    assert_problem(refused, 409, "breaks 2 hard rule(s) under today's data")
    named = sorted((v["request"], v["session"], v["start"]) for v in refused.json()["violations"])
    assert named == [("r-gl-1", 1, "08:30"), ("r-rs-1", 1, "13:00")]
    assert current_version(api) == 2  # nothing was written

    bad = publish(api, 1, '"2"', {"override": True})
    assert_problem(bad, 422, "an override needs a reason")
    done = publish(api, 1, '"2"', {"override": True, "reason": "Sanne komt toch, bevestigd"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["publication"]["version"] == 3
    assert body["publication"]["override_reason"] == "Sanne komt toch, bevestigd"
    assert len(body["overridden"]) == 2
    assert body["warnings"] and "before run 2 of the published plan" in body["warnings"][0]
    with session_scope(api.engine) as session:
        audit = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == "publication")
        ).all()
        assert [(a.entity_key, a.actor_label) for a in audit] == [
            ("1", "Planbureau"), ("2", "Planbureau"), ("3", "Planbureau")
        ]  # fmt: skip
        overridden = audit[-1].changes
        assert overridden["override_reason"] == [None, "Sanne komt toch, bevestigd"]
        assert len(overridden["violations"][1]) == 2
        assert all("trainers/unavailable" in v for v in overridden["violations"][1])
    history = _get(api, "/api/v1/publications")
    assert [(p["version"], p["run"], p["in_force"]) for p in history["items"]] == [
        (3, 1, True), (2, 2, False), (1, 1, False)
    ]  # fmt: skip
    assert history["items"][0]["by"] == "planner Planbureau"


def assert_problem(response: Any, status: int, words: str) -> dict[str, Any]:
    """An RFC 9457 problem of ``status`` whose detail says ``words``."""
    body = problem_of(response, status)
    assert words in body["detail"], body["detail"]
    return body


def current_version(api: Api) -> int:
    with session_scope(api.engine) as session:
        current = current_publication(session)
        return current.version if current is not None else 0


def test_rolling_back_publishes_an_older_run_under_the_same_checks(runs: Api) -> None:
    api = runs
    assert publish(api, 1, '"0"').status_code == 200
    assert publish(api, 2, '"1"').status_code == 200
    reviewed = _get(api, "/api/v1/solves/1/diff")
    back = publish(api, 1, '"2"')
    assert back.status_code == 200, back.text
    body = back.json()
    # the publish did exactly what the review showed, party by party
    def lists(parties: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(p["kind"], p["key"], p["new"], p["moved"], p["cancelled"]) for p in parties]

    assert lists(body["parties"]) == lists(reviewed["parties"]) and len(body["parties"]) == 5
    assert body["counts"] == {"moved": 2, "unchanged": 0}
    assert "run 1 was solved on data of 2027-01-05 09:00 UTC" in body["warnings"][0]
    items = _get(api, "/api/v1/publications")["items"]
    assert next((p["version"], p["run"], p["counts"]) for p in items) == (
        3, 1, {"moved": 2, "unchanged": 0}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "why"),
    [
        ("running", "run 3 is still running: wait until it has finished"),
        ("failed", "run 3 failed (solver crashed) and has no plan"),
        ("unknown", "run 3 has status 'unknown': it found no plan to publish"),
        ("infeasible", "run 3 is infeasible: it found no plan"),
    ],
)
def test_a_run_without_a_plan_is_refused_with_why(runs: Api, status: str, why: str) -> None:
    api = runs
    with session_scope(api.engine) as session:
        run = make_run(session, (), horizon=HORIZON, created=NEWER)
        run.status, run.log = status, "solver crashed"
    assert_problem(publish(api, 3, '"0"'), 409, why)
    assert current_version(api) == 0


def test_publish_needs_if_match_and_a_stale_one_names_the_winner(runs: Api) -> None:
    api = runs
    assert_problem(publish(api, 1, None), 428, "If-Match")
    assert_problem(publish(api, 1, "abc"), 412, "not an ETag of the published plan")
    assert publish(api, 1, '"0"').status_code == 200
    late = publish(api, 2, '"0"')  # reviewed before version 1 was published
    assert_problem(late, 409, "version 1 (run 1) was published by planner Planbureau")
    assert late.json()["publication"]["version"] == 1 and late.headers["ETag"] == '"1"'
    assert publish(api, 2, "*").status_code == 200  # "*": whatever is in force
    assert_problem(publish(api, 99, '"2"'), 404, "no solve run 99")


def test_other_roles_may_not_review_or_publish(runs: Api) -> None:
    api = runs
    for who in ("school", "company", "trainer"):
        for path in ("/api/v1/solves/1/diff", "/api/v1/solves/1/staleness",
                     "/api/v1/publications"):  # fmt: skip
            assert api.client.get(path, headers=api.headers(who)).status_code == 403
        response = api.client.post(
            "/api/v1/solves/1/publish", headers=api.headers(who) | {"If-Match": '"0"'}, json={}
        )
        assert response.status_code == 403
    assert current_version(api) == 0


def test_two_planners_publishing_at_once_one_wins_the_other_is_told(
    runs: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both have read the plan in force (version 1) before either writes."""
    api = runs
    assert publish(api, 1, '"0"').status_code == 200
    real = publishing_routes.publish_checked
    barrier = threading.Barrier(2, timeout=20)
    waited: set[int] = set()

    def together(tx: Any, run_id: int, **kw: Any) -> Any:
        current_publication(tx)  # each transaction has read the plan in force
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait()
        return real(tx, run_id, **kw)

    monkeypatch.setattr(publishing_routes, "publish_checked", together)
    answers: dict[int, Any] = {}

    def planner(run: int) -> None:
        answers[run] = publish(api, run, '"1"', {"override": True, "reason": "test"})

    with session_scope(api.engine) as session:  # run 1 again would be a no-op: add run 3
        make_run(session, MARCH_30[:1], horizon=HORIZON, created=NEWER)
    threads = [threading.Thread(target=planner, args=(run,)) for run in (2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(answers[run].status_code for run in (2, 3))
    assert statuses == [200, 409], {run: a.text for run, a in answers.items()}
    winner = next(run for run in (2, 3) if answers[run].status_code == 200)
    loser = answers[5 - winner].json()
    assert loser["publication"] == {**loser["publication"], "version": 2, "run": winner}
    assert f"version 2 (run {winner}) was published" in loser["detail"]
    with session_scope(api.engine) as session:
        versions = session.scalars(select(e.Publication.version)).all()
        assert sorted(versions) == [1, 2]
        ids = set(session.scalars(select(e.Publication.id)))
        published = session.scalars(select(e.PublishedSession)).all()
        assert all(ps.last_publication_id in ids for ps in published)
        assert session.scalars(
            select(e.AuditEvent.entity_key).where(e.AuditEvent.entity == "publication")
        ).all() == ["1", "2"]


def test_staleness_counts_from_the_runs_snapshot_not_from_when_it_was_queued(
    runs: Api,
) -> None:
    """A background run is queued first and reads the data when its worker starts: an edit
    between the two is in its plan, so the review does not list it as stale."""
    api = runs
    absence = api.client.post(
        "/api/v1/trainers/t-sanne/absences",
        headers=api.headers("planner"),
        json={"first": "2027-05-03", "last": "2027-05-04", "category": "leave"},
    )
    assert absence.status_code == 201, absence.text
    assert [c["entity"] for c in _get(api, "/api/v1/solves/2/staleness")["changes"]] == [
        "trainer"
    ]
    with session_scope(api.engine) as session:  # the worker took its snapshot after the edit
        run = session.get_one(e.SolveRun, 2)
        run.snapshot_at = NOW + timedelta(minutes=1)  # the app clock made the edit at NOW
    stale = _get(api, "/api/v1/solves/2/staleness")
    assert stale["changes"] == []
    assert stale["snapshot_at"] > "2027-01-10T09:00:00Z"
