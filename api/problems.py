"""Errors of the HTTP API as RFC 9457 problem details (``application/problem+json``).

Every route raises ``Problem``; request validation, unknown routes and wrong methods under
/api are turned into the same shape here, so every 4xx says what went wrong and what to fix.
Validation problems add ``errors``: one entry per field, with where it is (``in``: body,
query, path, header), its JSON path (``$.end``; the parameter's name outside the body) and the
reason in words. Routes outside /api (feeds, /health) keep their own plain answers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from models.db import is_transient
from models.scenario import validation_reason  # the scenario files' words
from models.text import excerpt

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"
TYPE_PREFIX = "urn:tic-planner:problem:"
TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    428: "precondition-required",
    500: "internal-error",
    503: "busy",
}

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    """One bad field of a request."""

    in_: str = Field(alias="in", description="body, query, path or header")
    path: str = Field(description="JSON path in the body ($.end), else the parameter's name")
    reason: str


class ProblemDetails(BaseModel):
    """The body of every 4xx and 5xx under /api (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    sessions: list[dict[str, Any]] | None = Field(
        default=None,
        description="409 of a change under the published plan: the sessions it would break",
    )


class Problem(Exception):
    """An answer other than success, raised anywhere under a route."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        errors: Sequence[dict[str, str]] = (),
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.errors = list(errors)
        self.extensions = extensions or {}


def problem_response(
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: Sequence[dict[str, str]] = (),
    extensions: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + TYPES.get(status, "error"),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = list(errors)
    body.update(extensions or {})
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _where(loc: Sequence[int | str]) -> tuple[str, str]:
    """('body', '$.windows[0].end') or ('query', 'limit') from a pydantic location."""
    if not loc:
        return "body", "$"
    place, rest = str(loc[0]), list(loc[1:])
    if place != "body":
        return place, ".".join(str(part) for part in rest) or place
    path = "$"
    for part in rest:
        if isinstance(part, int):
            path += f"[{part}]"
        elif str(part).isidentifier():
            path += f".{part}"
        else:  # a misspelled field may hold anything: quote it, escaped and short
            path += f"[{excerpt(str(part))}]"
    return "body", path


def field_reason(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field: remove it (docs/api.md lists the fields)"
    if kind == "json_invalid":
        return f"is not valid JSON ({error.get('ctx', {}).get('error', 'syntax error')})"
    if kind == "missing" and tuple(error["loc"]) == ("body",):
        return "a JSON body is required"
    if kind == "model_attributes_type":
        return f"must be a JSON object (got {excerpt(error.get('input'))})"
    return validation_reason(error)


def field_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        place, path = _where(error["loc"])
        if error["type"] == "json_invalid":
            path = "$"
        out.append({"in": place, "path": path, "reason": field_reason(error)})
    return out


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(
        exc.status, exc.detail, headers=exc.headers, errors=exc.errors, extensions=exc.extensions
    )


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _is_api(request):
        return await request_validation_exception_handler(request, exc)
    errors = field_errors(exc.errors())
    first = errors[0] if errors else {"path": "$", "reason": "is invalid"}
    more = f" (and {len(errors) - 1} more, see errors)" if len(errors) > 1 else ""
    return problem_response(422, f"{first['path']}: {first['reason']}{more}", errors=errors)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_api(request):
        return await http_exception_handler(request, exc)
    if exc.status_code == 404:
        detail = f"no API endpoint {request.url.path}: docs/api.md lists them"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    else:
        detail = str(exc.detail)
    return problem_response(exc.status_code, detail, headers=dict(exc.headers or {}))


async def _on_stale(request: Request, exc: Exception) -> Response:
    """Two writers read the same version; the other one's update came first."""
    return problem_response(
        412,
        "someone else changed this while your change was on its way, and nothing of yours was "
        "written: GET it again and re-apply your change with the new ETag",
    )


async def _on_database(request: Request, exc: Exception) -> Response:
    """A busy database (lock, serialization failure) is 503: the request may simply be sent again.

    Everything else that escapes a route is a bug: logged, and answered 500 without details.
    """
    if not _is_api(request):
        raise exc  # the feeds and /health keep their own handling
    if isinstance(exc, DBAPIError) and is_transient(exc):
        log.warning("%s %s: database busy, answered 503", request.method, request.url.path)
        return problem_response(
            503,
            "the database was busy and nothing was changed: send the request again",
            headers={"Retry-After": "1"},
        )
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "an internal error; nothing was changed (it is logged)")


def install(app: FastAPI) -> None:
    """Register the handlers; the next API resources raise ``Problem`` and get the same shape."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(DBAPIError, _on_database)
    app.add_exception_handler(StaleDataError, _on_stale)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the problem statuses an operation really returns."""
    return {
        status: {
            "model": ProblemDetails,
            "description": HTTPStatus(status).phrase,
            "content": {MEDIA_TYPE: {}},
        }
        for status in statuses
    }
