"""/api/v1/trainers: companies manage their trainers; trainers read their sessions and report
absences and weekly availability.

Planners see every trainer, companies their own partner's, a trainer key only its own
trainer; school keys get 403. A trainer outside the key's scope is 404, worded exactly as a
key that does not exist. A trainer key may not add, change or delete trainers (403), only
its own absences and weekly windows. A change that takes time away under a session of the
published plan the trainer teaches answers 409 listing those sessions unless it is sent
with ``?confirm=true`` (then the sessions are marked for re-planning).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from api.confirm import ConfirmDep, confirm_or_409
from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.etag import IfMatchDep, check_if_match, etag_of, set_etag
from api.problems import Problem, responses
from api.routes.v1.schemas import (
    DEFAULT_PAGE,
    KEY_PATTERN,
    MAX_OFFSET,
    MAX_PAGE,
    TEXT_PATTERN,
)
from api.routes.v1.trainers_schemas import (
    AbsenceIn,
    AbsenceOut,
    ActivityRef,
    PlaceOut,
    TrainerAvailabilityOut,
    TrainerIn,
    TrainerOut,
    TrainerPage,
    TrainerPatch,
    TrainerSessionOut,
    TrainerSessions,
    TrainerWeeklyOut,
    WeeklyIn,
    WeeklyPatch,
)
from models import entities as e
from models.absences import CATEGORY_WORDS
from models.audit import Actor
from models.bridge import trainer_availability
from models.impact import mark_for_replanning
from models.keys import Principal
from models.text import excerpt
from models.trainers import (
    MANAGER_ROLES,
    TRAINER_ROLES,
    TrainerChangeError,
    absence_values,
    add_absence,
    add_window,
    audit_child,
    broken_by,
    create_trainer,
    created,
    delete_trainer,
    deleted,
    find_absence,
    find_trainer,
    find_window,
    list_trainers,
    trainer_sessions,
    trainer_values,
    update_trainer,
    update_window,
    window_values,
)
from models.words import DEFAULT_LANGUAGE, Language, phrase
from scheduler.problem import Availability
from scheduler.timegrid import from_aware

router = APIRouter(prefix="/trainers", tags=["trainers"])
WHAT = "trainers"
MANAGE = "adding, changing or deleting trainers"
MARKS: Language = DEFAULT_LANGUAGE  # a replanning mark's reason: stored, in the planners' words


def _trainer(session: Session, principal: Principal, key: str) -> e.Trainer:
    require_role(principal, *TRAINER_ROLES, what=WHAT)
    trainer = find_trainer(session, principal, key)
    if trainer is None:
        raise Problem(404, f"no trainer {excerpt(key)} that this key may see: check the key")
    return trainer


def _managed(session: Session, principal: Principal, key: str) -> e.Trainer:
    require_role(principal, *MANAGER_ROLES, what=MANAGE)
    return _trainer(session, principal, key)


def _refused(exc: TrainerChangeError) -> Problem:
    if exc.kind == "conflict":
        return Problem(409, exc.reason, errors=[{"in": "body", "path": exc.path,
                                                 "reason": exc.reason}])  # fmt: skip
    return Problem(
        422,
        f"{exc.path}: {exc.reason}",
        errors=[{"in": "body", "path": exc.path, "reason": exc.reason}],
    )


def _out(trainer: e.Trainer) -> TrainerOut:
    return TrainerOut(key=trainer.key, partner=trainer.partner.key, **trainer_values(trainer))


def _absence(row: e.TrainerAbsence) -> AbsenceOut:
    return AbsenceOut(
        id=row.id, first=row.first, last=row.last, category=row.category, etag=etag_of(row)
    )


def _weekly(row: e.TrainerWindow) -> TrainerWeeklyOut:
    return TrainerWeeklyOut(
        id=row.id,
        weekday=row.weekday,
        start=row.start,
        end=row.end,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        etag=etag_of(row),
    )


def _confirm_breaks(
    session: Session,
    trainer: e.Trainer,
    before: Availability,
    *,
    confirm: bool,
    what: str,
    reason: str,
    actor: Actor,
    now: datetime,
) -> None:
    """409 when the change (already made, not committed) breaks published sessions, unless
    confirmed; confirmed, those sessions are marked for re-planning."""
    broken = broken_by(session, trainer, before, now_wall=from_aware(now))
    confirm_or_409(broken, confirm, what=what)
    if broken:
        mark_for_replanning(session, broken, reason=reason, actor=actor, now=now)


# --- trainers ---------------------------------------------------------------------------


@router.get("", operation_id="listTrainers", responses=responses(401, 403, 422))
def get_trainers(
    session: ApiSessionDep,
    principal: PrincipalDep,
    partner: Annotated[
        str | None, Query(max_length=80, pattern=KEY_PATTERN, description="a partner's key")
    ] = None,
    qualification: Annotated[
        str | None, Query(max_length=80, pattern=TEXT_PATTERN, description="a qualification tag")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> TrainerPage:
    """The trainers this key may see, by key, a page at a time (a trainer key: itself)."""
    require_role(principal, *TRAINER_ROLES, what=WHAT)
    page = list_trainers(
        session, principal, limit=limit, offset=offset, partner=partner,
        qualification=qualification,
    )  # fmt: skip
    return TrainerPage(
        items=[_out(row) for row in page.items], total=page.total, limit=limit, offset=offset
    )


@router.post(
    "",
    operation_id="createTrainer",
    status_code=201,
    responses=responses(401, 403, 409, 422, 503),
)
def post_trainer(
    body: TrainerIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> TrainerOut:
    """Add a trainer (a company: to its own partner; a planner names the partner)."""
    require_role(principal, *MANAGER_ROLES, what=MANAGE)
    values = body.model_dump(exclude={"key", "partner"})
    try:
        trainer = create_trainer(
            session, principal, body.key, body.partner, values, actor=actor_of(principal),
            now=now,
        )  # fmt: skip
    except TrainerChangeError as exc:
        raise _refused(exc) from None
    session.flush()
    response.headers["Location"] = f"/api/v1/trainers/{trainer.key}"
    set_etag(response, trainer)
    return _out(trainer)


@router.get("/{key}", operation_id="getTrainer", responses=responses(401, 403, 404))
def get_trainer(
    key: str, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> TrainerOut:
    """One trainer; its ETag header is what a PATCH or DELETE sends back as If-Match."""
    trainer = _trainer(session, principal, key)
    set_etag(response, trainer)
    return _out(trainer)


@router.patch(
    "/{key}",
    operation_id="updateTrainer",
    responses=responses(401, 403, 404, 412, 422, 428, 503),
)
def patch_trainer(
    key: str,
    patch: TrainerPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> TrainerOut:
    """Change the fields the body names; windows and absences have their own endpoints."""
    trainer = _managed(session, principal, key)
    check_if_match(if_match, trainer, what=f"trainer {trainer.key}")
    try:
        update_trainer(
            session, principal, trainer, patch.model_dump(exclude_unset=True),
            actor=actor_of(principal), now=now,
        )  # fmt: skip
    except TrainerChangeError as exc:
        raise _refused(exc) from None
    session.flush()  # a concurrent writer's version shows here (StaleDataError -> 412)
    set_etag(response, trainer)
    return _out(trainer)


@router.delete(
    "/{key}",
    operation_id="deleteTrainer",
    status_code=204,
    responses=responses(401, 403, 404, 409, 412, 428, 503),
)
def remove_trainer(
    key: str,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    if_match: IfMatchDep = None,
) -> Response:
    """Delete a trainer that no plan refers to (409 says which plan does)."""
    trainer = _managed(session, principal, key)
    check_if_match(if_match, trainer, what=f"trainer {trainer.key}")
    try:
        delete_trainer(session, trainer, actor=actor_of(principal), now=now)
    except TrainerChangeError as exc:
        raise _refused(exc) from None
    session.flush()
    return Response(status_code=204)


# --- sessions ---------------------------------------------------------------------------


@router.get(
    "/{key}/sessions",
    operation_id="listTrainerSessions",
    responses=responses(401, 403, 404, 422),
)
def get_sessions(
    key: str,
    session: ApiSessionDep,
    principal: PrincipalDep,
    first: Annotated[date | None, Query(alias="from", description="first day (YYYY-MM-DD)")] = None,
    last: Annotated[date | None, Query(alias="to", description="last day (YYYY-MM-DD)")] = None,
) -> TrainerSessions:
    """The trainer's sessions of the published plan on days from..to (both optional)."""
    trainer = _trainer(session, principal, key)
    if first is not None and last is not None and last < first:
        reason = f"to {last} is before from {first}"
        raise Problem(422, reason, errors=[{"in": "query", "path": "to", "reason": reason}])
    items = []
    for row in trainer_sessions(session, trainer, first=first, last=last):
        request = row.request
        items.append(
            TrainerSessionOut(
                uid=row.uid,
                request=request.key,
                session=row.session_index,
                date=row.start.date(),
                start=row.start.time(),
                end=row.end.time(),
                activity=ActivityRef(
                    code=request.activity_type.code, title=request.activity_type.title
                ),
                location=PlaceOut(
                    key=row.location.key, name=row.location.name, address=row.location.address
                ),
                groups=[link.group.name for link in request.groups],
                other_trainers=[
                    t.trainer.name for t in row.trainers if t.trainer_id != trainer.id
                ],
            )
        )
    return TrainerSessions(trainer=trainer.key, items=items)


# --- availability: absences and weekly windows ------------------------------------------


@router.get(
    "/{key}/availability",
    operation_id="getTrainerAvailability",
    responses=responses(401, 403, 404),
)
def get_availability(
    key: str, session: ApiSessionDep, principal: PrincipalDep
) -> TrainerAvailabilityOut:
    """Weekly windows and absences, each with its id and ETag."""
    trainer = _trainer(session, principal, key)
    return TrainerAvailabilityOut(
        trainer=trainer.key,
        default_week=not trainer.windows,
        weekly=[_weekly(w) for w in trainer.windows],
        absences=[_absence(a) for a in trainer.absences],
    )


@router.get(
    "/{key}/absences", operation_id="listTrainerAbsences", responses=responses(401, 403, 404)
)
def get_absences(key: str, session: ApiSessionDep, principal: PrincipalDep) -> list[AbsenceOut]:
    """The trainer's absences: dates and category, by id."""
    trainer = _trainer(session, principal, key)
    return [_absence(a) for a in trainer.absences]


@router.post(
    "/{key}/absences",
    operation_id="addTrainerAbsence",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_absence(
    key: str,
    body: AbsenceIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
) -> AbsenceOut:
    """Report ONE absence; over a published session it needs ?confirm=true (else 409)."""
    trainer = _trainer(session, principal, key)
    before = trainer_availability(trainer)
    try:
        row = add_absence(trainer, body.first, body.last, body.category)
    except TrainerChangeError as exc:
        raise _refused(exc) from None
    actor = actor_of(principal)
    _confirm_breaks(
        session, trainer, before, confirm=confirm, actor=actor, now=now,
        what=f"the absence {body.first}..{body.last} of trainer {trainer.key}",
        reason=phrase("replan.trainer_absent", MARKS, trainer=trainer.key,
                      category=CATEGORY_WORDS[body.category], first=body.first, last=body.last),
    )  # fmt: skip
    session.flush()
    audit_child(session, actor, trainer, "absence", row.id, "create",
                created(absence_values(row)), now=now)  # fmt: skip
    response.headers["Location"] = f"/api/v1/trainers/{trainer.key}/absences/{row.id}"
    set_etag(response, row)
    return _absence(row)


@router.delete(
    "/{key}/absences/{absence_id}",
    operation_id="deleteTrainerAbsence",
    status_code=204,
    responses=responses(401, 403, 404, 412, 422, 428, 503),
)
def delete_absence(
    key: str,
    absence_id: int,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    if_match: IfMatchDep = None,
) -> Response:
    """Withdraw an absence (the trainer is available again; nothing to confirm)."""
    trainer = _trainer(session, principal, key)
    row = find_absence(trainer, absence_id)
    if row is None:
        raise Problem(404, f"trainer {trainer.key} has no absence {absence_id}")
    check_if_match(if_match, row, what=f"absence {absence_id} of trainer {trainer.key}")
    values = absence_values(row)
    trainer.absences.remove(row)
    session.flush()
    audit_child(session, actor_of(principal), trainer, "absence", absence_id, "delete",
                deleted(values), now=now)  # fmt: skip
    return Response(status_code=204)


@router.post(
    "/{key}/availability/weekly",
    operation_id="addTrainerWeeklyWindow",
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_weekly(
    key: str,
    body: WeeklyIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
) -> TrainerWeeklyOut:
    """Add ONE weekly window. The first one replaces the default week (Monday-Friday
    08:00-18:00), so it may take time away from published sessions: 409 unless confirmed."""
    trainer = _trainer(session, principal, key)
    before = trainer_availability(trainer)
    try:
        row = add_window(trainer, dict(body))  # values, not their JSON text
    except TrainerChangeError as exc:
        raise _refused(exc) from None
    actor = actor_of(principal)
    _confirm_breaks(
        session, trainer, before, confirm=confirm, actor=actor, now=now,
        what=f"the first weekly window of trainer {trainer.key} (it replaces the default week)",
        reason=phrase("replan.trainer_weekly", MARKS, trainer=trainer.key),
    )  # fmt: skip
    session.flush()
    audit_child(session, actor, trainer, "weekly", row.id, "create",
                created(window_values(row)), now=now)  # fmt: skip
    response.headers["Location"] = f"/api/v1/trainers/{trainer.key}/availability"
    set_etag(response, row)
    return _weekly(row)


@router.patch(
    "/{key}/availability/weekly/{window_id}",
    operation_id="updateTrainerWeeklyWindow",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def patch_weekly(
    key: str,
    window_id: int,
    patch: WeeklyPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> TrainerWeeklyOut:
    """Change one weekly window; shrinking it under a published session needs confirm."""
    trainer = _trainer(session, principal, key)
    row = find_window(trainer, window_id)
    if row is None:
        raise Problem(404, f"trainer {trainer.key} has no weekly window {window_id}")
    check_if_match(if_match, row, what=f"weekly window {window_id} of trainer {trainer.key}")
    before = trainer_availability(trainer)
    try:
        changes = {name: getattr(patch, name) for name in patch.model_fields_set}
        changed = update_window(trainer, row, changes)
    except TrainerChangeError as exc:
        raise _refused(exc) from None
    actor = actor_of(principal)
    _confirm_breaks(
        session, trainer, before, confirm=confirm, actor=actor, now=now,
        what=f"the change of weekly window {window_id} of trainer {trainer.key}",
        reason=phrase("replan.trainer_weekly", MARKS, trainer=trainer.key),
    )  # fmt: skip
    session.flush()  # StaleDataError -> 412
    audit_child(session, actor, trainer, "weekly", row.id, "update", changed, now=now)
    set_etag(response, row)
    return _weekly(row)


@router.delete(
    "/{key}/availability/weekly/{window_id}",
    operation_id="deleteTrainerWeeklyWindow",
    status_code=204,
    responses=responses(401, 403, 404, 409, 412, 428, 503),
)
def delete_weekly(
    key: str,
    window_id: int,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    confirm: ConfirmDep = False,
    if_match: IfMatchDep = None,
) -> Response:
    """Remove one weekly window; under a published session it needs confirm (else 409).
    Removing the last one brings back the default week."""
    trainer = _trainer(session, principal, key)
    row = find_window(trainer, window_id)
    if row is None:
        raise Problem(404, f"trainer {trainer.key} has no weekly window {window_id}")
    check_if_match(if_match, row, what=f"weekly window {window_id} of trainer {trainer.key}")
    before = trainer_availability(trainer)
    values = window_values(row)
    trainer.windows.remove(row)
    actor = actor_of(principal)
    _confirm_breaks(
        session, trainer, before, confirm=confirm, actor=actor, now=now,
        what=f"removing weekly window {window_id} of trainer {trainer.key}",
        reason=phrase("replan.trainer_weekly", MARKS, trainer=trainer.key),
    )  # fmt: skip
    session.flush()
    audit_child(session, actor, trainer, "weekly", window_id, "delete", deleted(values),
                now=now)  # fmt: skip
    return Response(status_code=204)
