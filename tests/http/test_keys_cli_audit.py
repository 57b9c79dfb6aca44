"""`campus keys create|revoke` are audited as the CLI, without the secret."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.db import make_engine, session_scope
from models.store import load_files
from tests.conftest import MINI

runner = CliRunner()


def test_the_cli_records_who_made_and_revoked_which_key(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'keys.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", db]).exit_code == 0
    with session_scope(make_engine(db)) as session:
        load_files(session, [MINI])
    made = runner.invoke(app, ["keys", "create", "--role", "trainer", "--trainer", "t-sanne",
                               "--label", "Sanne", "--db", db])  # fmt: skip
    assert made.exit_code == 0, made.output
    secret = re.search(r"tic_\S+", made.output).group()  # type: ignore[union-attr]
    assert runner.invoke(app, ["keys", "revoke", "1", "--db", db]).exit_code == 0
    with session_scope(make_engine(db)) as session:
        rows = session.scalars(select(e.AuditEvent).order_by(e.AuditEvent.id)).all()
        assert [(r.actor_role, r.entity, r.entity_key, r.action, r.changes) for r in rows] == [
            ("cli", "api_key", "1", "create",
             {"role": [None, "trainer"], "trainer": [None, "t-sanne"], "label": [None, "Sanne"]}),
            ("cli", "api_key", "1", "update", {"status": ["active", "revoked"]}),
        ]  # fmt: skip
        assert secret not in str([r.changes for r in rows])
