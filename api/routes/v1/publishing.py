"""Review a run and publish it: /solves/{id}/diff, /staleness, /publish and /publications.

Planners only (other roles get 403). The published plan's ETag is the version in force
(``"0"`` before the first publication): the diff and the publication list send it, and a
publish needs it back in If-Match (428 without). When another publication came first, the
publish is 409 naming it (not 412: what the planner reviewed is a different plan now, and
the answer says which one won); nothing of the losing request is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import (
    ApiSessionDep,
    EngineDep,
    NowDep,
    PrincipalDep,
    actor_of,
    reader_language,
    require_role,
)
from api.etag import IfMatchDep
from api.problems import Problem, responses
from api.routes.v1.changes import email_after_response
from api.routes.v1.schemas import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE
from api.routes.v1.solves import (
    LocationFilter,
    RunId,
    SchoolFilter,
    WeekFilter,
    missing_run,
)
from models import entities as e
from models.db import session_scope, write_retrying
from models.notices import notices_for_publication
from models.publish import Change, Placement
from models.publishing import (
    CheckedPublish,
    HardRulesBroken,
    NotPublishable,
    PublicationInfo,
    PublishConflict,
    RunMissing,
    conflict_message,
    in_force,
    publication_infos,
    publish_checked,
)
from models.review import (
    Breach,
    DataChange,
    LeftOut,
    PartyDiff,
    RunDiff,
    Staleness,
    diff_run,
    per_party,
)
from models.review import staleness as run_staleness
from models.runs import expire_stale_runs_now
from models.words import Language

router = APIRouter(prefix="/solves", tags=["solves"])
publications = APIRouter(prefix="/publications", tags=["publications"])
WHAT = "solve runs"
LangQuery = Annotated[
    Language | None,
    Query(description="language of explanations and rule texts: nl (default) or en"),
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlacementOut(_Out):
    """Where and when, in Amsterdam wall time."""

    date: dt.date
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")
    location: str
    location_name: str
    trainers: list[str] = Field(description="trainer keys")


class ChangeOut(_Out):
    uid: str
    request: str
    session: int
    title: str
    kind: str = Field(description="new, reinstated, moved, changed or cancelled")
    what: list[str] = Field(description="what differs: time, place, trainer, status")
    old: PlacementOut | None = Field(description="as published (null: new)")
    new: PlacementOut | None = Field(description="as in the run (null: cancelled)")


class PartyOut(_Out):
    kind: str = Field(description="school, company or trainer")
    key: str
    name: str
    new: list[ChangeOut]
    moved: list[ChangeOut]
    cancelled: list[ChangeOut]
    unchanged: int


class LeftOutOut(_Out):
    request: str
    title: str
    schools: list[str]
    incomplete: bool = Field(description="some sessions placed: a running course cut short")
    reasons: list[str] = Field(description="why, in the requested language")
    codes: list[str]


class DataChangeOut(_Out):
    at: dt.datetime
    who: str
    entity: str
    key: str
    action: str
    fields: list[str]
    text: str


class BreachOut(_Out):
    rule: str
    check: str
    request: str | None
    session: int | None
    date: dt.date | None
    start: str | None
    end: str | None
    location: str | None
    trainers: list[str]
    detail: str = Field(description="the validator's message (English)")
    text: str = Field(description="in the requested language")


class StalenessOut(_Out):
    run: int
    snapshot_at: dt.datetime = Field(description="when the run's solve started (UTC)")
    changes: list[DataChangeOut] = Field(description="audited data changes since the snapshot")
    violations: list[BreachOut] = Field(description="hard rules broken under today's data")
    older_than_published: bool
    note: str | None


class DiffOut(_Out):
    run: int
    against: int | None = Field(description="publication version compared with (null: none)")
    lang: str
    counts: dict[str, int]
    parties: list[PartyOut]
    left_out: list[LeftOutOut]
    staleness: StalenessOut


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    override: bool = Field(
        default=False, description="publish although the run breaks hard rules today"
    )
    reason: str | None = Field(
        default=None, min_length=1, max_length=500, description="why (needed with override)"
    )


class PublicationOut(_Out):
    version: int
    run: int
    published_at: dt.datetime
    by: str | None = Field(description="who published it (from the audit; null once pruned)")
    counts: dict[str, int]
    in_force: bool
    override_reason: str | None


class ToldOut(_Out):
    """One party told about this publication (GET /api/v1/changes holds the message)."""

    notice: int = Field(description="the notice's id in GET /api/v1/changes")
    party_role: str = Field(description="school, company or trainer")
    party: str = Field(description="the party's key")
    subject: str
    email: str = Field(description="e-mail status: pending, no_address, off, ...")


class PublishOut(_Out):
    publication: PublicationOut
    already_current: bool
    counts: dict[str, int]
    parties: list[PartyOut] = Field(description="the changes per school, company and trainer")
    overridden: list[BreachOut] = Field(description="broken rules published by override")
    warnings: list[str]
    told: list[ToldOut] = Field(
        description="who is told what: one notice per party whose sessions changed; "
        "e-mailed after the response when the campus has mail configured"
    )


class PublicationPage(_Out):
    items: list[PublicationOut]
    total: int
    limit: int
    offset: int


def _placement(at: Placement | None) -> PlacementOut | None:
    if at is None:
        return None
    return PlacementOut(
        date=at.start.date(),
        start=f"{at.start:%H:%M}",
        end=f"{at.end:%H:%M}",
        location=at.location,
        location_name=at.location_name,
        trainers=list(at.trainers),
    )


def change_out(c: Change) -> ChangeOut:
    return ChangeOut(
        uid=c.uid, request=c.request, session=c.session_index, title=c.title, kind=c.kind,
        what=list(c.what), old=_placement(c.old), new=_placement(c.new),
    )  # fmt: skip


def party_out(p: PartyDiff) -> PartyOut:
    return PartyOut(
        kind=p.kind, key=p.key, name=p.name, new=[change_out(c) for c in p.new],
        moved=[change_out(c) for c in p.moved],
        cancelled=[change_out(c) for c in p.cancelled], unchanged=p.unchanged,
    )  # fmt: skip


def breach_out(b: Breach) -> BreachOut:
    return BreachOut(
        rule=b.rule, check=b.check, request=b.request, session=b.session,
        date=b.start.date() if b.start else None,
        start=f"{b.start:%H:%M}" if b.start else None,
        end=f"{b.end:%H:%M}" if b.end else None,
        location=b.location, trainers=list(b.trainers), detail=b.detail, text=b.text,
    )  # fmt: skip


def _data_change(c: DataChange) -> DataChangeOut:
    return DataChangeOut(
        at=c.at, who=c.who, entity=c.entity, key=c.key, action=c.action,
        fields=list(c.fields), text=c.text,
    )  # fmt: skip


def staleness_out(run_id: int, s: Staleness) -> StalenessOut:
    return StalenessOut(
        run=run_id, snapshot_at=s.snapshot_at,
        changes=[_data_change(c) for c in s.changes],
        violations=[breach_out(b) for b in s.violations],
        older_than_published=s.older_than_published, note=s.note,
    )  # fmt: skip


def _left_out(item: LeftOut) -> LeftOutOut:
    return LeftOutOut(
        request=item.request, title=item.title, schools=list(item.schools),
        incomplete=item.incomplete, reasons=list(item.reasons), codes=list(item.codes),
    )  # fmt: skip


def diff_out(d: RunDiff, lang: str) -> DiffOut:
    return DiffOut(
        run=d.run_id, against=d.against, lang=lang, counts=d.counts,
        parties=[party_out(p) for p in d.parties],
        left_out=[_left_out(x) for x in d.left_out],
        staleness=staleness_out(d.run_id, d.staleness),
    )  # fmt: skip


def publication_out(p: PublicationInfo) -> PublicationOut:
    return PublicationOut(
        version=p.version, run=p.run_id, published_at=p.published_at, by=p.by,
        counts=p.counts, in_force=p.in_force, override_reason=p.override_reason,
    )  # fmt: skip


def plan_etag(session: Session) -> str:
    """The published plan's ETag: the version in force, "0" before the first publish."""
    version = session.scalar(select(func.max(e.Publication.version))) or 0
    return f'"{version}"'


def _run(session: Session, run_id: int) -> e.SolveRun:
    run = session.get(e.SolveRun, run_id)
    if run is None:
        raise missing_run(run_id)
    return run


def _lang(session: Session, principal: Any, lang: Language | None) -> Language:
    return lang if lang is not None else reader_language(session, principal)


@router.get("/{run_id}/diff", operation_id="diffSolve", responses=responses(401, 403, 404, 422))
def get_diff(
    run_id: RunId,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    lang: LangQuery = None,
    school: SchoolFilter = None,
    location: LocationFilter = None,
    week: WeekFilter = None,
) -> DiffOut:
    """The run against the published plan, per party; left-out requests; staleness.

    The ETag header is the published plan's: send it as If-Match when publishing this run.
    """
    require_role(principal, "planner", what=WHAT)
    run = _run(session, run_id)
    chosen = _lang(session, principal, lang)
    response.headers["ETag"] = plan_etag(session)
    return diff_out(
        diff_run(session, run, now=now, lang=chosen, school=school, location=location, week=week),
        chosen,
    )


@router.get(
    "/{run_id}/staleness",
    operation_id="getSolveStaleness",
    responses=responses(401, 403, 404, 422),
)
def get_staleness(
    run_id: RunId,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    lang: LangQuery = None,
) -> StalenessOut:
    """What changed since the run's snapshot, and the hard rules it breaks today."""
    require_role(principal, "planner", what=WHAT)
    run = _run(session, run_id)
    chosen = _lang(session, principal, lang)
    return staleness_out(run_id, run_staleness(session, run, now=now, lang=chosen))


def _expected(if_match: str | None) -> int | None:
    """The version in If-Match; None for "*"; 428 without, 412 when it is no ETag of ours."""
    if if_match is None:
        raise Problem(
            428,
            "publishing needs an If-Match header with the published plan's ETag (from GET "
            "/api/v1/solves/{id}/diff or /api/v1/publications), so that nobody's publication "
            'is replaced unseen ("*": whatever is in force)',
        )
    tag = if_match.strip().removeprefix("W/")
    if tag == "*":
        return None
    if len(tag) >= 3 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit():
        return int(tag[1:-1])
    raise Problem(
        412,
        f'If-Match {if_match!r} is not an ETag of the published plan (those look like "3")',
    )


@router.post(
    "/{run_id}/publish",
    operation_id="publishSolve",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
def post_publish(
    run_id: RunId,
    body: PublishIn,
    session: ApiSessionDep,
    engine: EngineDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    background: BackgroundTasks,
    lang: LangQuery = None,
    if_match: IfMatchDep = None,
) -> PublishOut:
    """Make the run the published plan, atomically, after checking it against today's data.

    409 when the run has no plan, breaks hard rules (without override), or another
    publication came first; the body says which rules and sessions, or which publication.
    """
    require_role(principal, "planner", what=WHAT)
    if body.override and not body.reason:
        raise Problem(
            422,
            "an override needs a reason (it is recorded in the audit)",
            errors=[{"in": "body", "path": "$.reason", "reason": "required with override"}],
        )
    expected = _expected(if_match)
    chosen = _lang(session, principal, lang)
    actor = actor_of(principal)
    session.commit()  # the key's last use is kept; the publish is its own transaction
    expire_stale_runs_now(engine)  # a solve that died is "failed", not "still running"

    def work(tx: Session) -> tuple[CheckedPublish, PublishOut]:
        checked = publish_checked(
            tx, run_id, actor=actor, now=now, expected=expected, lang=chosen,
            override_reason=body.reason if body.override else None,
        )  # fmt: skip
        info = publication_infos(tx, [checked.result.publication])[0]
        # Each party's notice is kept or lost with the publication (models/notices.py).
        notices = notices_for_publication(tx, checked.result, now=now)
        out = PublishOut(
            publication=publication_out(info),
            already_current=checked.result.already_current,
            counts=dict(checked.result.counts),
            parties=[party_out(p) for p in per_party(tx, checked.result.changes)],
            overridden=[breach_out(b) for b in checked.violations],
            warnings=list(checked.warnings),
            told=[
                ToldOut(
                    notice=n.id, party_role=n.party_role, party=n.party_key,
                    subject=n.subject, email=n.email_status,
                )
                for n in notices
            ],
        )
        return checked, out

    try:
        _, out = write_retrying(engine, work, what="publish")
    except RunMissing:
        raise missing_run(run_id) from None
    except NotPublishable as exc:
        raise Problem(409, f"{exc}; nothing was published") from None
    except HardRulesBroken as exc:
        raise Problem(
            409,
            str(exc),
            extensions={
                "violations": [breach_out(b).model_dump(mode="json") for b in exc.violations]
            },
        ) from None
    except PublishConflict as exc:
        raise _conflict(exc.publication, str(exc)) from None
    except IntegrityError:  # the same version written at the same moment: the other won
        with session_scope(engine) as fresh:
            winner = in_force(fresh)
        raise _conflict(winner, conflict_message(winner, expected or 0)) from None
    response.headers["ETag"] = f'"{out.publication.version}"'
    email_after_response(background, engine, [t.notice for t in out.told])
    return out


def _conflict(winner: PublicationInfo | None, detail: str) -> Problem:
    return Problem(
        409,
        detail,
        headers={"ETag": f'"{winner.version if winner else 0}"'},
        extensions={
            "publication": publication_out(winner).model_dump(mode="json") if winner else None
        },
    )


@publications.get("", operation_id="listPublications", responses=responses(401, 403, 422))
def get_publications(
    session: ApiSessionDep,
    principal: PrincipalDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PublicationPage:
    """Every publication, newest first: version, run, when, by whom, counts."""
    require_role(principal, "planner", what="publications")
    total = session.scalar(select(func.count()).select_from(e.Publication)) or 0
    rows = session.scalars(
        select(e.Publication).order_by(e.Publication.version.desc()).limit(limit).offset(offset)
    ).all()
    response.headers["ETag"] = plan_etag(session)
    return PublicationPage(
        items=[publication_out(p) for p in publication_infos(session, list(rows))],
        total=total,
        limit=limit,
        offset=offset,
    )


__all__ = ["publications", "router"]
