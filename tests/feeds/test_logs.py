"""Feed tokens never reach a log line, whatever spelling of the URL a client sends.

The live test starts the real `campus serve` (uvicorn with our logging set-up), sends the
variants of issue 22 (an encoded path that is served, wrong case, double slash, dot
segments, a trailing slash) and reads what the server wrote.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.logs import RedactFeedTokens, redact, redact_path
from models.db import make_engine, session_scope
from models.feeds import create_token
from tests.feeds.conftest import NOW, SETTINGS, build_campus
from tests.feeds.serve import campus_serve, free_port

TOKEN = "xxujZGpjoa-28awgpISum4Sv8By6T0VffMCLiPyCHxM"  # the shape secrets.token_urlsafe gives


def _encoded(text: str) -> str:
    return "".join(f"%{ord(c):02X}" for c in text)


VARIANTS = [
    f"/cal/{TOKEN}.ics",
    f"/%63al/{TOKEN}.ics",
    f"/c%61l/{TOKEN}.ics",
    f"/CAL/{TOKEN}.ics",
    f"/Cal/{TOKEN}.ICS",
    f"/cal//{TOKEN}.ics",
    f"//cal/{TOKEN}.ics",
    f"/cal/abc/../{TOKEN}.ics",
    f"/cal/{TOKEN}.ics/",
    f"/cal/{TOKEN}",
    f"/cal/{_encoded(TOKEN)}.ics",
    f"/x%2Fcal%2F{TOKEN}.ics",
    f"/cal/{TOKEN}.ics?again={TOKEN}",
    f"/health?token={TOKEN}",
    f"/nothing/here/{TOKEN}.ics",
    f"/cal/{TOKEN[:20]}",  # cut short by a mail client: still mostly secret
]


@pytest.mark.parametrize("path", VARIANTS)
def test_redact_path_removes_the_token_in_every_spelling(path: str) -> None:
    redacted = redact_path(path)
    assert TOKEN[:16] not in redacted and TOKEN[-16:] not in redacted
    assert "<token>" in redacted


def test_redaction_keeps_ordinary_paths_and_words() -> None:
    for path in ("/health", "/docs", "/openapi.json", "/docs/oauth2-redirect"):
        assert redact_path(path) == path
    text = 'OperationalError on published_sessions in File "/x/_exception_handler.py", line 3'
    assert redact(text) == text
    assert redact(f"see https://campus.test/cal/{TOKEN}.ics now") == (
        "see https://campus.test/cal/<token> now"
    )
    assert TOKEN not in redact(f"no such feed {TOKEN}")  # a bare token in free text


def test_filter_redacts_access_records_and_tracebacks() -> None:
    access = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", f"/CAL/{TOKEN}.ics", "1.1", 404), None,
    )  # fmt: skip
    assert RedactFeedTokens().filter(access)
    assert access.getMessage() == '127.0.0.1:5 - "GET /cal/<token> HTTP/1.1" 404'
    try:
        raise ValueError(f"bad request for /cal/{TOKEN}.ics")
    except ValueError:
        error = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application", (),
            sys.exc_info(),
        )  # fmt: skip
    handler_output = logging.Formatter()
    assert RedactFeedTokens().filter(error)
    assert TOKEN not in handler_output.format(error)
    assert "ValueError: bad request for /cal/<token>" in handler_output.format(error)


def test_trailing_slash_redirect_is_relative(published: Engine) -> None:
    with session_scope(published) as session:
        token = create_token(session, "school", "vmbo-zuidoost", now=NOW - timedelta(days=1))[1]
    client = TestClient(create_app(engine=published, settings=SETTINGS, clock=lambda: NOW))
    r = client.get(f"/cal/{token}.ics/?x=1", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == f"/cal/{token}.ics?x=1"  # no scheme, no host
    assert client.get(f"/cal/{token}.ics/").status_code == 200  # followed, it is the feed
    assert client.get("/health/", follow_redirects=False).headers["location"] == "/health"
    assert client.get("/nothing/", follow_redirects=False).status_code == 404
    # the path "//health/" itself (a bare "//health/" would be a URL of host "health"): never
    # redirected to "//health", which a browser reads as another host
    assert client.get("http://testserver//health/", follow_redirects=False).status_code == 404


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """`campus serve` on a free port over a published campus: (base URL, token, log file)."""
    port = free_port()
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = build_campus(make_engine(url))
    with session_scope(engine) as session:
        token = create_token(session, "school", "vmbo-zuidoost", now=NOW)[1]
    engine.dispose()
    env = {**os.environ, "CAMPUS_DATABASE_URL": url, "CAMPUS_FEED_WEEKS_AFTER": "156"}
    log = tmp_path / "serve.log"
    with campus_serve(env, port, log):
        yield f"http://127.0.0.1:{port}", token, log


def test_live_server_logs_no_token_for_any_variant(live: tuple[str, str, Path]) -> None:
    base, token, log = live
    expected = {
        f"/%63al/{token}.ics": 200,  # decoded by the router: served
        f"/cal/{_encoded(token)}.ics": 200,
        f"/CAL/{token}.ics": 404,
        f"/cal//{token}.ics": 404,
        f"/cal/abc/../{token}.ics": 404,
        f"/cal/{token}.ics/": 307,
        f"/cal/{token}.ics?t={token}": 200,
        f"/elsewhere/{token}": 404,
    }
    with httpx.Client(base_url=base, timeout=10) as client:
        for path, status in expected.items():
            # Sent as written: httpx would normalise "..", so the target goes in raw.
            r = client.send(httpx.Request("GET", base, extensions={"target": path.encode()}))
            assert r.status_code == status, path
            if status == 307:
                assert r.headers["location"] == f"/cal/{token}.ics"
    deadline = time.monotonic() + 5  # the access log is written after the response
    while log.read_text().count('HTTP/1.1"') < len(expected) + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    text = log.read_text()
    assert text.count('HTTP/1.1"') >= len(expected) + 1, text
    assert token[:16] not in text and token[-16:] not in text, text
    assert text.count("/cal/<token>") >= 7
