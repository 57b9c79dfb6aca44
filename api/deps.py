"""Typed dependency aliases: routes say what they need, tests swap what sits behind them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.feeds.cache import FeedCache, TokenLookup
from api.feeds.fetches import FetchRecorder
from api.feeds.settings import FeedSettings
from api.problems import Problem
from models import entities as e
from models.audit import Actor
from models.db import session_scope
from models.entities import LANGUAGES
from models.keys import Principal, authenticate
from models.words import DEFAULT_LANGUAGE, Language, language

Clock = Callable[[], datetime]


# The plain getters are async so FastAPI calls them inline instead of in a worker thread.
async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with session_scope(request.app.state.engine) as session:
        yield session


async def get_settings(request: Request) -> FeedSettings:
    return request.app.state.feed_settings


async def get_feed_cache(request: Request) -> FeedCache:
    return request.app.state.feed_cache


async def get_token_lookup(request: Request) -> TokenLookup:
    return request.app.state.token_lookup


async def get_fetch_recorder(request: Request) -> FetchRecorder:
    return request.app.state.fetch_recorder


async def get_now(request: Request) -> datetime:
    """The current time, from the app's clock (tests freeze it)."""
    return request.app.state.clock()


EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[FeedSettings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
FeedCacheDep = Annotated[FeedCache, Depends(get_feed_cache)]
TokenLookupDep = Annotated[TokenLookup, Depends(get_token_lookup)]
FetchRecorderDep = Annotated[FetchRecorder, Depends(get_fetch_recorder)]


# --- who is asking (the HTTP API under /api/v1) -----------------------------------------

# The API's transaction ends before the response is sent ("function" scope): a request-scoped
# session commits only after the response went out, so a failed commit would follow a 201
# that promised a change the database never kept. Here a failed commit is the answer (503).
ApiSessionDep = Annotated[Session, Depends(get_session, scope="function")]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key made with `campus keys create` (docs/api.md).",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def get_principal(
    session: ApiSessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The key's principal, or 401: no key, a wrong one, a revoked or an expired one."""
    if credentials is None:
        raise Problem(
            401,
            "no API key: send 'Authorization: Bearer <key>' (campus keys create makes one)",
            headers=_CHALLENGE,
        )
    principal = authenticate(session, credentials.credentials, now=now)
    if principal is None:
        raise Problem(
            401,
            "the API key is unknown, revoked or expired: ask a planner for a new one",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(principal: Principal, *roles: str, what: str) -> None:
    """403 when the role may never use ``what``; it reveals nothing about any entity."""
    if principal.role not in roles:
        raise Problem(
            403,
            f"a {principal.role} key may not use {what} (allowed: {', '.join(roles)})",
        )


def actor_of(principal: Principal) -> Actor:
    """The audit's "who" for a key: its role and label (never the secret)."""
    return Actor(role=principal.role, label=principal.label, key_id=principal.key_id)


def reader_language(session: Session, principal: Principal) -> Language:
    """The language a key's reader gets words in: its partner's preference, else Dutch."""
    if principal.partner is None:
        return DEFAULT_LANGUAGE
    stored = session.scalar(select(e.Partner.language).where(e.Partner.key == principal.partner))
    return language(stored) if stored in LANGUAGES else DEFAULT_LANGUAGE
