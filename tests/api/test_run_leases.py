"""Where runs are looked at, a run whose solve died is failed: commands and the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from models import entities as e
from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.store import load_files
from tests.conftest import MINI

runner = CliRunner()


@pytest.fixture
def stale(sqlite_url: str) -> Engine:
    """The mini campus with a run a killed solve left "running" two minutes ago."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_files(session, [MINI])
        beat = datetime.now(UTC) - timedelta(minutes=2)
        session.add(
            e.SolveRun(
                created_at=beat, heartbeat_at=beat, lease_seconds=60, first_week="2027-W11",
                last_week="2027-W14", status="running", parameters={},
            )
        )  # fmt: skip
    return engine


def _statuses(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return [r.status for r in session.scalars(select(e.SolveRun))]


@pytest.mark.parametrize(
    "command",
    [["publish"], ["explain", "r-gl-1"], ["publish", "1"]],
    ids=["publish", "explain", "publish-that-run"],
)
def test_a_command_that_looks_at_runs_fails_the_dead_one(
    stale: Engine, sqlite_url: str, command: list[str]
) -> None:
    result = runner.invoke(app, [*command, "--db", sqlite_url])
    assert _statuses(stale) == ["failed"]
    # Nothing to publish or explain: the only run is the dead one, and it says so.
    assert result.exit_code == 1
    if command == ["publish", "1"]:
        assert "run 1 failed (" in result.output and "nothing was published" in result.output


def test_the_server_fails_dead_runs_when_it_starts(stale: Engine) -> None:
    with TestClient(create_app(engine=stale)) as client:
        assert client.get("/health").status_code == 200
    assert _statuses(stale) == ["failed"]
    with session_scope(stale) as session:
        assert "its lease expired" in session.scalars(select(e.SolveRun)).one().log


def test_a_run_inside_its_lease_is_left_alone(stale: Engine, sqlite_url: str) -> None:
    with session_scope(stale) as session:
        session.scalars(select(e.SolveRun)).one().heartbeat_at = datetime.now(UTC)
    with TestClient(create_app(engine=stale)):
        pass
    runner.invoke(app, ["publish", "--db", sqlite_url])
    assert _statuses(stale) == ["running"]
