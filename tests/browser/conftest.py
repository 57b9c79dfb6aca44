"""End-to-end tests in a real browser: headless Chromium driven by Playwright.

One live `campus serve` on a free 127.0.0.1 port serves the whole session, with the
Amsterdam example loaded, planned and published by `campus demo` (what `make demo` does), and
a sign-in key for each role: the planner, a school, a company and a trainer, each of them
with published sessions. The browser is Debian's `chromium` (`.ci/chromium.sh` installs it;
Playwright's own browser download does not work on these machines). Screenshots of the main
views are written to ``out/browser/`` (``TIC_BROWSER_ARTIFACTS`` elsewhere), and a failing
test leaves one of the page it failed on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from models import entities as e
from models.db import session_scope
from models.keys import create_key
from tests.feeds.serve import free_port

ROOT = Path(__file__).parents[2]
CAMPUS = Path(sys.executable).with_name("campus")
CHROMIUM = Path(os.environ.get("TIC_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("TIC_BROWSER_ARTIFACTS", ROOT / "out" / "browser"))
DEMO_WEEK = "2027-W12"  # a demo week with sessions; Sunday 28 March 2027 the clocks go forward
DEMO_MONDAY = datetime(2027, 3, 22)  # its Monday (wall time, as published_sessions.start)

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None


@dataclass(frozen=True)
class Site:
    """The live campus: where it answers, its database, and a key per role."""

    url: str
    db: str
    keys: dict[str, str]  # role -> plain secret
    school: str  # the keys of the partner or trainer each key speaks for
    company: str
    trainer: str


def _serve_log(tmp: Path) -> Path:
    return tmp / "serve.log"


def _pick(db: str) -> tuple[str, str, str]:
    """A school, a company and a trainer that share a published session in ``DEMO_WEEK``, so
    that each of their timetables of that week has a session to click."""
    engine = create_engine(db)
    with session_scope(engine) as session:
        row = session.execute(
            select(e.PublishedSession)
            .join(e.PublishedSessionTrainer)
            .join(e.Location, e.Location.id == e.PublishedSession.location_id)
            .join(e.Partner, e.Partner.id == e.Location.partner_id)
            .where(
                e.PublishedSession.status == "confirmed",
                e.Partner.kind != "school",
                e.PublishedSession.start >= DEMO_MONDAY,
                e.PublishedSession.start < DEMO_MONDAY + timedelta(days=7),
            )
            .order_by(e.PublishedSession.start, e.PublishedSession.id)
        ).scalars().first()
        assert row is not None, f"campus demo published no session at a company in {DEMO_WEEK}"
        school = session.get(e.Partner, row.request.groups[0].group.school_id)
        trainer = row.trainers[0].trainer
        company = session.get(e.Partner, row.location.partner_id)
        assert school is not None and company is not None
        picked = (school.key, company.key, trainer.key)
    engine.dispose()
    return picked


def _keys(db: str, school: str, company: str, trainer: str) -> dict[str, str]:
    engine = create_engine(db)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        keys = {
            "planner": create_key(session, role="planner", now=now, label="Planbureau")[1],
            "school": create_key(session, role="school", partner=school, now=now,
                                 label="Coördinator")[1],
            "company": create_key(session, role="company", partner=company, now=now,
                                  label="Contact")[1],
            "trainer": create_key(session, role="trainer", trainer=trainer, now=now)[1],
        }  # fmt: skip
    engine.dispose()
    return keys


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser")
    db = f"sqlite:///{tmp / 'campus.db'}"
    env = {**os.environ, "CAMPUS_FEED_WEEKS_AFTER": "156"}  # the demo weeks lie in 2027
    made = subprocess.run(
        [str(CAMPUS), "demo", "--db", db, "--out", str(tmp / "feeds"), "--time-limit", "20"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    school, company, trainer = _pick(db)
    keys = _keys(db, school, company, trainer)
    port = free_port()
    log = _serve_log(tmp)
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(CAMPUS), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server, log)
        yield Site(url=url, db=db, keys=keys, school=school, company=company, trainer=trainer)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    import time

    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"campus serve stopped:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"campus serve did not answer /health:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if sync_playwright is None or not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"no browser for the browser tests ({CHROMIUM}); .ci/run installs it")
        pytest.skip(f"no {CHROMIUM} (Debian's chromium package; .ci/chromium.sh installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser window (no cookies) on a laptop-sized screen in Amsterdam."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot(tab, f"failed-{request.node.name}")
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]


def shot(page: Page, name: str) -> Path:
    """A screenshot of the whole page, kept as a test artifact (``out/browser/<name>.png``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, site: Site, role: str) -> None:
    """Sign in at /aanmelden with the key of ``role``, as a person would: type, press Enter."""
    page.goto(f"{site.url}/aanmelden")
    page.get_by_label("Sleutel").fill(site.keys[role])
    page.get_by_label("Sleutel").press("Enter")
    page.wait_for_url(f"{site.url}/rooster")
