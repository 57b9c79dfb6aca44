"""Telling people: one message per party for what changed for them, stored and e-mailed.

What is told: after a publish, each school (its groups' sessions), company (sessions at its
locations and with its trainers) and trainer (own sessions) whose sessions changed gets ONE
notice with all its changes (new, moved from -> to, changed, cancelled); a school is told
when the planner accepts or declines its request; the planners are told at once when a
confirmed absence, closure or window change, or a withdrawal, hits a published session.
The words come from models/words.py, in the party's language (``partners.language``;
trainers through their employer).

How: a notice is written in the transaction of what it tells (``notices_for_publication``,
``request_decided``, ``sessions_hit``, ``session_request_decided``), so both are kept or
lost together. E-mail is sent only after that commit, by ``send_pending(engine, ...)``: a
mail failure never undoes anything; it is recorded on the notice (``failed``, the error,
the attempts) and ``campus notices send`` retries it. A party without an address, or a
notice made while the campus's mail is off, stays in the API only (GET /api/v1/changes).
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from models import entities as e
from models.db import session_scope
from models.keys import Principal
from models.publish import Change, PublishResult
from models.settings import MailSettings, load_settings
from models.words import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    day_text,
    list_text,
    period_text,
    phrase,
    slot_text,
)

SENDABLE = ("pending", "failed")
SMTP_TIMEOUT = 30.0  # seconds for connecting and each command
# A claim older than this is taken to be of a sender that died mid-way: the notice is sent
# again (far longer than one message can take with SMTP_TIMEOUT).
STALE_CLAIM = timedelta(minutes=10)
MAX_ERROR = 500
# The order of the sections of a plan notice, and the phrase of each kind of change.
SECTIONS = ("new", "reinstated", "moved", "changed", "cancelled")


@dataclass(frozen=True)
class Party:
    """Who a notice is for: a partner (as school or company), a trainer, or the planners."""

    role: str  # school | company | trainer | planner
    key: str  # "" for the planners
    name: str
    language: Language
    email: str


PLANNERS = Party("planner", "", "planner", DEFAULT_LANGUAGE, "")


def _lang(value: str | None) -> Language:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE  # type: ignore[return-value]


def partner_party(partner: e.Partner) -> Party:
    role = "school" if partner.kind == "school" else "company"
    return Party(role, partner.key, partner.name, _lang(partner.language), partner.contact_email)


def trainer_party(trainer: e.Trainer) -> Party:
    """A trainer reads in the language of the partner that employs them."""
    return Party("trainer", trainer.key, trainer.name, _lang(trainer.partner.language),
                 trainer.email)  # fmt: skip


def _store(
    session: Session,
    party: Party,
    *,
    kind: str,
    subject: str,
    body: str,
    changes: Mapping[str, Any],
    now: datetime,
    mail: MailSettings,
    publication: e.Publication | None = None,
) -> e.Notice:
    if not party.email:
        status = "no_address"
    elif not mail.enabled:
        status = "mail_off"
    else:
        status = "pending"
    notice = e.Notice(
        created_at=now,
        kind=kind,
        party_role=party.role,
        party_key=party.key,
        party_name=party.name[:200],
        language=party.language,
        subject=subject[:300],
        body=body,
        changes=dict(changes),
        publication=publication,
        email_to=party.email[:200],
        email_status=status,
        email_attempts=0,
        email_error="",
    )
    session.add(notice)
    return notice


def _letter(party: Party, paragraphs: Iterable[str]) -> str:
    """Greeting, the paragraphs, the closing: the body of every notice."""
    lang = party.language
    name = party.name if party.role != "planner" else phrase("notice.planner", lang)
    parts = [phrase("notice.greeting", lang, name=name), *paragraphs]
    if party.role != "planner":  # the planning office does not sign to itself
        parts.append(phrase("notice.closing", lang))
    parts.append(phrase("notice.automatic", lang))
    return "\n\n".join(parts) + "\n"


# --- after a publish ---------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where and when a session is (or was), with whom."""

    start: datetime  # naive Amsterdam wall time
    end: datetime
    location: e.Location
    trainers: tuple[e.Trainer, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(timespec="minutes"),
            "end": self.end.isoformat(timespec="minutes"),
            "location": self.location.key,
            "location_name": self.location.name,
            "address": self.location.address,
            "trainers": [t.key for t in self.trainers],
            "trainer_names": [t.name for t in self.trainers],
        }


@dataclass(frozen=True)
class SessionChange:
    """One changed session with its places before and after (None: it was not / is not on)."""

    change: Change
    published: e.PublishedSession
    before: Placement | None
    after: Placement | None

    def parties(self) -> list[Party]:
        """Every school of its groups, every partner hosting it or employing its trainers, and
        every trainer, before and after the change."""
        found: dict[tuple[str, str], Party] = {}
        placements = [p for p in (self.before, self.after) if p is not None]
        partners = [rg.group.school for rg in self.published.request.groups]
        partners += [p.location.partner for p in placements]
        partners += [t.partner for p in placements for t in p.trainers]
        for partner in partners:
            party = partner_party(partner)
            found[(party.role, party.key)] = party
        for trainer in (t for p in placements for t in p.trainers):
            party = trainer_party(trainer)
            found[(party.role, party.key)] = party
        return list(found.values())


def _placement(ps: e.PublishedSession) -> Placement:
    trainers = tuple(row.trainer for row in ps.trainers)
    return Placement(ps.start, ps.end, ps.location, trainers)


def _before(session: Session, ps: e.PublishedSession, version: int) -> Placement | None:
    """The place subscribers saw before this publication: the session as the latest earlier
    publication that included it placed it (runs and their assignments are kept)."""
    earlier = session.scalars(
        select(e.Assignment)
        .where(
            e.Assignment.request_id == ps.request_id,
            e.Assignment.session_index == ps.session_index,
            e.Assignment.published_version < version,
        )
        .order_by(e.Assignment.published_version.desc(), e.Assignment.id.desc())
        .limit(1)
    ).first()
    if earlier is None:
        return None
    trainers = tuple(row.trainer for row in earlier.trainers)
    return Placement(earlier.start, earlier.end, earlier.location, trainers)


def session_changes(session: Session, result: PublishResult) -> list[SessionChange]:
    """The publish's changes with their structured places (publish gives them as text)."""
    version = result.publication.version
    uids = [c.uid for c in result.changes]
    query = select(e.PublishedSession).where(e.PublishedSession.uid.in_(uids))
    rows = {ps.uid: ps for ps in session.scalars(query)} if uids else {}
    out = []
    for change in result.changes:
        ps = rows.get(change.uid)
        if ps is None:
            continue
        if change.kind == "cancelled":
            before, after = _placement(ps), None
        elif change.kind in ("new", "reinstated"):
            before, after = None, _placement(ps)
        else:  # moved or changed
            before, after = _before(session, ps, version), _placement(ps)
        out.append(SessionChange(change, ps, before, after))
    return sorted(out, key=lambda c: ((c.after or c.before).start, c.change.uid))  # type: ignore[union-attr]


def _groups_for(item: SessionChange, party: Party) -> list[e.Group]:
    """The groups a party may read: a school only its own (a combined class's other school's
    group is not its business), everyone else all of them."""
    groups = [rg.group for rg in item.published.request.groups]
    if party.role == "school":
        return [g for g in groups if g.school.key == party.key]
    return groups


def _where(p: Placement, lang: Language) -> str:
    """'di 16 mrt 2027, 13:00–16:00, Praktijkhal Westpoort, trainer Sanne de Wit'."""
    text = f"{slot_text(p.start, p.end, lang)}, {p.location.name}"
    names = [t.name for t in p.trainers]
    if names:
        key = "notice.plan.trainer" if len(names) == 1 else "notice.plan.trainers"
        text += ", " + phrase(key, lang, names=list_text(names, lang))
    return text


def _line(item: SessionChange, party: Party) -> str:
    lang = party.language
    groups = [g.name for g in _groups_for(item, party)]
    head = item.published.request.activity_type.title
    if groups:
        head += f" ({list_text(groups, lang)})"
    if item.before is not None and item.after is not None:
        what = phrase(
            "notice.plan.from_to",
            lang,
            before=_where(item.before, lang),
            after=_where(item.after, lang),
        )
    else:
        what = _where(item.after or item.before, lang)  # type: ignore[arg-type]
    return f"- {head}: {what}"


def _as_json(item: SessionChange, party: Party) -> dict[str, Any]:
    change = item.change
    return {
        "uid": change.uid,
        "kind": change.kind,
        "what": list(change.what),
        "request": item.published.request.key,
        "session": item.published.session_index,
        "activity": item.published.request.activity_type.code,
        "title": item.published.request.activity_type.title,
        "groups": [g.key for g in _groups_for(item, party)],
        "before": item.before.as_json() if item.before is not None else None,
        "after": item.after.as_json() if item.after is not None else None,
    }


def plan_notice_text(party: Party, items: Sequence[SessionChange], version: int) -> tuple[str, str]:
    """Subject and body of one party's notice of a publication."""
    lang = party.language
    count = len(items)
    subject = (
        phrase("notice.plan.subject_one", lang)
        if count == 1
        else phrase("notice.plan.subject_many", lang, count=count)
    )
    paragraphs = [phrase("notice.plan.intro", lang, version=version)]
    for kind in SECTIONS:
        lines = [_line(item, party) for item in items if item.change.kind == kind]
        if lines:
            paragraphs.append(phrase(f"notice.plan.{kind}", lang) + ":\n" + "\n".join(lines))
    paragraphs.append(phrase("notice.plan.calendars", lang))
    return subject, _letter(party, paragraphs)


def notices_for_publication(
    session: Session, result: PublishResult, *, now: datetime | None = None
) -> list[e.Notice]:
    """One notice per party whose sessions this publication changed, in the publish's own
    transaction (call it right after ``publish`` succeeded); nothing for a run that was
    already the published plan."""
    if result.already_current or not result.changes:
        return []
    publication = result.publication
    moment = now or publication.published_at
    mail = load_settings(session).mail
    by_party: dict[tuple[str, str], tuple[Party, list[SessionChange]]] = {}
    for item in session_changes(session, result):
        for party in item.parties():
            by_party.setdefault((party.role, party.key), (party, []))[1].append(item)
    notices = []
    for _key, (party, items) in sorted(by_party.items()):
        subject, body = plan_notice_text(party, items, publication.version)
        changes = {
            "publication": publication.version,
            "sessions": [_as_json(item, party) for item in items],
        }
        notices.append(
            _store(session, party, kind="plan_changes", subject=subject, body=body,
                   changes=changes, now=moment, mail=mail, publication=publication)
        )  # fmt: skip
    session.flush()
    return notices


# --- a request's decision, a single session's change request ----------------------------


def _request_what(request: e.Request, party: Party) -> str:
    lang = party.language
    groups = [rg.group.name for rg in request.groups if rg.group.school.key == party.key]
    parts = [request.activity_type.title]
    if groups:
        parts.append(list_text(groups, lang))
    parts.append(period_text(request.earliest, request.latest, lang))
    return ", ".join(parts)


def request_decided(session: Session, request: e.Request, *, now: datetime) -> list[e.Notice]:
    """Tell the school(s) of a request's groups that the planner accepted or declined it
    (with the reason). Called where the decision is stored (models/requests.decide)."""
    if request.status not in ("accepted", "declined"):
        raise ValueError(f"request {request.key} is {request.status}, not decided")
    mail = load_settings(session).mail
    schools = {rg.group.school.key: rg.group.school for rg in request.groups}
    notices = []
    for _key, school in sorted(schools.items()):
        party = partner_party(school)
        lang = party.language
        verdict = request.status
        paragraphs = [
            phrase(f"notice.request.{verdict}", lang, request=request.key,
                   what=_request_what(request, party))
        ]  # fmt: skip
        if verdict == "declined" and request.decline_reason:
            paragraphs.append(phrase("notice.reason", lang, reason=request.decline_reason))
        subject = phrase(f"notice.request.{verdict}.subject", lang, request=request.key)
        changes = {
            "request": request.key,
            "decision": verdict,
            "reason": request.decline_reason if verdict == "declined" else "",
            "activity": request.activity_type.code,
            "groups": [rg.group.key for rg in request.groups if rg.group.school.key == school.key],
        }
        notices.append(
            _store(session, party, kind="request_decision", subject=subject,
                   body=_letter(party, paragraphs), changes=changes, now=now, mail=mail)
        )  # fmt: skip
    return notices


SESSION_DECISIONS = ("moved", "cancelled", "refused")


def find_party(session: Session, role: str, key: str) -> Party | None:
    """The party a role and key name (a partner for school/company, a trainer), or None."""
    if role in ("school", "company"):
        partner = session.scalars(select(e.Partner).where(e.Partner.key == key)).one_or_none()
        return partner_party(partner) if partner is not None else None
    if role == "trainer":
        trainer = session.scalars(select(e.Trainer).where(e.Trainer.key == key)).one_or_none()
        return trainer_party(trainer) if trainer is not None else None
    return PLANNERS if role == "planner" else None


def session_request_decided(
    session: Session,
    *,
    party: Party,
    uid: str,
    decision: str,
    reason: str = "",
    now: datetime,
) -> e.Notice:
    """Tell the party that asked to move or cancel one published session what the planner
    decided: ``moved``, ``cancelled`` or ``refused``, with the planner's reason.

    The seam for the change requests of single sessions (issue 25, "pins"): their "decision
    taken" hook calls this in its own transaction; the new plan itself reaches the party
    through the next publication's notice.
    """
    if decision not in SESSION_DECISIONS:
        raise ValueError(f"decision {decision!r}: one of {', '.join(SESSION_DECISIONS)}")
    ps = session.scalars(select(e.PublishedSession).where(e.PublishedSession.uid == uid)).one()
    lang = party.language
    title = ps.request.activity_type.title
    described = f"{title}, {slot_text(ps.start, ps.end, lang)}, {ps.location.name}"
    paragraphs = [phrase(f"notice.session_request.{decision}", lang, session=described)]
    if reason:
        paragraphs.append(phrase("notice.reason", lang, reason=reason))
    if decision != "refused":
        paragraphs.append(phrase("notice.session_request.follows", lang))
    subject = phrase(
        "notice.session_request.subject", lang, title=title, date=day_text(ps.start, lang)
    )
    changes = {
        "uid": uid,
        "request": ps.request.key,
        "session": ps.session_index,
        "decision": decision,
        "reason": reason,
        "placement": _placement(ps).as_json(),
    }
    return _store(session, party, kind="session_request_decision", subject=subject,
                  body=_letter(party, paragraphs), changes=changes, now=now,
                  mail=load_settings(session).mail)  # fmt: skip


# --- the planners, at once -----------------------------------------------------------------


def _session_line(ps: e.PublishedSession, lang: Language) -> str:
    groups = list_text([rg.group.name for rg in ps.request.groups], lang)
    return (
        f"- {ps.request.key}#{ps.session_index} {ps.request.activity_type.title} ({groups}): "
        f"{_where(_placement(ps), lang)}"
    )


def _session_json(ps: e.PublishedSession) -> dict[str, Any]:
    return {"uid": ps.uid, "request": ps.request.key, "session": ps.session_index,
            **_placement(ps).as_json()}  # fmt: skip


def sessions_hit(
    session: Session,
    rows: Sequence[e.PublishedSession],
    *,
    cause: str,
    reason: str,
    actor_label: str,
    now: datetime,
    request: e.Request | None = None,
) -> e.Notice | None:
    """Tell the planners at once that a confirmed change (``cause`` "replan": an absence, a
    closure, a shrunk window; the ``reason`` as the marks say it) or a withdrawal (``cause``
    "withdrawal" of ``request``) hits these published sessions. None when it hits none."""
    rows = sorted(rows, key=lambda ps: (ps.start, ps.uid))
    if not rows:
        return None
    party = PLANNERS
    lang = party.language
    if cause == "withdrawal":
        if request is None:
            raise ValueError("a withdrawal names its request")
        school = list_text(sorted({rg.group.school.name for rg in request.groups}), lang)
        intro = phrase("notice.alert.withdrawal", lang, school=school, request=request.key)
        short = phrase("notice.alert.withdrawal_cause", lang, request=request.key)
    elif cause == "replan":
        intro = phrase("notice.alert.replan", lang, reason=reason)
        short = reason
    else:
        raise ValueError(f"cause {cause!r}: replan or withdrawal")
    paragraphs = [intro + "\n" + "\n".join(_session_line(ps, lang) for ps in rows)]
    if actor_label:
        paragraphs.append(phrase("notice.alert.by", lang, actor=actor_label))
    count = len(rows)
    subject = (
        phrase("notice.alert.subject_one", lang, cause=short)
        if count == 1
        else phrase("notice.alert.subject_many", lang, count=count, cause=short)
    )
    changes = {
        "cause": cause,
        "reason": reason,
        "request": request.key if request is not None else None,
        "by": actor_label,
        "sessions": [_session_json(ps) for ps in rows],
    }
    return _store(session, party, kind="planner_alert", subject=subject,
                  body=_letter(party, paragraphs), changes=changes, now=now,
                  mail=load_settings(session).mail)  # fmt: skip


# --- reading: GET /api/v1/changes and `campus notices list` -----------------------------


@dataclass(frozen=True)
class Page:
    items: list[e.Notice]
    total: int


def scoped_notices(principal: Principal) -> Select[tuple[e.Notice]]:
    """A planner reads every notice; a school or company its partner's, a trainer their own."""
    query = select(e.Notice)
    if principal.role == "planner":
        return query
    if principal.role in ("school", "company") and principal.partner:
        return query.where(
            e.Notice.party_role.in_(("school", "company")), e.Notice.party_key == principal.partner
        )
    if principal.role == "trainer" and principal.trainer:
        return query.where(
            e.Notice.party_role == "trainer", e.Notice.party_key == principal.trainer
        )
    return query.where(False)


def list_notices(
    session: Session,
    query: Select[tuple[e.Notice]],
    *,
    since: datetime | None = None,
    kind: str | None = None,
    party_role: str | None = None,
    party: str | None = None,
    email_status: str | None = None,
    publication: int | None = None,
    limit: int,
    offset: int,
) -> Page:
    """The notices of ``query`` made at or after ``since``, filtered, oldest first."""
    if since is not None:
        query = query.where(e.Notice.created_at >= since)
    if kind is not None:
        query = query.where(e.Notice.kind == kind)
    if party_role is not None:
        query = query.where(e.Notice.party_role == party_role)
    if party is not None:
        query = query.where(e.Notice.party_key == party)
    if email_status is not None:
        query = query.where(e.Notice.email_status == email_status)
    if publication is not None:
        query = query.join(e.Notice.publication).where(e.Publication.version == publication)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(e.Notice.created_at, e.Notice.id).limit(limit).offset(offset)
    ).all()
    return Page(list(rows), total)


# --- e-mail, after the commit ----------------------------------------------------------------


class MailConfigError(RuntimeError):
    """The mail settings cannot be used as they are (the password variable is not set)."""


@dataclass
class SendReport:
    """What one ``send_pending`` did."""

    enabled: bool
    sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # notice id -> error


def message_of(notice: e.Notice, mail: MailSettings) -> EmailMessage:
    """The notice as a plain-text e-mail from the campus's sender."""
    msg = EmailMessage()
    msg["From"] = mail.sender
    msg["To"] = notice.email_to
    msg["Subject"] = notice.subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(f"notice-{notice.id}", domain=mail.sender.rpartition("@")[2])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(notice.body)
    msg["Content-Language"] = notice.language  # after set_content, which drops Content-*
    return msg


def _password(mail: MailSettings, environ: Mapping[str, str]) -> str:
    if not mail.password_env:
        return ""
    value = environ.get(mail.password_env)
    if value is None:
        raise MailConfigError(
            f"mail.password_env names {mail.password_env}, but that environment variable is not "
            "set for this process: set it, or clear mail.password_env to send without logging in"
        )
    return value


def _connect(mail: MailSettings, password: str) -> smtplib.SMTP:
    conn = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=SMTP_TIMEOUT)
    try:
        if mail.starttls:
            conn.starttls(context=ssl.create_default_context())
        if mail.username:
            conn.login(mail.username, password)
    except BaseException:
        conn.close()
        raise
    return conn


def _sendable(now: datetime) -> ColumnElement[bool]:
    """Waiting or failed, or claimed by a sender that stopped before it finished."""
    return or_(
        e.Notice.email_status.in_(SENDABLE),
        and_(e.Notice.email_status == "sending", e.Notice.email_tried_at < now - STALE_CLAIM),
    )


def _claim(engine: Engine, notice_id: int, attempts: int, now: datetime) -> bool:
    """Mark the notice as being sent and count the attempt, in its own commit, before it is
    sent: of two senders at the same moment one wins, and the other skips it."""
    with session_scope(engine) as session:
        done = session.execute(
            update(e.Notice)
            .where(e.Notice.id == notice_id, e.Notice.email_attempts == attempts, _sendable(now))
            .values(email_attempts=attempts + 1, email_status="sending", email_tried_at=now)
        )
        return done.rowcount == 1  # type: ignore[attr-defined]


def _finish(engine: Engine, notice_id: int, *, error: str, now: datetime) -> None:
    with session_scope(engine) as session:
        values: dict[str, Any] = (
            {"email_status": "failed", "email_error": error[:MAX_ERROR]}
            if error
            else {"email_status": "sent", "email_error": "", "emailed_at": now}
        )
        session.execute(update(e.Notice).where(e.Notice.id == notice_id).values(**values))


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")


def send_pending(
    engine: Engine,
    *,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
    ids: Iterable[int] | None = None,
) -> SendReport:
    """E-mail every pending or failed notice (or only ``ids``), each in its own commits.

    Call it after the transaction that wrote the notices committed. With the campus's mail
    off it sends nothing. A failure (server down, a refused address) is recorded on the
    notice and the rest go on; MailConfigError when the password variable is missing.
    """
    moment = now or datetime.now(UTC).replace(microsecond=0)
    with session_scope(engine) as session:
        mail = load_settings(session).mail
        query = select(e.Notice.id, e.Notice.email_attempts).where(
            _sendable(moment), e.Notice.email_to != ""
        )
        if ids is not None:
            query = query.where(e.Notice.id.in_(list(ids)))
        todo = [
            (row.id, row.email_attempts) for row in session.execute(query.order_by(e.Notice.id))
        ]
    report = SendReport(enabled=mail.enabled)
    if not mail.enabled or not todo:
        return report
    password = _password(mail, os.environ if environ is None else environ)
    conn: smtplib.SMTP | None = None
    unreachable = ""
    try:
        for notice_id, attempts in todo:
            if not _claim(engine, notice_id, attempts, moment):
                continue  # another sender has it
            error = ""
            if unreachable:  # counted as an attempt, with the connection's error
                _finish(engine, notice_id, error=unreachable, now=moment)
                report.failed[notice_id] = unreachable
                continue
            try:
                if conn is None:
                    conn = _connect(mail, password)
                with session_scope(engine) as session:
                    msg = message_of(session.get_one(e.Notice, notice_id), mail)
                conn.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                error = _error(exc)  # this address only: the connection stays usable
            except (OSError, smtplib.SMTPException) as exc:
                error = _error(exc)
                if conn is None:  # no connection at all: the rest would wait in vain
                    unreachable = error
                else:
                    with contextlib.suppress(Exception):  # closing a broken one
                        conn.close()
                    conn = None  # the next notice tries a new connection
            _finish(engine, notice_id, error=error, now=moment)
            if error:
                report.failed[notice_id] = error
            else:
                report.sent.append(notice_id)
    finally:
        if conn is not None:
            with contextlib.suppress(Exception):  # closing a broken one
                conn.quit()
    return report
