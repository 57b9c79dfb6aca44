"""The planner's weekly cycle in the browser: solve, follow, review, publish (issue 26).

Planners only; every other role gets the one 404 of ``Visit.not_found``. The pages call what
the JSON API calls (api/routes/v1/solve_jobs.py and publishing.py): ``new_run`` and the
runner on ``app.state`` to start, ``request_cancel`` to cancel, ``diff_run`` to review and
``publish_checked`` with the notices of the publication to publish, with the same audit.
docs/web.md ("The planner's cycle") describes the pages.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, EngineDep, NowDep, actor_of
from api.routes.v1.changes import email_after_response
from api.routes.v1.solve_jobs import run_events
from api.web.figures import number
from api.web.visit import LoginDep, Visit, open_page
from models import entities as e
from models.audit import record
from models.bridge import Horizon, HorizonError, parse_week
from models.db import session_scope, write_retrying
from models.notices import notices_for_publication
from models.planning import HorizonBusy, new_run, rolling_horizon
from models.publish import PUBLISHABLE, current_publication
from models.publishing import (
    HardRulesBroken,
    NotPublishable,
    PublicationInfo,
    PublishConflict,
    RunMissing,
    in_force,
    publication_infos,
    publish_checked,
)
from models.review import Breach, diff_run, revalidate
from models.runner import RunFinished, request_cancel
from models.runs import expire_stale_runs_now, mark_failed
from models.runs_read import RunSummary, find_run, list_runs
from models.settings import load_settings
from models.web_sessions import WebLogin
from models.words import Language, day_text
from scheduler import SolveOptions
from scheduler.timegrid import from_aware

router = APIRouter(include_in_schema=False)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_ID = 2**31 - 1
DEFAULT_TIME_LIMIT = 30  # seconds: the API's default too
MAX_TIME_LIMIT = 3600
MAX_SEED = 2**31 - 1
LISTED = 50  # runs and publications shown per page
MAX_REASON = 500
MAX_WEEKS_TEXT = 40  # as the API's weeks field
PARTY_KINDS = ("school", "company", "trainer")
COUNTS = ("new", "moved", "cancelled", "unchanged")
# The catalogue keys the templates pick by a value (a run's status, a notice's e-mail state).
WORDS: dict[str, dict[str, str]] = {
    "status": {s: f"web.cycle.status.{s}" for s in e.RUN_STATUSES},
    "summary": {s: f"web.cycle.summary_text.{s}" for s in e.RUN_STATUSES},
    "email": {s: f"web.cycle.email.{s}" for s in e.EMAIL_STATUSES},
    "count": {c: f"web.cycle.count.{c}" for c in COUNTS},
    "parties": {k: f"web.cycle.parties.{k}" for k in PARTY_KINDS},
    "role": {r: f"web.role.{r}" for r in e.NOTICE_PARTIES},
}


def moment_text(moment: datetime, lang: Language) -> str:
    """A moment as people write it, in Amsterdam time: 'di 16 mrt 2027, 09:00'."""
    local = moment.astimezone(AMSTERDAM)
    return f"{day_text(local, lang)}, {local:%H:%M}"


def gap_percent(gap: float | None) -> int | None:
    """How close to the best possible, rounded up to a whole percent (0: proven best)."""
    if gap is None:
        return None
    return 0 if gap <= 0 else max(1, math.ceil(gap * 100))


def _run_id(text: str) -> int | None:
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_ID else None


def _starters(session: Session, ids: list[int]) -> dict[int, str]:
    """Who started each run (the audit of its start; runs of the CLI have none)."""
    rows = session.scalars(
        select(e.AuditEvent).where(
            e.AuditEvent.entity == "solve_run",
            e.AuditEvent.action == "create",
            e.AuditEvent.entity_key.in_([str(i) for i in ids]),
        )
    )
    return {
        int(row.entity_key): " ".join(x for x in (row.actor_role, row.actor_label) if x)
        for row in rows
    }


def _show(visit: Visit, template: str, **context: Any) -> Response:
    """``template`` with the words by value and moments as people write them."""
    return visit.page(template, words=WORDS, moment=lambda m: moment_text(m, visit.lang), **context)


def _planner(
    request: Request, session: Session, login: WebLogin | None, now: datetime
) -> Visit | Response:
    return open_page(request, session, login, now, "planner")


# --- /planner/plannen: start a solve, and the runs ---------------------------------------


FIELDS = ("mode", "weeks", "time_limit", "seed")  # of the solve form
BLANK_FORM = {"mode": "weeks", "weeks": "", "time_limit": str(DEFAULT_TIME_LIMIT), "seed": "0"}


def _solve_page(
    visit: Visit,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    busy: int | None = None,
) -> Response:
    page = list_runs(visit.session, limit=LISTED, offset=0)
    return _show(
        visit,
        "cycle_solve.html",
        status=status,
        runs=page.items,
        total=page.total,
        starters=_starters(visit.session, [r.id for r in page.items]),
        form=form or BLANK_FORM,
        errors={field: (errors or {}).get(field, "") for field in FIELDS},
        has_errors=bool(errors),
        busy=busy,
    )


@router.get("/planner/plannen")
def solve_form(request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep) -> Response:
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    return _solve_page(visit)


def _read_weeks(text: str) -> Horizon:
    """``2027-W11..2027-W14`` or one week; HorizonError when it is no such week or range."""
    first, sep, last = text.partition("..")
    parse_week(first)
    if sep:
        parse_week(last)
    return Horizon.parse(text)


def _read_number(text: str, low: float, high: float, *, whole: bool) -> float | None:
    try:
        value = int(text) if whole else float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


@router.post("/planner/plannen")
def solve_start(
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    mode: Annotated[str, Form()] = "weeks",
    weeks: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = "",
    seed: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Start a solve in the background as ``POST /api/v1/solves`` does; then its run page."""
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    form = {"mode": "rolling" if mode == "rolling" else "weeks", "weeks": weeks.strip(),
            "time_limit": time_limit.strip(), "seed": seed.strip() or "0"}  # fmt: skip
    errors: dict[str, str] = {}
    horizon: Horizon | None = None
    try:
        if form["mode"] == "weeks":
            if not form["weeks"]:
                errors["weeks"] = "web.cycle.weeks_missing"
            elif len(form["weeks"]) > MAX_WEEKS_TEXT:
                raise HorizonError("too long")
            else:
                horizon = _read_weeks(form["weeks"])
        else:
            horizon = rolling_horizon(load_settings(session), from_aware(now).date())
    except HorizonError:
        errors["weeks" if form["mode"] == "weeks" else "mode"] = (
            "web.cycle.weeks_wrong" if form["mode"] == "weeks" else "web.cycle.rolling_wrong"
        )
    limit = _read_number(form["time_limit"], 1, MAX_TIME_LIMIT, whole=False)
    if limit is None:
        errors["time_limit"] = "web.cycle.time_limit_wrong"
    chosen_seed = _read_number(form["seed"], 0, MAX_SEED, whole=True)
    if chosen_seed is None:
        errors["seed"] = "web.cycle.seed_wrong"
    if errors or horizon is None or limit is None or chosen_seed is None:
        return _solve_page(visit, status=422, form=form, errors=errors)
    options = SolveOptions(time_limit_seconds=limit, seed=int(chosen_seed), relative_gap=0.0)
    runner = request.app.state.runner
    try:
        run = new_run(session, horizon, options, now=from_aware(now), status="queued",
                      runner=runner.name)  # fmt: skip
    except HorizonBusy as exc:
        session.rollback()
        field = "weeks" if form["mode"] == "weeks" else "mode"
        return _solve_page(visit, status=409, form=form,
                           errors={field: "web.cycle.weeks_busy"}, busy=exc.run_id)  # fmt: skip
    record(
        session, actor_of(visit.principal), entity="solve_run", key=str(run.id), action="create",
        changes={
            "weeks": [None, str(horizon)], "rolling": [None, form["mode"] == "rolling"],
            "time_limit": [None, limit], "seed": [None, int(chosen_seed)], "gap": [None, 0.0],
            "reference": [None, None],
        },
        now=now,
    )  # fmt: skip
    run_id = run.id
    session.commit()  # the runner's process must find the run
    try:
        runner.submit(run_id)
    except Exception as exc:  # the run is marked failed; its page says so
        mark_failed(request.app.state.engine, run_id, f"the runner could not start it: {exc}")
    return visit.back(f"/planner/runs/{run_id}")


# --- /planner/runs/<id>: status and live progress ----------------------------------------


def _find(visit: Visit, run_text: str) -> RunSummary | None:
    run_id = _run_id(run_text)
    return find_run(visit.session, run_id) if run_id is not None else None


def progress_view(run: RunSummary, lang: Language) -> dict[str, Any]:
    """The figures of the run page, the same ones progress.js fills in from the events."""
    progress = run.progress
    groups = progress.group_travel_minutes if progress else None
    trainers = progress.trainer_travel_minutes if progress else None
    elapsed = progress.elapsed_seconds if progress else None
    limit = run.time_limit_seconds
    left = None
    if run.status == "running" and elapsed is not None and limit is not None:
        left = max(0, math.ceil(limit - elapsed))
    placed = progress.placed if progress else None
    if run.status not in e.ACTIVE_RUN_STATUSES and run.scheduled is not None:
        placed = run.scheduled
    return {
        "placed": placed,
        "requests": (progress.requests if progress else None) or run.requests,
        "gap": gap_percent(progress.gap if progress else None),
        "elapsed": math.floor(elapsed) if elapsed is not None else None,
        "left": left,
        # both travel figures or neither; progress.js groups digits with the same separator
        "travel": None if groups is None or trainers is None else {
            "groups": number(groups, lang), "trainers": number(trainers, lang)
        },
        "thousands": number(1000, lang)[1],
    }


def _run_view(
    visit: Visit,
    run: RunSummary,
    *,
    status: int = 200,
    cancel_error: str = "",
    publish_error: str = "",
) -> Response:
    return _show(
        visit,
        "cycle_run.html",
        status=status,
        run=run,
        active=run.status in e.ACTIVE_RUN_STATUSES,
        publishable=run.status in PUBLISHABLE,
        figures=progress_view(run, visit.lang),
        starter=_starters(visit.session, [run.id]).get(run.id, ""),
        cancel_error=cancel_error,
        publish_error=publish_error,
    )


@router.get("/planner/runs/{run_text}")
def run_page(
    run_text: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    run = _find(visit, run_text)
    if run is None:
        return visit.not_found()
    return _run_view(visit, run)


@router.post("/planner/runs/{run_text}/annuleren")
def run_cancel(
    run_text: str,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Cancel as ``DELETE /api/v1/solves/{id}`` does; a run that already ended is told so."""
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    run_id = _run_id(run_text)
    if run_id is None or find_run(session, run_id) is None:
        return visit.not_found()
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    try:
        outcome = request_cancel(session, run_id, now=now)
    except RunFinished:
        run = find_run(session, run_id)
        assert run is not None
        return _run_view(visit, run, status=409, cancel_error="web.cycle.cancel_ended")
    if outcome is None:
        return visit.not_found()
    record(
        session, actor_of(visit.principal), entity="solve_run", key=str(run_id), action="update",
        changes={"cancel_requested_at": [None, outcome.requested_at.isoformat()]}, now=now,
    )  # fmt: skip
    session.commit()
    request.app.state.runner.cancel(run_id)
    return visit.back(f"/planner/runs/{run_id}")


@router.get("/planner/runs/{run_text}/events")
def run_events_page(
    run_text: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    """The API's event stream of a run for a signed-in browser (EventSource sends the
    cookie, not an API key): ``progress`` while it runs, then one ``summary``."""
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    run_id = _run_id(run_text)
    if run_id is None or find_run(session, run_id) is None:
        return visit.not_found()
    return StreamingResponse(
        run_events(request.app.state.engine, run_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# --- /planner/runs/<id>/wijzigingen: review and publish ----------------------------------


def _version_in_force(session: Session) -> int:
    current = current_publication(session)
    return current.version if current is not None else 0


def _review_page(
    visit: Visit,
    run: e.SolveRun,
    *,
    status: int = 200,
    refused: tuple[Breach, ...] = (),
    reason: str = "",
    reason_error: str = "",
    publish_error: str = "",
    winner: PublicationInfo | None = None,
) -> Response:
    diff = diff_run(visit.session, run, now=visit.now, lang=visit.lang)
    summary = find_run(visit.session, run.id)
    assert summary is not None
    kinds = []  # per kind: the parties with changes, and those for whom nothing changes
    for kind in PARTY_KINDS:
        parties = [p for p in diff.parties if p.kind == kind]
        changed = [p for p in parties if p.new or p.moved or p.cancelled]
        kinds.append((kind, changed, [p for p in parties if p not in changed]))
    return _show(
        visit,
        "cycle_diff.html",
        status=status,
        run=summary,
        diff=diff,
        kinds=kinds,
        version=_version_in_force(visit.session),
        publishable=run.status in PUBLISHABLE,
        refused=refused,
        reason=reason,
        reason_error=reason_error,
        publish_error=publish_error,
        winner=winner,
    )


@router.get("/planner/runs/{run_text}/wijzigingen")
def review_page(
    run_text: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    run_id = _run_id(run_text)
    run = session.get(e.SolveRun, run_id) if run_id is not None else None
    if run is None:
        return visit.not_found()
    if run.status not in PUBLISHABLE:  # no plan: its "diff" would cancel everything
        return visit.back(f"/planner/runs/{run.id}")
    return _review_page(visit, run)


@router.post("/planner/runs/{run_text}/publiceren")
def publish_post(
    run_text: str,
    request: Request,
    session: ApiSessionDep,
    engine: EngineDep,
    login: LoginDep,
    now: NowDep,
    background: BackgroundTasks,
    csrf: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    override: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Publish as ``POST /api/v1/solves/{id}/publish`` does, ``version`` being its If-Match:
    the checks against today's data, the guard against a publication that came first, the
    notices to each party in the publish's own transaction; then who was told what."""
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    run_id = _run_id(run_text)
    run = session.get(e.SolveRun, run_id) if run_id is not None else None
    if run is None or run_id is None:
        return visit.not_found()
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    expected = int(version) if version.isdigit() and len(version) < 10 else -1  # stale
    reason = reason.strip()
    if override and not reason:
        return _review_page(visit, run, status=422, refused=_breaches(session, run, visit),
                            reason_error="web.cycle.reason_missing")  # fmt: skip
    if len(reason) > MAX_REASON:
        return _review_page(visit, run, status=422, refused=_breaches(session, run, visit),
                            reason=reason[:5000], reason_error="web.cycle.reason_long")  # fmt: skip
    actor = actor_of(visit.principal)
    session.commit()  # the publish is its own transaction, as in the API
    expire_stale_runs_now(engine)

    def work(tx: Session) -> tuple[int, list[int]]:
        checked = publish_checked(
            tx, run_id, actor=actor, now=now, expected=expected, lang=visit.lang,
            override_reason=reason if override else None,
        )  # fmt: skip
        notices = notices_for_publication(tx, checked.result, now=now)
        return checked.result.publication.version, [n.id for n in notices]

    try:
        published, notice_ids = write_retrying(engine, work, what="publish")
    except RunMissing:
        return visit.not_found()
    except NotPublishable:  # no plan (yet): its run page says why, next to its state
        found = find_run(session, run_id)
        assert found is not None
        return _run_view(visit, found, status=409, publish_error="web.cycle.not_publishable")
    except HardRulesBroken as exc:
        return _review_page(visit, run, status=409, refused=exc.violations, reason=reason)
    except (PublishConflict, IntegrityError):
        session.expire_all()
        with session_scope(engine) as fresh:
            winner = in_force(fresh)
        return _review_page(visit, run, status=409, winner=winner,
                            publish_error="web.cycle.publish_conflict")  # fmt: skip
    email_after_response(background, engine, notice_ids)
    response = visit.back(f"/planner/publicaties/{published}")
    response.background = background
    return response


def _breaches(session: Session, run: e.SolveRun, visit: Visit) -> tuple[Breach, ...]:
    """The rules the run breaks today (the override form lists them again)."""
    return revalidate(session, run, now=visit.now, lang=visit.lang)


# --- /planner/publicaties: the history, and who was told what ---------------------------


@router.get("/planner/publicaties")
def publications_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    rows = session.scalars(
        select(e.Publication).order_by(e.Publication.version.desc()).limit(LISTED)
    ).all()
    return _show(
        visit,
        "cycle_publications.html",
        publications=publication_infos(session, list(rows)),
        version=_version_in_force(session),
    )


@router.get("/planner/publicaties/{version_text}")
def publication_page(
    version_text: str, request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    """One publication: when, by whom, its counts, and each party's notice as it got it."""
    visit = _planner(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    number = _run_id(version_text)
    publication = (
        session.scalar(select(e.Publication).where(e.Publication.version == number))
        if number is not None
        else None
    )
    if publication is None:
        return visit.not_found()
    notices = session.scalars(
        select(e.Notice)
        .where(e.Notice.publication_id == publication.id, e.Notice.kind == "plan_changes")
        .order_by(e.Notice.party_role, e.Notice.party_name, e.Notice.id)
    ).all()
    return _show(
        visit,
        "cycle_published.html",
        info=publication_infos(session, [publication])[0],
        notices=notices,
    )
