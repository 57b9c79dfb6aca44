"""Publishing a run: UIDs kept, SEQUENCE bumped on real changes, cancellations, history kept.

Runs on SQLite and PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from models import entities as e
from models.bridge import Horizon
from models.db import session_scope
from models.publish import PublishError, current_publication, publish, published_run
from tests.feeds.factory import PLAN_1, PLAN_2, T1, T2, Planned, add_odd_data, make_run, uid


def _sessions(engine: Engine) -> dict[str, e.PublishedSession]:
    with session_scope(engine) as session:
        rows = session.scalars(select(e.PublishedSession)).all()
        for row in rows:  # load what the assertions read before the session closes
            _ = [t.trainer.key for t in row.trainers], row.location.key
        return {row.uid: row for row in rows}


@pytest.fixture
def first(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        add_odd_data(session)
        publish(session, make_run(session, PLAN_1), now=T1)
    return engine


def test_first_publication_gives_every_session_sequence_zero(first: Engine) -> None:
    rows = _sessions(first)
    assert set(rows) == {uid(p.request, p.index) for p in PLAN_1}
    assert {r.sequence for r in rows.values()} == {0}
    assert {r.status for r in rows.values()} == {"confirmed"}
    assert {r.last_modified.replace(tzinfo=UTC) for r in rows.values()} == {T1}
    with session_scope(first) as session:
        run = published_run(session)
        assert run is not None
        assert {a.published_version for a in run.assignments} == {1}


def test_resolve_moves_one_cancels_one_and_keeps_the_rest(first: Engine) -> None:
    with session_scope(first) as session:
        result = publish(session, make_run(session, PLAN_2, created=T2), now=T2)
        kinds = {c.uid: c.kind for c in result.changes}
        moved = next(c for c in result.changes if c.kind == "moved")
        assert moved.schools == ("Vmbo College Zuidoost",)
        assert moved.trainers == ("Sanne de Wit",)
        assert moved.companies == ("Warmte West B.V.",)
    assert kinds == {uid("r-ws-1", 1): "moved", uid("r-gl-1", 1): "cancelled"}
    assert result.unchanged == len(PLAN_2) - 1
    rows = _sessions(first)
    ws, gl, sc = rows[uid("r-ws-1", 1)], rows[uid("r-gl-1", 1)], rows[uid("r-sc-1", 1)]
    assert (ws.sequence, ws.status, ws.start) == (1, "confirmed", datetime(2027, 3, 18, 13))
    assert (gl.sequence, gl.status) == (1, "cancelled")
    assert gl.cancelled_at is not None and gl.cancelled_at.replace(tzinfo=UTC) == T2
    # Unchanged sessions keep their SEQUENCE and their LAST-MODIFIED (so byte-identical feeds).
    assert (sc.sequence, sc.last_modified.replace(tzinfo=UTC)) == (0, T1)
    with session_scope(first) as session:
        versions = session.scalars(select(e.Publication.version)).all()
        assert sorted(versions) == [1, 2]  # the previous plan stays stored
        run = published_run(session)
        assert run is not None and run.created_at.replace(tzinfo=UTC) == T2
        seqs = {a.uid: a.sequence for a in run.assignments}
        assert seqs[uid("r-ws-1", 1)] == 1 and seqs[uid("r-sc-1", 1)] == 0


def test_trainer_change_and_reinstatement_bump_sequence(first: Engine) -> None:
    swapped = tuple(
        Planned(p.request, p.index, p.location, p.start, p.end, ("t-ahmed",))
        if p.request == "r-combi"
        else p
        for p in PLAN_1
        if p.request != "r-gl-1"
    )
    with session_scope(first) as session:
        publish(session, make_run(session, swapped), now=T2)
        result = publish(session, make_run(session, PLAN_1), now=datetime(2027, 3, 9, tzinfo=UTC))
        kinds = {c.uid: (c.kind, c.what) for c in result.changes}
    assert kinds == {
        uid("r-gl-1", 1): ("reinstated", ("status",)),
        uid("r-combi", 1): ("changed", ("trainer",)),
    }
    rows = _sessions(first)
    assert rows[uid("r-gl-1", 1)].sequence == 2  # cancelled (1), back (2)
    assert rows[uid("r-gl-1", 1)].status == "confirmed"
    assert rows[uid("r-combi", 1)].sequence == 2
    assert [t.trainer.key for t in rows[uid("r-combi", 1)].trainers] == ["t-sanne"]


def test_run_with_a_shorter_horizon_does_not_cancel_sessions_outside_it(first: Engine) -> None:
    spring_only = tuple(p for p in PLAN_1 if p.start.month < 10)
    with session_scope(first) as session:
        run = make_run(session, spring_only, horizon=Horizon("2027-W10", "2027-W16"))
        result = publish(session, run, now=T2)
    assert result.changes == ()
    assert {r.status for r in _sessions(first).values()} == {"confirmed"}


def test_past_sessions_are_never_cancelled(first: Engine) -> None:
    later = datetime(2027, 3, 20, 12, tzinfo=UTC)  # after r-ws-1 (16 March) took place
    with session_scope(first) as session:
        run = make_run(session, tuple(p for p in PLAN_1 if p.request != "r-ws-1"))
        publish(session, run, now=later)
    assert _sessions(first)[uid("r-ws-1", 1)].status == "confirmed"


def test_publishing_the_current_run_again_changes_nothing(first: Engine) -> None:
    with session_scope(first) as session:
        run = published_run(session)
        result = publish(session, run, now=T2)
        assert result.already_current and result.changes == ()
        publication = current_publication(session)
        assert publication is not None and publication.version == 1


def test_runs_without_a_plan_are_refused(first: Engine) -> None:
    with session_scope(first) as session:
        run = make_run(session, PLAN_2)
        run.status = "infeasible"
        with pytest.raises(PublishError, match="only optimal or feasible"):
            publish(session, run, now=T2)


def test_publish_without_a_run_argument_takes_the_newest(first: Engine) -> None:
    with session_scope(first) as session:
        newest = make_run(session, PLAN_2, created=T2)
        result = publish(session, now=T2)
        assert result.publication.run_id == newest.id
