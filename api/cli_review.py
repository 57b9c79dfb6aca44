"""`campus runs diff N` and `campus publications list`: review a run, see what was published.

The diff is the API's GET /api/v1/solves/{id}/diff (models/review.py): per school, company
and trainer what a publish would change, the requests left out with why, and staleness.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from sqlalchemy import select

from api.cli_common import DbOption, bold, console, fail, ready_engine
from api.cli_runs import runs_app
from api.cli_solve import LangOption, chosen_language
from models import entities as e
from models.bridge import HorizonError
from models.db import session_scope
from models.publish import Change
from models.publishing import PublicationInfo, publication_infos
from models.review import PartyDiff, RunDiff, diff_run
from models.words import DEFAULT_LANGUAGE

MAX_ID = 2**31 - 1
KIND = {"school": "School", "company": "Company", "trainer": "Trainer"}

publications_app = typer.Typer(
    help="Published plans: every version with its run, when, by whom and counts.",
    no_args_is_help=True,
)


def _at(change: Change, old: bool) -> str:
    at = change.old if old else change.new
    if at is None:
        return ""
    who = f", {', '.join(at.trainers)}" if at.trainers else ""
    return f"{at.start:%a %Y-%m-%d %H:%M}-{at.end:%H:%M} {at.location}{who}"


def _change_line(change: Change) -> str:
    name = f"{change.request}#{change.session_index}"
    if change.old is None:
        return f"    new        {name}  {_at(change, False)}"
    if change.new is None:
        return f"    cancelled  {name}  {_at(change, True)}"
    what = ", ".join(change.what)
    return f"    moved      {name}  {_at(change, True)} -> {_at(change, False)} ({what})"


def _party_lines(party: PartyDiff) -> list[str]:
    lines = [
        bold(
            f"{KIND[party.kind]} {party.name} ({party.key}): {len(party.new)} new, "
            f"{len(party.moved)} moved, {len(party.cancelled)} cancelled, "
            f"{party.unchanged} unchanged"
        )
    ]
    for change in (*party.new, *party.moved, *party.cancelled):
        lines.append(_change_line(change))
    return lines


def _change_json(c: Change) -> dict[str, Any]:
    def at(old: bool) -> dict[str, Any] | None:
        p = c.old if old else c.new
        if p is None:
            return None
        return {
            "date": p.start.date().isoformat(), "start": f"{p.start:%H:%M}",
            "end": f"{p.end:%H:%M}", "location": p.location, "trainers": list(p.trainers),
        }  # fmt: skip

    return {
        "uid": c.uid, "request": c.request, "session": c.session_index, "kind": c.kind,
        "what": list(c.what), "old": at(True), "new": at(False),
    }  # fmt: skip


def diff_json(diff: RunDiff) -> dict[str, Any]:
    s = diff.staleness
    return {
        "run": diff.run_id,
        "against": diff.against,
        "counts": diff.counts,
        "parties": [
            {
                "kind": p.kind,
                "key": p.key,
                "name": p.name,
                "new": [_change_json(c) for c in p.new],
                "moved": [_change_json(c) for c in p.moved],
                "cancelled": [_change_json(c) for c in p.cancelled],
                "unchanged": p.unchanged,
            }
            for p in diff.parties
        ],
        "left_out": [
            {"request": x.request, "incomplete": x.incomplete, "reasons": list(x.reasons)}
            for x in diff.left_out
        ],
        "staleness": {
            "snapshot_at": s.snapshot_at.isoformat(),
            "changes": [c.text for c in s.changes],
            "violations": [
                {
                    "rule": v.rule,
                    "check": v.check,
                    "request": v.request,
                    "session": v.session,
                    "text": v.text,
                }
                for v in s.violations
            ],
            "older_than_published": s.older_than_published,
            "note": s.note,
        },
    }


def print_diff(diff: RunDiff) -> None:
    against = f"version {diff.against}" if diff.against else "nothing published yet"
    counts = ", ".join(f"{n} {k}" for k, n in diff.counts.items())
    console.print(bold(f"run {diff.run_id} against the published plan ({against}): {counts}"))
    for party in diff.parties:
        for line in _party_lines(party):
            console.print(line)
    if diff.left_out:
        console.print(bold(f"left out: {len(diff.left_out)} request(s)"))
        for item in diff.left_out:
            state = "incomplete" if item.incomplete else "not scheduled"
            console.print(f"  {item.request} ({state})")
            for reason in item.reasons:
                console.print(f"    - {reason}")
    s = diff.staleness
    console.print(
        bold(
            f"since the run's snapshot ({s.snapshot_at:%Y-%m-%d %H:%M} UTC): "
            f"{len(s.changes)} data change(s)"
        )
    )
    for change in s.changes:
        console.print(f"  {change.text}")
    if s.note:
        console.print(f"warning: {s.note}", style="yellow")
    if s.violations:
        console.print(
            bold(f"under today's data the run breaks {len(s.violations)} hard rule(s):", "red")
        )
        for v in s.violations:
            console.print(f"  {v.text}")
    else:
        console.print("under today's data the run breaks no hard rule")


def diff_command(
    run_id: Annotated[int, typer.Argument(help="The run's id (see `campus runs list`).")],
    school: Annotated[str | None, typer.Option("--school", help="A school's key.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="A location's key.")] = None,
    week: Annotated[str | None, typer.Option("--week", help="An ISO week, e.g. 2027-W12.")] = None,
    lang: LangOption = DEFAULT_LANGUAGE,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    db: DbOption = None,
) -> None:
    """What publishing a run would change per school, company and trainer, and why not more.

    Also the requests it leaves out with why, what changed in the data since it was solved,
    and the hard rules it breaks under today's data.

    Example: campus runs diff 3 --school vmbo-zuidoost --lang en
    """
    words = chosen_language(lang)
    engine = ready_engine(db)
    with session_scope(engine) as session:
        run = session.get(e.SolveRun, run_id) if 1 <= run_id <= MAX_ID else None
        if run is None:
            raise fail(f"no solve run {run_id}: `campus runs list` shows the runs")
        try:
            diff = diff_run(
                session, run, now=datetime.now(UTC), lang=words, school=school,
                location=location, week=week,
            )  # fmt: skip
        except HorizonError as exc:
            raise fail(f"--week: {exc}", 2) from None
    if as_json:
        print(json.dumps(diff_json(diff), indent=2, ensure_ascii=False))
    else:
        print_diff(diff)


def publication_line(p: PublicationInfo) -> str:
    counts = ", ".join(f"{n} {k}" for k, n in p.counts.items()) or "no counts"
    by = f" by {p.by}" if p.by else ""
    force = "  (in force)" if p.in_force else ""
    override = f"  override: {p.override_reason}" if p.override_reason else ""
    return (
        f"v{p.version}  run {p.run_id}  {p.published_at:%Y-%m-%d %H:%M} UTC{by}  "
        f"{counts}{force}{override}"
    )


@publications_app.command("list")
def publications_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    db: DbOption = None,
) -> None:
    """Every publication, newest first: version, run, when, by whom, counts.

    Rolling back is publishing an older run again: campus publish RUN.

    Example: campus publications list --json
    """
    engine = ready_engine(db)
    with session_scope(engine) as session:
        rows = session.scalars(select(e.Publication).order_by(e.Publication.version.desc()))
        items = publication_infos(session, list(rows))
    if as_json:
        document = [
            {
                "version": p.version,
                "run": p.run_id,
                "published_at": p.published_at.isoformat(),
                "by": p.by,
                "counts": p.counts,
                "in_force": p.in_force,
                "override_reason": p.override_reason,
            }
            for p in items
        ]
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if not items:
        console.print("Nothing published yet: campus publish RUN")
    for p in items:
        console.print(publication_line(p))


def register(app: typer.Typer) -> None:
    """Add `campus runs diff` and `campus publications` to the command line."""
    runs_app.command("diff")(diff_command)
    app.add_typer(publications_app, name="publications")
