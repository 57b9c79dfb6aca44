"""Reviewing a run before publishing: what would change for whom, and is the run still valid.

The change list is publish's own (``models.publish.compute_changes``), grouped per school,
company (host) and trainer, so the review shows exactly what a publish would do. Staleness
compares the run's snapshot (when its solve started) with today's data: the audit entries
written since then, and the run re-validated with ``scheduler.validate`` against a Problem
built from today's data for the run's horizon. Reads only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import entities as e
from models.bridge import Horizon, build_problem, parse_week
from models.feeds import as_utc
from models.planning import stored_solution
from models.publish import Change, ChangeSet, Kept, compute_changes, current_publication
from models.words import (
    DEFAULT_LANGUAGE,
    Language,
    audit_action_word,
    entity_word,
    moment_text,
    phrase,
    render,
    rule_word,
    when,
)
from scheduler.explain import explain
from scheduler.problem import Problem, RequestId
from scheduler.solution import Solution
from scheduler.timegrid import from_aware
from scheduler.validate import validate

# Audit entities that are not planning data: they cannot make a run stale.
NOT_DATA = frozenset({"api_key", "publication"})
PARTY_KINDS = ("school", "company", "trainer")


@dataclass(frozen=True)
class PartyDiff:
    """What a publish would change for one school, company (host) or trainer."""

    kind: str  # school | company | trainer
    key: str
    name: str
    new: tuple[Change, ...]  # new and reinstated sessions
    moved: tuple[Change, ...]  # another time, place or trainer (``Change.what`` says which)
    cancelled: tuple[Change, ...]
    unchanged: int


@dataclass(frozen=True)
class LeftOut:
    """A request the run did not (completely) schedule, with why in the reader's words."""

    request: str
    title: str
    schools: tuple[str, ...]  # keys
    incomplete: bool  # some sessions placed (a running course cut short)
    reasons: tuple[str, ...]
    codes: tuple[str, ...]


@dataclass(frozen=True)
class DataChange:
    """One audit entry written after the run's snapshot: who changed what, and when."""

    at: datetime  # aware, UTC
    who: str  # the key's role and label, or "cli"
    entity: str
    key: str
    action: str
    fields: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Breach:
    """A hard rule the run breaks under today's data, with the session concerned."""

    rule: str
    check: str
    request: str | None
    session: int | None
    start: datetime | None  # naive Amsterdam wall time of the run's session
    end: datetime | None
    location: str | None
    trainers: tuple[str, ...]
    detail: str  # the validator's own (English) message
    text: str  # in the reader's language


@dataclass(frozen=True)
class Staleness:
    snapshot_at: datetime  # aware, UTC: when the run's solve started
    changes: tuple[DataChange, ...]
    violations: tuple[Breach, ...]
    older_than_published: bool
    note: str | None  # English: why the snapshot is older than the plan in force


@dataclass(frozen=True)
class RunDiff:
    run_id: int
    against: int | None  # the publication version compared with (None: nothing published)
    counts: dict[str, int]
    parties: tuple[PartyDiff, ...]
    left_out: tuple[LeftOut, ...]
    staleness: Staleness


def _wall(now: datetime) -> datetime:
    return from_aware(now) if now.tzinfo is not None else now


def _week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _change_matches(
    change: Change, school: str | None, location: str | None, week: str | None
) -> bool:
    places = [p for p in (change.old, change.new) if p is not None]
    if school is not None and school not in change.school_keys:
        return False
    if location is not None and location not in {p.location for p in places}:
        return False
    return week is None or week in {_week_of(p.start) for p in places}


def _kept_matches(kept: Kept, school: str | None, location: str | None, week: str | None) -> bool:
    if school is not None and school not in kept.school_keys:
        return False
    if location is not None and location != kept.location:
        return False
    return week is None or week == _week_of(kept.start)


def per_party(
    session: Session, changes: Iterable[Change], kept: Iterable[Kept] = ()
) -> tuple[PartyDiff, ...]:
    """Changes grouped per school, company and trainer (a change concerns several parties).

    Used by the review and by the publish answer, so what the planner reviewed and what a
    publish reports (and the change notices send) are grouped the same way.
    """
    lists: dict[tuple[str, str], dict[str, list[Change]]] = {}
    unchanged: dict[tuple[str, str], int] = {}

    def parties(item: Change | Kept) -> list[tuple[str, str]]:
        return [
            *(("school", k) for k in item.school_keys),
            *(("company", k) for k in item.company_keys),
            *(("trainer", k) for k in item.trainer_keys),
        ]

    for change in changes:
        bucket = (
            "new" if change.kind in ("new", "reinstated")
            else "cancelled" if change.kind == "cancelled"
            else "moved"
        )  # fmt: skip
        for party in parties(change):
            lists.setdefault(party, {"new": [], "moved": [], "cancelled": []})[bucket].append(
                change
            )
    for item in kept:
        for party in parties(item):
            unchanged[party] = unchanged.get(party, 0) + 1
            lists.setdefault(party, {"new": [], "moved": [], "cancelled": []})
    names: dict[tuple[str, str], str] = {}
    partner_keys = [k for kind, k in lists if kind != "trainer"]
    for key, name in session.execute(
        select(e.Partner.key, e.Partner.name).where(e.Partner.key.in_(partner_keys))
    ):
        names[("school", key)] = names[("company", key)] = name
    trainer_keys = [k for kind, k in lists if kind == "trainer"]
    for key, name in session.execute(
        select(e.Trainer.key, e.Trainer.name).where(e.Trainer.key.in_(trainer_keys))
    ):
        names[("trainer", key)] = name

    def by_start(items: list[Change]) -> tuple[Change, ...]:
        return tuple(
            sorted(items, key=lambda c: ((c.new or c.old).start, c.request, c.session_index))  # type: ignore[union-attr]
        )

    return tuple(
        PartyDiff(
            kind=kind,
            key=key,
            name=names.get((kind, key), key),
            new=by_start(lists[(kind, key)]["new"]),
            moved=by_start(lists[(kind, key)]["moved"]),
            cancelled=by_start(lists[(kind, key)]["cancelled"]),
            unchanged=unchanged.get((kind, key), 0),
        )
        for kind, key in sorted(lists, key=lambda p: (PARTY_KINDS.index(p[0]), p[1]))
    )


def _counts(changes: Sequence[Change], kept: Sequence[Kept]) -> dict[str, int]:
    counts = {"new": 0, "moved": 0, "cancelled": 0, "unchanged": len(kept)}
    for change in changes:
        bucket = (
            "new" if change.kind in ("new", "reinstated")
            else "cancelled" if change.kind == "cancelled"
            else "moved"
        )  # fmt: skip
        counts[bucket] += 1
    return counts


def _run_now(run: e.SolveRun) -> datetime | None:
    text = (run.parameters or {}).get("now")
    return datetime.fromisoformat(text) if text else None


def left_out(
    session: Session,
    run: e.SolveRun,
    *,
    lang: Language = DEFAULT_LANGUAGE,
    school: str | None = None,
    week: str | None = None,
) -> tuple[LeftOut, ...]:
    """The run's unscheduled and incomplete requests, each with its explanation.

    Explained like ``campus explain``: the run's plan against the run's "now" and today's
    data for its horizon.
    """
    horizon = Horizon(run.first_week, run.last_week)
    problem = build_problem(session, horizon, now=_run_now(run))
    solution = stored_solution(session, run, problem)
    wanted = [*solution.unscheduled, *solution.incomplete]
    requests = {
        r.key: r
        for r in session.scalars(
            select(e.Request).where(e.Request.key.in_([str(k) for k in wanted]))
        )
    }
    if week is not None:
        monday = parse_week(week)
        wanted = [
            k for k in wanted
            if requests[str(k)].earliest <= monday + timedelta(days=6)
            and requests[str(k)].latest >= monday
        ]  # fmt: skip
    if school is not None:
        wanted = [
            k for k in wanted if school in {rg.group.school.key for rg in requests[str(k)].groups}
        ]
    reasons = (
        explain(problem, solution, requests=[RequestId(str(k)) for k in wanted]) if wanted else {}
    )
    out = []
    for key in sorted(wanted):
        request = requests[str(key)]
        found = reasons.get(RequestId(str(key)), ())
        out.append(
            LeftOut(
                request=str(key),
                title=request.activity_type.title,
                schools=tuple(sorted({rg.group.school.key for rg in request.groups})),
                incomplete=key in solution.incomplete,
                reasons=tuple(render(r, lang) for r in found),
                codes=tuple(str(r.code) for r in found),
            )
        )
    return tuple(out)


def _fields(row: e.AuditEvent) -> tuple[str, ...]:
    return tuple(sorted(row.changes)) if isinstance(row.changes, dict) else ()


def _field_text(row: e.AuditEvent) -> str:
    """The changed fields: a status change with its values (withdrawn, declined...), a small
    added or removed row (an absence, a closure) with its values, else the field names."""
    if not isinstance(row.changes, dict) or not row.changes:
        return ""
    values = {
        name: value[1] if row.action == "create" else value[0]
        for name, value in row.changes.items()
        if isinstance(value, list) and len(value) == 2
    }
    small = row.action in ("create", "delete") and len(values) <= 4
    parts = []
    for name in sorted(row.changes):
        value = row.changes[name]
        if name == "status" and isinstance(value, list) and len(value) == 2:
            parts.append(f"status {value[0]} -> {value[1]}")
        elif small and isinstance(values.get(name), str | int | float):
            parts.append(f"{name} {values[name]}")
        elif row.action == "update":
            parts.append(name)
    return f" ({', '.join(parts)})" if parts else ""


def data_changes(
    session: Session, since: datetime, *, lang: Language = DEFAULT_LANGUAGE
) -> tuple[DataChange, ...]:
    """Every audited write of planning data after ``since``, oldest first."""
    rows = session.scalars(
        select(e.AuditEvent)
        .where(e.AuditEvent.at > since, e.AuditEvent.entity.not_in(NOT_DATA))
        .order_by(e.AuditEvent.at, e.AuditEvent.id)
    ).all()
    out = []
    for row in rows:
        at = as_utc(row.at)
        who = row.actor_role if not row.actor_label else f"{row.actor_role} {row.actor_label}"
        wall = from_aware(at)
        stamp = moment_text(wall, lang)
        out.append(
            DataChange(
                at=at,
                who=who,
                entity=row.entity,
                key=row.entity_key,
                action=row.action,
                fields=_fields(row),
                text=phrase(
                    "review.data_change",
                    lang,
                    at=stamp,
                    entity=entity_word(row.entity, lang),
                    name=row.entity_key,
                    action=audit_action_word(row.action, lang),
                    who=who,
                    fields=_field_text(row),
                ),
            )
        )
    return tuple(out)


def _moved_pin_follows(run: e.SolveRun, problem: Problem, solution: Solution) -> Problem:
    """A manual move's run holds its session pinned at the new place: the planner decided
    that move (validated when it was made), so the pin, still at the published place until
    this run is published, is not a broken rule of this run."""
    parameters = run.parameters or {}
    if parameters.get("kind") != "manual_move":
        return problem
    uid = parameters.get("session")
    moved = next(
        (s for s in solution.sessions if e.session_uid(str(s.request), s.index) == uid), None
    )
    if moved is None:
        return problem
    reference = tuple(
        replace(moved, pinned=True) if (s.request, s.index) == (moved.request, moved.index) else s
        for s in problem.reference
    )
    return replace(problem, reference=reference)


def revalidate(
    session: Session, run: e.SolveRun, *, now: datetime, lang: Language = DEFAULT_LANGUAGE
) -> tuple[Breach, ...]:
    """The hard rules ``run`` breaks under today's data, each with the session concerned.

    The Problem is built from today's data for the run's horizon with the run itself as the
    reference, so its sessions that started before ``now`` count as history (what took place
    is not re-checked against windows and absences); requests withdrawn or declined since are
    left out, as publish leaves them out.
    """
    horizon = Horizon(run.first_week, run.last_week)
    problem = build_problem(session, horizon, now=_wall(now), reference=run)
    solution = stored_solution(session, run, problem)
    problem = _moved_pin_follows(run, problem, solution)
    report = validate(problem, solution)
    placed = {(s.request, s.index): s for s in solution.sessions}
    locations = dict(session.execute(select(e.Location.key, e.Location.name)).all())
    trainer_names = dict(session.execute(select(e.Trainer.key, e.Trainer.name)).all())
    out = []
    for v in report.violations:
        s = placed.get((v.request, v.index)) if v.request is not None else None
        rule = rule_word(v.rule, v.check, lang)
        if s is None:
            text = phrase("review.breach_request", lang, rule=rule, request=v.request or "-")
        else:
            names = [trainer_names.get(t, t) for t in s.trainers]
            text = phrase(
                "review.breach",
                lang,
                rule=rule,
                request=s.request,
                index=s.index,
                when=when(s.start, s.end, lang),
                place=locations.get(s.location, s.location),
                trainers=phrase("review.with", lang, names=", ".join(names)) if names else "",
            )
        out.append(
            Breach(
                rule=v.rule,
                check=v.check,
                request=str(v.request) if v.request is not None else None,
                session=v.index,
                start=s.start if s else None,
                end=s.end if s else None,
                location=str(s.location) if s else None,
                trainers=tuple(str(t) for t in s.trainers) if s else (),
                detail=v.message,
                text=text,
            )
        )
    return tuple(out)


def snapshot_of(run: e.SolveRun) -> datetime:
    """When the run read the data: its snapshot (a background solve takes it when its worker
    starts), else when it was made (runs from before snapshots were recorded, manual runs)."""
    return as_utc(run.snapshot_at or run.created_at)


def older_than_published(session: Session, run: e.SolveRun) -> str | None:
    """Why ``run``'s snapshot is older than the plan in force (None: it is not)."""
    current = current_publication(session)
    if current is None or current.run_id == run.id:
        return None
    if snapshot_of(run) >= snapshot_of(current.run):
        return None
    return (
        f"run {run.id} was solved on data of {snapshot_of(run):%Y-%m-%d %H:%M} UTC, "
        f"before run {current.run_id} of the published plan (version {current.version}, "
        f"solved {snapshot_of(current.run):%Y-%m-%d %H:%M} UTC)"
    )


def staleness(
    session: Session, run: e.SolveRun, *, now: datetime, lang: Language = DEFAULT_LANGUAGE
) -> Staleness:
    """What changed since the run's snapshot, and the rules it breaks under today's data."""
    snapshot = snapshot_of(run)
    note = older_than_published(session, run)
    return Staleness(
        snapshot_at=snapshot,
        changes=data_changes(session, snapshot, lang=lang),
        violations=revalidate(session, run, now=now, lang=lang),
        older_than_published=note is not None,
        note=note,
    )


def diff_run(
    session: Session,
    run: e.SolveRun,
    *,
    now: datetime,
    lang: Language = DEFAULT_LANGUAGE,
    school: str | None = None,
    location: str | None = None,
    week: str | None = None,
) -> RunDiff:
    """The run against the published plan, per party, with left-out requests and staleness.

    ``week`` is ``YYYY-Www`` (a bad one raises HorizonError). The filters narrow the
    changes and the unchanged counts; left-out requests follow ``school`` and ``week`` (the
    week overlaps the request's window) but not ``location`` (they have no place).
    """
    if week is not None:
        parse_week(week)
    plan: ChangeSet = compute_changes(session, run, now=now)
    changes = [c for c in plan.changes if _change_matches(c, school, location, week)]
    kept = [k for k in plan.kept if _kept_matches(k, school, location, week)]
    current = current_publication(session)
    return RunDiff(
        run_id=run.id,
        against=current.version if current is not None else None,
        counts=_counts(changes, kept),
        parties=per_party(session, changes, kept),
        left_out=left_out(session, run, lang=lang, school=school, week=week),
        staleness=staleness(session, run, now=now, lang=lang),
    )
