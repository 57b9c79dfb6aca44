"""`campus publish` tells every party its own changes, by e-mail through a real SMTP server on
127.0.0.1 (aiosmtpd), in its language; a mail failure never undoes a publish and is retried
by `campus notices send`. Plans and parties: tests/notices/conftest.py."""

from __future__ import annotations

import json

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from api.cli import app
from models import entities as e
from models.db import session_scope
from tests.feeds.factory import make_run
from tests.notices.conftest import ADDRESSES, PLAN_1, PLAN_2, SENDER, load_campus
from tests.notices.smtp_sink import free_port, smtp_sink

# The hand-written plans break hard rules of the mini campus (tests/feeds/factory.py), so
# publishing them needs the override the review added.
HAND = ("--override", "hand-written test plan")

runner = CliRunner()


def campus(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _mail_on(url: str, port: int) -> None:
    settings = {"mail": {"enabled": True, "smtp_host": "127.0.0.1", "smtp_port": port,
                         "starttls": False, "sender": SENDER}}  # fmt: skip
    code, _, err = campus("settings", "set", "--db", url, "--json", json.dumps(settings))
    assert code == 0, err


def test_each_recipient_gets_exactly_their_own_changes_in_their_language(engine: Engine) -> None:
    url = _url(engine)
    with session_scope(engine) as session:
        load_campus(session)
        make_run(session, PLAN_1)
    with smtp_sink() as sink:
        _mail_on(url, sink.port)
        code, out, err = campus("publish", "--db", url, "1", *HAND)
        assert code == 0, err
        assert "notices: 5 (GET /api/v1/changes)" in out
        assert "e-mailed 4 notice(s)" in out
        first = sink.by_recipient()
        sink.received.clear()

        # One message per party with an address; t-ahmed has none (in the API only).
        assert sorted(first) == sorted(ADDRESSES.values())
        assert all(len(messages) == 1 for messages in first.values())
        school = first[ADDRESSES["vmbo-zuidoost"]][0]
        assert school.message["From"] == SENDER
        assert school.message["Subject"] == "TIC Planner: 5 wijzigingen in uw planning"
        assert school.message["Content-Language"] == "nl"
        assert school.body.startswith("Beste Vmbo College Zuidoost,\n\n")
        assert "(publicatie 1)" in school.body
        assert (
            "- Workshop warmtepomp (3 BB-a): di 30 mrt 2027, 13:00–16:00, Praktijkhal Westpoort, "
            "trainer Sanne de Wit" in school.body
        )  # the Tuesday after the clocks went forward: still 13:00 wall time
        assert "vr 26 mrt 2027, 08:30–12:30, E-lab Noord, trainer Ahmed El Amrani" in school.body
        english = first[ADDRESSES["elektro-noord"]][0]
        assert english.message["Subject"] == "TIC Planner: 3 changes to your schedule"
        assert english.message["Content-Language"] == "en"
        assert english.body.startswith("Dear Elektro Noord, installaties; service & onderhoud,")
        assert "New:\n- Vaardigheidstraining schakelkasten (3 KB-b): Fri 26 Mar 2027, " in (
            english.body
        )
        assert "Fri 9 Apr 2027, 08:30–12:30, E-lab Noord, trainer Ahmed El Amrani" in english.body
        for other in ("Workshop warmtepomp", "Gastles", "Praktijkhal"):
            assert other not in english.body  # only its own sessions
        company = first[ADDRESSES["warmte-west"]][0]
        assert company.message["Subject"] == "TIC Planner: 2 wijzigingen in uw planning"
        assert "schakelkasten" not in company.body
        trainer = first[ADDRESSES["t-sanne"]][0]
        assert trainer.body.startswith("Beste Sanne de Wit,")
        assert "do 1 apr 2027, 10:00–11:30, Vmbo College Zuidoost, hoofdgebouw" in trainer.body

        with session_scope(engine) as session:
            make_run(session, PLAN_2)
        code, out, err = campus("publish", "--db", url, "2", *HAND)
        assert code == 0, err
        second = sink.by_recipient()
    # elektro-noord's sessions did not change: it is not told again.
    assert sorted(second) == sorted(
        ADDRESSES[k] for k in ("vmbo-zuidoost", "warmte-west", "t-sanne")
    )
    school = second[ADDRESSES["vmbo-zuidoost"]][0]
    assert school.message["Subject"] == "TIC Planner: 2 wijzigingen in uw planning"
    assert (
        "Verplaatst:\n- Workshop warmtepomp (3 BB-a): van di 30 mrt 2027, 13:00–16:00, "
        "Praktijkhal Westpoort, trainer Sanne de Wit naar do 1 apr 2027, 13:00–16:00, "
        "Praktijkhal Westpoort, trainer Sanne de Wit" in school.body
    )
    assert (
        "Geannuleerd:\n- Gastles: werken in de installatietechniek (3 BB-a en 3 KB-b): "
        "do 1 apr 2027, 10:00–11:30, Vmbo College Zuidoost, hoofdgebouw" in school.body
    )
    assert "Nieuw" not in school.body and "schakelkasten" not in school.body
    with session_scope(engine) as session:
        rows = session.scalars(select(e.Notice).order_by(e.Notice.id)).all()
        assert [
            (n.party_role, n.party_key, n.email_status) for n in rows if n.publication.version == 2
        ] == [
            ("company", "warmte-west", "sent"),
            ("school", "vmbo-zuidoost", "sent"),
            ("trainer", "t-sanne", "sent"),
        ]
        ahmed = [n for n in rows if n.party_key == "t-ahmed"]
        assert [(n.email_status, n.language) for n in ahmed] == [("no_address", "en")]


def test_a_mail_failure_never_undoes_the_publish_and_notices_send_retries(engine: Engine) -> None:
    url = _url(engine)
    with session_scope(engine) as session:
        load_campus(session)
        make_run(session, PLAN_1)
    port = free_port()  # nothing listens here yet: the server is down
    _mail_on(url, port)
    code, out, err = campus("publish", "--db", url, "1", *HAND)
    assert code == 0  # the publication stands
    assert "published run 1 as version 1" in out
    assert "was not e-mailed" in err and "`campus notices send` tries the unsent" in err
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(e.Publication)) == 1
        states = {(n.party_key, n.email_status, n.email_attempts) for n in session.scalars(
            select(e.Notice))}  # fmt: skip
        assert states == {
            ("vmbo-zuidoost", "failed", 1), ("warmte-west", "failed", 1),
            ("elektro-noord", "failed", 1), ("t-sanne", "failed", 1), ("t-ahmed", "no_address", 0),
        }  # fmt: skip
    code, out, _ = campus("notices", "list", "--db", url, "--unsent")
    assert code == 0 and out.count("e-mail failed (") == 4

    with smtp_sink(port) as sink:
        code, out, err = campus("notices", "send", "--db", url)
        assert code == 0, err
        assert "e-mailed 4 notice(s)" in out
        assert sorted(sink.by_recipient()) == sorted(ADDRESSES.values())
        code, out, _ = campus("notices", "send", "--db", url)
        assert (code, out.strip()) == (0, "nothing to send")  # each is sent once
    with session_scope(engine) as session:
        sent = session.scalars(select(e.Notice).where(e.Notice.email_status == "sent")).all()
        assert len(sent) == 4 and all(n.email_attempts == 2 and n.email_error == "" for n in sent)


def test_with_mail_off_notices_stay_in_the_api_and_send_says_why(engine: Engine) -> None:
    url = _url(engine)
    with session_scope(engine) as session:
        load_campus(session)
        make_run(session, PLAN_1)
    code, out, _ = campus("publish", "--db", url, *HAND)
    assert code == 0 and "e-mailed" not in out
    code, out, _ = campus("notices", "list", "--db", url, "--json")
    items = json.loads(out)
    assert {i["email"]["status"] for i in items} == {"mail_off", "no_address"}
    assert len(items) == 5
    code, _, err = campus("notices", "send", "--db", url)
    assert code == 1 and "mail is off" in err
    code, _, err = campus("notices", "list", "--db", url, "--kind", "nonsense")
    assert code == 2 and "unknown kind" in err
