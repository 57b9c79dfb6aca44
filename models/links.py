"""Signed links to the session page: what the ``URL`` of a calendar event points to.

A feed is rendered once per publication per view and subject and served to every subscriber
of that subject, so a link cannot carry anything per token. It carries the view, the subject
and an HMAC over (view, subject, session UID) made with a secret the campus generated for
itself (table ``campus_secrets``, made by migration 0016): only whoever has the feed has the
link, a link opens that one session for that one subject, and the bytes stay shared.
The trade-off (a revoked token does not revoke links already copied) is in docs/feeds.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import entities as e

SECRET_NAME = "session-links"
SIGNATURE_BYTES = 16  # 128 bits of the HMAC-SHA256, base64url without padding: 22 characters


def link_secret(session: Session) -> bytes:
    """The campus's link secret; made here if missing (a database built without migrations)."""
    row = session.get(e.CampusSecret, SECRET_NAME)
    if row is None:
        try:
            with session.begin_nested():
                row = e.CampusSecret(
                    name=SECRET_NAME, value=secrets.token_urlsafe(32), created_at=datetime.now(UTC)
                )
                session.add(row)
        except IntegrityError:  # another process made it first: use theirs
            row = session.get(e.CampusSecret, SECRET_NAME)
            assert row is not None
    return row.value.encode("ascii")


def signature(secret: bytes, view: str, key: str, uid: str) -> str:
    """The link's signature: HMAC-SHA256 over view, subject key and UID, cut to 128 bits."""
    message = "\x00".join(("session-page", view, key, uid)).encode("utf-8")
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def page_query(secret: bytes, view: str, key: str, uid: str) -> str:
    """``view=school&subject=vmbo-zuidoost&sig=...``: the query of one subject's link."""
    return urlencode({"view": view, "subject": key, "sig": signature(secret, view, key, uid)})


def signature_ok(secret: bytes, view: str, key: str, uid: str, sig: str) -> bool:
    """Whether ``sig`` is this link's signature (compared in constant time)."""
    return hmac.compare_digest(signature(secret, view, key, uid), sig)
