"""kill -9 of a live `campus serve` during a background solve (SQLite and PostgreSQL).

First the server and its worker are killed together: the run stays ``running`` until the next
`campus serve` starts and marks it failed, naming the dead server. Then only the server is
killed: its worker notices (it watches its parent), fails its run itself and exits. Each time
the published plan is exactly what it was: its rows, and the feed's bytes as the restarted
server serves them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine

from models import entities as e
from models.bridge import Horizon
from models.db import session_scope
from models.feeds import create_token
from models.keys import create_key
from models.planning import plan
from models.publish import publish
from models.store import load_files
from scheduler import SolveOptions
from tests.conftest import DATA, MINI
from tests.http.solve_jobs_helpers import LONG_WEEKS, load_long_campus, published_state, wait_for

CAMPUS = Path(sys.executable).with_name("campus")
MADE = datetime(2026, 11, 1, 9, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serve(url: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], httpx.Client]]:
    """A live `campus serve` on a free port, answering /health, and a client for it."""
    port = _free_port()
    env = {**os.environ, "CAMPUS_FEED_WEEKS_AFTER": "156"}  # the data lies in 2027
    with log.open("ab") as out:
        server = subprocess.Popen(
            [str(CAMPUS), "serve", "--port", str(port), "--db", url],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

    def healthy() -> bool:
        assert server.poll() is None, log.read_text()
        try:
            return client.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for("the server to answer", healthy)
        yield server, client
    finally:
        client.close()
        if server.poll() is None:
            server.terminate()
        server.wait(30)


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (from /proc/*/stat)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int) -> bool:
    """True when ``pid`` has exited (a zombie nobody reaped counts as gone)."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" in status.read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True


def _run(engine: Engine, run_id: int) -> e.SolveRun:
    with session_scope(engine) as session:
        return session.get_one(e.SolveRun, run_id)


def _start_long_solve(client: httpx.Client, key: str) -> int:
    response = client.post(
        "/api/v1/solves",
        json={"weeks": LONG_WEEKS, "time_limit": 60},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def test_a_server_killed_mid_solve_leaves_the_published_plan_and_a_failed_run(
    engine: Engine, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with session_scope(engine) as session:
        load_files(session, [MINI, DATA / "other-school.yaml"])
    options = SolveOptions(time_limit_seconds=10, deterministic=True)
    plan(engine, Horizon("2027-W12", "2027-W13"), options, now=datetime(2027, 3, 1, 8))
    with session_scope(engine) as session:
        publish(session, now=MADE)
        key = create_key(session, role="planner", now=MADE)[1]
        token = create_token(session, "school", "vmbo-zuidoost", now=MADE)[1]
    load_long_campus(engine)
    before = published_state(engine)
    log = tmp_path / "serve.log"

    # 1. the server and its worker killed together: failed at the next start-up
    with _serve(url, log) as (server, client):
        feed = client.get(f"/cal/{token}.ics")
        assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content
        run_id = _start_long_solve(client, key)
        wait_for("the solve to run", lambda: _run(engine, run_id).status == "running")
        workers = _children(server.pid)
        assert len(workers) == 1
        for pid in (server.pid, *workers):
            os.kill(pid, signal.SIGKILL)
        server.wait()
        killed = server.pid
    assert _run(engine, run_id).status == "running"  # nothing alive could say otherwise
    with _serve(url, log) as (server, client):
        run = _run(engine, run_id)
        assert run.status == "failed", run.log
        assert f"the server (pid {killed} on {socket.gethostname()})" in run.log
        assert "stopped during it" in run.log
        assert client.get(f"/cal/{token}.ics").content == feed.content
        assert published_state(engine) == before

        # 2. only the server killed: its worker fails the run itself and exits
        run_id = _start_long_solve(client, key)
        wait_for("the solve to run", lambda: _run(engine, run_id).status == "running")
        (worker,) = _children(server.pid)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        killed = server.pid
    run = wait_for("the worker to fail its run", lambda: _run(engine, run_id) if _run(
        engine, run_id).status != "running" else None)  # fmt: skip
    assert run.status == "failed"
    assert f"the server (pid {killed}) that started this solve stopped during it" in run.log
    wait_for("the worker to exit", lambda: _gone(worker))
    with session_scope(engine) as session:
        assert session.get_one(e.SolveRun, run_id).assignments == []
    assert published_state(engine) == before  # (the feed is made from these rows)
