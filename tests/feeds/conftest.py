"""Fixtures for feed tests: a published campus (SQLite for speed; publish tests use both DBs)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from api.feeds.ical import render_feed
from api.feeds.settings import FeedSettings
from models.db import make_engine, session_scope
from models.feeds import FeedWindow, feed_data, find_subject
from models.migrate import upgrade
from models.publish import publish
from tests.feeds.factory import PLAN_1, PLAN_2, T1, T2, add_odd_data, make_run

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)  # between both publications and the sessions
WINDOW = FeedWindow(weeks_before=4, weeks_after=52, cancelled_days=14)
SETTINGS = FeedSettings(public_url="https://campus.test", window=WINDOW)


class Clock:
    """A settable clock for the app (``create_app(clock=...)``): tests walk time forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def build_campus(engine: Engine, *, republish: bool = False) -> Engine:
    """Load the data, publish plan 1 at T1 and, if asked, the re-solve (plan 2) at T2."""
    upgrade(engine)
    with session_scope(engine) as session:
        add_odd_data(session)
        publish(session, make_run(session, PLAN_1, created=T1), now=T1)
        if republish:
            publish(session, make_run(session, PLAN_2, created=T2), now=T2)
    return engine


@pytest.fixture
def published(tmp_path: Path) -> Engine:
    """SQLite campus with plan 1 published."""
    return build_campus(make_engine(f"sqlite:///{tmp_path / 'feeds.db'}"))


@pytest.fixture
def republished(tmp_path: Path) -> Engine:
    """SQLite campus with plan 1 and then the re-solve published."""
    return build_campus(make_engine(f"sqlite:///{tmp_path / 'feeds.db'}"), republish=True)


Render = Callable[[str, str], bytes]


def renderer(engine: Engine, now: datetime = NOW) -> Render:
    def render(view: str, key: str = "") -> bytes:
        with session_scope(engine) as session:
            data = feed_data(session, find_subject(session, view, key), now=now, window=WINDOW)
            return render_feed(data, base_url=SETTINGS.public_url)

    return render
