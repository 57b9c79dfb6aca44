"""The `campus` commands for the database and scenario files, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from models.migrate import head_revision
from tests.conftest import MINI

runner = CliRunner()


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_db_upgrade_creates_then_reports_current(sqlite_url: str) -> None:
    head = head_revision()
    code, out, _ = campus("db", "upgrade", "--db", sqlite_url)
    assert code == 0 and f"schema upgraded from empty to revision {head}" in out
    code, out, _ = campus("db", "upgrade", "--db", sqlite_url)
    assert code == 0 and f"schema already at revision {head}" in out


def test_database_url_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPUS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    code, _, _ = campus("db", "upgrade")
    assert code == 0
    assert (tmp_path / "env.db").exists()


def test_default_database_is_campus_db_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAMPUS_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    code, _, _ = campus("db", "upgrade")
    assert code == 0 and (tmp_path / "campus.db").exists()


def test_load_prints_what_it_created(sqlite_url: str) -> None:
    code, out, _ = campus("load", "--db", sqlite_url, str(MINI))
    assert code == 0
    assert "locations" in out and "requests" in out


def test_load_of_a_bad_file_lists_problems_and_imports_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINI.read_text(encoding="utf-8").replace("capacity: 16", "capacity: -2"), encoding="utf-8"
    )
    code, _, err = campus("load", "--db", sqlite_url, str(bad))
    assert code == 1
    assert f"{bad}: locations[0].capacity: must be > 0 (got -2)" in err
    assert "nothing was imported (1 problem(s))" in err
    code, out, _ = campus("export", "--db", sqlite_url, "-")
    assert yaml.safe_load(out) == {"format": "tic-planner/campus", "version": 1}


def test_export_writes_a_file_that_loads_again(sqlite_url: str, tmp_path: Path) -> None:
    campus("load", "--db", sqlite_url, str(MINI))
    out_file = tmp_path / "export.yaml"
    code, out, _ = campus("export", "--db", sqlite_url, str(out_file))
    assert code == 0 and f"wrote {out_file}" in out
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert campus("load", "--db", other, str(out_file))[0] == 0
    again = tmp_path / "again.yaml"
    campus("export", "--db", other, str(again))
    assert again.read_text(encoding="utf-8") == out_file.read_text(encoding="utf-8")


def test_schema_prints_json_schema() -> None:
    code, out, _ = campus("schema")
    assert code == 0 and '"title": "Scenario"' in out


def test_demo_loads_solves_publishes_and_says_what_next(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "example"
    folder.mkdir()
    (folder / "campus.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    feeds = tmp_path / "feeds"
    code, out, _ = campus(
        "demo", "--db", sqlite_url, "--example", str(folder), "--time-limit", "10",
        "--out", str(feeds),
    )  # fmt: skip
    assert code == 0
    assert "1. Loaded" in out and "2. Solving 2027-W11..2027-W14" in out
    assert "1/3 requests scheduled" in out
    assert "validator: 0 hard violations" in out
    assert "no_qualified_trainer" in out  # the top reasons of the unscheduled requests
    assert "3. Published run 1 as version 1" in out
    # the feed window is centred on the demo's 2027-03-01, so the March session is in it
    # whatever the real date is
    campus_feed = (feeds / "campus.ics").read_text(encoding="utf-8")
    assert campus_feed.count("BEGIN:VEVENT") == 1
    assert "r-gl-1-s1@tic-planner.campus" in campus_feed
    assert "campus serve" in out


def test_demo_without_scenario_files_says_so(sqlite_url: str, tmp_path: Path) -> None:
    code, _, err = campus("demo", "--db", sqlite_url, "--example", str(tmp_path))
    assert code == 1 and f"no scenario files (*.yaml) in {tmp_path}" in err


@pytest.mark.parametrize(
    "command",
    [
        [], ["db"], ["db", "upgrade"], ["load"], ["export"], ["schema"], ["demo"], ["solve"],
        ["explain"], ["publish"], ["feeds"], ["feeds", "create"], ["feeds", "list"],
        ["feeds", "rotate"], ["feeds", "revoke"], ["serve"], ["generate"],
    ],
)  # fmt: skip
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = campus(*command, "--help")
    assert code == 0 and "Usage" in out
    if command and command[-1] not in ("db", "feeds"):  # groups list commands
        assert "Example" in out  # every command shows how it is used

