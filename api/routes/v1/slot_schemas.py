"""Bodies of a location's slots (equipment, weekly and one-off windows, closures), its
bookings and the re-planning marks: scenario-file types and bounds, unknown fields refused.

A PATCH body names only the fields to change; a field sent as null is refused, except
``valid_from``/``valid_to`` of a weekly window, where null removes that bound. Rules that
need the stored row as well (end after the stored start, overlaps) are checked in
models/slots.py on the merged values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from api.routes.v1.schemas import Day, _In, _Out
from models.scenario import ClockTime, Name, People, Weekday


def _no_null(value: Any, info: ValidationInfo) -> Any:
    if value is None:
        raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it")
    return value


class EquipmentIn(_In):
    """How many of one equipment type the location has (1..1000)."""

    quantity: People


class EquipmentOut(_Out):
    location: str
    code: str
    quantity: int


class WeeklyWindowPatch(_In):
    """The fields of a weekly window to change; null for valid_from/valid_to removes it."""

    weekday: Weekday | None = None
    start: ClockTime | None = None
    end: ClockTime | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None

    _not_null = field_validator("weekday", "start", "end")(_no_null)


class OneOffWindowPatch(_In):
    """The fields of a one-off window to change."""

    date: Day | None = None
    start: ClockTime | None = None
    end: ClockTime | None = None

    _not_null = field_validator("date", "start", "end")(_no_null)


class ClosureIn(_In):
    """Closed on every day from ``first`` to ``last`` (both included), with a reason."""

    first: Day
    last: Day
    reason: Name = ""

    @field_validator("last")
    @classmethod
    def _in_order(cls, last: dt.date, info: ValidationInfo) -> dt.date:
        first = info.data.get("first")
        if first is not None and last < first:
            raise ValueError(f"last {last} is before first {first}")
        return last


class ClosurePatch(_In):
    first: Day | None = None
    last: Day | None = None
    reason: Name | None = None

    _not_null = field_validator("first", "last", "reason")(_no_null)


class BookingOut(_Out):
    """A session of the published plan at the location (no school contact data)."""

    uid: str
    date: dt.date
    start: dt.datetime = Field(description="Amsterdam wall time")
    end: dt.datetime = Field(description="Amsterdam wall time")
    activity: str = Field(description="the activity's title")
    participants: int = Field(description="headcount of the groups that come")
    trainers: list[str] = Field(description="trainer keys")


class BookingPage(_Out):
    location: str
    week: str | None
    items: list[BookingOut]
    total: int
    limit: int
    offset: int


class ReplanMarkOut(_Out):
    id: int
    session: str = Field(description="the published session's UID")
    request: str
    session_number: int = Field(description="1 for the first session of its request")
    location: str
    start: dt.datetime = Field(description="Amsterdam wall time")
    end: dt.datetime = Field(description="Amsterdam wall time")
    reason: str
    marked_at: dt.datetime = Field(description="when the change was confirmed (UTC)")
    marked_by: str = Field(description="the label of the key that made the change")


class ReplanMarkPage(_Out):
    items: list[ReplanMarkOut]
    total: int
    limit: int
    offset: int
