"""The pages of one session, of the change requests and of the requests to decide (issue 26).

- /sessie/<uid>: a published session for every signed-in role within its scope (the change
  requests' scope; 404 otherwise, worded as a missing one). A planner pins, unpins and moves
  it (the validated move of models/moves.py, as POST /api/v1/sessions/{uid}/move); a school,
  company or trainer asks to cancel or move it (models/change_requests.py, as POST
  /api/v1/change-requests) and sees its requests about it.
- /planner/verzoeken: the open change requests; the planner decides each (move, cancel,
  refuse with a reason), as POST /api/v1/change-requests/{id}/decision.
- /planner/aanvragen: the submitted requests (accept, or decline with a reason, as the API's
  accept and decline routes) and the accepted requests the latest run left out, grouped by
  reason, each linking to the timetables of what blocks it.

Every form posts with the session's CSRF token and the row's version where a decision could
overwrite someone else's; a success redirects (post/redirect/get), a refusal re-renders the
page with status 422 (409 for a stale version) and the words next to the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api.deps import ApiSessionDep, EngineDep, NowDep, actor_of
from api.routes.v1.changes import email_after_response
from api.routes.v1.requests_schemas import DeclineIn
from api.web.visit import LoginDep, Visit, open_page
from models.change_requests import (
    ChangeRequestError,
    ask,
    decide,
    find_change_request,
    list_change_requests,
    notice_text,
)
from models.moves import MoveError, MoveRefused, move_session
from models.pins import PinError, pin_session, unpin_session
from models.requests import RequestChangeError, find_request, list_requests, school_of
from models.requests import decide as decide_request
from models.session_detail import (
    SessionDetail,
    move_choices,
    party_names,
    session_detail,
    unscheduled_by_reason,
)
from models.week_grid import this_week, week_text
from scheduler.timegrid import from_aware

router = APIRouter(include_in_schema=False)
MAX_TRAINERS = 10  # as the API's move: at most ten trainer keys
BLOCKER_LINKS = 6  # the trainers or locations a reason names, linked; the rest counted
LIST_LIMIT = 200  # the API's largest page: more open at once is not a list to work through
DONE = {  # ?gedaan=... after a successful post -> the words that say so
    "pinned": "web.sessions.done_pinned",
    "unpinned": "web.sessions.done_unpinned",
    "asked": "web.sessions.done_asked",
    "moved": "web.sessions.done_moved",
    "cancelled": "web.sessions.done_cancelled",
    "refused": "web.sessions.done_refused",
    "accepted": "web.requests.done_accepted",
    "declined": "web.requests.done_declined",
}
# the words of the values a page shows (a catalogue key each, named here in full)
WORDS = {
    "status": {"confirmed": "web.sessions.status_confirmed",
               "cancelled": "web.sessions.status_cancelled"},
    "kind": {"cancel": "web.sessions.kind_cancel", "move": "web.sessions.kind_move"},
    "cr_status": {"open": "web.sessions.cr_status_open", "moved": "web.sessions.cr_status_moved",
                  "cancelled": "web.sessions.cr_status_cancelled",
                  "refused": "web.sessions.cr_status_refused"},
    "role": {"planner": "web.role.planner", "school": "web.role.school",
             "company": "web.role.company", "trainer": "web.role.trainer"},
}  # fmt: skip


def reason_words(code: str) -> str:
    """The heading of a reason code ('web.reason.<code>', one per code of scheduler.reasons;
    tests/web/test_sessions.py checks that each has words)."""
    return f"web.reason.{code}"


MOVE_FIELDS = {"$.start": "time", "$.location": "location", "$.trainers": "trainers"}
ASK_FIELDS = {"$.kind": "kind", "$.reason": "reason", "$.wish": "wish"}


@dataclass
class Typed:
    """A form as the reader typed it, and the error (a catalogue key) of each field."""

    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)  # a refused move's reasons, in words
    problem: str = ""  # a words key for what is wrong with the whole form

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.reasons or self.problem)


def _done(request: Request) -> tuple[str, int | None]:
    """The success message of the post just made, and the run it made (if any)."""
    key = DONE.get(request.query_params.get("gedaan", ""), "")
    run = request.query_params.get("run", "")
    return key, int(run) if run.isdigit() and len(run) < 10 else None


def _move_values(detail: SessionDetail) -> dict[str, object]:
    return {
        "day": detail.start.date().isoformat(),
        "time": f"{detail.start:%H:%M}",
        "location": detail.location.key,
        "trainers": [t.key for t in detail.trainers],
    }


def _session_page(
    visit: Visit,
    detail: SessionDetail,
    *,
    move: Typed | None = None,
    asking: Typed | None = None,
    pin_problem: str = "",
    status: int = 200,
) -> Response:
    done, run = _done(visit.request)
    planner = visit.principal.role == "planner"
    visit.frame["path"] = f"/sessie/{detail.uid}"  # the language switch returns to the page
    places, trainers = move_choices(visit.session) if planner else ((), ())
    return visit.page(
        "sessions_detail.html",
        status=status,
        s=detail,
        planner=planner,
        places=places,
        all_trainers=trainers,
        move=move or Typed(_move_values(detail)),
        asking=asking or Typed({"kind": "cancel", "reason": "", "wish": ""}),
        pin_problem=pin_problem,
        can_ask=detail.status == "confirmed" and detail.end > from_aware(visit.now),
        done=done,
        run=run,
        words=WORDS,
        session_week=week_text(this_week(detail.start.date())),
        names=party_names(visit.session),
        cr_text=lambda row: notice_text(row, visit.lang),
    )


def _no_session(visit: Visit) -> Response:
    """The one 404 of a session page: missing and out of scope alike."""
    return visit.message("web.not_found_title", "web.sessions.not_found", status=404)


@router.get("/sessie/{uid}")
def session_page(
    uid: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    detail = session_detail(session, visit.principal, uid)
    if detail is None:
        return _no_session(visit)
    return _session_page(visit, detail)


def _planner_post(
    uid: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep, csrf: str
) -> tuple[Visit, SessionDetail] | Response:
    """The planner's post on a session: the visit and the session, or the answer instead."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    detail = session_detail(session, visit.principal, uid)
    if detail is None:
        return _no_session(visit)
    return visit, detail


@router.post("/sessie/{uid}/vastzetten")
def pin_post(
    uid: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    pin: Annotated[str, Form()] = "",
) -> Response:
    """Pin (``pin=1``) or unpin the session, as POST and DELETE /api/v1/sessions/{uid}/pin."""
    opened = _planner_post(uid, request, session, login, now, csrf)
    if not isinstance(opened, tuple):
        return opened
    visit, detail = opened
    actor = actor_of(visit.principal)
    try:
        if pin == "1":
            pin_session(session, detail.uid, actor=actor, now=now)
        else:
            unpin_session(session, detail.uid, actor=actor, now=now)
    except PinError:  # cancelled meanwhile: the page shows its status now
        fresh = session_detail(session, visit.principal, uid)
        if fresh is None:
            return _no_session(visit)
        return _session_page(visit, fresh, status=409, pin_problem="web.sessions.pin_refused")
    done = "pinned" if pin == "1" else "unpinned"
    return visit.back(f"/sessie/{detail.uid}?gedaan={done}")


def _start(day: str, at: str, form: Typed) -> datetime | None:
    """The new start from the day and time fields, or the error next to the field."""
    try:
        moved_day = date.fromisoformat(day.strip())
    except ValueError:
        form.errors["day"] = "web.sessions.day_wrong"
        moved_day = None
    try:
        clock = time.fromisoformat(at.strip())
        if len(at.strip()) != 5:
            raise ValueError(at)
    except ValueError:
        form.errors["time"] = "web.sessions.time_wrong"
        return None
    return datetime.combine(moved_day, clock) if moved_day else None


def _check_trainers(chosen: list[str], form: Typed) -> None:
    """A move names one trainer at least and at most as many as the API takes."""
    if not chosen:
        form.errors["trainers"] = "web.sessions.trainers_missing"
    elif len(chosen) > MAX_TRAINERS:
        form.errors["trainers"] = "web.sessions.trainers_too_many"


def _move_problem(exc: MoveError, form: Typed) -> None:
    """A move that cannot be asked, in words next to the field it is about."""
    if exc.kind == "invalid" and exc.path in MOVE_FIELDS:
        field_name = MOVE_FIELDS[exc.path]
        form.errors[field_name] = {
            "time": "web.sessions.crosses_midnight",
            "location": "web.sessions.location_wrong",
            "trainers": "web.sessions.trainers_wrong",
        }[field_name]
    elif exc.kind == "invalid":
        form.problem = "web.sessions.move_changes_nothing"
    else:
        form.problem = "web.sessions.move_not_possible"


@router.post("/sessie/{uid}/verplaatsen")
def move_post(
    uid: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    at: Annotated[str, Form(alias="time")] = "",
    location: Annotated[str, Form()] = "",
    trainers: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The validated move, as POST /api/v1/sessions/{uid}/move: a new run, never published."""
    opened = _planner_post(uid, request, session, login, now, csrf)
    if not isinstance(opened, tuple):
        return opened
    visit, detail = opened
    chosen = [t for t in trainers or [] if t]
    form = Typed({"day": day, "time": at, "location": location, "trainers": chosen})
    start = _start(day, at, form)
    _check_trainers(chosen, form)
    if not form.failed:
        try:
            made = move_session(
                session, detail.uid, start=start, location=location or None, trainers=chosen,
                actor=actor_of(visit.principal), now=now,
            )  # fmt: skip
        except MoveError as exc:
            _move_problem(exc, form)
        except MoveRefused as exc:
            form.reasons = [r.text(visit.lang) for r in exc.refusals]
        else:
            return visit.back(f"/sessie/{detail.uid}?gedaan=moved&run={made.run.id}")
    return _session_page(visit, detail, move=form, status=422)


@router.post("/sessie/{uid}/verzoek")
def ask_post(
    uid: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    wish: Annotated[str, Form()] = "",
) -> Response:
    """Ask to cancel or move the session, as POST /api/v1/change-requests."""
    visit = open_page(request, session, login, now, "school", "company", "trainer")
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    detail = session_detail(session, visit.principal, uid)
    if detail is None:
        return _no_session(visit)
    form = Typed({"kind": kind, "reason": reason, "wish": wish})
    if kind == "cancel" and wish.strip():
        form.errors["wish"] = "web.sessions.wish_only_for_move"
        return _session_page(visit, detail, asking=form, status=422)
    try:
        ask(
            session, visit.principal, detail.uid, kind=kind, reason=reason, wish=wish,
            actor=actor_of(visit.principal), now=now,
        )  # fmt: skip
    except ChangeRequestError as exc:
        if exc.kind == "invalid":
            name = ASK_FIELDS.get(exc.path, "reason")
            form.errors[name] = {
                "kind": "web.sessions.kind_missing",
                "reason": "web.sessions.reason_wrong",
                "wish": "web.sessions.wish_wrong",
            }[name]
        else:
            form.problem = "web.sessions.ask_not_possible"
        return _session_page(visit, detail, asking=form, status=422)
    return visit.back(f"/sessie/{detail.uid}?gedaan=asked")


# the planner's change requests


def _change_requests_page(
    visit: Visit, forms: dict[int, Typed] | None = None, *, status: int = 200
) -> Response:
    done, run = _done(visit.request)
    visit.frame["path"] = "/planner/verzoeken"  # the language switch returns to the list
    rows = list_change_requests(
        visit.session, visit.principal, status="open", limit=LIST_LIMIT, offset=0
    ).items
    places, trainers = move_choices(visit.session)
    given = forms or {}
    for row in rows:
        if row.id not in given:
            ps = row.published_session
            given[row.id] = Typed({
                "day": ps.start.date().isoformat(), "time": f"{ps.start:%H:%M}",
                "location": ps.location.key, "reason": "", "version": row.version,
                "trainers": sorted(t.trainer.key for t in ps.trainers),
            })  # fmt: skip
    return visit.page(
        "sessions_change_requests.html",
        status=status,
        rows=rows,
        forms=given,
        places=places,
        all_trainers=trainers,
        names=party_names(visit.session),
        words=WORDS,
        done=done,
        run=run,
    )


@router.get("/planner/verzoeken")
def change_requests_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    return _change_requests_page(visit)


@router.post("/planner/verzoeken/{change_id}")
def decide_change_request(
    change_id: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    background: BackgroundTasks,
    engine: EngineDep,
    csrf: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    at: Annotated[str, Form(alias="time")] = "",
    location: Annotated[str, Form()] = "",
    trainers: Annotated[list[str] | None, Form()] = None,
    version: Annotated[str, Form()] = "",
) -> Response:
    """Decide a change request, as POST /api/v1/change-requests/{id}/decision."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    number = int(change_id) if change_id.isdigit() and len(change_id) < 10 else 0
    row = find_change_request(session, visit.principal, number) if number else None
    if row is None:
        return visit.not_found()
    chosen = [t for t in trainers or [] if t]
    form = Typed({"day": day, "time": at, "location": location, "reason": reason,
                  "version": row.version, "trainers": chosen})  # fmt: skip
    if row.status != "open" or version != str(row.version):
        form.problem = "web.sessions.changed_meanwhile"
        return _change_requests_page(visit, {row.id: form}, status=409)
    start = None
    if decision == "move":
        start = _start(day, at, form)
        _check_trainers(chosen, form)
    elif decision == "refuse" and not reason.strip():
        form.errors["reason"] = "web.sessions.refuse_reason_missing"
    if not form.failed:
        try:
            made = decide(
                session, row, decision, reason=reason, start=start,
                location=(location or None) if decision == "move" else None,
                trainers=chosen if decision == "move" else None,
                actor=actor_of(visit.principal), now=now,
            )  # fmt: skip
        except ChangeRequestError as exc:
            if exc.path == "$.reason":
                form.errors["reason"] = "web.sessions.reason_wrong"
            elif exc.path in MOVE_FIELDS:
                _move_problem(MoveError(exc.kind, exc.reason, exc.path), form)
            elif exc.kind == "invalid" and decision == "move":
                form.problem = "web.sessions.move_changes_nothing"
            else:
                form.problem = "web.sessions.move_not_possible"
        except MoveRefused as exc:
            form.reasons = [r.text(visit.lang) for r in exc.refusals]
        else:
            session.flush()
            email_after_response(background, engine, made.notice.told)  # the party is told
            run = f"&run={made.manual.run.id}" if made.manual is not None else ""
            return visit.back(f"/planner/verzoeken?gedaan={made.row.status}{run}")
    return _change_requests_page(visit, {row.id: form}, status=422)


# the planner's requests to decide, and the ones the latest run left out


def _requests_page(
    visit: Visit, forms: dict[str, Typed] | None = None, *, status: int = 200
) -> Response:
    done, _run = _done(visit.request)
    visit.frame["path"] = "/planner/aanvragen"  # the language switch returns to the list
    rows = list_requests(
        visit.session, visit.principal, status="submitted", limit=LIST_LIMIT, offset=0
    ).items
    given = forms or {}
    for row in rows:
        given.setdefault(row.key, Typed({"reason": "", "version": row.version}))
    return visit.page(
        "sessions_requests.html",
        status=status,
        rows=rows,
        forms=given,
        school_of=school_of,
        unscheduled=unscheduled_by_reason(visit.session, visit.lang),
        reason_words=reason_words,
        LINKS=BLOCKER_LINKS,
        week_of=week_text,
        names=party_names(visit.session),
        done=done,
    )


@router.get("/planner/aanvragen")
def requests_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    return _requests_page(visit)


@router.post("/planner/aanvragen/{key}/{verb}")
def decide_request_post(
    key: str,
    verb: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    background: BackgroundTasks,
    engine: EngineDep,
    csrf: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    """Accept (``accepteren``) or decline (``afwijzen``, with a reason) a submitted request,
    as POST /api/v1/requests/{key}/accept and /decline."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    row = find_request(session, visit.principal, key[:200])
    if row is None or verb not in ("accepteren", "afwijzen"):
        return visit.not_found()
    form = Typed({"reason": reason, "version": row.version})
    if row.status != "submitted" or version != str(row.version):
        form.problem = "web.requests.changed_meanwhile"
        return _requests_page(visit, {row.key: form}, status=409)
    accept = verb == "accepteren"
    if not accept:
        try:
            DeclineIn(reason=reason)  # the API's checks of a decline reason
        except ValidationError:
            empty = not reason.strip()
            form.errors["reason"] = (
                "web.requests.reason_missing" if empty else "web.requests.reason_wrong"
            )
            return _requests_page(visit, {row.key: form}, status=422)
    try:
        told = decide_request(
            session, row, accept=accept, reason="" if accept else reason,
            actor=actor_of(visit.principal), now=now,
        )  # fmt: skip
    except RequestChangeError:
        form.problem = "web.requests.changed_meanwhile"
        return _requests_page(visit, {row.key: form}, status=409)
    session.flush()
    email_after_response(background, engine, told)  # the school is told
    return visit.back(f"/planner/aanvragen?gedaan={'accepted' if accept else 'declined'}")
