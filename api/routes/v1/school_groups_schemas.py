"""Bodies of /api/v1/groups (groups and their weekly travel windows): scenario-file types."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from api.routes.v1.schemas import Day, WeeklyWindowIn, _In, _Out
from models.scenario import ClockTime, Key, Minutes, Name, People, Short, Weekday


def values_of(model: BaseModel, *, only_set: bool = False) -> dict[str, Any]:
    """The fields as Python values (times, weekday numbers), nested models as dicts.

    ``model_dump`` would give the JSON forms ("09:00", "mon") the database does not take.
    """

    def plain(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return values_of(value)
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    names = model.model_fields_set if only_set else type(model).model_fields
    return {name: plain(getattr(model, name)) for name in names}


def _not_null(value: Any, info: ValidationInfo) -> Any:
    if value is None:
        raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it")
    return value


class _WindowRules(_In):
    @model_validator(mode="after")
    def _ordered(self) -> Any:
        start, end = getattr(self, "start", None), getattr(self, "end", None)
        if start is not None and end is not None and end <= start:
            raise ValueError(f"end {end:%H:%M} is not after start {start:%H:%M}")
        first, last = getattr(self, "valid_from", None), getattr(self, "valid_to", None)
        if first is not None and last is not None and last < first:
            raise ValueError(f"valid_to {last} is before valid_from {first}")
        return self


GroupWindowIn = WeeklyWindowIn  # one shape for every weekly window (schemas.py)


class GroupWindowPatch(_WindowRules):
    """The window's fields to change; the others keep their value."""

    weekday: Weekday | None = None
    start: ClockTime | None = None
    end: ClockTime | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None

    @field_validator("weekday", "start", "end")
    @classmethod
    def _required(cls, value: Any, info: ValidationInfo) -> Any:
        return _not_null(value, info)


class GroupIn(_In):
    """A new group (a class). A school key's group is its own school's; a planner names
    ``school``. Without windows the group can travel Monday-Friday 08:30-16:30."""

    key: Key
    school: Key | None = Field(default=None, description="required for a planner key")
    name: Name
    level: Short = ""
    headcount: People
    home: Key | None = Field(default=None, description="a location of the group's school")
    max_travel_minutes: Minutes | None = None
    windows: list[GroupWindowIn] = Field(default=[], max_length=50)


class GroupPatch(_In):
    """The fields to change; every field left out keeps its value. ``home`` and
    ``max_travel_minutes`` may be null (no home of its own; no travel limit)."""

    name: Name | None = None
    level: Short | None = None
    headcount: People | None = None
    home: Key | None = None
    max_travel_minutes: Minutes | None = None

    @field_validator("name", "level", "headcount")
    @classmethod
    def _required(cls, value: Any, info: ValidationInfo) -> Any:
        return _not_null(value, info)


class GroupWindowOut(_Out):
    id: int
    weekday: Weekday
    start: ClockTime
    end: ClockTime
    valid_from: dt.date | None
    valid_to: dt.date | None
    etag: str = Field(description="send it as If-Match to change or remove this window")


class GroupOut(_Out):
    key: str
    school: str
    name: str
    level: str
    headcount: int
    home: str | None
    max_travel_minutes: int | None
    windows: list[GroupWindowOut]


class GroupPage(_Out):
    items: list[GroupOut]
    total: int = Field(description="how many groups this key may see in all")
    limit: int
    offset: int
