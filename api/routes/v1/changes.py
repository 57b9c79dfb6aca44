"""/api/v1/changes: the notices that tell each party what changed for it (models/notices.py).

Every key reads its own: a school or company its partner's notices, a trainer their own, a
planner every notice (with filters by party, kind, publication and e-mail state). A filter
naming another party gives an empty page, as a list filter does everywhere in the API.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from api.deps import ApiSessionDep, PrincipalDep
from api.problems import Problem, responses
from api.routes.v1.schemas import DEFAULT_PAGE, KEY_PATTERN, MAX_OFFSET, MAX_PAGE
from models import entities as e
from models.audit_read import AuditFilterError, parse_moment
from models.feeds import as_utc
from models.notices import MailConfigError, list_notices, scoped_notices, send_pending

router = APIRouter(prefix="/changes", tags=["changes"])
log = logging.getLogger(__name__)

NoticeKind = Literal[
    "plan_changes", "request_decision", "session_request_decision", "planner_alert"
]
PartyRole = Literal["school", "company", "trainer", "planner"]
EmailStatus = Literal["pending", "sending", "sent", "failed", "no_address", "mail_off"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class NoticeParty(_Out):
    role: PartyRole
    key: str = Field(description="the partner's or trainer's key; '' for the planners")
    name: str


class NoticeEmail(_Out):
    to: str = Field(description="the address it goes to ('' without one)")
    status: EmailStatus = Field(
        description="pending (waits), sending (a sender has it), sent, failed (retried by "
        "`campus notices send`), no_address or mail_off (in the API only)"
    )
    attempts: int
    sent_at: dt.datetime | None = Field(description="when it was e-mailed (UTC)")
    error: str | None = Field(description="the last failure (planners only; null otherwise)")


class NoticeOut(_Out):
    """One message to one party, as e-mailed (subject, body) and as data (changes)."""

    id: int
    created_at: dt.datetime = Field(description="when it was made (UTC)")
    kind: NoticeKind
    party: NoticeParty
    language: Literal["nl", "en"]
    subject: str
    body: str = Field(description="the message's plain text, in the party's language")
    changes: dict[str, Any] = Field(
        description="the same facts structured; times Amsterdam wall time (docs/api.md)"
    )
    publication: int | None = Field(description="the publication's version it tells about")
    email: NoticeEmail


class NoticePage(_Out):
    items: list[NoticeOut]
    total: int
    limit: int
    offset: int


def notice_out(notice: e.Notice, *, planner: bool) -> NoticeOut:
    return NoticeOut(
        id=notice.id,
        created_at=as_utc(notice.created_at),
        kind=notice.kind,  # type: ignore[arg-type]
        party=NoticeParty(
            role=notice.party_role,  # type: ignore[arg-type]
            key=notice.party_key,
            name=notice.party_name,
        ),
        language=notice.language,  # type: ignore[arg-type]
        subject=notice.subject,
        body=notice.body,
        changes=notice.changes,
        publication=notice.publication.version if notice.publication is not None else None,
        email=NoticeEmail(
            to=notice.email_to,
            status=notice.email_status,  # type: ignore[arg-type]
            attempts=notice.email_attempts,
            sent_at=as_utc(notice.emailed_at) if notice.emailed_at is not None else None,
            error=notice.email_error if planner else None,
        ),
    )


@router.get("", operation_id="listChanges", responses=responses(401, 422))
def get_changes(
    session: ApiSessionDep,
    principal: PrincipalDep,
    since: Annotated[
        str | None,
        Query(
            max_length=40,
            description="made at or after this moment: 2027-03-01 (that day's start) or "
            "2027-03-01T08:00 (Amsterdam time unless an offset is given)",
        ),
    ] = None,
    kind: NoticeKind | None = None,
    party_role: Annotated[PartyRole | None, Query(description="the party's role")] = None,
    party: Annotated[
        str | None,
        Query(max_length=80, pattern=KEY_PATTERN, description="a partner's or trainer's key"),
    ] = None,
    email_status: EmailStatus | None = None,
    publication: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="a publication's version")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> NoticePage:
    """The notices for this key's party (a planner: all), oldest first, a page at a time."""
    try:
        moment = parse_moment("since", since, end_of_day=False) if since is not None else None
    except AuditFilterError as exc:
        raise Problem(
            422,
            f"{exc.parameter}: {exc.reason}",
            errors=[{"in": "query", "path": exc.parameter, "reason": exc.reason}],
        ) from None
    page = list_notices(
        session,
        scoped_notices(principal),
        since=moment,
        kind=kind,
        party_role=party_role,
        party=party,
        email_status=email_status,
        publication=publication,
        limit=limit,
        offset=offset,
    )
    planner = principal.role == "planner"
    return NoticePage(
        items=[notice_out(n, planner=planner) for n in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


def _send(engine: Engine, ids: list[int]) -> None:
    try:
        report = send_pending(engine, ids=ids)
    except MailConfigError as exc:
        log.warning("notices %s were not e-mailed: %s", ids, exc)
        return
    for notice_id, error in report.failed.items():
        log.warning(
            "notice %s was not e-mailed (campus notices send retries): %s", notice_id, error
        )


def email_after_response(
    background: BackgroundTasks, engine: Engine, notices: Sequence[e.Notice | int]
) -> None:
    """E-mail ``notices`` (flushed, so they have ids; or their ids) once the route's
    transaction committed: background tasks run after the response, and ApiSessionDep
    commits before it."""
    ids = [n if isinstance(n, int) else n.id for n in notices]
    if ids:
        background.add_task(_send, engine, ids)
