"""Which sessions of the published plan a change would break, and marking them for re-planning.

Companies and trainers change their availability themselves (the HTTP API). A change that
takes away time under a published session is not made silently: the API answers 409 with
those sessions, and only a confirmed change goes through, with each session marked here so
the planner sees it and the next solve re-plans it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor
from models.notices import sessions_hit


@dataclass(frozen=True)
class AffectedSession:
    """A published session as the 409 answer and the planner show it (wall time)."""

    uid: str
    request: str
    session_index: int
    location: str
    start: datetime
    end: datetime
    trainers: tuple[str, ...]


def upcoming_published(
    session: Session,
    *,
    now_wall: datetime,
    location_id: int | None = None,
    trainer_id: int | None = None,
) -> list[e.PublishedSession]:
    """Confirmed published sessions that have not started yet, at a location or of a trainer."""
    query = (
        select(e.PublishedSession)
        .where(e.PublishedSession.status == "confirmed", e.PublishedSession.start >= now_wall)
        .options(
            selectinload(e.PublishedSession.request),
            selectinload(e.PublishedSession.location),
            selectinload(e.PublishedSession.trainers).selectinload(
                e.PublishedSessionTrainer.trainer
            ),
        )
        .order_by(e.PublishedSession.start, e.PublishedSession.uid)
    )
    if location_id is not None:
        query = query.where(e.PublishedSession.location_id == location_id)
    if trainer_id is not None:
        query = query.where(
            e.PublishedSession.trainers.any(e.PublishedSessionTrainer.trainer_id == trainer_id)
        )
    return list(session.scalars(query))


def affected(
    rows: Iterable[e.PublishedSession], breaks: Callable[[e.PublishedSession], bool]
) -> list[e.PublishedSession]:
    """The rows for which ``breaks`` (the change's own test: still inside a window?) holds."""
    return [row for row in rows if breaks(row)]


def describe(row: e.PublishedSession) -> AffectedSession:
    return AffectedSession(
        uid=row.uid,
        request=row.request.key,
        session_index=row.session_index,
        location=row.location.key,
        start=row.start,
        end=row.end,
        trainers=tuple(t.trainer.key for t in row.trainers),
    )


def mark_for_replanning(
    session: Session,
    rows: Iterable[e.PublishedSession],
    *,
    reason: str,
    actor: Actor,
    now: datetime,
) -> list[e.ReplanMark]:
    """One open mark per session (a session already marked and unresolved is not marked twice),
    and one planner alert about all of them."""
    rows = list(rows)
    open_marks = set(
        session.scalars(
            select(e.ReplanMark.published_session_id).where(
                e.ReplanMark.published_session_id.in_([r.id for r in rows]),
                e.ReplanMark.resolved_at.is_(None),
            )
        )
    )
    marks = [
        e.ReplanMark(
            published_session_id=row.id,
            reason=reason[:300],
            created_at=now,
            actor_label=actor.label,
        )
        for row in rows
        if row.id not in open_marks
    ]
    session.add_all(marks)
    # The planners are told at once, about every session the change hits (models/notices.py).
    who = actor.label or actor.role
    sessions_hit(session, rows, cause="replan", reason=reason, actor_label=who, now=now)
    return marks
