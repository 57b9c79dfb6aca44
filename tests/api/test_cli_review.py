"""`campus runs diff`, `campus publish` with its checks, `campus publications list` and
`campus solve --reference`: the review-and-publish step from the shell.

The data are those of tests/http/test_review_publish.py (run 1 on 16 March 2027, run 2 on
30 March, after daylight saving started), with snapshots in the past: the CLI checks against
the real clock.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.audit import CLI
from models.db import session_scope
from models.store import load_files
from models.trainers import add_absence, audit_child, created
from tests.conftest import DATA, MINI
from tests.feeds.factory import make_run
from tests.http.test_review_publish import HORIZON, MARCH_16, MARCH_30

runner = CliRunner()
OLDER = datetime(2026, 1, 5, 9, tzinfo=UTC)
NEWER = datetime(2026, 1, 10, 9, tzinfo=UTC)


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _setup(engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    with session_scope(engine) as session:
        load_files(session, [MINI, DATA / "other-school.yaml"])
        request = session.scalars(select(e.Request).where(e.Request.key == "r-rs-1")).one()
        request.status = "accepted"
        make_run(session, MARCH_16, horizon=HORIZON, created=OLDER)
        make_run(session, MARCH_30, horizon=HORIZON, created=NEWER)
    return url


def test_diff_publish_refusal_override_and_history(engine: Engine) -> None:
    url = _setup(engine)
    code, out, _ = campus("runs", "diff", "1", "--db", url)
    assert code == 0, out
    assert "run 1 against the published plan (nothing published yet): 2 new, 0 moved" in out
    assert "School Vmbo College Zuidoost (vmbo-zuidoost): 1 new, 0 moved" in out
    assert "new        r-gl-1#1  Tue 2027-03-16 08:30-10:00 vz-school, t-sanne" in out
    assert "2 trainers bevoegd voor W-heatpump nodig, alleen t-sanne" in out
    assert "under today's data the run breaks no hard rule" in out
    code, out, _ = campus("runs", "diff", "1", "--lang", "en", "--json", "--db", url)
    document = json.loads(out)
    assert document["against"] is None and document["counts"]["new"] == 2
    reasons = {x["request"]: x["reasons"] for x in document["left_out"]}
    assert reasons["r-ws-1"] and "bevoegd" not in reasons["r-ws-1"][0]
    assert campus("runs", "diff", "1", "--week", "2027-53", "--db", url)[0] == 2
    assert campus("runs", "diff", "9", "--db", url)[0] == 1

    assert campus("publish", "1", "--db", url)[0] == 0
    code, out, _ = campus("publish", "2", "--db", url)
    assert code == 0 and "published run 2 as version 2: 2 moved, 0 unchanged" in out
    # across the switch to summer time the wall times stay the same
    code, out, _ = campus("runs", "diff", "1", "--school", "roc-sloterdijk", "--db", url)
    assert (
        "moved      r-rs-1#1  Tue 2027-03-30 13:00-16:00 ww-hal, t-sanne -> "
        "Tue 2027-03-16 13:00-16:00 ww-hal, t-sanne (time)"
    ) in out

    with session_scope(engine) as session:  # the trainer reports 15-19 March, as the CLI
        sanne = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one()
        row = add_absence(sanne, date(2027, 3, 15), date(2027, 3, 19), "sick")
        session.flush()
        values = {"first": "2027-03-15", "last": "2027-03-19", "category": "sick"}
        audit_child(session, CLI, sanne, "absence", row.id, "create", created(values),
                    now=datetime.now(UTC))  # fmt: skip
    code, out, _ = campus("runs", "diff", "1", "--db", url)
    assert "trainer t-sanne/absence/" in out and "toegevoegd door cli campus CLI" in out
    assert "warning: run 1 was solved on data of 2026-01-05 09:00 UTC" in out
    assert "the run breaks 2 hard rule(s)" in out

    code, out, err = campus("publish", "1", "--db", url)
    assert code == 1
    assert (
        "trainer afwezig of niet beschikbaar: r-gl-1 sessie 1, di 16 mrt 2027, 08:30–10:00" in out
    )
    assert "r-rs-1 sessie 1, di 16 mrt 2027, 13:00–16:00 in Praktijkhal Westpoort" in out
    assert "breaks 2 hard rule(s)" in err and "--reference 1" in err
    code, out, _ = campus("publish", "1", "--lang", "en", "--db", url)
    assert code == 1
    assert "trainer absent or not available: r-gl-1 session 1, Tue 16 Mar 2027, 08:30–10:00" in out
    assert campus("publications", "list", "--db", url)[1].count("\n") == 2  # nothing written

    code, out, _ = campus("publish", "1", "--override", "Sanne komt toch", "--db", url)
    assert code == 0 and "published run 1 as version 3" in out
    assert "published by override (Sanne komt toch) although it breaks 2 hard rule(s)" in out
    code, out, _ = campus("publications", "list", "--db", url)
    lines = out.splitlines()
    assert lines[0].startswith("v3  run 1  ") and "by cli campus CLI" in lines[0]
    assert lines[0].endswith("(in force)  override: Sanne komt toch")
    assert lines[2].startswith("v1  run 1  ")
    history = json.loads(campus("publications", "list", "--json", "--db", url)[1])
    assert [(p["version"], p["run"]) for p in history] == [(3, 1), (2, 2), (1, 1)]


def test_publish_refuses_runs_without_a_plan_and_unknown_runs(engine: Engine) -> None:
    url = _setup(engine)
    with session_scope(engine) as session:
        run = make_run(session, (), horizon=HORIZON, created=NEWER)
        run.status = "infeasible"
    code, _, err = campus("publish", "3", "--db", url)
    assert code == 1 and "run 3 is infeasible: it found no plan; nothing was published" in err
    assert "there is no solve run 99" in campus("publish", "99", "--db", url)[2]
    assert campus("publish", "1", "--override", " ", "--db", url)[0] == 2


def test_solve_with_an_explicit_reference_run(engine: Engine) -> None:
    url = _setup(engine)
    code, _, err = campus("solve", "--weeks", "2027-W11..2027-W14", "--reference", "99",
                          "--db", url)  # fmt: skip
    assert code == 1 and "no solve run 99 to use as the reference" in err
    code, out, _ = campus(
        "solve", "--weeks", "2027-W11..2027-W14", "--reference", "2", "--now",
        "2027-03-01T08:00", "--time-limit", "5", "--deterministic", "--json", "--db", url,
    )  # fmt: skip
    assert code == 0, out
    with session_scope(engine) as session:
        runs = session.scalars(select(e.SolveRun).order_by(e.SolveRun.id)).all()
        assert len(runs) == 3 and runs[-1].parameters["reference_run"] == 2
        # kept close to run 2: its sessions on 30 March stay where they were
        kept = {(a.request.key, a.start) for a in runs[-1].assignments}
        assert ("r-gl-1", datetime(2027, 3, 30, 8, 30)) in kept
