"""Calendar feeds from the database: who sees which published session, tokens, feed states.

Everything here returns plain frozen dataclasses, so the iCalendar writer (api/feeds/ical.py)
never touches the ORM. Privacy is decided here, in one place: a school's feed names only its
own groups, a group's feed only that group, and no feed carries pupils' personal data
(the database holds none: groups are named classes with a headcount).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection, bindparam, case, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from models import entities as e
from models.links import link_secret, page_query
from models.text import single_line

VIEWS: tuple[str, ...] = e.FEED_VIEWS
TEAM_LABELS = {
    "W": "W-installaties",
    "E": "E-installaties",
    "BIM": "BIM in het onderwijs",
    "BOL4": "BOL niveau 4",
    "other": "Techniek algemeen",
}
T = TypeVar("T")
TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128
CAMPUS_NAME = "Campus, alle sessies"


class FeedError(ValueError):
    """A feed request that cannot be met: unknown view or subject, duplicate token, ..."""


@dataclass(frozen=True)
class FeedWindow:
    """Which sessions a feed shows: weeks around today, cancelled ones for a grace period."""

    weeks_before: int = 4
    weeks_after: int = 26
    cancelled_days: int = 14


@dataclass(frozen=True)
class FeedSubject:
    view: str
    key: str  # "" for the campus view
    name: str


@dataclass(frozen=True)
class FeedSession:
    """One session as a given subscriber may see it (already filtered for privacy)."""

    uid: str
    start: datetime  # naive Europe/Amsterdam wall time
    end: datetime
    status: str  # confirmed | cancelled
    sequence: int
    created: datetime  # aware UTC
    last_modified: datetime  # aware UTC
    activity: str
    team: str
    groups: tuple[str, ...]
    location: str
    address: str
    latitude: float
    longitude: float
    host: str
    host_kind: str  # the host partner's kind: "school", "company", ... (its label says which)
    contact: str
    trainers: tuple[str, ...]
    equipment: tuple[str, ...]
    note: str = ""
    # The signed query of the session page's link for this subject (models/links.py); empty
    # for data built by hand, whose event URL then has no query.
    page_query: str = ""


@dataclass(frozen=True)
class FeedData:
    """What one subscriber sees; ``changes_at`` bounds how long it stays true.

    With the same publication the data only changes when the window moves on (the next UTC
    midnight) or when a cancelled session's grace period ends: ``changes_at`` is the first of
    those after the moment it was read for (None: not computed, e.g. hand-built data).
    """

    subject: FeedSubject
    sessions: tuple[FeedSession, ...]
    changes_at: datetime | None = None


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --- subjects ---------------------------------------------------------------------------


def _by_key(session: Session, model: type[T], key: str) -> T | None:
    """Exact key first; else a unique case-insensitive match (people type ROC-WEST)."""
    column = model.key  # type: ignore[attr-defined]
    row = session.scalars(select(model).where(column == key)).one_or_none()
    if row is None:
        rows = session.scalars(select(model).where(func.lower(column) == key.lower())).all()
        row = rows[0] if len(rows) == 1 else None
    return row


def find_subject(session: Session, view: str, key: str) -> FeedSubject:
    """The subscriber a (view, key) names, with its canonical key, or FeedError."""
    if view not in VIEWS:
        raise FeedError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
    if view == "campus":
        return FeedSubject("campus", "", CAMPUS_NAME)
    found: FeedSubject | None = None
    if view in ("school", "company"):
        partner = _by_key(session, e.Partner, key)
        if partner is not None and (view == "company" or partner.kind == "school"):
            found = FeedSubject(view, partner.key, partner.name)
    elif view == "group":
        group = _by_key(session, e.Group, key)
        if group is not None:
            found = FeedSubject(view, group.key, f"{group.name} ({group.school.name})")
    elif view == "trainer":
        trainer = _by_key(session, e.Trainer, key)
        found = FeedSubject(view, trainer.key, trainer.name) if trainer else None
    elif view == "location":
        location = _by_key(session, e.Location, key)
        found = FeedSubject(view, location.key, location.name) if location else None
    if found is None:
        raise FeedError(f"no {view} with key {key!r}")
    return found


def all_subjects(session: Session) -> list[FeedSubject]:
    """Every subscriber of every view: what a static export writes."""
    subjects = [FeedSubject("campus", "", CAMPUS_NAME)]
    for partner in session.scalars(select(e.Partner).order_by(e.Partner.key)):
        if partner.kind == "school":
            subjects.append(FeedSubject("school", partner.key, partner.name))
        if partner.locations:
            subjects.append(FeedSubject("company", partner.key, partner.name))
    for group in session.scalars(select(e.Group).order_by(e.Group.key)):
        subjects.append(FeedSubject("group", group.key, f"{group.name} ({group.school.name})"))
    for trainer in session.scalars(select(e.Trainer).order_by(e.Trainer.key)):
        subjects.append(FeedSubject("trainer", trainer.key, trainer.name))
    for location in session.scalars(select(e.Location).order_by(e.Location.key)):
        subjects.append(FeedSubject("location", location.key, location.name))
    return subjects


# --- sessions ---------------------------------------------------------------------------


def _visible_groups(subject: FeedSubject, ps: e.PublishedSession) -> list[e.Group] | None:
    """The groups this subscriber may see for a session, or None if the session is not theirs."""
    groups = [rg.group for rg in ps.request.groups]
    if subject.view == "school":
        own = [g for g in groups if g.school.key == subject.key]
        return own or None
    if subject.view == "group":
        own = [g for g in groups if g.key == subject.key]
        return own or None
    if subject.view == "trainer":
        keys = {t.trainer.key for t in ps.trainers}
        return groups if subject.key in keys else None
    if subject.view == "location":
        return groups if ps.location.key == subject.key else None
    if subject.view == "company":
        return groups if ps.location.partner.key == subject.key else None
    return groups


def _contact(partner: e.Partner) -> str:
    parts = [partner.contact_name, partner.contact_email, partner.contact_phone]
    return ", ".join(p for p in parts if p)


def feed_data(
    session: Session,
    subject: FeedSubject,
    *,
    now: datetime,
    window: FeedWindow | None = None,
) -> FeedData:
    """The published sessions ``subject`` sees around ``now``, ordered by start and UID."""
    window = window or FeedWindow()
    now = as_utc(now)
    today: date = now.date()
    first = datetime.combine(today - timedelta(weeks=window.weeks_before), datetime.min.time())
    last = datetime.combine(today + timedelta(weeks=window.weeks_after), datetime.min.time())
    rows = session.scalars(
        select(e.PublishedSession)
        .where(e.PublishedSession.end >= first, e.PublishedSession.start < last)
        .options(
            selectinload(e.PublishedSession.trainers).selectinload(
                e.PublishedSessionTrainer.trainer
            ),
            selectinload(e.PublishedSession.request),
            selectinload(e.PublishedSession.location),
        )
        .order_by(e.PublishedSession.start, e.PublishedSession.uid)
    ).all()
    grace = timedelta(days=window.cancelled_days)
    secret = link_secret(session) if rows else b""
    changes_at = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    out: list[FeedSession] = []
    for ps in rows:
        if ps.status == "cancelled" and (
            ps.cancelled_at is None or as_utc(ps.cancelled_at) + grace <= now
        ):
            continue
        groups = _visible_groups(subject, ps)
        if groups is None:
            continue
        if ps.status == "cancelled" and ps.cancelled_at is not None:
            changes_at = min(changes_at, as_utc(ps.cancelled_at) + grace)  # it leaves then
        activity = ps.request.activity_type
        location = ps.location
        out.append(
            FeedSession(
                uid=ps.uid,
                start=ps.start,
                end=ps.end,
                status=ps.status,
                sequence=ps.sequence,
                created=as_utc(ps.created_at),
                last_modified=as_utc(ps.last_modified),
                activity=activity.title,
                team=TEAM_LABELS.get(activity.team, activity.team),
                groups=tuple(
                    g.name if subject.view in ("school", "group") else f"{g.name} ({g.school.name})"
                    for g in groups
                ),
                location=location.name,
                address=location.address or location.partner.address,
                latitude=location.latitude,
                longitude=location.longitude,
                host=location.partner.name,
                host_kind=location.partner.kind,
                contact=_contact(location.partner),
                trainers=tuple(t.trainer.name for t in ps.trainers),
                equipment=tuple(q.equipment_type.name for q in activity.equipment),
                note=ps.request.note if subject.view == "campus" else "",
                page_query=page_query(secret, subject.view, subject.key, ps.uid),
            )
        )
    return FeedData(subject, tuple(out), changes_at)


def publication_version(session: Session) -> int:
    """The version of the publication in force (0 before the first): what feeds are made of.

    Only publishing changes published sessions, so a feed rendered for this version stays
    right until the version grows (or ``FeedData.changes_at`` passes).
    """
    return session.scalar(select(func.max(e.Publication.version))) or 0


# --- tokens -----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """Only this digest is stored: a leaked database does not leak working feed URLs."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


MAX_LABEL = 200
FETCH_RESOLUTION = timedelta(hours=1)  # last_fetched_at is written at most this often


def _working(session: Session, view: str, key: str) -> list[e.FeedToken]:
    return list(
        session.scalars(
            select(e.FeedToken)
            .where(
                e.FeedToken.view == view,
                e.FeedToken.subject_key == key,
                e.FeedToken.active.is_(True),
            )
            .order_by(e.FeedToken.id)
        )
    )


def describe_token(row: e.FeedToken) -> str:
    """How a planner names a token: its id and label (``token 7 'Ans, BBL-team'``)."""
    return f"token {row.id} {row.label!r}" if row.label else f"token {row.id} (no label)"


def _subject_text(view: str, key: str) -> str:
    return f"the {view} {key}" if key else "the campus"


def check_label(label: str) -> str:
    """The label as stored (trimmed), or FeedError: it is how planners name the token."""
    label = label.strip()
    if len(label) > MAX_LABEL:
        raise FeedError(f"the label is longer than {MAX_LABEL} characters")
    try:
        single_line(label)
    except ValueError as exc:
        raise FeedError(f"the label {exc}") from None
    return label


def create_token(
    session: Session, view: str, key: str, *, now: datetime, label: str = ""
) -> tuple[e.FeedToken, str]:
    """A new secret for (view, subject); the plain token is returned once and never stored.

    A subject may have any number of working tokens, each with a label of its own (one per
    teacher, say); at most one of them may be without a label.
    """
    key = find_subject(session, view, key).key
    label = check_label(label)
    for row in _working(session, view, key):
        if row.label == label:
            named = f"labelled {label!r}" if label else "without a label"
            raise FeedError(
                f"{_subject_text(view, key)} already has a feed token {named} ({row.id}): give "
                "the new one another --label (e.g. the teacher's name), or rotate it instead"
            )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = e.FeedToken(
        token_hash=hash_token(token),
        view=view,
        subject_key=key,
        label=label,
        created_at=as_utc(now),
        revoked_at=None,
        active=True,
    )
    session.add(row)
    session.flush()
    return row, token


def find_token(
    session: Session,
    view: str | None = None,
    key: str = "",
    *,
    label: str | None = None,
    token_id: int | None = None,
) -> e.FeedToken:
    """The working token a planner names: by its id, or by its subject (and label).

    The subject alone is enough while it has one working token; with several, the label
    (or the id) must say which. FeedError says what exists when the name fits none.
    """
    if token_id is not None:
        if view is not None or label is not None:
            raise FeedError("name the token by its id or by its subject and label, not both")
        row = session.get(e.FeedToken, token_id) if 0 < token_id < 2**31 else None
        if row is None:
            raise FeedError(f"there is no feed token {token_id} (campus feeds list shows them)")
        if row.active is None:
            raise FeedError(f"feed token {token_id} was already revoked")
        return row
    if view is None:
        raise FeedError("name the token by its id or by its subject")
    with contextlib.suppress(FeedError):  # a deleted subject's token: found by its stored key
        key = find_subject(session, view, key).key
    rows = _working(session, view, key)
    if label is not None:
        wanted = label.strip()
        rows = [row for row in rows if row.label == wanted]
        if not rows:
            others = _working(session, view, key)
            have = ", ".join(describe_token(row) for row in others) or "none"
            raise FeedError(
                f"{_subject_text(view, key)} has no working feed token labelled {wanted!r} "
                f"(working: {have})"
            )
    if not rows:
        raise FeedError(f"{_subject_text(view, key)} has no active feed token")
    if len(rows) > 1:
        raise FeedError(
            f"{_subject_text(view, key)} has {len(rows)} working feed tokens "
            f"({', '.join(describe_token(row) for row in rows)}): name one by its id or --label"
        )
    return rows[0]


def revoke(row: e.FeedToken, *, now: datetime) -> e.FeedToken:
    """Stop this token; it serves an empty calendar for a grace period, then 410."""
    row.active = None
    row.revoked_at = as_utc(now)
    return row


def revoke_token(
    session: Session,
    view: str | None = None,
    key: str = "",
    *,
    now: datetime,
    label: str | None = None,
    token_id: int | None = None,
) -> e.FeedToken:
    """Revoke the token find_token names; the subject's other tokens keep working."""
    row = revoke(find_token(session, view, key, label=label, token_id=token_id), now=now)
    session.flush()
    return row


def rotate_token(
    session: Session,
    view: str | None = None,
    key: str = "",
    *,
    now: datetime,
    label: str | None = None,
    token_id: int | None = None,
) -> tuple[e.FeedToken, str]:
    """Revoke the named token and create its successor (same label) in one transaction."""
    old = revoke_token(session, view, key, now=now, label=label, token_id=token_id)
    return create_token(session, old.view, old.subject_key, now=now, label=old.label)


def list_tokens(session: Session, *, include_revoked: bool = False) -> list[e.FeedToken]:
    query = select(e.FeedToken).order_by(e.FeedToken.view, e.FeedToken.subject_key, e.FeedToken.id)
    if not include_revoked:
        query = query.where(e.FeedToken.active.is_(True))
    return list(session.scalars(query))


def lookup_token(session: Session, token: str) -> e.FeedToken | None:
    """The token row for a presented secret, compared in constant time."""
    if not token or len(token) > 128:
        return None
    digest = hash_token(token)
    row = session.scalars(select(e.FeedToken).where(e.FeedToken.token_hash == digest)).one_or_none()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return row


@dataclass(frozen=True)
class TokenCheck:
    """What a feed request must know before it may answer from a stored render."""

    view: str
    key: str
    name: str | None  # the subject's name as find_subject gives it; None: no exact match
    revoked_at: datetime | None
    version: int  # publication_version()
    token_id: int = 0
    last_fetched_at: datetime | None = None


def _subject_name_column():  # type: ignore[no-untyped-def]
    """The subject's display name for a token row, the way find_subject builds it."""
    token, school = e.FeedToken, aliased(e.Partner)
    by_key = {
        "school": select(e.Partner.name).where(
            e.Partner.key == token.subject_key, e.Partner.kind == "school"
        ),
        "company": select(e.Partner.name).where(e.Partner.key == token.subject_key),
        "group": select(e.Group.name + " (" + school.name + ")")
        .join(school, e.Group.school_id == school.id)
        .where(e.Group.key == token.subject_key),
        "trainer": select(e.Trainer.name).where(e.Trainer.key == token.subject_key),
        "location": select(e.Location.name).where(e.Location.key == token.subject_key),
    }
    whens = [(token.view == view, query.scalar_subquery()) for view, query in by_key.items()]
    return case((token.view == "campus", literal(CAMPUS_NAME)), *whens, else_=None)


_TOKEN_CHECK = select(
    e.FeedToken.view,
    e.FeedToken.subject_key,
    e.FeedToken.revoked_at,
    e.FeedToken.token_hash,
    _subject_name_column(),
    select(func.max(e.Publication.version)).scalar_subquery(),
    e.FeedToken.id,
    e.FeedToken.last_fetched_at,
).where(e.FeedToken.token_hash == bindparam("digest"))  # one statement object: its SQL is cached


def check_token(connection: Connection, token: str) -> TokenCheck | None:
    """Token, subject name and publication version in one query: the per-request check.

    None for an unknown token. A subject found only case-insensitively, or not at all, has
    ``name`` None: find_subject then decides (canonical key or 410).
    """
    if not token or len(token) > 128:
        return None
    digest = hash_token(token)
    row = connection.execute(_TOKEN_CHECK, {"digest": digest}).first()
    if row is None or not hmac.compare_digest(row[3], digest):
        return None
    revoked_at = as_utc(row[2]) if row[2] is not None else None
    fetched = as_utc(row[7]) if row[7] is not None else None
    return TokenCheck(row[0], row[1], row[4], revoked_at, row[5] or 0, row[6], fetched)


# --- when each token was last fetched ---------------------------------------------------


def fetch_due(last_fetched_at: datetime | None, now: datetime) -> bool:
    """Whether a fetch at ``now`` should be written: the stored one is an hour old or more.

    A calendar app polls every few minutes; "last fetched" only has to tell a planner who is
    still subscribed, so an hour's precision saves a write per poll.
    """
    return last_fetched_at is None or as_utc(now) - as_utc(last_fetched_at) >= FETCH_RESOLUTION


def record_fetch(connection: Connection, token_id: int, now: datetime) -> bool:
    """Store ``now`` as the token's last fetch unless a value less than an hour old is there.

    One conditional UPDATE: concurrent requests, or several server processes, write at most
    once per hour per token. True when this call wrote.
    """
    now = as_utc(now).replace(microsecond=0)
    token = e.FeedToken.__table__
    done = connection.execute(
        token.update()
        .where(
            token.c.id == token_id,
            (token.c.last_fetched_at.is_(None))
            | (token.c.last_fetched_at <= now - FETCH_RESOLUTION),
        )
        .values(last_fetched_at=now)
    )
    return done.rowcount == 1


# --- feed states (Last-Modified) --------------------------------------------------------


def observe_feed(session: Session, subject: FeedSubject, etag: str, *, now: datetime) -> datetime:
    """When these exact bytes were first served: a Last-Modified that never goes back.

    A new ETag moves the time to ``now`` (at least one second past the previous change, so
    If-Modified-Since clients with one-second resolution see every change).
    """
    now = as_utc(now).replace(microsecond=0)
    state = session.get(e.FeedState, (subject.view, subject.key))
    if state is None:
        try:
            with session.begin_nested():
                session.add(
                    e.FeedState(
                        view=subject.view, subject_key=subject.key, etag=etag, changed_at=now
                    )
                )
            return now
        except IntegrityError:  # a concurrent request created it first
            state = session.get(e.FeedState, (subject.view, subject.key), populate_existing=True)
            assert state is not None
    previous = as_utc(state.changed_at)
    if state.etag != etag:
        state.etag = etag
        state.changed_at = max(now, previous + timedelta(seconds=1))
        session.flush()
        return as_utc(state.changed_at)
    return previous
