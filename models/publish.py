"""Publishing: a solve run becomes the plan that subscribers see, in one transaction.

Subscribers' calendars match events by UID and only take an update when SEQUENCE grows, so
publishing keeps one ``PublishedSession`` per UID across all publications: a changed time,
place, trainer or status bumps its SEQUENCE and its LAST-MODIFIED; a session that left the
plan is kept as cancelled. Runs and earlier publications stay stored as history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import entities as e
from models.bridge import latest_run, parse_week
from scheduler.timegrid import from_aware

PUBLISHABLE = ("optimal", "feasible")
# Requests that will not take place: the next publish cancels every session of theirs that
# has not ended, inside the run's horizon or not.
GONE = ("withdrawn", "declined")


class PublishError(ValueError):
    """A run that cannot be published (unknown, still running, infeasible)."""


@dataclass(frozen=True)
class Placement:
    """Where and when a session is (or was): Amsterdam wall time, keys and names."""

    start: datetime  # naive Amsterdam wall time
    end: datetime
    location: str  # key
    location_name: str
    trainers: tuple[str, ...]  # keys
    trainer_names: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One session that changed for subscribers, with who is concerned.

    ``schools``/``companies``/``trainers`` are names (what people read), the ``*_keys``
    fields the same parties by key (what the API and the change notices select on).
    """

    uid: str
    kind: str  # new | moved | cancelled | reinstated | changed
    what: tuple[str, ...]  # time, place, trainer, status
    title: str
    before: str
    after: str
    schools: tuple[str, ...]
    companies: tuple[str, ...]
    trainers: tuple[str, ...]
    request: str = ""
    session_index: int = 0
    old: Placement | None = None  # None: the session is new
    new: Placement | None = None  # None: the session is cancelled
    school_keys: tuple[str, ...] = ()
    company_keys: tuple[str, ...] = ()
    trainer_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kept:
    """A session the run leaves exactly as published: counted per party, not listed."""

    uid: str
    school_keys: tuple[str, ...]
    company_keys: tuple[str, ...]
    trainer_keys: tuple[str, ...]
    location: str  # key
    start: datetime  # naive Amsterdam wall time


@dataclass(frozen=True)
class _Step:
    """What publishing one session does: the change (None: unchanged) and the rows."""

    uid: str
    change: Change | None
    assignment: e.Assignment | None  # None: a published session that is cancelled
    published: e.PublishedSession | None  # None: a new session
    trainers: tuple[e.Trainer, ...]


@dataclass(frozen=True)
class ChangeSet:
    """What publishing a run would change, computed without writing anything.

    ``publish`` applies it; the review (models/review.py) shows it before anyone publishes.
    """

    changes: tuple[Change, ...]
    kept: tuple[Kept, ...]
    steps: tuple[_Step, ...]

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {"unchanged": len(self.kept)}
        for change in self.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class PublishResult:
    publication: e.Publication
    changes: tuple[Change, ...]
    unchanged: int
    already_current: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def current_publication(session: Session) -> e.Publication | None:
    """The publication in force: the one with the highest version."""
    return session.scalars(
        select(e.Publication).order_by(e.Publication.version.desc()).limit(1)
    ).one_or_none()


def published_run(session: Session) -> e.SolveRun | None:
    """The run of the current publication: the reference plan for re-planning."""
    publication = current_publication(session)
    return publication.run if publication is not None else None


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC).replace(microsecond=0)
    if moment.tzinfo is None:
        raise ValueError("publish needs an aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0)


def _placement(
    start: datetime, end: datetime, location: e.Location, trainers: Iterable[e.Trainer]
) -> Placement:
    people = list(trainers)
    return Placement(
        start=start,
        end=end,
        location=location.key,
        location_name=location.name,
        trainers=tuple(t.key for t in people),
        trainer_names=tuple(t.name for t in people),
    )


def _describe(at: Placement) -> str:
    who = f", {', '.join(at.trainer_names)}" if at.trainer_names else ""
    return f"{at.start:%a %Y-%m-%d %H:%M}-{at.end:%H:%M} at {at.location_name}{who}"


def _schools(request: e.Request) -> list[e.Partner]:
    return [rg.group.school for rg in request.groups]


def _change(
    uid: str,
    kind: str,
    what: tuple[str, ...],
    request: e.Request,
    index: int,
    at: tuple[Placement | None, Placement | None],
    locations: Iterable[e.Location],
    trainers: Iterable[e.Trainer],
) -> Change:
    """A change with everyone it concerns: schools of the groups, hosts, trainers."""
    places = list(locations)
    people = list(trainers)
    return Change(
        uid=uid,
        kind=kind,
        what=what,
        title=request.activity_type.title,
        before=_describe(at[0]) if at[0] else "",
        after=_describe(at[1]) if at[1] else "",
        schools=tuple(sorted({s.name for s in _schools(request)})),
        companies=tuple(sorted({loc.partner.name for loc in places})),
        trainers=tuple(sorted({t.name for t in people})),
        request=request.key,
        session_index=index,
        old=at[0],
        new=at[1],
        school_keys=tuple(sorted({s.key for s in _schools(request)})),
        company_keys=tuple(sorted({loc.partner.key for loc in places})),
        trainer_keys=tuple(sorted({t.key for t in people})),
    )


def _kept(uid: str, a: e.Assignment, trainers: Iterable[e.Trainer]) -> Kept:
    return Kept(
        uid=uid,
        school_keys=tuple(sorted({s.key for s in _schools(a.request)})),
        company_keys=(a.location.partner.key,),
        trainer_keys=tuple(sorted({t.key for t in trainers})),
        location=a.location.key,
        start=a.start,
    )


def _set_trainers(ps: e.PublishedSession, trainers: list[e.Trainer]) -> None:
    """Keep the rows of trainers who stay: re-adding the same key in one flush would clash."""
    keep = {t.id for t in trainers}
    ps.trainers = [row for row in ps.trainers if row.trainer_id in keep] + [
        e.PublishedSessionTrainer(trainer=t)
        for t in trainers
        if t.id not in {row.trainer_id for row in ps.trainers}
    ]


def compute_changes(session: Session, run: e.SolveRun, *, now: datetime | None = None) -> ChangeSet:
    """What publishing ``run`` at ``now`` would change against the published sessions.

    The one place that decides new, moved, changed, reinstated, cancelled and unchanged:
    ``publish`` applies the result, the review shows it. Reads only.

    Sessions of the previous plan that the run leaves out are cancelled only when they fall
    inside the run's horizon and have not ended yet: a run for weeks 10-14 says nothing about
    week 9, and what already happened cannot be cancelled. The exception is a request that
    was withdrawn (or declined): all its sessions that have not ended are cancelled, wherever
    they are, and the run's own sessions of it (solved before the withdrawal) are left out.
    """
    moment = _utc(now)
    existing = {ps.uid: ps for ps in session.scalars(select(e.PublishedSession))}
    steps: list[_Step] = []
    seen: set[str] = set()
    for a in run.assignments:
        if a.request.status in GONE:
            continue  # withdrawn after the solve: its sessions are cancelled below
        uid = a.uid or e.session_uid(a.request.key, a.session_index)
        seen.add(uid)
        trainers = tuple(sorted((t.trainer for t in a.trainers), key=lambda t: t.id))
        after = _placement(a.start, a.end, a.location, trainers)
        ps = existing.get(uid)
        if ps is None:
            change = _change(
                uid, "new", (), a.request, a.session_index, (None, after), [a.location], trainers
            )
            steps.append(_Step(uid, change, a, None, trainers))
            continue
        old_trainers = [t.trainer for t in ps.trainers]
        what = []
        if (ps.start, ps.end) != (a.start, a.end):
            what.append("time")
        if ps.location_id != a.location_id:
            what.append("place")
        if [t.id for t in old_trainers] != [t.id for t in trainers]:
            what.append("trainer")
        if ps.status != "confirmed":
            what.append("status")
        if not what:
            steps.append(_Step(uid, None, a, ps, trainers))
            continue
        kind = "reinstated" if "status" in what else "moved" if "time" in what else "changed"
        before = _placement(ps.start, ps.end, ps.location, old_trainers)
        change = _change(
            uid,
            kind,
            tuple(what),
            a.request,
            a.session_index,
            (before, after),
            [ps.location, a.location],
            [*old_trainers, *trainers],
        )
        steps.append(_Step(uid, change, a, ps, trainers))

    first_day = parse_week(run.first_week)
    last_day = parse_week(run.last_week) + timedelta(days=6)
    wall_now = from_aware(moment)
    for uid, ps in sorted(existing.items()):
        if uid in seen or ps.status == "cancelled":
            continue
        inside = first_day <= ps.start.date() <= last_day
        gone = ps.request.status in GONE  # every session, also beyond the horizon
        if not (inside or gone) or ps.end <= wall_now:
            continue
        old_trainers = [t.trainer for t in ps.trainers]
        before = _placement(ps.start, ps.end, ps.location, old_trainers)
        change = _change(
            uid,
            "cancelled",
            ("status",),
            ps.request,
            ps.session_index,
            (before, None),
            [ps.location],
            old_trainers,
        )
        steps.append(_Step(uid, change, None, ps, tuple(old_trainers)))
    changes = tuple(step.change for step in steps if step.change is not None)
    kept = tuple(
        _kept(step.uid, step.assignment, step.trainers)
        for step in steps
        if step.change is None and step.assignment is not None
    )
    return ChangeSet(changes, kept, tuple(steps))


def publish(
    session: Session,
    run: e.SolveRun | None = None,
    *,
    now: datetime | None = None,
    replaces: int | None = None,
) -> PublishResult:
    """Make ``run`` (default: the newest usable run) the published plan.

    What changes is decided by ``compute_changes``; this writes it, in the caller's
    transaction. ``replaces`` is the version in force the caller checked (0: none): the new
    version is that plus one, so a publication written meanwhile by someone else makes the
    insert fail on the unique version instead of silently stacking on top of it.
    """
    moment = _utc(now)
    if run is None:
        run = latest_run(session)
        if run is None:
            raise PublishError("there is no solve run with a plan to publish")
    if run.status not in PUBLISHABLE:
        raise PublishError(f"run {run.id} has status {run.status!r}; only optimal or feasible")
    current = current_publication(session)
    if current is not None and current.run_id == run.id:
        return PublishResult(current, (), len(run.assignments), already_current=True)

    plan = compute_changes(session, run, now=moment)
    if replaces is None:
        replaces = session.scalar(select(func.max(e.Publication.version))) or 0
    version = replaces + 1
    publication = e.Publication(version=version, run=run, published_at=moment, summary={})
    session.add(publication)
    session.flush()

    for step in plan.steps:
        a, ps = step.assignment, step.published
        if a is None:  # cancelled
            assert ps is not None
            ps.status = "cancelled"
            ps.cancelled_at = moment
            ps.sequence += 1
            ps.last_modified = moment
            ps.last_publication_id = publication.id
            continue
        if ps is None:
            ps = e.PublishedSession(
                uid=step.uid,
                request=a.request,
                session_index=a.session_index,
                assignment=a,
                location=a.location,
                start=a.start,
                end=a.end,
                status="confirmed",
                sequence=0,
                created_at=moment,
                last_modified=moment,
                last_publication_id=publication.id,
                trainers=[e.PublishedSessionTrainer(trainer=t) for t in step.trainers],
            )
            session.add(ps)
        else:
            ps.assignment = a
            if step.change is not None:
                ps.start, ps.end, ps.location = a.start, a.end, a.location
                _set_trainers(ps, list(step.trainers))
                ps.status = "confirmed"
                ps.cancelled_at = None
                ps.sequence += 1
                ps.last_modified = moment
                ps.last_publication_id = publication.id
        a.sequence = ps.sequence
        a.published_version = version

    publication.summary = plan.counts
    session.flush()
    return PublishResult(publication, plan.changes, len(plan.kept), counts=publication.summary)
