"""Explanations for unscheduled requests: one situation per reason code.

Tiny hand-made problems (no solver): one week in February 2027, location L1 of partner P1
open on weekdays 08:00-18:00, trainer T1, group G1 of school S1 (20 pupils), activity A (one
2-hour session) and request R1 for G1 that week. The solution is empty unless said.
"""

from __future__ import annotations

from datetime import date

from scheduler.explain import Code, Reason, explain
from scheduler.problem import (
    ActivityKind,
    Availability,
    DateRange,
    EquipmentCode,
    EquipmentNeed,
    LocationId,
    PlannedSession,
    Problem,
    RequestId,
    Trainer,
    TrainerId,
    Travel,
)
from scheduler.solution import Solution, Status
from tests.scheduler.builder import (
    MON,
    activity,
    day,
    group,
    hours,
    loc,
    problem,
    request,
    sess,
    trainer,
)


def why(p: Problem, *sessions: PlannedSession, rid: str = "R1") -> Reason:
    """The single reason given for ``rid``."""
    reasons = explain(p, Solution(Status.FEASIBLE, sessions))[RequestId(rid)]
    assert len(reasons) == 1, reasons
    return reasons[0]


# --- tests ---------------------------------------------------------------------------------


def test_only_unscheduled_requests_are_explained() -> None:
    p = problem(requests=(request(), request("R2")))
    result = explain(p, Solution(Status.FEASIBLE, (sess("R1"),)))
    assert list(result) == ["R2"]
    # R2 fits after R1, so CP-SAT shows it was a trade-off of the solver, not a conflict
    assert [r.code for r in result[RequestId("R2")]] == [Code.SOLVER_TRADEOFF]


def test_participants_out_of_range() -> None:
    p = problem(activities=(activity(min_participants=4, max_participants=16),))
    reason = why(p)
    assert reason.code == "participants_out_of_range"
    assert reason.message == "20 participants, activity A allows 4-16"
    assert reason.details == {"participants": 20, "min": 4, "max": 16, "activity": "A"}


def test_no_location_fits_names_what_removed_each_location() -> None:
    # L1 is near but small with one rig; L2 is big with two rigs but 60 minutes away;
    # SCH is the school's own site and hosts no training.
    rig = EquipmentCode("heat-pump-rig")
    sch = LocationId("SCH")
    p = problem(
        locations=(
            loc("L1", capacity=16, equipment={rig: 1}),
            loc("L2", "P2", equipment={rig: 2}),
            loc("SCH", "S1", hosts_training=False),
        ),
        activities=(activity(equipment=(EquipmentNeed(rig, 2),)),),
        groups=(group(home=sch, max_travel_minutes=45),),
        travel=Travel({(sch, LocationId("L1")): 20, (sch, LocationId("L2")): 60}),
    )
    reason = why(p)
    assert reason.code == Code.NO_LOCATION_FITS
    assert reason.message == (
        "no location with capacity >= 20 and 2x heat-pump-rig "
        "within 45 min of SCH (home of group G1)"
    )
    assert reason.details["removed_by"] == {
        "hosting training": ["SCH"],
        "capacity >= 20": ["L1"],
        "2x heat-pump-rig": ["L1", "SCH"],
        "within 45 min of SCH (home of group G1)": ["L2"],
    }


def test_no_qualified_or_certified_trainer() -> None:
    p = problem(activities=(activity(qualification="F-gassen"),))
    reason = why(p)
    assert (reason.code, reason.message) == (
        "no_qualified_trainer",
        "no trainer qualified for F-gassen",
    )
    assert reason.details["qualified"] == []
    p = problem(
        locations=(loc("SCH", "S1", hosts_training=False),),
        groups=(group(home=LocationId("SCH")),),
        activities=(activity(kind=ActivityKind.GUEST_LESSON, at_school=True),),
    )
    reason = why(p)
    assert (reason.code, reason.message) == (
        "no_certified_trainer",
        "no trainer has the teaching certificate a guest lesson needs "
        "(T1 is available without it)",
    )
    # qualified but not certified is told apart from not qualified
    p = problem(
        locations=(loc("SCH", "S1", hosts_training=False),),
        groups=(group(home=LocationId("SCH")),),
        trainers=(trainer(qualifications=frozenset({"W"})), trainer("T2")),
        activities=(
            activity(kind=ActivityKind.GUEST_LESSON, at_school=True, qualification="W"),
        ),
    )
    reason = why(p)
    assert (reason.code, reason.message) == (
        "no_certified_trainer",
        "no trainer qualified for W has the teaching certificate a guest lesson needs "
        "(T1 is qualified for W without it)",
    )
    assert reason.details["without_certificate"] == ["T1"]


def test_a_fixed_trainer_without_the_certificate_is_not_called_unqualified() -> None:
    p = problem(
        locations=(loc("SCH", "S1", hosts_training=False),),
        groups=(group(home=LocationId("SCH")),),
        trainers=(
            trainer(qualifications=frozenset({"W"})),
            trainer("T2", certified=True, qualifications=frozenset({"W"})),
        ),
        activities=(
            activity(kind=ActivityKind.GUEST_LESSON, at_school=True, qualification="W"),
        ),
        requests=(request(trainer=TrainerId("T1")),),
    )
    reason = why(p)
    assert (reason.code, reason.message) == (
        "fixed_trainer_uncertified",
        "fixed trainer T1 is qualified for W but has no teaching certificate, which a guest "
        "lesson needs",
    )


def test_fixed_trainer_unqualified() -> None:
    p = problem(
        activities=(activity(qualification="NEN 3140"),),
        trainers=(trainer(qualifications=frozenset({"NEN 3140"})), trainer("T2")),
        requests=(request(trainer=TrainerId("T2")),),
    )
    reason = why(p)
    assert reason.code == "fixed_trainer_unqualified"
    assert reason.message == "fixed trainer T2 is not qualified for NEN 3140"
    assert reason.details["trainer"] == "T2"


def test_trainers_unavailable_when_the_only_qualified_trainer_is_away() -> None:
    away = DateRange(MON, day(6), "cursus in Duitsland")
    t1 = trainer(qualifications=frozenset({"F-gassen"}), availability=hours("00:00", "23:59"))
    t1 = Trainer(
        t1.id,
        t1.partner,
        t1.qualifications,
        availability=Availability(weekly=t1.availability.weekly, closures=(away,)),
    )
    p = problem(activities=(activity(qualification="F-gassen"),), trainers=(t1, trainer("T2")))
    reason = why(p)
    assert reason.code == "trainers_unavailable"
    assert reason.message == (
        "only trainer T1 is qualified and is away 2027-02-01..2027-02-07 (cursus in Duitsland) "
        "between 2027-02-01 and 2027-02-05"
    )
    assert reason.details["absences"] == {"T1": [(MON, day(6), "cursus in Duitsland")]}


def test_fixed_trainer_unavailable() -> None:
    # T2 is fixed but only works Saturdays; T1 would be free all week.
    p = problem(
        trainers=(trainer(), trainer("T2", availability=hours("09:00", "17:00", range(6, 7)))),
        requests=(request(trainer=TrainerId("T2")),),
    )
    reason = why(p)
    assert reason.code == "fixed_trainer_unavailable"
    assert reason.message == (
        "fixed trainer T2 is never free long enough between 2027-02-01 and 2027-02-05"
    )
    assert reason.details == {"trainer": "T2", "absences": [], "earliest": MON, "latest": day(4)}


def test_no_common_time_between_location_and_group() -> None:
    # The workshop opens in the afternoon, the class can only travel in the morning.
    p = problem(
        locations=(loc(availability=hours("13:00", "17:00")),),
        groups=(group(availability=hours("08:30", "12:00")),),
    )
    reason = why(p)
    assert reason.code == "no_common_time"
    assert reason.message == (
        "no 120-minute slot between 2027-02-01 and 2027-02-05 where a fitting location (L1), "
        "group(s) G1 and 1 qualified trainer(s) are all available"
    )
    assert reason.details["open_days"] == {"locations": 5, "groups": 5, "trainers": 5}
    assert reason.details["windows"]["2027-02-01"]["locations"] == {"L1": "13:00-17:00"}


def test_sessions_do_not_fit_window() -> None:
    # 3 sessions at least 2 days apart need Mon, Wed, Fri; the request ends Wednesday.
    p = problem(
        activities=(activity(sessions=3, min_days_between=2),),
        requests=(request(latest=day(2)),),
    )
    reason = why(p)
    assert reason.code == "sessions_do_not_fit_window"
    assert reason.message == (
        "3 sessions at least 2 day(s) apart do not fit between 2027-02-01 and 2027-02-03: "
        "only 2 fit on the candidate days (2027-02-01, 2027-02-02, 2027-02-03)"
    )
    assert reason.details["fits"] == 2


def test_at_school_groups_differ() -> None:
    p = problem(
        locations=(loc("SCH", "S1", hosts_training=False), loc("SCH2", "S2", hosts_training=False)),
        trainers=(trainer(certified=True),),
        activities=(activity(kind=ActivityKind.GUEST_LESSON, at_school=True),),
        groups=(group(home=LocationId("SCH")), group("G2", "S2", home=LocationId("SCH2"))),
        requests=(request(groups=("G1", "G2"), participants=30),),
    )
    reason = why(p)
    assert reason.code == "at_school_groups_differ"
    assert "(G1: SCH, G2: SCH2)" in reason.message
    assert reason.details == {"homes": {"G1": "SCH", "G2": "SCH2"}, "activity": "A"}


def test_no_days_in_window() -> None:
    p = problem(requests=(request(earliest=day(7), latest=day(11)),))
    reason = why(p)
    assert reason.code == "no_days_in_window"
    assert "inside the horizon 2027-02-01..2027-02-05" in reason.message


def test_capacity_taken_lists_competitors_by_priority() -> None:
    # L1 opens only Monday 09:00-11:00: one slot, and R2 (priority 3) holds it.
    p = problem(
        locations=(loc(availability=hours("09:00", "11:00", range(1, 2))),),
        trainers=(trainer(), trainer("T2")),
        groups=(group(), group("G2")),
        requests=(request(), request("R2", groups=("G2",), priority=3)),
    )
    reason = why(p, sess("R2", who=("T2",)))
    assert reason.code == "capacity_taken"
    assert reason.message == (
        "all 1 candidate slot(s) between 2027-02-01 and 2027-02-05 are taken in this plan: "
        "location L1 by R2 (priority 3) (this request has priority 1)"
    )
    (competitor,) = reason.details["competitors"]  # type: ignore[misc]
    assert competitor == {
        "request": "R2",
        "priority": 3,
        "higher_priority": True,
        "resources": ["location L1"],
        "sessions": ["R2#1 at L1 on 2027-02-01 09:00-11:00"],
        "movable": True,
    }


def test_capacity_taken_by_the_trainer_in_the_daylight_saving_week() -> None:
    # Monday 2027-03-29, after summer time began: T1 is the only trainer and teaches R2
    # at L2 all of the group's window; wall-clock times still line up.
    dst = date(2027, 3, 29)
    p = problem(
        first_day=dst,
        last_day=dst,
        locations=(loc(), loc("L2")),
        groups=(group(availability=hours("09:00", "11:00")), group("G2")),
        requests=(
            request(earliest=dst, latest=dst),
            request("R2", groups=("G2",), earliest=dst, latest=dst),
        ),
    )
    reason = why(p, sess("R2", where="L2", on=dst))
    assert reason.code == "capacity_taken"
    assert "trainer T1 by R2 (priority 1)" in reason.message
    # L2 is taken too, but L1 is free: only the trainer, whom R1 lacks in both places, is
    # blamed, never a location while another capable one stayed empty
    assert reason.details["competitors"][0]["resources"] == [  # type: ignore[index]
        "trainer T1",
    ]
    assert "location" not in reason.message


def test_no_combination_when_a_free_slot_remains() -> None:
    p = problem(requests=(request(), request("R2")))
    (reason,) = explain(p, Solution(Status.FEASIBLE, (sess("R1"),)), solver_seconds=0)[
        RequestId("R2")
    ]  # without the CP-SAT check, the domain analysis can only say "not together"
    assert reason.code == "no_combination"
    assert reason.details["free_slots"] > 0  # type: ignore[operator]
    # G1, T1 and L1 are busy 09:00-11:00 on Monday; the first free start is 11:00
    assert reason.details["example"] == {"location": "L1", "day": MON, "start": "11:00"}


def test_solver_tradeoff_names_the_free_placement() -> None:
    p = problem(requests=(request(), request("R2")))
    reason = why(p, sess("R1"), rid="R2")
    assert reason.code == "solver_tradeoff"
    assert reason.source == "cp-sat"
    assert reason.details["free_slots"] > 0  # type: ignore[operator]
    assert "placement" in reason.details


# --- issue 23: explanations that are exactly right -----------------------------------------


def test_a_window_past_the_horizon_names_the_horizon_end() -> None:
    # 4 sessions 2 days apart need 7 days; the request runs a week past the horizon
    p = problem(
        activities=(activity(sessions=4, min_days_between=2),),
        requests=(request(latest=day(11)),),
    )
    reason = why(p)
    assert reason.code == "sessions_do_not_fit_window"
    assert reason.message.startswith(
        "4 sessions at least 2 day(s) apart do not fit between 2027-02-01 and 2027-02-12 "
        "(the horizon ends on 2027-02-05): only 3 fit"
    )
    assert reason.details["horizon_end"] == day(4)


def test_holidays_and_closures_that_cut_the_window_are_named() -> None:
    holiday = DateRange(day(2), day(2), "Studiedag")
    closed = DateRange(MON, MON, "lekkage")
    p = problem(
        locations=(loc(availability=Availability(hours("08:00", "18:00").weekly, (), (closed,))),),
        activities=(activity(sessions=3, min_days_between=2),),
        holidays=(holiday,),
    )
    reason = why(p)
    assert reason.code == "sessions_do_not_fit_window"
    assert "(holidays 2027-02-03 (Studiedag); closed: L1 2027-02-01 (lekkage))" in reason.message
    assert reason.details["holidays"] == [(day(2), day(2), "Studiedag")]
    assert reason.details["closures"] == {"L1": [(MON, MON, "lekkage")]}


def test_no_common_time_names_the_closure_that_blocks() -> None:
    closed = DateRange(MON, day(1), "verbouwing")
    only_early = Availability(hours("08:00", "18:00", range(1, 3)).weekly, (), (closed,))
    p = problem(locations=(loc(availability=only_early),))
    reason = why(p)
    assert reason.code == "no_common_time"
    assert "closed: L1 2027-02-01..2027-02-02 (verbouwing)" in reason.message


def test_travel_time_is_named_when_it_is_what_blocks() -> None:
    # T1 teaches R2 at L2 until 11:00; R1's group can only come 11:00-13:00 to L1, and
    # L2 -> L1 takes 30 minutes: T1 is free, but cannot get there in time (L2 is too
    # small for R1)
    p = problem(
        locations=(loc(availability=hours("11:00", "13:00")), loc("L2", "P2", capacity=8)),
        groups=(group(availability=hours("11:00", "13:00")), group("G2", headcount=8)),
        requests=(request(earliest=MON, latest=MON), request("R2", groups=("G2",))),
        travel=Travel({(LocationId("L1"), LocationId("L2")): 30}),
    )
    solution = Solution(Status.FEASIBLE, (sess("R2", where="L2"),))
    (reason,) = explain(p, solution, solver_seconds=0)[RequestId("R1")]
    assert reason.code == "capacity_taken"
    assert "trainer T1 cannot travel in time to or from R2 (priority 1)" in reason.message
    assert reason.details["competitors"][0]["resources"] == ["travel trainer T1"]  # type: ignore[index]


def test_a_session_that_already_started_is_not_offered_to_move() -> None:
    from dataclasses import replace
    from datetime import datetime

    p = problem(
        locations=(loc(availability=hours("08:00", "14:00", range(1, 2))),),
        trainers=(trainer(), trainer("T2")),
        groups=(group(), group("G2")),
        activities=(activity(), activity("B", duration_minutes=240)),
        requests=(request(), request("R2", "B", groups=("G2",))),
    )
    p = replace(p, now=datetime(2027, 2, 1, 10, 0))
    running = sess("R2", who=("T2",), minutes=240)  # 09:00-13:00, started before now
    (reason,) = explain(p, Solution(Status.FEASIBLE, (running,)), solver_seconds=0)[
        RequestId("R1")
    ]
    assert reason.code == "capacity_taken"
    assert "location L1 by R2 (priority 1, already started or pinned)" in reason.message
    assert reason.details["competitors"][0]["movable"] is False  # type: ignore[index]
