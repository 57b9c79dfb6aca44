"""Partners as the HTTP API reads and changes them, always within a principal's scope.

A planner sees every partner; a company or school key its own partner only (anything else
is answered like a key that does not exist: None). A partner may keep its own address,
contact person and preferred language up to date; its name and kind are the campus's
register (names appear in every party's calendar, the kind decides which keys, groups and
locations it may have), so only a planner changes the name and nobody changes the kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import entities as e
from models import scenario as s
from models.audit import Actor, diff, record, snapshot
from models.keys import Principal

PARTNER_ROLES = ("planner", "company", "school")  # trainers get 403
# What PATCH may change, by who asks (the entity's own columns; contact_* is "contact").
PLANNER_FIELDS = ("name", "address", "contact_name", "contact_email", "contact_phone", "language")
SELF_FIELDS = ("address", "contact_name", "contact_email", "contact_phone", "language")
AUDITED = ("name", "kind", *SELF_FIELDS)
_KEY: TypeAdapter[str] = TypeAdapter(s.Key)


class PartnerChangeError(ValueError):
    """``forbidden`` (a field this key may not change), ``conflict`` or ``invalid``."""

    def __init__(self, kind: str, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.kind = kind
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Page:
    items: list[e.Partner]
    total: int


def _scoped(principal: Principal) -> Select[tuple[e.Partner]]:
    query = select(e.Partner)
    if principal.role == "planner":
        return query
    if principal.role in ("company", "school") and principal.partner:
        return query.where(e.Partner.key == principal.partner)
    return query.where(False)


def list_partners(
    session: Session, principal: Principal, *, kind: str | None, limit: int, offset: int
) -> Page:
    """The partners in scope (of one kind), by key; ``total`` counts only those."""
    query = _scoped(principal)
    if kind is not None:
        query = query.where(e.Partner.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(e.Partner.key).limit(limit).offset(offset)).all()
    return Page(list(rows), total)


def find_partner(session: Session, principal: Principal, key: str) -> e.Partner | None:
    """The partner ``key`` if it exists and is in scope; None in every other case."""
    try:
        _KEY.validate_python(key)
    except ValidationError:
        return None
    return session.scalars(_scoped(principal).where(e.Partner.key == key)).one_or_none()


def create_partner(
    session: Session, partner: s.Partner, *, actor: Actor, now: datetime
) -> e.Partner:
    """A new partner from a scenario-format entry; 409 (conflict) when the key is taken."""
    if session.scalars(select(e.Partner.id).where(e.Partner.key == partner.key)).first():
        raise PartnerChangeError("conflict", "$.key", f"a partner {partner.key!r} exists already")
    row = e.Partner(
        key=partner.key,
        name=partner.name,
        kind=partner.kind,
        address=partner.address,
        contact_name=partner.contact.name,
        contact_email=partner.contact.email,
        contact_phone=partner.contact.phone,
        language=partner.language,
    )
    session.add(row)
    record(session, actor, entity="partner", key=row.key, action="create",
           changes={k: [None, v] for k, v in snapshot(row, AUDITED).items()}, now=now)  # fmt: skip
    return row


def check_fields(principal: Principal, changes: Mapping[str, Any]) -> None:
    """A company or school key may change only SELF_FIELDS of its own partner."""
    allowed = PLANNER_FIELDS if principal.role == "planner" else SELF_FIELDS
    for name in changes:
        if name not in allowed:
            path = "$." + name.replace("contact_", "contact.")
            if name in PLANNER_FIELDS:
                raise PartnerChangeError(
                    "forbidden", path,
                    f"a {principal.role} key may not change its partner's {name}: ask a planner "
                    "(it may change the address, the contact and the language)",
                )  # fmt: skip
            raise PartnerChangeError("invalid", path, "is not a field a PATCH may change")


def update_partner(
    session: Session,
    partner: e.Partner,
    changes: Mapping[str, Any],
    *,
    principal: Principal,
    actor: Actor,
    now: datetime,
) -> dict[str, list[Any]]:
    """Set the named columns (``contact_name``, ...) and nothing else; audited."""
    check_fields(principal, changes)
    before = snapshot(partner, AUDITED)
    for name, value in changes.items():
        setattr(partner, name, value)
    changed = diff(before, snapshot(partner, AUDITED))
    record(session, actor, entity="partner", key=partner.key, action="update",
           changes=changed, now=now)  # fmt: skip
    return changed
