"""Shared fixtures: databases (SQLite always, PostgreSQL where a server is reachable)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from models.db import make_engine
from models.migrate import upgrade

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini-campus.yaml"
PG_URL = os.environ.get(
    "CAMPUS_TEST_POSTGRES_URL", "postgresql+psycopg://campus:campus@127.0.0.1:5432/campus_test"
)


def _postgres_engine() -> Engine:
    engine = make_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # any failure to connect means "no server"
        engine.dispose()
        reason = f"no PostgreSQL server at {PG_URL} ({type(exc).__name__}); .ci/run starts one"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database at the newest schema, built by the migrations."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'campus.db'}")
    else:
        eng = _postgres_engine()
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'campus.db'}"
