"""GET /api/v1/me: which role and scope a key has, so a client can check its set-up."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import PrincipalDep
from api.problems import responses
from api.routes.v1.schemas import Me

router = APIRouter(tags=["me"])


@router.get("/me", operation_id="getMe", responses=responses(401))
def get_me(principal: PrincipalDep) -> Me:
    return Me(
        role=principal.role,
        partner=principal.partner,
        trainer=principal.trainer,
        label=principal.label,
    )
