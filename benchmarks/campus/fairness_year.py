"""Fairness over the school year: the weekly cycle against one solve of the whole season.

The campus suite's school-year instance (``models.generate.generate_campus(1, seed)``, one
region, 13 schools) is loaded into a SQLite database; its school year is cut to a season of
``--weeks`` ISO weeks from its start (the campus setting ``school_year``), and the season is
planned three ways, each in its own database:

- ``whole``: one solve of the whole season, published;
- ``weekly``: the planner's cycle: on the Wednesday before each week of the season a rolling
  solve (``models.planning.rolling_horizon``: the coming week plus ``--horizon-weeks`` - 1
  more, within the season) with the published plan as reference, then publish, then the
  next week; fairness and host balance count the season so far (``Problem.history``);
- ``weekly-no-history``: the same cycle with the history left out (``year_history``
  replaced by an empty one): each solve is fair only within its own horizon.

Afterwards each school's *share* is the part of its requests in the season (accepted, dates
overlapping the season) with a published session that is not cancelled. Printed per variant:
requests scheduled, the spread of school shares (best minus worst, in points), the worst
share, and how far the shares are from the whole-season solve's (mean and largest absolute
difference, in points); one JSON line per variant and seed (also appended to ``--out``).

``--case duel`` is the mechanism alone: two schools, two host companies open two hours a
week each, one trainer who may give one session a week, and each week one workshop
request of each school; in the first half of the season school A's request is the more
urgent one (priority 2), in the second half they are equal. The whole-season solve gives A
the first half and B the second (each 50 %), and so does the weekly cycle with history;
without history each week of the second half is a tie that nothing breaks.

As generated, the campus can place every request that can be placed at all (the ones it
leaves out are planted to be impossible), so all three variants give every school the same
share. Fairness decides only when demand exceeds what the campus can give: ``--demand K``
asks every request K times (copies with the same groups, dates and priority), and
``--scarce F`` multiplies every trainer's weekly hours by F (none: 8 hours x F). Examples:

    .venv/bin/python benchmarks/campus/fairness_year.py --seeds 1,2,3
    .venv/bin/python benchmarks/campus/fairness_year.py --demand 3 --seeds 1,2,3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, select  # noqa: E402

import models.bridge as bridge  # noqa: E402
from models import entities as e  # noqa: E402
from models.bridge import Horizon  # noqa: E402
from models.db import make_engine, session_scope  # noqa: E402
from models.planning import iso_week, plan, rolling_horizon  # noqa: E402
from models.publish import publish  # noqa: E402
from models.settings import load_settings  # noqa: E402
from scheduler import History, SolveOptions, Status  # noqa: E402
from scheduler.timegrid import to_aware  # noqa: E402

YEAR_START = date(2026, 9, 1)
VARIANTS = ("whole", "weekly", "weekly-no-history")


@dataclass(frozen=True)
class Setup:
    seed: int
    weeks: int
    horizon_weeks: int
    week_seconds: float
    whole_seconds: float
    scarce: float | None
    workers: int
    demand: int = 1
    case: str = "year"


def _season(weeks: int) -> tuple[date, date]:
    """The season's first Monday (of the school year's first week) and its last day."""
    first = YEAR_START - timedelta(days=YEAR_START.isoweekday() - 1)
    return first, first + timedelta(weeks=weeks, days=-1)


DUEL = """
format: tic-planner/campus
version: 1
equipment: [{code: rig, name: "Warmtepomp-opstelling", team: W}]
partners:
  - {key: acme, name: "Acme Installaties", kind: company}
  - {key: volt, name: "Volt & Co", kind: company}
  - {key: school-a, name: "Vmbo De Brug", kind: school}
  - {key: school-b, name: "Vakcollege Noord", kind: school}
locations:
  - {key: acme-hal, partner: acme, name: "Acme hal", lat: 52.389, lon: 4.838, capacity: 20,
     equipment: {rig: 1}, availability: {weekly: [{weekday: tue, start: "09:00", end: "11:00"}]}}
  - {key: volt-lab, partner: volt, name: "Volt lab", lat: 52.401, lon: 4.929, capacity: 20,
     equipment: {rig: 1}, availability: {weekly: [{weekday: thu, start: "09:00", end: "11:00"}]}}
trainers:
  - {key: t-anna, partner: acme, name: "Anna Bakker", qualifications: [W], max_hours_per_week: 2}
activities:
  - {code: WS, title: "Workshop", kind: workshop, audience: vmbo, team: W, duration_minutes: 120,
     equipment: [{code: rig, quantity: 1}], qualification: W}
groups:
  - {key: a1, school: school-a, name: "3 BB-a", headcount: 15}
  - {key: b1, school: school-b, name: "3 BB-b", headcount: 15}
requests:
"""


def _duel(weeks: int) -> Any:
    """The two-school campus of ``--case duel`` over ``weeks`` weeks."""
    from models.scenario import parse_scenario, read_yaml

    first, _ = _season(weeks)
    lines = [DUEL]
    for k in range(weeks):
        monday = first + timedelta(weeks=k)
        urgent = ", priority: 2" if k < weeks // 2 else ""
        for school, extra in (("a", urgent), ("b", "")):
            lines.append(
                f"  - {{key: r{school}-{k + 1:02d}, activity: WS, groups: [{school}1], "
                f"earliest: {monday}, latest: {monday + timedelta(days=4)}{extra}}}\n"
            )
    return parse_scenario(read_yaml("".join(lines), "duel"), "duel")


def _database(setup: Setup, folder: Path, name: str) -> Engine:
    """A fresh SQLite database with the case's campus and the season as school year."""
    from models.entities import Base
    from models.generate import generate_campus
    from models.store import load_scenarios

    if setup.case == "duel":
        scenario = _duel(setup.weeks)
    else:
        scenario = generate_campus(1, setup.seed, year_start=YEAR_START)
    if setup.scarce is not None:
        scenario = scenario.model_copy(
            update={
                "trainers": [
                    t.model_copy(
                        update={"max_hours_per_week": (t.max_hours_per_week or 8) * setup.scarce}
                    )
                    for t in scenario.trainers
                ]
            }
        )
    if setup.demand > 1:
        copies = [
            r.model_copy(update={"key": f"{r.key}-x{k}"})
            for k in range(2, setup.demand + 1)
            for r in scenario.requests
        ]
        scenario = scenario.model_copy(update={"requests": [*scenario.requests, *copies]})
    engine = make_engine(f"sqlite:///{folder / name}.db")
    Base.metadata.create_all(engine)
    _, last = _season(setup.weeks)
    with session_scope(engine) as session:
        load_scenarios(session, [("generated", scenario)])
        session.add(
            e.CampusSettingsRow(
                id=1,
                data={
                    "school_year": {"first": YEAR_START.isoformat(), "last": last.isoformat()},
                    "horizon_weeks": setup.horizon_weeks,
                },
            )
        )
    return engine


def _publish(engine: Engine, run_id: int, moment: datetime) -> None:
    with session_scope(engine) as session:
        publish(session, session.get_one(e.SolveRun, run_id), now=to_aware(moment).astimezone(UTC))


@contextmanager
def _no_history() -> Iterator[None]:
    """Every Problem built meanwhile gets an empty history (the engine before this change)."""
    kept = bridge.year_history
    bridge.year_history = lambda *args, **kwargs: History()  # type: ignore[assignment]
    try:
        yield
    finally:
        bridge.year_history = kept


def _solve_and_publish(
    setup: Setup, engine: Engine, horizon: Horizon, seconds: float, moment: datetime
) -> int:
    """Solve and publish; a solve that found no plan in its time (a loaded machine) runs
    again with twice the time, as a planner would. Returns the number of solves."""
    solves = 0
    while True:
        options = SolveOptions(time_limit_seconds=seconds, workers=setup.workers,
                               seed=setup.seed)  # fmt: skip
        result = plan(engine, horizon, options, now=moment)
        solves += 1
        if result.solution.status in (Status.OPTIMAL, Status.FEASIBLE) or seconds > 120:
            break
        seconds *= 2
    _publish(engine, result.run_id, moment + timedelta(hours=1))
    return solves


def _run_whole(setup: Setup, engine: Engine) -> int:
    first, last = _season(setup.weeks)
    moment = datetime.combine(first - timedelta(days=5), datetime.min.time()).replace(hour=8)
    horizon = Horizon(iso_week(first), iso_week(last))
    return _solve_and_publish(setup, engine, horizon, setup.whole_seconds, moment)


def _run_weekly(setup: Setup, engine: Engine) -> int:
    """The weekly cycle: on the Wednesday before each week, a rolling solve and publish."""
    first, _ = _season(setup.weeks)
    solves = 0
    for k in range(setup.weeks):
        wednesday = first + timedelta(weeks=k, days=-5)
        moment = datetime.combine(wednesday, datetime.min.time()).replace(hour=8)
        with session_scope(engine) as session:
            horizon = rolling_horizon(load_settings(session), wednesday)
        solves += _solve_and_publish(setup, engine, horizon, setup.week_seconds, moment)
    return solves


def _shares(
    setup: Setup, engine: Engine
) -> tuple[dict[str, float], dict[str, int], int, int]:
    """Each school's share of its season's requests with a published session, sessions per
    host company, and the counts."""
    first, last = _season(setup.weeks)
    with session_scope(engine) as session:
        confirmed = e.PublishedSession.status != "cancelled"
        served = set(session.scalars(select(e.PublishedSession.request_id).where(confirmed)))
        asked: dict[str, int] = {}
        done: dict[str, int] = {}
        total = scheduled = 0
        for r in session.scalars(
            select(e.Request)
            .where(e.Request.status == "accepted")
            .where(e.Request.earliest <= last, e.Request.latest >= first)
        ):
            total += 1
            scheduled += r.id in served
            for school in {rg.group.school.key for rg in r.groups}:
                asked[school] = asked.get(school, 0) + 1
                done[school] = done.get(school, 0) + (r.id in served)
        hosts: dict[str, int] = {}
        for ps in session.scalars(select(e.PublishedSession).where(confirmed)):
            key = ps.location.partner.key
            hosts[key] = hosts.get(key, 0) + 1
    shares = {s: 100 * done[s] / asked[s] for s in sorted(asked)}
    return shares, dict(sorted(hosts.items())), scheduled, total


def run_variant(setup: Setup, variant: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = _database(setup, Path(tmp), variant)
        started = time.monotonic()
        if variant == "whole":
            solves = _run_whole(setup, engine)
        elif variant == "weekly":
            solves = _run_weekly(setup, engine)
        else:
            with _no_history():
                solves = _run_weekly(setup, engine)
        wall = time.monotonic() - started
        shares, hosts, scheduled, total = _shares(setup, engine)
        engine.dispose()
    return {
        "variant": variant,
        "seed": setup.seed,
        "solves": solves,
        "scheduled": scheduled,
        "requests": total,
        "shares": shares,
        "hosted": hosts,
        "case": setup.case,
        "spread": max(shares.values()) - min(shares.values()),
        "worst": min(shares.values()),
        "wall_seconds": round(wall, 1),
    }


def _deviation(run: dict[str, Any], whole: dict[str, Any]) -> tuple[float, float]:
    diffs = [abs(run["shares"][s] - whole["shares"][s]) for s in whole["shares"]]
    return statistics.fmean(diffs), max(diffs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1", help="generator and solver seeds, e.g. 1,2,3")
    parser.add_argument("--weeks", type=int, default=12, help="weeks in the season (>= 10)")
    parser.add_argument("--horizon-weeks", type=int, default=4, help="weeks a rolling solve plans")
    parser.add_argument("--week-seconds", type=float, default=5.0, help="limit of a weekly solve")
    parser.add_argument("--whole-seconds", type=float, default=60.0, help="limit of the season")
    parser.add_argument("--scarce", type=float, default=None, help="trainer hours factor")
    parser.add_argument("--demand", type=int, default=1, help="ask every request K times")
    parser.add_argument("--case", choices=("year", "duel"), default="year")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", type=Path, default=None, help="append JSON lines here")
    args = parser.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    if "whole" not in variants or set(variants) - set(VARIANTS):
        raise SystemExit(f"--variants: 'whole' and any of {', '.join(VARIANTS[1:])}")
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for seed in (int(s) for s in args.seeds.split(",")):
        setup = Setup(seed, args.weeks, args.horizon_weeks, args.week_seconds,
                      args.whole_seconds, args.scarce, args.workers, args.demand,
                      args.case)  # fmt: skip
        whole: dict[str, Any] | None = None
        for variant in variants:
            run = run_variant(setup, variant)
            if variant == "whole":
                whole = run
            assert whole is not None
            run["mean_deviation"], run["max_deviation"] = _deviation(run, whole)
            run |= {"weeks": args.weeks, "horizon_weeks": args.horizon_weeks,
                    "scarce": args.scarce, "demand": args.demand,
                    "load": os.getloadavg()[0]}  # fmt: skip
            runs[variant].append(run)
            line = json.dumps(run, sort_keys=True)
            print(line, flush=True)
            if args.out is not None:
                with args.out.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
    print(f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; medians over seeds {args.seeds}")  # fmt: skip
    print("| variant | solves | scheduled | spread of shares | worst share | "
          "mean / max distance to whole | wall |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for variant, items in runs.items():
        def med(key: str, items: list[dict[str, Any]] = items) -> float:
            return statistics.median(r[key] for r in items)

        print(f"| {variant} | {med('solves'):.0f} | {med('scheduled'):.0f} of "
              f"{med('requests'):.0f} | {med('spread'):.1f} | {med('worst'):.1f} % | "
              f"{med('mean_deviation'):.1f} / {med('max_deviation'):.1f} | "
              f"{med('wall_seconds'):.0f} s |")  # fmt: skip


if __name__ == "__main__":
    main()
