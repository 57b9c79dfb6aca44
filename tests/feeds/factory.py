"""Test data for feeds: the mini campus plus awkward names, and solve runs written by hand.

Runs are Assignment rows written directly (no solver): what publish and the feeds read.
Plan 1 spans the spring (daylight saving starts 2027-03-28) and autumn (ends 2027-10-31)
switches; plan 2 is "the re-solve": one session moved, one left out (so cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import entities as e
from models.bridge import Horizon
from models.store import load_files
from tests.conftest import MINI

# Names with commas, semicolons, newlines, backslashes and non-ASCII.
ODD_SCHOOL = "ROC West; techniek, bouw & ÿ"
ODD_GROUP = "4 Ü-klas, gemengd;\nÉén\\twee"
ODD_ACTIVITY = "BIM: modelleren, tekenen; delen – ① 🏗️"
ODD_NOTE = "Graag:\nlaptop meenemen; lunch, zelf\\mee"

T1 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # first publication
T2 = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)  # publication of the re-solve


@dataclass(frozen=True)
class Planned:
    request: str
    index: int
    location: str
    start: datetime  # naive Amsterdam wall time
    end: datetime
    trainers: tuple[str, ...] = ()


def w(*args: int) -> datetime:
    return datetime(*args)  # type: ignore[arg-type]


PLAN_1 = (
    Planned("r-ws-1", 1, "ww-hal", w(2027, 3, 16, 13), w(2027, 3, 16, 16), ("t-sanne",)),
    Planned("r-gl-1", 1, "vz-school", w(2027, 3, 25, 10), w(2027, 3, 25, 11, 30), ("t-sanne",)),
    Planned("r-sc-1", 1, "en-lab", w(2027, 3, 26, 8, 30), w(2027, 3, 26, 12, 30), ("t-ahmed",)),
    Planned("r-sc-1", 2, "en-lab", w(2027, 4, 2, 8, 30), w(2027, 4, 2, 12, 30), ("t-ahmed",)),
    Planned("r-sc-1", 3, "en-lab", w(2027, 4, 9, 8, 30), w(2027, 4, 9, 12, 30), ("t-ahmed",)),
    Planned("r-bim-1", 1, "ww-hal", w(2027, 10, 29, 13), w(2027, 10, 29, 16), ("t-sanne",)),
    Planned("r-bim-1", 2, "ww-hal", w(2027, 11, 5, 13), w(2027, 11, 5, 16), ("t-sanne",)),
    Planned("r-combi", 1, "ww-hal", w(2027, 3, 30, 13), w(2027, 3, 30, 17), ("t-sanne",)),
)
# The re-solve: r-ws-1 moves from Tuesday 16 to Thursday 18 March; r-gl-1 is left out.
PLAN_2 = tuple(
    Planned(p.request, p.index, p.location, w(2027, 3, 18, 13), w(2027, 3, 18, 16), p.trainers)
    if p.request == "r-ws-1"
    else p
    for p in PLAN_1
    if p.request != "r-gl-1"
)
HORIZON = Horizon("2027-W10", "2027-W45")


def uid(request: str, index: int) -> str:
    return e.session_uid(request, index)


def add_odd_data(session: Session) -> None:
    """The mini campus plus a second school and a request with awkward names."""
    load_files(session, [MINI])
    by_key = {p.key: p for p in session.scalars(select(e.Partner))}
    roc = e.Partner(key="roc-west", name=ODD_SCHOOL, kind="school", address="Postjesweg 1")
    session.add(roc)
    vz = by_key["vmbo-zuidoost"]
    odd_group = e.Group(key="vz-odd", school=vz, name=ODD_GROUP, headcount=9)
    roc_group = e.Group(key="rw-e2", school=roc, name="E2-BBL", headcount=12)
    session.add_all([odd_group, roc_group])
    bim = session.scalars(select(e.EquipmentType).where(e.EquipmentType.code == "bim-station"))
    activity = e.ActivityType(
        code="BIM-1", title=ODD_ACTIVITY, kind="skills_course", audience="mbo", team="BIM",
        sessions=2, duration_minutes=180,
        equipment=[e.ActivityEquipment(equipment_type=bim.one(), quantity=1)],
    )  # fmt: skip
    gl = session.scalars(select(e.ActivityType).where(e.ActivityType.code == "GL-TECHNIEK")).one()
    session.add(activity)
    session.add(
        e.Request(
            key="r-bim-1", activity_type=activity, earliest=w(2027, 10, 1).date(),
            latest=w(2027, 11, 30).date(), note=ODD_NOTE,
            groups=[e.RequestGroup(group=odd_group, position=0)],
        )
    )  # fmt: skip
    a_group = session.scalars(select(e.Group).where(e.Group.key == "vz-3bb-a")).one()
    session.add(
        e.Request(
            key="r-combi", activity_type=gl, earliest=w(2027, 3, 1).date(),
            latest=w(2027, 4, 30).date(),
            groups=[e.RequestGroup(group=a_group, position=0),
                    e.RequestGroup(group=roc_group, position=1)],
        )
    )  # fmt: skip
    session.flush()


def make_run(
    session: Session,
    plan: tuple[Planned, ...],
    *,
    horizon: Horizon = HORIZON,
    created: datetime = T1,
) -> e.SolveRun:
    """A finished run whose assignments are exactly ``plan``."""
    requests = {r.key: r for r in session.scalars(select(e.Request))}
    locations = {x.key: x for x in session.scalars(select(e.Location))}
    trainers = {t.key: t for t in session.scalars(select(e.Trainer))}
    run = e.SolveRun(
        created_at=created,
        first_week=horizon.first_week,
        last_week=horizon.last_week,
        status="feasible",
        parameters={},
        components={},
        log="",
    )
    run.assignments = [
        e.Assignment(
            request=requests[p.request],
            session_index=p.index,
            location=locations[p.location],
            start=p.start,
            end=p.end,
            pinned=False,
            uid=e.session_uid(p.request, p.index),
            sequence=0,
            trainers=[e.AssignmentTrainer(trainer=trainers[t]) for t in p.trainers],
        )
        for p in plan
    ]
    session.add(run)
    session.flush()
    return run
