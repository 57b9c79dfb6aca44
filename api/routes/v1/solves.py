"""/api/v1/solves: the planner reviews solve runs and their sessions before publishing.

Starting, following and cancelling a solve is api/routes/v1/solve_jobs.py. These routes are
read-only and for planners only: other roles get 403 (the role may never use these
endpoints). A run that does not exist is 404. Session times are Amsterdam wall time.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ApiSessionDep, PrincipalDep, require_role
from api.problems import Problem, responses
from api.routes.v1.schemas import DEFAULT_PAGE, KEY_PATTERN, MAX_OFFSET, MAX_PAGE
from models.bridge import HorizonError
from models.runs_read import RunSession, RunSummary, find_run, list_runs, run_sessions

router = APIRouter(prefix="/solves", tags=["solves"])
WHAT = "solve runs"
MAX_ID = 2**31 - 1  # the id column is a 32-bit integer
WEEK_PATTERN = r"^[0-9]{4}-W[0-9]{2}$"
RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="the run's id")]
# The filters of a run's sessions, its diff and `campus runs show|diff`.
SchoolFilter = Annotated[
    str | None, Query(max_length=80, pattern=KEY_PATTERN, description="a school's key")
]
LocationFilter = Annotated[
    str | None, Query(max_length=80, pattern=KEY_PATTERN, description="a location's key")
]
WeekFilter = Annotated[
    str | None, Query(pattern=WEEK_PATTERN, description="an ISO week, e.g. 2027-W13")
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ProgressOut(_Out):
    """How far a solve is: live while it runs (written at most twice a second)."""

    elapsed_seconds: float | None = Field(
        description="seconds since the solve started (its solving time once ended; null: queued)"
    )
    objective: float | None = Field(description="the best plan's objective so far (lower: better)")
    bound: float | None = Field(description="no plan can be better than this")
    gap: float | None = Field(description="(objective - bound) / objective, 0 when proven")
    placed: int | None = Field(description="requests with a session in the best plan so far")
    requests: int | None = Field(description="requests in the run's snapshot")
    group_travel_minutes: int | None = Field(
        default=None,
        description="minutes groups travel from home to the sessions of the best plan so far "
        "(as the run's summary counts them; null: not reported)",
    )
    trainer_travel_minutes: int | None = Field(
        default=None,
        description="minutes trainers travel from home to the sessions of the best plan so far "
        "(as the run's summary counts them; null: not reported)",
    )
    updated_at: dt.datetime | None = Field(description="when progress was last written (UTC)")


class SolveOut(_Out):
    """One solve run with its figures."""

    id: int
    created_at: dt.datetime = Field(description="when the run was made (UTC)")
    status: str = Field(
        description="queued, running, optimal, feasible, infeasible, unknown, failed, cancelled"
    )
    first_week: str = Field(description="first ISO week of the horizon, e.g. 2027-W12")
    last_week: str
    weeks: int = Field(description="weeks in the horizon")
    time_limit_seconds: float | None
    objective: int | None
    scheduled: int | None = Field(description="requests scheduled completely (null: unknown)")
    requests: int | None = Field(description="requests the run planned (null: unknown)")
    sessions: int = Field(description="sessions the run placed")
    published_versions: list[int] = Field(description="publication versions of this run")
    in_force: bool = Field(description="this run is the published plan in force")
    snapshot_at: dt.datetime | None = Field(
        default=None, description="when the solve took its snapshot of the data (UTC)"
    )
    cancel_requested_at: dt.datetime | None = Field(
        default=None, description="when a cancel was asked for (UTC)"
    )
    progress: ProgressOut | None = Field(default=None, description="live progress")


class SolvePage(_Out):
    items: list[SolveOut]
    total: int
    limit: int
    offset: int


class SolveSessionOut(_Out):
    """One session of a run, in Amsterdam wall time."""

    request: str
    session: int = Field(description="1 for the first session of the request")
    activity: str = Field(description="the activity type's code")
    date: dt.date
    week: str = Field(description="ISO week of the date, e.g. 2027-W13")
    start: str = Field(description="Amsterdam wall time, HH:MM")
    end: str = Field(description="Amsterdam wall time, HH:MM")
    location: str = Field(description="the location's key")
    location_name: str
    trainers: list[str] = Field(description="trainer keys")
    groups: list[str] = Field(description="group keys")
    schools: list[str] = Field(description="school keys")
    pinned: bool


class SolveSessionPage(_Out):
    run: int
    items: list[SolveSessionOut]
    total: int
    limit: int
    offset: int


def solve_out(run: RunSummary) -> SolveOut:
    return SolveOut(
        id=run.id,
        created_at=run.created_at,
        status=run.status,
        first_week=run.first_week,
        last_week=run.last_week,
        weeks=run.weeks,
        time_limit_seconds=run.time_limit_seconds,
        objective=run.objective,
        scheduled=run.scheduled,
        requests=run.requests,
        sessions=run.sessions,
        published_versions=list(run.published_versions),
        in_force=run.in_force,
        snapshot_at=run.snapshot_at,
        cancel_requested_at=run.cancel_requested_at,
        progress=ProgressOut(**vars(run.progress)) if run.progress is not None else None,
    )


def session_out(item: RunSession) -> SolveSessionOut:
    year, week, _ = item.start.isocalendar()
    return SolveSessionOut(
        request=item.request,
        session=item.session,
        activity=item.activity,
        date=item.start.date(),
        week=f"{year}-W{week:02d}",
        start=f"{item.start:%H:%M}",
        end=f"{item.end:%H:%M}",
        location=item.location,
        location_name=item.location_name,
        trainers=list(item.trainers),
        groups=list(item.groups),
        schools=list(item.schools),
        pinned=item.pinned,
    )


def missing_run(run_id: int) -> Problem:
    """The 404 of every /solves/{id} route for a run that does not exist."""
    return Problem(404, f"no solve run {run_id}: check the id (GET /api/v1/solves lists them)")


@router.get("", operation_id="listSolves", responses=responses(401, 403, 422))
def get_solves(
    session: ApiSessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SolvePage:
    """Every solve run, newest first, a page at a time."""
    require_role(principal, "planner", what=WHAT)
    page = list_runs(session, limit=limit, offset=offset)
    return SolvePage(
        items=[solve_out(run) for run in page.items], total=page.total, limit=limit, offset=offset
    )


@router.get("/{run_id}", operation_id="getSolve", responses=responses(401, 403, 404, 422))
def get_solve(run_id: RunId, session: ApiSessionDep, principal: PrincipalDep) -> SolveOut:
    """One solve run with its figures, status and live progress."""
    require_role(principal, "planner", what=WHAT)
    run = find_run(session, run_id)
    if run is None:
        raise missing_run(run_id)
    return solve_out(run)


@router.get(
    "/{run_id}/sessions",
    operation_id="listSolveSessions",
    responses=responses(401, 403, 404, 422),
)
def get_solve_sessions(
    run_id: RunId,
    session: ApiSessionDep,
    principal: PrincipalDep,
    school: SchoolFilter = None,
    location: LocationFilter = None,
    week: WeekFilter = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SolveSessionPage:
    """The run's sessions by start time, filtered by school, location and ISO week."""
    require_role(principal, "planner", what=WHAT)
    if find_run(session, run_id) is None:
        raise missing_run(run_id)
    try:
        page = run_sessions(
            session, run_id, school=school, location=location, week=week,
            limit=limit, offset=offset,
        )  # fmt: skip
    except HorizonError as exc:
        raise Problem(
            422, f"week: {exc}", errors=[{"in": "query", "path": "week", "reason": str(exc)}]
        ) from None
    return SolveSessionPage(
        run=run_id,
        items=[session_out(item) for item in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )
