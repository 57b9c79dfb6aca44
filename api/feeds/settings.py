"""Feed configuration from the environment, in one frozen object passed to whoever needs it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

from models.feeds import FeedWindow

DEFAULT_PUBLIC_URL = "https://campus.example.org"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"${name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"${name} must not be negative")
    return value


@dataclass(frozen=True)
class FeedSettings:
    """Everything that shapes a feed and its URL; see docs/feeds.md, "Configuration"."""

    public_url: str = DEFAULT_PUBLIC_URL
    refresh: timedelta = timedelta(hours=1)
    window: FeedWindow = field(default_factory=FeedWindow)
    revoked_days: int = 14
    max_age_seconds: int = 900
    # How long the server keeps a rendered feed before it renders it again although nothing
    # was published: names, addresses and contacts loaded without a publish show up then.
    cache_seconds: int = 300

    @classmethod
    def from_env(cls) -> FeedSettings:
        """Read the CAMPUS_* variables; unset ones keep the defaults."""
        return cls(
            public_url=(os.environ.get("CAMPUS_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
            refresh=timedelta(minutes=max(1, _int("CAMPUS_FEED_REFRESH_MINUTES", 60))),
            window=FeedWindow(
                weeks_before=_int("CAMPUS_FEED_WEEKS_BEFORE", 4),
                weeks_after=_int("CAMPUS_FEED_WEEKS_AFTER", 26),
                cancelled_days=_int("CAMPUS_FEED_CANCELLED_DAYS", 14),
            ),
            revoked_days=_int("CAMPUS_FEED_REVOKED_DAYS", 14),
            cache_seconds=_int("CAMPUS_FEED_CACHE_SECONDS", 300),
        )

    def feed_url(self, token: str) -> str:
        return f"{self.public_url}/cal/{token}.ics"

    def webcal_url(self, token: str) -> str:
        """The same URL with webcal://, which makes browsers hand it to the calendar app."""
        url = self.feed_url(token)
        return "webcal://" + url.split("://", 1)[1]
