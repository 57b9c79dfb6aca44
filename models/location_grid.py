"""A location's weekly windows as the company's availability grid edits them: one slot at a time.

The grid shows one validity period of the weekly windows at a time (the windows without
dates, or those with one ``valid_from``/``valid_to`` pair), days by half hours. Opening a
slot adds it to the open time of that day and period and closing one takes it away; the
windows of that day and period are then rewritten as the fewest windows that cover the open
time (adjacent slots merge into one window, closing a slot in the middle of a window splits
it), keeping the existing rows where they still fit. The change is checked as a whole, with
the same rules, the same 409-unless-confirmed guard and the same audit entries as the weekly
window routes of the API (models/slots.py): a merge is one change that only adds time, so it
never asks to confirm, even though the API would need a delete and a patch for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from models import entities as e
from models.audit import Actor, diff, snapshot
from models.bridge import location_availability
from models.locations import LocationChangeError
from models.scenario import MAX_WEEKLY
from models.slots import WEEKLY_FIELDS, WeeklyValues, _audit, _guard, _key, _weekly

STEP = 30  # minutes per slot of the grid
FIRST, LAST = 7 * 60, 22 * 60  # the hours the grid shows at least: 07:00 up to 22:00
Period = tuple[date | None, date | None]  # (valid_from, valid_to) of the windows shown
ALWAYS: Period = (None, None)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(minutes: int) -> time:
    return time(23, 59) if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)


def period_of(row: e.LocationWindow) -> Period:
    return (row.valid_from, row.valid_to)


def period_text(period: Period) -> str:
    """How a period travels in a URL or form: '', '2027-01-11..', '..2027-01-10', 'a..b'."""
    if period == ALWAYS:
        return ""
    first, last = period
    return f"{first.isoformat() if first else ''}..{last.isoformat() if last else ''}"


def parse_period(text: str) -> Period:
    """The period of ``period_text``; ValueError for anything else."""
    if not text:
        return ALWAYS
    first, sep, last = text.partition("..")
    if not sep:
        raise ValueError(f"{text[:40]!r} is not a period")
    period = (
        date.fromisoformat(first) if first else None,
        date.fromisoformat(last) if last else None,
    )
    if period == ALWAYS:
        raise ValueError(f"{text[:40]!r} is not a period")
    return period


def periods(location: e.Location) -> list[Period]:
    """The validity periods of the location's weekly windows, the windows without dates first
    (always offered, so a company can open standing hours even when all its windows are
    dated), then by start date."""
    found = {period_of(w) for w in location.windows} - {ALWAYS}
    return [ALWAYS, *sorted(found, key=lambda p: (p[0] or date.min, p[1] or date.max))]


@dataclass(frozen=True)
class Slot:
    """One cell of the grid: a weekday (1 = Monday) and a half hour, open or closed."""

    weekday: int
    start: time
    end: time
    open: bool

    @property
    def value(self) -> str:
        """What the cell's button posts: 'open|close:weekday:HH:MM-HH:MM'."""
        act = "close" if self.open else "open"
        return f"{act}:{self.weekday}:{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class WeekGrid:
    """The open slots of one period, by rows of half hours (07:00..22:00 at least)."""

    period: Period
    rows: list[list[Slot]]  # one row per half hour, seven slots (Monday..Sunday)

    @property
    def times(self) -> list[time]:
        return [row[0].start for row in self.rows]


def _open_spans(location: e.Location, period: Period, weekday: int) -> list[tuple[int, int]]:
    rows = [w for w in location.windows if w.weekday == weekday and period_of(w) == period]
    return _normal([(_minutes(w.start), _minutes(w.end)) for w in rows])


def _normal(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, with overlapping and touching spans merged into one."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def week_grid(location: e.Location, period: Period) -> WeekGrid:
    """The grid of ``period``: a slot is open when open time of that day covers all of it."""
    spans = {day: _open_spans(location, period, day) for day in range(1, 8)}
    edges = [m for day in spans.values() for span in day for m in span]
    first = min([FIRST, *edges]) // STEP * STEP
    last = -(-max([LAST, *edges]) // STEP) * STEP
    rows = []
    for m in range(first, min(last, 24 * 60), STEP):
        row = []
        for day in range(1, 8):
            is_open = any(a <= m and m + STEP <= b for a, b in spans[day])
            row.append(Slot(day, _clock(m), _clock(m + STEP), is_open))
        rows.append(row)
    return WeekGrid(period, rows)


def parse_slot(text: str) -> tuple[bool, int, time, time]:
    """A cell's posted value ('open:2:09:00-09:30') as (open, weekday, start, end)."""
    try:
        act, day, span = text.split(":", 2)
        start_text, end_text = span.split("-")
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
        weekday = int(day)
    except ValueError:
        raise LocationChangeError("invalid", "slot", f"{text[:40]!r} is not a slot") from None
    if act not in ("open", "close") or not 1 <= weekday <= 7 or end <= start:
        raise LocationChangeError("invalid", "slot", f"{text[:40]!r} is not a slot")
    return act == "open", weekday, start, end


def _new_spans(
    spans: list[tuple[int, int]], start: int, end: int, *, opening: bool
) -> list[tuple[int, int]]:
    if opening:
        return _normal([*spans, (start, end)])
    out = []
    for a, b in spans:
        if b <= start or end <= a:
            out.append((a, b))
            continue
        if a < start:
            out.append((a, start))
        if end < b:
            out.append((end, b))
    return out


def _dates_overlap(a: Period, b: Period) -> bool:
    return (a[0] or date.min) <= (b[1] or date.max) and (b[0] or date.min) <= (a[1] or date.max)


def set_slot(
    session: Session,
    location: e.Location,
    period: Period,
    weekday: int,
    start: time,
    end: time,
    *,
    opening: bool,
    confirm: bool,
    actor: Actor,
    now: datetime,
) -> list[str]:
    """Open or close [start, end) on ``weekday`` in the windows of ``period``; the UIDs of the
    published sessions a confirmed closing marked for re-planning.

    Refused like the API's weekly window routes: LocationChangeError ``conflict`` when the
    opened time overlaps a window of another period whose dates overlap (or the location
    would get more than MAX_WEEKLY windows), BreaksSessions when closing takes time away from
    a published session and is not confirmed. Nothing is changed when refused.
    """
    rows = sorted(
        (w for w in location.windows if w.weekday == weekday and period_of(w) == period),
        key=lambda w: (w.start, w.id),
    )
    old = _normal([(_minutes(w.start), _minutes(w.end)) for w in rows])
    new = _new_spans(old, _minutes(start), _minutes(end), opening=opening)
    if new == old and len(rows) == len(old):
        return []
    others = [w for w in location.windows if w not in rows]
    for a, b in new:
        for other in others:
            clash = (
                other.weekday == weekday and _minutes(other.start) < b and a < _minutes(other.end)
            )
            if clash and _dates_overlap(period, period_of(other)):
                values = WeeklyValues(other.weekday, other.start, other.end, *period_of(other))
                raise LocationChangeError(
                    "conflict",
                    "$",
                    f"overlaps the weekly window {values.text()} (id {other.id}) of location "
                    f"{location.key} on the same weekday",
                )
    if len(others) + len(new) > MAX_WEEKLY:
        raise LocationChangeError(
            "conflict", "$", f"location {location.key} already has {MAX_WEEKLY} weekly windows"
        )
    made = [WeeklyValues(weekday, _clock(a), _clock(b), *period) for a, b in new]
    after = replace(
        location_availability(location),
        weekly=tuple([_weekly(w) for w in others] + [_weekly(v) for v in made]),
    )
    day_word = WeeklyValues(weekday, start, end, *period).text()
    broken = _guard(
        session, location, after, confirm=confirm, actor=actor, now=now,
        reason=f"wekelijks {'geopend' if opening else 'gesloten'}: {day_word}",
    )  # fmt: skip
    _apply(session, location, rows, made, broken=broken, actor=actor, now=now)
    return broken


def _apply(
    session: Session,
    location: e.Location,
    rows: list[e.LocationWindow],
    made: list[WeeklyValues],
    *,
    broken: list[str],
    actor: Actor,
    now: datetime,
) -> None:
    """Rewrite ``rows`` as the windows ``made``: a row that overlaps or touches a new window
    becomes it, windows left over are added, rows left over are deleted; each audited as the
    API audits it."""
    unused = list(rows)
    pending: list[WeeklyValues] = []
    for values in made:
        row = next((r for r in unused if r.start <= values.end and values.start <= r.end), None)
        if row is None:
            pending.append(values)
            continue
        unused.remove(row)
        before = snapshot(row, WEEKLY_FIELDS)
        row.start, row.end = values.start, values.end
        changes = diff(before, snapshot(row, WEEKLY_FIELDS))
        if changes:
            _audit(session, actor, entity="location_weekly_window", key=_key(location, row.id),
                   action="update", changes=changes, broken=broken, now=now)  # fmt: skip
    for row in unused:
        before = snapshot(row, WEEKLY_FIELDS)
        location.windows.remove(row)
        _audit(session, actor, entity="location_weekly_window", key=_key(location, row.id),
               action="delete", changes={k: [v, None] for k, v in before.items()},
               broken=broken, now=now)  # fmt: skip
    session.flush()  # deleted rows go first: a new row never meets an old one it replaces
    for values in pending:
        fields: dict[str, Any] = {name: getattr(values, name) for name in WEEKLY_FIELDS}
        row = e.LocationWindow(**fields)
        location.windows.append(row)
        session.flush()
        _audit(session, actor, entity="location_weekly_window", key=_key(location, row.id),
               action="create",
               changes={k: [None, v] for k, v in snapshot(row, WEEKLY_FIELDS).items()},
               broken=broken, now=now)  # fmt: skip
