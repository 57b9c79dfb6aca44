"""Optimistic concurrency for /api/v1: ETag out, If-Match in, 412 when someone came first.

An entity's ETag is its row version (models/entities.py ``Versioned``), quoted; a resource
made of several rows (a location with its equipment) may combine versions with ``etag_of``.
Updates and deletes need ``If-Match``: without one the answer is 428 (the client must read
first), with a stale one 412 and nothing is written. The check here catches the common case
early; the version in the UPDATE's WHERE clause catches the race in between (StaleDataError,
answered 412 by api.problems).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from api.problems import Problem
from models.entities import Versioned

# Routes declare it last with ``= None``: a missing header is answered 428, not 422.
IfMatchDep = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag from the last GET of this entity; required for changes.",
    ),
]


def etag_of(*rows: Versioned) -> str:
    """The strong ETag of a resource made of ``rows`` (one row: its version)."""
    return '"' + ".".join(str(row.version) for row in rows) + '"'


def set_etag(response: Response, *rows: Versioned) -> None:
    response.headers["ETag"] = etag_of(*rows)


def check_if_match(if_match: str | None, *rows: Versioned, what: str) -> None:
    """428 without If-Match, 412 when it names another version than the stored one."""
    if if_match is None:
        raise Problem(
            428,
            f"changing {what} needs an If-Match header with the ETag of your last GET of it, "
            "so that nobody's change is overwritten unseen",
        )
    current = etag_of(*rows)
    offered = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in offered and current not in offered:
        raise Problem(
            412,
            f"{what} was changed since you read it (its ETag is now {current}): "
            "GET it again, re-apply your change and send it with the new ETag",
            headers={"ETag": current},
        )
