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
class Change:
    """One session that changed for subscribers, with who is concerned."""

    uid: str
    kind: str  # new | moved | cancelled | reinstated | changed
    what: tuple[str, ...]  # time, place, trainer, status
    title: str
    before: str
    after: str
    schools: tuple[str, ...]
    companies: tuple[str, ...]
    trainers: tuple[str, ...]


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


def _describe(start: datetime, end: datetime, location: e.Location, trainers: list[str]) -> str:
    who = f", {', '.join(trainers)}" if trainers else ""
    return f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M} at {location.name}{who}"


def _change(
    uid: str,
    kind: str,
    what: tuple[str, ...],
    request: e.Request,
    texts: tuple[str, str],
    locations: Iterable[e.Location],
    trainers: Iterable[e.Trainer],
) -> Change:
    """A change with everyone it concerns: schools of the groups, hosts, trainers."""
    return Change(
        uid=uid,
        kind=kind,
        what=what,
        title=request.activity_type.title,
        before=texts[0],
        after=texts[1],
        schools=tuple(sorted({rg.group.school.name for rg in request.groups})),
        companies=tuple(sorted({loc.partner.name for loc in locations})),
        trainers=tuple(sorted({t.name for t in trainers})),
    )


def _set_trainers(ps: e.PublishedSession, trainers: list[e.Trainer]) -> None:
    """Keep the rows of trainers who stay: re-adding the same key in one flush would clash."""
    keep = {t.id for t in trainers}
    ps.trainers = [row for row in ps.trainers if row.trainer_id in keep] + [
        e.PublishedSessionTrainer(trainer=t)
        for t in trainers
        if t.id not in {row.trainer_id for row in ps.trainers}
    ]


def publish(
    session: Session, run: e.SolveRun | None = None, *, now: datetime | None = None
) -> PublishResult:
    """Make ``run`` (default: the newest usable run) the published plan.

    Sessions of the previous plan that the run leaves out are cancelled only when they fall
    inside the run's horizon and have not ended yet: a run for weeks 10-14 says nothing about
    week 9, and what already happened cannot be cancelled. The exception is a request that
    was withdrawn (or declined): all its sessions that have not ended are cancelled, wherever
    they are, and the run's own sessions of it (solved before the withdrawal) are left out.
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

    version = (session.scalar(select(func.max(e.Publication.version))) or 0) + 1
    publication = e.Publication(version=version, run=run, published_at=moment, summary={})
    session.add(publication)
    session.flush()

    existing = {ps.uid: ps for ps in session.scalars(select(e.PublishedSession))}
    changes: list[Change] = []
    unchanged = 0
    seen: set[str] = set()
    for a in run.assignments:
        if a.request.status in GONE:
            continue  # withdrawn after the solve: its sessions are cancelled below
        uid = a.uid or e.session_uid(a.request.key, a.session_index)
        seen.add(uid)
        trainers = sorted((t.trainer for t in a.trainers), key=lambda t: t.id)
        ps = existing.get(uid)
        if ps is None:
            ps = e.PublishedSession(
                uid=uid,
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
                trainers=[e.PublishedSessionTrainer(trainer=t) for t in trainers],
            )
            session.add(ps)
            after = _describe(a.start, a.end, a.location, [t.name for t in trainers])
            changes.append(_change(uid, "new", (), a.request, ("", after), [a.location], trainers))
        else:
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
            ps.assignment = a
            if what:
                before = _describe(ps.start, ps.end, ps.location, [t.name for t in old_trainers])
                old_location = ps.location
                ps.start, ps.end, ps.location = a.start, a.end, a.location
                _set_trainers(ps, trainers)
                ps.status = "confirmed"
                ps.cancelled_at = None
                ps.sequence += 1
                ps.last_modified = moment
                ps.last_publication_id = publication.id
                kind = (
                    "reinstated" if "status" in what else "moved" if "time" in what else "changed"
                )
                after = _describe(a.start, a.end, a.location, [t.name for t in trainers])
                changes.append(
                    _change(
                        uid,
                        kind,
                        tuple(what),
                        a.request,
                        (before, after),
                        [old_location, a.location],
                        [*old_trainers, *trainers],
                    )
                )
            else:
                unchanged += 1
        a.sequence = ps.sequence
        a.published_version = version

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
        trainers = [t.trainer for t in ps.trainers]
        ps.status = "cancelled"
        ps.cancelled_at = moment
        ps.sequence += 1
        ps.last_modified = moment
        ps.last_publication_id = publication.id
        before = _describe(ps.start, ps.end, ps.location, [t.name for t in trainers])
        changes.append(
            _change(
                uid, "cancelled", ("status",), ps.request, (before, ""), [ps.location], trainers
            )
        )

    counts: dict[str, int] = {"unchanged": unchanged}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    publication.summary = dict(sorted(counts.items()))
    session.flush()
    return PublishResult(publication, tuple(changes), unchanged, counts=publication.summary)
