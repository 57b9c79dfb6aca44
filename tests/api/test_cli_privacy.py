"""`campus prune` (retention) and `campus erase` (a person's data, everywhere) on both databases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, String, func, select
from typer.testing import CliRunner

import api.cli_privacy
from api.cli import app
from models import entities as e
from models.audit import CLI, Actor, record
from models.db import session_scope
from models.feeds import create_token, lookup_token
from models.keys import authenticate, create_key
from models.store import load_files
from tests.conftest import MINI
from tests.feeds.conftest import build_campus, renderer

runner = CliRunner()
NOW = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)  # the frozen clock of these commands
AHMED = "Ahmed El Amrani"
AHMED_MAIL = "ahmed.amrani@elektro-noord.example"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.cli_privacy, "_now", lambda: NOW)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _campus(
    session: Any, *, retention_days: int = 30
) -> None:  # a loaded mini campus, retention 30 days
    load_files(session, [MINI])
    session.add(e.CampusSettingsRow(id=1, data={"retention_days": retention_days}))


# ------------------------------------------------------------------------------ prune


def _audit_at(session: Any, *moments: datetime) -> None:
    for i, at in enumerate(moments):
        record(session, CLI, entity="location", key="ww-hal", action="update",
               changes={"capacity": [i, i + 1]}, now=at)  # fmt: skip


def test_prune_deletes_what_is_older_than_the_retention_and_keeps_the_rest(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        _campus(session)  # t-sanne's absence 2027-03-22..03-26 ended 36 days before NOW
        sanne = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one()
        sanne.absences.append(e.TrainerAbsence(first=date(2027, 3, 30), last=date(2027, 4, 1)))
        _audit_at(
            session,
            datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
            datetime(2027, 4, 1, 11, 59, tzinfo=UTC),  # 30 days and a minute before NOW
            datetime(2027, 4, 1, 12, 0, tzinfo=UTC),  # exactly 30 days: kept
            datetime(2027, 4, 20, 9, 0, tzinfo=UTC),
        )
    dry = runner.invoke(app, ["prune", "--dry-run", "--db", _url(engine)])
    assert dry.exit_code == 0, dry.output
    assert "would prune 2 audit entries from before 2027-04-01 12:00 UTC" in dry.output
    assert "would prune 1 trainer absence(s) that ended before 2027-04-01" in dry.output
    assert "t-sanne: 2027-03-22..2027-03-26" in dry.output
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(e.AuditEvent)) == 4
        assert session.scalar(select(func.count()).select_from(e.TrainerAbsence)) == 2

    done = runner.invoke(app, ["prune", "--db", _url(engine)])
    assert done.exit_code == 0, done.output
    assert "Retention: 30 days" in done.output
    assert "pruned 2 audit entries" in done.output
    with session_scope(engine) as session:
        kept = session.scalars(select(e.AuditEvent.changes).order_by(e.AuditEvent.id)).all()
        assert kept == [{"capacity": [2, 3]}, {"capacity": [3, 4]}]
        absences = session.execute(select(e.TrainerAbsence.first, e.TrainerAbsence.last)).all()
        assert absences == [(date(2027, 3, 30), date(2027, 4, 1))]  # ended exactly 30 days ago

    again = runner.invoke(app, ["prune", "--db", _url(engine)])
    assert "pruned 0 audit entries" in again.output
    assert "pruned 0 trainer absence(s)" in again.output


def test_serve_prunes_once_before_it_listens(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    with session_scope(engine) as session:
        _campus(session)
        _audit_at(session, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 4, 30, tzinfo=UTC))
    served: list[Any] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        with session_scope(engine) as session:  # what the server would start with
            served.append(session.scalar(select(func.count()).select_from(e.AuditEvent)))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = runner.invoke(app, ["serve", "--db", _url(engine)])
    assert result.exit_code == 0, result.output
    assert "pruned 1 audit entry from before" in result.output
    assert served == [1]


# ------------------------------------------------------------------------------ erase


def _text_dump(engine: Engine) -> str:
    """Every text and JSON value of every table, as one searchable text."""
    parts: list[str] = []
    with session_scope(engine) as session:
        for table in e.Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | JSON)]
            if not columns:
                continue
            for row in session.execute(select(*columns)):
                parts.extend(json.dumps(v, ensure_ascii=False) for v in row)
    return "\n".join(parts)


def _published_with_ahmed(engine: Engine) -> dict[str, str]:
    """The feeds' published campus, with Ahmed's personal data in every kind of place."""
    build_campus(engine)
    with session_scope(engine) as session:
        ahmed = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-ahmed")).one()
        ahmed.email = AHMED_MAIL
        ahmed.absences.append(e.TrainerAbsence(first=date(2027, 6, 1), last=date(2027, 6, 4)))
        request = session.scalars(select(e.Request).where(e.Request.key == "r-sc-1")).one()
        request.note = f"Graag weer {AHMED} (mail {AHMED_MAIL})"
        _, trainer_key = create_key(session, role="trainer", trainer="t-ahmed", now=NOW,
                                    label=f"{AHMED}, telefoon")  # fmt: skip
        _, feed_token = create_token(session, "trainer", "t-ahmed", now=NOW, label=AHMED)
        key_actor = Actor(role="trainer", label=f"{AHMED}, telefoon", key_id=9)
        record(session, CLI, entity="trainer", key="t-ahmed", action="create", now=NOW,
               changes={"name": [None, AHMED], "email": [None, AHMED_MAIL]})  # fmt: skip
        record(session, key_actor, entity="trainer", key="t-ahmed/absence/1", action="create",
               changes={"first": [None, "2027-06-01"]}, now=NOW)  # fmt: skip
        record(session, CLI, entity="request", key="r-sc-1", action="update", now=NOW,
               changes={"trainer": [None, "t-ahmed"], "note": ["", request.note]})  # fmt: skip
        ps = session.scalars(select(e.PublishedSession)).first()
        assert ps is not None
        session.add(
            e.ReplanMark(published_session=ps, reason=f"{AHMED} afwezig", created_at=NOW,
                         actor_label=f"{AHMED}, telefoon")
        )  # fmt: skip
    return {"api_key": trainer_key, "feed_token": feed_token}


def _ahmed_links(engine: Engine) -> int:
    with session_scope(engine) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(e.PublishedSessionTrainer)
                .join(e.Trainer)
                .where(e.Trainer.name.like("Trainer % (gewist)"))
            )
            or 0
        )


def test_erasing_a_trainer_leaves_their_name_and_mail_nowhere_and_the_plan_intact(
    engine: Engine,
) -> None:
    secrets = _published_with_ahmed(engine)
    before = _text_dump(engine)
    assert AHMED in before and AHMED_MAIL in before and "t-ahmed" in before
    with session_scope(engine) as session:
        ahmed_id = session.scalars(select(e.Trainer.id).where(e.Trainer.key == "t-ahmed")).one()
        links = session.scalar(
            select(func.count()).select_from(e.PublishedSessionTrainer)
            .where(e.PublishedSessionTrainer.trainer_id == ahmed_id)
        )  # fmt: skip
    placeholder = f"Trainer {ahmed_id} (gewist)"

    result = runner.invoke(app, ["erase", "--trainer", "t-ahmed", "--yes", "--db", _url(engine)])
    assert result.exit_code == 0, result.output
    assert f"Erased trainer t-ahmed -> trainer-{ahmed_id}-gewist" in result.output
    assert "1 absence(s) removed" in result.output
    assert "api_keys: 1 key(s) of the trainer revoked" in result.output
    assert "feed_tokens: 1 trainer feed token(s) revoked" in result.output
    assert "audit_events:" in result.output and "requests:" in result.output

    after = _text_dump(engine)
    for personal in (AHMED, AHMED_MAIL, "t-ahmed", "Ahmed", "amrani"):
        assert personal.casefold() not in after.casefold(), personal
    assert _ahmed_links(engine) == links  # still linked to every published session

    with session_scope(engine) as session:
        trainer = session.get(e.Trainer, ahmed_id)
        assert trainer is not None
        assert (trainer.name, trainer.email, trainer.absences) == (placeholder, "", [])
        assert authenticate(session, secrets["api_key"], now=NOW) is None
        token = lookup_token(session, secrets["feed_token"])
        assert token is not None and token.revoked_at is not None
        erase = session.scalars(select(e.AuditEvent).where(e.AuditEvent.action == "erase")).one()
        assert (erase.actor_label, erase.entity, erase.entity_key) == (
            "campus erase", "trainer", f"trainer-{ahmed_id}-gewist",
        )  # fmt: skip
        assert erase.changes["name"] == [None, placeholder]
        scrubbed = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == "request")
        ).one()
        assert scrubbed.changes["trainer"] == [None, f"trainer-{ahmed_id}-gewist"]
        assert scrubbed.changes["note"] == ["", f"Graag weer {placeholder} (mail (gewist))"]
        shape = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity_key.like("trainer-%/absence/1"))
        ).one()
        assert shape.actor_label == f"{placeholder}, telefoon"

    render = renderer(engine)
    for view, key in (("campus", ""), ("location", "en-lab")):
        feed = render(view, key).decode("utf-8").replace("\r\n ", "")
        assert f"Trainer: {placeholder}" in feed
        assert "Ahmed" not in feed


def test_erase_asks_first_and_a_no_changes_nothing(engine: Engine) -> None:
    build_campus(engine)
    before = _text_dump(engine)
    url = _url(engine)
    no = runner.invoke(app, ["erase", "--trainer", "t-ahmed", "--db", url], input="n\n")
    assert no.exit_code == 1
    assert "This will erase trainer t-ahmed" in no.output
    assert "nothing was erased" in no.output
    assert _text_dump(engine) == before
    yes = runner.invoke(app, ["erase", "--trainer", "t-ahmed", "--db", url], input="y\n")
    assert yes.exit_code == 0, yes.output
    assert AHMED not in _text_dump(engine)


def test_a_contact_person_is_erased_and_a_namesake_trainer_is_left_alone(
    engine: Engine,
) -> None:
    """Sanne de Wit is warmte-west's contact and trainer t-sanne: two records, two erasures."""
    build_campus(engine)
    with session_scope(engine) as session:
        record(session, CLI, entity="partner", key="warmte-west", action="create", now=NOW,
               changes={"contact_name": [None, "Sanne de Wit"],
                        "contact_phone": [None, "020 555 0101"]})  # fmt: skip
    url = _url(engine)
    result = runner.invoke(app, ["erase", "--contact", "warmte-west", "--yes", "--db", url])
    assert result.exit_code == 0, result.output
    assert "partners: contact name, e-mail and phone blanked" in result.output
    assert "trainers.name" in result.output and "not changed" in result.output
    dump = _text_dump(engine)
    assert "planning@warmte-west.example" not in dump and "020 555 0101" not in dump
    with session_scope(engine) as session:
        partner = session.scalars(select(e.Partner).where(e.Partner.key == "warmte-west")).one()
        assert (partner.contact_name, partner.contact_email, partner.contact_phone) == ("", "", "")
        sanne = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-sanne")).one()
        assert sanne.name == "Sanne de Wit"  # another record: erased on its own
        entry = session.scalars(select(e.AuditEvent).where(e.AuditEvent.action == "create")).one()
        assert entry.changes == {"contact_name": [None, ""], "contact_phone": [None, ""]}
    feed = renderer(engine)("location", "ww-hal").decode("utf-8")
    assert "020 555 0101" not in feed and "BEGIN:VEVENT" in feed

    trainer = runner.invoke(app, ["erase", "--trainer", "t-sanne", "--yes", "--db", url])
    assert trainer.exit_code == 0, trainer.output
    assert "sanne de wit" not in _text_dump(engine).casefold()


def test_erase_refuses_an_unknown_person_or_an_unclear_request(engine: Engine) -> None:
    build_campus(engine)
    url = _url(engine)
    before = _text_dump(engine)
    for args, words in [
        (["--trainer", "t-nobody"], "no trainer with key 't-nobody'"),
        (["--contact", "no-partner"], "no partner with key 'no-partner'"),
        ([], "exactly one person"),
        (["--trainer", "t-ahmed", "--contact", "warmte-west"], "exactly one person"),
    ]:
        result = runner.invoke(app, ["erase", *args, "--yes", "--db", url])
        assert result.exit_code == 1, args
        assert words in result.output, result.output
    assert _text_dump(engine) == before


@pytest.mark.parametrize("command", ["prune", "erase"])
def test_the_privacy_commands_have_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
    assert "Example" in result.output


def test_a_deleted_trainer_is_erased_from_the_audit_keys_and_tokens(engine: Engine) -> None:
    """The trainer row is gone (deleted through the API, say); the audit still names them."""
    url = _url(engine)
    assert runner.invoke(app, ["load", "--db", url, str(MINI)]).exit_code == 0  # audited
    with session_scope(engine) as session:
        ahmed = session.scalars(select(e.Trainer).where(e.Trainer.key == "t-ahmed")).one()
        record(session, Actor(role="company", label="Elektro Noord"), entity="trainer",
               key="t-ahmed", action="delete", now=NOW,
               changes={"name": [AHMED, None], "email": [AHMED_MAIL, None]})  # fmt: skip
        session.delete(ahmed)
        _, secret = create_key(session, role="trainer", trainer="t-sanne", now=NOW)
        key = session.scalars(select(e.ApiKey).where(e.ApiKey.trainer_key == "t-sanne")).one()
        key.trainer_key, key.label = "t-ahmed", f"{AHMED}, telefoon"  # made before the delete
    assert AHMED in _text_dump(engine)

    result = runner.invoke(app, ["erase", "--trainer", "t-ahmed", "--yes", "--db", url])
    assert result.exit_code == 0, result.output
    assert "Erased deleted trainer t-ahmed -> trainer-gewist-20270501120000" in result.output
    assert "1 name(s) and 1 e-mail(s) found in the audit" in result.output
    assert "api_keys: 1 key(s) of the trainer revoked" in result.output
    dump = _text_dump(engine)
    for personal in (AHMED, AHMED_MAIL, "t-ahmed"):
        assert personal not in dump, personal
    with session_scope(engine) as session:
        assert authenticate(session, secret, now=NOW) is None
        entries = session.scalars(
            select(e.AuditEvent).where(e.AuditEvent.entity == "trainer")
            .order_by(e.AuditEvent.id)
        ).all()  # fmt: skip
        deleted = next(x for x in entries if x.action == "delete")
        assert deleted.changes == {"name": ["Trainer (gewist)", None], "email": ["", None]}
        assert entries[-1].action == "erase"
