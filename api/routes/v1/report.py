"""/api/v1/report: the yearly report for planners, as JSON or (Accept: text/csv) as CSV.

The same numbers as `campus report --year` (models/report.py says what counts); the web page
of a later issue shows them. Other roles get 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ApiSessionDep, PrincipalDep, require_role
from api.problems import Problem, responses
from models.report import ReportError, report_csv, report_dict, school_year, year_report

router = APIRouter(tags=["report"])
CSV_TYPE = "text/csv; charset=utf-8"


class ReportRowOut(BaseModel):
    """One row: the campus, a school or a host, for one audience."""

    model_config = ConfigDict(frozen=True)

    scope: str = Field(description="campus, school or host (the company that gives it)")
    key: str = Field(description="the partner's key; empty for the campus")
    name: str
    audience: str = Field(description="the activity types' audience: vmbo, mbo, job_seekers...")
    target: int | None = Field(description="the campus's yearly target (campus rows only)")
    met: bool | None = Field(description="reached >= target (null: no target)")
    reached: int = Field(description="pupils reached (each group once, at its best share)")
    groups_reached: int
    sessions_held: int
    sessions_not_held: int
    sessions_unmarked: int = Field(description="sessions without a mark (planned or not marked)")
    pupils_unmarked: int = Field(description="pupils of groups not reached yet that have one")


class ReportOut(BaseModel):
    """The report of one school year."""

    model_config = ConfigDict(frozen=True)

    year: str
    first: dt.date
    last: dt.date
    rows: list[ReportRowOut]


@router.get(
    "/report",
    operation_id="getYearReport",
    response_model=ReportOut,
    responses={
        200: {
            "description": "the report (JSON, or CSV with Accept: text/csv)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **responses(401, 403, 422),
    },
)
def get_report(
    request: Request,
    session: ApiSessionDep,
    principal: PrincipalDep,
    year: Annotated[str, Query(max_length=9, description="the school year, e.g. 2026-2027")],
) -> ReportOut | Response:
    """Pupils reached per audience against the targets, per school and host company."""
    require_role(principal, "planner", what="the yearly report")
    try:
        made = year_report(session, school_year(session, year))
    except ReportError as exc:
        raise Problem(
            422, f"year: {exc}", errors=[{"in": "query", "path": "year", "reason": str(exc)}]
        ) from None
    if "text/csv" in request.headers.get("accept", ""):
        filename = f"tic-report-{made.year.label}.csv"
        return Response(
            report_csv(made),
            media_type=CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return ReportOut.model_validate(report_dict(made))
