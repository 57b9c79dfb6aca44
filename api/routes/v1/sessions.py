"""/api/v1/sessions/{uid}/pin and /move: the planner pins and moves published sessions.

Planners only (other roles get 403 before anything is looked up). A session is named by its
calendar UID (``r-ws-1-s1@tic-planner.campus``); one that is not in the published plan is
404. Pins and moves live in models/pins.py and models/moves.py; a move makes a new run and
never publishes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import ConfigDict, Field, field_validator

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.problems import Problem, responses
from api.routes.v1.schemas import KEY_PATTERN, _In, _Out
from models.moves import ManualRun, MoveError, MoveRefused, Refusal
from models.moves import move_session as move_in_plan
from models.pins import PinError, pin_session, unpin_session
from models.words import DEFAULT_LANGUAGE, Language
from scheduler.problem import PlannedSession

router = APIRouter(prefix="/sessions", tags=["sessions"])
WHAT = "pins and moves of sessions"
UID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*-s[0-9]+@[A-Za-z0-9.-]+$"
Uid = Annotated[
    str,
    Path(
        max_length=200,
        pattern=UID_PATTERN,
        description="the session's calendar UID, e.g. r-ws-1-s1@tic-planner.campus",
    ),
]
WALL_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$"
Lang = Annotated[
    Literal["nl", "en"], Query(description="language of the reasons of a refused move")
]


class PlacementOut(_Out):
    """Where and when a session is, in Amsterdam wall time."""

    start: dt.datetime = Field(description="Amsterdam wall time, no offset")
    end: dt.datetime
    location: str
    trainers: list[str]


class PinOut(_Out):
    uid: str
    pinned: bool
    placement: PlacementOut = Field(description="where the pin holds the session")


class MoveIn(_In):
    """Where the session goes; a field left out stays as it is (at least one is needed)."""

    start: str | None = Field(
        default=None,
        pattern=WALL_TIME,
        description="Amsterdam wall time YYYY-MM-DDTHH:MM; the session keeps its duration",
    )
    location: str | None = Field(default=None, max_length=80, pattern=KEY_PATTERN)
    trainers: list[Annotated[str, Field(max_length=80, pattern=KEY_PATTERN)]] | None = Field(
        default=None, min_length=1, max_length=10, description="trainer keys, all of them"
    )

    @field_validator("start")
    @classmethod
    def _wall_time(cls, value: str | None) -> str | None:
        if value is not None:
            dt.datetime.fromisoformat(value)  # a real date and time, or a clear error
        return value


class MoveOut(_Out):
    """The run the move made: review it (GET /api/v1/solves/{run}) and publish it."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    run: int
    session: str = Field(description="the session's UID")
    before: PlacementOut = Field(alias="from")
    after: PlacementOut = Field(alias="to")
    pinned: bool = Field(description="the moved session is pinned")


def placement(s: PlannedSession) -> PlacementOut:
    return PlacementOut(
        start=s.start, end=s.end, location=str(s.location), trainers=[str(t) for t in s.trainers]
    )


def move_out(made: ManualRun) -> MoveOut:
    assert made.after is not None
    return MoveOut(
        run=made.run.id,
        session=made.uid,
        before=placement(made.before),
        after=placement(made.after),
        pinned=True,
    )


def _pin_problem(exc: PinError | MoveError) -> Problem:
    if exc.kind == "missing":
        return Problem(404, exc.reason)
    if exc.kind == "conflict":
        return Problem(409, exc.reason)
    path = getattr(exc, "path", "$")
    return Problem(422, exc.reason, errors=[{"in": "body", "path": path, "reason": exc.reason}])


def refused(exc: MoveRefused, lang: Language = DEFAULT_LANGUAGE) -> Problem:
    """422 with every broken rule in words (``reasons``; ``errors`` carries the same)."""
    reasons = [r.as_json(lang) for r in exc.refusals]
    first: Refusal = exc.refusals[0]
    more = f" (and {len(reasons) - 1} more, see 'reasons')" if len(reasons) > 1 else ""
    return Problem(
        422,
        f"moving {exc.uid} breaks a hard rule: {first.rule}/{first.check}: {first.message}"
        f"{more}; nothing was stored",
        errors=[{"in": "body", "path": "$", "reason": r["text"]} for r in reasons],
        extensions={"reasons": reasons},
    )


@router.post("/{uid}/pin", operation_id="pinSession", responses=responses(401, 403, 404, 409, 503))
def post_pin(uid: Uid, session: ApiSessionDep, principal: PrincipalDep, now: NowDep) -> PinOut:
    """Pin a session of the published plan: every later solve keeps it where it is."""
    require_role(principal, "planner", what=WHAT)
    try:
        ps, _added = pin_session(session, uid, actor=actor_of(principal), now=now)
    except PinError as exc:
        raise _pin_problem(exc) from None
    return PinOut(
        uid=ps.uid,
        pinned=True,
        placement=PlacementOut(
            start=ps.start,
            end=ps.end,
            location=ps.location.key,
            trainers=sorted(t.trainer.key for t in ps.trainers),
        ),
    )


@router.delete(
    "/{uid}/pin",
    operation_id="unpinSession",
    status_code=204,
    responses=responses(401, 403, 404, 503),
)
def delete_pin(uid: Uid, session: ApiSessionDep, principal: PrincipalDep, now: NowDep) -> Response:
    """Remove a session's pin (a session without one: nothing changes)."""
    require_role(principal, "planner", what=WHAT)
    try:
        unpin_session(session, uid, actor=actor_of(principal), now=now)
    except PinError as exc:
        raise _pin_problem(exc) from None
    return Response(status_code=204)


@router.post(
    "/{uid}/move",
    operation_id="moveSession",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_move(
    uid: Uid,
    body: MoveIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    lang: Lang = DEFAULT_LANGUAGE,
) -> MoveOut:
    """Move a published session by hand; checked against every hard rule. The answer is
    the new run (not published): review and publish it like any other."""
    require_role(principal, "planner", what=WHAT)
    if body.start is None and body.location is None and body.trainers is None:
        raise Problem(
            422,
            "a move needs a start, a location or trainers",
            errors=[{"in": "body", "path": "$", "reason": "give start, location or trainers"}],
        )
    try:
        made = move_in_plan(
            session,
            uid,
            start=dt.datetime.fromisoformat(body.start) if body.start else None,
            location=body.location,
            trainers=body.trainers,
            actor=actor_of(principal),
            now=now,
        )
    except MoveError as exc:
        raise _pin_problem(exc) from None
    except MoveRefused as exc:
        raise refused(exc, lang) from None
    response.headers["Location"] = f"/api/v1/solves/{made.run.id}"
    return move_out(made)
