"""The planner's figures and report, everyone's feed links, and the planner's sign-in keys.

- ``/planner/cijfers``: bar charts (api/web/svg.py) of the published plan (models/figures.py)
  and of the yearly targets (models/report.py), each with a table beside it.
- ``/planner/verslag`` (and ``/planner/verslag.csv``): the yearly report, as GET
  /api/v1/report gives it.
- ``/agenda``: the feed tokens of the subjects in the key's scope (models/feeds.py, as
  ``campus feeds`` manages them): create, rotate, revoke; a new URL is shown once.
- ``/planner/sleutels``: sign-in keys (models/keys.py, as /api/v1/keys): list, create (the
  secret shown once), revoke.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select

from api.deps import ApiSessionDep, NowDep, SettingsDep, actor_of
from api.web.svg import Bar, bar_chart
from api.web.visit import LoginDep, Visit, open_page
from models import entities as e
from models.bridge import Horizon, HorizonError
from models.feeds import (
    FeedError,
    FeedSubject,
    all_subjects,
    as_utc,
    create_token,
    revoke_token,
    rotate_token,
)
from models.figures import PlanFigures, Use, plan_figures
from models.keys import (
    AMSTERDAM,
    MAX_LABEL,
    ROLES,
    ApiKeyError,
    create_key,
    key_status,
    record_created,
    revoke_recorded,
)
from models.report import (
    ReportError,
    SchoolYear,
    YearReport,
    report_csv,
    school_year,
    year_report,
)
from models.week_grid import subjects, this_week, week_text
from models.words import Language, day_text, phrase

router = APIRouter(include_in_schema=False)
_YEAR = re.compile(r"^\d{4}-\d{4}$")
MAX_WEEKS = 60  # a period longer than a school year and a bit is a typo
VIEW_ORDER = ("campus", "school", "group", "company", "location", "trainer")
# The words of values the pages show, each key written out (the catalogue test checks them).
WORDS: dict[str, dict[str, str]] = {
    "audience": {
        "primary": "web.audience.primary",
        "vmbo": "web.audience.vmbo",
        "mbo": "web.audience.mbo",
        "job_seekers": "web.audience.job_seekers",
        "hbo": "web.audience.hbo",
        "staff": "web.audience.staff",
    },
    "scope": {
        "campus": "web.report.scope.campus",
        "school": "web.report.scope.school",
        "host": "web.report.scope.host",
    },
    "view": {
        "campus": "web.feeds.view.campus",
        "school": "web.feeds.view.school",
        "group": "web.feeds.view.group",
        "company": "web.feeds.view.company",
        "location": "web.feeds.view.location",
        "trainer": "web.feeds.view.trainer",
    },
    "views": {
        "campus": "web.feeds.views.campus",
        "school": "web.feeds.views.school",
        "group": "web.feeds.views.group",
        "company": "web.feeds.views.company",
        "location": "web.feeds.views.location",
        "trainer": "web.feeds.views.trainer",
    },
    "role": {
        "planner": "web.role.planner",
        "school": "web.role.school",
        "company": "web.role.company",
        "trainer": "web.role.trainer",
    },
    "status": {
        "active": "web.keys.status.active",
        "expired": "web.keys.status.expired",
        "revoked": "web.keys.status.revoked",
    },
}


# --- numbers as people write them -------------------------------------------------------


def number(value: float, lang: Language, digits: int = 0) -> str:
    """``1.234,5`` in Dutch, ``1,234.5`` in English."""
    text = f"{value:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def hours(minutes: int, lang: Language) -> str:
    return number(minutes / 60, lang, 1)


def moment_text(moment: datetime | None, lang: Language) -> str:
    """A stored UTC moment in Amsterdam wall time: 'di 16 mrt 2027, 09:00'; '' for none."""
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(AMSTERDAM)
    return f"{day_text(local, lang)}, {local:%H:%M}"


def current_year(now: datetime) -> str:
    """The school year ``now`` falls in, by the Dutch custom: from August on, the next one."""
    today = now.astimezone(AMSTERDAM).date()
    first = today.year if today.month >= 8 else today.year - 1
    return f"{first}-{first + 1}"


# --- /planner/cijfers -------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """One figure: its SVG and the table that says the same in rows."""

    chart_id: str
    title: str
    svg: Markup
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _period(session: ApiSessionDep, text: str, now: datetime) -> tuple[Horizon, SchoolYear]:
    """The weeks a period names (a school year ``2026-2027`` or weeks ``2027-W11..2027-W14``)
    and the school year its targets are of (the one its first day falls in); HorizonError or
    ReportError when it names none."""
    text = text.strip() or current_year(now)
    if _YEAR.match(text):
        year = school_year(session, text)
        horizon = Horizon(week_text(this_week(year.first)), week_text(this_week(year.last)))
        return horizon, year
    horizon = Horizon.parse(text)
    if (horizon.last_day - horizon.first_day).days // 7 + 1 > MAX_WEEKS:
        raise HorizonError(f"{text!r} is longer than {MAX_WEEKS} weeks")
    first = horizon.first_day
    start = first.year if first.month >= 8 else first.year - 1
    return horizon, school_year(session, f"{start}-{start + 1}")


def _use_chart(chart_id: str, title: str, uses: list[Use], lang: Language) -> Chart:
    def t(key: str, **values: object) -> str:
        return phrase(key, lang, **values)

    texts = [
        t("web.figures.use_text", percent=number(u.percent, lang), booked=hours(u.booked_minutes,
          lang), open=hours(u.open_minutes, lang))
        for u in uses
    ]  # fmt: skip
    bars = [Bar(u.name, round(u.percent, 1), text) for u, text in zip(uses, texts, strict=True)]
    desc = "; ".join(f"{u.name}: {text}" for u, text in zip(uses, texts, strict=True))
    svg = bar_chart(chart_id=chart_id, title=title, desc=desc or t("web.figures.no_data"),
                    axis=t("web.figures.axis_use"), bars=bars, maximum=100)  # fmt: skip
    rows = tuple(
        (u.name, number(u.percent, lang), hours(u.booked_minutes, lang),
         hours(u.open_minutes, lang), str(u.sessions))
        for u in uses
    )  # fmt: skip
    head = (t("web.figures.col_name"), t("web.figures.col_percent"), t("web.figures.col_booked"),
            t("web.figures.col_open"), t("web.figures.col_sessions"))  # fmt: skip
    return Chart(chart_id, title, svg, head, rows)


def _charts(figures: PlanFigures, report: YearReport, lang: Language) -> list[Chart]:
    def t(key: str, **values: object) -> str:
        return phrase(key, lang, **values)

    charts = [
        _use_chart("benutting-locaties", t("web.figures.use_locations"),
                   list(figures.locations), lang),
        _use_chart("benutting-bedrijven", t("web.figures.use_companies"),
                   list(figures.companies), lang),
    ]  # fmt: skip
    share_texts = [
        t("web.figures.share_text", scheduled=s.scheduled, requested=s.requested,
          percent=number(s.percent, lang))
        for s in figures.schools
    ]  # fmt: skip
    charts.append(
        Chart(
            "aandeel-scholen",
            t("web.figures.shares"),
            bar_chart(
                chart_id="aandeel-scholen", title=t("web.figures.shares"),
                desc="; ".join(f"{s.name}: {x}" for s, x in zip(figures.schools, share_texts,
                                                                 strict=True))
                or t("web.figures.no_data"),
                axis=t("web.figures.axis_share"), maximum=100,
                bars=[Bar(s.name, round(s.percent, 1), x)
                      for s, x in zip(figures.schools, share_texts, strict=True)],
            ),
            (t("web.figures.col_name"), t("web.figures.col_scheduled"),
             t("web.figures.col_requested"), t("web.figures.col_percent")),
            tuple((s.name, str(s.scheduled), str(s.requested), number(s.percent, lang))
                  for s in figures.schools),
        )
    )  # fmt: skip
    travel = [
        (t("web.figures.travel_groups"), figures.group_travel_minutes),
        (t("web.figures.travel_trainers"), figures.trainer_travel_minutes),
    ] + [(x.name, x.minutes) for x in figures.travel]
    minutes = [t("web.figures.minutes", minutes=number(m, lang)) for _, m in travel]
    charts.append(
        Chart(
            "reistijd",
            t("web.figures.travel"),
            bar_chart(
                chart_id="reistijd", title=t("web.figures.travel"),
                desc="; ".join(f"{name}: {m}" for (name, _), m in zip(travel, minutes,
                                                                       strict=True)),
                axis=t("web.figures.axis_minutes"),
                bars=[Bar(name, value, m) for (name, value), m in zip(travel, minutes,
                                                                        strict=True)],
            ),
            (t("web.figures.col_name"), t("web.figures.col_minutes")),
            tuple((name, number(value, lang)) for name, value in travel),
        )
    )  # fmt: skip
    targets = [r for r in report.rows if r.scope == "campus" and r.target is not None]
    bars, rows, descs = [], [], []
    for r in targets:
        target = r.target or 0
        audience = t(WORDS["audience"][r.audience])
        text = t("web.figures.target_text", reached=r.reached, planned=r.pupils_unmarked,
                 target=target)  # fmt: skip
        descs.append(f"{audience}: {text}")
        percent = 100 * r.reached / target if target else 0.0
        planned = 100 * r.pupils_unmarked / target if target else 0.0
        bars.append(Bar(audience, round(percent, 1), text, more=round(planned, 1)))
        rows.append((audience, str(target), str(r.reached), str(r.pupils_unmarked),
                     number(percent, lang)))  # fmt: skip
    charts.append(
        Chart(
            "doelen",
            t("web.figures.targets", year=report.year.label),
            bar_chart(
                chart_id="doelen", title=t("web.figures.targets", year=report.year.label),
                desc="; ".join(descs), axis=t("web.figures.axis_target"), bars=bars,
                maximum=max([100.0] + [b.value + b.more for b in bars]), target=100,
                target_text=t("web.figures.target_line"),
            ),
            (t("web.figures.col_audience"), t("web.figures.col_target"),
             t("web.figures.col_reached"), t("web.figures.col_planned"),
             t("web.figures.col_percent_target")),
            tuple(rows),
        )
    )  # fmt: skip
    return charts


@router.get("/planner/cijfers")
def figures_page(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    """The charts of the published plan in a period, and the targets of its school year."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    asked = request.query_params.get("periode", "")[:40]
    error = ""
    try:
        horizon, year = _period(session, asked, now)
    except (ValueError, OverflowError):  # HorizonError, ReportError; 9999-W52 overflows
        error = "web.figures.period_wrong"
        horizon, year = _period(session, "", now)
    figures = plan_figures(session, horizon)
    report = year_report(session, year)
    return visit.page(
        "figures_charts.html",
        words=WORDS,
        status=422 if error else 200,
        asked=asked,
        period_error=error,
        weeks=figures.weeks,
        first=figures.first,
        last=figures.last,
        charts=_charts(figures, report, visit.lang),
    )


# --- /planner/verslag -------------------------------------------------------------------


def _year(session: ApiSessionDep, asked: str, now: datetime) -> tuple[YearReport, str]:
    try:
        return year_report(session, school_year(session, asked or current_year(now))), ""
    except ReportError:
        fallback = school_year(session, current_year(now))
        return year_report(session, fallback), "web.report.year_wrong"


@router.get("/planner/verslag")
def report_page(request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep) -> Response:
    """What actually happened against the yearly targets (GET /api/v1/report's numbers)."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    asked = request.query_params.get("jaar", "")[:20].strip()
    report, error = _year(session, asked, now)
    scopes = {scope: [r for r in report.rows if r.scope == scope]
              for scope in ("campus", "school", "host")}  # fmt: skip
    return visit.page(
        "figures_report.html",
        words=WORDS,
        status=422 if error else 200,
        asked=asked or report.year.label,
        year_error=error,
        report=report,
        scopes=scopes,
    )


@router.get("/planner/verslag.csv")
def report_csv_file(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Response:
    """The report as `campus report --year` writes it (and GET /api/v1/report as CSV)."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    report, error = _year(session, request.query_params.get("jaar", "")[:20].strip(), now)
    if error:
        return visit.not_found()
    filename = f"tic-report-{report.year.label}.csv"
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip


# --- /agenda ----------------------------------------------------------------------------


def feed_subjects(visit: Visit) -> list[FeedSubject]:
    """The subjects whose feed tokens this key manages: a planner every subject (the campus
    too), the others exactly the timetables they may open (models/week_grid.py)."""
    if visit.principal.role == "planner":
        found = all_subjects(visit.session)
    else:
        found = subjects(visit.session, visit.principal)
    return sorted(found, key=lambda s: (VIEW_ORDER.index(s.view), s.name.lower(), s.key))


@dataclass(frozen=True)
class TokenRow:
    token_id: int
    subject: FeedSubject
    label: str
    created: str
    fetched: str


@dataclass(frozen=True)
class NewLink:
    subject: FeedSubject
    label: str
    https: str
    webcal: str
    replaced: bool


def _feeds_page(
    visit: Visit,
    settings: SettingsDep,
    *,
    status: int = 200,
    new: NewLink | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    scope = feed_subjects(visit)
    by_view = {(s.view, s.key): s for s in scope}
    rows = [
        TokenRow(row.id, by_view[(row.view, row.subject_key)], row.label,
                 moment_text(row.created_at, visit.lang),
                 moment_text(row.last_fetched_at, visit.lang))
        for row in visit.session.scalars(
            select(e.FeedToken).where(e.FeedToken.active.is_(True)).order_by(e.FeedToken.id)
        )
        if (row.view, row.subject_key) in by_view
    ]  # fmt: skip
    order = {(s.view, s.key): i for i, s in enumerate(scope)}
    rows.sort(key=lambda r: (order[(r.subject.view, r.subject.key)], r.label, r.token_id))
    return visit.page(
        "figures_feeds.html",
        words=WORDS,
        status=status,
        scope=scope,
        rows=rows,
        new=new,
        errors=defaultdict(str, errors or {}),  # a field without an error: ''
        typed=typed or {"subject": "", "label": ""},
        notice=notice,
        revoked_days=settings.revoked_days,
        max_label=MAX_LABEL,
    )


def _open_feeds(
    request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep
) -> Visit | Response:
    return open_page(request, session, login, now)


@router.get("/agenda")
def feeds_page(
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """The feed links of the key's subjects: who they are for, when last fetched."""
    visit = _open_feeds(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    notice = "web.feeds.revoked" if request.query_params.get("ingetrokken") else ""
    return _feeds_page(visit, settings, notice=notice)


def _link(settings: SettingsDep, subject: FeedSubject, label: str, token: str,
          replaced: bool) -> NewLink:  # fmt: skip
    return NewLink(subject, label, settings.feed_url(token), settings.webcal_url(token), replaced)


@router.post("/agenda")
def feeds_create(
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    subject: Annotated[str, Form(max_length=500)] = "",
    label: Annotated[str, Form()] = "",
) -> Response:
    """A new feed URL for one subject in scope, shown on the answer only."""
    visit = _open_feeds(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    typed = {"subject": subject, "label": label}
    if not subject:
        return _feeds_page(visit, settings, status=422, typed=typed,
                           errors={"subject": "web.feeds.subject_missing"})  # fmt: skip
    view, _, key = subject.partition(":")
    chosen = next((s for s in feed_subjects(visit) if (s.view, s.key) == (view, key)), None)
    if chosen is None:
        return visit.not_found()
    try:
        row, token = create_token(session, view, key, now=now, label=label)
    except FeedError as exc:
        words = "web.feeds.label_taken" if "already has" in str(exc) else "web.feeds.label_wrong"
        return _feeds_page(visit, settings, status=422, typed=typed, errors={"label": words})
    return _feeds_page(visit, settings, new=_link(settings, chosen, row.label, token, False))


def _token_in_scope(visit: Visit, token_id: int) -> e.FeedToken | None:
    row = visit.session.get(e.FeedToken, token_id) if 0 < token_id < 2**31 else None
    if row is None or row.active is not True:
        return None
    keys = {(s.view, s.key) for s in feed_subjects(visit)}
    return row if (row.view, row.subject_key) in keys else None


@router.post("/agenda/{token_id}/vervangen")
def feeds_rotate(
    token_id: int,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A new URL for the same subject and label; the old one stops (rotate)."""
    visit = _open_feeds(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    row = _token_in_scope(visit, token_id)
    if row is None:
        return visit.not_found()
    subject = next(
        s for s in feed_subjects(visit) if (s.view, s.key) == (row.view, row.subject_key)
    )
    new, token = rotate_token(session, token_id=row.id, now=now)
    return _feeds_page(visit, settings, new=_link(settings, subject, new.label, token, True))


@router.post("/agenda/{token_id}/intrekken")
def feeds_revoke(
    token_id: int,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Stop one feed URL; the subject's other URLs keep working."""
    visit = _open_feeds(request, session, login, now)
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    row = _token_in_scope(visit, token_id)
    if row is None:
        return visit.not_found()
    revoke_token(session, token_id=row.id, now=now)
    return visit.back("/agenda?ingetrokken=1")


# --- /planner/sleutels ------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRow:
    key_id: int
    role: str
    scope: str  # the partner's or trainer's name
    label: str
    created: str
    expires: str
    last_used: str
    revoked: str
    status: str
    own: bool


@dataclass(frozen=True)
class NewKey:
    role: str
    scope: str
    label: str
    secret: str
    expires: str


def _names(
    session: ApiSessionDep,
) -> tuple[dict[str, str], dict[str, str], list[e.Partner], list[e.Trainer]]:
    partners = list(session.scalars(select(e.Partner).order_by(e.Partner.name)))
    trainers = list(session.scalars(select(e.Trainer).order_by(e.Trainer.name)))
    return ({p.key: p.name for p in partners}, {t.key: t.name for t in trainers},
            partners, trainers)  # fmt: skip


def _keys_page(
    visit: Visit,
    *,
    status: int = 200,
    new: NewKey | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    partner_names, trainer_names, partners, trainers = _names(visit.session)
    now = visit.now
    rows = [
        KeyRow(
            row.id, row.role,
            partner_names.get(row.partner_key or "", row.partner_key or "")
            or trainer_names.get(row.trainer_key or "", row.trainer_key or ""),
            row.label, moment_text(row.created_at, visit.lang),
            day_text(as_utc(row.expires_at).astimezone(AMSTERDAM), visit.lang)
            if row.expires_at is not None else "",
            moment_text(row.last_used_at, visit.lang), moment_text(row.revoked_at, visit.lang),
            key_status(row, now), row.id == visit.principal.key_id,
        )
        for row in visit.session.scalars(select(e.ApiKey).order_by(e.ApiKey.id))
    ]  # fmt: skip
    today = now.astimezone(AMSTERDAM).date()
    return visit.page(
        "figures_keys.html",
        words=WORDS,
        status=status,
        rows=rows,
        new=new,
        errors=defaultdict(str, errors or {}),  # a field without an error: ''
        typed=typed or {"role": "", "partner": "", "trainer": "", "label": "", "expires": ""},
        notice=notice,
        roles=ROLES,
        schools=[p for p in partners if p.kind == "school"],
        companies=[p for p in partners if p.kind != "school"],
        trainers=trainers,
        tomorrow=(today + timedelta(days=1)).isoformat(),
        max_label=MAX_LABEL,
    )


@router.get("/planner/sleutels")
def keys_page(request: Request, session: ApiSessionDep, login: LoginDep, now: NowDep) -> Response:
    """Every sign-in key: whose, until when, last used, revoked."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    notice = "web.keys.revoked" if request.query_params.get("ingetrokken") else ""
    return _keys_page(visit, notice=notice)


def _key_errors(
    role: str, partner: str, trainer: str, expires: str, today: date
) -> tuple[dict[str, str], date | None]:
    """The form's mistakes by field (the API's checks of /api/v1/keys, in words)."""
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = "web.keys.role_missing"
    wanted = {"company": "partner", "school": "partner", "trainer": "trainer"}.get(role)
    if role in ROLES:
        if wanted == "partner" and not partner:
            errors["partner"] = (
                "web.keys.partner_missing.school"
                if role == "school"
                else "web.keys.partner_missing.company"
            )
        if wanted == "trainer" and not trainer:
            errors["trainer"] = "web.keys.trainer_missing"
        if wanted != "partner" and partner:
            errors["partner"] = "web.keys.partner_not_wanted"
        if wanted != "trainer" and trainer:
            errors["trainer"] = "web.keys.trainer_not_wanted"
    day = None
    if expires:
        try:
            day = date.fromisoformat(expires)
        except ValueError:
            errors["expires"] = "web.keys.expires_wrong"
        else:
            if day <= today:
                errors["expires"] = "web.keys.expires_past"
    return errors, day


@router.post("/planner/sleutels")
def keys_create(
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    partner: Annotated[str, Form(max_length=200)] = "",
    trainer: Annotated[str, Form(max_length=200)] = "",
    label: Annotated[str, Form()] = "",
    expires: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A new key; its secret is on this answer only."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    typed = {"role": role, "partner": partner, "trainer": trainer, "label": label,
             "expires": expires}  # fmt: skip
    errors, day = _key_errors(role, partner, trainer, expires.strip(), now.astimezone(
        AMSTERDAM).date())  # fmt: skip
    label = label.strip()
    if len(label) > MAX_LABEL:
        errors["label"] = "web.keys.label_long"
    if errors:
        return _keys_page(visit, status=422, errors=errors, typed=typed)
    moment = now.replace(microsecond=0)
    try:
        row, secret = create_key(session, role=role, partner=partner or None,
                                 trainer=trainer or None, label=label, expires=day,
                                 now=moment)  # fmt: skip
    except ApiKeyError as exc:
        message = str(exc)
        if "label" in message:
            errors["label"] = "web.keys.label_wrong"
        elif "trainer" in message:
            errors["trainer"] = "web.keys.trainer_unknown"
        elif "unknown partner" in message:
            errors["partner"] = "web.keys.partner_unknown"
        else:
            errors["partner"] = (
                "web.keys.partner_kind.school"
                if role == "school"
                else "web.keys.partner_kind.company"
            )
        return _keys_page(visit, status=422, errors=errors, typed=typed)
    record_created(session, actor_of(visit.principal), row, now=moment)
    session.flush()
    partner_names, trainer_names, _, _ = _names(session)
    scope = partner_names.get(partner, "") if partner else trainer_names.get(trainer, "")
    expiry = day_text(day, visit.lang) if day is not None else ""
    return _keys_page(visit, status=201, new=NewKey(role, scope, row.label, secret, expiry))


@router.post("/planner/sleutels/{key_id}/intrekken")
def keys_revoke(
    key_id: int,
    request: Request,
    session: ApiSessionDep,
    login: LoginDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Stop a key at once: its API calls and its web sessions end with the next request."""
    visit = open_page(request, session, login, now, "planner")
    if not isinstance(visit, Visit):
        return visit
    if not visit.csrf_ok(csrf):
        return visit.form_expired()
    row = session.get(e.ApiKey, key_id) if 0 < key_id < 2**31 else None
    if row is None:
        return visit.not_found()
    if key_id == visit.principal.key_id:
        return _keys_page(visit, status=409, notice="web.keys.own_key")
    if row.revoked_at is not None:
        return _keys_page(visit, status=409, notice="web.keys.already_revoked")
    revoke_recorded(session, key_id, actor=actor_of(visit.principal), now=now.replace(
        microsecond=0))  # fmt: skip
    return visit.back("/planner/sleutels?ingetrokken=1")
