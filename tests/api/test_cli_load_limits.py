"""`campus load` on hostile or broken files: one FILE: PATH: REASON line, never a traceback.

One test per input that used to crash or hang (issue 22), the numeric bounds, control
characters and the version rule, each run through the command line as a planner runs it.
"""

from __future__ import annotations

import codecs
import traceback
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from models import scenario
from models.db import make_engine
from models.migrate import upgrade
from models.text import excerpt, multi_line, single_line

runner = CliRunner()

BASE = """\
partners:
  - {key: acme, name: Acme Installaties, kind: company}
  - {key: school-a, name: Vmbo A, kind: school}
locations:
  - {key: hall, partner: acme, name: Hall, lat: 52.37, lon: 4.89, capacity: 16}
trainers:
  - {key: t1, partner: acme, name: Trainer, max_hours_per_week: 20}
activities:
  - {code: WS, title: Workshop, kind: workshop, audience: vmbo, duration_minutes: 120}
groups:
  - {key: g1, school: school-a, name: 3 BB-a, headcount: 12}
requests:
  - {key: r1, activity: WS, groups: [g1], earliest: 2027-03-01, latest: 2027-03-31}
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database for the module: every load here is refused, so it stays empty."""
    url = f"sqlite:///{tmp_path_factory.mktemp('limits') / 'campus.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def load(db: str, path: Path) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["load", "--db", db, str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(result.exception)))
    return result.exit_code, result.stderr.splitlines()


def problems(db: str, tmp_path: Path, content: str | bytes) -> list[str]:
    """The problems `campus load` reports for a file, without the file name in front."""
    path = tmp_path / "campus.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    code, lines = load(db, path)
    assert code == 1, lines
    assert lines[-1] == f"error: nothing was imported ({len(lines) - 1} problem(s))"
    assert all(line.startswith(f"{path}: ") for line in lines[:-1]), lines
    return [line.removeprefix(f"{path}: ") for line in lines[:-1]]


def test_the_base_file_loads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ok.db'}"
    path = tmp_path / "ok.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load(url, path)[0] == 0


# ------------------------------------------------------------- the repros


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("earliest: 2027-03-01", "earliest: 2027-02-30"),
            "requests[0].earliest: is not a day of the calendar "
            "(got '2027-02-30': day value is outside expected range)",
        ),
        (
            ("capacity: 16", "capacity: 9223372036854775808"),
            "locations[0].capacity: must be <= 1000 (got 9223372036854775808)",
        ),
        (
            ("capacity: 16", "capacity: .inf"),
            "locations[0].capacity: must be a finite number (got inf)",
        ),
        (
            ("capacity: 16", "capacity: 1e308"),
            "locations[0].capacity: must be a whole number (got '1e308')",
        ),
        (
            ("capacity: 16", "capacity: 1.0e+308"),
            "locations[0].capacity: must be a whole number (got 1e+308)",
        ),
        (
            ("max_hours_per_week: 20", "max_hours_per_week: .inf"),
            "trainers[0].max_hours_per_week: must be a finite number (got inf)",
        ),
        (("lat: 52.37", "lat: .nan"), "locations[0].lat: must be a finite number (got nan)"),
        (
            ("capacity: 16", "capacity: 0x" + "f" * 5000),
            "locations[0].capacity: must be <= 1000 (got <a 20000-bit integer>)",
        ),
    ],
    ids=["no-such-day", "2**63", "inf", "1e308", "1.0e+308", "inf-hours", "nan", "huge-hex"],
)
def test_impossible_values_are_reported_at_their_path(
    db: str, tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    assert problems(db, tmp_path, BASE.replace(*change)) == [expected]


def test_a_decimal_number_too_long_to_read(db: str, tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: " + "9" * 5000)
    assert problems(db, tmp_path, text) == [
        "line 5, column 77: not valid YAML: cannot read "
        "'999999999999999999999999999...9999999999999999999999999999' as a whole number"
    ]


def test_latin_1_file(db: str, tmp_path: Path) -> None:
    text = BASE.replace("Acme Installaties", "Acme Installaties école").encode("latin-1")
    assert problems(db, tmp_path, text) == [
        "line 2, column 41: not UTF-8 text (byte 0xe9): save the file as UTF-8"
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf_16_and_32_files(db: str, tmp_path: Path, encoding: str) -> None:
    data = BASE.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    expected = "is UTF-32 text" if "32" in encoding else "is UTF-16 text"
    assert problems(db, tmp_path, data) == [f"{expected}: save it as UTF-8"]


def test_a_utf_8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(codecs.BOM_UTF8 + BASE.encode("utf-8"))
    assert load(f"sqlite:///{tmp_path / 'bom.db'}", path)[0] == 0


def test_binary_files(db: str, tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert problems(db, tmp_path, png) == [
        "line 1, column 1: not UTF-8 text (byte 0x89): save the file as UTF-8"
    ]
    # valid UTF-8, but with a NUL byte YAML does not allow
    assert problems(db, tmp_path, b"name: a\x00b\n") == [
        "line 1, column 8: not valid YAML: character U+0000 is not allowed in a YAML file"
    ]


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_3000_deep_nesting(db: str, tmp_path: Path, opening: str) -> None:
    closing = {"[": "]", "{a: ": "}", "- ": ""}[opening]
    if opening == "- ":  # block style: "- - - x" is a list in a list in a list
        text = "name:\n  " + "- " * 3000 + "x\n"
    else:
        text = "name: " + opening * 3000 + "x" + closing * 3000 + "\n"
    (reason,) = problems(db, tmp_path, text)
    assert reason.endswith(f"nested more than {scenario.MAX_DEPTH} levels deep")


def test_a_list_as_a_field_name(db: str, tmp_path: Path) -> None:
    assert problems(db, tmp_path, "? [a, b]\n: 1\n") == [
        "line 1: a field name must be text, not a list or mapping"
    ]


def test_an_explicit_int_tag_on_no_number(db: str, tmp_path: Path) -> None:
    assert problems(db, tmp_path, "version: !!int 0x\n") == [
        "line 1, column 10: not valid YAML: cannot read '0x' as a whole number"
    ]


def test_an_explicit_timestamp_tag_on_no_day(db: str, tmp_path: Path) -> None:
    assert problems(db, tmp_path, "name: !!timestamp 2027-02-30\n") == [
        "line 1, column 7: not valid YAML: cannot read '2027-02-30' as timestamp: "
        "day is out of range for month"
    ]


def test_publish_of_a_run_number_beyond_any_id(db: str) -> None:
    result = runner.invoke(app, ["publish", "999999999999999999999", "--db", db])
    assert result.exit_code == 1
    assert "there is no solve run 999999999999999999999" in result.stderr


# ------------------------------------------------------------------- alias bombs


def bomb(width: int, depth: int) -> str:
    """A billion-laughs document: ``width ** depth`` strings once the aliases are expanded."""
    lines = ["x:", "  - &a0 lol"]
    lines += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth + 1)]
    return "\n".join(lines) + f"\npartners:\n  - {{key: a, name: *a{depth}, kind: company}}\n"


@pytest.mark.parametrize("depth", [6, 9])
def test_billion_laughs_is_refused_before_it_is_expanded(
    db: str, tmp_path: Path, depth: int
) -> None:
    path = tmp_path / "campus.yaml"
    path.write_text(bomb(9, depth), encoding="utf-8")
    code, lines = load(db, path)
    assert code == 1
    assert lines == [
        f"{path}: its aliases (*name) repeat more than {scenario.MAX_ALIAS_NODES} values: "
        "write the shared parts out instead",
        "error: nothing was imported (1 problem(s))",
    ]


def test_an_alias_inside_itself(db: str, tmp_path: Path) -> None:
    assert problems(db, tmp_path, "name: x\nx: &a [1, *a]\n") == [
        "line 2: an alias refers to the value that contains it"
    ]


SHARED = BASE.replace(
    "capacity: 16}",
    "capacity: 16,\n     availability: {weekly: &office [{weekday: tue, start: '09:00', "
    "end: '17:00'}, {weekday: wed, start: '09:00', end: '17:00'}]}}\n"
    "  - {key: lab, partner: acme, name: Lab, lat: 52.4, lon: 4.9, capacity: 8,\n"
    "     availability: {weekly: *office}}",
)


def test_aliases_that_share_a_little_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(SHARED, encoding="utf-8")
    assert load(f"sqlite:///{tmp_path / 'a.db'}", path)[0] == 0
    # the alias repeats 15 values (a list of two mappings of three keys and three values):
    # a budget of 14 refuses it, 15 lets it pass
    monkeypatch.setattr(scenario, "MAX_ALIAS_NODES", 14)
    assert problems(f"sqlite:///{tmp_path / 'b.db'}", tmp_path, SHARED) == [
        "its aliases (*name) repeat more than 14 values: write the shared parts out instead"
    ]
    monkeypatch.setattr(scenario, "MAX_ALIAS_NODES", 15)
    assert load(f"sqlite:///{tmp_path / 'c.db'}", path)[0] == 0


def test_a_long_bad_value_is_echoed_only_as_an_excerpt(db: str, tmp_path: Path) -> None:
    text = BASE.replace("capacity: 16", "capacity: [" + ", ".join(["many"] * 10_000) + "]")
    (reason,) = problems(db, tmp_path, text)
    assert reason == (
        "locations[0].capacity: must be a whole number (got ['many', 'many', 'many', 'many', ...])"
    )


def test_a_file_over_the_size_limit(db: str, tmp_path: Path) -> None:
    text = BASE + "# " + "x" * scenario.MAX_FILE_BYTES + "\n"
    assert problems(db, tmp_path, text) == [
        "is larger than the limit of 4 MiB (4194304 bytes): split it into several files"
    ]


# ------------------------------------------------------------------ numeric bounds

AT_THE_LIMITS = (
    ("capacity: 16", "capacity: 1000, buffer_minutes: 1440, equipment: {rig: 1000}"),
    ("headcount: 12", "headcount: 1000, max_travel_minutes: 1440"),
    ("max_hours_per_week: 20", "max_hours_per_week: 168"),
    (
        "duration_minutes: 120",
        "duration_minutes: 1440, sessions: 100, min_days_between: 366, max_days_between: 366, "
        "max_participants: 1000, participants_per_trainer: 1000, min_distinct_days: 100, "
        "equipment: [{code: rig, quantity: 1000}]",
    ),
    ("latest: 2027-03-31", "latest: 2027-03-31, priority: 100, note: " + "n" * 2000),
)
EQUIPMENT = "equipment:\n  - {code: rig, name: Rig}\n"
TRAVEL = "  - {key: lab, partner: acme, name: Lab, lat: 52.4, lon: 4.9, capacity: 8}\n"


def with_changes(changes: tuple[tuple[str, str], ...]) -> str:
    text = EQUIPMENT + BASE.replace("trainers:", TRAVEL + "trainers:")
    for old, new in changes:
        text = text.replace(old, new)
    return text


def test_every_number_at_its_upper_bound_loads(tmp_path: Path) -> None:
    path = tmp_path / "limits.yaml"
    travel = "travel: [{from: hall, to: lab, minutes: 1440}]\n"
    path.write_text(with_changes(AT_THE_LIMITS) + travel, encoding="utf-8")
    assert load(f"sqlite:///{tmp_path / 'limits.db'}", path)[0] == 0


def test_every_number_over_its_upper_bound_is_refused(db: str, tmp_path: Path) -> None:
    over = tuple(
        (old, new.replace("1000", "1001").replace("1440", "1441").replace("168", "168.5")
         .replace("100,", "101,").replace("366", "367").replace("priority: 100", "priority: 101")
         .replace("n" * 2000, "n" * 2001))
        for old, new in AT_THE_LIMITS
    )  # fmt: skip
    text = with_changes(over) + "travel: [{from: hall, to: lab, minutes: 1441}]\n"
    assert problems(db, tmp_path, text) == [
        "locations[0].capacity: must be <= 1000 (got 1001)",
        "locations[0].buffer_minutes: must be <= 1440 (got 1441)",
        "locations[0].equipment.rig: must be <= 1000 (got 1001)",
        "trainers[0].max_hours_per_week: must be <= 168 (got 168.5)",
        "activities[0].sessions: must be <= 100 (got 101)",
        "activities[0].duration_minutes: must be <= 1440 (got 1441)",
        "activities[0].min_days_between: must be <= 366 (got 367)",
        "activities[0].max_days_between: must be <= 366 (got 367)",
        "activities[0].equipment[0].quantity: must be <= 1000 (got 1001)",
        "activities[0].max_participants: must be <= 1000 (got 1001)",
        "activities[0].participants_per_trainer: must be <= 1000 (got 1001)",
        "activities[0].min_distinct_days: must be <= 100 (got 101)",
        "groups[0].headcount: must be <= 1000 (got 1001)",
        "groups[0].max_travel_minutes: must be <= 1440 (got 1441)",
        "requests[0].priority: must be <= 100 (got 101)",
        "requests[0].note: must be at most 2000 characters (got 2001)",
        "travel[0].minutes: must be <= 1440 (got 1441)",
    ]


def test_too_many_weekly_windows(db: str, tmp_path: Path) -> None:
    windows = ", ".join(
        f"{{weekday: mon, start: '09:00', end: '10:00', valid_from: {2000 + i}-01-01, "
        f"valid_to: {2000 + i}-12-31}}"
        for i in range(scenario.MAX_WEEKLY + 1)
    )
    text = BASE.replace("capacity: 16}", f"capacity: 16, availability: {{weekly: [{windows}]}}}}")
    assert problems(db, tmp_path, text) == [
        "locations[0].availability.weekly: must hold at most 400 entries (got 401)"
    ]


# ------------------------------------------------------------- control characters


@pytest.mark.parametrize(
    ("written", "code", "at"),
    [
        ("Acme\\e[31m", "U+001B", 5),  # ESC: a terminal colour sequence
        ("Ac\\0me", "U+0000", 3),  # NUL
        ("\\aAcme", "U+0007", 1),  # BEL
        ("Acme\\x7f", "U+007F", 5),  # DEL
        ("Acme\\N", "U+0085", 5),  # NEL, a C1 control
        ("Acme\\tB.V.", "U+0009", 5),  # a tab
        ("Acme\\nB.V.", "U+000A", 5),  # a line break
        ("Acme\\LB.V.", "U+2028", 5),  # a line separator
        ("\\u202eAcme", "U+202E", 1),  # right-to-left override
    ],
)
def test_control_characters_in_a_name_are_refused_with_the_path(
    db: str, tmp_path: Path, written: str, code: str, at: int
) -> None:
    text = BASE.replace("name: Acme Installaties", f'name: "{written}"')
    assert problems(db, tmp_path, text) == [
        f"partners[0].name: must not contain control characters (found {code} at character {at})"
    ]


def test_a_lone_surrogate_is_refused(db: str, tmp_path: Path) -> None:
    text = BASE.replace("name: Acme Installaties", 'name: "Acme\\ud800"')
    assert problems(db, tmp_path, text) == [
        "partners[0].name: must be Unicode text without lone surrogates (got 'Acme\\ud800')"
    ]


def test_notes_may_have_line_breaks_and_tabs_but_no_other_control_characters(
    db: str, tmp_path: Path
) -> None:
    ok = BASE.replace("latest: 2027-03-31}", 'latest: 2027-03-31, note: "Twee regels:\\n\\tja"}')
    path = tmp_path / "note.yaml"
    path.write_text(ok, encoding="utf-8")
    assert load(f"sqlite:///{tmp_path / 'note.db'}", path)[0] == 0
    bad = BASE.replace("latest: 2027-03-31}", 'latest: 2027-03-31, note: "bel\\a"}')
    assert problems(db, tmp_path, bad) == [
        "requests[0].note: must not contain control characters (found U+0007 at character 4)"
    ]


def test_a_control_character_in_a_field_name_is_not_echoed_raw(db: str, tmp_path: Path) -> None:
    text = BASE.replace("kind: company}", 'kind: company, "ca\\e[2Jp": 1}')
    assert problems(db, tmp_path, text) == [
        "partners[0].'ca\\x1b[2Jp': unknown field (check the spelling against docs/scenario.md)"
    ]


def test_the_text_rules_are_reusable_validators() -> None:
    assert single_line("Praktijkhal Westpoort") == "Praktijkhal Westpoort"
    assert multi_line("regel 1\nregel 2\tmet tab") == "regel 1\nregel 2\tmet tab"
    with pytest.raises(ValueError, match=r"found U\+000A at character 3"):
        single_line("ab\ncd")
    with pytest.raises(ValueError, match=r"found U\+001B at character 1"):
        multi_line("\x1b[2J")
    assert excerpt("x" * 1000) == repr("x" * 27 + "..." + "x" * 28)
    assert excerpt("\x1b[2J") == "'\\x1b[2J'"


# ------------------------------------------------------------------------ version


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.0", "version: must be the whole number 1, unquoted (got 1.0)"),
        ("'1'", "version: must be the whole number 1, unquoted (got '1')"),
        ("true", "version: must be the whole number 1, unquoted (got True)"),
        ("2", "version: this TIC Planner reads version 1 (got 2)"),
    ],
)
def test_version_is_the_unquoted_whole_number_1(
    db: str, tmp_path: Path, written: str, expected: str
) -> None:
    assert problems(db, tmp_path, f"version: {written}\n" + BASE) == [expected]


def test_version_1_loads(tmp_path: Path) -> None:
    path = tmp_path / "v1.yaml"
    path.write_text("format: tic-planner/campus\nversion: 1\n" + BASE, encoding="utf-8")
    assert load(f"sqlite:///{tmp_path / 'v1.db'}", path)[0] == 0
