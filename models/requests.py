"""Requests as the HTTP API reads and changes them: scope, life cycle, cut-off, door checks.

Scope: a planner sees every request, a school the requests whose groups are all its own (a
request combining its group with another school's is the planner's to handle: showing it
would show the other school's group). Outside the scope a request is answered like one that
does not exist (None).

Life cycle (docs/api.md, "Requests"): ``submitted`` (by a school, or entered by a planner)
-> ``accepted`` or ``declined`` (planner, declined with a reason); a school withdraws a
submitted or accepted request until the campus's cut-off. Only accepted requests are planned
(models/bridge.py); the next publish cancels a withdrawn request's sessions
(models/publish.py).

Door checks: a request that can never be scheduled for a reason that needs no solve is
refused at submission with the reasons of ``campus explain`` (scheduler.explain.door_check
on a Problem built by the bridge for the request's own dates), and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import entities as e
from models.audit import Actor, diff, json_value, record
from models.bridge import Horizon, build_problem
from models.keys import Principal
from models.notices import request_decided, sessions_hit
from models.school_groups import is_key, scoped_groups
from scheduler.explain import door_check
from scheduler.problem import RequestId
from scheduler.reasons import Reason
from scheduler.timegrid import from_aware

REQUEST_ROLES = ("planner", "school")
# The request's own fields a school sets at submission and may change while it is submitted.
REQUEST_FIELDS = ("activity", "groups", "earliest", "latest", "priority", "preferences", "note")
# The fields the door checks read: a PATCH that changes one of them is checked again.
DOOR_FIELDS = frozenset({"activity", "groups", "earliest", "latest"})


class RequestChangeError(ValueError):
    """A change that cannot be made: ``invalid`` input (422), a ``conflict`` with the request's
    state (409), or ``never`` schedulable (422 with the reasons)."""

    def __init__(
        self,
        kind: str,
        path: str,
        reason: str,
        *,
        reasons: Sequence[Reason] = (),
        until: date | None = None,
    ) -> None:
        super().__init__(f"{path}: {reason}")
        self.kind = kind
        self.path = path
        self.reason = reason
        self.reasons = tuple(reasons)
        self.until = until


@dataclass(frozen=True)
class Page:
    items: list[e.Request]
    total: int


def scoped_requests(principal: Principal) -> Select[tuple[e.Request]]:
    query = select(e.Request)
    if principal.role == "planner":
        return query
    if principal.role == "school" and principal.partner:
        of_school = (
            select(e.RequestGroup.request_id)
            .join(e.Group, e.RequestGroup.group_id == e.Group.id)
            .join(e.Partner, e.Group.school_id == e.Partner.id)
        )
        own = of_school.where(e.Partner.key == principal.partner)
        foreign = of_school.where(e.Partner.key != principal.partner)
        return query.where(e.Request.id.in_(own), e.Request.id.not_in(foreign))
    return query.where(False)


def list_requests(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    week: date | None = None,
    team: str | None = None,
    activity: str | None = None,
    limit: int,
    offset: int,
) -> Page:
    """The requests in scope, by key, filtered; ``week`` (its Monday) keeps requests whose
    date range meets that week."""
    query = scoped_requests(principal)
    if status is not None:
        query = query.where(e.Request.status == status)
    if week is not None:
        query = query.where(e.Request.earliest <= week + timedelta(days=6))
        query = query.where(e.Request.latest >= week)
    if team is not None or activity is not None:
        query = query.join(e.Request.activity_type)
        if team is not None:
            query = query.where(e.ActivityType.team == team)
        if activity is not None:
            query = query.where(e.ActivityType.code == activity)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(e.Request.key).limit(limit).offset(offset)).all()
    return Page(list(rows), total)


def find_request(session: Session, principal: Principal, key: str) -> e.Request | None:
    """The request ``key`` if it exists and is in scope; None in every other case."""
    if not is_key(key):
        return None
    return session.scalars(scoped_requests(principal).where(e.Request.key == key)).one_or_none()


def school_of(request: e.Request) -> str:
    """The school of a request's groups (several: joined with "+")."""
    return "+".join(sorted({rg.group.school.key for rg in request.groups}))


def published_sessions(session: Session, request: e.Request) -> list[e.PublishedSession]:
    """The request's sessions of the published plan, confirmed and cancelled, by time."""
    return list(
        session.scalars(
            select(e.PublishedSession)
            .where(e.PublishedSession.request_id == request.id)
            .order_by(e.PublishedSession.start, e.PublishedSession.session_index)
        )
    )


# --- what a request says, as the audit records it --------------------------------------------


def fields_of(request: e.Request) -> dict[str, Any]:
    return json_value(
        {
            "activity": request.activity_type.code,
            "groups": [rg.group.key for rg in request.groups],
            "earliest": request.earliest,
            "latest": request.latest,
            "priority": request.priority,
            "preferences": preferences_of(request),
            "note": request.note,
            "status": request.status,
            "decline_reason": request.decline_reason,
        }
    )


def preferences_of(request: e.Request) -> dict[str, Any]:
    return {
        "weekdays": [int(d) for d in request.preferred_weekdays.split(",") if d],
        "time_of_day": request.preferred_time_of_day,
        "partners": [x.partner.key for x in request.preferred_partners],
        "locations": [x.location.key for x in request.preferred_locations],
    }


# --- submit and change ---------------------------------------------------------------------


def _next_key(session: Session) -> str:
    """``rq-<n>``: the first free number after the highest request id."""
    n = (session.scalar(select(func.max(e.Request.id))) or 0) + 1
    while session.scalars(select(e.Request.id).where(e.Request.key == f"rq-{n}")).first():
        n += 1
    return f"rq-{n}"


def _set(
    session: Session, principal: Principal, request: e.Request, values: Mapping[str, Any]
) -> None:
    """Apply ``values`` (fields of REQUEST_FIELDS) with every reference checked (422)."""
    if "activity" in values:
        code = values["activity"]
        activity = session.scalars(
            select(e.ActivityType).where(e.ActivityType.code == code)
        ).one_or_none()
        if activity is None:
            raise RequestChangeError(
                "invalid", "$.activity", f"no activity {code} in the catalogue"
            )
        request.activity_type = activity
    if "groups" in values:
        rows = []
        for i, key in enumerate(values["groups"]):
            group = session.scalars(scoped_groups(principal).where(e.Group.key == key)).first()
            if group is None:
                raise RequestChangeError(
                    "invalid", f"$.groups[{i}]", f"no group {key} that this key may see"
                )
            if any(row.group is group for row in rows):
                raise RequestChangeError("invalid", f"$.groups[{i}]", f"group {key} is named twice")
            rows.append(e.RequestGroup(group=group, position=i))
        request.groups = rows
    for name in ("earliest", "latest", "priority", "note"):
        if name in values:
            setattr(request, name, values[name])
    if request.latest < request.earliest:
        where = "$.latest" if "latest" in values else "$.earliest"
        raise RequestChangeError(
            "invalid", where, f"latest {request.latest} is before earliest {request.earliest}"
        )
    if "preferences" in values:
        _set_preferences(session, request, values["preferences"])


def _set_preferences(session: Session, request: e.Request, prefs: Mapping[str, Any]) -> None:
    request.preferred_weekdays = ",".join(str(d) for d in sorted(set(prefs.get("weekdays", []))))
    request.preferred_time_of_day = prefs.get("time_of_day")
    partners = []
    for i, key in enumerate(prefs.get("partners", [])):
        partner = session.scalars(select(e.Partner).where(e.Partner.key == key)).one_or_none()
        if partner is None:
            raise RequestChangeError("invalid", f"$.preferences.partners[{i}]", f"no partner {key}")
        if partner.id not in {x.partner_id for x in partners}:
            partners.append(e.RequestPreferredPartner(partner=partner, partner_id=partner.id))
    locations = []
    for i, key in enumerate(prefs.get("locations", [])):
        loc = session.scalars(select(e.Location).where(e.Location.key == key)).one_or_none()
        if loc is None:
            raise RequestChangeError(
                "invalid", f"$.preferences.locations[{i}]", f"no location {key}"
            )
        if loc.id not in {x.location_id for x in locations}:
            locations.append(e.RequestPreferredLocation(location=loc, location_id=loc.id))
    request.preferred_partners = partners
    request.preferred_locations = locations


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def never_schedulable(session: Session, request: e.Request, *, now: datetime) -> tuple[Reason, ...]:
    """The door check: ``campus explain``'s solve-free reasons for ``request``, or ()."""
    session.flush()
    horizon = Horizon(_week(request.earliest), _week(request.latest))
    problem = build_problem(session, horizon, now=from_aware(now), only=[request.key])
    return door_check(problem, RequestId(request.key))


# Where in the body each reason points: what the school changes to fix it.
REASON_PATHS = {
    "participants_out_of_range": "$.groups",
    "at_school_groups_differ": "$.groups",
    "no_days_in_window": "$.earliest",
    "no_location_fits": "$.groups",
    "no_qualified_trainer": "$.activity",
    "no_certified_trainer": "$.activity",
    "fixed_trainer_unqualified": "$.activity",
    "fixed_trainer_uncertified": "$.activity",
    "fixed_trainer_unavailable": "$.earliest",
    "trainers_unavailable": "$.earliest",
    "no_common_time": "$.groups",
    "sessions_do_not_fit_window": "$.latest",
    "group_unavailable": "$.earliest",  # the groups' periods away (branch unavail)
}


def _door(session: Session, request: e.Request, now: datetime) -> None:
    reasons = never_schedulable(session, request, now=now)
    if reasons:
        raise RequestChangeError(
            "never", REASON_PATHS.get(reasons[0].code, "$"), reasons[0].message, reasons=reasons
        )


def submit_request(
    session: Session,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> e.Request:
    """A new submitted request, checked at the door; nothing is kept when it is refused."""
    key = values.get("key") or _next_key(session)
    if session.scalars(select(e.Request.id).where(e.Request.key == key)).first() is not None:
        raise RequestChangeError("conflict", "$.key", f"a request {key} already exists")
    request = e.Request(key=key, status="submitted", priority=1, note="")
    _set(session, principal, request, values)
    session.add(request)
    _door(session, request, now)
    record(session, actor, entity="request", key=key, action="create",
           changes={k: [None, v] for k, v in fields_of(request).items()}, now=now)  # fmt: skip
    return request


def update_request(
    session: Session,
    principal: Principal,
    request: e.Request,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> dict[str, list[Any]]:
    """Change a submitted request's named fields; checked at the door again; audited."""
    if request.status != "submitted":
        raise RequestChangeError(
            "conflict",
            "$",
            f"request {request.key} is {request.status}: only a submitted request can be "
            "changed (withdraw it and submit a new one, or ask the planner)",
        )
    before = fields_of(request)
    _set(session, principal, request, changes)
    if DOOR_FIELDS & set(changes):  # a new note or priority cannot make it unschedulable
        _door(session, request, now)
    changed = diff(before, fields_of(request))
    record(session, actor, entity="request", key=request.key, action="update",
           changes=changed, now=now)  # fmt: skip
    return changed


# --- the planner's decision and the school's withdrawal --------------------------------------


def _transition(
    session: Session,
    request: e.Request,
    status: str,
    *,
    actor: Actor,
    now: datetime,
    **fields: Any,
) -> None:
    before = fields_of(request) | {"decided_by": request.decided_by}
    request.status = status
    for name, value in fields.items():
        setattr(request, name, value)
    changed = diff(before, fields_of(request) | {"decided_by": request.decided_by})
    record(session, actor, entity="request", key=request.key, action="update",
           changes=changed, now=now)  # fmt: skip


def decide(
    session: Session,
    request: e.Request,
    *,
    accept: bool,
    reason: str = "",
    actor: Actor,
    now: datetime,
) -> list[e.Notice]:
    """Accept or decline a submitted request (a declined one says why); returns the notices
    that tell the school (e-mailed once the caller committed)."""
    verb = "accepted" if accept else "declined"
    if request.status != "submitted":
        raise RequestChangeError(
            "conflict",
            "$",
            f"request {request.key} is {request.status}: only a submitted request can be {verb}",
        )
    _transition(
        session,
        request,
        verb,
        actor=actor,
        now=now,
        decided_at=now,
        decided_by=actor.label or actor.role,
        decline_reason="" if accept else reason,
    )
    return request_decided(session, request, now=now)  # the school is told (models/notices.py)


def minus_working_days(day: date, n: int) -> date:
    """The day ``n`` working days (Monday-Friday) before ``day``."""
    while n > 0:
        day -= timedelta(days=1)
        if day.isoweekday() <= 5:
            n -= 1
    return day


def withdrawal_deadline(
    session: Session, request: e.Request, working_days: int
) -> tuple[date, str]:
    """The last day a school may withdraw, and what it is counted from."""
    first = session.scalar(
        select(func.min(e.PublishedSession.start)).where(
            e.PublishedSession.request_id == request.id,
            e.PublishedSession.status == "confirmed",
        )
    )
    if first is not None:
        anchor, what = first.date(), f"its first planned session on {first.date()}"
    else:
        anchor, what = request.earliest, f"its earliest date {request.earliest}"
    return minus_working_days(anchor, working_days), what


def withdraw(
    session: Session,
    request: e.Request,
    *,
    working_days: int,
    actor: Actor,
    now: datetime,
    cutoff: bool = True,
) -> None:
    """Withdraw a submitted or accepted request until the cut-off (Amsterdam date).

    ``cutoff=False`` is the planner's: after the cut-off the school is sent to the planner,
    who may still cancel the request.
    """
    if request.status not in ("submitted", "accepted"):
        raise RequestChangeError(
            "conflict",
            "$",
            f"request {request.key} is {request.status}: only a submitted or accepted request "
            "can be withdrawn",
        )
    deadline, counted = withdrawal_deadline(session, request, working_days)
    today = from_aware(now).date()
    if cutoff and today > deadline:
        raise RequestChangeError(
            "conflict",
            "$",
            f"request {request.key} could be withdrawn until the end of {deadline:%A} "
            f"{deadline} (Amsterdam time), {working_days} working day(s) before {counted}: "
            "contact the planner to cancel it",
            until=deadline,
        )
    _transition(session, request, "withdrawn", actor=actor, now=now, withdrawn_at=now)
    wall_now = from_aware(now)
    hit = [
        ps
        for ps in published_sessions(session, request)
        if ps.status == "confirmed" and ps.end > wall_now
    ]
    # The planners are told at once when the withdrawal takes sessions out of the plan.
    sessions_hit(session, hit, cause="withdrawal", reason="", request=request,
                 actor_label=actor.label or actor.role, now=now)  # fmt: skip
