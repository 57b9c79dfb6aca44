"""The one vocabulary of what users read: every reason code has Dutch and English words from
the catalogue, Dutch dates read the Dutch way, and the fixed phrases of the feeds live there."""

from __future__ import annotations

from datetime import date, datetime

import pytest

import models.words as words
from models.words import (
    CODE_WORDS,
    PHRASES,
    Language,
    UnknownLanguage,
    language,
    missing_codes,
    nl_date,
    nl_datetime,
    nl_period,
    phrase,
    render,
)
from scheduler.reasons import Code, Reason


def test_every_reason_code_has_dutch_and_english_words() -> None:
    missing = missing_codes()
    assert not missing, f"reason codes without words in models/words.py: {', '.join(missing)}"
    for code in Code:
        assert callable(CODE_WORDS[code].text), code
    assert set(CODE_WORDS) == set(Code), "words for a code the engine does not have"


def test_a_code_without_words_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check above must fail with the code's name when someone adds a Code without words.
    fewer = {k: v for k, v in CODE_WORDS.items() if k != Code.GROUP_UNAVAILABLE}
    monkeypatch.setattr(words, "CODE_WORDS", fewer)
    assert missing_codes() == ["group_unavailable"]


def test_dutch_is_the_default_and_english_comes_from_the_catalogue_too() -> None:
    reason = Reason(
        Code.PARTICIPANTS_OUT_OF_RANGE,
        "49 participants, activity WP-INTRO allows 4-30",
        {"participants": 49, "min": 4, "max": 30, "activity": "WP-INTRO"},
    )
    assert render(reason) == "49 deelnemers, maar activiteit WP-INTRO staat 4-30 deelnemers toe"
    assert render(reason, "en") == "49 participants, but activity WP-INTRO allows 4-30 participants"
    assert reason.message == "49 participants, activity WP-INTRO allows 4-30"  # the API's message


def test_group_periods_in_dutch_words_and_dates() -> None:
    reason = Reason(
        Code.GROUP_UNAVAILABLE,
        "english",
        {
            "groups": {
                "bbl-2a": [
                    {
                        "first": date(2027, 3, 15),
                        "last": date(2027, 4, 9),
                        "reason": "internship",
                        "note": "BPV Dekker",
                    }
                ]
            },
            "days": 20,
            "earliest": date(2027, 3, 15),
            "latest": date(2027, 4, 9),
        },
    )
    assert render(reason, "nl") == (
        "groep bbl-2a loopt stage ma 15 mrt 2027 t/m vr 9 apr 2027 (BPV Dekker): geen werkdag "
        "tussen ma 15 mrt 2027 en vr 9 apr 2027 waarop de groep kan komen"
    )


def test_dutch_dates_weekdays_months_and_times() -> None:
    assert nl_date(date(2027, 3, 29)) == "ma 29 mrt 2027"
    assert nl_date("2027-10-31") == "zo 31 okt 2027"
    assert nl_datetime(datetime(2027, 5, 5, 9, 5)) == "wo 5 mei 2027 09:05"
    assert nl_period(date(2027, 3, 29), date(2027, 3, 29)) == "ma 29 mrt 2027"
    assert nl_period(date(2027, 12, 31), date(2028, 1, 3)) == "vr 31 dec 2027 t/m ma 3 jan 2028"


def test_language_is_checked() -> None:
    assert language("en") == "en"
    with pytest.raises(UnknownLanguage, match="unknown language 'de': use one of nl, en"):
        language("de")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_phrase_exists_in_every_language(lang: Language) -> None:
    for key, texts in PHRASES.items():
        assert texts[lang].strip(), (key, lang)


def test_the_feeds_dutch_words() -> None:
    # api/feeds/ical.py takes these; the feed tests check the bytes of whole feeds.
    assert phrase("feed.cancelled_prefix") == "GEANNULEERD: "
    assert phrase("feed.cancelled") == "Deze sessie is geannuleerd."
    labels = ("group", "company", "trainer", "equipment", "route", "contact", "note")
    assert [phrase(f"feed.{k}") for k in labels] == [
        "Groep", "Bedrijf", "Trainer", "Uitrusting", "Route", "Contact", "Opmerking",
    ]  # fmt: skip
    assert phrase("explain.scheduled", "nl", request="r1", run=3) == "r1 is ingepland in run 3."


def test_details_read_back_from_json_render_the_same() -> None:
    # `campus explain --json` and the HTTP API send details as JSON: dates become strings.
    details: dict[str, object] = {
        "placement": [
            {
                "index": 1,
                "location": "loc1",
                "trainers": ["t1"],
                "start": datetime(2027, 9, 6, 10, 0),
                "end": datetime(2027, 9, 6, 12, 0),
            }
        ],
        "priority": 1,
        "request": "r1",
    }
    reason = Reason(Code.SOLVER_TRADEOFF, "english", details, "cp-sat")
    as_json = {
        "placement": [
            {
                **details["placement"][0],  # type: ignore[index]
                "start": "2027-09-06 10:00:00",
                "end": "2027-09-06 12:00:00",
            }
        ],
        "priority": 1,
        "request": "r1",
    }
    again = Reason(Code.SOLVER_TRADEOFF, "english", as_json, "cp-sat")
    assert render(reason) == render(again)
    assert render(reason).startswith("r1 past op loc1 op ma 6 sep 2027, 10:00–12:00 met t1")


def test_an_absence_that_is_just_away_is_not_said_twice() -> None:
    """A sick trainer's absence reads "afwezig" (illness is not said); once is enough."""
    away = {"first": date(2027, 3, 8), "last": date(2027, 4, 18)}
    details = {"trainer": "t-ruud", "absences": [away | {"reason": "afwezig"}]}
    text = render(Reason(Code.FIXED_TRAINER_UNAVAILABLE, "fixed trainer t-ruud is away", details))
    assert text.count("afwezig") == 1, text
    details = {"trainer": "t-ruud", "absences": [away | {"reason": "opleiding"}]}
    text = render(Reason(Code.FIXED_TRAINER_UNAVAILABLE, "fixed trainer t-ruud is away", details))
    assert "afwezig" in text and "(opleiding)" in text, text
