"""The translation catalogue is complete: what users read exists in Dutch and in English.

Explanations too: every reason code, with the details the engine produces, renders in both
languages from catalogue entries, with no key missing and no placeholder left unfilled.

The catalogues (models/locale/<lang>/LC_MESSAGES/messages.po) are the one source of the words
of pages, feeds, explanations and notices. These tests fail when a translator or a developer
leaves a hole: a key in one language only, an empty or fuzzy entry, placeholders that differ
between the languages, or a key that the code or a template names but no catalogue holds.
"""

from __future__ import annotations

import json
import re
import string
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from models.words import (
    LANGUAGES,
    LOCALE_DIR,
    MissingWords,
    day_text,
    phrase,
    read_catalogue,
    render,
    slot_text,
)
from scheduler.reasons import Code, Reason

ROOT = Path(__file__).parents[2]


def _entries(lang: str) -> list[tuple[str, str, bool]]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return [(str(m.id), str(m.string), m.fuzzy) for m in read_po(handle) if m.id]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_hold_the_same_keys() -> None:
    keys = {lang: {key for key, _, _ in _entries(lang)} for lang in LANGUAGES}
    assert keys["nl"] - keys["en"] == set(), "keys without English words"
    assert keys["en"] - keys["nl"] == set(), "keys without Dutch words"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_key_is_written_twice(lang: str) -> None:
    # a second entry of a key would silently replace the first one's words
    text = (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    keys = re.findall(r'^msgid "(.+)"$', text, flags=re.MULTILINE)
    assert sorted({k for k in keys if keys.count(k) > 1}) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_entry_is_empty_or_fuzzy(lang: str) -> None:
    holes = [key for key, words, fuzzy in _entries(lang) if fuzzy or not words.strip()]
    assert holes == [], f"{lang}: empty or fuzzy entries"


def test_placeholders_are_the_same_in_both_languages() -> None:
    nl, en = read_catalogue("nl"), read_catalogue("en")
    differ = [key for key in nl if key in en and _fields(nl[key]) != _fields(en[key])]
    assert differ == []


def _named_keys() -> set[str]:
    """Every literal key that a module under api/ or models/ or a template names."""
    prefixes = {key.split(".", 1)[0] for key in read_catalogue("nl")}
    heads = "|".join(map(re.escape, prefixes))
    literal = re.compile(r"""["']((?:""" + heads + r""")\.[A-Za-z0-9_.]*[A-Za-z0-9_])["']""")
    sources = [*ROOT.glob("api/**/*.py"), *ROOT.glob("models/**/*.py"),
               *ROOT.glob("api/**/templates/**/*.html")]  # fmt: skip
    files = (".css", ".js", ".html", ".svg", ".py")  # web.css is a file name, not a key
    return {
        key
        for path in sources
        for key in literal.findall(path.read_text(encoding="utf-8"))
        if not key.endswith(files)
    }


def test_every_key_the_code_names_has_words_in_both_languages() -> None:
    named = _named_keys()
    assert {"web.sign_in", "feed.group", "notice.greeting"} <= named  # the scan finds them
    for lang in LANGUAGES:
        missing = sorted(named - set(read_catalogue(lang)))
        assert missing == [], f"named in the code, missing in the {lang} catalogue"


def test_a_missing_key_is_a_clear_error() -> None:
    with pytest.raises(MissingWords, match=r"no words for 'web\.nope' in the 'en' catalogue"):
        phrase("web.nope", "en")


# --- explanations: every reason code reads in both languages, from the catalogue ------------

REASONS = ROOT / "tests" / "models" / "reasons.json"
"""The details the engine really produces, per code, as the API sends them (JSON: dates as
ISO strings); collected from the explanation tests of tests/scheduler."""

# Branches the collected details do not reach.
MORE: list[tuple[str, dict[str, object]]] = [
    ("no_qualified_trainer", {"needed": 2, "qualified": ["t1"], "certificate": False}),
    ("no_qualified_trainer", {"needed": 2, "qualified": ["t1"], "qualification": "W",
                              "certificate": True}),
    ("fixed_trainer_uncertified", {"trainer": "t1", "kind": "excursion"}),
    ("fixed_trainer_unqualified", {"trainer": "t1"}),
    ("no_certified_trainer", {"needed": 1, "kind": "", "qualified": [],
                              "without_certificate": ["t1", "t2"]}),
    *[("course_cannot_be_completed", {"request": "r1", "session": 2, "kept": [1], "rule": rule,
                                      "blocking": blocking, "options": []})
      for rule, blocking in (
          ("fixed_trainer", []),
          ("same_location", []),
          ("locations_closed", []),
          ("locations_closed", [{"location": "l1", "first": "2027-03-15",
                                 "last": "2027-03-19", "reason": "lekkage"}]),
          ("dates", [{"by": "2027-04-02"}]),
          ("dates", []),
          ("something_new", []),
      )],
    ("group_unavailable", {"groups": {"g1": [{"first": "2027-03-15", "last": "2027-03-15",
                                              "reason": "museum"}]}}),
    ("fixed_trainer_unavailable", {"trainer": "t1", "absences": [
        {"first": "2027-03-15", "last": "2027-03-19", "reason": "ziek"}]}),
]  # fmt: skip


def _examples() -> list[tuple[str, dict[str, object]]]:
    found = json.loads(REASONS.read_text(encoding="utf-8"))
    return [(code, details) for code, all_details in found.items() for details in all_details]


def test_the_examples_cover_every_reason_code() -> None:
    covered = {code for code, _ in _examples()}
    assert covered == {str(c) for c in Code}, "add details for the missing codes to reasons.json"


@pytest.mark.parametrize(("code", "details"), _examples() + MORE)
def test_every_reason_reads_in_both_languages_without_holes(
    code: str, details: dict[str, object]
) -> None:
    texts = {lang: render(Reason(Code(code), "the engine's message", details), lang)
             for lang in LANGUAGES}  # fmt: skip
    for lang, text in texts.items():
        assert text.strip() and text != "the engine's message", (code, lang)
        assert not re.search(r"[{}]|\bNone\b|  ", text), f"{code} in {lang}: {text}"
    assert texts["nl"] != texts["en"], code


def test_a_reason_word_missing_in_one_language_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import models.words as words

    english = {k: v for k, v in read_catalogue("en").items() if k != "reason.no_location"}
    catalogues = {"nl": read_catalogue("nl"), "en": english}
    monkeypatch.setattr(words, "_catalogues", lambda: catalogues)
    reason = Reason(Code.NO_LOCATION_FITS, "no location", {"needs": {"capacity": 11}})
    assert render(reason, "nl") == "geen locatie met plaats voor 11"
    with pytest.raises(MissingWords, match=r"'reason\.no_location' in the 'en' catalogue"):
        render(reason, "en")


def test_weekday_and_month_names_come_from_the_catalogue() -> None:
    monday = date(2027, 3, 15)
    week = [day_text(monday + timedelta(days=i)) for i in range(7)]
    assert [w.split()[0] for w in week] == ["ma", "di", "wo", "do", "vr", "za", "zo"]
    months = [day_text(date(2027, m, 1), "en").split()[2] for m in range(1, 13)]
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]  # fmt: skip
    for lang in LANGUAGES:
        keys = read_catalogue(lang)
        for name in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            assert f"date.weekday.{name}" in keys
        for name in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                     "nov", "dec"):  # fmt: skip
            assert f"date.month.{name}" in keys
    assert slot_text(datetime(2027, 3, 16, 9), datetime(2027, 3, 16, 12)) == (
        "di 16 mrt 2027, 09:00–12:00"
    )
