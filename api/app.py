"""The HTTP service: `create_app()` wires settings, database and routers; nothing global."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.responses import Response
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from api import openapi, problems, web
from api.deps import Clock
from api.feeds.cache import FeedCache, TokenLookup
from api.feeds.fetches import FetchRecorder
from api.feeds.settings import FeedSettings
from api.limits import BodyLimit
from api.routes import feeds, health, session_page, v1
from models.db import make_engine
from models.runner import LocalProcessRunner, Runner
from models.runs import expire_stale_runs_now

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _relative_slash_redirects(router: Router) -> ASGIApp:
    """The router's fallback: redirect /x/ to /x (or back) with a relative Location.

    Starlette's own redirect writes an absolute URL from what the server saw, i.e. http:// behind
    a TLS proxy, which would send a feed token over plain HTTP; a relative Location keeps the
    client on the scheme and host it used.
    """
    not_found = router.default

    async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path not in ("", "/"):
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            if any(
                route.matches({**scope, "path": other})[0] is not Match.NONE
                for route in router.routes
            ):
                raw = (scope.get("raw_path") or path.encode()).decode("latin-1")
                target = raw.rstrip("/") if path.endswith("/") else raw + "/"
                # Never "//host" or "/\\host": a relative reference must stay on this host.
                location = "/" + target.lstrip("/\\")
                if scope.get("query_string"):
                    location += "?" + scope["query_string"].decode("latin-1")
                await Response(status_code=307, headers={"Location": location})(
                    scope, receive, send
                )
                return
        await not_found(scope, receive, send)

    return fallback


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, fail the runs whose solve died (their lease expired, or the server that
    ran them is gone) before serving; at shutdown, fail and stop the solves still running."""
    try:
        expire_stale_runs_now(app.state.engine)
        for run_id in app.state.runner.recover():
            log.warning("run %d: its server stopped during the solve; marked failed", run_id)
    except Exception:  # a busy or unreachable database must not stop the feeds
        log.exception("could not check for solve runs with an expired lease")
    yield
    app.state.runner.close()
    app.state.token_lookup.close()  # the quick lookup's own connection


def create_app(
    *,
    engine: Engine | None = None,
    settings: FeedSettings | None = None,
    clock: Clock | None = None,
    runner: Runner | None = None,
) -> FastAPI:
    """A fresh app; by default on $CAMPUS_DATABASE_URL with settings from the environment."""
    app = FastAPI(
        title="TIC Planner",
        summary="The HTTP API (/api/v1) and calendar feeds of the Technische Installatie Campus.",
        version="0.1.0",
        redirect_slashes=False,  # see _relative_slash_redirects
        docs_url=None,  # api/openapi.py serves /docs and /redoc without a CDN
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.engine = engine if engine is not None else make_engine()
    app.state.feed_settings = settings if settings is not None else FeedSettings.from_env()
    app.state.clock = clock or _utc_now
    app.state.runner = runner if runner is not None else LocalProcessRunner(app.state.engine)
    app.state.feed_cache = FeedCache(max_seconds=app.state.feed_settings.cache_seconds)
    app.state.token_lookup = TokenLookup(app.state.engine)
    app.state.fetch_recorder = FetchRecorder(app.state.engine)
    app.include_router(health.router)
    app.include_router(feeds.router)
    app.include_router(session_page.router)
    app.include_router(v1.router)
    app.include_router(web.router)
    problems.install(app)
    openapi.install(app)
    app.add_middleware(BodyLimit)
    app.router.default = _relative_slash_redirects(app.router)
    return app
