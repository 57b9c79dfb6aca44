"""The OpenAPI document as the app really answers, and the /docs and /redoc pages offline.

FastAPI's generated document is corrected in one place rather than route by route, so the
routes other modules add are covered too:

- every 4xx/5xx under /api is ``application/problem+json`` with the ``ProblemDetails``
  schema (api/problems.py turns validation errors into problems, so FastAPI's own
  ``HTTPValidationError`` never goes out),
- every /api operation may answer 503 (a busy database, api/problems.py) and every one with
  a request body 413 (api/limits.py), whatever the route declared,
- the 422 FastAPI adds by itself is dropped where no input can fail validation (a path
  parameter that is any text), so the document lists only what can happen.

The pages load Swagger UI and ReDoc from files shipped in the ``fastapi-offline`` package,
served by the app under /docs/assets: they work on a campus network without internet.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

from api.problems import API_PREFIX, MEDIA_TYPE

ASSETS_URL = "/docs/assets"
PROBLEM_REF = "#/components/schemas/ProblemDetails"
FASTAPI_ONLY = ("HTTPValidationError", "ValidationError")  # never sent: see module docstring
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _problem(status: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or HTTPStatus(status).phrase,
        "content": {MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    }


def _cannot_fail(operation: dict[str, Any]) -> bool:
    """No body, and every parameter a path parameter that accepts any text."""
    if "requestBody" in operation:
        return False
    for parameter in operation.get("parameters", []):
        schema = {k: v for k, v in parameter.get("schema", {}).items() if k != "title"}
        if parameter.get("in") != "path" or schema != {"type": "string"}:
            return False
    return True


def _fix_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    declared_422 = responses.get("422", {}).get("description") != "Validation Error"
    if "422" in responses and not declared_422 and _cannot_fail(operation):
        del responses["422"]  # FastAPI's own, for input that cannot be invalid
    if not path.startswith(API_PREFIX):
        return
    if "requestBody" in operation:
        responses.setdefault("413", {})
    responses.setdefault("503", {"description": "the database was busy: send it again"})
    for code, response in responses.items():
        if code[0] in "45":
            description = response.get("description")
            if code == "422" and description == "Validation Error":
                description = None
            responses[code] = _problem(int(code), description)


def _uses(document: dict[str, Any], name: str) -> bool:
    return f'"#/components/schemas/{name}"' in json.dumps(document)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with the corrections above; built once per app."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                _fix_operation(path, item[method])
    schemas = document.get("components", {}).get("schemas", {})
    for name in FASTAPI_ONLY:  # in this order: the first refers to the second
        if name in schemas and not _uses(document, name):
            del schemas[name]
    app.openapi_schema = document
    return document


def install(app: FastAPI) -> None:
    """The corrected /openapi.json, and /docs (Swagger UI) and /redoc served offline.

    Create the app with ``docs_url=None, redoc_url=None``: these pages replace FastAPI's,
    which load their scripts from a CDN.
    """
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    assets = files("fastapi_offline") / "static"
    app.mount(ASSETS_URL, StaticFiles(directory=str(assets)), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            # No validator badge: it would send the document to validator.swagger.io.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - API",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,  # fonts from Google would be fetched from the internet
        )
