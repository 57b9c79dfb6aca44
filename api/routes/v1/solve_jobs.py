"""Solving in the background: POST /api/v1/solves, its server-sent events, DELETE to cancel.

Planners only (any other key: 403). A POST claims the horizon and commits the run as
``queued`` before the runner (models/runner.py, on ``app.state.runner``) gets its id, so
the answer (202) always names a run the database holds; the solve runs in its own process
and the API stays responsive. Everything a client follows (status, progress, the cancel
request) is read from the run's row.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.problems import Problem, responses
from api.routes.v1.solves import WHAT, RunId, SolveOut, missing_run, solve_out
from models.audit import record
from models.bridge import Horizon, HorizonError
from models.db import session_scope
from models.planning import HorizonBusy, ReferenceRunError, new_run, rolling_horizon
from models.runner import RunFinished, Runner, request_cancel
from models.runs import expire_stale_runs_now, mark_failed
from models.runs_read import RunSummary, find_run
from models.settings import load_settings
from scheduler import SolveOptions
from scheduler.timegrid import from_aware

router = APIRouter(prefix="/solves", tags=["solves"])
POLL_SECONDS = 0.5  # how often an event stream reads the run's row
KEEP_ALIVE_SECONDS = 15.0  # a comment line this often keeps proxies from closing a quiet stream
EXPIRE_EVERY_POLLS = 10  # a stream also fails runs whose lease expired (a dead worker)
WEEKS_PATTERN = r"^\s*[0-9]{4}-W[0-9]{2}\s*(\.\.\s*[0-9]{4}-W[0-9]{2}\s*)?$"


class SolveIn(BaseModel):
    """A solve to start, as `campus solve` takes it."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    weeks: str | None = Field(
        default=None,
        max_length=40,
        pattern=WEEKS_PATTERN,
        description="ISO weeks to plan: 2027-W12..2027-W15, or one week 2027-W12; "
        "give weeks or rolling",
    )
    rolling: bool = Field(
        default=False,
        description="the weekly re-plan instead of weeks: from the coming ISO week (the first "
        "Monday after today, Amsterdam time) for the campus settings' horizon_weeks, within "
        "the school year (as `campus solve --rolling`)",
    )
    time_limit: float = Field(default=30.0, gt=0, le=3600, description="seconds the solver may use")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="random seed of the search")
    gap: float = Field(default=0.0, ge=0, lt=1, description="stop at this relative gap, e.g. 0.01")
    reference: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="keep close to this run instead of the published plan (e.g. a run whose "
        "publish was refused), so little moves",
    )


def get_runner(request: Request) -> Runner:
    return request.app.state.runner


@router.post(
    "",
    operation_id="startSolve",
    status_code=202,
    responses=responses(401, 403, 409, 413, 422, 503),
)
def post_solve(
    body: SolveIn,
    request: Request,
    response: Response,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> SolveOut:
    """Start a solve in the background: 202 with the queued run; follow it with GET or events.

    Sessions before the moment of this request stay where they are (as `campus solve --now`).
    409 when a queued or running solve overlaps the horizon (one at a time per horizon).
    """
    require_role(principal, "planner", what=WHAT)
    if body.rolling == (body.weeks is not None):
        reason = "give either weeks or rolling: true (one of them)"
        raise Problem(
            422, f"$.weeks: {reason}", errors=[{"in": "body", "path": "$.weeks", "reason": reason}]
        )
    try:
        if body.weeks is not None:
            horizon = Horizon.parse(body.weeks)
        else:
            horizon = rolling_horizon(load_settings(session), from_aware(now).date())
    except HorizonError as exc:
        path = "$.weeks" if body.weeks is not None else "$.rolling"
        raise Problem(
            422, f"{path}: {exc}", errors=[{"in": "body", "path": path, "reason": str(exc)}]
        ) from None
    options = SolveOptions(
        time_limit_seconds=body.time_limit, seed=body.seed, relative_gap=body.gap
    )
    runner = get_runner(request)
    try:
        run = new_run(
            session, horizon, options, now=from_aware(now), status="queued", runner=runner.name,
            reference=body.reference,
        )  # fmt: skip
    except HorizonBusy as exc:
        raise Problem(409, str(exc), extensions={"run": exc.run_id}) from None
    except ReferenceRunError as exc:
        raise Problem(
            422, f"$.reference: {exc}",
            errors=[{"in": "body", "path": "$.reference", "reason": str(exc)}],
        ) from None  # fmt: skip
    record(
        session, actor_of(principal), entity="solve_run", key=str(run.id), action="create",
        changes={
            "weeks": [None, str(horizon)], "rolling": [None, body.rolling],
            "time_limit": [None, body.time_limit],
            "seed": [None, body.seed], "gap": [None, body.gap],
            "reference": [None, body.reference],
        },
        now=now,
    )  # fmt: skip
    run_id = run.id
    session.commit()  # the runner's process must find the run
    try:
        runner.submit(run_id)
    except Exception as exc:
        mark_failed(request.app.state.engine, run_id, f"the runner could not start it: {exc}")
        raise Problem(
            503, f"run {run_id} could not be started ({exc}); it is marked failed"
        ) from None
    found = find_run(session, run_id)
    assert found is not None
    response.headers["Location"] = f"/api/v1/solves/{run_id}"
    return solve_out(found)


@router.delete(
    "/{run_id}",
    operation_id="cancelSolve",
    status_code=202,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def delete_solve(
    run_id: RunId, request: Request, session: ApiSessionDep, principal: PrincipalDep, now: NowDep
) -> SolveOut:
    """Cancel a queued or running solve: 202; it ends as ``cancelled`` within seconds.

    A queued run is cancelled at once; a running one when its solving process sees the
    request (about once a second). Nothing of a cancelled run is stored. 409 when the run
    has already ended.
    """
    require_role(principal, "planner", what=WHAT)
    try:
        outcome = request_cancel(session, run_id, now=now)
    except RunFinished as exc:
        raise Problem(409, str(exc), extensions={"run_status": exc.status}) from None
    if outcome is None:
        raise missing_run(run_id)
    record(
        session, actor_of(principal), entity="solve_run", key=str(run_id), action="update",
        changes={"cancel_requested_at": [None, outcome.requested_at.isoformat()]}, now=now,
    )  # fmt: skip
    session.commit()
    get_runner(request).cancel(run_id)
    found = find_run(session, run_id)
    assert found is not None
    return solve_out(found)


def _event(name: str, data: dict[str, Any], number: int) -> str:
    return f"id: {number}\nevent: {name}\ndata: {json.dumps(data, default=str)}\n\n"


def _progress_data(run: RunSummary) -> dict[str, Any]:
    body = solve_out(run).model_dump(mode="json")
    return {
        "id": run.id,
        "status": run.status,
        "cancel_requested_at": body["cancel_requested_at"],
        **(body["progress"] or {}),
    }


async def run_events(engine: Engine, run_id: int) -> AsyncIterator[str]:
    """Progress events while the run is queued or running, then its summary; then the end."""

    def read() -> RunSummary | None:
        with session_scope(engine) as session:
            return find_run(session, run_id)

    number, polls, last_sent = 0, 0, None
    quiet = 0.0
    while True:
        run = await anyio.to_thread.run_sync(read)
        if run is None:  # deleted meanwhile (a removal of its data)
            return
        if run.status not in ("queued", "running"):
            number += 1
            yield _event("summary", solve_out(run).model_dump(mode="json"), number)
            return
        seen = (run.status, run.cancel_requested_at, run.progress and run.progress.updated_at)
        if seen != last_sent:
            number += 1
            last_sent, quiet = seen, 0.0
            yield _event("progress", _progress_data(run), number)
        elif quiet >= KEEP_ALIVE_SECONDS:
            quiet = 0.0
            yield ": keep-alive\n\n"
        polls += 1
        if polls % EXPIRE_EVERY_POLLS == 0:  # a dead worker's run ends, so does the stream
            await anyio.to_thread.run_sync(expire_stale_runs_now, engine)
        await anyio.sleep(POLL_SECONDS)
        quiet += POLL_SECONDS


@router.get(
    "/{run_id}/events",
    operation_id="streamSolveEvents",
    responses={
        200: {
            "description": "server-sent events: `progress` while the run is queued or running "
            "(its status and progress), then one `summary` (the run as GET returns it); then "
            "the stream ends",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **responses(401, 403, 404, 422),
    },
    response_class=StreamingResponse,
)
def get_solve_events(
    run_id: RunId, request: Request, session: ApiSessionDep, principal: PrincipalDep
) -> StreamingResponse:
    """Follow a run as server-sent events; a run that has ended gives just its summary."""
    require_role(principal, "planner", what=WHAT)
    if find_run(session, run_id) is None:
        raise missing_run(run_id)
    return StreamingResponse(
        run_events(request.app.state.engine, run_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )

