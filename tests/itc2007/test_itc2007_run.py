"""The benchmark runner's plumbing (export, scoring, table, CSV) with a stand-in engine.

The real engine is exercised in test_itc2007_engine.py; here ``scheduler.solve`` is
replaced by a function returning a known timetable (and reporting two improvements), so
the runner is tested on its own, including a deliberate engine/checker disagreement.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import scheduler
from scheduler.itc2007 import parse_ctt, parse_itc_solution, to_sessions
from scheduler.options import Progress, SolveOptions
from scheduler.problem import Problem
from scheduler.solution import Solution, Status

DATA = Path(__file__).resolve().parent / "data"
RUN_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "itc2007" / "run.py"


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("itc2007_run", RUN_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["itc2007_run"] = module
    spec.loader.exec_module(module)
    return module


def _fake_solve(components: dict[str, int]) -> Callable[..., Solution]:
    def solve(
        problem: Problem, options: SolveOptions, progress: Callable[[Progress], None]
    ) -> Solution:
        inst = parse_ctt((DATA / "tiny.ctt").read_text())
        known = parse_itc_solution((DATA / "tiny_optimal.sol").read_text())
        progress(Progress(0.5, 20, 0, 1.0, 1))
        progress(Progress(0.75, 14, 14, 0.0, 2))
        return Solution(
            Status.OPTIMAL,
            sessions=to_sessions(inst, problem, known),
            objective=sum(components.values()),
            components=components,
            first_solution_seconds=0.5,
        )

    return solve


@pytest.mark.parametrize(
    ("components", "verdict", "code"),
    [
        ({"over_capacity": 10, "isolated": 4, "min_days": 0, "room_stability": 0}, "ok", 0),
        ({"over_capacity": 10, "isolated": 2, "min_days": 0, "room_stability": 0}, "MISMATCH", 1),
    ],
)
def test_runner_scores_and_tabulates(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    components: dict[str, int],
    verdict: str,
    code: int,
) -> None:
    runner = _load_runner()
    instances = tmp_path / "instances"
    instances.mkdir()
    shutil.copy(DATA / "tiny.ctt", instances / "comp01.ctt")  # best known of comp01: 5
    monkeypatch.setattr(scheduler, "solve", _fake_solve(components))
    lines: list[str] = []
    out = tmp_path / "out"
    argv = ["--instances", str(instances), "--out", str(out), "--time-limit", "1"]
    assert runner.main(argv, echo=lines.append) == code

    assert (out / "comp01.sol").read_text().count("\n") == 8
    row = lines[1].split()
    # instance status hard RC MWD CC RS total best ratio first last wall verdict
    assert row[:10] == ["comp01", "optimal", "0", "10", "0", "4", "0", "14", "5", "2.50"]
    assert row[10:12] == ["0.5", "0.8"] and row[-1] == verdict
    assert lines[-1] == "feasible 1/1, geo-mean ratio 2.50"
    with (out / "results.csv").open(newline="") as handle:
        (result,) = list(csv.DictReader(handle))
    assert result["total"] == "14" and result["engine_matches"] == str(verdict == "ok")
