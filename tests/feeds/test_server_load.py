"""Solve and publish on SQLite while `campus serve` answers 30 concurrent feed clients.

Issue 22: under this load `campus solve` died with "database is locked" and left its run
"running". The clients poll every feed as fast as they can until solve and publish are
done (bounded in count and time); every answer must be 200 or 304, and both commands must
succeed.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from models import entities as e
from models.db import make_engine, session_scope
from models.feeds import all_subjects, create_token
from models.migrate import upgrade
from models.store import load_files
from tests.conftest import MINI
from tests.feeds.serve import campus_serve, free_port

CAMPUS = Path(sys.executable).with_name("campus")
CLIENTS = 30
MAX_REQUESTS = 20_000  # bounds on the load, whatever the machine
MAX_SECONDS = 120


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[dict[str, str], list[str]]]:
    """The mini campus with a feed token per subscriber, and `campus serve` on it."""
    port = free_port()
    url = f"sqlite:///{tmp_path / 'campus.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_files(session, [MINI])
        tokens = [
            create_token(session, s.view, s.key, now=datetime.now(UTC))[1]
            for s in all_subjects(session)
        ]
    engine.dispose()
    env = {
        **os.environ,
        "CAMPUS_DATABASE_URL": url,
        "CAMPUS_FEED_WEEKS_AFTER": "156",  # the mini campus lies in 2027, whatever today is
        "PORT": str(port),
    }
    with campus_serve(env, port, tmp_path / "serve.log", start_seconds=60):
        yield env, [f"http://127.0.0.1:{port}/cal/{t}.ics" for t in tokens]


def test_solve_and_publish_succeed_while_the_server_is_under_load(
    served: tuple[dict[str, str], list[str]], tmp_path: Path
) -> None:
    env, urls = served
    stop = threading.Event()
    answers: Counter[int | str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + MAX_SECONDS

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(timeout=60) as http:
            while not stop.is_set() and time.monotonic() < deadline:
                with lock:
                    if sum(answers.values()) >= MAX_REQUESTS:
                        return
                try:
                    code: int | str = http.get(rng.choice(urls)).status_code
                except httpx.TransportError as exc:
                    code = type(exc).__name__
                with lock:
                    answers[code] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)  # the load is on before the commands start
        solve = subprocess.run(
            [str(CAMPUS), "solve", "--weeks", "2027-W11..2027-W14", "--now", "2027-03-01T08:00",
             "--time-limit", "10", "--json"],
            env=env, capture_output=True, text=True, timeout=MAX_SECONDS, check=False,
        )  # fmt: skip
        published = subprocess.run(
            [str(CAMPUS), "publish", "--out", str(tmp_path / "feeds")],
            env=env, capture_output=True, text=True, timeout=MAX_SECONDS, check=False,
        )  # fmt: skip
        during = sum(answers.values())
        time.sleep(1)  # clients see the new publication (ETags change: the server writes)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert solve.returncode == 0, solve.stderr
    assert json.loads(solve.stdout)["status"] == "optimal"
    assert published.returncode == 0, published.stderr
    assert "published run 1 as version 1" in published.stdout
    assert set(answers) <= {200, 304}, answers
    assert during >= 10 * CLIENTS, answers  # the commands really ran under load
    engine = make_engine(env["CAMPUS_DATABASE_URL"])
    with session_scope(engine) as session:
        assert [r.status for r in session.scalars(select(e.SolveRun))] == ["optimal"]
