"""Request and response bodies of /api/v1/trainers (scenario-file types and bounds).

Absences carry a date range and a category, and no text at all: the body refuses unknown
fields, so a "reason" or "note" with medical detail is answered 422 and never stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from api.routes.v1.schemas import Day, WeeklyWindowIn, _In, _Out
from models.scenario import MAX_HOURS_PER_WEEK, ClockTime, Key, Name, Tag, Weekday

Category = Literal["sick", "leave", "training", "other"]
MAX_QUALIFICATIONS = 50
Hours = float


class TrainerOut(_Out):
    key: str
    partner: str
    name: str
    email: str
    certified: bool = Field(description="may give guest lessons (teaching certificate)")
    max_hours_per_week: float | None = Field(description="null: no weekly cap")
    home: str | None = Field(description="key of the trainer's home location")
    qualifications: list[str]


class TrainerPage(_Out):
    items: list[TrainerOut]
    total: int = Field(description="how many trainers this key may see in all (filtered)")
    limit: int
    offset: int


class _TrainerFields(_In):
    @field_validator("qualifications", check_fields=False)
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("lists a qualification twice")
        return value


class TrainerIn(_TrainerFields):
    """A new trainer; a company key adds to its own partner (leave ``partner`` out)."""

    key: Key
    partner: Key | None = None
    name: Name = Field(min_length=1)
    email: Name = ""
    certified: bool = False
    max_hours_per_week: Hours | None = Field(default=None, ge=0, le=MAX_HOURS_PER_WEEK)
    home: Key | None = None
    qualifications: list[Tag] = Field(default=[], max_length=MAX_QUALIFICATIONS)


class TrainerPatch(_TrainerFields):
    """The fields to change; every field left out keeps its value. ``max_hours_per_week``
    and ``home`` may be null (no cap, no home); the others may not."""

    name: Name | None = Field(default=None, min_length=1)
    email: Name | None = None
    certified: bool | None = None
    max_hours_per_week: Hours | None = Field(default=None, ge=0, le=MAX_HOURS_PER_WEEK)
    home: Key | None = None
    qualifications: list[Tag] | None = Field(default=None, max_length=MAX_QUALIFICATIONS)

    @field_validator("name", "email", "certified", "qualifications")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it")
        return value


class NamedRef(_Out):
    key: str
    name: str


class ActivityRef(_Out):
    code: str
    title: str


class PlaceOut(_Out):
    key: str
    name: str
    address: str


class TrainerSessionOut(_Out):
    """One session of the published plan as the trainer needs it (Amsterdam wall time)."""

    uid: str
    request: str
    session: int = Field(description="1 for the first session of the request")
    date: dt.date
    start: ClockTime
    end: ClockTime
    activity: ActivityRef
    location: PlaceOut
    groups: list[str] = Field(description="names of the groups that come")
    other_trainers: list[str] = Field(description="names of the trainers teaching with them")


class TrainerSessions(_Out):
    trainer: str
    items: list[TrainerSessionOut]


class AbsenceIn(_In):
    """Whole days away, from ``first`` to ``last`` inclusive, and why in one word."""

    first: Day
    last: Day
    category: Category

    @field_validator("last")
    @classmethod
    def _ordered(cls, last: dt.date, info: ValidationInfo) -> dt.date:
        first = info.data.get("first")
        if first is not None and last < first:
            raise ValueError(f"last {last} is before first {first}")
        return last


class AbsenceOut(_Out):
    id: int
    first: dt.date
    last: dt.date
    category: str
    etag: str = Field(description="send as If-Match to delete it")


WeeklyIn = WeeklyWindowIn  # one shape for every weekly window (schemas.py)


class WeeklyPatch(_In):
    """The fields of one weekly window to change; ``valid_from``/``valid_to`` may be null
    (no limit)."""

    weekday: Weekday | None = None
    start: ClockTime | None = None
    end: ClockTime | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None

    @field_validator("weekday", "start", "end")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it")
        return value


class TrainerWeeklyOut(_Out):
    id: int
    weekday: Weekday
    start: ClockTime
    end: ClockTime
    valid_from: dt.date | None
    valid_to: dt.date | None
    etag: str = Field(description="send as If-Match to change or delete it")


class TrainerAvailabilityOut(_Out):
    trainer: str
    default_week: bool = Field(
        description="true: no weekly windows, so the trainer counts as available "
        "Monday-Friday 08:00-18:00; adding a first window replaces that default"
    )
    weekly: list[TrainerWeeklyOut]
    absences: list[AbsenceOut]
