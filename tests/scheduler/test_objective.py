"""Each objective component steers the solve the way docs/scheduler-rules.md says.

``run`` also checks, on every solve, that the model's objective equals the plain-Python
recomputation and the independent validator's.
"""

from __future__ import annotations

from datetime import time, timedelta

from scheduler import (
    Availability,
    EquipmentCode,
    EquipmentNeed,
    Preferences,
    TimeOfDay,
    WeeklyWindow,
    Weights,
)
from tests.scheduler.builder import MONDAY, ProblemBuilder, hm, placed, run, weekly


def single_slot_two_requests(**weights: int) -> ProblemBuilder:
    """One location open for exactly one 2-hour workshop: only one of two requests fits."""
    return (
        ProblemBuilder(days=1)
        .location("loc1", availability=weekly("09:00", "11:00"))
        .trainer("t1")
        .group("g1")
        .group("g2", school="other")
        .activity("w")
        .with_weights(**weights)
    )


def test_higher_priority_request_is_scheduled() -> None:
    b = (
        single_slot_two_requests()
        .request("r1", priority=1)
        .request("r2", groups=("g2",), priority=3)
    )
    solution = run(b.build())
    assert solution.unscheduled == ("r1",)
    assert solution.components["unscheduled"] == 10_000  # priority 1 x weight 10 000


def test_group_travel_prefers_the_nearer_location() -> None:
    b = (
        ProblemBuilder(days=1)
        .location("site", hosts_training=False)
        .location("far")
        .location("near")
        .travel("site", "far", 40)
        .travel("site", "near", 10)
        .trainer("t1")
        .group("g1", home="site")
        .activity("w")
        .request("r1")
        .with_weights(group_travel=1)
    )
    solution = run(b.build())
    assert placed(solution, "r1").location == "near"
    assert solution.components["group_travel"] == 10


def test_trainer_travel_counts_home_to_location() -> None:
    # the only location is 25 minutes from the trainer's home
    b = (
        ProblemBuilder(days=1)
        .location("home")
        .location("loc1", equipment={"x": 1})
        .travel("home", "loc1", 25)
        .trainer("t1", home="home")
        .group("g1")
        .activity("w", equipment=(_need("x"),))
        .request("r1")
        .with_weights(trainer_travel=1)
    )
    assert run(b.build()).components["trainer_travel"] == 25


def test_trainer_travel_picks_the_trainer_living_nearby() -> None:
    b = (
        ProblemBuilder(days=1)
        .location("loc1")
        .location("loc2", hosts_training=False)
        .travel("loc1", "loc2", 30)
        .trainer("far", home="loc2")
        .trainer("near", home="loc1")
        .group("g1")
        .activity("w")
        .request("r1")
        .with_weights(trainer_travel=1)
    )
    solution = run(b.build())
    assert placed(solution, "r1").trainers == ("near",)
    assert solution.components["trainer_travel"] == 0


def _need(code: str):

    return EquipmentNeed(EquipmentCode(code), 1)


def test_preferences_choose_weekday_time_of_day_partner_and_location() -> None:
    prefs = Preferences(
        weekdays=frozenset({3}),
        time_of_day=TimeOfDay.AFTERNOON,
        partners=frozenset({"p2"}),
        locations=frozenset({"loc3"}),
    )
    b = (
        ProblemBuilder(days=5)
        .location("loc1", partner="p1")
        .location("loc2", partner="p2")
        .location("loc3", partner="p2")
        .trainer("t1")
        .group("g1")
        .activity("w")
        .request("r1", preferences=prefs)
        .with_weights(preference=20)
    )
    solution = run(b.build())
    s = placed(solution, "r1")
    assert s.start.isoweekday() == 3 and s.start.time() >= time(12) and s.location == "loc3"
    assert solution.components["preference"] == 0


def test_unmet_preference_costs_its_weight() -> None:
    # mornings only, but the request wishes the evening: one unmet wish, 20
    prefs = Preferences(time_of_day=TimeOfDay.EVENING)
    b = (
        ProblemBuilder(days=1)
        .location("loc1", availability=weekly("08:00", "12:00"))
        .trainer("t1")
        .group("g1")
        .activity("w")
        .request("r1", preferences=prefs)
        .with_weights(preference=20)
    )
    assert run(b.build()).components["preference"] == 20


def test_fairness_shares_scarce_slots_between_schools() -> None:
    # two slots, two requests from each of two schools: one per school beats two for one.
    # worst school 50% -> raw 50 at weight 2 -> 100
    b = (
        ProblemBuilder(days=1)
        .location("loc1", availability=weekly("09:00", "13:00"))
        .trainer("t1")
        .group("a1", school="A")
        .group("a2", school="A")
        .group("b1", school="B")
        .group("b2", school="B")
        .activity("w")
        .request("ra1", groups=("a1",), priority=2)
        .request("ra2", groups=("a2",), priority=2)
        .request("rb1", groups=("b1",))
        .request("rb2", groups=("b2",))
        .with_weights(unscheduled=1, fairness=2)
    )
    solution = run(b.build())
    schools = sorted(s.request[1] for s in solution.sessions)
    assert schools == ["a", "b"]
    assert solution.components["fairness"] == 100


def test_host_balance_spreads_sessions_over_partners() -> None:
    # two partners open equally long: two workshops go one to each (0 excess) rather than
    # both to one partner (excess ceil((2000 - 500 * 2) / 1000) = 1)
    b = (
        ProblemBuilder(days=1)
        .location("loc1", partner="p1")
        .location("loc2", partner="p2")
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .group("g2")
        .activity("w")
        .request("r1", groups=("g1",))
        .request("r2", groups=("g2",))
        .with_weights(host_balance=5)
    )
    solution = run(b.build())
    assert {s.location for s in solution.sessions} == {"loc1", "loc2"}
    assert solution.components["host_balance"] == 0


def test_trainer_idle_counts_the_forced_gap() -> None:
    # the location opens 08:00-10:00 and 13:00-15:00; one trainer gives both workshops:
    # idle = (15:00 - 08:00) - 240 = 180 minutes
    avail = Availability(
        weekly=(
            WeeklyWindow(1, hm("08:00"), hm("10:00")),
            WeeklyWindow(1, hm("13:00"), hm("15:00")),
        )
    )
    b = (
        ProblemBuilder(days=1)
        .location("loc1", availability=avail)
        .trainer("t1")
        .group("g1")
        .group("g2")
        .activity("w")
        .request("r1", groups=("g1",))
        .request("r2", groups=("g2",))
        .with_weights(trainer_idle=1)
    )
    assert run(b.build()).components["trainer_idle"] == 180


def test_trainer_idle_puts_sessions_back_to_back() -> None:
    b = (
        ProblemBuilder(days=1)
        .location("loc1")
        .location("loc2")
        .trainer("t1")
        .group("g1")
        .group("g2")
        .activity("w")
        .request("r1", groups=("g1",))
        .request("r2", groups=("g2",))
        .with_weights(trainer_idle=1)
    )
    solution = run(b.build())
    a, c = sorted(solution.sessions, key=lambda s: s.start)
    assert a.end == c.start and solution.components["trainer_idle"] == 0


def test_room_stability_keeps_a_course_in_one_place() -> None:
    # loc1 opens Monday only, loc2 both days: both sessions at loc2 costs nothing
    b = (
        ProblemBuilder(days=2)
        .location("loc1", availability=weekly(days=(1,)))
        .location("loc2")
        .trainer("t1")
        .group("g1")
        .activity("c", sessions=2, min_days_between=1)
        .request("r1", "c")
        .with_weights(room_stability=50)
    )
    solution = run(b.build())
    assert {s.location for s in solution.sessions} == {"loc2"}
    assert solution.components["room_stability"] == 0


def test_room_stability_costs_each_extra_location() -> None:
    b = (
        ProblemBuilder(days=2)
        .location("loc1", availability=weekly(days=(1,)))
        .location("loc2", availability=weekly(days=(2,)))
        .trainer("t1")
        .group("g1")
        .activity("c", sessions=2, min_days_between=1)
        .request("r1", "c")
        .with_weights(room_stability=50)
    )
    assert run(b.build()).components["room_stability"] == 50


def test_min_days_spreads_sessions_over_distinct_days() -> None:
    # two sessions that may share a day, but min_distinct_days=2 prefers two days
    b = (
        ProblemBuilder(days=2)
        .location("loc1")
        .trainer("t1")
        .group("g1")
        .activity("c", sessions=2, min_distinct_days=2)
        .request("r1", "c")
        .with_weights(min_days=50)
    )
    solution = run(b.build())
    assert len({s.start.date() for s in solution.sessions}) == 2
    assert solution.components["min_days"] == 0


def test_min_days_costs_a_missing_day() -> None:
    b = (
        ProblemBuilder(days=1)
        .location("loc1")
        .trainer("t1")
        .group("g1")
        .activity("c", sessions=2, min_distinct_days=2)
        .request("r1", "c")
        .with_weights(min_days=50)
    )
    assert run(b.build()).components["min_days"] == 50


def test_isolated_sessions_of_a_group_are_joined() -> None:
    # two workshops for one group on one day: adjacent, so neither is isolated
    b = (
        ProblemBuilder(days=1)
        .location("loc1")
        .location("loc2")
        .trainer("t1")
        .trainer("t2")
        .group("g1")
        .activity("w")
        .request("r1")
        .request("r2")
        .with_weights(isolated=1)
    )
    solution = run(b.build())
    a, c = sorted(solution.sessions, key=lambda s: s.start)
    assert a.end == c.start and solution.components["isolated"] == 0


def test_a_lone_session_is_isolated() -> None:
    b = (
        ProblemBuilder(days=1)
        .location("loc1")
        .trainer("t1")
        .group("g1")
        .activity("w")
        .request("r1")
        .with_weights(isolated=3)
    )
    assert run(b.build()).components["isolated"] == 3


def test_weight_zero_reports_the_component_as_zero() -> None:
    # the trainer travels 25 minutes, but trainer_travel has weight 0
    b = (
        ProblemBuilder(days=1)
        .location("home", hosts_training=False)
        .location("loc1")
        .travel("home", "loc1", 25)
        .trainer("t1", home="home")
        .group("g1")
        .activity("w")
        .request("r1")
        .with_weights(trainer_travel=0)
    )
    solution = run(b.build())
    assert solution.components["trainer_travel"] == 0
    assert len(solution.components) == 12


def test_default_weights_solve_consistently() -> None:
    # all default weights on a two-day problem; run() checks model == validator
    morning = TimeOfDay.MORNING
    b = (
        ProblemBuilder(days=2)
        .location("site", hosts_training=False)
        .location("loc1", partner="p1")
        .location("loc2", partner="p2", buffer_minutes=15)
        .travel("site", "loc1", 15)
        .travel("site", "loc2", 35)
        .trainer("t1", home="loc1", qualifications=("W",))
        .trainer("t2", home="loc2", qualifications=("W",), max_minutes_per_week=240)
        .group("g1", home="site", headcount=12)
        .group("g2", home="site", school="other", headcount=12)
        .activity("w", qualification="W")
        .activity("c", sessions=2, duration_minutes=90, min_distinct_days=2)
        .request("r1")
        .request("r2", "c", groups=("g2",))
        .request("r3", groups=("g1", "g2"), preferences=Preferences(time_of_day=morning))
    )
    b.weights = Weights()
    solution = run(b.build())
    assert solution.unscheduled == ()
    assert MONDAY <= min(s.start.date() for s in solution.sessions) <= MONDAY + timedelta(days=1)
