"""/api/v1/partners: planners keep the register, a company or school keeps its own entry.

Planners read, add and change every partner. A company or school key reads only its own
partner and may change its address, contact person and preferred language (403 for its
name; nobody changes a kind). Trainer keys get 403. Another partner is 404 with the same
words as one that does not exist, and the answer does not repeat the key asked for.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.etag import IfMatchDep, check_if_match, set_etag
from api.problems import Problem, responses
from api.routes.v1.schemas import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE
from models import entities as e
from models import scenario as s
from models.keys import Principal
from models.partners import (
    PARTNER_ROLES,
    PartnerChangeError,
    check_fields,
    create_partner,
    find_partner,
    list_partners,
    update_partner,
)

router = APIRouter(prefix="/partners", tags=["partners"])
WHAT = "partners"
Kind = Literal["company", "school", "association", "fund", "knowledge_institute", "other"]
Language = Literal["nl", "en"]


class ContactOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    email: str
    phone: str


class PartnerOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    kind: str
    address: str
    contact: ContactOut
    language: str = Field(description="nl (Dutch, the default) or en")


class PartnerPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[PartnerOut]
    total: int = Field(description="how many partners this key may see in all")
    limit: int
    offset: int


class PartnerIn(s.Partner):
    """A new partner, with the fields of a scenario file's partner."""


class _Patch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it")
        return value


class ContactPatch(_Patch):
    name: s.Name | None = None
    email: s.Name | None = None
    phone: s.Short | None = None


class PartnerPatch(_Patch):
    """The fields to change; every field left out keeps its value (in contact too).

    A company or school key may change address, contact and language; name is a planner's.
    """

    name: s.Name | None = None
    address: s.Address | None = None
    contact: ContactPatch | None = None
    language: Language | None = None


def _out(row: e.Partner) -> PartnerOut:
    return PartnerOut(
        key=row.key,
        name=row.name,
        kind=row.kind,
        address=row.address,
        contact=ContactOut(name=row.contact_name, email=row.contact_email, phone=row.contact_phone),
        language=row.language,
    )


def _partner(session: Session, principal: Principal, key: str) -> e.Partner:
    require_role(principal, *PARTNER_ROLES, what=WHAT)
    row = find_partner(session, principal, key)
    if row is None:
        raise Problem(404, "no partner with that key that this key may see: check the key")
    return row


def _problem(exc: PartnerChangeError) -> Problem:
    status = {"forbidden": 403, "conflict": 409}.get(exc.kind, 422)
    return Problem(
        status,
        f"{exc.path}: {exc.reason}",
        errors=[{"in": "body", "path": exc.path, "reason": exc.reason}],
    )


@router.get("", operation_id="listPartners", responses=responses(401, 403, 422))
def get_partners(
    session: ApiSessionDep,
    principal: PrincipalDep,
    kind: Kind | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PartnerPage:
    """The partners this key may see (of one kind), by key, a page at a time."""
    require_role(principal, *PARTNER_ROLES, what=WHAT)
    page = list_partners(session, principal, kind=kind, limit=limit, offset=offset)
    return PartnerPage(
        items=[_out(r) for r in page.items], total=page.total, limit=limit, offset=offset
    )


@router.get("/{key}", operation_id="getPartner", responses=responses(401, 403, 404))
def get_partner(
    key: str, session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> PartnerOut:
    """One partner; its ETag header is what a PATCH sends back as If-Match."""
    row = _partner(session, principal, key)
    set_etag(response, row)
    return _out(row)


@router.post(
    "",
    operation_id="createPartner",
    status_code=201,
    responses=responses(401, 403, 409, 413, 422, 503),
)
def post_partner(
    body: PartnerIn,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
) -> PartnerOut:
    """Add a partner (planners)."""
    require_role(principal, "planner", what="adding partners")
    try:
        row = create_partner(session, body, actor=actor_of(principal), now=now)
        session.flush()
    except PartnerChangeError as exc:
        raise _problem(exc) from None
    except IntegrityError:  # the same key added by a concurrent request
        raise Problem(409, f"partner {body.key} was just added by another request") from None
    response.headers["Location"] = f"/api/v1/partners/{row.key}"
    set_etag(response, row)
    return _out(row)


@router.patch(
    "/{key}",
    operation_id="updatePartner",
    responses=responses(401, 403, 404, 412, 413, 422, 428, 503),
)
def patch_partner(
    key: str,
    patch: PartnerPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> PartnerOut:
    """Change the fields the body names; everything else of the partner stays as it was."""
    row = _partner(session, principal, key)
    changes = patch.model_dump(exclude_unset=True)
    for name, value in changes.pop("contact", {}).items():
        changes[f"contact_{name}"] = value
    try:
        check_fields(principal, changes)  # a forbidden field is 403 whatever the If-Match
        check_if_match(if_match, row, what=f"partner {row.key}")
        update_partner(
            session, row, changes, principal=principal, actor=actor_of(principal), now=now
        )
    except PartnerChangeError as exc:
        raise _problem(exc) from None
    session.flush()  # a concurrent writer's version shows here (StaleDataError -> 412)
    set_etag(response, row)
    return _out(row)
