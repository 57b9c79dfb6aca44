"""/api/v1/keys: planners manage API keys without a shell (what `campus keys` does).

Only planner keys may use these endpoints (403 for every other role). A new key's secret is
in the 201 answer and nowhere else, ever: lists show the id, role, scope, label, dates and
status. Revoking is ``POST /keys/{id}/revoke``, not DELETE: the key stays listed as revoked
(who had access, until when), and revoking twice is a 409 so a wrong id shows. Keys have no
ETag: nothing of a key can be edited, and revoking is one-way. Both are audited (never the
secret or its hash).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, select

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.problems import Problem, responses
from api.routes.v1.schemas import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE, Day
from models import entities as e
from models.feeds import as_utc
from models.keys import (
    AMSTERDAM,
    MAX_LABEL,
    ApiKeyError,
    Principal,
    create_key,
    key_status,
    record_created,
    revoke_recorded,
)
from models.scenario import Key

router = APIRouter(prefix="/keys", tags=["keys"])
WHAT = "API key management"
Role = Literal["planner", "company", "school", "trainer"]
Status = Literal["active", "expired", "revoked"]
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class KeyIn(_In):
    """A new key: a role and, but for planners, its partner (company, school) or trainer."""

    role: Role
    partner: Key | None = Field(default=None, description="company and school keys")
    trainer: Key | None = Field(default=None, description="trainer keys")
    label: str = Field(default="", max_length=MAX_LABEL, description="who holds the key")
    expires: Day | None = Field(
        default=None, description="the key stops working at the start of this day (Amsterdam)"
    )


class KeyOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    role: str
    partner: str | None
    trainer: str | None
    label: str
    created: dt.datetime
    expires: dt.datetime | None = Field(description="when it stops working (UTC)")
    last_used: dt.datetime | None = Field(description="recorded at most once an hour")
    revoked: dt.datetime | None
    status: str = Field(description="active, expired or revoked")


class NewKeyOut(KeyOut):
    secret: str = Field(description="the key itself: shown in this answer only, never again")


class KeyPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[KeyOut]
    total: int
    limit: int
    offset: int


def _when(moment: dt.datetime | None) -> dt.datetime | None:
    return as_utc(moment) if moment is not None else None


def _out(row: e.ApiKey, now: dt.datetime) -> KeyOut:
    return KeyOut(
        id=row.id,
        role=row.role,
        partner=row.partner_key,
        trainer=row.trainer_key,
        label=row.label,
        created=as_utc(row.created_at),
        expires=_when(row.expires_at),
        last_used=_when(row.last_used_at),
        revoked=_when(row.revoked_at),
        status=key_status(row, now),
    )


def _planner(principal: Principal) -> None:
    require_role(principal, "planner", what=WHAT)


def _status_filter(status: str, now: dt.datetime) -> ColumnElement[bool]:
    expired = e.ApiKey.expires_at.is_not(None) & (e.ApiKey.expires_at <= now)
    if status == "revoked":
        return e.ApiKey.revoked_at.is_not(None)
    if status == "expired":
        return e.ApiKey.revoked_at.is_(None) & expired
    return e.ApiKey.revoked_at.is_(None) & ~expired


@router.get("", operation_id="listKeys", responses=responses(401, 403, 422))
def get_keys(
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    role: Role | None = None,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> KeyPage:
    """Every key (or those of a role / status), by id; never a secret or a hash."""
    _planner(principal)
    query = select(e.ApiKey)
    if role is not None:
        query = query.where(e.ApiKey.role == role)
    if status is not None:
        query = query.where(_status_filter(status, now))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(e.ApiKey.id).limit(limit).offset(offset))
    return KeyPage(items=[_out(r, now) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{key_id}", operation_id="getKey", responses=responses(401, 403, 404, 422))
def get_key(key_id: KeyId, session: ApiSessionDep, principal: PrincipalDep, now: NowDep) -> KeyOut:
    """One key's role, scope, label, dates and status."""
    _planner(principal)
    row = session.get(e.ApiKey, key_id)
    if row is None:
        raise Problem(404, f"no API key with id {key_id}: GET /api/v1/keys lists them")
    return _out(row, now)


def _path_of(message: str) -> str:
    """Which field of the body an ApiKeyError is about (its words name it)."""
    for word, path in (("label", "$.label"), ("expiry", "$.expires"), ("trainer", "$.trainer"),
                       ("partner", "$.partner")):  # fmt: skip
        if word in message:
            return path
    return "$.role"


def _check_expiry(body: KeyIn, now: dt.datetime) -> None:
    """An expiry day after today (Amsterdam); checked before any arithmetic on far dates."""
    if body.expires is not None and body.expires <= now.astimezone(AMSTERDAM).date():
        reason = f"the expiry date {body.expires} is not in the future"
        raise Problem(
            422, f"$.expires: {reason}; no key was made",
            errors=[{"in": "body", "path": "$.expires", "reason": reason}],
        )  # fmt: skip


def _check_scope(body: KeyIn) -> None:
    """A partner for company and school keys, a trainer for trainer keys, nothing else."""
    wanted = {"company": "partner", "school": "partner", "trainer": "trainer"}.get(body.role)
    for name in ("partner", "trainer"):
        given = getattr(body, name) is not None
        if name == wanted and not given:
            reason = f"a {body.role} key needs a {name}"
        elif name != wanted and given:
            reason = (
                f"a {body.role} key has no {name}"
                + (": it covers the whole campus" if body.role == "planner" else "")
            )
        else:
            continue
        raise Problem(
            422, f"$.{name}: {reason}; no key was made",
            errors=[{"in": "body", "path": f"$.{name}", "reason": reason}],
        )  # fmt: skip


@router.post(
    "", operation_id="createKey", status_code=201, responses=responses(401, 403, 413, 422, 503)
)
def post_key(
    body: KeyIn, session: ApiSessionDep, principal: PrincipalDep, now: NowDep, response: Response
) -> NewKeyOut:
    """Make a key; its secret is in this answer only (store it, hand it over, forget it)."""
    _planner(principal)
    _check_scope(body)
    _check_expiry(body, now)
    now = now.replace(microsecond=0)  # as `campus keys create`: whole seconds
    try:
        row, secret = create_key(
            session,
            role=body.role,
            partner=body.partner,
            trainer=body.trainer,
            label=body.label,
            expires=body.expires,
            now=now,
        )
    except ApiKeyError as exc:
        reason = str(exc).replace("--partner", "partner").replace("--trainer", "trainer")
        path = _path_of(reason)
        raise Problem(
            422, f"{path}: {reason}; no key was made",
            errors=[{"in": "body", "path": path, "reason": reason}],
        ) from None  # fmt: skip
    record_created(session, actor_of(principal), row, now=now)
    session.flush()
    response.headers["Location"] = f"/api/v1/keys/{row.id}"
    response.headers["Cache-Control"] = "no-store"  # the secret must not sit in a cache
    return NewKeyOut(**_out(row, now).model_dump(), secret=secret)


@router.post(
    "/{key_id}/revoke",
    operation_id="revokeKey",
    responses=responses(401, 403, 404, 409, 422, 503),
)
def post_revoke(
    key_id: KeyId, session: ApiSessionDep, principal: PrincipalDep, now: NowDep
) -> KeyOut:
    """Stop a key at once: its holder gets 401 from the next request on."""
    _planner(principal)
    if session.get(e.ApiKey, key_id) is None:
        raise Problem(404, f"no API key with id {key_id}: GET /api/v1/keys lists them")
    if key_id == principal.key_id:
        raise Problem(
            409,
            f"API key {key_id} is the key of this request: revoke it with another planner key "
            "or with campus keys revoke, so that no planner locks themselves out by mistake",
        )
    try:
        row = revoke_recorded(
            session, key_id, actor=actor_of(principal), now=now.replace(microsecond=0)
        )
    except ApiKeyError as exc:
        raise Problem(409, f"{exc}: nothing to do") from None
    session.flush()
    return _out(row, now)
