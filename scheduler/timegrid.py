"""Wall time <-> integer slots, and naive <-> aware datetimes at the edges.

Inside the model time is an integer slot: ``day_index * slots_per_day + minute // grid``,
counted from ``first_day`` 00:00 in local wall time. Wall time (not UTC) is what we count,
so daylight saving never moves a session: 09:00 is slot 36 of its day in every week.
Only the edges (API, calendar feeds) need aware datetimes; ``to_aware``/``from_aware``
attach or drop Europe/Amsterdam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MINUTES_PER_DAY = 24 * 60


def to_aware(dt: datetime) -> datetime:
    """A naive Amsterdam wall time as an aware datetime (first occurrence when ambiguous)."""
    if dt.tzinfo is not None:
        raise ValueError(f"expected a naive wall time, got {dt.isoformat()}")
    return dt.replace(tzinfo=AMSTERDAM)


def from_aware(dt: datetime) -> datetime:
    """An aware datetime (any zone) as naive Amsterdam wall time."""
    if dt.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got {dt.isoformat()}")
    return dt.astimezone(AMSTERDAM).replace(tzinfo=None)


def minute_of_day(moment: time | datetime) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True, slots=True)
class TimeGrid:
    """The slot grid of one problem: where slot 0 is and how long a slot lasts."""

    first_day: date
    grid_minutes: int = 15

    def __post_init__(self) -> None:
        if self.grid_minutes <= 0 or MINUTES_PER_DAY % self.grid_minutes:
            raise ValueError(f"grid_minutes must divide a day (got {self.grid_minutes})")

    @property
    def slots_per_day(self) -> int:
        return MINUTES_PER_DAY // self.grid_minutes

    def day_index(self, day: date) -> int:
        """Days since ``first_day`` (negative before it: frozen sessions may lie there)."""
        return (day - self.first_day).days

    def day_at(self, index: int) -> date:
        return self.first_day + timedelta(days=index)

    def is_on_grid(self, dt: datetime) -> bool:
        return dt.second == 0 and dt.microsecond == 0 and dt.minute % self.grid_minutes == 0

    def slot(self, dt: datetime) -> int:
        """The slot of a wall time on the grid; raises for off-grid times."""
        if dt.tzinfo is not None:
            raise ValueError(f"expected a naive wall time, got {dt.isoformat()}")
        if not self.is_on_grid(dt):
            raise ValueError(f"{dt.isoformat()} is not on the {self.grid_minutes}-minute grid")
        minutes = minute_of_day(dt)
        return self.day_index(dt.date()) * self.slots_per_day + minutes // self.grid_minutes

    def datetime_at(self, slot: int) -> datetime:
        """The naive wall time at which ``slot`` starts."""
        day, rest = divmod(slot, self.slots_per_day)
        return datetime.combine(self.day_at(day), time()) + timedelta(
            minutes=rest * self.grid_minutes
        )

    def day_of_slot(self, slot: int) -> int:
        return slot // self.slots_per_day

    def ceil_slots(self, minutes: int) -> int:
        """Slots needed to cover ``minutes`` (the exact gap rule between on-grid starts)."""
        return -(-minutes // self.grid_minutes)


def _offset(day: date, minute: int, fold: int) -> timedelta:
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    offset = wall.replace(tzinfo=AMSTERDAM, fold=fold).utcoffset()
    assert offset is not None
    return offset


def _exists(day: date, minute: int) -> bool:
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    return from_aware(wall.replace(tzinfo=AMSTERDAM).astimezone(UTC)) == wall


@lru_cache(maxsize=4096)
def skipped_span(day: date) -> tuple[int, int] | None:
    """Minutes [start, end) of ``day`` that do not exist (spring forward: 02:00-03:00)."""
    if _offset(day, 0, 0) == _offset(day + timedelta(days=1), 0, 0):
        return None
    gone = [m for m in range(MINUTES_PER_DAY) if not _exists(day, m)]
    return (gone[0], gone[-1] + 1) if gone else None


@lru_cache(maxsize=4096)
def repeated_span(day: date) -> tuple[int, int] | None:
    """Minutes [start, end) of ``day`` that happen twice (fall back: 02:00-03:00)."""
    if _offset(day, 0, 0) == _offset(day + timedelta(days=1), 0, 0):
        return None
    twice = [
        m
        for m in range(MINUTES_PER_DAY)
        if _offset(day, m, 0) != _offset(day, m, 1) and _exists(day, m)
    ]
    return (twice[0], twice[-1] + 1) if twice else None


def irregular_spans(day: date) -> list[tuple[int, int]]:
    """Wall-time minutes of ``day`` no session may touch: skipped or repeated by the clock.

    A session inside them would have no real start (spring) or two (autumn), and its
    calendar event would not last its duration; campus days never need these night hours.
    """
    return [s for s in (skipped_span(day), repeated_span(day)) if s is not None]


def is_skipped(day: date, moment: time) -> bool:
    """Whether the wall time ``moment`` on ``day`` does not exist (the spring-forward gap)."""
    gap = skipped_span(day)
    return gap is not None and gap[0] <= minute_of_day(moment) < gap[1]
