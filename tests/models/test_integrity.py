"""The database itself keeps the data whole, whatever program writes to it."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from models import entities as e
from models.db import session_scope


def partner(key: str = "acme", kind: str = "company") -> e.Partner:
    return e.Partner(key=key, name=key.title(), kind=kind)


def location(owner: e.Partner, **overrides: object) -> e.Location:
    fields: dict[str, object] = {
        "key": "hall", "partner": owner, "name": "Hall", "latitude": 52.37,
        "longitude": 4.89, "capacity": 12,
    }  # fmt: skip
    fields.update(overrides)
    return e.Location(**fields)


def rejected(engine: Engine, *rows: object) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add_all(rows)


def test_capacity_must_be_positive(engine: Engine) -> None:
    rejected(engine, location(partner(), capacity=0))


def test_window_must_end_after_it_starts(engine: Engine) -> None:
    hall = location(partner())
    hall.windows = [e.LocationWindow(weekday=2, start=time(15), end=time(13))]
    rejected(engine, hall)


def test_weekday_must_be_iso(engine: Engine) -> None:
    hall = location(partner())
    hall.windows = [e.LocationWindow(weekday=8, start=time(9), end=time(12))]
    rejected(engine, hall)


def test_location_keys_are_unique(engine: Engine) -> None:
    owner = partner()
    rejected(engine, location(owner), location(owner))


def test_location_needs_an_existing_partner(engine: Engine) -> None:
    rejected(
        engine,
        e.Location(key="x", partner_id=999, name="x", latitude=0, longitude=0, capacity=1),
    )


def test_partner_kind_is_one_of_the_known_kinds(engine: Engine) -> None:
    rejected(engine, partner(kind="bakery"))


def test_request_dates_are_ordered(engine: Engine) -> None:
    activity = e.ActivityType(
        code="WS", title="WS", kind="workshop", audience="vmbo", team="W", duration_minutes=60
    )
    rejected(
        engine,
        e.Request(
            key="r", activity_type=activity, earliest=date(2027, 3, 2), latest=date(2027, 3, 1)
        ),
    )


def test_assignment_must_end_after_it_starts(engine: Engine) -> None:
    owner = partner()
    activity = e.ActivityType(
        code="WS", title="WS", kind="workshop", audience="vmbo", team="W", duration_minutes=60
    )
    request = e.Request(
        key="r", activity_type=activity, earliest=date(2027, 3, 1), latest=date(2027, 3, 5)
    )
    run = e.SolveRun(
        created_at=datetime(2027, 3, 1, 12, 0), first_week="2027-W09", last_week="2027-W09"
    )
    start = datetime(2027, 3, 2, 10, 0)
    run.assignments = [
        e.Assignment(
            request=request, session_index=1, location=location(owner), start=start, end=start,
            uid="r-s1@x",
        )
    ]
    rejected(engine, run)


def test_deleting_a_partner_with_locations_is_refused(engine: Engine) -> None:
    owner = partner()
    with session_scope(engine) as session:
        session.add(location(owner))
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.delete(session.get(e.Partner, owner.id))
        session.flush()
