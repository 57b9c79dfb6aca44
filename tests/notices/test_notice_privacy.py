"""Notices name people: they are pruned with the audit and `campus erase` scrubs them
(docs/privacy.md). Plans and parties: tests/notices/conftest.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from models import entities as e
from models.audit import CLI
from models.db import session_scope
from models.notices import notices_for_publication
from models.privacy import erase_trainer, prune
from models.publish import publish
from models.settings import CampusSettings
from tests.feeds.factory import make_run
from tests.notices.conftest import PLAN_1, PLAN_2, load_campus

T1 = datetime(2027, 3, 1, 9, tzinfo=UTC)
T2 = datetime(2027, 3, 8, 9, tzinfo=UTC)


def _publish_both(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_campus(session)
    for plan, moment in ((PLAN_1, T1), (PLAN_2, T2)):
        with session_scope(engine) as session:
            notices_for_publication(session, publish(session, make_run(session, plan), now=moment))


def test_notices_older_than_the_retention_are_pruned(engine: Engine) -> None:
    _publish_both(engine)
    settings = CampusSettings(retention_days=30)
    with session_scope(engine) as session:
        # 30 days after the first publication's notices, before the second's
        report = prune(session, settings, now=T1 + timedelta(days=30, seconds=1))
        assert report.notices == 5
    with session_scope(engine) as session:
        left = session.scalars(select(e.Notice)).all()
        assert {n.publication.version for n in left} == {2} and len(left) == 3


def test_erasing_a_trainer_scrubs_her_from_every_notice(engine: Engine) -> None:
    _publish_both(engine)
    with session_scope(engine) as session:
        erase_trainer(session, "t-sanne", actor=CLI, now=T2)
    with session_scope(engine) as session:
        for notice in session.scalars(select(e.Notice)):
            text = notice.party_name + notice.body + notice.email_to + json.dumps(notice.changes)
            assert "Sanne de Wit" not in text and "sanne@warmte-west.example" not in text
