"""Absence categories: scenario reasons map to one, only the category is stored, exported and
shown (in Dutch words), and migration 0008 converts the absences a database already holds."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select, text

from models import entities as e
from models.absences import category_of_reason
from models.bridge import Horizon, build_problem, trainer_availability
from models.db import session_scope
from models.migrate import upgrade
from models.store import dump_scenario, export_scenario, load_files
from models.trainers import fits
from scheduler.problem import TrainerId
from tests.conftest import MINI


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("Cursus", "training"),
        ("cursus in Duitsland", "training"),
        ("ziekte", "sick"),
        ("Ziek", "sick"),
        ("vakantie", "leave"),
        ("leave", "leave"),
        ("knieoperatie en herstel", "other"),  # medical detail: never kept, just "other"
        ("projectpiek", "other"),
        ("", "other"),
    ],
)
def test_a_file_reason_maps_to_a_category(reason: str, category: str) -> None:
    assert category_of_reason(reason) == category


def test_loading_keeps_the_category_only_and_export_writes_it_back(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
        absence = session.scalars(select(e.TrainerAbsence)).one()
        assert (absence.category, absence.reason) == ("training", "")  # the file says "Cursus"
        exported = dump_scenario(export_scenario(session))
    sanne = next(t for t in yaml.safe_load(exported)["trainers"] if t["key"] == "t-sanne")
    assert sanne["availability"]["absences"] == [
        {"first": date(2027, 3, 22), "last": date(2027, 3, 26), "reason": "training"}
    ]
    path = tmp_path / "export.yaml"
    path.write_text(exported, encoding="utf-8")
    with session_scope(engine) as session:
        load_files(session, [path])
        assert dump_scenario(export_scenario(session)) == exported


@pytest.mark.parametrize(
    ("category", "words"),
    [("training", "opleiding"), ("leave", "verlof"), ("other", "afwezig"), ("sick", "afwezig")],
)
def test_the_engine_and_its_explanations_see_the_category_in_words_but_never_illness(
    engine: Engine, category: str, words: str
) -> None:
    """Schools read explanations too (the door checks): a sick trainer is just away."""
    with session_scope(engine) as session:
        load_files(session, [MINI])
        sanne = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one()
        sanne.absences[0].category = category
        problem = build_problem(session, Horizon.parse("2027-W12"), now=datetime(2027, 3, 1))
    trainer = next(t for t in problem.trainers if t.id == TrainerId("t-sanne"))
    assert [(c.first, c.last, c.reason) for c in trainer.availability.closures] == [
        (date(2027, 3, 22), date(2027, 3, 26), words)
    ]


def test_a_session_fits_the_availability_the_bridge_builds(engine: Engine) -> None:
    """Weekly windows (else the default week) minus absences; one span holds the session."""
    with session_scope(engine) as session:
        load_files(session, [MINI])
        trainers = {t.key: t for t in session.scalars(select(e.Trainer))}
        sanne = trainer_availability(trainers["t-sanne"])
        ahmed = trainer_availability(trainers["t-ahmed"])  # no windows: Monday-Friday 8-18
    tuesday_after_dst = datetime(2027, 3, 30, 8)  # clocks went forward on Sunday
    assert fits(sanne, tuesday_after_dst, datetime(2027, 3, 30, 18))
    assert not fits(sanne, tuesday_after_dst, datetime(2027, 3, 30, 18, 15))
    assert not fits(sanne, datetime(2027, 3, 23, 9), datetime(2027, 3, 23, 10))  # away
    assert not fits(sanne, datetime(2027, 3, 31, 9), datetime(2027, 3, 31, 10))  # Wednesday
    assert fits(ahmed, datetime(2027, 3, 29, 8, 30), datetime(2027, 3, 29, 12, 30))
    assert not fits(ahmed, datetime(2027, 4, 3, 9), datetime(2027, 4, 3, 10))  # Saturday


def test_migration_0008_maps_existing_reasons_and_clears_the_text(engine: Engine) -> None:
    # the fixture's database is at head: go back to 0005, add absences as they were stored
    from alembic import command

    from models.migrate import alembic_config

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO partners (id, key, name, kind, address, contact_name, contact_email, "
            "contact_phone) VALUES (1, 'p', 'P', 'company', '', '', '', '')"
        ))  # fmt: skip
        connection.execute(text(
            "INSERT INTO trainers (id, key, partner_id, name, email, certified) "
            "VALUES (1, 't', 1, 'T', '', false)"
        ))  # fmt: skip
        for i, reason in enumerate(["ziekte", "knieoperatie en herstel", "Cursus", ""], 1):
            connection.execute(
                text(
                    "INSERT INTO trainer_absences (id, trainer_id, first, last, reason) "
                    "VALUES (:i, 1, :d, :d, :r)"
                ),
                {"i": i, "d": date(2027, 3, i), "r": reason},
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT category, reason FROM trainer_absences ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("sick", ""), ("other", ""), ("training", ""), ("other", "")
    ]
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with engine.connect() as connection:
        reasons = connection.execute(text("SELECT reason FROM trainer_absences ORDER BY id"))
        assert [r[0] for r in reasons] == ["sick", "other", "training", "other"]
    upgrade(engine)
