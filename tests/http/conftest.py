"""The HTTP API on the mini campus, with one key per role (SQLite always, PostgreSQL if up)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from models.db import session_scope
from models.keys import create_key
from models.store import load_files
from tests.conftest import MINI

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)  # the app's frozen clock
MADE = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)  # when the keys were made


@dataclass(frozen=True)
class Api:
    client: TestClient
    engine: Engine
    keys: dict[str, str]  # name -> secret

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"} if who != "anonymous" else {}


def make_keys(engine: Engine) -> dict[str, str]:
    """planner; company of warmte-west; school vmbo-zuidoost; trainer t-sanne; and bad keys."""
    specs = {
        "planner": {"role": "planner", "label": "Planbureau"},
        "company": {"role": "company", "partner": "warmte-west", "label": "Sanne"},
        "school": {"role": "school", "partner": "vmbo-zuidoost", "label": "Ans"},
        "trainer": {"role": "trainer", "trainer": "t-sanne"},
        "revoked": {"role": "planner"},
        "expired": {"role": "planner", "expires": date(2027, 1, 15)},
    }
    keys = {}
    with session_scope(engine) as session:
        for name, spec in specs.items():
            row, keys[name] = create_key(session, now=MADE, **spec)  # type: ignore[arg-type]
            if name == "revoked":
                row.revoked_at = MADE
    return keys


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    keys = make_keys(engine)
    with TestClient(create_app(engine=engine, clock=lambda: NOW)) as client:
        yield Api(client, engine, keys)
