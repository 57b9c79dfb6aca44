"""The one-phase benchmark script (benchmarks/itc2007/starts_alone.py) on comp01.

Its numbers in benchmarks/itc2007/JOURNAL.md are only worth as much as the script's plumbing: the
seeds it runs, the median it prints, a neighbourhood left out of the search only where
asked (through the engine's settings, not for whatever runs after it), and clear errors
for bad arguments.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
import starts_alone  # benchmarks/itc2007, on sys.path through conftest.py

import scheduler.cpsat.timefirst.start_search as start_search
from scheduler.cpsat.settings import DEFAULT_SETTINGS

RESULT = re.compile(r"^seed (\d+): (\d+) \(.*improving/solved: (.*)\)$", re.M)


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[list[str], str]:
    argv = ["comp01", "--first", "1", "--seconds", "1", "--seeds", "3-4", *extra]
    assert starts_alone.main(argv) == 0
    out = capsys.readouterr().out
    rows = RESULT.findall(out)
    assert [seed for seed, _, _ in rows] == ["3", "4"]
    median = statistics.median(int(total) for _, total, _ in rows)
    assert f"median {median:g} of 2" in out
    return [used for _, _, used in rows], out


def test_seed_lists_take_ranges_and_single_seeds() -> None:
    assert starts_alone.seeds("0-2,5") == [0, 1, 2, 5]


def test_without_leaves_out_one_neighbourhood_for_that_run_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    used, _ = _run(capsys, "--without", "days")
    assert all("days" not in line and "group" in line for line in used)
    used, _ = _run(capsys)
    assert all("days" in line for line in used)


def test_step_sets_the_sub_models_time_limit_for_that_run_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    limits: list[float] = []
    step = start_search.StartSearch.step

    def spy(self: start_search.StartSearch, *args: object) -> object:
        limits.append(args[-1])  # type: ignore[arg-type]
        return step(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(start_search.StartSearch, "step", spy)
    default = DEFAULT_SETTINGS.start_search.step_seconds
    _run(capsys, "--step", "0.25")
    assert limits and max(limits) == 0.25
    limits.clear()
    _run(capsys, "--seconds", "3")  # the first sub-models have more time left than a step
    assert max(limits) == default


def test_bad_arguments_say_what_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    script = starts_alone
    with pytest.raises(SystemExit, match="comp99: no such instance"):
        script.main(["comp99"])
    with pytest.raises(SystemExit):
        script.main(["comp01", "--independent", "--seeds", "0"])
    assert "give an even number of them" in capsys.readouterr().err
    for argv, message in [
        (["comp01", "--local-search-after"], "--local-search-after needs --local-search"),
        (["comp01", "--local-search", "0"], "--local-search needs a positive number"),
        (["comp01", "--seconds", "0"], "--seconds must be positive"),
        (["comp01", "--step", "0"], "--step needs a positive number"),
        (["comp01", "--local-search", "1", "--temperature", "0"], "--temperature must be positive"),
        (["comp01", "--local-search", "1", "--penalty", "-1"], "--penalty must be 0"),
    ]:
        with pytest.raises(SystemExit):
            script.main(argv)
        assert message in capsys.readouterr().err


def test_local_search_runs_before_or_after_the_search_or_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out = _run(capsys, "--local-search", "0.3")
    assert len(re.findall(r"moves \(\d+/s\), .*; \d+ sub-models, \d+ reweighted rounds", out)) == 2
    assert re.search(r"seed 3: \d+ \([\d.]+ s; local search \d+ in 0.3 s, \d+ moves", out)
    _, out = _run(capsys, "--local-search", "0.3", "--local-search-after")
    assert re.search(r"improving/solved: [^;]*; local search \d+ in 0.3 s", out)
    argv = ["comp01", "--first", "1", "--seconds", "0", "--seeds", "0", "--local-search", "0.3"]
    assert starts_alone.main(argv) == 0
    out = capsys.readouterr().out
    assert "sub-models" not in out
    assert re.search(r"^seed 0: \d+ \([\d.]+ s; local search \d+ in 0.3 s", out, re.M)


def test_a_start_file_gives_every_invocation_the_same_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = tmp_path / "starts" / "comp01.json"  # its folder made as it is written
    argv = ["comp01", "--first", "1", "--seconds", "0", "--local-search", "0.1"]
    assert starts_alone.main([*argv, "--start-file", str(file)]) == 0
    made = re.search(r"start (\d+) after 1 s of CP-SAT, written to", capsys.readouterr().out)
    assert made and file.is_file()
    assert starts_alone.main([*argv, "--start-file", str(file)]) == 0
    assert f"start {made[1]} from {file}" in capsys.readouterr().out
    for text in ('{"objective": 1, "values": [0, 1]}', "{not json", '{"values": []}'):
        file.write_text(text)
        with pytest.raises(SystemExit, match="not a start of this instance"):
            starts_alone.main([*argv, "--start-file", str(file)])
    assert not file.with_name(file.name + ".part").exists()
