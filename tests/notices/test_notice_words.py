"""The words of the notices (models/words.py): dates as people write them, both languages."""

from __future__ import annotations

from datetime import date, datetime
from string import Formatter

from models.words import PHRASES, day_text, list_text, period_text, slot_text


def test_dates_and_times_read_as_people_write_them() -> None:
    # Tuesday 30 March 2027, two days after the clocks went forward: wall time as stored
    start, end = datetime(2027, 3, 30, 9), datetime(2027, 3, 30, 12)
    assert slot_text(start, end) == "di 30 mrt 2027, 09:00–12:00"
    assert slot_text(start, end, "en") == "Tue 30 Mar 2027, 09:00–12:00"
    # the last Sunday of October, when the clocks go back
    assert day_text(date(2027, 10, 31)) == "zo 31 okt 2027"
    assert day_text(date(2027, 10, 31), "en") == "Sun 31 Oct 2027"
    assert period_text(date(2027, 3, 15), date(2027, 4, 9)) == "ma 15 mrt 2027 t/m vr 9 apr 2027"
    assert period_text(date(2027, 3, 15), date(2027, 4, 9), "en") == (
        "Mon 15 Mar 2027 to Fri 9 Apr 2027"
    )
    assert period_text(date(2027, 5, 3), date(2027, 5, 3), "en") == "Mon 3 May 2027"
    assert list_text(["3 BB-a", "3 KB-b", "2A"]) == "3 BB-a, 3 KB-b en 2A"
    assert list_text(["3 BB-a", "3 KB-b", "2A"], "en") == "3 BB-a, 3 KB-b and 2A"
    assert list_text(["3 BB-a"], "en") == "3 BB-a" and list_text([]) == ""


def test_every_notice_phrase_has_the_same_blanks_in_both_languages() -> None:
    def blanks(text: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    notices = {k: v for k, v in PHRASES.items() if k.startswith("notice.")}
    assert len(notices) > 30
    for key, texts in notices.items():
        assert blanks(texts["nl"]) == blanks(texts["en"]), key
