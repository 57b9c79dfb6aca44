"""Bad scenario input gets one precise message per problem: file, path and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.scenario import KnownKeys, ScenarioError, check_scenarios, read_scenario

BASE = """\
partners:
  - {key: acme, name: Acme Installaties, kind: company}
  - {key: school-a, name: Vmbo A, kind: school}
equipment:
  - {code: rig, name: Rig, team: W}
locations:
  - key: hall
    partner: acme
    name: Hall
    lat: 52.37
    lon: 4.89
    capacity: 16
activities:
  - {code: WS, title: Workshop, kind: workshop, audience: vmbo, duration_minutes: 120}
groups:
  - {key: g1, school: school-a, name: 3 BB-a, headcount: 12}
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    """Every problem reported for ``text``, read and cross-checked like `campus load` does."""
    path = tmp_path / "campus.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        check_scenarios([(str(path), read_scenario(path))], KnownKeys())
    return [str(p).removeprefix(f"{path}: ") for p in caught.value.problems]


def test_the_base_scenario_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(BASE, encoding="utf-8")
    check_scenarios([(str(path), read_scenario(path))], KnownKeys())


def test_capacity_must_be_positive(tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: -2")
    assert problems(tmp_path, text) == ["locations[0].capacity: must be > 0 (got -2)"]


def test_capacity_of_the_wrong_type(tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: many")
    assert problems(tmp_path, text) == [
        "locations[0].capacity: must be a whole number (got 'many')"
    ]


def test_unknown_group_in_a_request(tmp_path: Path) -> None:
    text = BASE + (
        "requests:\n"
        "  - {key: r1, activity: WS, groups: [x-3b], earliest: 2027-03-01, latest: 2027-03-31}\n"
    )
    assert problems(tmp_path, text) == ["requests[0].groups[0]: no group 'x-3b'"]


def test_unknown_partner_of_a_location(tmp_path: Path) -> None:
    text = BASE.replace("partner: acme", "partner: acme-bv")
    assert problems(tmp_path, text) == ["locations[0].partner: no partner 'acme-bv'"]


def test_unknown_equipment_at_a_location(tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: 16\n    equipment: {pv-set: 2}")
    assert problems(tmp_path, text) == ["locations[0].equipment.pv-set: no equipment 'pv-set'"]


def test_overlapping_weekly_windows(tmp_path: Path) -> None:
    text = BASE.replace(
        "capacity: 16",
        "capacity: 16\n"
        "    availability:\n"
        "      weekly:\n"
        "        - {weekday: tue, start: '09:00', end: '12:00'}\n"
        "        - {weekday: tue, start: '11:00', end: '15:00'}\n",
    )
    assert problems(tmp_path, text) == [
        "locations[0].availability.weekly[1]: overlaps weekly[0] on the same weekday"
    ]


def test_window_that_ends_before_it_starts(tmp_path: Path) -> None:
    text = BASE.replace(
        "capacity: 16",
        "capacity: 16\n"
        "    availability:\n"
        "      weekly: [{weekday: wed, start: '15:00', end: '13:00'}]\n",
    )
    assert problems(tmp_path, text) == [
        "locations[0].availability.weekly[0]: end 13:00 is not after start 15:00"
    ]


def test_time_outside_the_day(tmp_path: Path) -> None:
    text = BASE.replace(
        "capacity: 16",
        "capacity: 16\n"
        "    availability:\n"
        "      weekly: [{weekday: wed, start: '13:00', end: '25:00'}]\n",
    )
    assert problems(tmp_path, text) == [
        "locations[0].availability.weekly[0].end: must be a time of day HH:MM between "
        "00:00 and 23:59 (got '25:00')"
    ]


def test_unknown_weekday(tmp_path: Path) -> None:
    text = BASE.replace(
        "capacity: 16",
        "capacity: 16\n"
        "    availability:\n"
        "      weekly: [{weekday: tuesdai, start: '13:00', end: '15:00'}]\n",
    )
    assert problems(tmp_path, text) == [
        "locations[0].availability.weekly[0].weekday: unknown weekday 'tuesdai': "
        "use one of mon, tue, wed, thu, fri, sat, sun"
    ]


def test_duplicate_keys_in_a_section(tmp_path: Path) -> None:
    text = BASE + "  - {key: g1, school: school-a, name: 3 BB-b, headcount: 14}\n"
    assert problems(tmp_path, text) == [
        f"groups[1].key: duplicate key 'g1' (first defined at {tmp_path / 'campus.yaml'}: "
        "groups[0].key)"
    ]


def test_duplicate_field_in_one_mapping(tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: 16\n    capacity: 20")
    assert problems(tmp_path, text) == ["line 13: duplicate field 'capacity' in the same mapping"]


def test_misspelled_field(tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: 16\n    capcity: 20")
    assert problems(tmp_path, text) == [
        "locations[0].capcity: unknown field (check the spelling against docs/scenario.md)"
    ]


def test_missing_required_field(tmp_path: Path) -> None:
    text = BASE.replace("    name: Hall\n", "")
    assert problems(tmp_path, text) == ["locations[0].name: is required but missing"]


def test_request_that_ends_before_it_starts(tmp_path: Path) -> None:
    text = BASE + (
        "requests:\n"
        "  - {key: r1, activity: WS, groups: [g1], earliest: 2027-03-31, latest: 2027-03-01}\n"
    )
    assert problems(tmp_path, text) == [
        "requests[0]: latest 2027-03-01 is before earliest 2027-03-31"
    ]


def test_malformed_date(tmp_path: Path) -> None:
    text = BASE + (
        "requests:\n"
        "  - {key: r1, activity: WS, groups: [g1], earliest: 31-03-2027, latest: 2027-04-01}\n"
    )
    assert problems(tmp_path, text) == [
        "requests[0].earliest: must be a date YYYY-MM-DD (got '31-03-2027')"
    ]


def test_unknown_partner_kind(tmp_path: Path) -> None:
    text = BASE.replace("kind: company", "kind: bakery")
    assert problems(tmp_path, text) == [
        "partners[0].kind: must be one of 'company', 'school', 'association', 'fund', "
        "'knowledge_institute' or 'other' (got 'bakery')"
    ]


def test_group_of_a_partner_that_is_not_a_school(tmp_path: Path) -> None:
    text = BASE.replace("school: school-a", "school: acme")
    assert problems(tmp_path, text) == [
        "groups[0].school: partner 'acme' is a company, not a school"
    ]


def test_newer_format_version(tmp_path: Path) -> None:
    assert problems(tmp_path, "version: 2\n" + BASE) == [
        "version: this TIC Planner reads version 1 (got 2)"
    ]


def test_invalid_yaml(tmp_path: Path) -> None:
    assert problems(tmp_path, "partners: [\n  {key: a\n") == [
        "line 3, column 1: not valid YAML: expected ',' or '}', but got '<stream end>'"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: 0").replace("headcount: 12", "headcount: -1")
    assert problems(tmp_path, text) == [
        "locations[0].capacity: must be > 0 (got 0)",
        "groups[0].headcount: must be > 0 (got -1)",
    ]


def test_24_00_is_not_a_time_of_day(tmp_path: Path) -> None:
    text = BASE.replace(
        "capacity: 16",
        "capacity: 16\n"
        "    availability:\n"
        "      weekly: [{weekday: wed, start: '18:00', end: '24:00'}]\n",
    )
    assert problems(tmp_path, text) == [
        "locations[0].availability.weekly[0].end: must be a time of day HH:MM between "
        "00:00 and 23:59 (got '24:00')"
    ]


def test_text_longer_than_the_database_column(tmp_path: Path) -> None:
    text = BASE.replace("name: Hall", "name: " + "H" * 201)
    assert problems(tmp_path, text) == [
        "locations[0].name: must be at most 200 characters (got 201)"
    ]


def test_travel_given_twice_for_the_same_pair_either_way(tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: 16\n  - {key: lab, partner: acme, name: Lab, "
                        "lat: 52.4, lon: 4.9, capacity: 8}")  # fmt: skip
    text += (
        "travel:\n  - {from: hall, to: lab, minutes: 20}\n  - {from: lab, to: hall, minutes: 30}\n"
    )
    assert problems(tmp_path, text) == [
        f"travel[1]: duplicate key 'hall <-> lab' (first defined at {tmp_path / 'campus.yaml'}: "
        "travel[0])"
    ]


def test_a_one_off_window_in_the_hour_the_clocks_skip(tmp_path: Path) -> None:
    # 2027-03-28 02:00-03:00 does not exist in Amsterdam; a window across it is fine
    text = BASE.replace(
        "capacity: 16",
        "capacity: 16\n"
        "    availability:\n"
        "      one_off:\n"
        "        - {date: 2027-03-28, start: '01:00', end: '04:00'}\n"
        "        - {date: 2027-03-28, start: '02:30', end: '05:00'}\n"
        "        - {date: 2027-03-21, start: '02:30', end: '05:00'}\n"
        "        - {date: 2027-03-28, start: '00:30', end: '02:15'}\n",
    )
    assert problems(tmp_path, text) == [
        "locations[0].availability.one_off[1]: 2027-03-28 02:30-05:00 lies in the hour the "
        "clocks skip (02:00-03:00 does not exist that day)",
        "locations[0].availability.one_off[3]: 2027-03-28 00:30-02:15 lies in the hour the "
        "clocks skip (02:00-03:00 does not exist that day)",
    ]
