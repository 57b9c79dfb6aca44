"""Parse an iCalendar text from stdin with libical (GObject bindings) and print JSON.

Run with Debian's system python3 (python3-gi + gir1.2-ical-3.0), not the project's venv:
libical's bindings come from Debian, not PyPI. Standard library only, besides gi.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as I  # noqa: E402


def utc(prop, zone_of):  # type: ignore[no-untyped-def]
    tzid = prop.get_first_parameter(I.ParameterKind.TZID_PARAMETER)
    is_start = prop.isa() == I.PropertyKind.DTSTART_PROPERTY
    t = (prop.get_dtstart() if is_start else prop.get_dtend()).clone()
    if tzid is not None:
        zone = zone_of(tzid.get_tzid())
        I.Time.convert_timezone(t, zone, I.Timezone.get_utc_timezone())
    return (
        f"{t.get_year():04d}-{t.get_month():02d}-{t.get_day():02d}"
        f"T{t.get_hour():02d}:{t.get_minute():02d}:{t.get_second():02d}Z"
    )


def errors_of(comp):  # type: ignore[no-untyped-def]
    out = []
    p = comp.get_first_property(I.PropertyKind.XLICERROR_PROPERTY)
    while p is not None:
        out.append(p.get_xlicerror())
        p = comp.get_next_property(I.PropertyKind.XLICERROR_PROPERTY)
    return out


def main() -> None:
    text = sys.stdin.read()
    cal = I.Component.new_from_string(text)
    cal.check_restrictions()
    zones = {}

    def zone_of(tzid):  # type: ignore[no-untyped-def]
        if tzid not in zones:
            zones[tzid] = cal.get_timezone(tzid)
        return zones[tzid]

    events = []
    errors = errors_of(cal)
    ev = cal.get_first_component(I.ComponentKind.VEVENT_COMPONENT)
    while ev is not None:
        errors += errors_of(ev)
        start = ev.get_first_property(I.PropertyKind.DTSTART_PROPERTY)
        end = ev.get_first_property(I.PropertyKind.DTEND_PROPERTY)
        status = ev.get_status()
        events.append(
            {
                "uid": ev.get_uid(),
                "summary": ev.get_summary(),
                "start": utc(start, zone_of),
                "end": utc(end, zone_of),
                "status": I.Property.status_to_string(status),
                "sequence": ev.get_sequence(),
                "own_zone": zone_of("Europe/Amsterdam") is not None,
            }
        )
        ev = cal.get_next_component(I.ComponentKind.VEVENT_COMPONENT)
    json.dump({"events": events, "errors": errors, "count_errors": cal.count_errors()}, sys.stdout)


main()
