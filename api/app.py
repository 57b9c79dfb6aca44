"""The HTTP service: `create_app()` wires settings, database and routers; nothing global."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from api.deps import Clock
from api.feeds.settings import FeedSettings
from api.routes import feeds, health
from models.db import make_engine
from models.runs import expire_stale_runs_now

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, fail the runs whose solve died (their lease expired) before serving."""
    try:
        expire_stale_runs_now(app.state.engine)
    except Exception:  # a busy or unreachable database must not stop the feeds
        log.exception("could not check for solve runs with an expired lease")
    yield


def create_app(
    *,
    engine: Engine | None = None,
    settings: FeedSettings | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """A fresh app; by default on $CAMPUS_DATABASE_URL with settings from the environment."""
    app = FastAPI(
        lifespan=_lifespan,
        title="TIC Planner",
        summary="Calendar feeds of the Technische Installatie Campus.",
        version="0.1.0",
    )
    app.state.engine = engine if engine is not None else make_engine()
    app.state.feed_settings = settings if settings is not None else FeedSettings.from_env()
    app.state.clock = clock or _utc_now
    app.include_router(health.router)
    app.include_router(feeds.router)
    return app
