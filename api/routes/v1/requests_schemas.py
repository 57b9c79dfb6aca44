"""Bodies of /api/v1/requests: what a school submits and what it reads back."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from api.routes.v1.schemas import Day, _In, _Out
from models.scenario import MAX_NOTE, MAX_PRIORITY, Key, Note, Weekday

Status = Literal["submitted", "accepted", "declined", "withdrawn"]


class PreferencesIn(_In):
    """Wishes the planner weighs, never rules: weekdays (mon..sun), a time of day, partners
    and locations."""

    weekdays: list[Weekday] = Field(default=[], max_length=7)
    time_of_day: Literal["morning", "afternoon", "evening"] | None = None
    partners: list[Key] = Field(default=[], max_length=50)
    locations: list[Key] = Field(default=[], max_length=50)


class RequestIn(_In):
    """A request of an activity for one or more groups (together: a combined class), on a day
    between ``earliest`` and ``latest``. ``key`` is made up (``rq-<n>``) when left out."""

    key: Key | None = None
    activity: Key = Field(description="the activity's code in the catalogue")
    groups: list[Key] = Field(min_length=1, max_length=20)
    earliest: Day
    latest: Day
    priority: int = Field(default=1, ge=1, le=MAX_PRIORITY)
    preferences: PreferencesIn = PreferencesIn()
    note: Note = ""

    @field_validator("latest")
    @classmethod
    def _ordered(cls, latest: dt.date, info: ValidationInfo) -> dt.date:
        earliest = info.data.get("earliest")
        if earliest is not None and latest < earliest:
            raise ValueError(f"latest {latest} is before earliest {earliest}")
        return latest


class RequestPatch(_In):
    """The fields to change while the request is submitted; the others keep their value."""

    activity: Key | None = None
    groups: list[Key] | None = Field(default=None, min_length=1, max_length=20)
    earliest: Day | None = None
    latest: Day | None = None
    priority: int | None = Field(default=None, ge=1, le=MAX_PRIORITY)
    preferences: PreferencesIn | None = None
    note: Note | None = None

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> RequestPatch:
        if self.earliest and self.latest and self.latest < self.earliest:
            raise ValueError(f"latest {self.latest} is before earliest {self.earliest}")
        return self


class DeclineIn(_In):
    reason: Note = Field(
        min_length=1,
        max_length=MAX_NOTE,
        description="why, in words for the school (it reads this)",
    )

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a decline needs a reason the school can read")
        return value


class PreferencesOut(_Out):
    weekdays: list[Weekday]
    time_of_day: str | None
    partners: list[str]
    locations: list[str]


class SessionOut(_Out):
    """One session of the published plan (Amsterdam wall time)."""

    session: int = Field(description="1 for the first session of the request")
    start: dt.datetime
    end: dt.datetime
    location: str
    location_name: str
    status: str = Field(description="confirmed or cancelled")


class RequestOut(_Out):
    key: str
    school: str = Field(description="the school of the request's groups")
    activity: str
    groups: list[str]
    earliest: dt.date
    latest: dt.date
    priority: int
    preferences: PreferencesOut
    note: str
    status: Status
    decline_reason: str | None = Field(description="the planner's reason, when declined")
    decided_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdraw_until: dt.date | None = Field(
        description="the last day (Amsterdam) the school may withdraw it; null when it cannot"
    )
    sessions: list[SessionOut] | None = Field(
        default=None, description="its sessions of the published plan (single GET only)"
    )


class RequestPage(_Out):
    items: list[RequestOut]
    total: int = Field(description="how many requests match, of those this key may see")
    limit: int
    offset: int
