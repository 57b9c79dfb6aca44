"""Typed dependency aliases: routes say what they need, tests swap what sits behind them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.feeds.cache import FeedCache, TokenLookup
from api.feeds.settings import FeedSettings
from models.db import session_scope

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


async def get_now(request: Request) -> datetime:
    """The current time, from the app's clock (tests freeze it)."""
    return request.app.state.clock()


EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[FeedSettings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
FeedCacheDep = Annotated[FeedCache, Depends(get_feed_cache)]
TokenLookupDep = Annotated[TokenLookup, Depends(get_token_lookup)]
