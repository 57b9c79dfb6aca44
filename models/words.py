"""The words users read: Dutch by default, English on request, from one catalogue.

Schools, companies, trainers and planners read Dutch; code, docs and CLI messages stay
English. Every word a user reads comes from the translation catalogue (models/locale/<lang>/
LC_MESSAGES/messages.po, docs/words.md): the fixed phrases of pages, feeds and notices, the
names of weekdays and months, and the explanation of every reason ``Code``. This module only
puts catalogue entries together: it holds the grammar (which sentence, which list, which
date), the catalogue holds the words, so both languages are built the same way.

The engine's own ``Reason.message`` stays English and unchanged (the API returns it as
``message``); what a user reads is ``render(reason, lang)``, built from the catalogue.
Dates read like "ma 29 mrt 2027", periods "ma 15 mrt 2027 t/m vr 9 apr 2027", times HH:MM.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Literal, cast, get_args

from babel.messages.pofile import read_po

from scheduler.reasons import Code, Reason

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "nl"


class UnknownLanguage(ValueError):
    """A language outside ``LANGUAGES`` (the message names the ones there are)."""


def language(value: str) -> Language:
    """``value`` as a Language, or a clear error naming the supported ones."""
    if value not in LANGUAGES:
        raise UnknownLanguage(f"unknown language {value!r}: use one of {', '.join(LANGUAGES)}")
    return cast(Language, value)


# --- dates and lists, in either language ---------------------------------------------------
# Weekday and month names are catalogue entries (date.weekday.mon, date.month.jan ...).

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def day_text(value: object, lang: Language = DEFAULT_LANGUAGE) -> str:
    """'di 16 mrt 2027' or 'Tue 16 Mar 2027' (a date, a datetime or an ISO string)."""
    d = _as_date(value)
    return phrase(
        "date.day",
        lang,
        weekday=phrase(f"date.weekday.{_WEEKDAYS[d.weekday()]}", lang),
        day=d.day,
        month=phrase(f"date.month.{_MONTHS[d.month - 1]}", lang),
        year=d.year,
    )


def moment_text(value: object, lang: Language = DEFAULT_LANGUAGE) -> str:
    """'di 16 mrt 2027 09:00' or 'Tue 16 Mar 2027 09:00'."""
    moment = _as_datetime(value)
    return phrase("date.moment", lang, day=day_text(moment, lang), time=f"{moment:%H:%M}")


def slot_text(start: datetime, end: datetime, lang: Language = DEFAULT_LANGUAGE) -> str:
    """A session's time as people write it: 'di 16 mrt 2027, 09:00–12:00' (an en dash)."""
    return phrase(
        "date.slot", lang, day=day_text(start, lang), start=f"{start:%H:%M}", end=f"{end:%H:%M}"
    )


def period_text(first: object, last: object, lang: Language = DEFAULT_LANGUAGE) -> str:
    """One day, or 'ma 15 mrt 2027 t/m vr 9 apr 2027' / 'Mon 15 Mar 2027 to Fri 9 Apr 2027'."""
    if _as_date(first) == _as_date(last):
        return day_text(first, lang)
    return phrase("date.period", lang, first=day_text(first, lang), last=day_text(last, lang))


def list_text(items: Iterable[object], lang: Language = DEFAULT_LANGUAGE) -> str:
    """'a, b en c' or 'a, b and c' ('' for no items)."""
    words = [str(x) for x in items]
    if len(words) < 2:
        return "".join(words)
    return phrase("list.and", lang, items=", ".join(words[:-1]), last=words[-1])


def nl_date(value: object) -> str:
    """'ma 29 mrt 2027': ``day_text`` in Dutch."""
    return day_text(value, "nl")


def nl_datetime(value: object) -> str:
    """'ma 29 mrt 2027 09:00': ``moment_text`` in Dutch."""
    return moment_text(value, "nl")


def nl_period(first: object, last: object) -> str:
    """'ma 15 mrt 2027 t/m vr 9 apr 2027': ``period_text`` in Dutch."""
    return period_text(first, last, "nl")


def nl_list(items: Iterable[object], empty: str | None = None) -> str:
    """'a', 'a en b', 'a, b en c'; ``empty`` (default: the catalogue's "geen") for none."""
    return _listed(items, "nl", empty)


def _listed(items: Iterable[object], lang: Language, empty: str | None = None) -> str:
    """``list_text``, or "geen"/"none" (or ``empty``) when there are no items."""
    words = [str(x) for x in items]
    if words:
        return list_text(words, lang)
    return phrase("list.none", lang) if empty is None else empty


def host_word(kind: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    """What hosts a location, as its label: 'School', 'Bedrijf' or 'Organisatie'.

    A guest lesson at a school site is hosted by the school, not by a company.
    """
    return _known(f"feed.host.{kind}", lang) or phrase("feed.host.other", lang)


# --- the explanation of every reason code --------------------------------------------------
# Each function below gets the reason's ``details`` and a language and builds the sentence
# from catalogue entries "reason.<...>": the same grammar for both languages.

Details = Mapping[str, object]


def _w(key: str, lang: Language, **values: object) -> str:
    """The words of ``reason.<key>``."""
    return phrase(f"reason.{key}", lang, **values)


def _known(key: str, lang: Language) -> str | None:
    """The words of a key built from data ("reason.kind.<kind>"), or None when there are none."""
    return _catalogues()[lang].get(key)


def _days(n: object, lang: Language) -> str:
    return _w("days.one" if n == 1 else "days.many", lang, n=n)


def _dates(d: Details, lang: Language) -> str:
    return _between(d["earliest"], d["latest"], lang)


def _when(d: Details, lang: Language) -> str:
    """' tussen ... en ...' when the details carry dates, else ''."""
    return f" {_dates(d, lang)}" if "earliest" in d else ""


def _between(first: object, last: object, lang: Language) -> str:
    if _as_date(first) == _as_date(last):
        return _w("on", lang, day=day_text(first, lang))
    return _w("between", lang, first=day_text(first, lang), last=day_text(last, lang))


def _hours(minutes: object, lang: Language) -> str:
    return f"{int(cast(int, minutes)) / 60:g}".replace(".", phrase("date.decimal_sign", lang))


def _note(reason: object, lang: Language) -> str:
    """' (opleiding)': an absence's reason, in words where the catalogue knows it."""
    if not reason:
        return ""
    return f" ({_known(f'reason.absence.{reason}', lang) or reason})"


def _ranges(ranges: Iterable[object], lang: Language) -> str:
    """Closures/absences as (first, last, reason) tuples or dicts."""
    parts = []
    for r in ranges:
        if isinstance(r, Mapping):
            first, last, why = r["first"], r["last"], r.get("reason")
        else:
            first, last, why = cast(tuple[object, object, object], tuple(cast(Iterable[object], r)))
        parts.append(period_text(first, last, lang) + _note(why, lang))
    return ", ".join(parts)


def _without_afwezig(r: object) -> object:
    """An absence whose reason is just "afwezig" (sick or other): the word is said already.

    The bridge names absences by their category in Dutch (models/absences.py), so the reason
    is compared with the Dutch words of ``absence.other``.
    """
    away = phrase("absence.other", "nl")
    if isinstance(r, Mapping) and r.get("reason") == away:
        return {**r, "reason": ""}
    if not isinstance(r, Mapping | str):
        first, last, why = cast(tuple[object, object, object], tuple(cast(Iterable[object], r)))
        return (first, last, "" if why == away else why)
    return r


def _away(absences: Iterable[object], lang: Language) -> str:
    listed = [_without_afwezig(r) for r in absences]
    if not listed:
        return _w("never_long_enough", lang)
    return _w("away", lang, ranges=_ranges(listed, lang))


def _group_period(period: Details, lang: Language) -> str:
    """'loopt stage ma 15 mrt 2027 t/m vr 9 apr 2027 (BPV Dekker)'."""
    why = period.get("reason")
    words = _known(f"reason.group_away.{why}", lang) if why else _w("group_away.other", lang)
    if words is None:
        words = _w("group_away.because", lang, why=why)
    note = period.get("note")
    when = period_text(period["first"], period["last"], lang)
    return f"{words} {when}" + (f" ({note})" if note else "")


def _groups_away(groups: Mapping[str, Iterable[Details]], lang: Language) -> str:
    return "; ".join(
        _w("group", lang, group=gid, periods=", ".join(_group_period(p, lang) for p in periods))
        for gid, periods in groups.items()
    )


def _limits(d: Details, lang: Language) -> str:
    """What cuts days out of the dates (the ``_limits`` details of scheduler.explain)."""
    parts: list[str] = []
    if "horizon_end" in d:
        parts.append(_w("limit.horizon_end", lang, day=day_text(d["horizon_end"], lang)))
    if "horizon_start" in d:
        parts.append(_w("limit.horizon_start", lang, day=day_text(d["horizon_start"], lang)))
    if d.get("now") is not None and "horizon" not in d:
        parts.append(_w("limit.now", lang, moment=moment_text(d["now"], lang)))
    holidays = cast(list[object], d.get("holidays") or [])
    if holidays:
        parts.append(_w("limit.holidays", lang, ranges=_ranges(holidays, lang)))
    closures = cast(Mapping[str, list[object]], d.get("closures") or {})
    if closures:
        listed = "; ".join(f"{k} {_ranges(v, lang)}" for k, v in closures.items())
        parts.append(_w("limit.closed", lang, closures=listed))
    gone = cast(Mapping[str, list[Details]], d.get("group_unavailable") or {})
    if gone:
        parts.append(_groups_away(gone, lang))
    absences = cast(Mapping[str, list[object]], d.get("absences") or {})
    if isinstance(absences, Mapping) and absences:
        listed = "; ".join(f"{k} {_ranges(v, lang)}" for k, v in absences.items())
        parts.append(_w("limit.away", lang, absences=listed))
    return f" ({'; '.join(parts)})" if parts else ""


def _priority(d: Details, lang: Language) -> str:
    return f" ({_w('priority', lang, priority=d['priority'])})"


def _competitor(c: Details, lang: Language) -> str:
    key = "competitor" if c.get("movable", True) else "competitor_held"
    return _w(key, lang, request=c["request"], priority=c["priority"])


def _role(role: str, lang: Language) -> str:
    return _known(f"reason.role.{role}", lang) or role


def _resource(kind: str, subject: str, lang: Language) -> str:
    if kind == "travel":
        role, _, who = subject.partition(" ")
        return _w("cannot_travel", lang, who=_role(role, lang), subject=who)
    return _w("busy", lang, who=_role(kind, lang), subject=subject)


def _spacing(low: object, high: object, lang: Language) -> str:
    if high == low:
        return _w("spacing.exactly", lang, days=_days(low, lang))
    if high is None:
        return _w("spacing.at_least", lang, days=_days(low, lang))
    return _w("spacing.between", lang, low=low, high=high)


def _scope(d: Details, lang: Language) -> str:
    scope = cast(Details, d.get("scope") or {})
    if not scope:
        return f" {_dates(d, lang)}"
    text = f" {_between(scope['first'], scope['last'], lang)}"
    if scope.get("widened_by"):
        text += f" ({_w('widened', lang, days=_days(scope['widened_by'], lang))})"
    elif "horizon_end" in d:
        text += f" ({_w('limit.horizon_end', lang, day=day_text(d['horizon_end'], lang))})"
    return text


def _blockers(f: Details, d: Details, lang: Language) -> str:
    """The competing requests whose sessions are in the way of this family."""
    found = [
        c
        for c in cast(list[Details], d.get("competitors", []))
        if f["family"] in cast(list[str], c.get("families", []))
    ]
    return ", ".join(_competitor(c, lang) for c in found)


def _family_parts(f: Details, d: Details, lang: Language) -> tuple[str, str]:
    """A busy family as a head and a tail ('locatie L1 is bezet', 'door R2 (...)')."""
    kind, role, subject = str(f["kind"]), str(f.get("role", "")), str(f["subject"])
    who, by = _role(role, lang), _blockers(f, d, lang)
    if kind == "travel_between_sessions":
        head = _w("cannot_travel", lang, who=who, subject=subject)
        return head, _w("from_or_to", lang, by=by) if by else ""
    return _w("busy", lang, who=who, subject=subject), _w("by", lang, by=by) if by else ""


def _family(f: Details, d: Details, lang: Language) -> str:
    """One family of a CP-SAT core (the kinds of scheduler.cpsat.why)."""
    kind, subject = str(f["kind"]), str(f["subject"])
    if kind in ("location_busy", "trainer_busy", "group_busy", "travel_between_sessions"):
        return " ".join(x for x in _family_parts(f, d, lang) if x)
    if kind == "trainer_weekly_hours":
        for h in cast(list[Details], d.get("hours", [])):
            if h["trainer"] == subject and h["week"] == f.get("week"):
                used, most = _hours(h["used_minutes"], lang), _hours(h["max_minutes"] or 0, lang)
                return _w("hours_used", lang, trainer=subject, week=h["week"], used=used, max=most)
        return _w("hours_max", lang, trainer=subject, week=f.get("week"))
    if kind == "day_gaps":
        low, high = d.get("min_days_between"), d.get("max_days_between")
        if low is None:
            return _w("family.day_gaps", lang)
        return _w("family.spacing", lang, spacing=_spacing(low, high, lang))
    if kind == "same_location":
        return _w("family.same_location", lang)
    if kind == "own_sessions_apart":
        return _w("family.own_sessions_apart", lang)
    return _w("family.dates", lang, dates=_dates(d, lang))


def _families(d: Details, lang: Language, skip: Iterable[str] = ()) -> list[str]:
    skipped = set(skip)
    return [
        _family(f, d, lang)
        for f in cast(list[Details], d.get("families", []))
        if f["kind"] not in skipped
    ]


# --- one text per reason code --------------------------------------------------------------


def _participants_out_of_range(d: Details, lang: Language) -> str:
    high = d["max"] if d["max"] is not None else "…"
    what = (
        _w("activity", lang, activity=d["activity"])
        if d.get("activity")
        else _w("the_activity", lang)
    )
    return _w(
        "participants_out_of_range",
        lang,
        participants=d["participants"],
        activity=what,
        min=d["min"],
        max=high,
    )


def _at_school_groups_differ(d: Details, lang: Language) -> str:
    homes = cast(Mapping[str, object], d["homes"])
    listed = ", ".join(f"{g}: {h or _w('no_school', lang)}" for g, h in homes.items())
    return _w("at_school_groups_differ", lang, activity=d.get("activity", ""), homes=listed)


def _no_days_in_window(d: Details, lang: Language) -> str:
    first, last = cast(tuple[object, object], d["horizon"])
    text = _w(
        "no_days_in_window",
        lang,
        dates=_dates(d, lang),
        horizon=period_text(first, last, lang),
    )
    if d.get("now") is not None:
        text += f" {_w('after_now', lang, moment=moment_text(d['now'], lang))}"
    holidays = cast(list[object], d.get("holidays") or [])
    if holidays:
        days = ", ".join(day_text(h, lang) for h in holidays)
        text += f"; {_w('holiday_days', lang, days=days)}"
    return text


def _no_location_fits(d: Details, lang: Language) -> str:
    needs = cast(Details, d.get("needs") or {})
    wanted: list[str] = []
    if needs.get("capacity") is not None:
        wanted.append(_w("room_for", lang, capacity=needs["capacity"]))
    for e in cast(list[Details], needs.get("equipment", [])):
        wanted.append(f"{e['quantity']}x {e['equipment']}")
    near = [
        _w("near", lang, minutes=t["minutes"], home=t["home"], group=t["group"])
        for t in cast(list[Details], needs.get("travel", []))
    ]
    both = f" {_w('and', lang)} "
    text = _w("no_location", lang)
    if wanted:
        text += " " + _w("with", lang, needs=both.join(wanted))
    if near:
        text += " " + both.join(near)
    not_hosting = cast(list[str], d.get("not_hosting") or [])
    if not_hosting:
        text += " " + _w("not_hosting", lang, locations=_listed(not_hosting, lang))
    removed = cast(Mapping[str, list[str]], d.get("removed_by") or {})
    if not needs and removed:
        text += " " + _w("meets_all", lang, removed="; ".join(removed))
    return text


def _skill(d: Details, lang: Language) -> str:
    qualification = d.get("qualification")
    return _w("qualified_for", lang, qualification=qualification) if qualification else ""


def _kind(d: Details, lang: Language) -> str:
    kind = str(d.get("kind", ""))
    if not kind:
        return _w("kind.none", lang)
    return _known(f"reason.kind.{kind}", lang) or kind.replace("_", " ")


def _no_qualified_trainer(d: Details, lang: Language) -> str:
    certified = _w("certified", lang) if d.get("certificate") else ""
    what = f" {_w('and', lang)} ".join(x for x in (_skill(d, lang), certified) if x)
    have = cast(list[str], d.get("qualified") or [])
    needed = d.get("needed", 1)
    if needed == 1 or not have:
        return _w("no_trainer_who", lang, what=what) if what else _w("no_trainers", lang)
    if what:
        return _w("trainers_needed_what", lang, needed=needed, what=what, have=_listed(have, lang))
    return _w("trainers_needed", lang, needed=needed, have=_listed(have, lang))


def _fixed_trainer_unqualified(d: Details, lang: Language) -> str:
    skill = _skill(d, lang) or _w("suitable", lang)
    return _w("fixed_not", lang, trainer=d["trainer"], skill=skill)


def _fixed_trainer_uncertified(d: Details, lang: Language) -> str:
    skill, kind = _skill(d, lang), _kind(d, lang)
    if skill:
        return _w("fixed_uncertified_skill", lang, trainer=d["trainer"], skill=skill, kind=kind)
    return _w("fixed_uncertified", lang, trainer=d["trainer"], kind=kind)


def _no_certified_trainer(d: Details, lang: Language) -> str:
    have = cast(list[str], d.get("qualified") or [])
    lacking = cast(list[str], d.get("without_certificate") or [])
    skill, kind = _skill(d, lang), _kind(d, lang)
    without = _w(
        "without_certificate.one" if len(lacking) == 1 else "without_certificate.many",
        lang,
        trainers=_listed(lacking, lang),
        skill=skill or _w("available", lang),
    )
    if have:
        key = "certified_needed_skill" if skill else "certified_needed"
        listed = _listed(have, lang)
        return _w(
            key, lang, needed=d["needed"], skill=skill, kind=kind, have=listed, without=without
        )
    if skill:
        return _w("no_certified_skill", lang, skill=skill, kind=kind, without=without)
    return _w("no_certified", lang, kind=kind, without=without)


def _fixed_trainer_unavailable(d: Details, lang: Language) -> str:
    absences = cast(list[object], d.get("absences") or [])
    away = _away(absences, lang)
    return _w(
        "fixed_trainer_unavailable", lang, trainer=d["trainer"], away=away, when=_when(d, lang)
    )


def _trainers_unavailable(d: Details, lang: Language) -> str:
    qualified = cast(list[str], d["qualified"])
    absences = cast(Mapping[str, list[object]], d.get("absences") or {})
    when = _when(d, lang)
    if len(qualified) == 1:
        only = qualified[0]
        away = _away(absences.get(only, []), lang)
        return _w("only_trainer_away", lang, trainer=only, away=away, when=when)
    excuses = "; ".join(
        _w("trainer_away", lang, trainer=tid, away=_away(r, lang)) for tid, r in absences.items()
    )
    available = _listed(cast(list[str], d.get("available") or []), lang)
    text = _w("trainers_away", lang, needed=d["needed"], when=when, available=available)
    return text + (f" ({excuses})" if excuses else "")


def _group_unavailable(d: Details, lang: Language) -> str:
    groups = cast(Mapping[str, list[Details]], d["groups"])
    key = "group_unavailable.one" if len(groups) == 1 else "group_unavailable.many"
    return _w(key, lang, groups=_groups_away(groups, lang), when=_when(d, lang))


def _no_common_time(d: Details, lang: Language) -> str:
    return _w(
        "no_common_time",
        lang,
        minutes=d["duration_minutes"],
        when=_when(d, lang),
        locations=_listed(cast(list[str], d.get("locations") or []), lang),
        groups=_listed(cast(list[str], d.get("groups") or []), lang),
        needed=d.get("needed", 1),
        limits=_limits(d, lang),
    )


def _sessions_do_not_fit_window(d: Details, lang: Language) -> str:
    spacing = _w("spacing.at_least", lang, days=_days(d["min_days_between"], lang))
    if d.get("max_days_between") is not None:
        spacing += " " + _w("spacing.at_most", lang, high=d["max_days_between"])
    days = cast(list[object], d.get("candidate_days") or [])
    return _w(
        "sessions_do_not_fit_window",
        lang,
        sessions=d["sessions"],
        spacing=spacing,
        where=f" {_w('one_location', lang)}" if d.get("same_location") else "",
        when=_when(d, lang),
        limits=_limits(d, lang),
        fits=d["fits"],
        days=", ".join(day_text(x, lang) for x in days),
    )


def _capacity_taken(d: Details, lang: Language) -> str:
    by_request = {c["request"]: c for c in cast(list[Details], d.get("competitors", []))}
    parts = []
    for b in cast(list[Details], d.get("blocked", [])):
        reqs = cast(list[str], b["requests"])
        who = ", ".join(_competitor(by_request[r], lang) for r in reqs if r in by_request)
        kind, subject = str(b["kind"]), str(b["subject"])
        if kind == "travel":
            parts.append(f"{_resource(kind, subject, lang)} {_w('from_or_to', lang, by=who)}")
        else:
            parts.append(f"{_role(kind, lang)} {subject} {_w('by', lang, by=who)}")
    slots = d["candidate_slots"]
    return _w(
        "capacity_taken.one" if slots == 1 else "capacity_taken.many",
        lang,
        slots=slots,
        when=_when(d, lang),
        taken=f": {'; '.join(parts)}" if parts else "",
        priority=_priority(d, lang),
    )


def _no_combination(d: Details, lang: Language) -> str:
    e = cast(Details, d["example"])
    day = day_text(e["day"], lang)
    return _w(
        "no_combination", lang, free=d["free_slots"], location=e["location"], day=day,
        start=e["start"],
    )  # fmt: skip


def _blocked_by_sessions(d: Details, lang: Language) -> str:
    families = cast(list[Details], d.get("families", []))
    scope, priority = _scope(d, lang), _priority(d, lang)
    if len(families) == 1:
        head, tail = _family_parts(families[0], d, lang)
        travel = families[0]["kind"] == "travel_between_sessions"
        key = "blocked_travel" if travel else "blocked_one"
        return _w(key, lang, head=head, tail=tail, scope=scope, priority=priority)
    texts = "; ".join(_families(d, lang))
    return _w("blocked_many", lang, scope=scope, families=texts, priority=priority)


def _trainer_hours_exhausted(d: Details, lang: Language) -> str:
    texts = "; ".join(_families(d, lang, skip=("request_dates",)))
    dated = "request_dates" in cast(list[str], d.get("core", []))
    where = (
        f", {_w('must_take_place', lang, dates=_dates(d, lang))}"
        if dated and "earliest" in d
        else ""
    )
    minutes = d.get("session_minutes")
    length = f" {_w('of_hours', lang, hours=_hours(minutes, lang))}" if minutes is not None else ""
    return _w(
        "trainer_hours_exhausted",
        lang,
        families=texts,
        request=d.get("request") or _w("the_request", lang),
        sessions=d.get("sessions", 1),
        length=length,
        where=where,
    )


def _rest(d: Details, lang: Language) -> str:
    others = _families(d, lang, skip=("day_gaps", "same_location"))
    return f": {'; '.join(others)}" if others else ""


def _day_gaps_unreachable(d: Details, lang: Language) -> str:
    free = [day_text(x, lang) for x in cast(list[object], d.get("free_days") or [])]
    text = _w(
        "day_gaps_unreachable",
        lang,
        sessions=d.get("sessions", ""),
        spacing=_spacing(d.get("min_days_between"), d.get("max_days_between"), lang),
        where=f" {_w('one_location', lang)}" if d.get("same_location") else "",
        scope=_scope(d, lang),
        rest=_rest(d, lang),
    )
    days = ", ".join(free) or phrase("list.none", lang)
    return f"{text} ({_w('free_days', lang, days=days)})".replace("  ", " ")


def _same_location_unreachable(d: Details, lang: Language) -> str:
    text = _w(
        "same_location_unreachable",
        lang,
        sessions=d.get("sessions", ""),
        scope=_scope(d, lang),
        rest=_rest(d, lang),
    )
    return text.replace("  ", " ")


def _blocked_in_combination(d: Details, lang: Language) -> str:
    texts = "; ".join(_families(d, lang)) or _w("the_dates", lang)
    return _w(
        "blocked_in_combination", lang, scope=_scope(d, lang), families=texts,
        priority=_priority(d, lang),
    )  # fmt: skip


def _solver_tradeoff(d: Details, lang: Language) -> str:
    placement = cast(list[Details], d["placement"])
    where = "; ".join(
        (f"#{p['index']} " if len(placement) > 1 else "")
        + _w(
            "placed",
            lang,
            location=p["location"],
            when=slot_text(_as_datetime(p["start"]), _as_datetime(p["end"]), lang),
            trainers=_listed(cast(list[str], p["trainers"]), lang),
        )
        for p in placement
    )
    free = f" ({_w('free_slots', lang, free=d['free_slots'])})" if "free_slots" in d else ""
    request = d.get("request") or _w("the_request", lang)
    return _w("solver_tradeoff", lang, request=request, where=where, free=free)


def _course_rule(d: Details, lang: Language) -> str:
    rule = d["rule"]
    blocking = cast(list[Details], d.get("blocking") or [])
    if rule == "group_unavailable":
        groups: dict[str, list[Details]] = {}
        for b in blocking:
            groups.setdefault(str(b["group"]), []).append(b)
        return _groups_away(groups, lang)
    if rule == "fixed_trainer":
        trainer = next((b["trainer"] for b in blocking), d.get("trainer", ""))
        if not blocking:
            return _w("course.fixed_trainer_never", lang)
        return _w(
            "course.fixed_trainer_away", lang, trainer=trainer, ranges=_ranges(blocking, lang)
        )
    if rule == "same_location":
        if not blocking:
            return _w("course.same_location_never", lang)
        return _w(
            "course.same_location_closed", lang, location=blocking[0]["location"],
            ranges=_ranges(blocking, lang),
        )  # fmt: skip
    if rule == "locations_closed":
        if not blocking:
            return _w("course.locations_never", lang)
        closures = "; ".join(f"{b['location']} {_ranges([b], lang)}" for b in blocking)
        return _w("course.locations_closed", lang, closures=closures)
    if rule == "dates":
        b = blocking[0] if blocking else {}
        if "by" in b:
            return _w("course.dates_before", lang, day=day_text(b["by"], lang))
        return _w("course.dates", lang)
    if rule == "running_courses_together":
        others = cast(list[str], blocking[0]["requests"]) if blocking else []
        return _w("course.running_together", lang, others=_listed(others, lang))
    return _w("course.no_room", lang)


def _course_cannot_be_completed(d: Details, lang: Language) -> str:
    offered = []
    for o in cast(list[Details], d.get("options") or []):
        if o["option"] == "another_location":
            listed = _listed(cast(list[str], o["locations"]), lang)
            offered.append(_w("course.another_location", lang, locations=listed))
        elif o["option"] == "another_trainer":
            listed = _listed(cast(list[str], o["trainers"]), lang)
            offered.append(_w("course.another_trainer", lang, trainers=listed))
        else:
            offered.append(_w("course.planner_decides", lang))
    return _w(
        "course_cannot_be_completed",
        lang,
        request=d.get("request", ""),
        session=d["session"],
        kept=", ".join(f"#{k}" for k in cast(list[int], d.get("kept") or [])),
        rule=_course_rule(d, lang),
        options="; ".join(offered),
    )


Render = Callable[[Details, Language], str]


@dataclass(frozen=True, slots=True)
class ReasonWords:
    """How one reason code reads: a sentence built from catalogue entries, in any language."""

    text: Render

    def __call__(self, details: Details, lang: Language = DEFAULT_LANGUAGE) -> str:
        return self.text(details, lang)


CODE_WORDS: Mapping[str, ReasonWords] = {
    Code.PARTICIPANTS_OUT_OF_RANGE: ReasonWords(_participants_out_of_range),
    Code.AT_SCHOOL_GROUPS_DIFFER: ReasonWords(_at_school_groups_differ),
    Code.NO_DAYS_IN_WINDOW: ReasonWords(_no_days_in_window),
    Code.NO_LOCATION_FITS: ReasonWords(_no_location_fits),
    Code.NO_QUALIFIED_TRAINER: ReasonWords(_no_qualified_trainer),
    Code.FIXED_TRAINER_UNQUALIFIED: ReasonWords(_fixed_trainer_unqualified),
    Code.FIXED_TRAINER_UNCERTIFIED: ReasonWords(_fixed_trainer_uncertified),
    Code.NO_CERTIFIED_TRAINER: ReasonWords(_no_certified_trainer),
    Code.FIXED_TRAINER_UNAVAILABLE: ReasonWords(_fixed_trainer_unavailable),
    Code.TRAINERS_UNAVAILABLE: ReasonWords(_trainers_unavailable),
    Code.GROUP_UNAVAILABLE: ReasonWords(_group_unavailable),
    Code.NO_COMMON_TIME: ReasonWords(_no_common_time),
    Code.SESSIONS_DO_NOT_FIT_WINDOW: ReasonWords(_sessions_do_not_fit_window),
    Code.CAPACITY_TAKEN: ReasonWords(_capacity_taken),
    Code.NO_COMBINATION: ReasonWords(_no_combination),
    Code.BLOCKED_BY_SESSIONS: ReasonWords(_blocked_by_sessions),
    Code.TRAINER_HOURS_EXHAUSTED: ReasonWords(_trainer_hours_exhausted),
    Code.DAY_GAPS_UNREACHABLE: ReasonWords(_day_gaps_unreachable),
    Code.SAME_LOCATION_UNREACHABLE: ReasonWords(_same_location_unreachable),
    Code.BLOCKED_IN_COMBINATION: ReasonWords(_blocked_in_combination),
    Code.SOLVER_TRADEOFF: ReasonWords(_solver_tradeoff),
    Code.COURSE_CANNOT_BE_COMPLETED: ReasonWords(_course_cannot_be_completed),
}


def missing_codes() -> list[str]:
    """Reason codes without words (the vocabulary test fails naming them)."""
    return [str(c) for c in Code if c not in CODE_WORDS]


def render(reason: Reason, lang: Language = DEFAULT_LANGUAGE) -> str:
    """``reason`` in words for ``lang`` (Dutch by default), from the catalogue.

    A code without words (none today, the test suite guards it) falls back to the engine's
    English message rather than failing in front of a user.
    """
    words = CODE_WORDS.get(str(reason.code))
    if words is None:
        return reason.message
    return words(reason.details, lang)


# --- fixed phrases: the translation catalogue ---------------------------------------------
# Every fixed phrase lives in one gettext catalogue per language, models/locale/<lang>/
# LC_MESSAGES/messages.po, read with Babel. The msgid is a stable key ("web.sign_in"), the
# msgstr the words; translators edit the .po files with any gettext tool. Both languages are
# complete: tests/models/test_translations.py fails on a key one language lacks, an empty or
# fuzzy entry, placeholders that differ, or a key the code or a template names that is not in
# the catalogue. docs/words.md says how to add words.

LOCALE_DIR = Path(__file__).parent / "locale"


class MissingWords(KeyError):
    """A key that the catalogue of a language does not hold."""


def read_catalogue(lang: Language) -> dict[str, str]:
    """The key -> words of one language's catalogue (fuzzy entries are not words yet)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in catalogue if m.id and not m.fuzzy and m.string}


@cache
def _catalogues() -> dict[Language, dict[str, str]]:
    return {lang: read_catalogue(lang) for lang in LANGUAGES}


class _Phrases(Mapping[str, Mapping[Language, str]]):
    """The catalogues as key -> {language: words}, for code that reads them side by side."""

    def __getitem__(self, key: str) -> Mapping[Language, str]:
        found = {lang: words[key] for lang, words in _catalogues().items() if key in words}
        if not found:
            raise MissingWords(key)
        return found

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for words in _catalogues().values():
            seen.update(dict.fromkeys(words))
        return iter(seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)


PHRASES: Mapping[str, Mapping[Language, str]] = _Phrases()


def phrase(key: str, lang: Language = DEFAULT_LANGUAGE, **values: object) -> str:
    """A fixed phrase in ``lang``, with ``values`` filled in."""
    try:
        text = _catalogues()[lang][key]
    except KeyError:
        raise MissingWords(f"no words for {key!r} in the {lang!r} catalogue") from None
    return text.format(**values) if values else text


# --- refused manual moves (models/moves.py) ------------------------------------------------
# A move is checked by the independent validator (scheduler.validate); each violation it
# finds is told by its rule ("move.rule.<rule>") and check ("move.check.<check>"), with who
# is concerned and what clashes. The validator's English message only names the subject.

_SUBJECT = re.compile(r"\b(trainer|group) ([^\s',:]+)")


def move_violation(
    rule: str,
    check: str,
    message: str,
    clashes: Iterable[str] = (),
    lang: Language = DEFAULT_LANGUAGE,
) -> str:
    """Why a manual move is refused, in ``lang``: the rule, then what clashes.

    ``clashes`` are the other sessions of the conflict, already in words (``session_words``);
    ``message`` is the validator's, read for the trainer or group it names.
    """
    found = _SUBJECT.search(message)
    subject = (
        phrase(f"move.subject.{found.group(1)}", lang, who=found.group(2))
        if found
        else phrase("move.subject.session", lang)
    )
    others = list(clashes)
    other = f" ({list_text(others, lang)})" if others else ""
    words = _known(f"move.check.{check}", lang) or phrase("move.check.unknown", lang)
    text = words.format(subject=subject, other=other)
    if "{other}" not in words and others:
        text += other
    rule_words = _known(f"move.rule.{rule}", lang) or rule
    return phrase("move.violation", lang, rule=rule_words, text=text)


def session_words(
    request: str, index: int, start: datetime, location: str, lang: Language = DEFAULT_LANGUAGE
) -> str:
    """A session as a clash names it: 'r-ws-1#1 op di 30 mrt 2027 13:00 in Praktijkhal'."""
    moment = moment_text(start, lang)
    return phrase(
        "move.session", lang, request=request, index=index, moment=moment, location=location
    )


# --- the review of a run before publishing (models/review.py) ------------------------------
# What the audit calls an entity ("audit.entity.<entity>") and an action
# ("audit.action.<action>"), as the planner reads them in "what changed since the run"; a
# broken hard rule ("rule.<rule>.<check>", else "rule.<rule>").


def entity_word(entity: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    """An audit entity in words (the entity's own name when there are none)."""
    return _known(f"audit.entity.{entity}", lang) or entity.replace("_", " ")


def audit_action_word(action: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    """An audit action in words ('gewijzigd'; the action's own name when there are none)."""
    return _known(f"audit.action.{action}", lang) or action


def rule_word(rule: str, check: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    """A broken hard rule in words: the check's own words, else its family's."""
    words = _known(f"rule.{rule}.{check}", lang) or _known(f"rule.{rule}", lang)
    return words or f"{rule} ({check})"


def when(start: datetime, end: datetime, lang: Language = DEFAULT_LANGUAGE) -> str:
    """A session's time: 'di 16 mrt 2027, 13:00-16:00' (``slot_text``)."""
    return slot_text(start, end, lang)


__all__ = [
    "CODE_WORDS",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "PHRASES",
    "Language",
    "MissingWords",
    "ReasonWords",
    "UnknownLanguage",
    "audit_action_word",
    "day_text",
    "entity_word",
    "host_word",
    "language",
    "list_text",
    "missing_codes",
    "moment_text",
    "move_violation",
    "nl_date",
    "nl_datetime",
    "nl_list",
    "nl_period",
    "period_text",
    "phrase",
    "read_catalogue",
    "render",
    "rule_word",
    "session_words",
    "slot_text",
    "when",
]
