"""Bodies of the catalogue endpoints: the scenario format's entries, plus partial PATCHes.

Inputs are the scenario format's models (models/scenario.py) with JSON's dates as text, so a
holiday, equipment type or activity type is valid through the API exactly when it is valid
in a scenario file. Outputs are plain types (what is stored was validated on the way in).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from api.routes.v1.schemas import Day
from models import scenario as s

Team = Literal["W", "E", "BIM", "BOL4", "other"]
Kind = Literal[
    "workshop", "skills_course", "practical_training", "guest_lesson", "excursion", "open_day"
]
Audience = Literal["primary", "vmbo", "mbo", "job_seekers", "hbo", "staff"]
HolidayKind = Literal["public", "school"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class _Patch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it")
        return value


# --- holidays


class HolidayIn(s.Holiday):
    """A campus-wide range of days without sessions (public holiday or school holiday)."""

    first: Day
    last: Day


class HolidayPatch(_Patch):
    name: s.Name | None = None
    kind: HolidayKind | None = None
    first: Day | None = None
    last: Day | None = None


class HolidayOut(_Out):
    id: int
    name: str
    kind: str
    first: dt.date
    last: dt.date


class HolidayPage(_Out):
    items: list[HolidayOut]
    total: int
    limit: int
    offset: int


# --- equipment types


class EquipmentTypeIn(s.Equipment):
    """An equipment type: what locations hold and activities need, by code."""


class EquipmentTypePatch(_Patch):
    name: s.Name | None = None
    team: Team | None = None


class EquipmentTypeOut(_Out):
    code: str
    name: str
    team: str


class EquipmentTypePage(_Out):
    items: list[EquipmentTypeOut]
    total: int
    limit: int
    offset: int


# --- activity types


class ActivityTypeIn(s.Activity):
    """An activity type with the fields of a scenario file's activity (docs/scenario.md)."""


class ActivityTypePatch(_Patch):
    """The fields to change; ``equipment``, when given, replaces the whole list. Fields that
    may be empty (``max_participants``, ...) take null for "no limit"."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {"max_days_between", "max_participants", "qualification", "participants_per_trainer"}
    )

    title: s.Name | None = None
    kind: Kind | None = None
    audience: Audience | None = None
    team: Team | None = None
    sessions: int | None = None
    duration_minutes: int | None = None
    min_days_between: int | None = None
    max_days_between: int | None = None
    same_location: bool | None = None
    equipment: list[s.EquipmentNeed] | None = None
    min_participants: int | None = None
    max_participants: int | None = None
    qualification: s.Tag | None = None
    participants_per_trainer: int | None = None
    at_school: bool | None = None
    capacity_soft: bool | None = None
    min_distinct_days: int | None = None


class EquipmentNeedOut(_Out):
    code: str
    quantity: int
    per: str = Field(description="group or participant")


class ActivityTypeOut(_Out):
    code: str
    title: str
    kind: str
    audience: str
    team: str
    sessions: int
    duration_minutes: int
    min_days_between: int
    max_days_between: int | None
    same_location: bool
    equipment: list[EquipmentNeedOut]
    min_participants: int
    max_participants: int | None
    qualification: str | None
    participants_per_trainer: int | None
    at_school: bool
    capacity_soft: bool
    min_distinct_days: int


class ActivityTypePage(_Out):
    items: list[ActivityTypeOut]
    total: int
    limit: int
    offset: int
