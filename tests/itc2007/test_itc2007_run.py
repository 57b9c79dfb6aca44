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
from itc2007_mapping import parse_ctt, parse_itc_solution, to_sessions

import scheduler
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


def _fake_solve(components: dict[str, int], left_out: str = "") -> Callable[..., Solution]:
    def solve(
        problem: Problem, options: SolveOptions, progress: Callable[[Progress], None]
    ) -> Solution:
        inst = parse_ctt((DATA / "tiny.ctt").read_text())
        known = parse_itc_solution((DATA / "tiny_optimal.sol").read_text())
        known = tuple(a for a in known if a.course != left_out)
        progress(Progress(0.5, 20, 0, 1.0, 1))
        progress(Progress(0.75, 14, 14, 0.0, 2))
        return Solution(
            Status.OPTIMAL,
            sessions=to_sessions(inst, problem, known),
            objective=sum(components.values()),
            components=components,
            unscheduled=tuple(r.id for r in problem.requests if r.id == left_out),
            first_solution_seconds=0.5,
        )

    return solve


UD2 = {"over_capacity": 10, "isolated": 4, "min_days": 0, "room_stability": 0}


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, solve: object) -> tuple[int, list[str]]:
    runner = _load_runner()
    instances = tmp_path / "instances"
    instances.mkdir()
    shutil.copy(DATA / "tiny.ctt", instances / "comp01.ctt")  # best known of comp01: 5
    monkeypatch.setattr(scheduler, "solve", solve)
    lines: list[str] = []
    argv = ["--instances", str(instances), "--out", str(tmp_path / "out"), "--time-limit", "1"]
    return runner.main(argv, echo=lines.append), lines


@pytest.mark.parametrize(
    ("components", "verdict", "code"),
    [(UD2, "ok", 0), ({**UD2, "isolated": 2}, "MISMATCH", 1)],
)
def test_runner_scores_and_tabulates(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    components: dict[str, int],
    verdict: str,
    code: int,
) -> None:
    exit_code, lines = _run(tmp_path, monkeypatch, _fake_solve(components))
    assert exit_code == code
    out = tmp_path / "out"
    assert (out / "comp01.sol").read_text().count("\n") == 8
    row = lines[1].split()
    # instance status hard RC MWD CC RS total best ratio first last wall out verdict
    assert row[:10] == ["comp01", "optimal", "0", "10", "0", "4", "0", "14", "5", "2.50"]
    assert row[10:12] == ["0.5", "0.8"] and row[-2:] == ["0", verdict]
    assert lines[-1] == "feasible 1/1, geo-mean ratio 2.50"
    with (out / "results.csv").open(newline="") as handle:
        (result,) = list(csv.DictReader(handle))
    assert result["total"] == "14" and result["engine_matches"] == str(verdict == "ok")


def test_runner_accounts_for_a_course_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without D: its lecture is missing (1 hard violation), UD2 charges its min working
    # day (5) which the engine does not, and B at (0,0) becomes isolated in Q2 (CC 4 -> 6).
    # The engine instead charges unscheduled = 100000 x 1 lecture: still in agreement.
    components = {**UD2, "isolated": 6, "unscheduled": 100_000}
    exit_code, lines = _run(tmp_path, monkeypatch, _fake_solve(components, left_out="D"))
    assert exit_code == 1
    row = lines[1].split()
    assert row[2:8] == ["1", "10", "5", "6", "0", "21"]
    assert row[9] == "-" and row[-2:] == ["1", "ok"]
    assert lines[-1] == "feasible 0/1, geo-mean ratio -"


def test_runner_solves_checks_and_tabulates_with_the_engine(tmp_path: Path) -> None:
    # what used to be `campus bench itc2007`: the real engine, the checker, the table
    lines: list[str] = []
    argv = ["--instances", str(DATA), "--only", "tiny", "--time-limit", "10",
            "--out", str(tmp_path)]  # fmt: skip
    assert _load_runner().main(argv, echo=lines.append) == 0
    assert any("tiny" in line for line in lines) and any("hard" in line for line in lines)
    assert (tmp_path / "tiny.sol").is_file()
    assert (tmp_path / "results.csv").is_file()


def test_runner_refuses_an_unknown_instance(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        _load_runner().main(["--only", "comp99", "--out", str(tmp_path)])
    assert exc.value.code == 2
