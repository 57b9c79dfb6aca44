"""send_pending: each notice is e-mailed once, a claim of a sender that died is taken over,
a missing password variable is a clear error (tests/notices/conftest.py for the parties)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update

from models import entities as e
from models.audit import CLI
from models.db import session_scope
from models.notices import STALE_CLAIM, MailConfigError, notices_for_publication, send_pending
from models.publish import publish
from models.settings import update_settings
from tests.feeds.factory import make_run
from tests.notices.conftest import ADDRESSES, PLAN_1, SENDER, load_campus
from tests.notices.smtp_sink import smtp_sink

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def _told(engine: Engine, port: int, **mail: object) -> dict[str, int]:
    """Publish plan 1 with mail on; the notice id of each address."""
    with session_scope(engine) as session:
        load_campus(session)
        settings = {"enabled": True, "smtp_host": "127.0.0.1", "smtp_port": port,
                    "starttls": False, "sender": SENDER} | mail  # fmt: skip
        update_settings(session, {"mail": settings}, actor=CLI, now=NOW)
        told = notices_for_publication(
            session, publish(session, make_run(session, PLAN_1), now=NOW)
        )
        return {n.email_to: n.id for n in told if n.email_to}


def test_a_claimed_notice_is_left_to_its_sender_until_the_claim_is_stale(engine: Engine) -> None:
    with smtp_sink() as sink:
        ids = _told(engine, sink.port)
        school = ids[ADDRESSES["vmbo-zuidoost"]]
        with session_scope(engine) as session:  # another sender is sending it right now
            session.execute(update(e.Notice).where(e.Notice.id == school).values(
                email_status="sending", email_tried_at=NOW, email_attempts=1))  # fmt: skip
        report = send_pending(engine, now=NOW + timedelta(minutes=1))
        assert sorted(report.sent) == sorted(i for i in ids.values() if i != school)
        assert ADDRESSES["vmbo-zuidoost"] not in sink.by_recipient()
        # that sender died: after STALE_CLAIM the notice is sent by the next run
        report = send_pending(engine, now=NOW + STALE_CLAIM + timedelta(seconds=1))
        assert report.sent == [school] and report.failed == {}
        assert {k: len(v) for k, v in sink.by_recipient().items()} == dict.fromkeys(ids, 1)
    with session_scope(engine) as session:
        row = session.get_one(e.Notice, school)
        assert (row.email_status, row.email_attempts) == ("sent", 2)


def test_a_missing_password_variable_is_named_and_nothing_is_claimed(engine: Engine) -> None:
    with smtp_sink() as sink:
        _told(engine, sink.port, username="planbureau", password_env="CAMPUS_SMTP_PASSWORD")
        with pytest.raises(MailConfigError, match="CAMPUS_SMTP_PASSWORD"):
            send_pending(engine, now=NOW, environ={})
        assert sink.received == []
    with session_scope(engine) as session:
        states = set(session.scalars(select(e.Notice.email_status)))
        assert states == {"pending", "no_address"}
