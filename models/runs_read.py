"""Solve runs as the planner reviews them: every run with its figures, and a run's sessions.

Read-only. A run's figures come from its row, with how many requests it scheduled out of how
many it planned (columns since migration 0012, which filled them in from the logs of older
runs; a run without them, written by hand or failed early, says ``None``), and the live
progress a solving process writes (models/run_watch.py). Assignment times are stored as
naive Europe/Amsterdam wall time and are returned as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.bridge import parse_week
from models.feeds import as_utc
from models.publish import current_publication
from models.runs import utc_now


@dataclass(frozen=True)
class RunProgress:
    """How far a solve is: live while it runs, its last report once it ended."""

    elapsed_seconds: float | None  # since the solve started; None while queued
    objective: float | None  # the incumbent's objective (None: no plan yet)
    bound: float | None
    gap: float | None
    placed: int | None  # requests with a session in the incumbent (None: not reported)
    # the incumbent's travel minutes as the summary counts them (None: not reported)
    group_travel_minutes: int | None
    trainer_travel_minutes: int | None
    requests: int | None  # requests in the run's snapshot
    updated_at: datetime | None  # when the solving process last wrote progress (UTC)


@dataclass(frozen=True)
class RunSummary:
    """One run as the list shows it."""

    id: int
    created_at: datetime  # aware, UTC
    status: str
    first_week: str
    last_week: str
    weeks: int
    time_limit_seconds: float | None
    objective: int | None
    scheduled: int | None  # requests scheduled completely
    requests: int | None  # requests the run planned
    sessions: int
    published_versions: tuple[int, ...]  # every publication of this run, oldest first
    in_force: bool  # the run of the publication in force
    snapshot_at: datetime | None = None  # when the solve took its data (UTC)
    cancel_requested_at: datetime | None = None
    progress: RunProgress | None = None


@dataclass(frozen=True)
class RunSession:
    """One session of a run, in Amsterdam wall time."""

    request: str
    session: int
    activity: str
    start: datetime  # naive Amsterdam wall time
    end: datetime
    location: str
    location_name: str
    trainers: tuple[str, ...]  # trainer keys
    groups: tuple[str, ...]  # group keys
    schools: tuple[str, ...]  # school (partner) keys
    pinned: bool


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


def _elapsed(run: e.SolveRun, now: datetime) -> float | None:
    if run.status == "running" and run.snapshot_at is not None:
        return round(max(0.0, (now - as_utc(run.snapshot_at)).total_seconds()), 1)
    if run.status not in e.ACTIVE_RUN_STATUSES and run.wall_seconds is not None:
        return round(run.wall_seconds, 3)
    return run.progress_seconds if run.status not in e.ACTIVE_RUN_STATUSES else None


def run_progress(run: e.SolveRun, *, now: datetime | None = None) -> RunProgress:
    """The run's progress as its row holds it (``now`` for the elapsed time of a live run)."""
    return RunProgress(
        elapsed_seconds=_elapsed(run, as_utc(now or utc_now())),
        objective=run.progress_objective,
        bound=run.progress_bound,
        gap=run.progress_gap,
        placed=run.progress_placed,
        group_travel_minutes=run.progress_group_travel,
        trainer_travel_minutes=run.progress_trainer_travel,
        requests=run.requests_total,
        updated_at=as_utc(run.progress_at) if run.progress_at is not None else None,
    )


def _weeks(first_week: str, last_week: str) -> int:
    return (parse_week(last_week) - parse_week(first_week)).days // 7 + 1


def _summaries(session: Session, runs: list[e.SolveRun]) -> list[RunSummary]:
    ids = [run.id for run in runs]
    versions: dict[int, list[int]] = {}
    for run_id, version in session.execute(
        select(e.Publication.run_id, e.Publication.version)
        .where(e.Publication.run_id.in_(ids))
        .order_by(e.Publication.version)
    ):
        versions.setdefault(run_id, []).append(version)
    sessions = dict(
        session.execute(  # type: ignore[arg-type]
            select(e.Assignment.run_id, func.count())
            .where(e.Assignment.run_id.in_(ids))
            .group_by(e.Assignment.run_id)
        ).all()
    )
    current = current_publication(session)
    out = []
    for run in runs:
        limit = (run.parameters or {}).get("time_limit_seconds")
        out.append(
            RunSummary(
                id=run.id,
                created_at=as_utc(run.created_at),
                status=run.status,
                first_week=run.first_week,
                last_week=run.last_week,
                weeks=_weeks(run.first_week, run.last_week),
                time_limit_seconds=float(limit) if isinstance(limit, int | float) else None,
                objective=run.objective,
                scheduled=run.requests_scheduled,
                requests=run.requests_total,
                sessions=sessions.get(run.id, 0),
                published_versions=tuple(versions.get(run.id, [])),
                in_force=current is not None and current.run_id == run.id,
                snapshot_at=as_utc(run.snapshot_at) if run.snapshot_at is not None else None,
                cancel_requested_at=(
                    as_utc(run.cancel_requested_at) if run.cancel_requested_at else None
                ),
                progress=run_progress(run),
            )
        )
    return out


def list_runs(session: Session, *, limit: int, offset: int) -> Page[RunSummary]:
    """Every run, newest first."""
    total = session.scalar(select(func.count()).select_from(e.SolveRun)) or 0
    runs = session.scalars(
        select(e.SolveRun).order_by(e.SolveRun.id.desc()).limit(limit).offset(offset)
    ).all()
    return Page(_summaries(session, list(runs)), total)


def find_run(session: Session, run_id: int) -> RunSummary | None:
    run = session.get(e.SolveRun, run_id, populate_existing=True)
    return _summaries(session, [run])[0] if run is not None else None


def _filtered(
    run_id: int, school: str | None, location: str | None, week: str | None
) -> Select[tuple[e.Assignment]]:
    query = select(e.Assignment).where(e.Assignment.run_id == run_id)
    if school is not None:
        query = query.where(
            e.Assignment.request.has(
                e.Request.groups.any(
                    e.RequestGroup.group.has(e.Group.school.has(e.Partner.key == school))
                )
            )
        )
    if location is not None:
        query = query.where(e.Assignment.location.has(e.Location.key == location))
    if week is not None:
        monday = datetime.combine(parse_week(week), datetime.min.time())
        query = query.where(
            e.Assignment.start >= monday, e.Assignment.start < monday + timedelta(days=7)
        )
    return query


def run_sessions(
    session: Session,
    run_id: int,
    *,
    school: str | None = None,
    location: str | None = None,
    week: str | None = None,
    limit: int,
    offset: int,
) -> Page[RunSession]:
    """The run's sessions by start time, of one school, location or ISO week if asked.

    ``week`` is ``YYYY-Www``; a text that is not one raises ``HorizonError``.
    """
    query = _filtered(run_id, school, location, week)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.join(e.Assignment.location)
        .join(e.Assignment.request)
        .options(
            selectinload(e.Assignment.location),
            selectinload(e.Assignment.trainers).selectinload(e.AssignmentTrainer.trainer),
            selectinload(e.Assignment.request).selectinload(e.Request.activity_type),
            selectinload(e.Assignment.request)
            .selectinload(e.Request.groups)
            .selectinload(e.RequestGroup.group)
            .selectinload(e.Group.school),
        )
        .order_by(e.Assignment.start, e.Location.key, e.Request.key, e.Assignment.session_index)
        .limit(limit)
        .offset(offset)
    ).all()
    items = []
    for a in rows:
        groups = sorted(a.request.groups, key=lambda rg: rg.position)
        items.append(
            RunSession(
                request=a.request.key,
                session=a.session_index,
                activity=a.request.activity_type.code,
                start=a.start,
                end=a.end,
                location=a.location.key,
                location_name=a.location.name,
                trainers=tuple(t.trainer.key for t in a.trainers),
                groups=tuple(rg.group.key for rg in groups),
                schools=tuple(sorted({rg.group.school.key for rg in groups})),
                pinned=a.pinned,
            )
        )
    return Page(items, total)
