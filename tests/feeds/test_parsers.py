"""Independent parsers read our feeds back: same events, UTC times, statuses and UIDs.

Parsers: icalendar (our writer's own library), the strict `ical` package (Home Assistant),
`vobject` with validation, and libical through Debian's GObject bindings (GNOME/KDE's
library; run with the system python3, skipped outside CI when not installed).
The data crosses both daylight-saving switches of 2027 (03-28 and 10-31), has a cancelled
session, and names with commas, semicolons, newlines, backslashes and non-ASCII.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import Engine

from api.feeds.ical import CANCELLED_PREFIX, render_feed
from models.db import session_scope
from models.feeds import FeedData, all_subjects
from tests.feeds.conftest import renderer
from tests.feeds.factory import ODD_ACTIVITY, ODD_GROUP, ODD_NOTE, uid

SYSTEM_PYTHON = "/usr/bin/python3"
LIBICAL_DUMP = Path(__file__).with_name("libical_dump.py")

# The planner's campus feed after the re-solve, in UTC, read off a calendar by hand:
# CET (+1) before 2027-03-28 and after 2027-10-31, CEST (+2) in between.
Z = "%Y-%m-%dT%H:%M:%SZ"
EXPECTED = {
    uid("r-ws-1", 1): ("2027-03-18T12:00:00Z", "2027-03-18T15:00:00Z", "CONFIRMED", 1),
    uid("r-gl-1", 1): ("2027-03-25T09:00:00Z", "2027-03-25T10:30:00Z", "CANCELLED", 1),
    uid("r-sc-1", 1): ("2027-03-26T07:30:00Z", "2027-03-26T11:30:00Z", "CONFIRMED", 0),
    uid("r-combi", 1): ("2027-03-30T11:00:00Z", "2027-03-30T15:00:00Z", "CONFIRMED", 0),
    uid("r-sc-1", 2): ("2027-04-02T06:30:00Z", "2027-04-02T10:30:00Z", "CONFIRMED", 0),
    uid("r-sc-1", 3): ("2027-04-09T06:30:00Z", "2027-04-09T10:30:00Z", "CONFIRMED", 0),
    uid("r-bim-1", 1): ("2027-10-29T11:00:00Z", "2027-10-29T14:00:00Z", "CONFIRMED", 0),
    uid("r-bim-1", 2): ("2027-11-05T12:00:00Z", "2027-11-05T15:00:00Z", "CONFIRMED", 0),
}
ODD_SUMMARY_PART = f"{ODD_ACTIVITY} – {ODD_GROUP}"


def _z(moment: datetime) -> str:
    assert moment.tzinfo is not None, "a floating time would mean the zone got lost"
    return moment.astimezone(UTC).strftime(Z)


@pytest.fixture
def campus_feed(republished: Engine) -> str:
    return renderer(republished)("campus", "").decode("utf-8")


def _check(found: dict[str, tuple[str, str, str, int]], summaries: dict[str, str]) -> None:
    assert found == EXPECTED
    assert summaries[uid("r-gl-1", 1)].startswith(CANCELLED_PREFIX)
    assert ODD_SUMMARY_PART in summaries[uid("r-bim-1", 1)]


def test_icalendar_reads_events_times_statuses_and_uids(campus_feed: str) -> None:
    cal = icalendar.Calendar.from_ical(campus_feed)
    assert cal.errors == []
    events = cal.walk("VEVENT")
    found = {
        str(ev["UID"]): (
            _z(ev.decoded("DTSTART")), _z(ev.decoded("DTEND")), str(ev["STATUS"]),
            int(ev["SEQUENCE"]),
        )
        for ev in events
    }  # fmt: skip
    _check(found, {str(ev["UID"]): str(ev["SUMMARY"]) for ev in events})
    bim = next(ev for ev in events if str(ev["UID"]) == uid("r-bim-1", 1))
    assert ODD_NOTE in str(bim["DESCRIPTION"])  # the planner's feed carries the note


def test_strict_ical_package_reads_the_same(campus_feed: str) -> None:
    cal = IcsCalendarStream.calendar_from_ics(campus_feed)  # raises on anything malformed
    assert [tz.tz_id for tz in cal.timezones] == ["Europe/Amsterdam"]
    found = {
        ev.uid: (_z(ev.dtstart), _z(ev.dtend), str(ev.status.value), ev.sequence)
        for ev in cal.events
    }
    _check(found, {ev.uid: ev.summary for ev in cal.events})
    bim = next(ev for ev in cal.events if ev.uid == uid("r-bim-1", 1))
    assert bim.categories == ["BIM in het onderwijs"]
    assert (bim.geo.lat, bim.geo.lng) == (52.3898, 4.8385)


def test_vobject_with_validation_reads_the_same(campus_feed: str) -> None:
    cal = vobject.readOne(campus_feed, validate=True)
    assert "uid" not in cal.contents and "method" not in cal.contents
    events = cal.vevent_list
    for ev in events:  # the zone comes from our VTIMEZONE, not a floating fallback
        assert "Europe/Amsterdam" in repr(ev.dtstart.value.tzinfo)
    found = {
        ev.uid.value: (
            _z(ev.dtstart.value),
            _z(ev.dtend.value),
            ev.status.value,
            int(ev.sequence.value),
        )
        for ev in events
    }
    _check(found, {ev.uid.value: ev.summary.value for ev in events})
    cal.serialize(validate=True)


def _libical(text: str) -> dict:  # type: ignore[type-arg]
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
        capture_output=True,
        check=False,
    ) if shutil.which(SYSTEM_PYTHON) else None  # fmt: skip
    if probe is None or probe.returncode != 0:
        reason = "libical GObject bindings missing (apt-get install gir1.2-ical-3.0 python3-gi)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}; .ci/calendar-clients.sh installs them")
        pytest.skip(reason)
    done = subprocess.run(
        [SYSTEM_PYTHON, str(LIBICAL_DUMP)],
        input=text.encode("utf-8"),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_libical_reads_the_same_without_errors(campus_feed: str) -> None:
    result = _libical(campus_feed)
    assert result["errors"] == [] and result["count_errors"] == 0
    events = result["events"]
    assert all(ev["own_zone"] for ev in events)
    found = {ev["uid"]: (ev["start"], ev["end"], ev["status"], ev["sequence"]) for ev in events}
    _check(found, {ev["uid"]: ev["summary"] for ev in events})


def test_every_feed_of_every_subscriber_parses_everywhere(republished: Engine) -> None:
    """All views (and an empty calendar) through all parsers, with matching UID sets."""
    render = renderer(republished)
    with session_scope(republished) as session:
        subjects = all_subjects(session)
        empty = render_feed(FeedData(subjects[0], ()))
    feeds = {f"{s.view}:{s.key}": render(s.view, s.key).decode() for s in subjects}
    feeds["empty"] = empty.decode()
    assert len(feeds) >= 12
    bundle = []
    for name, text in feeds.items():
        ours = {str(ev["UID"]) for ev in icalendar.Calendar.from_ical(text).walk("VEVENT")}
        assert ours <= set(EXPECTED), name
        assert {ev.uid for ev in IcsCalendarStream.calendar_from_ics(text).events} == ours, name
        parsed = vobject.readOne(text, validate=True)
        assert {ev.uid.value for ev in parsed.contents.get("vevent", [])} == ours, name
        bundle.append((name, text, ours))
    if shutil.which(SYSTEM_PYTHON):
        for name, text, ours in bundle:
            if name in ("campus:", "school:roc-west", "empty"):  # libical is slower to start
                result = _libical(text)
                assert result["count_errors"] == 0, name
                assert {ev["uid"] for ev in result["events"]} == ours, name
