"""Stored rows become the engine's Problem with the documented defaults."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import Engine

from models.bridge import GROUP_DEFAULT, TRAINER_DEFAULT, Horizon, HorizonError, build_problem
from models.db import session_scope
from models.store import load_files
from scheduler.problem import ActivityKind, TimeOfDay
from tests.conftest import MINI

NOW = datetime(2027, 3, 1, 8, 0)


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    return engine


def test_horizon_spans_whole_iso_weeks() -> None:
    horizon = Horizon.parse("2027-W12..2027-W13")  # the week daylight saving starts
    assert horizon.first_day == date(2027, 3, 22)
    assert horizon.last_day == date(2027, 4, 4)
    assert Horizon.parse("2026-W53").first_day == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-W54", "'2027-W54': year 2027 has no ISO week 54"),
        ("2027-05", "'2027-05': an ISO week is written like 2027-W05"),
        ("2027-W10..2027-W08", "'2027-W10..2027-W08': the last week is before the first"),
    ],
)
def test_bad_horizons_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(HorizonError) as caught:
        Horizon.parse(text)
    assert str(caught.value) == message


def test_problem_holds_the_campus(loaded: Engine) -> None:
    with session_scope(loaded) as session:
        problem = build_problem(session, Horizon.parse("2027-W11..2027-W14"), now=NOW)
    assert problem.first_day == date(2027, 3, 15)
    assert problem.last_day == date(2027, 4, 11)
    assert [loc.id for loc in problem.locations] == ["en-lab", "vz-school", "ww-hal"]
    hall = problem.location("ww-hal")
    assert hall.partner == "warmte-west"
    assert hall.equipment == {"bim-station": 8, "heat-pump-rig": 2}
    assert hall.buffer_minutes == 15
    # Closed the week of 2027-04-05; open on Tuesday afternoons otherwise.
    assert hall.availability.windows_on(date(2027, 4, 6)) == []
    assert hall.availability.windows_on(date(2027, 3, 30)) == [(time(13), time(17))]
    assert problem.is_holiday(date(2027, 3, 29))  # Paasmaandag
    assert problem.travel.between("ww-hal", "en-lab") == 35  # measured, overrides estimate
    assert problem.travel.between("en-lab", "vz-school") > 0
    assert problem.now == NOW


def test_trainers_and_groups_get_default_windows_when_none_declared(loaded: Engine) -> None:
    with session_scope(loaded) as session:
        problem = build_problem(session, Horizon.parse("2027-W11..2027-W14"), now=NOW)
    ahmed = problem.trainer("t-ahmed")
    assert ahmed.availability.weekly == TRAINER_DEFAULT
    assert ahmed.max_minutes_per_week == 510
    sanne = problem.trainer("t-sanne")
    assert sanne.certified and sanne.qualifications == {"W-heatpump", "W-basis"}
    assert sanne.availability.windows_on(date(2027, 3, 23)) == []  # absent that week
    kb = problem.group("vz-3kb-b")
    assert kb.availability.weekly == GROUP_DEFAULT
    assert kb.home == "vz-school"  # the school's site, since the group names none


def test_requests_outside_the_horizon_are_left_out(loaded: Engine) -> None:
    with session_scope(loaded) as session:
        problem = build_problem(session, Horizon.parse("2027-W16..2027-W17"), now=NOW)
    assert [r.id for r in problem.requests] == ["r-sc-1"]  # the only one open into late April
    assert [a.code for a in problem.activities] == ["SC-SCHAKEL"]


def test_request_details_reach_the_engine(loaded: Engine) -> None:
    with session_scope(loaded) as session:
        problem = build_problem(session, Horizon.parse("2027-W11..2027-W14"), now=NOW)
    ws = problem.request("r-ws-1")
    assert ws.priority == 3
    assert ws.preferences.weekdays == {2}
    assert ws.preferences.time_of_day is TimeOfDay.AFTERNOON
    assert ws.preferences.partners == {"warmte-west"}
    assert problem.request("r-sc-1").trainer == "t-ahmed"
    assert problem.request("r-gl-1").groups == ("vz-3bb-a", "vz-3kb-b")
    assert problem.participants(problem.request("r-gl-1")) == 25
    guest = problem.activity("GL-TECHNIEK")
    assert guest.kind is ActivityKind.GUEST_LESSON and guest.at_school
    course = problem.activity("SC-SCHAKEL")
    assert (course.sessions, course.min_days_between, course.max_days_between) == (3, 5, 14)
    assert course.equipment[0].required(12) == 12  # one switchboard per participant
