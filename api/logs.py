"""Keep feed secrets out of logs: a feed URL is a password.

A token reaches the logs in many spellings: the access log writes the raw request target, so
``/%63al/<token>.ics`` (served: the router decodes it), ``/CAL/<token>.ics``,
``/cal//<token>.ics`` or ``/cal/<a>/../<b>.ics`` (404s) all carry it, as do query strings
and URLs quoted in error messages. So redaction does not look for the route but for the
secret: after percent-decoding unreserved characters it removes whatever follows a ``cal``
path segment, and any token-shaped run of characters in a path or URL.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

REDACTED = "/cal/<token>"
PLACEHOLDER = "<token>"

# %XX escapes of unreserved characters (RFC 3986 2.3) mean the same as the character itself;
# decoding only these cannot create spaces, quotes or line breaks in a log line.
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Whatever follows a "cal" segment (any case, any number of slashes) up to the query is secret,
# with or without ".ics", ".." segments or a trailing slash.
_FEED_PATH = re.compile(r"/+cal/+[^\s?#\"']*", re.IGNORECASE)
# Tokens are 43 characters of the URL-safe base64 alphabet; 16 or more such characters in a
# path are treated as (part of) a secret. No route of ours has a segment that long.
_PATH_SECRET = re.compile(r"[A-Za-z0-9_-]{16,}")
# In free text (messages, tracebacks) only runs that look random: upper and lower case and a
# digit, "-" or "_" (so "OperationalError" or "_exception_handler.py" stay readable).
_TEXT_SECRET = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])"
    r"(?=[A-Za-z0-9_-]*[0-9_-])[A-Za-z0-9_-]{20,}"
)
# URLs quoted in free text are request targets: they get the path rules.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]*")


def _decode_unreserved(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else match.group(0)

    return _ESCAPE.sub(one, text) if "%" in text else text


def redact_path(path: str) -> str:
    """A request path or URL without anything that could be a feed token."""
    path = _FEED_PATH.sub(REDACTED, _decode_unreserved(path))
    return _PATH_SECRET.sub(PLACEHOLDER, path)


def redact(text: str) -> str:
    """Replace every feed token in ``text`` (a log message or argument) by a placeholder."""
    text = _URL.sub(lambda m: redact_path(m.group(0)), _decode_unreserved(text))
    return _TEXT_SECRET.sub(PLACEHOLDER, _FEED_PATH.sub(REDACTED, text))


class RedactFeedTokens(logging.Filter):
    """A logging filter that rewrites message, arguments and traceback before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            # (client, method, path with query, HTTP version, status): the path is the target.
            client, method, path, version, status = args
            record.args = (client, method, redact_path(str(path)), version, status)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            items = record.args.items()
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in items}
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text, so the redacted traceback is the one written.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up with the redacting filter on both of its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_feed_tokens"] = {"()": RedactFeedTokens}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_feed_tokens")
    return config
