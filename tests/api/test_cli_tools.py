"""`campus generate` and `campus bench itc2007` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
ITC_DATA = Path(__file__).resolve().parents[1] / "itc2007" / "data"


def test_generate_writes_a_loadable_reproducible_campus(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (a, b):
        result = runner.invoke(
            app, ["generate", "--regions", "2", "--seed", "5", "--out", str(path)]
        )
        assert result.exit_code == 0 and "2 region(s), seed 5" in result.stdout
    assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    data = yaml.safe_load(a.read_text(encoding="utf-8"))
    assert len(data["partners"]) == 110  # 55 per region
    loaded = runner.invoke(app, ["load", "--db", f"sqlite:///{tmp_path / 'g.db'}", str(a)])
    assert loaded.exit_code == 0


def test_bench_itc2007_solves_checks_and_tabulates(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["bench", "itc2007", "--instances", str(ITC_DATA), "--only", "tiny",
         "--time-limit", "10", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout
    assert "tiny" in result.stdout and "hard" in result.stdout
    assert (tmp_path / "tiny.sol").is_file()
    assert (tmp_path / "results.csv").is_file()


def test_bench_itc2007_refuses_an_unknown_instance(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "itc2007", "--only", "comp99", "--out", str(tmp_path)])
    assert result.exit_code == 2
