"""What each party's notice of a publication says: a trainer swap told to both trainers and
both employers, a rollback that brings a cancelled session back and moves another back, and
a publication that changes nothing told to nobody. Plans and parties: conftest.py here."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Engine

from models.db import session_scope
from models.notices import notices_for_publication
from models.publish import publish
from tests.feeds.factory import make_run
from tests.notices.conftest import PLAN_1, PLAN_2, load_campus

MOMENTS = [datetime(2027, 3, 1 + i, 9, tzinfo=UTC) for i in range(4)]


def test_a_trainer_swap_is_told_to_both_trainers_and_both_employers(engine: Engine) -> None:
    swapped = tuple(
        replace(p, trainers=("t-sanne",)) if (p.request, p.index) == ("r-sc-1", 1) else p
        for p in PLAN_1
    )
    with session_scope(engine) as session:
        load_campus(session)
        notices_for_publication(session, publish(session, make_run(session, PLAN_1),
                                                 now=MOMENTS[0]))  # fmt: skip
        told = notices_for_publication(
            session, publish(session, make_run(session, swapped), now=MOMENTS[1])
        )
        by_party = {(n.party_role, n.party_key): n for n in told}
        assert sorted(by_party) == [
            ("company", "elektro-noord"), ("company", "warmte-west"),
            ("school", "vmbo-zuidoost"), ("trainer", "t-ahmed"), ("trainer", "t-sanne"),
        ]  # fmt: skip
        english = by_party[("company", "elektro-noord")]
        assert english.subject == "TIC Planner: 1 change to your schedule"
        assert (
            "Changed:\n- Vaardigheidstraining schakelkasten (3 KB-b): from Fri 26 Mar 2027, "
            "08:30–12:30, E-lab Noord, trainer Ahmed El Amrani to Fri 26 Mar 2027, 08:30–12:30, "
            "E-lab Noord, trainer Sanne de Wit" in english.body
        )
        session_json = english.changes["sessions"][0]
        assert (session_json["kind"], session_json["what"]) == ("changed", ["trainer"])
        assert session_json["before"]["trainers"] == ["t-ahmed"]
        assert session_json["after"]["trainers"] == ["t-sanne"]
        assert by_party[("trainer", "t-ahmed")].language == "en"  # his employer's language
        assert "Gewijzigd:\n- " in by_party[("trainer", "t-sanne")].body


def test_a_rollback_brings_a_session_back_and_moves_another_back(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_campus(session)
        first = make_run(session, PLAN_1)
        for run, moment in ((first, MOMENTS[0]), (make_run(session, PLAN_2), MOMENTS[1])):
            notices_for_publication(session, publish(session, run, now=moment))
        told = notices_for_publication(session, publish(session, first, now=MOMENTS[2]))
        school = next(n for n in told if n.party_key == "vmbo-zuidoost")
        assert (
            "Weer ingepland:\n- Gastles: werken in de installatietechniek (3 BB-a en 3 KB-b): "
            "do 1 apr 2027, 10:00–11:30" in school.body
        )
        # "before" is what the publication in force showed: plan 2's Thursday, not plan 1's
        assert (
            "Verplaatst:\n- Workshop warmtepomp (3 BB-a): van do 1 apr 2027, 13:00–16:00, "
            "Praktijkhal Westpoort, trainer Sanne de Wit naar di 30 mrt 2027, 13:00–16:00"
            in school.body
        )
        assert "elektro-noord" not in {n.party_key for n in told}
        # publishing the run in force again changes nothing and tells nobody
        assert notices_for_publication(session, publish(session, first, now=MOMENTS[3])) == []
