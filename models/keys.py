"""API keys: bearer secrets for the HTTP API, each for one role and, but for planners, one scope.

A key is shown once when it is made; the database keeps its SHA-256 (models/feeds.py's
``hash_token``), so a stolen backup lets nobody in. Expiry, revocation and the coarse "last
used" time are decided here, so the CLI and the HTTP API agree on when a key works.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import entities as e
from models.audit import Actor, record
from models.feeds import as_utc, hash_token
from models.text import single_line

ROLES: tuple[str, ...] = e.API_ROLES
PARTNER_ROLES = ("company", "school")
KEY_PREFIX = "tic_"  # recognisable in logs and by secret scanners
KEY_BYTES = 32  # 256 bits, as for feed tokens
MAX_LABEL = 200
# "Last used" is written at most this often per key, so polling clients do not turn every
# request into a database write.
LAST_USED_RESOLUTION = timedelta(hours=1)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class ApiKeyError(ValueError):
    """A key that cannot be made or changed as asked: unknown partner, bad role, ..."""


@dataclass(frozen=True)
class Principal:
    """Who a request speaks for: the role and its scope (a partner or a trainer key)."""

    key_id: int
    role: str
    partner: str | None
    trainer: str | None
    label: str


def expiry_moment(day: date) -> datetime:
    """A key "expiring 2027-08-01" works up to that day's start, Amsterdam time (as UTC)."""
    return datetime.combine(day, time(0, 0), AMSTERDAM).astimezone(UTC)


def key_status(row: e.ApiKey, now: datetime) -> str:
    """active, expired or revoked."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        return "expired"
    return "active"


def create_key(
    session: Session,
    *,
    role: str,
    now: datetime,
    partner: str | None = None,
    trainer: str | None = None,
    label: str = "",
    expires: date | None = None,
) -> tuple[e.ApiKey, str]:
    """A new key; the plain secret is returned once and never stored.

    A company key names a partner that is not a school, a school key a school, a trainer key
    a trainer; a planner key names neither.
    """
    if role not in ROLES:
        raise ApiKeyError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role in PARTNER_ROLES:
        if not partner or trainer:
            raise ApiKeyError(f"a {role} key needs --partner (and no --trainer)")
        row = session.scalars(select(e.Partner).where(e.Partner.key == partner)).one_or_none()
        if row is None:
            raise ApiKeyError(f"unknown partner {partner!r}")
        if (role == "school") != (row.kind == "school"):
            raise ApiKeyError(
                f"partner {partner!r} is a {row.kind}: a {role} key needs "
                + ("a school" if role == "school" else "a partner that is not a school")
            )
    elif role == "trainer":
        if not trainer or partner:
            raise ApiKeyError("a trainer key needs --trainer (and no --partner)")
        if session.scalars(select(e.Trainer.id).where(e.Trainer.key == trainer)).first() is None:
            raise ApiKeyError(f"unknown trainer {trainer!r}")
    elif partner or trainer:
        raise ApiKeyError("a planner key covers the whole campus: give no --partner or --trainer")
    if len(label) > MAX_LABEL:
        raise ApiKeyError(f"the label is longer than {MAX_LABEL} characters")
    try:
        single_line(label)
    except ValueError as exc:
        raise ApiKeyError(f"the label {exc}") from None
    # The day is compared before it becomes a moment: 0001-01-01 has no UTC moment before it.
    if expires is not None and expires <= now.astimezone(AMSTERDAM).date():
        raise ApiKeyError(f"the expiry date {expires} is not in the future")
    expires_at = expiry_moment(expires) if expires is not None else None
    secret = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    key = e.ApiKey(
        key_hash=hash_token(secret),
        role=role,
        partner_key=partner if role in PARTNER_ROLES else None,
        trainer_key=trainer if role == "trainer" else None,
        label=label,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return key, secret


def list_keys(session: Session) -> list[e.ApiKey]:
    return list(session.scalars(select(e.ApiKey).order_by(e.ApiKey.id)))


def revoke_key(session: Session, key_id: int, *, now: datetime) -> e.ApiKey:
    """Stop a key at once; revoking twice is an error, so a typo in the id shows."""
    row = session.get(e.ApiKey, key_id)
    if row is None:
        raise ApiKeyError(f"no API key with id {key_id}")
    if row.revoked_at is not None:
        raise ApiKeyError(f"API key {key_id} was already revoked at {as_utc(row.revoked_at)}")
    row.revoked_at = now
    return row


def authenticate(session: Session, secret: str, *, now: datetime) -> Principal | None:
    """The principal of a presented secret, or None if it is unknown, revoked or expired.

    Records the use coarsely (see LAST_USED_RESOLUTION) in the caller's transaction.
    """
    if not secret or len(secret) > 128:
        return None
    digest = hash_token(secret)
    row = session.scalars(select(e.ApiKey).where(e.ApiKey.key_hash == digest)).one_or_none()
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None
    if key_status(row, now) != "active":
        return None
    if row.last_used_at is None or now - as_utc(row.last_used_at) >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return Principal(
        key_id=row.id,
        role=row.role,
        partner=row.partner_key,
        trainer=row.trainer_key,
        label=row.label,
    )


# --- the audit of key management (CLI and API alike; never the secret or its hash) ---------


def record_created(session: Session, actor: Actor, row: e.ApiKey, *, now: datetime) -> None:
    """Audit a new key: its role, scope, label and expiry."""
    expires = as_utc(row.expires_at).isoformat() if row.expires_at is not None else None
    fields = {"role": row.role, "partner": row.partner_key, "trainer": row.trainer_key,
              "label": row.label, "expires": expires}  # fmt: skip
    changes = {name: [None, value] for name, value in fields.items() if value not in (None, "")}
    record(session, actor, entity="api_key", key=str(row.id), action="create",
           changes=changes, now=now)  # fmt: skip


def revoke_recorded(session: Session, key_id: int, *, actor: Actor, now: datetime) -> e.ApiKey:
    """``revoke_key`` and its audit entry (status active or expired -> revoked)."""
    before = session.get(e.ApiKey, key_id)
    status = key_status(before, now) if before is not None else None
    row = revoke_key(session, key_id, now=now)
    record(session, actor, entity="api_key", key=str(key_id), action="update",
           changes={"status": [status, "revoked"]}, now=now)  # fmt: skip
    return row
