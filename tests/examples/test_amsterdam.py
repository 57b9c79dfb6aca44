"""The Amsterdam example campus: it loads, and it is the campus the domain brief describes."""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import entities as e
from models.db import make_engine, session_scope
from models.entities import Base
from models.generate import TARGETS, demo_horizon
from models.scenario import KnownKeys, Scenario, check_scenarios
from models.store import load_files, read_files
from tests.examples.probe import blockers, in_window

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "amsterdam"
PATHS = sorted(FOLDER.glob("*.yaml"))
DEMO = demo_horizon(date(2026, 9, 1))


@pytest.fixture(scope="module")
def campus() -> Scenario:
    """All files merged into one scenario, after the same cross-checks a load runs."""
    files = read_files(PATHS)
    check_scenarios(files, KnownKeys())
    merged: dict[str, list] = {}
    for _name, sc in files:
        for section in Scenario.model_fields:
            value = getattr(sc, section)
            if isinstance(value, list):
                merged.setdefault(section, []).extend(value)
    return Scenario(name=files[0][1].name, **merged)


def _participants(campus: Scenario, kind: str, audience: str) -> int:
    acts = {a.code: a for a in campus.activities}
    heads = {g.key: g.headcount for g in campus.groups}
    return sum(
        heads[g]
        for r in campus.requests
        if acts[r.activity].kind == kind and acts[r.activity].audience == audience
        for g in r.groups
    )


def test_the_readme_lists_every_file() -> None:
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    assert len(PATHS) >= 5
    for path in PATHS:
        assert path.name in readme


def test_files_load_into_an_empty_database() -> None:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with session_scope(engine) as s:
        summary = load_files(s, PATHS)
        assert summary.created["partners"] == 55
        assert s.scalar(select(func.count()).select_from(e.Request)) == summary.created["requests"]


def test_partners_are_the_brief_mix(campus: Scenario) -> None:
    kinds = Counter(p.kind for p in campus.partners)
    assert len(campus.partners) == 55
    assert 33 <= kinds["company"] <= 38
    assert 11 <= kinds["school"] <= 14
    assert kinds["association"] >= 2 and kinds["fund"] == 1 and kinds["other"] >= 1


def test_about_thirty_training_locations_and_a_site_per_school(campus: Scenario) -> None:
    training = [loc for loc in campus.locations if loc.hosts_training]
    sites = [loc for loc in campus.locations if not loc.hosts_training]
    schools = {p.key for p in campus.partners if p.kind == "school"}
    assert 27 <= len(training) <= 33
    assert {loc.partner for loc in sites} == schools
    assert any(loc.buffer_minutes > 0 for loc in training)
    assert any(loc.availability.closures for loc in training)
    assert any(loc.availability.one_off for loc in training)


def test_sixty_trainers_and_a_catalogue_of_twenty_to_thirty(campus: Scenario) -> None:
    assert 55 <= len(campus.trainers) <= 65
    assert 20 <= len(campus.activities) <= 30
    assert any(t.certified for t in campus.trainers)
    assert any(t.availability.absences for t in campus.trainers)
    kinds = {a.kind for a in campus.activities}
    assert kinds == {"workshop", "skills_course", "practical_training", "guest_lesson",
                     "excursion", "open_day"}  # fmt: skip


def test_requests_reach_the_yearly_targets(campus: Scenario) -> None:
    assert _participants(campus, "workshop", "vmbo") >= TARGETS["vmbo_workshop"]
    assert _participants(campus, "skills_course", "mbo") >= TARGETS["mbo_skills_course"]
    assert _participants(campus, "practical_training", "job_seekers") >= TARGETS["job_seekers"]


def test_holidays_of_region_noord_and_public_holidays(campus: Scenario) -> None:
    got = {(h.name, h.first, h.last) for h in campus.holidays}
    assert ("Herfstvakantie", date(2026, 10, 17), date(2026, 10, 25)) in got
    assert ("Kerstvakantie", date(2026, 12, 19), date(2027, 1, 3)) in got
    assert ("Voorjaarsvakantie", date(2027, 2, 13), date(2027, 2, 21)) in got
    assert ("Meivakantie", date(2027, 4, 24), date(2027, 5, 2)) in got
    assert ("Zomervakantie", date(2027, 7, 17), date(2027, 8, 29)) in got
    public = {h.name: h.first for h in campus.holidays if h.kind == "public"}
    assert public["Goede Vrijdag"] == date(2027, 3, 26)
    assert public["Paasmaandag"] == date(2027, 3, 29)
    assert public["Koningsdag"] == date(2027, 4, 27)
    assert public["Hemelvaartsdag"] == date(2027, 5, 6)
    assert public["Pinkstermaandag"] == date(2027, 5, 17)
    assert public["Eerste Kerstdag"] == date(2026, 12, 25)


def test_requests_spread_over_the_school_year(campus: Scenario) -> None:
    months = {(r.earliest.year, r.earliest.month) for r in campus.requests}
    assert len(months) >= 9
    assert all(date(2026, 9, 1) <= r.earliest <= r.latest <= date(2027, 7, 16)
               for r in campus.requests)  # fmt: skip
    assert {r.priority for r in campus.requests} == {1, 2, 3, 4, 5}
    assert any(len(r.groups) > 1 for r in campus.requests)
    assert any(r.trainer for r in campus.requests)
    assert any(r.preferences.weekdays or r.preferences.partners for r in campus.requests)


def test_demo_weeks_hold_a_meaningful_but_small_plan(campus: Scenario) -> None:
    demo = [r for r in campus.requests if in_window(r, *DEMO)]
    assert 25 <= len(demo) <= 45
    blocked = [r.key for r in demo if blockers(campus, r)]
    # a few cannot be planned on purpose (and one or two by bad luck), most can
    assert 3 <= len(blocked) <= len(demo) // 4, blocked


def test_planted_requests_cannot_be_planned(campus: Scenario) -> None:
    demo = [r for r in campus.requests if in_window(r, *DEMO)]
    reasons = {r.activity: blockers(campus, r) for r in demo if r.note.startswith(
        ("Enige waterstof", "Alleen met", "School gaf alleen", "Twee klassen samen"))}  # fmt: skip
    assert any("no location fits" in x for x in reasons["sc-waterstof"])
    assert any("usable days" in x for x in reasons["gl-energietransitie"])
    assert any("usable days" in x for x in reasons["ws-warmtepomp"])
    assert any("max 30" in x for x in reasons["ws-bim"])


def test_yaml_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_campus", FOLDER / "make_campus.py")
    assert spec is not None and spec.loader is not None
    make_campus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_campus)
    for name, text in make_campus.render().items():
        on_disk = (FOLDER / name).read_text(encoding="utf-8")
        assert on_disk == text, f"{name} drifted: run examples/amsterdam/make_campus.py"
