"""What the signed-in session page and the planner's request pages read (issue 26).

``session_detail`` is one published session as a signed-in key may know it: the scope is the
change requests' (models/change_requests.py: a school its own requests' sessions, a company
those at its locations or with its trainers, a trainer their own, a planner all), so the page
shows exactly the sessions its reader may ask about; anything else is None, like a session
that does not exist. A school reads only its own groups (the feeds' privacy rule).

``unscheduled_by_reason`` is the latest run's accepted requests that it left out, explained
as ``campus explain`` explains them, with the trainers and locations each reason names, so
the page can link each to the timetable of what blocks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.bridge import Horizon, build_problem, latest_run
from models.change_requests import _scoped as scoped_change_requests
from models.change_requests import _sessions_in_scope
from models.keys import Principal
from models.pins import is_pinned
from models.planning import stored_solution
from models.words import DEFAULT_LANGUAGE, Language, render
from scheduler.explain import explain
from scheduler.problem import RequestId


@dataclass(frozen=True)
class Named:
    """Something the page links to or names: its key and its name."""

    key: str
    name: str


@dataclass(frozen=True)
class SessionDetail:
    uid: str
    request: str
    index: int
    activity: str
    team: str
    start: datetime  # naive Amsterdam wall time
    end: datetime
    duration_minutes: int
    status: str  # confirmed | cancelled
    pinned: bool
    location: Named
    host: str
    groups: tuple[str, ...]  # names, filtered for the reader
    trainers: tuple[Named, ...]
    request_status: str
    change_requests: tuple[e.ChangeRequest, ...]  # the reader's (a planner: all), oldest first


def _by_name(items: Iterable[Named]) -> tuple[Named, ...]:
    return tuple(sorted(items, key=lambda n: n.name))


def session_detail(session: Session, principal: Principal, uid: str) -> SessionDetail | None:
    """The published session ``uid`` as ``principal`` may see it; None when it does not exist
    or is outside the key's scope (the same answer, so a guess learns nothing)."""
    ps = session.scalars(
        select(e.PublishedSession)
        .where(
            e.PublishedSession.uid == uid[:200],
            e.PublishedSession.id.in_(_sessions_in_scope(principal)),
        )
        .options(
            selectinload(e.PublishedSession.trainers).selectinload(
                e.PublishedSessionTrainer.trainer
            ),
            selectinload(e.PublishedSession.request).selectinload(e.Request.activity_type),
            selectinload(e.PublishedSession.location).selectinload(e.Location.partner),
        )
    ).one_or_none()
    if ps is None:
        return None
    groups = [rg.group for rg in ps.request.groups]
    if principal.role == "school":
        names = [g.name for g in groups if g.school.key == principal.partner]
    else:
        names = [f"{g.name} ({g.school.name})" for g in groups]
    asked = session.scalars(
        scoped_change_requests(principal)
        .where(e.ChangeRequest.published_session_id == ps.id)
        .order_by(e.ChangeRequest.id)
    ).all()
    activity = ps.request.activity_type
    return SessionDetail(
        uid=ps.uid,
        request=ps.request.key,
        index=ps.session_index,
        activity=activity.title,
        team=activity.team,
        start=ps.start,
        end=ps.end,
        duration_minutes=activity.duration_minutes,
        status=ps.status,
        pinned=is_pinned(session, ps),
        location=Named(ps.location.key, ps.location.name),
        host=ps.location.partner.name,
        groups=tuple(sorted(names)),
        trainers=_by_name(Named(t.trainer.key, t.trainer.name) for t in ps.trainers),
        request_status=ps.request.status,
        change_requests=tuple(asked),
    )


def move_choices(session: Session) -> tuple[tuple[Named, ...], tuple[Named, ...]]:
    """The locations (training locations and school sites) and trainers a move may name."""
    places = session.scalars(select(e.Location).order_by(e.Location.name)).all()
    trainers = session.scalars(select(e.Trainer).order_by(e.Trainer.name)).all()
    return (
        tuple(Named(p.key, p.name) for p in places),
        tuple(Named(t.key, t.name) for t in trainers),
    )


@dataclass(frozen=True)
class Blocked:
    """An accepted request the latest run left out, and what its reasons name."""

    request: str
    title: str
    incomplete: bool  # some sessions were placed
    earliest: date
    latest: date
    groups: tuple[Named, ...]
    reasons: tuple[str, ...]  # in the reader's language
    codes: tuple[str, ...]
    trainers: tuple[Named, ...]  # the trainers the reasons name
    locations: tuple[Named, ...]  # the locations the reasons name


@dataclass(frozen=True)
class Unscheduled:
    run: int | None  # the run explained (None: no run with a plan yet)
    by_reason: tuple[tuple[str, tuple[Blocked, ...]], ...]  # first reason's code -> requests


def _strings(value: object) -> Iterator[str]:
    """Every string in a reason's details (keys of mappings too): the names it mentions."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def unscheduled_by_reason(session: Session, lang: Language = DEFAULT_LANGUAGE) -> Unscheduled:
    """The accepted requests the newest run with a plan left out (or completed only in part),
    grouped by their first reason's code, explained as ``campus explain`` does: the run's plan
    against the run's "now" and today's data for its horizon."""
    run = latest_run(session)
    if run is None:
        return Unscheduled(None, ())
    text = (run.parameters or {}).get("now")
    problem = build_problem(
        session,
        Horizon(run.first_week, run.last_week),
        now=datetime.fromisoformat(text) if text else None,
    )
    solution = stored_solution(session, run, problem)
    wanted = sorted({str(k) for k in (*solution.unscheduled, *solution.incomplete)})
    requests = {
        r.key: r
        for r in session.scalars(
            select(e.Request).where(e.Request.key.in_(wanted), e.Request.status == "accepted")
        )
    }
    wanted = [k for k in wanted if k in requests]
    if not wanted:
        return Unscheduled(run.id, ())
    reasons = explain(problem, solution, requests=[RequestId(k) for k in wanted])
    trainers = {t.key: t.name for t in session.scalars(select(e.Trainer))}
    places = {p.key: p.name for p in session.scalars(select(e.Location))}
    groups: dict[str, list[Blocked]] = {}
    for key in wanted:
        request = requests[key]
        found = tuple(reasons.get(RequestId(key), ()))
        named = [s for r in found for s in _strings(dict(r.details))]
        item = Blocked(
            request=key,
            title=request.activity_type.title,
            incomplete=key in {str(k) for k in solution.incomplete},
            earliest=request.earliest,
            latest=request.latest,
            groups=_by_name(Named(rg.group.key, rg.group.name) for rg in request.groups),
            reasons=tuple(render(r, lang) for r in found),
            codes=tuple(str(r.code) for r in found),
            trainers=tuple(Named(k, trainers[k]) for k in dict.fromkeys(named) if k in trainers),
            locations=tuple(Named(k, places[k]) for k in dict.fromkeys(named) if k in places),
        )
        code = item.codes[0] if item.codes else "unknown"
        groups.setdefault(code, []).append(item)
    return Unscheduled(run.id, tuple((code, tuple(items)) for code, items in groups.items()))


def party_names(session: Session) -> dict[tuple[str, str], str]:
    """(role, key) -> name of every school, company and trainer: who asked, in words."""
    names: dict[tuple[str, str], str] = {}
    for partner in session.scalars(select(e.Partner)):
        role = "school" if partner.kind == "school" else "company"  # a key's role
        names[(role, partner.key)] = partner.name
    for trainer in session.scalars(select(e.Trainer)):
        names[("trainer", trainer.key)] = trainer.name
    return names
