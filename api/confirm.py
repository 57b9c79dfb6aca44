"""The 409-unless-confirmed rule for changes that break sessions of the published plan.

A company that closes a hall, or a trainer who reports an absence, under a published
session gets 409 listing those sessions; sending the same change again with
``?confirm=true`` makes it, and marks each session for re-planning (models/impact.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Query

from api.problems import Problem
from models import entities as e
from models.impact import describe

# Routes declare it as ``confirm: ConfirmDep = False``.
ConfirmDep = Annotated[
    bool,
    Query(
        description=(
            "true: make the change even though it breaks sessions of the published plan; "
            "they are marked for re-planning"
        )
    ),
]


def confirm_or_409(rows: Sequence[e.PublishedSession], confirm: bool, *, what: str) -> None:
    """409 with the sessions ``rows`` unless ``confirm``; nothing to do when there are none."""
    if not rows or confirm:
        return
    sessions = [
        {
            "uid": s.uid,
            "request": s.request,
            "session": s.session_index,
            "location": s.location,
            "start": s.start.isoformat(timespec="minutes"),
            "end": s.end.isoformat(timespec="minutes"),
            "trainers": list(s.trainers),
        }
        for s in map(describe, rows)
    ]
    raise Problem(
        409,
        f"{what} would break {len(rows)} session(s) of the published plan (listed in "
        "'sessions', Amsterdam wall time): send it again with ?confirm=true to make it and have "
        "those sessions re-planned, or change it so they keep their time",
        extensions={"sessions": sessions},
    )
