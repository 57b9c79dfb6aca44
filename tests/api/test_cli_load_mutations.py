"""Mutated scenario files through `campus load`: a message or a load, never a traceback.

Hypothesis takes the test and example scenarios of the repository, breaks one thing in
each (a value swapped for a hostile one, a field dropped or invented, an entry doubled,
bytes inserted, the file cut short) and loads the result into a database that already
holds the mini campus. Whatever the file, the command either loads it or refuses it with
one ``FILE: PATH: REASON`` line per problem (or per removal it would make without
--replace, followed by the removed items, indented), and a refused load leaves every table
as it was (compared as a logical dump, so the same check runs on PostgreSQL). The examples are
derandomized and bounded, so the test is the same few seconds on every run.
"""

from __future__ import annotations

import traceback
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api.cli import app
from models.db import session_scope
from models.entities import Base
from models.scenario import read_yaml
from models.store import load_files
from models.text import control_character
from tests.conftest import DATA, MINI

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    DATA / "mini-campus.yaml",
    DATA / "replan-campus.yaml",
    ROOT / "examples" / "amsterdam" / "1-calendar.yaml",
    ROOT / "examples" / "amsterdam" / "2-catalogue.yaml",
    ROOT / "examples" / "amsterdam" / "6-requests.yaml",
]
EXAMPLES = {"sqlite": 80, "postgresql": 25}  # bounded, so the test costs seconds

runner = CliRunner()

HOSTILE_TEXT = [
    "2027-02-30", "2027-13-01", "0x", "1e308", ".inf", "13:00", "25:00", "24:00", "mon",
    "\x1b[2J", "\x00", "\ud800", "\u202e", "", "x" * 300, "a\nb", "tic-planner/campus",
]  # fmt: skip

hostile_values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**63, 10**400, 1001, 1441]),
    st.floats(),  # inf and nan included
    st.booleans(),
    st.none(),
    st.text(max_size=20),  # any character, control characters included
    st.sampled_from(HOSTILE_TEXT),
    st.dates().map(date.isoformat),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.sampled_from(["key", "name", "x"]), st.integers(), max_size=2),
)
snippets = st.sampled_from(
    [b"\xff", b"\x00", b"\xc3", b"*a", b"&a [*a]", b"[[[[", b"}}", b"? [a, b]\n: 1\n", b"!!int 0x",
     b"\t", b"\n  - ", b": :", b"\xef\xbb\xbf", b"'", b'"\\e"', b"!!python/object:os.system"]
)  # fmt: skip


def places(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in the data, so one of them can be mutated."""
    found: list[tuple[Any, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            found.append((node, key))
            if isinstance(value, dict | list):
                stack.append(value)
    return found


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    """One source file with one thing broken, as bytes."""
    source = draw(st.sampled_from(SOURCES))
    text = source.read_text(encoding="utf-8")
    kind = draw(st.sampled_from(["replace", "drop", "invent", "double", "bytes", "cut"]))
    if kind in ("bytes", "cut"):
        raw = text.encode("utf-8")
        at = draw(st.integers(min_value=0, max_value=len(raw)))
        if kind == "cut":
            return raw[:at]
        return raw[:at] + draw(snippets) + raw[at:]
    data = read_yaml(text, source.name)
    container, key = draw(st.sampled_from(places(data)))
    if kind == "replace":
        container[key] = draw(hostile_values)
    elif kind == "drop":
        del container[key]
    elif kind == "invent":
        target = container[key] if isinstance(container[key], dict) else container
        if isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=10))] = draw(hostile_values)
        else:
            target.append(draw(hostile_values))
    elif isinstance(container, list):  # double: the same entry twice, its key repeated
        container.insert(key, container[key])
    else:
        container[key] = [container[key], container[key]]
    return yaml.safe_dump(data, allow_unicode=False, sort_keys=False).encode("utf-8")


def logical_dump(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows as sorted text: equal dumps mean equal contents."""
    with session_scope(engine) as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def test_no_mutated_file_gives_a_traceback_or_a_half_import(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "mutated.yaml"

    @settings(
        max_examples=EXAMPLES[engine.dialect.name],
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutated_files())
    def load_one(content: bytes) -> None:
        path.write_bytes(content)
        before = logical_dump(engine)
        result = runner.invoke(app, ["load", "--db", url, str(path)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError("".join(traceback.format_exception(result.exception)))
        if result.exit_code == 0:
            return  # the mutation happened to be a valid file
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        if lines[-1].startswith("error: nothing was imported: the files would remove"):
            # valid, but it would remove stored data: each removal, then its items indented
            items = [line for line in lines[:-1] if line.startswith("    ")]
            headings = len(lines) - 1 - len(items)
            counted = sum(1 for line in lines[:-1] if line.endswith("(the file leaves it out)"))
            assert lines[-1].endswith("re-run with --replace to apply"), lines
            assert f" the {len(items) + counted} item(s) " in lines[-1], lines
            assert headings > 0, lines
        else:
            assert lines[-1] == f"error: nothing was imported ({len(lines) - 1} problem(s))", lines
        for line in lines[:-1]:
            assert line.startswith((f"{path}: ", "    ")), line
            assert control_character(line) is None, line
            assert len(line) < 400, line
        assert logical_dump(engine) == before

    load_one()
