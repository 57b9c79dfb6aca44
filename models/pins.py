"""Pins: sessions of the published plan that every later solve keeps exactly where they are.

A pin is stored by request and session number (``pins``), like the calendar UID, so it
survives later publications; where it holds the session is the published session's place,
time and trainers at the moment of the solve. The pins table is the one truth for the
engine: ``with_pins`` marks exactly the pinned sessions of the reference plan (and puts a
pinned session in the reference when the reference run lacks it), whatever the reference
run's own ``Assignment.pinned`` flags say (they record what was pinned when that run was made).

A pin that a later change made impossible (an absence, a closure, a holiday) must never make
the solve infeasible: ``release_broken_pins`` checks every pinned session that has not
started on its own against today's rules (the checks of one session alone, those of
``scheduler.validate.HISTORY_EXEMPT``, with the independent validator) and releases the ones
that break one (or that clash with another pinned session: the later one of the two): the
engine then treats them as ordinary reference sessions (moved as little as possible, or
cancelled), and the run reports them, as a broken running course is reported.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, record
from scheduler import problem as p
from scheduler.solution import Solution, Status
from scheduler.validate import HISTORY_EXEMPT, validate

SessionKey = tuple[str, int]
# The checks of one session on its own (rule 8's list, plus the grid and the duration): a
# pinned session that breaks one of them cannot take place where it is pinned.
ALONE_CHECKS = HISTORY_EXEMPT | {
    ("location_available", "off_grid"),
    ("location_available", "nonexistent_time"),
    ("location_available", "repeated_time"),
    ("solution_shape", "wrong_duration"),
    ("solution_shape", "index_out_of_range"),
    # two pinned sessions that clash since a later change (travel times, a buffer): the later
    # of the two is the one the validator names, and it is released
    ("trainers", "double_booked"),
    ("trainers", "travel_time"),
    ("groups", "double_booked"),
    ("groups", "travel_time"),
    ("location_never_double_booked", "overlap"),
    ("location_never_double_booked", "buffer"),
}


class PinError(ValueError):
    """A pin or unpin that cannot be made: ``missing`` (404) or a ``conflict`` (409)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class BrokenPin:
    """A pinned session that a later change made impossible where it is pinned."""

    uid: str
    request: str
    index: int
    start: datetime  # naive Amsterdam wall time, where it was pinned
    location: str
    rule: str
    check: str
    message: str  # the validator's words (English; a planner reads them in the run log)

    def as_json(self) -> dict[str, object]:
        return {
            "uid": self.uid, "request": self.request, "session": self.index,
            "start": self.start.isoformat(timespec="minutes"), "location": self.location,
            "rule": self.rule, "check": self.check, "message": self.message,
        }  # fmt: skip


def session_uid_of(text: str) -> str:
    """A session named by its calendar UID, or as ``REQUEST#N`` (the CLI's short form)."""
    request, sep, number = text.strip().rpartition("#")
    if sep and "@" not in text and number.isdigit() and request:
        return e.session_uid(request, int(number))
    return text.strip()


def find_published(session: Session, uid: str) -> e.PublishedSession | None:
    """The published session with this calendar UID (confirmed or cancelled), or None."""
    return session.scalars(
        select(e.PublishedSession)
        .where(e.PublishedSession.uid == uid)
        .options(
            selectinload(e.PublishedSession.trainers).selectinload(
                e.PublishedSessionTrainer.trainer
            ),
            selectinload(e.PublishedSession.location),
            selectinload(e.PublishedSession.request),
        )
    ).one_or_none()


def find_pin(session: Session, ps: e.PublishedSession) -> e.Pin | None:
    return session.scalars(
        select(e.Pin).where(
            e.Pin.request_id == ps.request_id, e.Pin.session_index == ps.session_index
        )
    ).one_or_none()


def is_pinned(session: Session, ps: e.PublishedSession) -> bool:
    return find_pin(session, ps) is not None


def pin_session(
    session: Session, uid: str, *, actor: Actor, now: datetime
) -> tuple[e.PublishedSession, bool]:
    """Pin the published session ``uid``; (the session, whether a pin was added).

    Pinning a pinned session changes nothing (and is not audited again). A cancelled
    session cannot be pinned: there is nothing to keep.
    """
    ps = find_published(session, uid)
    if ps is None:
        raise PinError("missing", f"no published session {uid!r}: see the published plan")
    if ps.status != "confirmed":
        raise PinError(
            "conflict", f"session {uid} is cancelled in the published plan: nothing to pin"
        )
    if find_pin(session, ps) is not None:
        return ps, False
    session.add(
        e.Pin(
            request=ps.request,
            session_index=ps.session_index,
            created_at=now,
            created_by=actor.label,
        )
    )
    record(
        session, actor, entity="pin", key=uid, action="create",
        changes={"pinned": [False, True], "start": [None, ps.start.isoformat()],
                 "location": [None, ps.location.key]},
        now=now,
    )  # fmt: skip
    session.flush()
    return ps, True


def unpin_session(session: Session, uid: str, *, actor: Actor, now: datetime) -> bool:
    """Remove the pin of ``uid``; whether there was one (no pin: nothing changes)."""
    ps = find_published(session, uid)
    if ps is None:
        raise PinError("missing", f"no published session {uid!r}: see the published plan")
    pin = find_pin(session, ps)
    if pin is None:
        return False
    session.delete(pin)
    record(
        session, actor, entity="pin", key=uid, action="delete",
        changes={"pinned": [True, False]}, now=now,
    )  # fmt: skip
    session.flush()
    return True


def planned(ps: e.PublishedSession, *, pinned: bool = True) -> p.PlannedSession:
    """A published session as the engine sees a session of a plan."""
    return p.PlannedSession(
        request=p.RequestId(ps.request.key),
        index=ps.session_index,
        location=p.LocationId(ps.location.key),
        trainers=tuple(sorted(p.TrainerId(t.trainer.key) for t in ps.trainers)),
        start=ps.start,
        end=ps.end,
        pinned=pinned,
    )


def pinned_placements(session: Session) -> dict[SessionKey, p.PlannedSession]:
    """Every pin whose session is confirmed in the published plan, at its published place."""
    rows = session.scalars(
        select(e.PublishedSession)
        .join(
            e.Pin,
            (e.Pin.request_id == e.PublishedSession.request_id)
            & (e.Pin.session_index == e.PublishedSession.session_index),
        )
        .where(e.PublishedSession.status == "confirmed")
        .options(
            selectinload(e.PublishedSession.trainers).selectinload(
                e.PublishedSessionTrainer.trainer
            ),
            selectinload(e.PublishedSession.location),
            selectinload(e.PublishedSession.request),
        )
    ).all()
    return {(ps.request.key, ps.session_index): planned(ps) for ps in rows}


def with_pins(
    reference: Sequence[p.PlannedSession],
    pins: Mapping[SessionKey, p.PlannedSession],
    requests: Collection[str],
    *,
    first_day: object = None,
    last_day: object = None,
) -> tuple[p.PlannedSession, ...]:
    """The reference plan with exactly the pinned sessions pinned, at their published place.

    Sessions outside the horizon stay pinned as the bridge pins them (``first_day`` and
    ``last_day`` given); a pin of a session the reference run lacks is added to it.
    """

    def outside(s: p.PlannedSession) -> bool:
        if first_day is None or last_day is None:
            return False
        return not first_day <= s.start.date() <= last_day  # type: ignore[operator]

    out: list[p.PlannedSession] = []
    seen: set[SessionKey] = set()
    for s in reference:
        key = (str(s.request), s.index)
        seen.add(key)
        if key in pins:
            out.append(pins[key])
        else:
            out.append(replace(s, pinned=outside(s)))
    for key, s in sorted(pins.items()):
        if key not in seen and key[0] in requests:
            out.append(s)
    return tuple(out)


def release_broken_pins(
    problem: p.Problem, pinned: Collection[SessionKey]
) -> tuple[p.Problem, tuple[BrokenPin, ...]]:
    """The problem with every pin (of ``pinned``) that breaks a rule on its own released.

    Only sessions that have not started are checked: what started before ``problem.now`` is
    history (rule 8) and stays kept.
    """
    ids = {r.id for r in problem.requests}
    candidates = {
        (str(s.request), s.index): s
        for s in problem.reference
        if s.pinned
        and (str(s.request), s.index) in pinned
        and s.request in ids
        and not (problem.now is not None and s.start < problem.now)
    }
    if not candidates:
        return problem, ()
    with_sessions = {s.request for s in candidates.values()}
    trial = Solution(
        status=Status.FEASIBLE,
        sessions=tuple(candidates.values()),
        unscheduled=tuple(r.id for r in problem.requests if r.id not in with_sessions),
    )
    broken: dict[SessionKey, BrokenPin] = {}
    for v in validate(problem, trial).violations:
        if (v.rule, v.check) not in ALONE_CHECKS or v.request is None:
            continue
        hit = [
            key
            for key in candidates
            if key[0] == v.request and (v.index is None or v.index == key[1])
        ]
        for key in hit:
            s = candidates[key]
            broken.setdefault(
                key,
                BrokenPin(
                    uid=e.session_uid(key[0], key[1]),
                    request=key[0],
                    index=key[1],
                    start=s.start,
                    location=str(s.location),
                    rule=v.rule,
                    check=v.check,
                    message=v.message,
                ),
            )
    if not broken:
        return problem, ()
    reference = tuple(
        replace(s, pinned=False) if (str(s.request), s.index) in broken else s
        for s in problem.reference
    )
    return replace(problem, reference=reference), tuple(broken[k] for k in sorted(broken))
