"""Keep feed secrets out of logs: a feed URL is a password."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

# Whatever follows /cal/ is secret, with or without ".ics" (a URL cut short by a mail client
# or typed in capitals still carries the token).
_FEED_PATH = re.compile(r"/cal/[^/\s?\"']+")
REDACTED = "/cal/<token>"


def redact(text: str) -> str:
    """Replace every feed token in ``text`` by a placeholder."""
    return _FEED_PATH.sub(REDACTED, text)


class RedactFeedTokens(logging.Filter):
    """A logging filter that rewrites the message and its arguments before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up with the redacting filter on both of its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_feed_tokens"] = {"()": RedactFeedTokens}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_feed_tokens")
    return config
