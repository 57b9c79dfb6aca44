"""POST /api/v1/solves, its events and DELETE: solving in the background (planners only).

The runs here are solved by the real runner (a worker process per solve) unless a test only
needs the API's side: then a HeldRunner keeps every run queued. The published plan is the
mini campus's real solve of 2027-W12..W13 (the start of daylight saving time), published
before any background solve starts; cancelled and crashed solves must leave it exactly as
it was.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from models import entities as e
from models.db import session_scope
from models.feeds import create_token
from tests.http.auth_helpers import assert_problem
from tests.http.conftest import NOW, Api
from tests.http.solve_jobs_helpers import (
    LONG_WEEKS,
    HeldRunner,
    load_long_campus,
    parse_events,
    published_state,
    wait_for,
)
from tests.http.test_solves import solve_and_publish

ENDED = ("optimal", "feasible", "infeasible", "unknown", "failed", "cancelled")


@pytest.fixture
def held(api: Api) -> Iterator[tuple[Api, HeldRunner]]:
    """The API with a runner that never starts a run (they stay queued)."""
    runner = HeldRunner()
    with TestClient(create_app(engine=api.engine, clock=lambda: NOW, runner=runner)) as client:
        yield Api(client, api.engine, api.keys), runner


def _post(api: Api, body: dict[str, Any], who: str = "planner") -> Any:
    return api.client.post("/api/v1/solves", json=body, headers=api.headers(who))


def _run(api: Api, run_id: int) -> dict[str, Any]:
    response = api.client.get(f"/api/v1/solves/{run_id}", headers=api.headers("planner"))
    assert response.status_code == 200, response.text
    return response.json()


def _ended(api: Api, run_id: int) -> dict[str, Any] | None:
    run = _run(api, run_id)
    return run if run["status"] in ENDED else None


def _feed(api: Api) -> tuple[str, bytes]:
    """A school's feed URL and its bytes now."""
    with session_scope(api.engine) as session:
        token = create_token(session, "school", "vmbo-zuidoost", now=NOW - timedelta(days=1))[1]
    url = f"/cal/{token}.ics"
    response = api.client.get(url)
    assert response.status_code == 200
    return url, response.content


def test_a_post_queues_the_run_and_a_worker_solves_and_stores_it(api: Api) -> None:
    response = _post(api, {"weeks": "2027-W12..2027-W13", "time_limit": 2, "seed": 3})
    assert response.status_code == 202, response.text
    body = response.json()
    assert response.headers["Location"] == f"/api/v1/solves/{body['id']}"
    assert body["status"] == "queued" and body["snapshot_at"] is None
    assert (body["first_week"], body["last_week"], body["time_limit_seconds"]) == (
        "2027-W12", "2027-W13", 2.0,
    )  # fmt: skip
    run = wait_for("the solve to end", lambda: _ended(api, body["id"]))
    assert run["status"] in ("optimal", "feasible"), run
    assert run["snapshot_at"] is not None and run["sessions"] >= 1
    assert run["requests"] == run["progress"]["requests"] >= run["scheduled"] >= 1
    assert run["progress"]["objective"] == run["objective"]
    # a finished run's progress holds its stored plan's travel
    assert isinstance(run["progress"]["group_travel_minutes"], int)
    assert isinstance(run["progress"]["trainer_travel_minutes"], int)
    # the plan is stored like any run's: its sessions are there to review
    sessions = api.client.get(
        f"/api/v1/solves/{body['id']}/sessions", headers=api.headers("planner")
    ).json()
    assert sessions["total"] == run["sessions"]
    # a finished run's event stream is its summary alone, then the end
    events = api.client.get(f"/api/v1/solves/{body['id']}/events", headers=api.headers("planner"))
    assert events.status_code == 200
    assert events.headers["content-type"].startswith("text/event-stream")
    assert parse_events(events.text) == [("summary", run)]
    with session_scope(api.engine) as session:
        audit = session.scalars(select(e.AuditEvent).filter_by(entity="solve_run")).one()
        assert (audit.entity_key, audit.action, audit.actor_role) == (
            str(body["id"]), "create", "planner",
        )  # fmt: skip
        assert audit.changes["weeks"] == [None, "2027-W12..2027-W13"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, "$.weeks"),
        ({"weeks": "2027-W54"}, "$.weeks"),
        ({"weeks": "2027-W14..2027-W12"}, "$.weeks"),
        ({"weeks": "week 12"}, "$.weeks"),
        ({"weeks": "2027-W12", "time_limit": 0}, "$.time_limit"),
        ({"weeks": "2027-W12", "gap": 1}, "$.gap"),
        ({"weeks": "2027-W12", "seed": -1}, "$.seed"),
        ({"weeks": "2027-W12", "workers": 4}, "$.workers"),
        ({"weeks": "2027-W12", "rolling": True}, "$.weeks"),
        ({"weeks": "2027-W12", "reference": 99}, "$.reference"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_starts_nothing(
    held: tuple[Api, HeldRunner], body: dict[str, Any], path: str
) -> None:
    api, runner = held
    response = _post(api, body)
    assert_problem(response, 422)
    assert [error["path"] for error in response.json()["errors"]] == [path]
    assert runner.submitted == []
    with session_scope(api.engine) as session:
        assert session.scalar(select(func.count()).select_from(e.SolveRun)) == 0


def test_a_rolling_solve_plans_from_the_coming_week_for_the_campus_horizon(
    held: tuple[Api, HeldRunner],
) -> None:
    api, runner = held
    answer = _post(api, {"rolling": True})  # the app's clock: Friday 15 January 2027 (W02)
    assert answer.status_code == 202, answer.text
    run = answer.json()
    assert (run["first_week"], run["last_week"]) == ("2027-W03", "2027-W08")  # 6 weeks
    assert runner.submitted == [run["id"]]
    with session_scope(api.engine) as session:
        audit = session.scalars(select(e.AuditEvent).filter_by(entity="solve_run")).one()
        assert audit.changes["rolling"] == [None, True]


def test_an_overlapping_solve_is_409_naming_the_one_that_holds_the_horizon(
    held: tuple[Api, HeldRunner],
) -> None:
    api, runner = held
    first = _post(api, {"weeks": "2027-W12..2027-W13"}).json()["id"]
    clash = _post(api, {"weeks": "2027-W13..2027-W15"})
    assert_problem(clash, 409)
    assert clash.json()["run"] == first
    assert f"run {first} is queued on 2027-W12..2027-W13" in clash.json()["detail"]
    apart = _post(api, {"weeks": "2027-W14"})  # no week in common: it may run beside it
    assert apart.status_code == 202
    assert runner.submitted == [first, apart.json()["id"]]
    # cancelling the queued run frees its horizon at once
    cancelled = api.client.delete(f"/api/v1/solves/{first}", headers=api.headers("planner"))
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled"
    assert runner.cancelled == [first]
    assert _post(api, {"weeks": "2027-W13"}).status_code == 202
    # a run that ended cannot be cancelled; one that does not exist is missing
    again = api.client.delete(f"/api/v1/solves/{first}", headers=api.headers("planner"))
    assert_problem(again, 409)
    assert again.json()["run_status"] == "cancelled"
    assert_problem(api.client.delete("/api/v1/solves/999", headers=api.headers("planner")), 404)


def test_two_posts_at_once_start_exactly_one_solve(held: tuple[Api, HeldRunner]) -> None:
    api, runner = held
    gate = threading.Barrier(4)
    statuses: list[int] = []

    def post(weeks: str) -> None:
        gate.wait()
        statuses.append(_post(api, {"weeks": weeks}).status_code)

    threads = [
        threading.Thread(target=post, args=(weeks,))
        for weeks in ("2027-W12", "2027-W12..2027-W13", "2027-W11..2027-W12", "2027-W12")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [202, 409, 409, 409]
    with session_scope(api.engine) as session:
        assert session.scalar(select(func.count()).select_from(e.SolveRun)) == 1
    assert len(runner.submitted) == 1


def test_progress_shows_while_the_api_answers_and_a_cancel_leaves_the_published_plan(
    api: Api,
) -> None:
    solve_and_publish(api)
    load_long_campus(api.engine)
    before = published_state(api.engine)
    feed_url, feed = _feed(api)
    run_id = _post(api, {"weeks": LONG_WEEKS, "time_limit": 60}).json()["id"]

    def solving() -> dict[str, Any] | None:
        run = _run(api, run_id)
        assert run["status"] in ("queued", "running"), run
        return run if run["progress"]["objective"] is not None else None

    run = wait_for("progress of the running solve", solving)
    progress = run["progress"]
    assert run["status"] == "running" and run["snapshot_at"] is not None
    assert progress["requests"] >= progress["placed"] >= 1
    assert progress["bound"] <= progress["objective"] and progress["elapsed_seconds"] > 0
    # the travel of the plan the engine reported, live (the long campus makes groups travel)
    assert progress["group_travel_minutes"] > 0 and progress["trainer_travel_minutes"] >= 0
    # the API answers while the solve runs: a feed, the list, the health check
    assert api.client.get(feed_url).content == feed
    listed = api.client.get("/api/v1/solves", headers=api.headers("planner")).json()
    assert listed["items"][0]["id"] == run_id and listed["items"][0]["status"] == "running"
    assert api.client.get("/health").status_code == 200
    with api.client.stream(
        "GET", f"/api/v1/solves/{run_id}/events", headers=api.headers("planner")
    ) as stream:
        lines = stream.iter_lines()
        first = [next(lines) for _ in range(3)]
        assert first[1] == "event: progress"
        assert api.client.delete(
            f"/api/v1/solves/{run_id}", headers=api.headers("planner")
        ).status_code == 202
        text = "\n".join([*first, *lines])
    events = parse_events(text)
    assert [name for name, _ in events[:-1]] == ["progress"] * (len(events) - 1)
    assert events[0][1]["status"] == "running" and events[0][1]["objective"] is not None
    assert events[0][1]["group_travel_minutes"] > 0
    assert isinstance(events[0][1]["trainer_travel_minutes"], int)
    name, summary = events[-1]
    assert name == "summary" and summary["status"] == "cancelled"
    assert summary["cancel_requested_at"] is not None and summary["sessions"] == 0
    with session_scope(api.engine) as session:
        assert session.scalar(
            select(func.count()).select_from(e.Assignment).filter_by(run_id=run_id)
        ) == 0
        log = session.get_one(e.SolveRun, run_id).log
    assert "cancelled at" in log
    assert published_state(api.engine) == before
    assert api.client.get(feed_url).content == feed


def test_a_killed_worker_fails_its_run_and_the_server_answers_on(api: Api) -> None:
    solve_and_publish(api)
    load_long_campus(api.engine)
    before = published_state(api.engine)
    run_id = _post(api, {"weeks": LONG_WEEKS, "time_limit": 60}).json()["id"]
    wait_for("the solve to run", lambda: _run(api, run_id)["status"] == "running")
    processes = api.client.app.state.runner._processes  # type: ignore[attr-defined]
    os.kill(processes[run_id].pid, signal.SIGKILL)
    run = wait_for("the run to fail", lambda: _ended(api, run_id))
    assert run["status"] == "failed" and run["sessions"] == 0
    with session_scope(api.engine) as session:
        log = session.get_one(e.SolveRun, run_id).log
    assert "was killed by SIGKILL" in log
    assert api.client.get("/health").status_code == 200
    assert api.client.get("/api/v1/solves", headers=api.headers("planner")).status_code == 200
    assert published_state(api.engine) == before
    # the horizon is free again
    again = _post(api, {"weeks": LONG_WEEKS, "time_limit": 1})
    assert again.status_code == 202, again.text
