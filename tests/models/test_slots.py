"""Does a published session still fit its location: the same answer as the engine's validator."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from sqlalchemy import Engine, select

from models import entities as e
from models.bridge import Horizon, build_problem, location_availability
from models.db import session_scope
from models.slots import session_fits
from models.store import load_files
from scheduler import problem as p
from scheduler.solution import Solution, Status
from scheduler.validate import validate
from tests.conftest import MINI

TUE, THU, FRI = date(2027, 3, 16), date(2027, 3, 18), date(2027, 3, 19)  # week 11
AV = p.Availability(
    weekly=(
        p.WeeklyWindow(2, time(9), time(12)),
        p.WeeklyWindow(2, time(12), time(17)),  # touches the one before: one span 09-17
        p.WeeklyWindow(4, time(13), time(17), valid_from=THU, valid_to=THU),
    ),
    one_off=(p.DatedWindow(FRI, time(9), time(12)),),
    closures=(p.DateRange(date(2027, 3, 23), date(2027, 3, 23), "Inventarisatie"),),
)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))


def test_a_session_fits_inside_one_open_span_of_its_day() -> None:
    assert session_fits(AV, at(TUE, 11), at(TUE, 14), at_school=False)  # across touching windows
    assert not session_fits(AV, at(TUE, 16), at(TUE, 18), at_school=False)
    assert session_fits(AV, at(THU, 13), at(THU, 17), at_school=False)  # valid that day only
    assert not session_fits(
        AV, at(date(2027, 3, 25), 13), at(date(2027, 3, 25), 17), at_school=False
    )
    assert session_fits(AV, at(FRI, 9), at(FRI, 12), at_school=False)  # the one-off window
    closed = date(2027, 3, 23)  # a Tuesday, closed
    assert not session_fits(AV, at(closed, 9), at(closed, 12), at_school=False)
    # at the school the site's hours do not count, its closures do
    assert session_fits(AV, at(FRI, 7), at(FRI, 8), at_school=True)
    assert not session_fits(AV, at(closed, 9), at(closed, 10), at_school=True)


def test_session_fits_agrees_with_the_engines_validator(engine: Engine) -> None:
    """Every candidate time on the mini campus: fits exactly when the validator finds the
    session inside the location's open hours (the bridge builds both availabilities)."""
    with session_scope(engine) as session:
        load_files(session, [MINI])
        problem = build_problem(session, Horizon("2027-W11", "2027-W14"), now=datetime(2027, 1, 1))
        hall = session.scalars(select(e.Location).where(e.Location.key == "ww-hal")).one()
        availability = location_availability(hall)
    assert problem.location(p.LocationId("ww-hal")).availability == availability
    base = p.PlannedSession(
        request=p.RequestId("r-ws-1"), index=1, location=p.LocationId("ww-hal"),
        trainers=(p.TrainerId("t-sanne"),), start=at(TUE, 13), end=at(TUE, 16),
    )  # fmt: skip
    days = [date(2027, 3, d) for d in range(15, 32)] + [date(2027, 4, d) for d in range(1, 10)]
    seen = set()
    for day in days:
        for hour, minutes in ((9, 180), (13, 180), (14, 180), (18, 180), (16, 60)):
            start = at(day, hour)
            end = start.replace(hour=hour + minutes // 60)
            session = replace(base, start=start, end=end)
            report = validate(problem, Solution(Status.FEASIBLE, sessions=(session,)))
            outside = any(
                v.rule == "location_available" and v.check in ("outside_open_hours", "closed")
                for v in report.violations
            )
            assert session_fits(availability, start, end, at_school=False) == (not outside), (
                start,
                end,
            )
            seen.add(outside)
    assert seen == {True, False}  # both answers occur: the test can tell them apart
