"""Sessions of the web pages: a browser signs in once with an API key and then carries a cookie.

Why a table rather than a signed cookie: signing out and revoking a key must end a session at
once, on the server, which a self-contained signed cookie cannot do before it expires. The
cookie holds a random 256-bit id; the table keeps its SHA-256 (models/feeds.py's
``hash_token``), the key it speaks for, a CSRF token and an expiry. Every request looks the key
up again, so a revoked or expired key ends all its sessions with no extra step.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import entities as e
from models.feeds import as_utc, hash_token
from models.keys import Principal, authenticate, key_status

SESSION_BYTES = 32  # 256 bits, as for API keys and feed tokens
LIFETIME = timedelta(hours=12)  # one working day; then sign in again


@dataclass(frozen=True)
class WebLogin:
    """A signed-in browser: whom it speaks for and the token its forms must send back."""

    principal: Principal
    csrf_token: str
    expires_at: datetime  # aware UTC


def sign_in(session: Session, secret: str, *, now: datetime) -> tuple[str, WebLogin] | None:
    """A new session for an API key's secret: (the cookie's value, the login); None for a key
    that is unknown, revoked or expired (one answer for all three, as the API gives)."""
    principal = authenticate(session, secret.strip(), now=now)
    if principal is None:
        return None
    key = session.get(e.ApiKey, principal.key_id)
    assert key is not None
    expires_at = now + LIFETIME
    if key.expires_at is not None:
        expires_at = min(expires_at, as_utc(key.expires_at))
    cookie = secrets.token_urlsafe(SESSION_BYTES)
    csrf = secrets.token_urlsafe(SESSION_BYTES)
    session.add(
        e.WebSession(
            id_hash=hash_token(cookie),
            api_key_id=principal.key_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires_at,
        )
    )
    # Sessions that ended long ago are cleared on the way, so the table never grows unbounded.
    session.execute(delete(e.WebSession).where(e.WebSession.expires_at <= now))
    session.flush()
    return cookie, WebLogin(principal, csrf, expires_at)


def current(session: Session, cookie: str | None, *, now: datetime) -> WebLogin | None:
    """The login of a cookie, or None: no cookie, an unknown one, an expired session, or a key
    that was revoked or expired since (its sessions end with it)."""
    if not cookie or len(cookie) > 128:
        return None
    digest = hash_token(cookie)
    row = session.scalars(select(e.WebSession).where(e.WebSession.id_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.id_hash, digest):
        return None
    if as_utc(row.expires_at) <= now or key_status(row.api_key, now) != "active":
        return None
    key = row.api_key
    principal = Principal(
        key_id=key.id,
        role=key.role,
        partner=key.partner_key,
        trainer=key.trainer_key,
        label=key.label,
    )
    return WebLogin(principal, row.csrf_token, as_utc(row.expires_at))


def csrf_ok(login: WebLogin, token: str | None) -> bool:
    """Whether a form's token is this session's (compared in constant time)."""
    return bool(token) and hmac.compare_digest(login.csrf_token.encode(), (token or "").encode())


def sign_out(session: Session, cookie: str | None) -> bool:
    """End the cookie's session on the server; False if there was none."""
    if not cookie or len(cookie) > 128:
        return False
    result = session.execute(
        delete(e.WebSession).where(e.WebSession.id_hash == hash_token(cookie))
    )
    return bool(getattr(result, "rowcount", 0))
