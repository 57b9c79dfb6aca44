"""Loading scenario files into the database and writing them back out."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from models import entities as e
from models.db import session_scope
from models.scenario import ScenarioError
from models.store import dump_scenario, export_scenario, load_files
from tests.conftest import MINI


def count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_load_creates_every_entity_of_the_file(engine: Engine) -> None:
    with session_scope(engine) as session:
        summary = load_files(session, [MINI])
    assert summary.created == {
        "equipment": 3, "holidays": 2, "partners": 4, "locations": 3, "trainers": 2,
        "activities": 3, "groups": 2, "requests": 3, "travel": 1,
    }  # fmt: skip
    with session_scope(engine) as session:
        hall = session.scalars(select(e.Location).filter_by(key="ww-hal")).one()
        assert hall.partner.key == "warmte-west"
        assert {q.equipment_type.code: q.quantity for q in hall.equipment} == {
            "heat-pump-rig": 2,
            "bim-station": 8,
        }
        assert [(w.weekday, str(w.start), str(w.end)) for w in hall.windows][:2] == [
            (2, "13:00:00", "17:00:00"),
            (4, "13:00:00", "17:00:00"),
        ]
        ahmed = session.scalars(select(e.Trainer).filter_by(key="t-ahmed")).one()
        assert ahmed.max_minutes_per_week == 510  # 8.5 hours
        combined = session.scalars(select(e.Request).filter_by(key="r-gl-1")).one()
        assert [rg.group.key for rg in combined.groups] == ["vz-3bb-a", "vz-3kb-b"]


def test_loading_twice_updates_instead_of_duplicating(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    with session_scope(engine) as session:
        summary = load_files(session, [MINI])
    assert summary.created == {}
    assert summary.updated["locations"] == 3
    assert count(engine, e.Location) == 3
    assert count(engine, e.LocationWindow) == 5  # 3 at ww-hal, 2 at en-lab
    assert count(engine, e.RequestGroup) == 4


def test_reload_applies_a_changed_value(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        "locations:\n"
        "  - {key: en-lab, partner: elektro-noord, name: E-lab Noord, lat: 52.4, lon: 4.93,\n"
        "     capacity: 14}\n",
        encoding="utf-8",
    )
    with session_scope(engine) as session:
        load_files(session, [changed], replace=True)  # it drops en-lab's equipment and windows
    with session_scope(engine) as session:
        lab = session.scalars(select(e.Location).filter_by(key="en-lab")).one()
        assert lab.capacity == 14
        assert lab.equipment == []  # the file is the truth for the entities it names


def test_export_then_load_round_trips_to_the_same_data(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    with session_scope(engine) as session:
        first = dump_scenario(export_scenario(session))
    exported = tmp_path / "export.yaml"
    exported.write_text(first, encoding="utf-8")
    # Loading the export into the same database changes nothing...
    with session_scope(engine) as session:
        summary = load_files(session, [exported])
        assert summary.created == {}
    with session_scope(engine) as session:
        assert dump_scenario(export_scenario(session)) == first


def test_export_loads_into_a_fresh_database_identically(tmp_path: Path) -> None:
    from models.db import make_engine
    from models.migrate import upgrade

    engines = []
    for name in ("a", "b"):
        eng = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(eng)
        engines.append(eng)
    with session_scope(engines[0]) as session:
        load_files(session, [MINI])
        text = dump_scenario(export_scenario(session))
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    with session_scope(engines[1]) as session:
        load_files(session, [tmp_path / "x.yaml"])
        assert dump_scenario(export_scenario(session)) == text


def test_a_bad_second_file_imports_nothing_from_the_first(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups:\n  - {key: g1, school: nobody, name: x, headcount: 3}\n")
    with pytest.raises(ScenarioError) as caught, session_scope(engine) as session:
        load_files(session, [MINI, bad])
    assert str(caught.value) == f"{bad}: groups[0].school: no partner 'nobody'"
    assert count(engine, e.Partner) == 0
    assert count(engine, e.Location) == 0


def test_files_may_refer_to_entities_already_in_the_database(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "groups:\n"
        "  - {key: vz-4bb, school: vmbo-zuidoost, name: 4 BB, headcount: 17, home: vz-school}\n"
        "requests:\n"
        "  - {key: r-new, activity: WS-WARMTEPOMP, groups: [vz-4bb],\n"
        "     earliest: 2027-05-10, latest: 2027-05-28}\n",
        encoding="utf-8",
    )
    with session_scope(engine) as session:
        load_files(session, [extra])
    assert count(engine, e.Request) == 4


def test_files_may_refer_to_each_other_in_any_order(engine: Engine, tmp_path: Path) -> None:
    requests = tmp_path / "a-requests.yaml"
    requests.write_text(
        "requests:\n"
        "  - {key: r-x, activity: WS, groups: [g-x], earliest: 2027-05-10, latest: 2027-05-28}\n",
        encoding="utf-8",
    )
    campus = tmp_path / "b-campus.yaml"
    campus.write_text(
        "partners: [{key: s, name: School, kind: school}]\n"
        "activities:\n"
        "  - {code: WS, title: W, kind: workshop, audience: vmbo, duration_minutes: 60}\n"
        "groups: [{key: g-x, school: s, name: 3A, headcount: 10}]\n",
        encoding="utf-8",
    )
    with session_scope(engine) as session:
        load_files(session, [requests, campus])
    assert count(engine, e.Request) == 1


CHILD_ROWS = (
    e.LocationWindow, e.LocationOneOffWindow, e.LocationClosure, e.TrainerWindow,
    e.TrainerAbsence, e.GroupWindow,
)  # fmt: skip


def child_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every window, closure and absence with its id, table by table."""
    with session_scope(engine) as session:
        return {
            model.__tablename__: sorted(
                tuple(row) for row in session.execute(select(model.__table__))
            )
            for model in CHILD_ROWS
        }


def test_reloading_keeps_the_ids_of_windows_closures_and_absences(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    before = child_rows(engine)
    assert all(before.values())  # the mini campus has rows of every kind
    with session_scope(engine) as session:
        load_files(session, [MINI])
    assert child_rows(engine) == before
    # a changed window is updated in place: same id, new end
    changed = tmp_path / "changed.yaml"
    text = MINI.read_text(encoding="utf-8")
    assert text.count('{weekday: tue, start: "13:00", end: "17:00"}') == 1
    changed.write_text(
        text.replace('{weekday: tue, start: "13:00", end: "17:00"}',
                     '{weekday: tue, start: "13:00", end: "16:00"}'),
        encoding="utf-8",
    )  # fmt: skip
    with session_scope(engine) as session:
        load_files(session, [changed], replace=True)  # the 13:00-17:00 window is no more
    after = child_rows(engine)
    assert [row[0] for row in after["location_windows"]] == [
        row[0] for row in before["location_windows"]
    ]
    with session_scope(engine) as session:
        hall = session.scalars(select(e.Location).filter_by(key="ww-hal")).one()
        assert str(hall.windows[0].end) == "16:00:00"
