"""The mini campus with contact addresses and one English-speaking company, and two plans.

Parties (tests/data/mini-campus.yaml): school vmbo-zuidoost (groups 3 BB-a and 3 KB-b, its
site vz-school), company warmte-west (ww-hal, trainer t-sanne), company elektro-noord
(en-lab, trainer t-ahmed; it reads English here, and t-ahmed has no address).

Plan 1 lies around the start of daylight saving (Sunday 28 March 2027): r-ws-1 on Tuesday
30 March, r-gl-1 on Thursday 1 April, r-sc-1 on three Fridays. Plan 2 moves r-ws-1 to
Thursday 1 April (after the switch, still 13:00 wall time) and leaves r-gl-1 out, so the
publish cancels it; r-sc-1 stays as it was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import entities as e
from models.store import load_files
from tests.conftest import MINI
from tests.feeds.factory import Planned

ADDRESSES = {
    "vmbo-zuidoost": "planning@vmbo-zuidoost.example",
    "warmte-west": "planning@warmte-west.example",
    "elektro-noord": "rooster@elektro-noord.example",
    "t-sanne": "sanne@warmte-west.example",
}
SENDER = "planbureau@tic-campus.example"

PLAN_1 = (
    Planned("r-ws-1", 1, "ww-hal", datetime(2027, 3, 30, 13), datetime(2027, 3, 30, 16),
            ("t-sanne",)),
    Planned("r-gl-1", 1, "vz-school", datetime(2027, 4, 1, 10), datetime(2027, 4, 1, 11, 30),
            ("t-sanne",)),
    Planned("r-sc-1", 1, "en-lab", datetime(2027, 3, 26, 8, 30), datetime(2027, 3, 26, 12, 30),
            ("t-ahmed",)),
    Planned("r-sc-1", 2, "en-lab", datetime(2027, 4, 2, 8, 30), datetime(2027, 4, 2, 12, 30),
            ("t-ahmed",)),
    Planned("r-sc-1", 3, "en-lab", datetime(2027, 4, 9, 8, 30), datetime(2027, 4, 9, 12, 30),
            ("t-ahmed",)),
)  # fmt: skip
PLAN_2 = (
    Planned("r-ws-1", 1, "ww-hal", datetime(2027, 4, 1, 13), datetime(2027, 4, 1, 16),
            ("t-sanne",)),
    *(p for p in PLAN_1 if p.request == "r-sc-1"),
)  # fmt: skip


def load_campus(session: Session) -> None:
    """The mini campus, with the addresses above and elektro-noord reading English."""
    load_files(session, [MINI])
    for partner in session.scalars(select(e.Partner)):
        partner.contact_email = ADDRESSES.get(partner.key, "")
        if partner.key == "elektro-noord":
            partner.language = "en"
    for trainer in session.scalars(select(e.Trainer)):
        trainer.email = ADDRESSES.get(trainer.key, "")
