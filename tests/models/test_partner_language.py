"""A partner's preferred language: Dutch by default, English on request, kept by the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from models import entities as e
from models.db import session_scope
from models.scenario import ScenarioError
from models.store import dump_scenario, export_scenario, load_files

FILE = """\
format: tic-planner/campus
version: 1
partners:
  - {key: intl-school, name: "International School", kind: school, language: en}
  - {key: nl-school, name: "Nederlandse school", kind: school}
"""


def test_a_partner_reads_dutch_unless_the_file_says_english(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(FILE, encoding="utf-8")
    with session_scope(engine) as session:
        load_files(session, [path])
    with session_scope(engine) as session:
        languages = dict(session.execute(select(e.Partner.key, e.Partner.language)).all())
        text = dump_scenario(export_scenario(session))
    assert languages == {"intl-school": "en", "nl-school": "nl"}
    assert text.count("language: en") == 1 and "language: nl" not in text  # default left out
    again = tmp_path / "again.yaml"
    again.write_text(text, encoding="utf-8")
    with session_scope(engine) as session:
        load_files(session, [again])
        assert dict(session.execute(select(e.Partner.key, e.Partner.language)).all()) == languages


def test_an_unknown_language_is_refused_with_its_path(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(FILE.replace("language: en", "language: de"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught, session_scope(engine) as session:
        load_files(session, [path])
    assert [(p.path, p.reason) for p in caught.value.problems] == [
        ("partners[0].language", "must be one of 'nl' or 'en' (got 'de')")
    ]


def test_the_database_refuses_a_language_it_does_not_know(engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(e.Partner(key="x", name="X", kind="school", language="de"))
        session.flush()
