"""`campus load` says what it would remove and removes nothing without --replace (issue 24).

The repro of the issue: a company loads a file with one new one-off window for its
location, and the location's 5 weekly windows, 12 equipment entries and address must not
silently go. Run through the command line on SQLite and PostgreSQL, as a planner runs it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.db import session_scope
from models.entities import Base
from tests.conftest import MINI

runner = CliRunner()

EQUIPMENT = [f"rig-{i:02d}" for i in range(1, 13)]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
HALL = {
    "key": "dekker-hal",
    "partner": "dekker",
    "name": "Praktijkhal Dekker",
    "address": "Industrieweg 5, Amsterdam",
    "lat": 52.39,
    "lon": 4.84,
    "capacity": 16,
}
CAMPUS: dict[str, Any] = {
    "equipment": [{"code": code, "name": f"Opstelling {code}", "team": "W"} for code in EQUIPMENT],
    "partners": [{"key": "dekker", "name": "Installatiebedrijf Dekker", "kind": "company"}],
    "locations": [
        {
            **HALL,
            "equipment": {code: 2 for code in EQUIPMENT},
            "availability": {
                "weekly": [{"weekday": d, "start": "08:00", "end": "16:00"} for d in WEEKDAYS]
            },
        }
    ],
}
# What the company loaded: its location with only the new one-off window.
ONE_OFF: dict[str, Any] = {
    "locations": [
        {
            **{k: v for k, v in HALL.items() if k != "address"},
            "availability": {"one_off": [{"date": "2027-03-26", "start": "09:00", "end": "12:00"}]},
        }
    ]
}


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def logical_dump(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows as sorted text: equal dumps mean equal contents."""
    with session_scope(engine) as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def test_a_file_with_only_a_new_one_off_window_is_refused_and_lists_the_losses(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    assert campus("load", "--db", url, str(write(tmp_path / "campus.yaml", CAMPUS)))[0] == 0
    before = logical_dump(engine)
    one_off = write(tmp_path / "one-off.yaml", ONE_OFF)

    code, out, err = campus("load", "--db", url, str(one_off))

    assert code == 1
    assert "Loaded" not in out
    where = f"{one_off}: locations[dekker-hal]"
    windows = [f"    {{weekday: {d}, start: '08:00', end: '16:00'}}" for d in WEEKDAYS]
    assert err.splitlines() == [
        f"{where}.address: 'Industrieweg 5, Amsterdam' will be reset to '' "
        "(the file leaves it out)",
        f"{where}.equipment: 12 equipment entries not in the file will be removed",
        *(f"    {code}: 2" for code in EQUIPMENT),
        f"{where}.availability.weekly: 5 weekly windows not in the file will be removed",
        *windows,
        "error: nothing was imported: the files would remove the 18 item(s) listed above; "
        "re-run with --replace to apply",
    ]
    assert logical_dump(engine) == before  # not even the new one-off window

    code, out, _ = campus("load", "--db", url, "--replace", str(one_off))

    assert code == 0
    assert "removed 18 item(s):" in out
    assert f"{where}.availability.weekly: 5 weekly windows not in the file were removed" in out
    with session_scope(engine) as session:
        hall = session.scalars(select(e.Location).filter_by(key="dekker-hal")).one()
        assert hall.address == ""
        assert hall.equipment == [] and hall.windows == []
        assert [(str(w.day), str(w.start)) for w in hall.one_off_windows] == [
            ("2027-03-26", "09:00:00")
        ]


def test_the_full_file_with_the_new_window_added_loads_without_a_flag(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    campus("load", "--db", url, str(write(tmp_path / "campus.yaml", CAMPUS)))
    hall = copy.deepcopy(CAMPUS["locations"][0])
    hall["availability"]["one_off"] = [{"date": "2027-03-26", "start": "09:00", "end": "12:00"}]
    whole = write(tmp_path / "whole.yaml", {"locations": [hall]})

    code, out, err = campus("load", "--db", url, str(whole))

    assert (code, err) == (0, "")
    assert "removed" not in out and "Loaded into" in out
    with session_scope(engine) as session:
        hall_row = session.scalars(select(e.Location).filter_by(key="dekker-hal")).one()
        assert len(hall_row.windows) == 5 and len(hall_row.equipment) == 12
        assert len(hall_row.one_off_windows) == 1


def test_reloading_the_same_files_removes_nothing_and_needs_no_flag(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    assert campus("load", "--db", url, str(MINI))[0] == 0
    before = logical_dump(engine)
    code, out, err = campus("load", "--db", url, str(MINI))
    assert (code, err) == (0, "")
    assert "removed" not in out
    assert logical_dump(engine) == before
    # and the export of a database, loaded back into it
    exported = tmp_path / "export.yaml"
    assert campus("export", "--db", url, str(exported))[0] == 0
    code, out, err = campus("load", "--db", url, str(exported))
    assert (code, err) == (0, "") and "removed" not in out
    assert logical_dump(engine) == before


def test_dry_run_lists_what_would_change_and_writes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    campus("load", "--db", url, str(write(tmp_path / "campus.yaml", CAMPUS)))
    before = logical_dump(engine)
    extra = dict(ONE_OFF["locations"][0])
    extra["key"] = "dekker-lab"  # a new location too
    one_off = write(tmp_path / "one-off.yaml", {"locations": [ONE_OFF["locations"][0], extra]})

    for flags in (["--dry-run"], ["--dry-run", "--replace"]):
        code, out, err = campus("load", "--db", url, *flags, str(one_off))
        assert (code, err) == (0, "")
        assert out.startswith("would remove 18 item(s):\n")
        assert (
            f"{one_off}: locations[dekker-hal].equipment: 12 equipment entries not in the "
            "file will be removed" in out
        )
        assert "nothing was written" in out
        row = next(line for line in out.splitlines() if line.startswith("│ locations"))
        assert [cell.strip() for cell in row.split("│")[1:-1]] == ["locations", "1", "1"]
        assert logical_dump(engine) == before
