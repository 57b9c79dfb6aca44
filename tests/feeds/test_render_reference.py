"""The fast feed writer gives exactly the bytes icalendar's object model gave.

Same bytes means the same ETags across the upgrade (no subscriber re-downloads everything)
and that escaping, folding and the VTIMEZONE, checked by the parser tests, stay right.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from api.feeds.ical import render_feed
from models.db import session_scope
from models.feeds import FeedData, FeedSession, FeedSubject, all_subjects, feed_data
from tests.feeds import reference_ical
from tests.feeds.conftest import NOW, SETTINGS, WINDOW

# Characters that need escaping or change octet counts at a fold: escapes, line breaks,
# 2-, 3- and 4-octet UTF-8, the caret icalendar keeps away from a fold.
TRICKY = st.text(
    alphabet=st.sampled_from(list("ab ;,\\:^\"'\r\nNé–€🔧xyz0123456789")), max_size=120
)
VIEWS = st.sampled_from(["school", "group", "trainer", "location", "company", "campus"])
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@st.composite
def sessions(draw: st.DrawFn) -> FeedSession:
    start = draw(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)))
    names = st.lists(TRICKY, max_size=3).map(tuple)
    return FeedSession(
        uid=draw(TRICKY) or "u", start=start,
        end=start + timedelta(minutes=draw(st.integers(1, 600))),
        status=draw(st.sampled_from(["confirmed", "cancelled"])),
        sequence=draw(st.integers(0, 1000)), created=draw(MOMENTS), last_modified=draw(MOMENTS),
        activity=draw(TRICKY), team=draw(TRICKY), groups=draw(names), location=draw(TRICKY),
        address=draw(TRICKY), latitude=draw(st.floats(-90, 90)),
        longitude=draw(st.floats(-180, 180)), host=draw(TRICKY),
        host_kind=draw(st.sampled_from(["company", "school", "association"])), contact=draw(TRICKY),
        trainers=draw(names), equipment=draw(names), note=draw(TRICKY),
        page_query=draw(st.sampled_from(
            ["", "view=campus&subject=&sig=AAAA", "view=group&subject=vz-3bb-a&sig=x-_Y"])),
    )  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    view=VIEWS,
    name=TRICKY,
    events=st.lists(sessions(), max_size=4),
    base_url=st.sampled_from(["", "https://campus.test", "https://x.example/a,b;c/"]),
    note=TRICKY,
    minutes=st.integers(1, 3000),
)
def test_random_feeds_are_byte_identical_to_icalendar(
    view: str, name: str, events: list[FeedSession], base_url: str, note: str, minutes: int
) -> None:
    data = FeedData(FeedSubject(view, "k", name), tuple(events))
    kwargs = {"refresh": timedelta(minutes=minutes), "base_url": base_url, "note": note}
    assert render_feed(data, **kwargs) == reference_ical.render_feed(data, **kwargs)


@pytest.mark.parametrize("length", range(60, 160))
def test_folds_at_every_length_and_position(length: int) -> None:
    # Escapes and multi-octet characters at every offset around the 74-octet boundary.
    for filler in ("\\", ",", "é", "–", "🔧", "^"):
        name = ("x" * length)[: length - 3] + filler * 3
        data = FeedData(FeedSubject("school", "k", name), ())
        assert render_feed(data) == reference_ical.render_feed(data)


def test_every_feed_of_the_test_campus_is_byte_identical(republished: Engine) -> None:
    with session_scope(republished) as session:
        for subject in all_subjects(session):
            data = feed_data(session, subject, now=NOW, window=WINDOW)
            ours = render_feed(data, base_url=SETTINGS.public_url)
            assert ours == reference_ical.render_feed(data, base_url=SETTINGS.public_url)
