"""The trainer's page of absences: /trainer/afwezigheid.

A trainer reports an absence as a date range and a category (sick, leave, training, other:
never a free text, see models/absences.py), and removes one, exactly as
``/api/v1/trainers/<key>/absences`` does with the same functions of models/trainers.py. An
absence over sessions of the published plan the trainer teaches is the API's 409: the page
lists those sessions (when, where, what) and a button that sends the same absence again
with ``confirm``; confirmed, the sessions are marked for re-planning (models/impact.py) and
the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, actor_of
from api.web.school import FormErrors, field_errors, period_of, read_period, word
from api.web.visit import LoginDep, Visit, open_page
from models import entities as e
from models.absences import ABSENCE_CATEGORIES, CATEGORY_WORDS
from models.bridge import trainer_availability
from models.impact import mark_for_replanning
from models.trainers import (
    TrainerChangeError,
    absence_values,
    add_absence,
    audit_child,
    broken_by,
    created,
    deleted,
    find_absence,
    find_trainer,
)
from models.words import phrase
from scheduler.timegrid import from_aware

router = APIRouter(include_in_schema=False)
ROLE = "trainer"
PATH = "/trainer/afwezigheid"


@dataclass(frozen=True)
class HitSession:
    """A published session the absence would take the trainer away from."""

    start: datetime
    end: datetime
    location: str
    activity: str


def _trainer(session: Session, visit: Visit) -> e.Trainer | None:
    """The signed-in trainer, within the key's scope (the API's lookup)."""
    key = visit.principal.trainer
    return find_trainer(session, visit.principal, key) if key else None


def _page(
    visit: Visit,
    trainer: e.Trainer,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    hit: list[HitSession] | None = None,
    notice: str = "",
    marked: int = 0,
) -> Response:
    absences = sorted(trainer.absences, key=lambda a: (a.first, a.id))
    return visit.page(
        "trainer_absences.html",
        status=status,
        trainer=trainer,
        absences=absences,
        categories=ABSENCE_CATEGORIES,
        form=dict.fromkeys(("first", "last", "category"), "") | (form or {}),
        errors=errors or {},
        hit=hit or [],
        notice=notice,
        marked=marked,
        today=from_aware(visit.now).date(),
        period=period_of(visit),
        word=word,
    )


@router.get(PATH)
def absences_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    trainer = _trainer(session, visit)
    if trainer is None:
        return visit.not_found()
    done = request.query_params.get("gedaan", "")
    notice = {"gemeld": "web.trainer.absence_added",
              "verwijderd": "web.trainer.absence_removed"}.get(done, "")  # fmt: skip
    marked_text = request.query_params.get("gemarkeerd", "0")
    marked = int(marked_text) if marked_text.isdigit() and len(marked_text) < 5 else 0
    return _page(visit, trainer, notice=notice, marked=marked)


@router.post(PATH)
def add_absence_post(
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    first: Annotated[str, Form()] = "",
    last: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Report ONE absence as ``POST /api/v1/trainers/<key>/absences`` does; over published
    sessions it needs the confirmation (the API's ?confirm=true)."""
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    trainer = _trainer(session, visit)
    if trainer is None:
        return visit.not_found()
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    form = {"first": first, "last": last, "category": category}
    errors = FormErrors()
    day_from, day_to = read_period(form, errors)
    if category not in ABSENCE_CATEGORIES:
        errors.add("category", "web.trainer.category_missing")
    if errors or day_from is None or day_to is None:
        return _page(visit, trainer, status=422, form=form, errors=field_errors(visit, errors))
    before = trainer_availability(trainer)
    try:
        row = add_absence(trainer, day_from, day_to, category)
    except TrainerChangeError:
        session.rollback()
        errors.add("first", "web.trainer.overlaps")
        trainer = _trainer(session, visit)
        assert trainer is not None
        return _page(visit, trainer, status=409, form=form, errors=field_errors(visit, errors))
    broken = broken_by(session, trainer, before, now_wall=from_aware(now))
    if broken and confirm != "1":
        hit = [HitSession(ps.start, ps.end, ps.location.name, ps.request.activity_type.title)
               for ps in broken]  # fmt: skip
        session.rollback()  # nothing is kept until the trainer confirms
        trainer = _trainer(session, visit)
        assert trainer is not None
        return _page(visit, trainer, status=409, form=form, hit=hit)
    actor = actor_of(visit.principal)
    if broken:
        # the planner's alert and the marks say what the API's route says
        reason = f"trainer {trainer.key} afwezig ({CATEGORY_WORDS[category]}) {day_from}..{day_to}"
        mark_for_replanning(session, broken, reason=reason, actor=actor, now=now)
    session.flush()
    audit_child(session, actor, trainer, "absence", row.id, "create",
                created(absence_values(row)), now=now)  # fmt: skip
    marked = f"&gemarkeerd={len(broken)}" if broken else ""
    return visit.back(f"{PATH}?gedaan=gemeld{marked}")


@router.post(PATH + "/{absence_id}/verwijderen")
def remove_absence_post(
    absence_id: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    """Withdraw an absence as ``DELETE /api/v1/trainers/<key>/absences/<id>`` does (with the
    row version the form was drawn with as its If-Match)."""
    visit = open_page(request, session, login, now, ROLE)
    if not isinstance(visit, Visit):
        return visit
    trainer = _trainer(session, visit)
    row = None
    if trainer is not None and absence_id.isdigit() and len(absence_id) < 11:
        row = find_absence(trainer, int(absence_id))
    if trainer is None or row is None:
        return visit.not_found()
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    if version != str(row.version):
        words = phrase("web.trainer.changed_meanwhile", visit.lang)
        return _page(visit, trainer, status=409, errors={f"absence-{row.id}": words})
    values = absence_values(row)
    trainer.absences.remove(row)
    session.flush()
    audit_child(session, actor_of(visit.principal), trainer, "absence", int(absence_id),
                "delete", deleted(values), now=now)  # fmt: skip
    return visit.back(f"{PATH}?gedaan=verwijderd")

