"""A real subscribing client against a live `campus serve` on 127.0.0.1.

vdirsyncer (http storage -> local vdir) subscribes to a trainer's feed URL as printed by
`campus feeds create`, khal lists the sessions; then a re-solve that moves one session and
cancels another is published, and a second sync must show the move (same UID, higher
SEQUENCE) and the cancellation. vdirsyncer and khal live in their own venv (.venv-clients,
made by `make clients`) because their dependencies clash with ours.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import icalendar
import pytest

from models.db import make_engine, session_scope
from models.migrate import upgrade
from tests.feeds.factory import PLAN_1, PLAN_2, T1, T2, add_odd_data, make_run, uid
from tests.feeds.serve import campus_serve, free_port

# The hand-written plans (tests/feeds/factory.py) break hard rules: publish them by override.
HAND = ("--override", "hand-written test plan")
ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / ".venv-clients" / "bin"
CAMPUS = Path(sys.executable).with_name("campus")


def _clients() -> tuple[Path, Path]:
    vdirsyncer, khal = CLIENTS / "vdirsyncer", CLIENTS / "khal"
    if not (vdirsyncer.exists() and khal.exists()):
        reason = "vdirsyncer/khal not installed in .venv-clients (run `make clients`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return vdirsyncer, khal



@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A SQLite campus with two runs, and the environment `campus` runs with."""
    port = free_port()
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        add_odd_data(session)
        make_run(session, PLAN_1, created=T1)
        make_run(session, PLAN_2, created=T2)
    engine.dispose()
    return {
        **os.environ,
        "CAMPUS_DATABASE_URL": url,
        "CAMPUS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CAMPUS_FEED_WEEKS_AFTER": "156",  # the test data lies in 2027, whatever today is
        "PORT": str(port),
    }


def _campus(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(CAMPUS), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[Path]:
    """`campus serve` on a free loopback port; yields its log file."""
    log = tmp_path / "serve.log"
    with campus_serve(env, int(env["PORT"]), log):
        yield log


def _configs(tmp_path: Path, feed_url: str) -> tuple[Path, Path, Path]:
    vdir = tmp_path / "calendars" / "trainer"
    vdir.mkdir(parents=True)
    sync = tmp_path / "vdirsyncer.conf"
    sync.write_text(
        f"""[general]
status_path = "{tmp_path / "status"}/"

[pair trainer_feed]
a = "feed_remote"
b = "feed_local"
collections = null

[storage feed_remote]
type = "http"
url = "{feed_url}"

[storage feed_local]
type = "filesystem"
path = "{vdir}/"
fileext = ".ics"
""",
        encoding="utf-8",
    )
    khal = tmp_path / "khal.conf"
    khal.write_text(
        f"""[calendars]
[[trainer]]
path = {vdir}/
type = calendar
[locale]
default_timezone = Europe/Amsterdam
local_timezone = Europe/Amsterdam
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
[sqlite]
path = {tmp_path / "khal.db"}
""",
        encoding="utf-8",
    )
    return sync, khal, vdir


def _run(*args: object) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "TZ": "Europe/Amsterdam"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _vdir(vdir: Path) -> dict[str, icalendar.Event]:
    """The synced items by their original UID.

    vdirsyncer's http storage replaces every UID by a content hash (it does not trust UIDs
    of http sources), so the original UID is recovered from the URL property we write.
    """
    events = {}
    for item in vdir.glob("*.ics"):
        for ev in icalendar.Calendar.from_ical(item.read_bytes()).walk("VEVENT"):
            # the URL is the signed session page's (.../sessions/<uid>?view=...&sig=...)
            events[unquote(urlsplit(str(ev["URL"])).path.rsplit("/", 1)[1])] = ev
    return events


def _served(feed_url: str) -> dict[str, icalendar.Event]:
    body = httpx.get(feed_url, timeout=10).content
    return {str(ev["UID"]): ev for ev in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _khal(khal: Path, config: Path) -> list[str]:
    out = _run(
        khal, "-c", config, "list", "2027-03-01", "400d",
        "--format", "{start-date} {start-time}-{end-time} {title} [{status}]",
        "--day-format", "",
    )  # fmt: skip
    return [line.strip() for line in out.splitlines() if line.strip()]


def test_vdirsyncer_and_khal_follow_a_publish(
    env: dict[str, str], server: Path, tmp_path: Path
) -> None:
    vdirsyncer, khal = _clients()
    _campus(env, "publish", "1", *HAND)
    created = _campus(env, "feeds", "create", "--trainer", "t-sanne")
    match = re.search(r"(http://127\.0\.0\.1:\d+/cal/[A-Za-z0-9_-]+\.ics)", created)
    assert match is not None, created
    feed_url = match.group(1)
    sync, khal_conf, vdir = _configs(tmp_path, feed_url)

    _run(vdirsyncer, "-c", sync, "discover")
    _run(vdirsyncer, "-c", sync, "sync")
    served_before = _served(feed_url)
    first = _vdir(vdir)
    assert set(first) == {
        uid("r-ws-1", 1), uid("r-gl-1", 1), uid("r-combi", 1), uid("r-bim-1", 1),
        uid("r-bim-1", 2),
    }  # fmt: skip
    page = httpx.get(str(first[uid("r-ws-1", 1)]["URL"]), timeout=10)  # as a synced item has it
    assert page.status_code == 200 and "<h1>Workshop warmtepomp</h1>" in page.text
    listed = _khal(khal, khal_conf)
    assert (
        "2027-03-16 13:00-16:00 Workshop warmtepomp – 3 BB-a (Vmbo College Zuidoost) [CONFIRMED ]"
        in listed
    )
    assert any(line.startswith("2027-10-29 13:00-16:00 BIM: modelleren") for line in listed)
    assert any(line.startswith("2027-11-05 13:00-16:00 BIM: modelleren") for line in listed)
    assert len([line for line in listed if line.startswith("2027-")]) == 5

    published = _campus(env, "publish", *HAND)  # the re-solve: r-ws-1 moves, r-gl-1 is cancelled
    assert "1 moved" in published and "1 cancelled" in published
    synced = _run(vdirsyncer, "-c", sync, "sync")
    assert "Deleting item" in synced and "Copying (uploading) item" in synced
    second = _vdir(vdir)
    assert set(second) == set(first)
    served = _served(feed_url)  # same UID, higher SEQUENCE, new time
    assert int(served[uid("r-ws-1", 1)]["SEQUENCE"]) == 1
    assert int(served_before[uid("r-ws-1", 1)]["SEQUENCE"]) == 0
    assert str(served[uid("r-gl-1", 1)]["STATUS"]) == "CANCELLED"
    moved, before = second[uid("r-ws-1", 1)], first[uid("r-ws-1", 1)]
    assert int(moved["SEQUENCE"]) == int(before["SEQUENCE"]) + 1 == 1
    assert moved["DTSTART"].to_ical() == b"20270318T130000"
    cancelled = second[uid("r-gl-1", 1)]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    listed = _khal(khal, khal_conf)
    assert (
        "2027-03-18 13:00-16:00 Workshop warmtepomp – 3 BB-a (Vmbo College Zuidoost) [CONFIRMED ]"
        in listed
    )
    assert not any(line.startswith("2027-03-16") for line in listed)
    gl = [line for line in listed if line.startswith("2027-03-25")]
    assert len(gl) == 1 and "GEANNULEERD: Gastles" in gl[0] and gl[0].endswith("[CANCELLED ]")

    token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    log = server.read_text()
    assert "GET /cal/<token>" in log and token not in log  # access log, redacted
