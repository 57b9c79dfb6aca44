"""The request life cycle where it binds: the bridge plans only accepted requests, publish
cancels a withdrawn request's sessions (also beyond the solved horizon), migration 0010 keeps
today's plans (open -> accepted), and scenario files that say "open" still load.

SQLite and PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from models import entities as e
from models import scenario as s
from models.bridge import Horizon, build_problem
from models.db import session_scope
from models.migrate import alembic_config, upgrade
from models.publish import publish
from models.store import load_files
from tests.conftest import MINI
from tests.feeds.factory import PLAN_1, Planned, make_run, uid, w


def _set_status(engine: Engine, **statuses: str) -> None:
    with session_scope(engine) as session:
        for row in session.scalars(select(e.Request)):
            row.status = statuses.get(row.key.replace("-", "_"), row.status)


def test_only_accepted_requests_are_planned(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    _set_status(engine, r_ws_1="submitted", r_sc_1="declined", r_gl_1="accepted")
    with session_scope(engine) as session:
        problem = build_problem(session, Horizon("2027-W09", "2027-W17"), now=w(2027, 1, 15))
        assert [r.id for r in problem.requests] == ["r-gl-1"]
    _set_status(engine, r_gl_1="withdrawn", r_ws_1="accepted")
    with session_scope(engine) as session:
        problem = build_problem(session, Horizon("2027-W09", "2027-W17"), now=w(2027, 1, 15))
        assert [r.id for r in problem.requests] == ["r-ws-1"]


# r-sc-1's three sessions: 26 March (week 12), 2 and 9 April (weeks 13 and 14).
SC = tuple(p for p in PLAN_1 if p.request == "r-sc-1")
WS = tuple(p for p in PLAN_1 if p.request == "r-ws-1")  # 16 March, week 11
T1 = datetime(2027, 3, 1, 9, tzinfo=UTC)
T2 = datetime(2027, 3, 8, 9, tzinfo=UTC)


def _statuses(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {ps.uid: ps.status for ps in session.scalars(select(e.PublishedSession))}


def test_publish_cancels_every_session_of_a_withdrawn_request_also_beyond_the_horizon(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
        publish(session, make_run(session, SC + WS), now=T1)
    _set_status(engine, r_sc_1="withdrawn")
    with session_scope(engine) as session:
        # A re-solve of week 11 only: it says nothing about weeks 12-14 ...
        result = publish(
            session, make_run(session, WS, horizon=Horizon("2027-W11", "2027-W11"), created=T2),
            now=T2,
        )  # fmt: skip
        cancelled = sorted(c.uid for c in result.changes if c.kind == "cancelled")
    # ... yet every session of the withdrawn request is cancelled, and r-ws-1's stays.
    assert cancelled == [uid("r-sc-1", i) for i in (1, 2, 3)]
    assert _statuses(engine) == {
        uid("r-sc-1", 1): "cancelled",
        uid("r-sc-1", 2): "cancelled",
        uid("r-sc-1", 3): "cancelled",
        uid("r-ws-1", 1): "confirmed",
    }


def test_a_run_solved_before_the_withdrawal_does_not_bring_its_sessions_back(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        load_files(session, [MINI])
        run = make_run(session, SC + WS)  # solved while r-sc-1 was accepted
        publish(session, make_run(session, WS, created=T1), now=T1)
    _set_status(engine, r_sc_1="withdrawn")
    with session_scope(engine) as session:
        publish(session, session.get(e.SolveRun, run.id), now=T2)
    assert _statuses(engine) == {uid("r-ws-1", 1): "confirmed"}


def test_a_session_that_already_ended_stays_as_it_was(engine: Engine) -> None:
    past = (Planned("r-sc-1", 1, "en-lab", w(2027, 3, 5, 8, 30), w(2027, 3, 5, 12, 30)),)
    with session_scope(engine) as session:
        load_files(session, [MINI])
        publish(session, make_run(session, past + SC[1:]), now=T1)
    _set_status(engine, r_sc_1="withdrawn")
    with session_scope(engine) as session:
        publish(session, make_run(session, (), created=T2), now=datetime(2027, 3, 10, tzinfo=UTC))
    assert _statuses(engine) == {
        uid("r-sc-1", 1): "confirmed",  # 5 March happened; it stays in the calendars
        uid("r-sc-1", 2): "cancelled",
        uid("r-sc-1", 3): "cancelled",
    }


def test_a_file_that_says_open_loads_as_accepted() -> None:
    base = {"key": "r", "activity": "A", "groups": ["g"], "earliest": "2027-03-01",
            "latest": "2027-03-05"}  # fmt: skip
    assert s.Request.model_validate(base | {"status": "open"}).status == "accepted"
    assert s.Request.model_validate(base).status == "accepted"
    assert s.Request.model_validate(base | {"status": "declined"}).status == "declined"
    with pytest.raises(ValueError, match="status"):
        s.Request.model_validate(base | {"status": "maybe"})


def test_migration_0010_makes_open_requests_accepted_and_keeps_their_groups(
    engine: Engine,
) -> None:
    """Down to 0005 (submitted becomes open) and up again: open -> accepted, and on SQLite
    the rows that refer to requests survive the changed CHECK constraint."""
    with session_scope(engine) as session:
        load_files(session, [MINI])
    _set_status(engine, r_ws_1="submitted", r_sc_1="declined")
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT key, status FROM requests")).all())
        assert rows == {"r-ws-1": "open", "r-sc-1": "withdrawn", "r-gl-1": "accepted"}
        with pytest.raises(IntegrityError, match="ck_requests_status"):
            connection.execute(text("UPDATE requests SET status = 'submitted'"))
        connection.rollback()
    upgrade(engine)
    with session_scope(engine) as session:
        found = {r.key: r.status for r in session.scalars(select(e.Request))}
        assert found == {"r-ws-1": "accepted", "r-sc-1": "withdrawn", "r-gl-1": "accepted"}
        assert session.scalar(select(text("count(*)")).select_from(e.RequestGroup)) == 4
        session.execute(text("UPDATE requests SET status = 'declined' WHERE key = 'r-gl-1'"))
    with engine.connect() as connection, pytest.raises(IntegrityError, match="ck_requests_status"):
        connection.execute(text("UPDATE requests SET status = 'open'"))
