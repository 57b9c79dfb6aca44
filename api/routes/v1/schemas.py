"""Request and response bodies of /api/v1: English field names, scenario-file types and bounds.

Inputs refuse unknown fields and reuse the scenario format's validators (clock times, text
without control characters), so a window is valid through the API exactly when it is valid
in a scenario file.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from models.scenario import Address, ClockTime, Minutes, Name, People, Weekday
from models.text import excerpt

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"  # the scenario format's keys (list filters)
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]+$"  # no control characters (PostgreSQL refuses NUL)
MAX_PAGE = 200  # items per page of a list endpoint
DEFAULT_PAGE = 50
MAX_OFFSET = 1_000_000


def _iso_text(value: Any) -> Any:
    """JSON gives dates as text; a number would otherwise be read as seconds since 1970."""
    if not isinstance(value, str):
        raise ValueError(f"must be a date written as 'YYYY-MM-DD' (got {excerpt(value)})")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_text)]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Me(_Out):
    """Who the key speaks for."""

    role: str = Field(description="planner, company, school or trainer")
    partner: str | None = Field(description="the partner's key (company and school keys)")
    trainer: str | None = Field(description="the trainer's key (trainer keys)")
    label: str


class LocationOut(_Out):
    # Outputs are plain types: what is stored was validated on the way in, and a stricter
    # output type would turn an odd stored value into a 500.
    key: str
    name: str
    partner: str
    address: str
    latitude: float
    longitude: float
    capacity: int
    buffer_minutes: int
    hosts_training: bool
    equipment: dict[str, int] = Field(description="equipment code -> quantity")


class LocationPage(_Out):
    items: list[LocationOut]
    total: int = Field(description="how many locations this key may see in all")
    limit: int
    offset: int


class WeeklyWindowOut(_Out):
    id: int
    weekday: Weekday
    start: ClockTime
    end: ClockTime
    valid_from: dt.date | None
    valid_to: dt.date | None
    etag: str = Field(description="what a PATCH or DELETE of this window sends as If-Match")


class OneOffWindowOut(_Out):
    id: int
    date: dt.date
    start: ClockTime
    end: ClockTime
    etag: str = Field(description="what a PATCH or DELETE of this window sends as If-Match")


class ClosureOut(_Out):
    id: int
    first: dt.date
    last: dt.date
    reason: str
    etag: str = Field(description="what a PATCH or DELETE of this closure sends as If-Match")


class AvailabilityOut(_Out):
    location: str
    weekly: list[WeeklyWindowOut]
    one_off: list[OneOffWindowOut]
    closures: list[ClosureOut]


class OneOffWindowIn(_In):
    """One extra opening of a location on one day (Amsterdam wall time, HH:MM)."""

    date: Day
    start: ClockTime
    end: ClockTime

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.time, info: ValidationInfo) -> dt.time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"end {end:%H:%M} is not after start {start:%H:%M}")
        return end


def _no_null_fields(schema: dict[str, Any]) -> None:
    """A PATCH field may be left out but not sent as null: say so in the JSON Schema too."""
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if options:
            kept = [option for option in options if option.get("type") != "null"]
            prop.pop("anyOf")
            prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
        prop.pop("default", None)


class _Patch(_In):
    """A partial update: every field optional, none of them nullable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, json_schema_extra=_no_null_fields
    )

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it")
        return value


class LocationPatch(_Patch):
    """The fields to change; every field left out keeps its value (equipment and windows have
    their own endpoints)."""

    name: Name | None = None
    address: Address | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    capacity: People | None = None
    buffer_minutes: Minutes | None = None
    hosts_training: bool | None = None


class WeeklyWindowIn(_In):
    """Every week on ``weekday`` from ``start`` to ``end`` (Amsterdam wall time, HH:MM);
    optionally only between ``valid_from`` and ``valid_to`` (both included). The weekly
    windows of locations, trainers and groups all take this shape."""

    weekday: Weekday
    start: ClockTime
    end: ClockTime
    valid_from: Day | None = None
    valid_to: Day | None = None

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.time, info: ValidationInfo) -> dt.time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"end {end:%H:%M} is not after start {start:%H:%M}")
        return end

    @field_validator("valid_to")
    @classmethod
    def _in_order(cls, valid_to: dt.date | None, info: ValidationInfo) -> dt.date | None:
        valid_from = info.data.get("valid_from")
        if valid_to is not None and valid_from is not None and valid_to < valid_from:
            raise ValueError(f"valid_to {valid_to} is before valid_from {valid_from}")
        return valid_to
