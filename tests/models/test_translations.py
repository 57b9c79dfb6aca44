"""The translation catalogue is complete: what users read exists in Dutch and in English.

The catalogues (models/locale/<lang>/LC_MESSAGES/messages.po) are the one source of the words
of pages, feeds, explanations and notices. These tests fail when a translator or a developer
leaves a hole: a key in one language only, an empty or fuzzy entry, placeholders that differ
between the languages, or a key that the code or a template names but no catalogue holds.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from models.words import LANGUAGES, LOCALE_DIR, MissingWords, phrase, read_catalogue

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
