"""The campus generator: valid, reproducible, and N regions are N Amsterdams side by side."""

from __future__ import annotations

from datetime import date

import pytest

from models.generate import (
    SMALL_KINDS,
    TARGETS,
    demo_horizon,
    easter,
    generate_campus,
    generate_small,
    holidays,
    small_horizon,
)
from models.scenario import KnownKeys, Scenario, check_scenarios
from models.travel import estimate_minutes
from tests.examples.probe import in_window


@pytest.fixture(scope="module")
def one() -> Scenario:
    return generate_campus(regions=1, seed=7)


@pytest.fixture(scope="module")
def two() -> Scenario:
    return generate_campus(regions=2, seed=7)


def test_one_region_is_a_valid_scenario(one: Scenario) -> None:
    check_scenarios([("generated", one)], KnownKeys())
    assert len(one.partners) == 55
    assert sum(loc.hosts_training for loc in one.locations) == 30
    assert len(one.trainers) == 60


def test_two_regions_are_valid_and_twice_the_size(one: Scenario, two: Scenario) -> None:
    check_scenarios([("generated", two)], KnownKeys())
    for section in ("partners", "locations", "trainers", "groups"):
        assert len(getattr(two, section)) == 2 * len(getattr(one, section)), section
    assert 1.8 * len(one.requests) <= len(two.requests) <= 2.2 * len(one.requests)
    # the catalogue and the calendar are shared, not copied per region
    assert two.activities == one.activities and two.holidays == one.holidays
    assert all(p.key.startswith("r2-") for p in two.partners[len(one.partners) :])


def test_no_group_can_reach_another_region(two: Scenario) -> None:
    locs = {loc.key: loc for loc in two.locations}
    for g in two.groups:
        home = locs[g.home or ""]
        for loc in two.locations:
            if loc.key.startswith("r2-") != g.key.startswith("r2-"):
                minutes = estimate_minutes((home.lat, home.lon), (loc.lat, loc.lon))
                assert minutes > (g.max_travel_minutes or 0)


def test_same_seed_same_campus_other_seed_other_campus(one: Scenario) -> None:
    assert generate_campus(regions=1, seed=7) == one
    other = generate_campus(regions=1, seed=8)
    assert other != one
    assert [t.name for t in other.trainers] != [t.name for t in one.trainers]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_seed_reaches_the_targets_and_fills_the_demo_weeks(seed: int) -> None:
    campus = generate_campus(regions=1, seed=seed)
    acts = {a.code: a for a in campus.activities}
    heads = {g.key: g.headcount for g in campus.groups}

    def count(kind: str, audience: str) -> int:
        return sum(heads[g] for r in campus.requests if acts[r.activity].kind == kind
                   and acts[r.activity].audience == audience for g in r.groups)  # fmt: skip

    assert count("workshop", "vmbo") >= TARGETS["vmbo_workshop"]
    assert count("skills_course", "mbo") >= TARGETS["mbo_skills_course"]
    assert count("practical_training", "job_seekers") >= TARGETS["job_seekers"]
    first, last = demo_horizon(date(2026, 9, 1))
    assert 25 <= sum(in_window(r, first, last) for r in campus.requests) <= 45


def test_another_school_year_moves_the_calendar() -> None:
    campus = generate_campus(regions=1, seed=0, year_start=date(2027, 9, 1))
    check_scenarios([("generated", campus)], KnownKeys())
    public = {h.name: h.first for h in campus.holidays}
    assert public["Paasmaandag"] == date(2028, 4, 17)  # Easter 2028 is 16 April
    assert easter(2027) == date(2027, 3, 28)
    assert min(r.earliest for r in campus.requests) >= date(2027, 9, 1)


def test_regions_must_be_positive() -> None:
    with pytest.raises(ValueError, match="regions must be >= 1"):
        generate_campus(regions=0)


@pytest.mark.parametrize("kind", SMALL_KINDS)
def test_small_instances_are_valid_reproducible_and_small(kind: str) -> None:
    # the campus suite records results per kind and seed: the same seed must give the same
    # problem, and each kind must hold what makes it hard
    small = generate_small(kind, seed=3)
    check_scenarios([("generated", small)], KnownKeys())
    assert small == generate_small(kind, seed=3)
    assert small != generate_small(kind, seed=4)
    assert 1 <= len(small.requests) <= 30
    first, last = small_horizon(kind)
    assert all(first <= r.earliest and r.latest <= last for r in small.requests)
    if kind == "trainer-scarce":
        assert len(small.trainers) == 4
        assert all(t.max_hours_per_week and t.max_hours_per_week <= 9 for t in small.trainers)
    if kind == "combined-classes":
        assert all(len(r.groups) == 2 for r in small.requests)
    if kind == "holiday-courses":
        voorjaar = next(h for h in holidays(date(2026, 9, 1)) if h.name == "Voorjaarsvakantie")
        assert first < voorjaar.first and voorjaar.last < last


def test_small_kind_must_be_known() -> None:
    with pytest.raises(ValueError, match="unknown small instance kind 'easy'"):
        generate_small("easy")
