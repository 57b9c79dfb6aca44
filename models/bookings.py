"""What a company reads of the published plan: the bookings at its locations and the
sessions that its (or a planner's) confirmed changes sent back for re-planning.

Scope follows models/locations.py: a planner sees everything, a company only what lies at
its own partner's locations. Bookings show what the host needs (time, activity, headcount,
trainers), never the school's contact data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.keys import Principal

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


def _page(session: Session, query: Select[tuple[T]], *, limit: int, offset: int) -> Page[T]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Page(list(session.scalars(query.limit(limit).offset(offset))), total or 0)


def participants(row: e.PublishedSession) -> int:
    """The headcount of the groups a session is for."""
    return sum(rg.group.headcount for rg in row.request.groups)


def bookings_at(
    session: Session,
    location: e.Location,
    *,
    week: date | None,
    limit: int,
    offset: int,
) -> Page[e.PublishedSession]:
    """Confirmed sessions of the published plan at ``location``, by start; ``week`` is the
    Monday of an ISO week to keep only that week's sessions."""
    query = (
        select(e.PublishedSession)
        .where(
            e.PublishedSession.location_id == location.id,
            e.PublishedSession.status == "confirmed",
        )
        .options(
            selectinload(e.PublishedSession.request).selectinload(e.Request.activity_type),
            selectinload(e.PublishedSession.request)
            .selectinload(e.Request.groups)
            .selectinload(e.RequestGroup.group),
            selectinload(e.PublishedSession.trainers).selectinload(
                e.PublishedSessionTrainer.trainer
            ),
        )
        .order_by(e.PublishedSession.start, e.PublishedSession.uid)
    )
    if week is not None:
        first = datetime.combine(week, datetime.min.time())
        query = query.where(
            e.PublishedSession.start >= first,
            e.PublishedSession.start < first + timedelta(days=7),
        )
    return _page(session, query, limit=limit, offset=offset)


def open_marks(
    session: Session, principal: Principal, *, limit: int, offset: int
) -> Page[e.ReplanMark]:
    """Unresolved re-planning marks in scope (a company: those at its own locations), oldest
    first."""
    query = (
        select(e.ReplanMark)
        .join(e.ReplanMark.published_session)
        .join(e.PublishedSession.location)
        .join(e.Location.partner)
        .where(e.ReplanMark.resolved_at.is_(None))
        .options(
            selectinload(e.ReplanMark.published_session).selectinload(e.PublishedSession.request),
            selectinload(e.ReplanMark.published_session).selectinload(e.PublishedSession.location),
        )
        .order_by(e.ReplanMark.created_at, e.ReplanMark.id)
    )
    if principal.role == "company" and principal.partner:
        query = query.where(e.Partner.key == principal.partner)
    elif principal.role != "planner":
        query = query.where(False)  # nobody else reads marks (the API refuses them earlier)
    return _page(session, query, limit=limit, offset=offset)
