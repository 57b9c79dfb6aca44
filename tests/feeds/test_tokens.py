"""Feed tokens and feed states in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from models import entities as e
from models.db import session_scope
from models.feeds import (
    FeedError,
    FeedSubject,
    create_token,
    list_tokens,
    lookup_token,
    observe_feed,
    revoke_token,
    rotate_token,
)
from models.store import load_files
from tests.conftest import MINI

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_files(session, [MINI])
    return engine


def test_token_lifecycle(loaded: Engine) -> None:
    with session_scope(loaded) as session:
        row, token = create_token(session, "school", "VMBO-ZUIDOOST", now=NOW)  # typed loosely
        assert row.subject_key == "vmbo-zuidoost"
        assert lookup_token(session, token) is row
        assert lookup_token(session, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        with pytest.raises(FeedError, match="rotate it instead"):
            create_token(session, "school", "vmbo-zuidoost", now=NOW)
        new_row, new = rotate_token(session, "school", "vmbo-zuidoost", now=NOW)
        assert lookup_token(session, token) is row and row.revoked_at is not None
        assert row.active is None and new_row.active is True
        revoke_token(session, "school", "vmbo-zuidoost", now=NOW + timedelta(days=1))
        with pytest.raises(FeedError, match="no active feed token"):
            revoke_token(session, "school", "vmbo-zuidoost", now=NOW)
        assert list_tokens(session) == []
        assert len(list_tokens(session, include_revoked=True)) == 2
        assert lookup_token(session, new) is new_row


def test_one_working_token_per_subject_and_label_is_enforced_by_the_db(loaded: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), session_scope(loaded) as session:
        for digest in ("a" * 64, "b" * 64):
            session.add(
                e.FeedToken(
                    token_hash=digest, view="trainer", subject_key="t-sanne", label="",
                    created_at=NOW, revoked_at=None, active=True,
                )
            )  # fmt: skip
            session.flush()


def test_unknown_subjects_are_refused(loaded: Engine) -> None:
    with session_scope(loaded) as session:
        for view, key in (("school", "warmte-west"), ("trainer", "nobody"), ("nope", "x")):
            with pytest.raises(FeedError):
                create_token(session, view, key, now=NOW)


def test_feed_state_moves_only_forward_and_only_on_new_bytes(loaded: Engine) -> None:
    subject = FeedSubject("trainer", "t-sanne", "Sanne de Wit")
    with session_scope(loaded) as session:
        first = observe_feed(session, subject, '"a"', now=NOW)
        same = observe_feed(session, subject, '"a"', now=NOW + timedelta(hours=1))
        quick = observe_feed(session, subject, '"b"', now=NOW)  # a clock that did not move
        later = observe_feed(session, subject, '"c"', now=NOW + timedelta(hours=2))
    assert first == same == NOW
    assert quick == NOW + timedelta(seconds=1)
    assert later == NOW + timedelta(hours=2)
    with session_scope(loaded) as session:
        state = session.scalars(select(e.FeedState)).one()
        assert state.etag == '"c"'
