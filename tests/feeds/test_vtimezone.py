"""Our hand-written VTIMEZONE agrees with tzdata every half hour, over several years.

If the EU ever drops daylight saving, this fails first: then regenerate the VTIMEZONE.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import vobject
from icalendar import Timezone

from api.feeds.ical import AMSTERDAM_VTIMEZONE

REFERENCE = ZoneInfo("Europe/Amsterdam")
FIRST, LAST = datetime(2025, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)


def _instants(step: timedelta = timedelta(minutes=30)) -> list[datetime]:
    out, t = [], FIRST
    while t < LAST:
        out.append(t)
        t += step
    return out


def test_vtimezone_matches_zoneinfo_every_half_hour_2025_to_2030() -> None:
    ours = Timezone.from_ical(AMSTERDAM_VTIMEZONE).to_tz()
    instants = _instants()
    assert len(instants) == (6 * 365 + 1) * 48  # six years, 2028 a leap year
    mismatches = [
        t for t in instants if t.astimezone(ours).utcoffset() != t.astimezone(REFERENCE).utcoffset()
    ]
    assert mismatches == []


def test_an_independent_parser_reads_the_same_offsets() -> None:
    # vobject builds its own tzinfo from the VTIMEZONE (dateutil's tzical), not icalendar's.
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + AMSTERDAM_VTIMEZONE
    theirs = vobject.readOne(text + "END:VCALENDAR\r\n").vtimezone.gettzinfo()
    wrong = [
        t
        for t in _instants(timedelta(hours=6))
        if t.astimezone(theirs).utcoffset() != t.astimezone(REFERENCE).utcoffset()
    ]
    assert wrong == []


def test_switch_moments_of_2027() -> None:
    ours = Timezone.from_ical(AMSTERDAM_VTIMEZONE).to_tz()
    spring = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # 02:00 CET becomes 03:00 CEST
    autumn = datetime(2027, 10, 31, 1, 0, tzinfo=UTC)  # 03:00 CEST becomes 02:00 CET
    for moment, before, after in ((spring, 1, 2), (autumn, 2, 1)):
        just_before = moment - timedelta(seconds=1)
        assert just_before.astimezone(ours).utcoffset() == timedelta(hours=before)
        assert moment.astimezone(ours).utcoffset() == timedelta(hours=after)
