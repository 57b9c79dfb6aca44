"""GET /api/v1/solves: the planner reviews runs and their sessions (read-only, planners only).

Run 1 is a real solve of the mini campus (plus a second school) over 2027-W12..W13,
published as version 1. Run 2 is written by hand (tests/feeds/factory.py) around the start of
daylight saving (Sunday 2027-03-28): one session in W12, three in W13, at the same wall
times as before the change; it is not published and its log holds no counts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from models.bridge import Horizon
from models.db import session_scope
from models.planning import PlanResult, plan
from models.publish import publish
from models.store import load_files
from scheduler import SolveOptions
from tests.conftest import DATA
from tests.feeds.factory import Planned, make_run
from tests.http.auth_helpers import assert_problem
from tests.http.conftest import Api

HAND_PLAN = (
    Planned("r-ws-1", 1, "ww-hal", datetime(2027, 3, 26, 13), datetime(2027, 3, 26, 16),
            ("t-sanne",)),
    Planned("r-sc-1", 1, "en-lab", datetime(2027, 3, 29, 8, 30), datetime(2027, 3, 29, 12, 30),
            ("t-ahmed",)),
    Planned("r-rs-1", 1, "ww-hal", datetime(2027, 3, 30, 13), datetime(2027, 3, 30, 16),
            ("t-sanne",)),
    Planned("r-gl-1", 1, "vz-school", datetime(2027, 4, 1, 10), datetime(2027, 4, 1, 11, 30),
            ("t-sanne",)),
)  # fmt: skip
HAND_CREATED = datetime(2027, 1, 14, 9, tzinfo=UTC)


def solve_and_publish(api: Api) -> PlanResult:
    """Run 1 (a real solve, published as v1) and run 2 (by hand, not published)."""
    with session_scope(api.engine) as session:
        load_files(session, [DATA / "other-school.yaml"])
    result = plan(
        api.engine,
        Horizon("2027-W12", "2027-W13"),
        SolveOptions(time_limit_seconds=10, deterministic=True),
        now=datetime(2027, 3, 1, 8),
    )
    with session_scope(api.engine) as session:
        publish(session, now=datetime(2027, 1, 14, 8, tzinfo=UTC))
        make_run(session, HAND_PLAN, created=HAND_CREATED)
    return result


@pytest.fixture
def solved(api: Api) -> tuple[Api, PlanResult]:
    return api, solve_and_publish(api)


def _get(api: Api, path: str, who: str = "planner") -> Any:
    response = api.client.get(path, headers=api.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_list_shows_every_run_with_its_figures_and_publication(
    solved: tuple[Api, PlanResult],
) -> None:
    api, result = solved
    body = _get(api, "/api/v1/solves")
    assert body["total"] == 2 and [run["id"] for run in body["items"]] == [2, 1]
    real = body["items"][1]
    assert real["id"] == result.run_id == 1
    assert real["status"] == result.solution.status.value
    assert (real["first_week"], real["last_week"], real["weeks"]) == ("2027-W12", "2027-W13", 2)
    assert real["time_limit_seconds"] == 10
    assert real["objective"] == result.solution.objective
    assert real["scheduled"] == len(result.solution.scheduled)
    assert real["requests"] == len(result.problem.requests) >= 1
    assert real["sessions"] == len(result.solution.sessions) >= 1
    assert (real["published_versions"], real["in_force"]) == ([1], True)
    hand = body["items"][0]
    assert hand["created_at"] == "2027-01-14T09:00:00Z"
    assert (hand["status"], hand["sessions"], hand["weeks"]) == ("feasible", 4, 36)
    assert (hand["scheduled"], hand["requests"], hand["objective"]) == (None, None, None)
    assert (hand["published_versions"], hand["in_force"]) == ([], False)
    assert _get(api, "/api/v1/solves/1") == real
    assert [r["id"] for r in _get(api, "/api/v1/solves?limit=1&offset=1")["items"]] == [1]
    sessions = _get(api, "/api/v1/solves/1/sessions")
    expected = sorted(
        (s.start.date().isoformat(), f"{s.start:%H:%M}", str(s.request), s.index, str(s.location))
        for s in result.solution.sessions
    )
    got = [(s["date"], s["start"], s["request"], s["session"], s["location"])
           for s in sessions["items"]]  # fmt: skip
    assert sorted(got) == expected and sessions["total"] == len(expected)


def test_publishing_an_older_run_again_shows_both_versions(
    solved: tuple[Api, PlanResult],
) -> None:
    api, _ = solved
    with session_scope(api.engine) as session:
        from models import entities as e

        publish(session, session.get(e.SolveRun, 2), now=datetime(2027, 1, 14, 10, tzinfo=UTC))
        publish(session, session.get(e.SolveRun, 1), now=datetime(2027, 1, 14, 11, tzinfo=UTC))
    runs = {run["id"]: run for run in _get(api, "/api/v1/solves")["items"]}
    assert (runs[1]["published_versions"], runs[1]["in_force"]) == ([1, 3], True)
    assert (runs[2]["published_versions"], runs[2]["in_force"]) == ([2], False)


def _sessions(api: Api, query: str = "") -> list[tuple[str, int, str, str, str, str, str]]:
    body = _get(api, f"/api/v1/solves/2/sessions{query}")
    assert body["run"] == 2 and body["total"] == len(body["items"])
    return [
        (s["request"], s["session"], s["date"], s["week"], s["start"], s["end"], s["location"])
        for s in body["items"]
    ]


def test_a_runs_sessions_in_amsterdam_wall_time_across_the_clock_change(
    solved: tuple[Api, PlanResult],
) -> None:
    api, _ = solved
    assert _sessions(api) == [
        ("r-ws-1", 1, "2027-03-26", "2027-W12", "13:00", "16:00", "ww-hal"),
        ("r-sc-1", 1, "2027-03-29", "2027-W13", "08:30", "12:30", "en-lab"),
        ("r-rs-1", 1, "2027-03-30", "2027-W13", "13:00", "16:00", "ww-hal"),
        ("r-gl-1", 1, "2027-04-01", "2027-W13", "10:00", "11:30", "vz-school"),
    ]
    first = _get(api, "/api/v1/solves/2/sessions?limit=1")["items"][0]
    assert first["trainers"] == ["t-sanne"] and first["groups"] == ["vz-3bb-a"]
    assert first["schools"] == ["vmbo-zuidoost"] and first["activity"] == "WS-WARMTEPOMP"
    combined = _get(api, "/api/v1/solves/2/sessions?week=2027-W13&location=vz-school")
    assert combined["items"][0]["groups"] == ["vz-3bb-a", "vz-3kb-b"]


def test_sessions_filter_by_school_location_and_week(solved: tuple[Api, PlanResult]) -> None:
    api, _ = solved
    assert [s[0] for s in _sessions(api, "?week=2027-W12")] == ["r-ws-1"]
    assert [s[0] for s in _sessions(api, "?week=2027-W13")] == ["r-sc-1", "r-rs-1", "r-gl-1"]
    assert [s[0] for s in _sessions(api, "?week=2027-W14")] == []
    assert [s[0] for s in _sessions(api, "?school=roc-sloterdijk")] == ["r-rs-1"]
    assert [s[0] for s in _sessions(api, "?school=vmbo-zuidoost&week=2027-W13")] == [
        "r-sc-1", "r-gl-1",
    ]  # fmt: skip
    assert [s[0] for s in _sessions(api, "?location=ww-hal")] == ["r-ws-1", "r-rs-1"]
    assert _sessions(api, "?school=no-such-school") == []
    page = _get(api, "/api/v1/solves/2/sessions?limit=2&offset=2")
    assert page["total"] == 4 and [s["request"] for s in page["items"]] == ["r-rs-1", "r-gl-1"]


def test_a_missing_run_is_404_and_bad_input_422(solved: tuple[Api, PlanResult]) -> None:
    api, _ = solved
    headers = api.headers("planner")
    for path in ("/api/v1/solves/999", "/api/v1/solves/999/sessions", "/api/v1/solves/2147483647"):
        assert_problem(api.client.get(path, headers=headers), 404)
    for path in (
        "/api/v1/solves/0",
        "/api/v1/solves/abc",
        "/api/v1/solves/99999999999",
        "/api/v1/solves/2/sessions?week=13",
        "/api/v1/solves?limit=0",
    ):
        assert_problem(api.client.get(path, headers=headers), 422)
    response = api.client.get("/api/v1/solves/2/sessions?week=2027-W60", headers=headers)
    assert_problem(response, 422)
    assert response.json()["errors"][0]["path"] == "week"
    assert "2027 has no ISO week 60" in response.json()["detail"]


def test_only_planners_may_review_runs(solved: tuple[Api, PlanResult]) -> None:
    api, _ = solved
    for who in ("company", "school", "trainer"):
        for path in ("/api/v1/solves", "/api/v1/solves/1", "/api/v1/solves/1/sessions"):
            response = api.client.get(path, headers=api.headers(who))
            assert_problem(response, 403)
            assert "r-ws-1" not in response.text and "ww-hal" not in response.text
