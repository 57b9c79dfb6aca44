"""/api/v1/settings: the campus settings; every key reads them, planners change them.

The school year, the horizon, the withdrawal cut-off, the retention and the yearly targets
are campus facts every party may know (a school plans its withdrawals by the cut-off); the
mail settings are the planners' alone and read as null for other keys. The settings are one
entity with one ETag: a PATCH needs it as If-Match and changes only the fields it names
(inside a section too: ``{"targets": {"vmbo_pupils": 650}}`` keeps the other targets).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import ApiSessionDep, NowDep, PrincipalDep, actor_of, require_role
from api.etag import IfMatchDep
from api.problems import Problem, responses
from api.routes.v1.schemas import Day
from models.keys import Principal
from models.settings import (
    CampusSettings,
    SettingsError,
    load_settings,
    refuse_password,
    settings_version,
    update_settings,
)

router = APIRouter(prefix="/settings", tags=["settings"])


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SchoolYearOut(_Out):
    first: dt.date
    last: dt.date


class TargetsOut(_Out):
    vmbo_pupils: int
    mbo_students: int
    job_seekers: int


class MailOut(_Out):
    enabled: bool
    smtp_host: str
    smtp_port: int
    starttls: bool
    sender: str
    username: str
    password_env: str = Field(description="the server's environment variable with the password")


class SettingsOut(_Out):
    withdrawal_cutoff_working_days: int
    retention_days: int
    school_year: SchoolYearOut | None
    horizon_weeks: int
    targets: TargetsOut
    mail: MailOut | None = Field(description="planner keys only; null for every other key")


class SchoolYearPatch(_In):
    first: Day | None = None
    last: Day | None = None


class TargetsPatch(_In):
    vmbo_pupils: StrictInt | None = None
    mbo_students: StrictInt | None = None
    job_seekers: StrictInt | None = None


class MailPatch(_In):
    """Mail settings to change; there is no password field (see password_env)."""

    enabled: StrictBool | None = None
    smtp_host: str | None = None
    smtp_port: StrictInt | None = None
    starttls: StrictBool | None = None
    sender: str | None = None
    username: str | None = None
    password_env: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_password(cls, data: Any) -> Any:
        return refuse_password(data)


class SettingsPatch(_In):
    """The settings to change; every field left out keeps its value (in sections too)."""

    withdrawal_cutoff_working_days: StrictInt | None = None
    retention_days: StrictInt | None = None
    school_year: SchoolYearPatch | None = Field(
        default=None, description="null: the school year is not set"
    )
    horizon_weeks: StrictInt | None = None
    targets: TargetsPatch | None = None
    mail: MailPatch | None = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_password(cls, data: Any) -> Any:
        return refuse_password(data)


def _etag(session: Session) -> str:
    return f'"{settings_version(session)}"'


def _out(settings: CampusSettings, principal: Principal) -> SettingsOut:
    data = settings.model_dump(mode="json")
    if principal.role != "planner":
        data["mail"] = None
    return SettingsOut.model_validate(data)


@router.get("", operation_id="getSettings", responses=responses(401))
def get_settings(
    session: ApiSessionDep, principal: PrincipalDep, response: Response
) -> SettingsOut:
    """The campus settings (mail settings for planner keys only), with their ETag."""
    response.headers["ETag"] = _etag(session)
    return _out(load_settings(session), principal)


@router.patch(
    "", operation_id="updateSettings", responses=responses(401, 403, 412, 422, 428, 503)
)
def patch_settings(
    patch: SettingsPatch,
    session: ApiSessionDep,
    principal: PrincipalDep,
    now: NowDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> SettingsOut:
    """Change the named settings (planners); validated as a whole, audited."""
    require_role(principal, "planner", what="changing the campus settings")
    current = _etag(session)
    if if_match is None:
        raise Problem(
            428,
            "changing the campus settings needs an If-Match header with the ETag of your last "
            "GET of them, so that nobody's change is overwritten unseen",
        )
    offered = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in offered and current not in offered:
        raise Problem(
            412,
            f"the campus settings were changed since you read them (their ETag is now "
            f"{current}): GET them again, re-apply your change and send it with the new ETag",
            headers={"ETag": current},
        )
    try:
        settings, _ = update_settings(
            session, patch.model_dump(exclude_unset=True), actor=actor_of(principal), now=now
        )
    except SettingsError as exc:
        errors = [
            {"in": "body", "path": "$" if i.path == "$" else f"$.{i.path}", "reason": i.reason}
            for i in exc.issues
        ]
        more = f" (and {len(errors) - 1} more, see errors)" if len(errors) > 1 else ""
        raise Problem(
            422, f"{errors[0]['path']}: {errors[0]['reason']}{more}", errors=errors
        ) from None
    try:
        session.flush()  # a concurrent writer's version shows here (StaleDataError -> 412)
    except IntegrityError:  # two first-ever saves at once: the other one made the row
        raise Problem(
            412,
            "someone else saved the campus settings while your change was on its way, and "
            "nothing of yours was written: GET them again and re-apply your change",
        ) from None
    response.headers["ETag"] = _etag(session)
    return _out(settings, principal)
