"""Manual changes of the published plan: a validated move, and a plan without one session.

Both make a new run (a ``SolveRun`` with status ``feasible`` and no solve behind it) whose
plan is the published plan as subscribers see it (every confirmed published session) with
that one change; it goes through the same review and publish as any solved run and is not
published by the move itself. Its horizon spans the plan's sessions, so publishing it
cancels nothing but what it leaves out. ``parameters`` say what it is (``kind``:
``manual_move`` or ``manual_cancel``), by whom, from which publication and run.

A move is checked against every hard rule with the independent validator
(``scheduler.validate``) on today's data: the published plan with the session moved, against
the same plan unmoved. It is refused when a violation concerns the moved session, or when
the move adds one anywhere (a clash it causes for another session); violations the plan
already had elsewhere (an absence entered since publishing) do not block it. The moved
session is pinned (models/pins.py): the pin holds at the published place, so once the move is
published later solves keep it where it was moved to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, record
from models.bridge import Horizon, build_problem
from models.pins import find_pin, find_published, planned
from models.publish import current_publication
from models.words import DEFAULT_LANGUAGE, Language, move_violation, session_words
from scheduler import problem as p
from scheduler.solution import Solution, Status
from scheduler.timegrid import from_aware
from scheduler.validate import Report, Violation, validate

SessionKey = tuple[str, int]


class MoveError(ValueError):
    """A change that cannot be asked: ``missing`` (404), ``conflict`` (409) or ``invalid``
    input (422, with the field's ``path``)."""

    def __init__(self, kind: str, reason: str, path: str = "$") -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class Refusal:
    """One hard rule the move would break, with the sessions it clashes with."""

    rule: str
    check: str
    message: str  # the validator's English
    clashes: tuple[SessionKey, ...]
    clash_words: dict[str, tuple[str, ...]]  # language -> the clashing sessions in words

    def text(self, lang: Language = DEFAULT_LANGUAGE) -> str:
        return move_violation(
            self.rule, self.check, self.message, self.clash_words.get(lang, ()), lang
        )

    def as_json(self, lang: Language = DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "check": self.check,
            "message": self.message,
            "text": self.text(lang),
            "lang": lang,
            "clashes": [f"{r}#{i}" for r, i in self.clashes],
        }


class MoveRefused(ValueError):
    """The move breaks hard rules: nothing was stored."""

    def __init__(self, uid: str, refusals: Sequence[Refusal]) -> None:
        super().__init__(f"moving {uid} breaks {len(refusals)} hard rule(s)")
        self.uid = uid
        self.refusals = tuple(refusals)


@dataclass(frozen=True)
class ManualRun:
    run: e.SolveRun
    uid: str
    before: p.PlannedSession
    after: p.PlannedSession | None  # None: the session is left out (cancelled)


def _plan(session: Session) -> tuple[e.Publication, list[e.PublishedSession]]:
    publication = current_publication(session)
    if publication is None:
        raise MoveError("conflict", "nothing is published yet: publish a run first")
    rows = session.scalars(
        select(e.PublishedSession)
        .where(e.PublishedSession.status == "confirmed")
        .options(
            selectinload(e.PublishedSession.trainers).selectinload(
                e.PublishedSessionTrainer.trainer
            ),
            selectinload(e.PublishedSession.location),
            selectinload(e.PublishedSession.request).selectinload(e.Request.activity_type),
        )
        .order_by(e.PublishedSession.start, e.PublishedSession.uid)
    ).all()
    kept = [ps for ps in rows if ps.request.status not in ("withdrawn", "declined")]
    return publication, kept


def _confirmed(session: Session, uid: str) -> e.PublishedSession:
    ps = find_published(session, uid)
    if ps is None:
        raise MoveError("missing", f"no published session {uid!r}: see the published plan")
    if ps.status != "confirmed":
        raise MoveError("conflict", f"session {uid} is cancelled in the published plan")
    return ps


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _horizon(days: Iterable[date]) -> Horizon:
    ordered = sorted(days)
    return Horizon(_week(ordered[0]), _week(ordered[-1]))


def _key(s: p.PlannedSession) -> SessionKey:
    return (str(s.request), s.index)


def _solution(problem: p.Problem, sessions: Sequence[p.PlannedSession]) -> Solution:
    """A plan as a Solution of ``problem``: requests without sessions unscheduled, those with
    some but not all of them incomplete (as a stored run reads back)."""
    ids = {r.id for r in problem.requests}
    mine = tuple(sorted((s for s in sessions if s.request in ids), key=_key))
    have: dict[str, set[int]] = {}
    for s in mine:
        have.setdefault(str(s.request), set()).add(s.index)
    return Solution(
        status=Status.FEASIBLE,
        sessions=mine,
        unscheduled=tuple(r.id for r in problem.requests if r.id not in have),
        incomplete=tuple(
            r.id
            for r in problem.requests
            if r.id in have and len(have[r.id]) < problem.activity(r.activity).sessions
        ),
    )


def _signature(v: Violation) -> tuple[Any, ...]:
    return (v.rule, v.check, v.request, v.index, tuple(sorted(v.related)))


def _concerns(v: Violation, key: SessionKey) -> bool:
    if v.request is None:
        return False
    if (str(v.request), v.index) == key or key in {(str(r), i) for r, i in v.related}:
        return True
    return str(v.request) == key[0] and v.index is None


def _new_violations(before: Report, after: Report, key: SessionKey) -> list[Violation]:
    known = {_signature(v) for v in before.violations}
    return [v for v in after.violations if _concerns(v, key) or _signature(v) not in known]


def _clash_words(
    v: Violation, key: SessionKey, by_key: dict[SessionKey, p.PlannedSession], names: dict[str, str]
) -> tuple[tuple[SessionKey, ...], dict[str, tuple[str, ...]]]:
    """The other sessions of a conflict (not the moved one), in each language."""
    keys = [(str(r), i) for r, i in v.related]
    if v.request is not None and v.index is not None:
        keys.append((str(v.request), v.index))
    others = tuple(dict.fromkeys(k for k in keys if k != key and k in by_key))
    words = {
        lang: tuple(
            session_words(
                k[0],
                k[1],
                by_key[k].start,
                names.get(by_key[k].location, by_key[k].location),
                lang,
            )
            for k in others
        )
        for lang in ("nl", "en")
    }
    return others, words


def _record_run(
    session: Session,
    *,
    kind: str,
    plan: Sequence[p.PlannedSession],
    pinned: set[SessionKey],
    horizon: Horizon,
    report: Report | None,
    problem: p.Problem,
    parameters: dict[str, Any],
    log_lines: list[str],
    now: datetime,
) -> e.SolveRun:
    """A run holding ``plan``: what publish, the review and the feeds read like any run."""
    solution = _solution(problem, plan)
    run = e.SolveRun(
        created_at=now,
        first_week=horizon.first_week,
        last_week=horizon.last_week,
        status="feasible",
        parameters={"kind": kind, **parameters},
        objective=report.objective if report is not None else None,
        wall_seconds=0.0,
        components=dict(report.components) if report is not None else {},
        log="\n".join(
            [
                f"horizon {problem.first_day}..{problem.last_day}, {len(problem.requests)} "
                "requests",
                *log_lines,
                f"scheduled {len(solution.scheduled)}, unscheduled "
                f"{len(solution.unscheduled)}"
                + (f", incomplete {', '.join(solution.incomplete)}" if solution.incomplete else ""),
                f"validator: {len(report.violations) if report else 0} hard violation(s), "
                f"objective {report.objective if report else None}",
            ]
        ),
    )
    requests = {r.key: r for r in session.scalars(select(e.Request))}
    locations = {loc.key: loc for loc in session.scalars(select(e.Location))}
    trainers = {t.key: t for t in session.scalars(select(e.Trainer))}
    run.assignments = [
        e.Assignment(
            request=requests[s.request],
            session_index=s.index,
            location=locations[s.location],
            start=s.start,
            end=s.end,
            pinned=_key(s) in pinned,
            uid=e.session_uid(s.request, s.index),
            sequence=0,
            trainers=[e.AssignmentTrainer(trainer=trainers[t]) for t in s.trainers],
        )
        for s in sorted(plan, key=_key)
    ]
    session.add(run)
    session.flush()
    return run


def _pinned_keys(session: Session) -> set[SessionKey]:
    return {
        (pin.request.key, pin.session_index)
        for pin in session.scalars(select(e.Pin).options(selectinload(e.Pin.request)))
    }


def move_session(
    session: Session,
    uid: str,
    *,
    start: datetime | None = None,
    location: str | None = None,
    trainers: Sequence[str] | None = None,
    actor: Actor,
    now: datetime,
    change_request: int | None = None,
) -> ManualRun:
    """Move the published session ``uid`` (any of start, location, trainers) into a new run.

    ``start`` is naive Amsterdam wall time; the session keeps its activity's duration.
    Raises MoveError for input that cannot be a move and MoveRefused with the broken rules.
    """
    publication, rows = _plan(session)
    ps = _confirmed(session, uid)
    before = planned(ps, pinned=False)
    key = _key(before)
    if start is not None and (start.tzinfo is not None or start.second or start.microsecond):
        raise MoveError("invalid", "start: give Amsterdam wall time as YYYY-MM-DDTHH:MM", "$.start")
    place = before.location
    if location is not None:
        if session.scalars(select(e.Location).where(e.Location.key == location)).first() is None:
            raise MoveError("invalid", f"location: no location {location!r}", "$.location")
        place = p.LocationId(location)
    who = before.trainers
    if trainers is not None:
        known = set(session.scalars(select(e.Trainer.key).where(e.Trainer.key.in_(trainers))))
        unknown = [t for t in trainers if t not in known]
        if unknown:
            raise MoveError("invalid", f"trainers: no trainer {unknown[0]!r}", "$.trainers")
        if len(set(trainers)) != len(trainers):
            raise MoveError("invalid", "trainers: a trainer is named twice", "$.trainers")
        who = tuple(sorted(p.TrainerId(t) for t in trainers))
    begin = start if start is not None else before.start
    end = begin + timedelta(minutes=ps.request.activity_type.duration_minutes)
    if end.date() != begin.date():
        raise MoveError("invalid", "start: the session would cross midnight", "$.start")
    after = p.PlannedSession(before.request, before.index, place, who, begin, end, pinned=True)
    if (after.location, after.start, after.end, set(after.trainers)) == (
        before.location, before.start, before.end, set(before.trainers)
    ):  # fmt: skip
        raise MoveError(
            "invalid", f"the move changes nothing: {uid} is already there, then, with them"
        )

    if ps.request.status != "accepted":
        raise MoveError(
            "conflict",
            f"session {uid} belongs to request {ps.request.key}, which is "
            f"{ps.request.status}: only sessions of accepted requests are planned",
        )
    wall_now = from_aware(now)
    plan_before = [planned(row, pinned=False) for row in rows]
    plan_after = [after if _key(s) == key else s for s in plan_before]
    if key not in {_key(s) for s in plan_before}:
        plan_after.append(after)
    horizon = _horizon([s.start.date() for s in plan_after] + [before.start.date()])
    pins = _pinned_keys(session)
    problem = build_problem(session, horizon, now=wall_now)
    problem = replace(
        problem,
        reference=tuple(replace(s, pinned=_key(s) in pins and _key(s) != key) for s in plan_before),
    )
    report_before = validate(problem, _solution(problem, plan_before))
    report_after = validate(problem, _solution(problem, plan_after))
    found = _new_violations(report_before, report_after, key)
    if found:
        by_key = {_key(s): s for s in plan_after}
        names = {loc.key: loc.name for loc in session.scalars(select(e.Location))}
        refusals = []
        for v in found:
            clashes, words = _clash_words(v, key, by_key, names)
            refusals.append(Refusal(v.rule, v.check, v.message, clashes, words))
        raise MoveRefused(uid, refusals)

    def placement(s: p.PlannedSession) -> dict[str, Any]:
        return {
            "start": s.start.isoformat(timespec="minutes"),
            "end": s.end.isoformat(timespec="minutes"),
            "location": str(s.location),
            "trainers": [str(t) for t in s.trainers],
        }

    run = _record_run(
        session,
        kind="manual_move",
        plan=plan_after,
        pinned=pins | {key},
        horizon=horizon,
        report=report_after,
        problem=problem,
        parameters={
            "by": actor.label,
            "by_role": actor.role,
            "from_publication": publication.version,
            "from_run": publication.run_id,
            "session": uid,
            "from": placement(before),
            "to": placement(after),
            "change_request": change_request,
            "now": wall_now.isoformat(timespec="minutes"),
        },
        log_lines=[
            f"manual move of {uid} by {actor.label or actor.role} from publication "
            f"v{publication.version}: {before.start:%Y-%m-%d %H:%M} {before.location} -> "
            f"{after.start:%Y-%m-%d %H:%M} {after.location}"
        ],
        now=now,
    )
    if find_pin(session, ps) is None:
        session.add(
            e.Pin(
                request=ps.request, session_index=ps.session_index, created_at=now,
                created_by=actor.label,
            )
        )  # fmt: skip
        record(
            session, actor, entity="pin", key=uid, action="create",
            changes={"pinned": [False, True], "by": [None, "manual_move"]}, now=now,
        )  # fmt: skip
    record(
        session, actor, entity="manual_move", key=uid, action="create",
        changes={"run": [None, run.id], "from": [None, placement(before)],
                 "to": [None, placement(after)], "change_request": [None, change_request]},
        now=now,
    )  # fmt: skip
    session.flush()
    return ManualRun(run, uid, before, after)


def cancel_session(
    session: Session,
    uid: str,
    *,
    actor: Actor,
    now: datetime,
    change_request: int | None = None,
) -> ManualRun:
    """A new run: the published plan without the session ``uid`` (publishing it cancels it).

    A session of a course leaves the rest of the course as it is: the run's log names the
    request as incomplete, and the planner reviews that before publishing.
    """
    publication, rows = _plan(session)
    ps = _confirmed(session, uid)
    if ps.end <= from_aware(now):
        raise MoveError("conflict", f"session {uid} has already taken place: nothing to cancel")
    before = planned(ps, pinned=False)
    key = _key(before)
    plan_before = [planned(row, pinned=False) for row in rows]
    plan_after = [s for s in plan_before if _key(s) != key]
    horizon = _horizon([s.start.date() for s in plan_before] + [before.start.date()])
    problem = build_problem(session, horizon, now=from_aware(now))
    pins = _pinned_keys(session)
    run = _record_run(
        session,
        kind="manual_cancel",
        plan=plan_after,
        pinned=pins - {key},
        horizon=horizon,
        report=None,
        problem=problem,
        parameters={
            "by": actor.label,
            "by_role": actor.role,
            "from_publication": publication.version,
            "from_run": publication.run_id,
            "session": uid,
            "change_request": change_request,
        },
        log_lines=[
            f"manual cancellation of {uid} by {actor.label or actor.role} from publication "
            f"v{publication.version}"
        ],
        now=now,
    )
    pin = find_pin(session, ps)
    if pin is not None:
        session.delete(pin)
        record(
            session, actor, entity="pin", key=uid, action="delete",
            changes={"pinned": [True, False], "by": [None, "manual_cancel"]}, now=now,
        )  # fmt: skip
    record(
        session, actor, entity="manual_cancel", key=uid, action="create",
        changes={"run": [None, run.id], "change_request": [None, change_request]}, now=now,
    )  # fmt: skip
    session.flush()
    return ManualRun(run, uid, before, None)
