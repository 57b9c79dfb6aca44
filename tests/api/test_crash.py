"""kill -9 of `campus load`, `campus solve` and `campus publish --out` at random moments.

After each kill: the database is wholly old or wholly new, no run stays "running" once its
lease has expired and a command looked at runs, no temporary file is left, and the static
feed directory holds the old set or the new set, never a mix. Repetitions are few and the
moments are drawn around the work that matters (after the run row exists, after the
publication is committed); the seed is in every failure message.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.db import make_engine, session_scope
from models.generate import generate_campus
from models.migrate import upgrade
from models.publish import publish
from models.store import dump_scenario, export_scenario, load_files, load_scenarios
from tests.conftest import MINI
from tests.feeds.factory import PLAN_1, PLAN_2, T1, add_odd_data, make_run
from tests.feeds.test_export import leftovers, snapshot

# The hand-written plans (tests/feeds/factory.py) break hard rules: publish them by override.
HAND = ("--override", "hand-written test plan")
CAMPUS = Path(sys.executable).with_name("campus")
SEED = int(os.environ.get("CAMPUS_CRASH_SEED", random.randrange(1 << 30)))
LEASE = "3"  # seconds: a killed solve's run is expired by the next look 3 s later; shorter
# leases were lost by live solves on a loaded 2-core machine (the heartbeat thread starved)
runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of every `campus` here, in this process and in the killed ones."""
    values = {
        "CAMPUS_DATABASE_URL": f"sqlite:///{tmp_path / 'campus.db'}",
        "CAMPUS_RUN_LEASE_SECONDS": LEASE,
        "CAMPUS_FEED_WEEKS_AFTER": "156",  # the test data lies in 2027, whatever today is
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **values}


def campus(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def kill_when(
    args: list[str], env: dict[str, str], ready: Callable[[], bool], delay: float
) -> bool:
    """Start `campus ARGS`, wait for ``ready()``, then ``delay`` s, then SIGKILL it.

    Returns True when the process was killed, False when it had already finished.
    """
    proc = subprocess.Popen(
        [str(CAMPUS), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not ready() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
        if proc.poll() is not None:
            return False
        os.kill(proc.pid, signal.SIGKILL)
        return True
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def state(engine: Engine) -> str:
    with session_scope(engine) as session:
        return dump_scenario(export_scenario(session))


def statuses(engine: Engine) -> dict[int, str]:
    with session_scope(engine) as session:
        return {r.id: r.status for r in session.scalars(select(e.SolveRun))}


def test_killed_load_leaves_the_old_campus_or_the_new(
    env: dict[str, str], tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    engine = make_engine(env["CAMPUS_DATABASE_URL"])
    upgrade(engine)
    with session_scope(engine) as session:
        load_files(session, [MINI])
    old = state(engine)
    changed = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    for section in ("partners", "locations", "trainers", "groups"):
        for item in changed[section]:
            item["name"] = f"{item['name']} (nieuw)"
    new_file = tmp_path / "new.yaml"
    new_file.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    # The new campus, and how long an undisturbed load takes, on a second database (built,
    # not copied: closing a copy's file handle would drop this process's SQLite locks).
    copy = tmp_path / "copy.db"
    other = make_engine(f"sqlite:///{copy}")
    upgrade(other)
    with session_scope(other) as session:
        load_files(session, [MINI])
    other.dispose()
    started = time.monotonic()
    done = subprocess.run(
        [str(CAMPUS), "load", "--db", f"sqlite:///{copy}", str(new_file)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    whole = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    new = state(make_engine(f"sqlite:///{copy}"))
    assert new != old
    for attempt in range(2):
        moment = rng.uniform(0.5 * whole, whole)
        kill_when(["load", str(new_file)], env, lambda: True, moment)
        now = state(engine)
        assert now in (old, new), f"seed {SEED}, attempt {attempt}: a mixed campus"
        assert leftovers(tmp_path / "campus.db") == [], f"seed {SEED}"
        if now == new:  # start again from the old campus
            campus("load", str(MINI))
            assert state(engine) == old


def test_killed_solve_leaves_no_run_running(env: dict[str, str]) -> None:
    # A generated school year: its solve uses its whole time limit (the mini campus is proven
    # optimal in milliseconds, too fast to be killed while it solves).
    rng = random.Random(SEED)
    engine = make_engine(env["CAMPUS_DATABASE_URL"])
    upgrade(engine)
    with session_scope(engine) as session:
        load_scenarios(session, [("generated", generate_campus(1, 3))])

    def running() -> bool:
        return "running" in statuses(engine).values()

    solve = ["solve", "--weeks", "2026-W37..2027-W26", "--now", "2026-09-01T08:00",
             "--time-limit", "3"]  # fmt: skip
    killed = 0
    for _ in range(2):
        killed += kill_when([*solve, "--json"], env, running, rng.uniform(0.1, 2.0))
    assert killed, f"seed {SEED}: every solve finished before its kill"
    time.sleep(float(LEASE) + 0.2)
    campus(*solve)  # a solve start looks at runs
    runs = statuses(engine)
    assert "running" not in runs.values(), f"seed {SEED}: {runs}"
    assert list(runs.values())[-1] in ("optimal", "feasible"), f"seed {SEED}: {runs}"
    with session_scope(engine) as session:
        for run in session.scalars(select(e.SolveRun).where(e.SolveRun.status == "failed")):
            assert "lease expired" in run.log


def test_killed_publish_out_leaves_the_old_feeds_or_the_new(
    env: dict[str, str], tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    engine = make_engine(env["CAMPUS_DATABASE_URL"])
    upgrade(engine)
    with session_scope(engine) as session:
        add_odd_data(session)
        publish(session, make_run(session, PLAN_1, created=T1), now=T1)
        make_run(session, PLAN_2, created=T1)
    out = tmp_path / "public" / "feeds"
    campus("publish", "1", *HAND, "--out", str(out))

    def publications() -> int:
        with session_scope(engine) as session:
            return session.scalar(select(func.count()).select_from(e.Publication)) or 0

    for attempt in range(2):
        old = snapshot(out)
        count = publications()
        run = "2" if attempt % 2 == 0 else "1"  # back and forth: every publication changes feeds
        # One kill comes after the commit, while the feeds are written; one anywhere.
        if attempt == 0:
            kill_when(["publish", run, *HAND, "--out", str(out)], env,
                      lambda n=count: publications() > n, rng.uniform(0, 0.15))  # fmt: skip
        else:
            kill_when(["publish", run, *HAND, "--out", str(out)], env, lambda: True,
                      rng.uniform(0.5, 4.0))  # fmt: skip
        crashed = snapshot(out) if out.exists() else None
        assert crashed is not None, f"seed {SEED}, attempt {attempt}: {out} is missing"
        assert not [p for p in crashed if p.endswith(".tmp")], f"seed {SEED}"
        campus("publish", run, *HAND, "--out", str(out))  # the planner runs it again
        assert crashed in (old, snapshot(out)), f"seed {SEED}, attempt {attempt}: a mix"
        assert leftovers(out) == [], f"seed {SEED}, attempt {attempt}"
        assert "running" not in statuses(engine).values()
