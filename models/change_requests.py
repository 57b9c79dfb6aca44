"""Change requests: a party asks to cancel or move one published session; the planner decides.

Who may ask about which session (outside it the session is answered like one that does not
exist):
- a school: sessions of its own requests (every group of the request is its own, as in
  models/requests.py);
- a company: sessions at its locations or with one of its trainers;
- a trainer: their own sessions;
- a planner: every session (entering a request for a party that phoned).

Each party sees the change requests it made (a school or company: every key of that partner;
a trainer: their own); the planner sees all. The planner decides: ``move`` (through the
validated manual move of models/moves.py), ``cancel`` (a run without the session) or
``refuse`` with a reason. A decision never publishes: the run it makes is reviewed and
published like any other. ``decided`` is the one place a decision ends up, for telling the
party (the notices of issue 25 hook in there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.audit import Actor, record
from models.keys import Principal
from models.moves import ManualRun, MoveError, cancel_session, move_session
from models.notices import find_party, session_request_decided
from models.pins import find_published
from models.requests import scoped_requests
from models.words import LANGUAGES, Language, moment_text, phrase
from scheduler.timegrid import from_aware

ASK_ROLES = ("planner", "school", "company", "trainer")
DECISIONS = ("move", "cancel", "refuse")
MAX_TEXT = 1000


class ChangeRequestError(ValueError):
    """``missing`` (404), ``conflict`` (409) or ``invalid`` input (422, at ``path``)."""

    def __init__(self, kind: str, reason: str, path: str = "$") -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class Page:
    items: list[e.ChangeRequest]
    total: int


def _sessions_in_scope(principal: Principal) -> Select[tuple[int]]:
    """Ids of the published sessions this key may ask about."""
    query = select(e.PublishedSession.id)
    if principal.role == "planner":
        return query
    if principal.role == "school" and principal.partner:
        own = scoped_requests(principal).with_only_columns(e.Request.id)
        return query.where(e.PublishedSession.request_id.in_(own))
    if principal.role == "company" and principal.partner:
        partner = select(e.Partner.id).where(e.Partner.key == principal.partner)
        at_location = select(e.Location.id).where(e.Location.partner_id.in_(partner))
        with_trainer = (
            select(e.PublishedSessionTrainer.published_session_id)
            .join(e.Trainer, e.PublishedSessionTrainer.trainer_id == e.Trainer.id)
            .where(e.Trainer.partner_id.in_(partner))
        )
        return query.where(
            or_(
                e.PublishedSession.location_id.in_(at_location),
                e.PublishedSession.id.in_(with_trainer),
            )
        )
    if principal.role == "trainer" and principal.trainer:
        own = (
            select(e.PublishedSessionTrainer.published_session_id)
            .join(e.Trainer, e.PublishedSessionTrainer.trainer_id == e.Trainer.id)
            .where(e.Trainer.key == principal.trainer)
        )
        return query.where(e.PublishedSession.id.in_(own))
    return query.where(False)


def _scoped(principal: Principal) -> Select[tuple[e.ChangeRequest]]:
    """The change requests this key sees: its partner's (or its own, a trainer), or all."""
    query = select(e.ChangeRequest).options(
        selectinload(e.ChangeRequest.published_session).selectinload(e.PublishedSession.location),
        selectinload(e.ChangeRequest.published_session)
        .selectinload(e.PublishedSession.request)
        .selectinload(e.Request.activity_type),
    )
    if principal.role == "planner":
        return query
    if principal.role in ("school", "company") and principal.partner:
        return query.where(
            e.ChangeRequest.asked_role == principal.role,
            e.ChangeRequest.asked_partner == principal.partner,
        )
    if principal.role == "trainer" and principal.trainer:
        return query.where(
            e.ChangeRequest.asked_role == "trainer",
            e.ChangeRequest.asked_trainer == principal.trainer,
        )
    return query.where(False)


def list_change_requests(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    limit: int,
    offset: int,
) -> Page:
    """The change requests in scope, oldest first (the planner works through them in order)."""
    query = _scoped(principal)
    if status is not None:
        query = query.where(e.ChangeRequest.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(e.ChangeRequest.id).limit(limit).offset(offset)).all()
    return Page(list(rows), total)


def find_change_request(
    session: Session, principal: Principal, request_id: int
) -> e.ChangeRequest | None:
    """The change request if it exists and is in scope; None in every other case."""
    return session.scalars(_scoped(principal).where(e.ChangeRequest.id == request_id)).one_or_none()


def _text(value: str, path: str, *, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise ChangeRequestError("invalid", f"{path[2:]}: say why (it may not be empty)", path)
    if len(text) > MAX_TEXT:
        raise ChangeRequestError(
            "invalid", f"{path[2:]}: at most {MAX_TEXT} characters (got {len(text)})", path
        )
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ChangeRequestError("invalid", f"{path[2:]}: control characters are not allowed", path)
    return text


def ask(
    session: Session,
    principal: Principal,
    uid: str,
    *,
    kind: str,
    reason: str,
    wish: str = "",
    actor: Actor,
    now: datetime,
) -> e.ChangeRequest:
    """A party asks to cancel or move the published session ``uid``.

    The session must be in the key's scope (else ``missing``, like a session that does not
    exist), confirmed and not yet over (else ``conflict``).
    """
    if kind not in e.CHANGE_KINDS:
        raise ChangeRequestError("invalid", f"kind: one of {', '.join(e.CHANGE_KINDS)}", "$.kind")
    reason = _text(reason, "$.reason", required=True)
    wish = _text(wish, "$.wish", required=False)
    if wish and kind != "move":
        raise ChangeRequestError("invalid", "wish: only a move has a wish", "$.wish")
    ps = find_published(session, uid)
    if (
        ps is None
        or session.scalar(_sessions_in_scope(principal).where(e.PublishedSession.id == ps.id))
        is None
    ):
        raise ChangeRequestError(
            "missing", f"no published session {uid!r} that this key may see: check the UID"
        )
    if ps.status != "confirmed":
        raise ChangeRequestError("conflict", f"session {uid} is already cancelled")
    if ps.end <= from_aware(now):
        raise ChangeRequestError("conflict", f"session {uid} has already taken place")
    row = e.ChangeRequest(
        published_session=ps,
        kind=kind,
        reason=reason,
        wish=wish,
        status="open",
        asked_role=principal.role,
        asked_partner=principal.partner,
        asked_trainer=principal.trainer,
        asked_label=principal.label,
        created_at=now,
        decided_by="",
        decision_reason="",
    )
    session.add(row)
    session.flush()
    record(
        session, actor, entity="change_request", key=str(row.id), action="create",
        changes={"session": [None, uid], "kind": [None, kind], "reason": [None, reason],
                 "wish": [None, wish], "status": [None, "open"]},
        now=now,
    )  # fmt: skip
    return row


@dataclass(frozen=True)
class DecisionNotice:
    """What the party that asked is told about a decision, in each language."""

    change_request: int
    status: str
    role: str  # who asked: a school, company, trainer (or a planner on their behalf)
    partner: str | None
    trainer: str | None
    texts: dict[str, str]  # language -> the message
    told: tuple[e.Notice, ...] = ()  # the notice stored for the party (models/notices.py)

    def text(self, lang: Language) -> str:
        return self.texts[lang]


def party_language(session: Session, row: e.ChangeRequest) -> Language:
    """The language the party that asked reads: its partner's preference, else Dutch."""
    if row.asked_partner is None:
        return "nl"
    stored = session.scalar(select(e.Partner.language).where(e.Partner.key == row.asked_partner))
    return "en" if stored == "en" else "nl"


def notice_text(row: e.ChangeRequest, lang: Language) -> str:
    """The message the party reads about its change request (also while it is open)."""
    ps = row.published_session
    title = ps.request.activity_type.title
    values = {"title": title, "when": moment_text(ps.start, lang), "reason": row.decision_reason}
    return phrase(f"change_request.{row.status}", lang, **values)


def decided(
    session: Session, row: e.ChangeRequest, *, actor: Actor, now: datetime
) -> DecisionNotice:
    """Where every decision ends up: audited here, and the party's message made.

    The party is also told through the notices (GET /api/v1/changes, and e-mail once the
    caller's transaction has committed): ``told`` holds that notice.
    """
    record(
        session, actor, entity="change_request", key=str(row.id), action="update",
        changes={"status": ["open", row.status], "decision_reason": ["", row.decision_reason],
                 "run": [None, row.run_id]},
        now=now,
    )  # fmt: skip
    key = row.asked_trainer if row.asked_role == "trainer" else row.asked_partner
    party = find_party(session, row.asked_role, key or "")
    told = (
        (session_request_decided(
            session, party=party, uid=row.published_session.uid, decision=row.status,
            reason=row.decision_reason, now=now,
        ),)
        if party is not None
        else ()
    )  # fmt: skip
    return DecisionNotice(
        change_request=row.id,
        status=row.status,
        role=row.asked_role,
        partner=row.asked_partner,
        trainer=row.asked_trainer,
        texts={lang: notice_text(row, lang) for lang in LANGUAGES},
        told=told,
    )


@dataclass(frozen=True)
class Decision:
    row: e.ChangeRequest
    notice: DecisionNotice
    manual: ManualRun | None  # the run a move or cancellation made


def decide(
    session: Session,
    row: e.ChangeRequest,
    decision: str,
    *,
    reason: str = "",
    start: datetime | None = None,
    location: str | None = None,
    trainers: Sequence[str] | None = None,
    actor: Actor,
    now: datetime,
) -> Decision:
    """The planner's decision on an open change request.

    ``move`` runs the validated move (MoveRefused leaves the request open, nothing stored);
    ``cancel`` makes a run without the session; ``refuse`` needs a reason the party reads.
    """
    if decision not in DECISIONS:
        raise ChangeRequestError(
            "invalid", f"decision: one of {', '.join(DECISIONS)}", "$.decision"
        )
    if row.status != "open":
        raise ChangeRequestError(
            "conflict", f"change request {row.id} is already decided ({row.status})"
        )
    reason = _text(reason, "$.reason", required=decision == "refuse")
    if decision != "move" and (start is not None or location is not None or trainers is not None):
        raise ChangeRequestError(
            "invalid", "start, location and trainers belong to a move only", "$"
        )
    uid = row.published_session.uid
    manual = None
    try:
        if decision == "move":
            if start is None and location is None and trainers is None:
                raise ChangeRequestError(
                    "invalid", "a move needs a start, a location or trainers", "$"
                )
            manual = move_session(
                session, uid, start=start, location=location, trainers=trainers,
                actor=actor, now=now, change_request=row.id,
            )  # fmt: skip
            row.status = "moved"
        elif decision == "cancel":
            manual = cancel_session(session, uid, actor=actor, now=now, change_request=row.id)
            row.status = "cancelled"
        else:
            row.status = "refused"
    except MoveError as exc:
        raise ChangeRequestError(exc.kind, exc.reason, exc.path) from None
    row.decision_reason = reason
    row.decided_at = now
    row.decided_by = actor.label
    row.run_id = manual.run.id if manual is not None else None
    session.flush()
    return Decision(row, decided(session, row, actor=actor, now=now), manual)
