"""Trainers as the HTTP API reads and changes them, always within a principal's scope.

Scope is decided here, in one place: a planner sees every trainer, a company its own
partner's trainers, a trainer key only its own trainer. Anything outside the scope is
answered exactly like a key that does not exist (None), so nobody can tell another partner's
trainer from a typo. Changes are per entity: adding an absence or a weekly window touches
that row and nothing else of the trainer.

Whether a published session still fits the trainer is decided by the same availability the
engine gets (``models.bridge.trainer_availability``: the weekly windows, or the default week
when there are none, minus the absences) and the validator's own test (one open span holds
the whole session), so the API's 409 and the next solve agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from models import entities as e
from models.absences import ABSENCE_CATEGORIES
from models.audit import Actor, diff, record, snapshot
from models.bridge import trainer_availability
from models.impact import upcoming_published
from models.keys import Principal
from models.locations import find_location
from models.scenario import MAX_DATED, MAX_HOURS_PER_WEEK, MAX_WEEKLY, Key
from scheduler.lookup import covers, minute_of, spans_on
from scheduler.problem import Availability

# Roles that may read trainers at all (school keys get 403 from the API) ...
TRAINER_ROLES = ("planner", "company", "trainer")
# ... and those that manage them (add, change, delete); a trainer reports absences and
# weekly availability only.
MANAGER_ROLES = ("planner", "company")
_KEY: TypeAdapter[str] = TypeAdapter(Key)


class TrainerChangeError(ValueError):
    """A change that cannot be made: ``conflict`` with what is stored, or ``invalid`` input."""

    def __init__(self, kind: str, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.kind = kind  # "invalid" (422) or "conflict" (409)
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Page:
    items: list[e.Trainer]
    total: int


def _scoped(principal: Principal) -> Select[tuple[e.Trainer]]:
    query = select(e.Trainer).join(e.Trainer.partner)
    if principal.role == "planner":
        return query
    if principal.role == "company" and principal.partner:
        return query.where(e.Partner.key == principal.partner)
    if principal.role == "trainer" and principal.trainer:
        return query.where(e.Trainer.key == principal.trainer)
    return query.where(False)  # schools see no trainer (the API refuses them earlier)


def _loaded(query: Select[tuple[e.Trainer]]) -> Select[tuple[e.Trainer]]:
    return query.options(
        selectinload(e.Trainer.partner),
        selectinload(e.Trainer.home_location),
        selectinload(e.Trainer.qualifications),
    )


def list_trainers(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    offset: int,
    partner: str | None = None,
    qualification: str | None = None,
) -> Page:
    """The trainers in scope, by key, filtered; ``total`` counts only those."""
    query = _scoped(principal)
    if partner is not None:
        query = query.where(e.Partner.key == partner)
    if qualification is not None:
        query = query.where(
            e.Trainer.qualifications.any(e.TrainerQualification.qualification == qualification)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        _loaded(query).order_by(e.Trainer.key).limit(limit).offset(offset)
    ).all()
    return Page(list(rows), total)


def find_trainer(session: Session, principal: Principal, key: str) -> e.Trainer | None:
    """The trainer ``key`` if it exists and is in scope; None in every other case."""
    try:
        _KEY.validate_python(key)
    except ValidationError:
        return None
    return session.scalars(_loaded(_scoped(principal)).where(e.Trainer.key == key)).one_or_none()


# --- the trainer itself ---------------------------------------------------------------

# What a trainer's record holds as the API names it (home: a location key; hours per week).
TRAINER_FIELDS = (
    "name", "email", "certified", "max_hours_per_week", "home", "qualifications",
)  # fmt: skip


def trainer_values(trainer: e.Trainer) -> dict[str, Any]:
    """The API's fields of ``trainer`` as JSON values (responses and the audit)."""
    minutes = trainer.max_minutes_per_week
    return {
        "name": trainer.name,
        "email": trainer.email,
        "certified": trainer.certified,
        "max_hours_per_week": None if minutes is None else minutes / 60,
        "home": trainer.home_location.key if trainer.home_location else None,
        "qualifications": sorted(q.qualification for q in trainer.qualifications),
    }


def _set_fields(
    session: Session, principal: Principal, trainer: e.Trainer, values: Mapping[str, Any]
) -> None:
    unknown = set(values) - set(TRAINER_FIELDS)
    if unknown:
        raise TrainerChangeError("invalid", f"$.{min(unknown)}", "is not a field of a trainer")
    for name, value in values.items():
        if name == "max_hours_per_week":
            if value is not None and not 0 <= value <= MAX_HOURS_PER_WEEK:
                raise TrainerChangeError(
                    "invalid", "$.max_hours_per_week", f"must be 0..{MAX_HOURS_PER_WEEK}"
                )
            trainer.max_minutes_per_week = None if value is None else round(value * 60)
        elif name == "home":
            trainer.home_location = None if value is None else _home(session, principal, value)
        elif name == "qualifications":
            wanted = sorted(set(value))
            if [q.qualification for q in trainer.qualifications] != wanted:
                trainer.qualifications = [
                    e.TrainerQualification(qualification=q) for q in wanted
                ]
        else:
            setattr(trainer, name, value)


def _home(session: Session, principal: Principal, key: str) -> e.Location:
    location = find_location(session, principal, key)  # a company: only its own locations
    if location is None:
        raise TrainerChangeError(
            "invalid", "$.home", f"no location {key!r} that this key may see"
        )
    return location


def create_trainer(
    session: Session,
    principal: Principal,
    key: str,
    partner: str | None,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> e.Trainer:
    """Add a trainer: a company's to its own partner, a planner's to the partner it names."""
    if principal.role == "company":
        if partner not in (None, principal.partner):
            raise TrainerChangeError(
                "invalid",
                "$.partner",
                f"a company key adds trainers to its own partner {principal.partner!r}: "
                "leave partner out",
            )
        partner = principal.partner
    if partner is None:
        raise TrainerChangeError("invalid", "$.partner", "a planner must name the partner")
    owner = session.scalars(select(e.Partner).where(e.Partner.key == partner)).one_or_none()
    if owner is None:
        raise TrainerChangeError("invalid", "$.partner", f"no partner {partner!r}")
    if session.scalar(select(e.Trainer.id).where(e.Trainer.key == key)) is not None:
        raise TrainerChangeError(
            "conflict", "$.key", f"the trainer key {key!r} is already in use: choose another"
        )
    trainer = e.Trainer(key=key, partner=owner, name="", qualifications=[])
    _set_fields(session, principal, trainer, {"email": "", "certified": False, **values})
    session.add(trainer)
    after = {"partner": owner.key, **trainer_values(trainer)}
    record(session, actor, entity="trainer", key=key, action="create",
           changes={k: [None, v] for k, v in after.items()}, now=now)  # fmt: skip
    return trainer


def update_trainer(
    session: Session,
    principal: Principal,
    trainer: e.Trainer,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> dict[str, list[Any]]:
    """Set the named fields and nothing else; audited; returns ``{field: [old, new]}``."""
    before = trainer_values(trainer)
    _set_fields(session, principal, trainer, changes)
    changed = diff(before, trainer_values(trainer))
    if changed:
        flag_modified(trainer, "name")  # qualifications are child rows: the version moves too
    record(session, actor, entity="trainer", key=trainer.key, action="update",
           changes=changed, now=now)  # fmt: skip
    return changed


def delete_trainer(session: Session, trainer: e.Trainer, *, actor: Actor, now: datetime) -> None:
    """Remove a trainer no plan refers to; otherwise a conflict that says which plan does."""
    published = session.scalar(
        select(func.count())
        .select_from(e.PublishedSessionTrainer)
        .where(e.PublishedSessionTrainer.trainer_id == trainer.id)
    )
    if published:
        raise TrainerChangeError(
            "conflict",
            "$",
            f"trainer {trainer.key} teaches {published} session(s) of the published plan "
            "(calendars keep showing them): ask the planner to re-plan those sessions without "
            "this trainer and publish first",
        )
    runs = sorted(
        set(
            session.scalars(
                select(e.Assignment.run_id)
                .join(e.AssignmentTrainer)
                .where(e.AssignmentTrainer.trainer_id == trainer.id)
            )
        )
    )
    if runs:
        raise TrainerChangeError(
            "conflict",
            "$",
            f"trainer {trainer.key} is in the plan of solve run(s) "
            f"{', '.join(map(str, runs))}, which the planner may still publish: "
            "ask the planner to solve without this trainer first",
        )
    before = {"partner": trainer.partner.key, **trainer_values(trainer)}
    record(session, actor, entity="trainer", key=trainer.key, action="delete",
           changes={k: [v, None] for k, v in before.items()}, now=now)  # fmt: skip
    _revoke_access(session, trainer.key, now=now)
    session.delete(trainer)


def _revoke_access(session: Session, key: str, *, now: datetime) -> None:
    """Revoke the API keys and calendar feed tokens that name trainer ``key``: they name it by
    key, so a trainer added later under the same key would otherwise inherit them."""
    for api_key in session.scalars(
        select(e.ApiKey).where(e.ApiKey.trainer_key == key, e.ApiKey.revoked_at.is_(None))
    ):
        api_key.revoked_at = now
    for token in session.scalars(
        select(e.FeedToken).where(
            e.FeedToken.view == "trainer", e.FeedToken.subject_key == key,
            e.FeedToken.active.is_(True),
        )
    ):  # fmt: skip
        token.active, token.revoked_at = None, now


# --- the trainer's sessions of the published plan ----------------------------------------


def trainer_sessions(
    session: Session, trainer: e.Trainer, *, first: date | None, last: date | None
) -> list[e.PublishedSession]:
    """Confirmed published sessions the trainer teaches on days ``first``..``last``."""
    query = (
        select(e.PublishedSession)
        .where(
            e.PublishedSession.status == "confirmed",
            e.PublishedSession.trainers.any(e.PublishedSessionTrainer.trainer_id == trainer.id),
        )
        .options(
            selectinload(e.PublishedSession.location),
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
    if first is not None:
        query = query.where(e.PublishedSession.start >= datetime.combine(first, time()))
    if last is not None:
        query = query.where(e.PublishedSession.start <= datetime.combine(last, time.max))
    return list(session.scalars(query))


# --- does a published session still fit? -----------------------------------------------


def fits(availability: Availability, start: datetime, end: datetime) -> bool:
    """True when one open span of ``availability`` on the session's day holds all of it,
    as the validator checks a trainer (wall time: a daylight-saving night changes nothing)."""
    if end.date() != start.date():
        return False  # the engine plans no session across midnight
    return covers(spans_on(availability, start.date()), minute_of(start), minute_of(end))


def broken_by(
    session: Session,
    trainer: e.Trainer,
    before: Availability,
    *,
    now_wall: datetime,
) -> list[e.PublishedSession]:
    """Upcoming published sessions of ``trainer`` that fitted ``before`` and no longer fit
    the trainer's availability as it is now (after the change, not yet committed)."""
    after = trainer_availability(trainer)
    return [
        row
        for row in upcoming_published(session, now_wall=now_wall, trainer_id=trainer.id)
        if fits(before, row.start, row.end) and not fits(after, row.start, row.end)
    ]


# --- absences --------------------------------------------------------------------------


def absence_values(row: e.TrainerAbsence) -> dict[str, Any]:
    """What the API shows and the audit records of an absence: dates and category only."""
    return {"first": row.first.isoformat(), "last": row.last.isoformat(), "category": row.category}


def add_absence(trainer: e.Trainer, first: date, last: date, category: str) -> e.TrainerAbsence:
    """Add ONE absence; refused when it overlaps another of the trainer's absences."""
    if last < first:
        raise TrainerChangeError("invalid", "$.last", f"last {last} is before first {first}")
    if category not in ABSENCE_CATEGORIES:
        raise TrainerChangeError(
            "invalid", "$.category", f"must be one of {', '.join(ABSENCE_CATEGORIES)}"
        )
    for other in trainer.absences:
        if other.first <= last and first <= other.last:
            raise TrainerChangeError(
                "conflict",
                "$",
                f"overlaps the absence {other.first}..{other.last} (id {other.id}) of trainer "
                f"{trainer.key}: delete that one first or choose other dates",
            )
    if len(trainer.absences) >= MAX_DATED:
        raise TrainerChangeError(
            "conflict", "$", f"trainer {trainer.key} already has {MAX_DATED} absences"
        )
    row = e.TrainerAbsence(first=first, last=last, category=category, reason="")
    trainer.absences.append(row)
    return row


def find_absence(trainer: e.Trainer, absence_id: int) -> e.TrainerAbsence | None:
    return next((a for a in trainer.absences if a.id == absence_id), None)


# --- weekly availability ---------------------------------------------------------------

WINDOW_FIELDS = ("weekday", "start", "end", "valid_from", "valid_to")


def window_values(row: e.TrainerWindow) -> dict[str, Any]:
    return snapshot(row, WINDOW_FIELDS)


def find_window(trainer: e.Trainer, window_id: int) -> e.TrainerWindow | None:
    return next((w for w in trainer.windows if w.id == window_id), None)


def _check_window(trainer: e.Trainer, row: e.TrainerWindow) -> None:
    """The scenario format's rules for one weekly window among the trainer's others."""
    if row.end <= row.start:
        raise TrainerChangeError(
            "invalid", "$.end", f"end {row.end:%H:%M} is not after start {row.start:%H:%M}"
        )
    if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
        raise TrainerChangeError(
            "invalid",
            "$.valid_to",
            f"valid_to {row.valid_to} is before valid_from {row.valid_from}",
        )
    for other in trainer.windows:
        if other is row or other.weekday != row.weekday:
            continue
        if not (other.start < row.end and row.start < other.end):
            continue
        if (other.valid_from or date.min) <= (row.valid_to or date.max) and (
            row.valid_from or date.min
        ) <= (other.valid_to or date.max):
            raise TrainerChangeError(
                "conflict",
                "$",
                f"overlaps the weekly window {other.start:%H:%M}-{other.end:%H:%M} (id "
                f"{other.id}) on the same weekday: change that one instead",
            )


def add_window(trainer: e.Trainer, values: Mapping[str, Any]) -> e.TrainerWindow:
    """Add ONE weekly window; every other window stays as it was."""
    if len(trainer.windows) >= MAX_WEEKLY:
        raise TrainerChangeError(
            "conflict", "$", f"trainer {trainer.key} already has {MAX_WEEKLY} weekly windows"
        )
    row = e.TrainerWindow(**{name: values.get(name) for name in WINDOW_FIELDS})
    _check_window(trainer, row)
    trainer.windows.append(row)
    return row


def update_window(
    trainer: e.Trainer, row: e.TrainerWindow, changes: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """Set the named fields of one window; returns ``{field: [old, new]}``."""
    before = window_values(row)
    for name, value in changes.items():
        if name not in WINDOW_FIELDS:
            raise TrainerChangeError("invalid", f"$.{name}", "is not a field of a weekly window")
        if value is None and name in ("weekday", "start", "end"):
            raise TrainerChangeError("invalid", f"$.{name}", "cannot be null")
        setattr(row, name, value)
    _check_window(trainer, row)
    return diff(before, window_values(row))


def audit_child(
    session: Session,
    actor: Actor,
    trainer: e.Trainer,
    kind: str,
    row_id: int,
    action: str,
    changes: Mapping[str, list[Any]],
    *,
    now: datetime,
) -> None:
    """Audit a change of an absence or window as entity ``trainer`` key ``t-x/<kind>/<id>``."""
    record(session, actor, entity="trainer", key=f"{trainer.key}/{kind}/{row_id}",
           action=action, changes=changes, now=now)  # fmt: skip


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in values.items()}


def deleted(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [v, None] for k, v in values.items()}

