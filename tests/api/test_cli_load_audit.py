"""`campus load` is audited: one entry per entity it created or changed, with old and new values.

Loads run through the CLI (as a planner runs them) on SQLite and PostgreSQL; the entries are
read back from audit_events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.audit_load import load_actor, load_snapshot, record_load
from models.db import session_scope
from tests.conftest import MINI

runner = CliRunner()


def _load(engine: Engine, *paths: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["load", "--db", url, *map(str, paths)])
    assert result.exit_code == 0, result.output


def _entries(engine: Engine) -> list[tuple[str, str, str, str, str, dict[str, Any]]]:
    with session_scope(engine) as session:
        return [
            (r.actor_role, r.actor_label, r.entity, r.entity_key, r.action, r.changes)
            for r in session.scalars(select(e.AuditEvent).order_by(e.AuditEvent.id))
        ]


def _changed_copy(tmp_path: Path) -> Path:
    """The mini campus with a new capacity, a trainer's new e-mail and one more closure."""
    data = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    hal = next(loc for loc in data["locations"] if loc["key"] == "ww-hal")
    hal["capacity"] = 18
    hal["availability"]["closures"].append(
        {"first": "2027-05-10", "last": "2027-05-11", "reason": "Onderhoud"}
    )
    sanne = next(t for t in data["trainers"] if t["key"] == "t-sanne")
    sanne["email"] = "s.dewit@warmte-west.example"
    path = tmp_path / "campus-v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_first_load_records_one_create_per_entity(engine: Engine) -> None:
    _load(engine, MINI)
    entries = _entries(engine)
    with session_scope(engine) as session:
        expected = (
            len(session.scalars(select(e.Partner)).all())
            + len(session.scalars(select(e.Location)).all())
            + len(session.scalars(select(e.Trainer)).all())
            + len(session.scalars(select(e.EquipmentType)).all())
            + len(session.scalars(select(e.Holiday)).all())
            + len(session.scalars(select(e.ActivityType)).all())
            + len(session.scalars(select(e.Group)).all())
            + len(session.scalars(select(e.Request)).all())
            + len(session.scalars(select(e.TravelOverride)).all())
        )
    assert len(entries) == expected
    assert {(role, label, action) for role, label, _, _, action, _ in entries} == {
        ("cli", "campus load mini-campus.yaml", "create")
    }
    sanne = next(c for _, _, ent, key, _, c in entries if (ent, key) == ("trainer", "t-sanne"))
    assert sanne["name"] == [None, "Sanne de Wit"]
    assert sanne["email"] == [None, "sanne@warmte-west.example"]
    old_absences, new_absences = sanne["absences"]
    assert old_absences is None
    assert [(a["first"], a["last"]) for a in new_absences] == [("2027-03-22", "2027-03-26")]


def test_a_changed_file_records_exactly_the_changed_fields(engine: Engine, tmp_path: Path) -> None:
    _load(engine, MINI)
    first = len(_entries(engine))
    changed = _changed_copy(tmp_path)
    _load(engine, changed)
    new = _entries(engine)[first:]
    label = "campus load campus-v2.yaml"
    by_entity = {(ent, key): (role, lab, action, c) for role, lab, ent, key, action, c in new}
    assert set(by_entity) == {("location", "ww-hal"), ("trainer", "t-sanne")}
    role, lab, action, hal = by_entity["location", "ww-hal"]
    assert (role, lab, action) == ("cli", label, "update")
    closure = {"first": "2027-04-05", "last": "2027-04-09", "reason": "Inventarisatie"}
    assert hal == {
        "capacity": [16, 18],
        "closures": [
            [closure],
            [closure, {"first": "2027-05-10", "last": "2027-05-11", "reason": "Onderhoud"}],
        ],
    }
    assert by_entity["trainer", "t-sanne"] == (
        "cli",
        label,
        "update",
        {"email": ["sanne@warmte-west.example", "s.dewit@warmte-west.example"]},
    )


def test_reloading_the_same_file_records_nothing(engine: Engine, tmp_path: Path) -> None:
    _load(engine, MINI)
    changed = _changed_copy(tmp_path)
    _load(engine, changed)
    count = len(_entries(engine))
    _load(engine, changed)
    assert len(_entries(engine)) == count


def test_a_failed_load_records_nothing(engine: Engine, tmp_path: Path) -> None:
    _load(engine, MINI)
    count = len(_entries(engine))
    bad = tmp_path / "bad.yaml"
    data = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    data["locations"][0]["capacity"] = 99
    data["trainers"][0]["home"] = "no-such-location"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    url = engine.url.render_as_string(hide_password=False)
    assert runner.invoke(app, ["load", "--db", url, str(bad)]).exit_code == 1
    assert len(_entries(engine)) == count


def test_the_actor_label_names_the_files_and_fits_the_column() -> None:
    assert load_actor([Path("/x/1-calendar.yaml"), "2-catalogue.yaml"]).label == (
        "campus load 1-calendar.yaml 2-catalogue.yaml"
    )
    many = [f"file-{i:03}-with-a-long-name.yaml" for i in range(40)]
    label = load_actor(many).label
    assert len(label) <= 200
    assert label.startswith("campus load file-000-with-a-long-name.yaml ")
    assert label.endswith(" more)")


def test_an_entity_that_disappears_is_recorded_as_deleted_with_its_old_values(
    engine: Engine,
) -> None:
    """Loads remove parts of entities today; a whole entity gone is a delete entry all the same."""
    _load(engine, MINI)
    with session_scope(engine) as session:
        before = load_snapshot(session)
        easter = session.scalars(select(e.Holiday).where(e.Holiday.name == "Paasmaandag")).one()
        session.delete(easter)
        assert record_load(session, before, load_actor(["x.yaml"])) == 1
    deleted = _entries(engine)[-1]
    assert deleted == (
        "cli",
        "campus load x.yaml",
        "holiday",
        "2027-03-29/Paasmaandag",
        "delete",
        {
            "first": ["2027-03-29", None],
            "kind": ["public", None],
            "last": ["2027-03-29", None],
            "name": ["Paasmaandag", None],
        },
    )
