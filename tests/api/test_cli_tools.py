"""`campus generate` as a user runs it."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


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


def test_the_itc2007_benchmark_is_not_a_product_command() -> None:
    # a developer tool run from a clone: python benchmarks/itc2007/run.py (docs/benchmarks.md)
    result = runner.invoke(app, ["bench", "itc2007", "--help"])
    assert result.exit_code == 2
