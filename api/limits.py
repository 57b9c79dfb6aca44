"""A cap on request bodies under /api: 413 problem+json before a large body is read into memory.

Bodies with a Content-Length above the cap are refused without reading them; chunked bodies
are counted as they arrive, and the route's answer is replaced by the 413 once they pass it.
"""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import API_PREFIX, problem_response

MAX_BODY_BYTES = 1024 * 1024  # far above any JSON body of the API (a window is ~60 bytes)


class _TooLarge(Exception):
    pass


def _too_large() -> str:
    return (
        f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB: send one entity per request"
    )


class BodyLimit:
    """ASGI middleware: the cap for every /api request; other paths pass untouched."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await problem_response(413, _too_large())(scope, receive, send)
            return
        received = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:  # the route's own answer to the aborted read is replaced below
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_TooLarge):  # only if the app let the read error escape
            await self.app(scope, counted, guarded)
        if over and not started:
            await problem_response(413, _too_large())(scope, receive, send)
