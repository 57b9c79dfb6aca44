"""The fast YAML reading (libyaml) and the pure-Python one give the same data or the same error.

`read_yaml` reads with libyaml when it can and leaves anything libyaml reads differently to
PyYAML's pure-Python reader, whose messages users see. A file must load the same either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.scenario import ScenarioError, _Loader, read_yaml
from tests.conftest import MINI

ROOT = Path(__file__).resolve().parents[2]
FILES = [MINI, ROOT / "tests" / "data" / "replan-campus.yaml",
         *sorted((ROOT / "examples" / "amsterdam").glob("*.yaml"))]  # fmt: skip


def slow(text: str) -> Any:
    """What the pure-Python reader alone makes of ``text``: its data, or its error's type."""
    try:
        return yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError) as exc:
        return type(exc)


def fast(text: str) -> Any:
    try:
        return read_yaml(text, "f.yaml")
    except ScenarioError:
        return ScenarioError


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shipped_scenario_reads_the_same_either_way(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert fast(text) == slow(text)


@pytest.mark.parametrize(
    "text",
    [
        "name:\tSchool\n",  # a tab after the key: PyYAML refuses it, libyaml would not
        "tags: [a?b, c]\n",  # '?' inside a plain flow value
        "name: x\ufeffy\n",  # a byte order mark inside the text
        "a: &x [1, 2]\nb: *x\n",
        "when: 2027-03-01\nat: '13:00'\nn: 0x1F\n",  # dates stay text, hex stays a number
    ],
)
def test_what_libyaml_reads_differently_is_read_as_before(text: str) -> None:
    expected = slow(text)
    if expected is ScenarioError or isinstance(expected, type):
        with pytest.raises(ScenarioError):
            read_yaml(text, "f.yaml")
    else:
        assert read_yaml(text, "f.yaml") == expected


SOURCE = MINI.read_text(encoding="utf-8")


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(
    st.integers(0, len(SOURCE) - 1),
    st.integers(0, 3),
    st.sampled_from(["\t", "?", "[", "]", "{", "}", ":", "&a ", "*a", "'", '"', "#", "-", " ",
                     "\n", "!!int ", "\ufeff", "é", "\x85"]),
)  # fmt: skip
def test_mutated_files_read_the_same_either_way(at: int, cut: int, insert: str) -> None:
    text = SOURCE[:at] + insert + SOURCE[at + cut :]
    got, expected = fast(text), slow(text)
    if isinstance(expected, type):  # an error: read_yaml must refuse it too
        assert got is ScenarioError
    else:
        assert got == expected
