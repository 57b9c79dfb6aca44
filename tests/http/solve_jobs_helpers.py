"""Shared by the background-solve tests: a runner that holds runs, waiting, the published state."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from models import entities as e
from models.db import session_scope
from models.generate import generate_campus
from models.store import load_scenarios

T = TypeVar("T")
# A generated region next to the mini campus: its solve of these weeks runs to its time limit
# (the mini campus alone is proven optimal in milliseconds, too fast to follow or cancel).
# 2027-W12/W13 hold the start of daylight saving time (Sunday 28 March 2027).
LONG_WEEKS = "2027-W10..2027-W14"


class HeldRunner:
    """A runner that takes runs and never starts them: they stay ``queued`` (the API's side
    of the contract, without processes)."""

    name = "held:test"

    def __init__(self) -> None:
        self.submitted: list[int] = []
        self.cancelled: list[int] = []

    def submit(self, run_id: int) -> None:
        self.submitted.append(run_id)

    def cancel(self, run_id: int) -> None:
        self.cancelled.append(run_id)

    def recover(self) -> list[int]:
        return []

    def close(self) -> None:
        pass


def wait_for(what: str, probe: Callable[[], T | None], *, limit: float = 90.0) -> T:
    """Poll ``probe`` until it gives something; fail with ``what`` after ``limit`` s.

    The limit only keeps a broken run from hanging the suite; it is no speed claim.
    """
    deadline = time.monotonic() + limit
    while True:
        found = probe()
        if found is not None and found is not False:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def load_long_campus(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_scenarios(session, [("generated", generate_campus(1, 3))])


def published_state(engine: Engine) -> list[Any]:
    """Every publication and published session, every column: the plan as published."""
    with session_scope(engine) as session:
        rows: list[Any] = []
        for model in (e.Publication, e.PublishedSession):
            table = model.__table__  # type: ignore[attr-defined]
            for row in session.execute(select(table).order_by(*table.primary_key.columns)):
                rows.append((table.name, json.dumps(list(row), default=str)))
        return rows


def parse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) of each server-sent event in ``text``; comments are skipped."""
    events = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events
