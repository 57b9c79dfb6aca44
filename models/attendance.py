"""What actually happened: a trainer or planner marks a past session held or not held.

One mark per published session (``session_attendance``), changed by marking again. A mark is
refused, with the reason, for a session that has not started yet (Amsterdam wall time), for a
cancelled one, and for an attended number that is missing, zero or above the headcount of
the session's groups. Every mark is audited as entity ``attendance``, key the session's UID.
Scope: a trainer marks only sessions they teach (others are "missing" to them); the caller
decides the role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, diff, record
from models.feeds import as_utc

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class AttendanceError(ValueError):
    """A mark that cannot be stored; ``status`` is the HTTP answer, ``field`` the bad input."""

    def __init__(self, message: str, *, status: int, field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Mark:
    """A session with its mark (None: not marked yet)."""

    session: e.PublishedSession
    attendance: e.SessionAttendance | None


def wall_time(now: datetime) -> datetime:
    """``now`` (aware) as naive Amsterdam wall time, as session times are stored."""
    return as_utc(now).astimezone(AMSTERDAM).replace(tzinfo=None)


def group_size(ps: e.PublishedSession) -> int:
    """How many pupils the session's groups have together (today's headcounts)."""
    return sum(rg.group.headcount for rg in ps.request.groups)


def find_session(session: Session, uid: str, *, trainer: str | None = None) -> Mark | None:
    """The published session ``uid`` with its mark; None if missing or, for ``trainer``, not
    one they teach (the same answer, so a trainer learns nothing of other sessions)."""
    ps = session.scalars(
        select(e.PublishedSession)
        .where(e.PublishedSession.uid == uid)
        .options(selectinload(e.PublishedSession.trainers))
    ).first()
    if ps is None:
        return None
    if trainer is not None and trainer not in {t.trainer.key for t in ps.trainers}:
        return None
    row = session.scalars(
        select(e.SessionAttendance).where(e.SessionAttendance.published_session_id == ps.id)
    ).first()
    return Mark(ps, row)


def _check(ps: e.PublishedSession, held: bool, attended: int | None, now: datetime) -> None:
    if ps.status == "cancelled":
        raise AttendanceError(
            f"session {ps.uid} is cancelled in the published plan: there is nothing to mark",
            status=409,
        )
    if ps.start > wall_time(now):
        raise AttendanceError(
            f"session {ps.uid} starts {ps.start:%Y-%m-%d %H:%M} (Amsterdam time), which is "
            "still to come: mark it once it has started",
            status=409,
        )
    size = group_size(ps)
    if not held:
        if attended:
            raise AttendanceError(
                f"a session that was not held has no attendance (got {attended}): leave "
                "attended out",
                status=422,
                field="attended",
            )
        return
    if attended is None:
        raise AttendanceError(
            "a held session needs the number who attended", status=422, field="attended"
        )
    if attended < 1:
        raise AttendanceError(
            f"{attended} attended: a session nobody came to was not held (mark it not held)",
            status=422,
            field="attended",
        )
    if attended > size:
        groups = ", ".join(f"{rg.group.key} {rg.group.headcount}" for rg in ps.request.groups)
        raise AttendanceError(
            f"{attended} attended is more than the {size} pupils in the session's groups "
            f"({groups}): check the number, or correct the groups' headcount first",
            status=422,
            field="attended",
        )


def mark_attendance(
    session: Session,
    mark: Mark,
    *,
    held: bool,
    attended: int | None,
    actor: Actor,
    now: datetime,
    by: str = "",
    as_of: datetime | None = None,
) -> tuple[e.SessionAttendance, bool]:
    """Store (or change) the mark, audited; returns the row and whether it was created.

    ``by`` is who the mark shows as its author (default: the actor's label); ``as_of`` is
    the moment the "has it started" check uses (default ``now``; `campus attendance --now`).

    The caller checks If-Match for a change; the row's version guards the race (412).
    """
    ps = mark.session
    _check(ps, held, attended, as_of or now)
    value = attended if held else None
    by = by or actor.label or actor.role
    row = mark.attendance
    if row is None:
        row = e.SessionAttendance(
            published_session_id=ps.id,
            held=held,
            attended=value,
            marked_at=as_utc(now),
            marked_by=by,
        )
        session.add(row)
        record(session, actor, entity="attendance", key=ps.uid, action="create",
               changes={"held": [None, held], "attended": [None, value]}, now=now)  # fmt: skip
        session.flush()
        return row, True
    changes = diff({"held": row.held, "attended": row.attended}, {"held": held, "attended": value})
    if changes:
        row.held, row.attended = held, value
        row.marked_at, row.marked_by = as_utc(now), by
        record(session, actor, entity="attendance", key=ps.uid, action="update",
               changes=changes, now=now)  # fmt: skip
        session.flush()
    return row, False
