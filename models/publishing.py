"""Publishing with the checks: the run's status, today's hard rules, and who came first.

One call, one transaction (the caller's): the API (POST /api/v1/solves/{id}/publish) and
``campus publish`` both go through ``publish_checked``. A run that breaks a hard rule
under today's data is refused unless the planner overrides with a reason; the override is
audited with the violations. A run solved on data older than the plan in force is only a
warning: re-validation against today's data is the check that matters, and rolling back
(publishing an older run) must stay possible. ``expected`` is the guard against two planners
publishing at once: the version in force the planner reviewed; another one means someone
else published first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import entities as e
from models.audit import Actor, record
from models.feeds import as_utc
from models.publish import PUBLISHABLE, PublishResult, current_publication, publish
from models.review import Breach, older_than_published, revalidate
from models.words import DEFAULT_LANGUAGE, Language

MAX_ID = 2**31 - 1


class RunMissing(LookupError):
    """No run with that id."""


class NotPublishable(ValueError):
    """The run has no plan to publish (running, queued, failed, cancelled, infeasible...)."""


class PublishConflict(RuntimeError):
    """Another publication is in force than the one the planner reviewed."""

    def __init__(self, message: str, publication: PublicationInfo | None) -> None:
        super().__init__(message)
        self.publication = publication


class HardRulesBroken(ValueError):
    """The run breaks hard rules under today's data and no override was given."""

    def __init__(self, message: str, violations: tuple[Breach, ...]) -> None:
        super().__init__(message)
        self.violations = violations


@dataclass(frozen=True)
class PublicationInfo:
    """One publication as the history lists it; ``by`` comes from the audit (None: pruned)."""

    version: int
    run_id: int
    published_at: datetime  # aware, UTC
    by: str | None
    counts: dict[str, int]
    in_force: bool
    override_reason: str | None


@dataclass(frozen=True)
class CheckedPublish:
    result: PublishResult
    violations: tuple[Breach, ...]  # broken rules published anyway (override)
    override_reason: str | None
    warnings: tuple[str, ...]  # English


def _why_not(run: e.SolveRun) -> str:
    status = run.status
    if status in ("running", "queued"):
        return f"run {run.id} is still {status}: wait until it has finished"
    if status == "failed":
        last = (run.log or "").strip().splitlines()[-1:] or ["no reason recorded"]
        return f"run {run.id} failed ({last[0]}) and has no plan"
    if status == "cancelled":
        return f"run {run.id} was cancelled and has no plan"
    if status == "infeasible":
        return f"run {run.id} is infeasible: it found no plan"
    return f"run {run.id} has status {status!r}: it found no plan to publish"


def publication_infos(
    session: Session, publications: list[e.Publication]
) -> list[PublicationInfo]:
    """The publications with who published them (from their audit entries)."""
    current = current_publication(session)
    keys = [str(p.version) for p in publications]
    audit: dict[str, e.AuditEvent] = {
        row.entity_key: row
        for row in session.scalars(
            select(e.AuditEvent).where(
                e.AuditEvent.entity == "publication", e.AuditEvent.entity_key.in_(keys)
            )
        )
    }
    out = []
    for p in publications:
        row = audit.get(str(p.version))
        by = None
        reason = None
        if row is not None:
            by = row.actor_role if not row.actor_label else f"{row.actor_role} {row.actor_label}"
            override = row.changes.get("override_reason") if isinstance(row.changes, dict) else None
            reason = override[1] if isinstance(override, list) and len(override) == 2 else None
        out.append(
            PublicationInfo(
                version=p.version,
                run_id=p.run_id,
                published_at=as_utc(p.published_at),
                by=by,
                counts=dict(p.summary or {}),
                in_force=current is not None and current.id == p.id,
                override_reason=reason,
            )
        )
    return out


def in_force(session: Session) -> PublicationInfo | None:
    """The publication in force, with who published it."""
    current = current_publication(session)
    return publication_infos(session, [current])[0] if current is not None else None


def conflict_message(winner: PublicationInfo | None, expected: int) -> str:
    if winner is None:
        return f"the plan you reviewed (version {expected}) is no longer in force"
    who = f" by {winner.by}" if winner.by else ""
    return (
        f"version {winner.version} (run {winner.run_id}) was published{who} at "
        f"{winner.published_at:%Y-%m-%d %H:%M:%S} UTC after the version you reviewed "
        f"({expected or 'none'}); nothing of yours was published: review your run against "
        "it and publish again"
    )


def publish_checked(
    session: Session,
    run_id: int,
    *,
    actor: Actor,
    now: datetime | None = None,
    override_reason: str | None = None,
    expected: int | None = None,
    lang: Language = DEFAULT_LANGUAGE,
) -> CheckedPublish:
    """Publish run ``run_id`` after the checks; raises instead of publishing a bad run.

    ``expected``: the version in force the caller reviewed (0: none); None skips the guard.
    ``override_reason``: publish even though hard rules are broken; it is audited.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    run = session.get(e.SolveRun, run_id) if 1 <= run_id <= MAX_ID else None
    if run is None:
        raise RunMissing(f"no solve run {run_id}")
    if run.status not in PUBLISHABLE:
        raise NotPublishable(_why_not(run))
    current = current_publication(session)
    if expected is not None and (current.version if current else 0) != expected:
        winner = in_force(session)
        raise PublishConflict(conflict_message(winner, expected), winner)
    if current is not None and current.run_id == run.id:
        result = publish(session, run, now=moment)  # already current: writes nothing
        return CheckedPublish(result, (), None, ())
    warnings = []
    note = older_than_published(session, run)
    if note is not None:
        warnings.append(note)
    violations = revalidate(session, run, now=moment, lang=lang)
    if violations and not override_reason:
        raise HardRulesBroken(
            f"run {run.id} breaks {len(violations)} hard rule(s) under today's data; "
            "re-solve with it as the reference (little moves) or publish with an override "
            "and a reason",
            violations,
        )
    result = publish(session, run, now=moment, replaces=current.version if current else 0)
    changes: dict[str, list[object]] = {
        "run": [None, run.id],
        "counts": [None, result.counts],
    }
    if violations:
        changes["override_reason"] = [None, override_reason]
        changes["violations"] = [None, [f"{v.rule}/{v.check}: {v.detail}" for v in violations]]
    if note is not None:
        changes["older_than_published"] = [None, note]
    record(
        session,
        actor,
        entity="publication",
        key=str(result.publication.version),
        action="create",
        changes=changes,
        now=moment,
    )
    session.flush()
    return CheckedPublish(
        result, violations, override_reason if violations else None, tuple(warnings)
    )
