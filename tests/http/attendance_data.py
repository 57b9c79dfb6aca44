"""A published plan around the spring clock change (28 March 2027) for attendance tests.

The mini campus (tests/data/mini-campus.yaml) with one run written by hand and published:
t-sanne teaches the workshop r-ws-1 (vmbo, 3 BB-a: 14 pupils) on Tuesday 30 March 13:00 and
the guest lesson r-gl-1 (vmbo, 3 BB-a and 3 KB-b: 25) on Thursday 25 March at the school;
t-ahmed teaches the course r-sc-1 (mbo, 3 KB-b: 11) on three Fridays from 26 March.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from models.db import session_scope
from models.publish import publish
from tests.feeds.factory import Planned, make_run, uid, w

PUBLISHED = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PLAN = (
    Planned("r-gl-1", 1, "vz-school", w(2027, 3, 25, 10), w(2027, 3, 25, 11, 30), ("t-sanne",)),
    Planned("r-sc-1", 1, "en-lab", w(2027, 3, 26, 8, 30), w(2027, 3, 26, 12, 30), ("t-ahmed",)),
    Planned("r-ws-1", 1, "ww-hal", w(2027, 3, 30, 13), w(2027, 3, 30, 16), ("t-sanne",)),
    Planned("r-sc-1", 2, "en-lab", w(2027, 4, 2, 8, 30), w(2027, 4, 2, 12, 30), ("t-ahmed",)),
    Planned("r-sc-1", 3, "en-lab", w(2027, 4, 9, 8, 30), w(2027, 4, 9, 12, 30), ("t-ahmed",)),
)
WS = uid("r-ws-1", 1)
GL = uid("r-gl-1", 1)
SC1, SC2, SC3 = (uid("r-sc-1", n) for n in (1, 2, 3))
# 13:15 in Amsterdam (CEST, UTC+2) on the day of the workshop: it started at 13:00 wall time.
AFTER_WS = datetime(2027, 3, 30, 11, 15, tzinfo=UTC)
BEFORE_WS = datetime(2027, 3, 30, 10, 59, tzinfo=UTC)  # 12:59 in Amsterdam
URL = "/api/v1/sessions/{}/attendance"


def publish_plan(engine: Engine) -> None:
    """Publish PLAN (the mini campus must be loaded)."""
    with session_scope(engine) as session:
        publish(session, make_run(session, PLAN, created=PUBLISHED), now=PUBLISHED)
