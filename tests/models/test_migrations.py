"""Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from api.cli import SCHEMA_PATH
from models.entities import Base
from models.migrate import current_revision, head_revision, upgrade
from models.scenario import json_schema


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_published_json_schema_is_current() -> None:
    # Regenerate with: campus schema --out docs/scenario.schema.json
    published = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert published == json_schema()
