"""What a load would remove from the entities its files name, and that it needs ``replace``.

The file is the truth for every entity it names, so a list it gives replaces the stored one
and a field it leaves out gets its default: each such loss is found before anything is
written (models/removals.py), and ``load_files`` refuses it unless ``replace=True``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from sqlalchemy import Engine, func, select

from models import entities as e
from models import scenario as s
from models.db import session_scope
from models.removals import RemovalsRefused
from models.store import export_scenario, find_removals, load_files
from tests.conftest import MINI

SECTIONS = ("equipment", "holidays", "partners", "locations", "trainers", "activities",
            "groups", "requests", "travel")  # fmt: skip


@pytest.fixture
def mini(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    return engine


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "part.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def removals(engine: Engine, path: Path) -> dict[str, tuple[int, list[str]]]:
    """Path -> (count, items) of what loading ``path`` would remove."""
    with session_scope(engine) as session:
        found, _ = find_removals(session, [(str(path), s.read_scenario(path))])
    return {r.path: (r.count, list(r.items)) for r in found}


def test_each_entity_named_with_only_its_required_fields_loses_the_rest(
    mini: Engine, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "equipment: [{code: heat-pump-rig, name: Warmtepomp-opstelling}]\n"
        "holidays: [{name: Meivakantie, first: 2027-04-24, last: 2027-05-02}]\n"
        "partners: [{key: warmte-west, name: Warmte West B.V., kind: company}]\n"
        "trainers: [{key: t-sanne, partner: warmte-west, name: Sanne de Wit}]\n"
        "activities:\n"
        "  - {code: WS-WARMTEPOMP, title: Workshop warmtepomp, kind: workshop, audience: vmbo,\n"
        "     duration_minutes: 180}\n"
        "groups: [{key: vz-3bb-a, school: vmbo-zuidoost, name: 3 BB-a, headcount: 14}]\n"
        "requests:\n"
        "  - {key: r-ws-1, activity: WS-WARMTEPOMP, groups: [vz-3bb-a], earliest: 2027-03-15,\n"
        "     latest: 2027-04-09}\n",
    )
    assert removals(mini, path) == {
        "equipment[heat-pump-rig].team": (1, []),
        "holidays[Meivakantie 2027-04-24].kind": (1, []),
        "partners[warmte-west].address": (1, []),
        "partners[warmte-west].contact.name": (1, []),
        "partners[warmte-west].contact.email": (1, []),
        "partners[warmte-west].contact.phone": (1, []),
        "trainers[t-sanne].email": (1, []),
        "trainers[t-sanne].qualifications": (2, ["W-basis", "W-heatpump"]),
        "trainers[t-sanne].certified": (1, []),
        "trainers[t-sanne].max_hours_per_week": (1, []),
        "trainers[t-sanne].home": (1, []),
        "trainers[t-sanne].availability.weekly": (2, [
            "{weekday: tue, start: '08:00', end: '18:00'}",
            "{weekday: thu, start: '08:00', end: '18:00'}",
        ]),
        "trainers[t-sanne].availability.absences": (1, [
            "{first: 2027-03-22, last: 2027-03-26, reason: training}"  # stored as its category
        ]),
        "activities[WS-WARMTEPOMP].team": (1, []),
        "activities[WS-WARMTEPOMP].equipment": (1, ["{code: heat-pump-rig}"]),
        "activities[WS-WARMTEPOMP].min_participants": (1, []),
        "activities[WS-WARMTEPOMP].max_participants": (1, []),
        "activities[WS-WARMTEPOMP].qualification": (1, []),
        "activities[WS-WARMTEPOMP].participants_per_trainer": (1, []),
        "groups[vz-3bb-a].level": (1, []),
        "groups[vz-3bb-a].home": (1, []),
        "groups[vz-3bb-a].max_travel_minutes": (1, []),
        "groups[vz-3bb-a].availability.weekly": (2, [
            "{weekday: tue, start: '08:30', end: '16:00'}",
            "{weekday: thu, start: '08:30', end: '16:00'}",
        ]),
        "requests[r-ws-1].priority": (1, []),
        "requests[r-ws-1].preferences.weekdays": (1, ["tue"]),
        "requests[r-ws-1].preferences.time_of_day": (1, []),
        "requests[r-ws-1].preferences.partners": (1, ["warmte-west"]),
    }  # fmt: skip


def _set_fields(item: BaseModel, path: str) -> set[str]:
    """Paths of every field ``item`` holds a non-default value in, nested models walked."""
    out = set()
    for name, value in item.model_dump(exclude_defaults=True, by_alias=True).items():
        field = getattr(item, "from_" if name == "from" else name)
        if isinstance(field, BaseModel):
            out |= _set_fields(field, f"{path}.{name}")
        elif value not in ([], {}):
            out.add(f"{path}.{name}")
    return out


def label(section: str, item: Any) -> str:
    """How a removal's path names the entity: its key, code, name and day, or pair."""
    if section == "holidays":
        return f"{item.name} {item.first}"
    if section == "travel":
        return " <-> ".join(sorted((item.from_, item.to)))
    return str(getattr(item, "code", None) or item.key)


def test_every_stored_field_a_file_leaves_out_is_reported(mini: Engine, tmp_path: Path) -> None:
    """Driven by the format's models, so a list or field added to them is checked too."""
    with session_scope(mini) as session:
        stored = export_scenario(session)
    minimal: dict[str, list[dict[str, Any]]] = {}
    expected: set[str] = set()
    for section in SECTIONS:
        for item in getattr(stored, section):
            fields = type(item).model_fields
            required = {
                (info.alias or name): getattr(item, name)
                for name, info in fields.items()
                if info.is_required()
            }
            minimal.setdefault(section, []).append(required)
            optional = _set_fields(item, f"{section}[{label(section, item)}]")
            expected |= {p for p in optional if p.split(".", 1)[1] not in required}
    data = s.Scenario.model_validate(minimal).model_dump(
        mode="json", by_alias=True, exclude_defaults=True
    )
    path = write(tmp_path, yaml.safe_dump(data))
    assert set(removals(mini, path)) == expected
    assert "locations[ww-hal].availability.closures" in expected  # the walk reaches lists


def test_what_a_file_states_is_an_update_never_a_removal(mini: Engine, tmp_path: Path) -> None:
    # Windows in another order, equipment quantities and a request's groups changed,
    # fields stated with new values (an empty address too), and only ww-hal named.
    path = write(
        tmp_path,
        "locations:\n"
        "  - key: ww-hal\n"
        "    partner: warmte-west\n"
        "    name: Hal\n"
        "    address: ''\n"
        "    lat: 52.0\n"
        "    lon: 4.0\n"
        "    capacity: 3\n"
        "    buffer_minutes: 0\n"
        "    equipment: {heat-pump-rig: 1, bim-station: 9, switchboard: 1}\n"
        "    availability:\n"
        "      weekly:\n"
        "        - {weekday: wed, start: '18:00', end: '21:30', valid_from: 2027-01-01}\n"
        "        - {weekday: thu, start: '13:00', end: '17:00'}\n"
        "        - {weekday: tue, start: '13:00', end: '17:00'}\n"
        "      one_off: [{date: 2027-03-19, start: '09:00', end: '12:00'}]\n"
        "      closures: [{first: 2027-04-05, last: 2027-04-09, reason: Inventarisatie}]\n"
        "activities:\n"
        "  - {code: WS-WARMTEPOMP, title: x, kind: workshop, audience: vmbo, team: W,\n"
        "     duration_minutes: 60, min_participants: 8, max_participants: 16,\n"
        "     qualification: W-heatpump, participants_per_trainer: 12,\n"
        "     equipment: [{code: heat-pump-rig, quantity: 3, per: participant}]}\n"
        "requests:\n"
        "  - {key: r-gl-1, activity: GL-TECHNIEK, groups: [vz-3kb-b, vz-3bb-a],\n"
        "     earliest: 2027-03-15, latest: 2027-03-31, priority: 2,\n"
        "     preferences: {locations: [vz-school]}}\n",
    )
    assert removals(mini, path) == {}


def test_a_changed_window_counts_as_the_old_one_removed(mini: Engine, tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8")
    old = '{weekday: tue, start: "13:00", end: "17:00"}'
    path = write(tmp_path, text.replace(old, '{weekday: tue, start: "13:00", end: "18:00"}'))
    assert removals(mini, path) == {
        "locations[ww-hal].availability.weekly": (
            1, ["{weekday: tue, start: '13:00', end: '17:00'}"]
        )
    }


def test_the_python_api_refuses_removals_unless_replace_is_given(
    mini: Engine, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "trainers:\n"
        "  - {key: t-ahmed, partner: elektro-noord, name: Ahmed El Amrani,\n"
        "     max_hours_per_week: 8.5, home: en-lab}\n",
    )
    with pytest.raises(RemovalsRefused) as caught, session_scope(mini) as session:
        load_files(session, [path])
    assert str(caught.value) == (
        f"{path}: trainers[t-ahmed].qualifications: 1 qualification not in the file will be removed"
    )
    assert caught.value.count == 1
    with session_scope(mini) as session:
        assert session.scalar(select(func.count()).select_from(e.TrainerQualification)) == 3
        summary = load_files(session, [path], dry_run=True)
        assert [r.path for r in summary.removed] == ["trainers[t-ahmed].qualifications"]
        assert summary.updated == {"trainers": 1} and summary.created == {}
    with session_scope(mini) as session:
        assert session.scalar(select(func.count()).select_from(e.TrainerQualification)) == 3
        summary = load_files(session, [path], replace=True)
        assert [r.items for r in summary.removed] == [("E-basis",)]
    with session_scope(mini) as session:
        ahmed = session.scalars(select(e.Trainer).filter_by(key="t-ahmed")).one()
        assert ahmed.qualifications == []


def test_a_load_into_an_empty_database_or_of_new_entities_removes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        summary = load_files(session, [MINI])
    assert summary.removed == []
    path = write(
        tmp_path,
        "groups: [{key: vz-4bb, school: vmbo-zuidoost, name: 4 BB, headcount: 17}]\n",
    )
    with session_scope(engine) as session:
        assert load_files(session, [path]).removed == []
