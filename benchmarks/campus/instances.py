"""The campus benchmark suite's instances, built through the bridge as a planner's solve is.

Every instance is a generated campus (``models/generate.py``) loaded into an in-memory
SQLite database and turned into a ``Problem`` by ``models.bridge.build_problem``, so the
engine sees exactly what ``campus solve`` would give it. Same case and seed, same Problem.

Cases:
  year              the whole school year of one region (about 150 requests)
  week              one week (2027-W12) re-solved, the rest of the year's plan pinned
  regions           10 regions side by side, the whole year (about 1500 requests)
  trainer-scarce, equipment-scarce, combined-classes, holiday-courses
                    small hard instances of one region (``generate_small``, <= 30 requests)
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.generate import SMALL_KINDS  # noqa: E402
from scheduler.problem import Problem  # noqa: E402

YEAR_START = date(2026, 9, 1)
NOW = datetime(2026, 8, 1, 8, 0)  # before the school year: nothing is frozen by time
REGIONS = 10
WEEK = date.fromisocalendar(2027, 12, 1)  # the week before daylight saving starts
WEEK_YEAR_SECONDS = 10.0  # deterministic seconds of the year plan the week case re-solves
CASES = ("year", "week", "regions", *SMALL_KINDS)


def _iso(day: date) -> str:
    return "{}-W{:02d}".format(*day.isocalendar()[:2])


def _through_bridge(scenario: object, first: date, last: date) -> Problem:
    from models.bridge import Horizon, build_problem
    from models.db import make_engine, session_scope
    from models.entities import Base
    from models.store import load_scenarios

    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with session_scope(engine) as session:
        load_scenarios(session, [("generated", scenario)])
        return build_problem(session, Horizon(_iso(first), _iso(last)), now=NOW)


def year_problem(regions: int, seed: int) -> Problem:
    """The whole school year of ``regions`` generated regions."""
    from models.generate import generate_campus, school_year

    first, last = school_year(YEAR_START)
    return _through_bridge(generate_campus(regions, seed, year_start=YEAR_START), first, last)


def week_problem(seed: int) -> Problem:
    """One week re-solved, with the year's plan outside it pinned.

    The year plan comes from a deterministic solve (one worker, ``WEEK_YEAR_SECONDS`` of
    deterministic time), so the same seed gives the same week problem on every run.
    """
    from scheduler import SolveOptions, solve

    year = year_problem(1, seed)
    options = SolveOptions(time_limit_seconds=WEEK_YEAR_SECONDS, deterministic=True, seed=seed)
    plan = solve(year, options)
    week_last = WEEK + timedelta(days=6)
    in_week = {r.id for r in year.requests if r.earliest <= week_last and r.latest >= WEEK}
    reference = tuple(
        replace(s, pinned=not (WEEK <= s.start.date() <= week_last))
        for s in plan.sessions
        if s.request in in_week
    )
    return replace(
        year,
        first_day=WEEK,
        last_day=week_last,
        requests=tuple(r for r in year.requests if r.id in in_week),
        reference=reference,
    )


def small_problem(kind: str, seed: int) -> Problem:
    """A small hard instance of ``generate_small``."""
    from models.generate import generate_small, small_horizon

    first, last = small_horizon(kind, YEAR_START)
    return _through_bridge(generate_small(kind, seed, year_start=YEAR_START), first, last)


def build(case: str, seed: int) -> Problem:
    """The Problem of ``case`` for ``seed`` (see the module doc)."""
    if case == "year":
        return year_problem(1, seed)
    if case == "regions":
        return year_problem(REGIONS, seed)
    if case == "week":
        return week_problem(seed)
    if case in SMALL_KINDS:
        return small_problem(case, seed)
    raise ValueError(f"unknown case {case!r} (one of {', '.join(CASES)})")
