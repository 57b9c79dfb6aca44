"""The yearly report: pupils reached per audience against the campus's targets, per school
and per host company, from the attendance marks (docs/planning.md, "What actually happened").

What counts (the definitions the campus reports to its funders):

- The school year ``2026-2027`` is the campus settings' ``school_year`` when it runs from
  2026 into 2027, else 1 August 2026 to 31 July 2027. A session belongs to the year its
  start falls in.
- Only sessions of the published plan count; cancelled ones are left out (also when they
  were marked before they were cancelled).
- A session's audience is its activity type's (``vmbo``, ``mbo``, ``job_seekers``; the
  targets name ``vmbo_pupils``, ``mbo_students`` and ``job_seekers``).
- Groups have a headcount, not names, so a pupil reached is counted per group: each group
  counts once per audience and year (and per school or host row), at the largest
  number of its pupils who attended one held session. A session of several groups shares
  its attended number between them in proportion to their headcounts (largest remainder,
  ties by group key). This never counts a pupil twice, and may miss a pupil who was absent
  on the best-attended day: a conservative count.
- Sessions without a mark (planned, or past and not yet marked) count separately: the
  sessions, and the pupils of the groups that have one but are not reached yet (their
  headcount), i.e. what the year may still add at most.
- Per host (scope ``host``): the partner whose location hosts the session; a session at a
  school site (a guest lesson, a school's own workshop) counts for the companies that employ
  its trainers, or for the school when only its own staff teach it. A group that went to two
  hosts counts at both, so host rows do not add up to the campus row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models.settings import load_settings

TARGET_AUDIENCES = {"vmbo": "vmbo_pupils", "mbo": "mbo_students", "job_seekers": "job_seekers"}
_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
COLUMNS = (
    "year", "scope", "key", "name", "audience", "target", "met", "reached", "groups_reached",
    "sessions_held", "sessions_not_held", "sessions_unmarked", "pupils_unmarked",
)  # fmt: skip


class ReportError(ValueError):
    """A school year that cannot be read (the message says what to write instead)."""


@dataclass(frozen=True)
class SchoolYear:
    label: str  # "2026-2027"
    first: date
    last: date


def school_year(session: Session, label: str) -> SchoolYear:
    """``2026-2027`` as dates: the campus's school year when it matches, else Aug 1 - Jul 31."""
    match = _YEAR.match(label.strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ReportError(f"school year {label!r} is not two consecutive years such as 2026-2027")
    start = int(match.group(1))
    if not 1900 <= start <= 9998:
        raise ReportError(f"school year {label!r} is out of range (1900-1901 .. 9998-9999)")
    configured = load_settings(session).school_year
    if configured and configured.first.year == start and configured.last.year == start + 1:
        return SchoolYear(label.strip(), configured.first, configured.last)
    return SchoolYear(label.strip(), date(start, 8, 1), date(start + 1, 7, 31))


@dataclass
class _Tally:
    """One row while counting: the best share per group, and session counts."""

    best: dict[str, int] = field(default_factory=dict)  # group key -> pupils reached
    unmarked_groups: dict[str, int] = field(default_factory=dict)  # group key -> headcount
    held: set[int] = field(default_factory=set)
    not_held: set[int] = field(default_factory=set)
    unmarked: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class ReportRow:
    scope: str  # campus | school | host
    key: str  # "" for the campus
    name: str
    audience: str
    target: int | None  # campus rows of a targeted audience only
    reached: int
    groups_reached: int
    sessions_held: int
    sessions_not_held: int
    sessions_unmarked: int
    pupils_unmarked: int

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.reached >= self.target


@dataclass(frozen=True)
class YearReport:
    year: SchoolYear
    rows: tuple[ReportRow, ...]


def shares(attended: int, groups: Iterable[tuple[str, int]]) -> dict[str, int]:
    """``attended`` split over (group key, headcount) in proportion, summing exactly."""
    groups = sorted(groups)
    total = sum(size for _, size in groups)
    if total <= 0:
        return {key: 0 for key, _ in groups}
    exact = {key: attended * size / total for key, size in groups}
    out = {key: int(value) for key, value in exact.items()}
    left = attended - sum(out.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[:left]:
        out[key] += 1
    return out


def _hosts(ps: e.PublishedSession) -> list[e.Partner]:
    """Who hosts a session: the location's partner; at a school site, the trainers' companies
    (a school with its own trainers only: the school)."""
    partner = ps.location.partner
    if partner.kind != "school":
        return [partner]
    employers = {t.trainer.partner.key: t.trainer.partner for t in ps.trainers}
    companies = [employers[k] for k in sorted(employers) if employers[k].kind != "school"]
    return companies or [partner]


def year_report(session: Session, year: SchoolYear) -> YearReport:
    """Every row of the report for ``year`` (campus, then schools, then hosts)."""
    first = datetime.combine(year.first, time.min)
    after = datetime.combine(year.last + timedelta(days=1), time.min)
    sessions = session.scalars(
        select(e.PublishedSession)
        .where(
            e.PublishedSession.start >= first,
            e.PublishedSession.start < after,
            e.PublishedSession.status == "confirmed",
        )
        .options(
            selectinload(e.PublishedSession.request),
            selectinload(e.PublishedSession.location),
            selectinload(e.PublishedSession.trainers),
        )
        .order_by(e.PublishedSession.id)
    ).all()
    marks = {
        row.published_session_id: row
        for row in session.scalars(
            select(e.SessionAttendance).where(
                e.SessionAttendance.published_session_id.in_([ps.id for ps in sessions])
            )
        )
    } if sessions else {}  # fmt: skip
    tallies: dict[tuple[str, str, str], _Tally] = defaultdict(_Tally)
    names: dict[tuple[str, str], str] = {("campus", ""): "campus"}
    for ps in sessions:
        audience = ps.request.activity_type.audience
        groups = [rg.group for rg in ps.request.groups]
        mark = marks.get(ps.id)
        share = (
            shares(mark.attended or 0, [(g.key, g.headcount) for g in groups])
            if mark is not None and mark.held
            else {}
        )
        scopes: list[tuple[str, str, list[e.Group]]] = [("campus", "", groups)]
        by_school: dict[str, list[e.Group]] = defaultdict(list)
        for g in groups:
            by_school[g.school.key].append(g)
            names[("school", g.school.key)] = g.school.name
        scopes += [("school", key, own) for key, own in by_school.items()]
        for host in _hosts(ps):
            names[("host", host.key)] = host.name
            scopes.append(("host", host.key, groups))
        for scope, key, scoped in scopes:
            tally = tallies[(scope, key, audience)]
            if mark is None:
                tally.unmarked.add(ps.id)
                for g in scoped:
                    tally.unmarked_groups[g.key] = g.headcount
            elif not mark.held:
                tally.not_held.add(ps.id)
            else:
                tally.held.add(ps.id)
                for g in scoped:
                    tally.best[g.key] = max(tally.best.get(g.key, 0), share[g.key])
    targets = load_settings(session).targets
    for audience in TARGET_AUDIENCES:  # the targeted audiences always have a campus row
        tallies[("campus", "", audience)]
    rows = []
    order = {"campus": 0, "school": 1, "host": 2}
    audiences = list(e.AUDIENCES)
    for (scope, key, audience), tally in sorted(
        tallies.items(), key=lambda item: (order[item[0][0]], item[0][1],
                                           audiences.index(item[0][2]))
    ):  # fmt: skip
        reached_groups = {g for g, n in tally.best.items() if n > 0}
        target_field = TARGET_AUDIENCES.get(audience)
        target = getattr(targets, target_field) if scope == "campus" and target_field else None
        rows.append(
            ReportRow(
                scope=scope,
                key=key,
                name=names[(scope, key)],
                audience=audience,
                target=target,
                reached=sum(tally.best.values()),
                groups_reached=len(reached_groups),
                sessions_held=len(tally.held),
                sessions_not_held=len(tally.not_held),
                sessions_unmarked=len(tally.unmarked),
                pupils_unmarked=sum(
                    n for g, n in tally.unmarked_groups.items() if g not in reached_groups
                ),
            )
        )
    return YearReport(year, tuple(rows))


def report_csv(report: YearReport) -> str:
    """The report as CSV (comma-separated, a header line, CRLF line ends as RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in report.rows:
        met = "" if row.met is None else ("yes" if row.met else "no")
        writer.writerow(
            [
                report.year.label, row.scope, row.key, row.name, row.audience,
                "" if row.target is None else row.target, met, row.reached, row.groups_reached,
                row.sessions_held, row.sessions_not_held, row.sessions_unmarked,
                row.pupils_unmarked,
            ]
        )  # fmt: skip
    return out.getvalue()


def report_dict(report: YearReport) -> dict[str, object]:
    """The report as JSON values: the year and its days, then one item per row."""
    return {
        "year": report.year.label,
        "first": report.year.first.isoformat(),
        "last": report.year.last.isoformat(),
        "rows": [{**asdict(row), "met": row.met} for row in report.rows],
    }
