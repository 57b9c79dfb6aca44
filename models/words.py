"""The words users read: Dutch by default, English on request, from this one vocabulary.

Schools, companies, trainers and planners read Dutch; code, docs and CLI messages stay
English. Everything a user reads that is built from engine facts comes from here: the
explanation of every reason ``Code`` (rendered from the reason's code and ``details``) and
the fixed phrases of the calendar feeds and of ``campus explain``.

English explanations are the engine's own ``Reason.message`` (``scheduler.explain`` and
``scheduler.cpsat.why`` write them; they stay unchanged for compatibility), so each
language has exactly one source: the Dutch words below, the English ones in the engine.
Dutch dates read like "ma 29 mrt 2027", periods "ma 15 mrt 2027 t/m vr 9 apr 2027",
times HH:MM.
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
        raise UnknownLanguage(
            f"unknown language {value!r}: use one of {', '.join(LANGUAGES)}"
        )
    return cast(Language, value)


# --- dates and lists in Dutch --------------------------------------------------------------

_WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def nl_date(value: object) -> str:
    """'ma 29 mrt 2027' (a date, a datetime or an ISO string)."""
    d = _as_date(value)
    return f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def nl_datetime(value: object) -> str:
    """'ma 29 mrt 2027 09:00'."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{nl_date(moment)} {moment:%H:%M}"


def nl_period(first: object, last: object) -> str:
    """One day, or 'ma 15 mrt 2027 t/m vr 9 apr 2027'."""
    if _as_date(first) == _as_date(last):
        return nl_date(first)
    return f"{nl_date(first)} t/m {nl_date(last)}"


def nl_list(items: Iterable[object], empty: str = "geen") -> str:
    """'a', 'a en b', 'a, b en c'."""
    words = [str(x) for x in items]
    if not words:
        return empty
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} en {words[-1]}"


def _plural(n: object, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _dates(d: Mapping[str, object]) -> str:
    return _between(d["earliest"], d["latest"])


def _between(first: object, last: object) -> str:
    if _as_date(first) == _as_date(last):
        return f"op {nl_date(first)}"
    return f"tussen {nl_date(first)} en {nl_date(last)}"


def _hours(minutes: object) -> str:
    return f"{int(cast(int, minutes)) / 60:g}".replace(".", ",")


_KINDS = {
    "workshop": "workshop",
    "skills_course": "vaardigheidstraining",
    "practical_training": "praktijktraining",
    "guest_lesson": "gastles",
    "excursion": "excursie",
    "open_day": "open dag",
}

_GROUP_AWAY = {
    "exam": "heeft examens",
    "internship": "loopt stage",
    "trip": "is op excursie",
    "other": "is afwezig",
}


def _reason_note(reason: object) -> str:
    return f" ({reason})" if reason else ""


def _ranges(ranges: Iterable[object]) -> str:
    """Closures/absences as (first, last, reason) tuples or dicts, in Dutch."""
    parts = []
    for r in ranges:
        if isinstance(r, Mapping):
            first, last, why = r["first"], r["last"], r.get("reason")
        else:
            first, last, why = cast(tuple[object, object, object], tuple(cast(Iterable[object], r)))
        parts.append(nl_period(first, last) + _reason_note(why))
    return ", ".join(parts)


def _without_afwezig(r: object) -> object:
    """An absence whose reason is just "afwezig" (sick or other): the word is said already."""
    if isinstance(r, Mapping) and r.get("reason") == "afwezig":
        return {**r, "reason": ""}
    if not isinstance(r, Mapping | str):
        first, last, why = cast(tuple[object, object, object], tuple(cast(Iterable[object], r)))
        return (first, last, "" if why == "afwezig" else why)
    return r


def _away(absences: Iterable[object]) -> str:
    listed = [_without_afwezig(r) for r in absences]
    return f"afwezig {_ranges(listed)}" if listed else "nooit lang genoeg beschikbaar"


def _group_period(period: Mapping[str, object]) -> str:
    """'loopt stage ma 15 mrt 2027 t/m vr 9 apr 2027 (BPV Dekker)'."""
    why = period.get("reason")
    words = _GROUP_AWAY.get(str(why)) if why else None
    if words is None:
        words = "is afwezig" + _reason_note(why)
    note = period.get("note")
    return f"{words} {nl_period(period['first'], period['last'])}" + (f" ({note})" if note else "")


def _groups_away(groups: Mapping[str, Iterable[Mapping[str, object]]]) -> str:
    return "; ".join(
        f"groep {gid} " + ", ".join(_group_period(p) for p in periods)
        for gid, periods in groups.items()
    )


def _limits(d: Mapping[str, object]) -> str:
    """What cuts days out of the dates (the ``_limits`` details of scheduler.explain)."""
    parts: list[str] = []
    if "horizon_end" in d:
        parts.append(f"de planperiode eindigt op {nl_date(d['horizon_end'])}")
    if "horizon_start" in d:
        parts.append(f"de planperiode begint op {nl_date(d['horizon_start'])}")
    if d.get("now") is not None and "horizon" not in d:
        parts.append(f"het is nu {nl_datetime(d['now'])}")
    holidays = cast(list[object], d.get("holidays") or [])
    if holidays:
        parts.append("vakanties " + _ranges(holidays))
    closures = cast(Mapping[str, list[object]], d.get("closures") or {})
    if closures:
        parts.append(
            "gesloten: " + "; ".join(f"{k} {_ranges(v)}" for k, v in closures.items())
        )
    gone = cast(Mapping[str, list[Mapping[str, object]]], d.get("group_unavailable") or {})
    if gone:
        parts.append(_groups_away(gone))
    absences = cast(Mapping[str, list[object]], d.get("absences") or {})
    if isinstance(absences, Mapping) and absences:
        parts.append("afwezig: " + "; ".join(f"{k} {_ranges(v)}" for k, v in absences.items()))
    return f" ({'; '.join(parts)})" if parts else ""


def _priority(d: Mapping[str, object]) -> str:
    return f" (deze aanvraag heeft prioriteit {d['priority']})"


def _competitor(c: Mapping[str, object]) -> str:
    held = "" if c.get("movable", True) else ", al begonnen of vastgezet"
    return f"{c['request']} (prioriteit {c['priority']}{held})"


_ROLES = {"location": "locatie", "trainer": "trainer", "group": "groep"}


def _resource(kind: str, subject: str) -> str:
    if kind == "travel":
        role, _, who = subject.partition(" ")
        return f"{_ROLES.get(role, role)} {who} kan niet op tijd reizen"
    return f"{_ROLES.get(kind, kind)} {subject} is bezet"


def _spacing(low: object, high: object) -> str:
    if high == low:
        return f"precies {_plural(low, 'dag', 'dagen')} na elkaar"
    if high is None:
        return f"minstens {_plural(low, 'dag', 'dagen')} na elkaar"
    return f"{low} tot {high} dagen na elkaar"


def _scope(d: Mapping[str, object]) -> str:
    scope = cast(Mapping[str, object], d.get("scope") or {})
    if not scope:
        return f" {_dates(d)}"
    text = f" {_between(scope['first'], scope['last'])}"
    if scope.get("widened_by"):
        text += f" (de data ruimer genomen, tot {_plural(scope['widened_by'], 'dag', 'dagen')})"
    elif "horizon_end" in d:
        text += f" (de planperiode eindigt op {nl_date(d['horizon_end'])})"
    return text


def _blockers(f: Mapping[str, object], d: Mapping[str, object]) -> str:
    """The competing requests whose sessions are in the way of this family."""
    found = [
        c
        for c in cast(list[Mapping[str, object]], d.get("competitors", []))
        if f["family"] in cast(list[str], c.get("families", []))
    ]
    return ", ".join(_competitor(c) for c in found)


def _family_parts(f: Mapping[str, object], d: Mapping[str, object]) -> tuple[str, str]:
    """A busy family as a head and a tail ('locatie L1 is bezet', 'door R2 (...)')."""
    kind, role, subject = str(f["kind"]), str(f.get("role", "")), str(f["subject"])
    who, by = _ROLES.get(role, role), _blockers(f, d)
    if kind == "travel_between_sessions":
        return f"{who} {subject} kan niet op tijd reizen", f"van of naar {by}" if by else ""
    return f"{who} {subject} is bezet", f"door {by}" if by else ""


def _family(f: Mapping[str, object], d: Mapping[str, object]) -> str:
    """One family of a CP-SAT core in Dutch (the kinds of scheduler.cpsat.why)."""
    kind, subject = str(f["kind"]), str(f["subject"])
    if kind in ("location_busy", "trainer_busy", "group_busy", "travel_between_sessions"):
        return " ".join(x for x in _family_parts(f, d) if x)
    if kind == "trainer_weekly_hours":
        for h in cast(list[Mapping[str, object]], d.get("hours", [])):
            if h["trainer"] == subject and h["week"] == f.get("week"):
                return (
                    f"{subject} heeft in week {h['week']} al {_hours(h['used_minutes'])} van "
                    f"{_hours(h['max_minutes'] or 0)} uur gebruikt"
                )
        return f"{subject} zit in week {f.get('week')} aan zijn maximum aantal uren"
    if kind == "day_gaps":
        low, high = d.get("min_days_between"), d.get("max_days_between")
        if low is None:
            return "de sessies moeten op de voorgeschreven afstand van elkaar liggen"
        return f"de sessies moeten {_spacing(low, high)} liggen"
    if kind == "same_location":
        return "de sessies moeten op één locatie blijven"
    if kind == "own_sessions_apart":
        return "tussen de eigen sessies is de buffer- of reistijd van de locatie nodig"
    return f"de aanvraag moet {_dates(d)} plaatsvinden"


def _families(d: Mapping[str, object], skip: Iterable[str] = ()) -> list[str]:
    skipped = set(skip)
    return [
        _family(f, d)
        for f in cast(list[Mapping[str, object]], d.get("families", []))
        if f["kind"] not in skipped
    ]


# --- one Dutch text per reason code --------------------------------------------------------


def _participants_out_of_range(d: Mapping[str, object]) -> str:
    high = d["max"] if d["max"] is not None else "…"
    what = f"activiteit {d['activity']}" if d.get("activity") else "de activiteit"
    return f"{d['participants']} deelnemers, maar {what} staat {d['min']}-{high} deelnemers toe"


def _at_school_groups_differ(d: Mapping[str, object]) -> str:
    homes = cast(Mapping[str, object], d["homes"])
    listed = ", ".join(f"{g}: {h or 'geen school'}" for g, h in homes.items())
    return (
        f"activiteit {d.get('activity', '')} vindt op school plaats, maar de groepen hebben "
        f"niet één gezamenlijke schoollocatie ({listed})"
    )


def _no_days_in_window(d: Mapping[str, object]) -> str:
    first, last = cast(tuple[object, object], d["horizon"])
    text = f"geen werkdag {_dates(d)} binnen de planperiode {nl_period(first, last)}"
    if d.get("now") is not None:
        text += f" na nu ({nl_datetime(d['now'])})"
    holidays = cast(list[object], d.get("holidays") or [])
    if holidays:
        text += f"; vakantiedagen: {', '.join(nl_date(h) for h in holidays)}"
    return text


def _no_location_fits(d: Mapping[str, object]) -> str:
    needs = cast(Mapping[str, object], d.get("needs") or {})
    wanted: list[str] = []
    if needs.get("capacity") is not None:
        wanted.append(f"plaats voor {needs['capacity']}")
    for e in cast(list[Mapping[str, object]], needs.get("equipment", [])):
        wanted.append(f"{e['quantity']}x {e['equipment']}")
    near = [
        f"binnen {t['minutes']} min van {t['home']} (school van groep {t['group']})"
        for t in cast(list[Mapping[str, object]], needs.get("travel", []))
    ]
    text = "geen locatie"
    if wanted:
        text += " met " + " en ".join(wanted)
    if near:
        text += " " + " en ".join(near)
    not_hosting = cast(list[str], d.get("not_hosting") or [])
    if not_hosting:
        text += (
            f" die trainingen ontvangt ({nl_list(not_hosting)} zou(den) passen maar "
            "ontvangen geen trainingen)"
        )
    removed = cast(Mapping[str, list[str]], d.get("removed_by") or {})
    if not needs and removed:
        text += f" voldoet aan alle eisen ({'; '.join(removed)})"
    return text


def _skill(d: Mapping[str, object]) -> str:
    return f"bevoegd voor {d['qualification']}" if d.get("qualification") else ""


def _kind(d: Mapping[str, object]) -> str:
    kind = str(d.get("kind", ""))
    return _KINDS.get(kind, kind.replace("_", " ")) or "deze activiteit"


def _no_qualified_trainer(d: Mapping[str, object]) -> str:
    what = " en ".join(
        x for x in (_skill(d), "gecertificeerd" if d.get("certificate") else "") if x
    )
    have = cast(list[str], d.get("qualified") or [])
    needed = d.get("needed", 1)
    if needed == 1 or not have:
        return f"geen trainer die {what} is" if what else "geen trainers"
    return f"{needed} trainers {what or 'nodig'} nodig, alleen {nl_list(have)}".replace(
        "nodig nodig", "nodig"
    )


def _fixed_trainer_unqualified(d: Mapping[str, object]) -> str:
    skill = _skill(d) or "geschikt"
    return f"vaste trainer {d['trainer']} is niet {skill}"


def _fixed_trainer_uncertified(d: Mapping[str, object]) -> str:
    held = f"is {_skill(d)}, maar " if _skill(d) else ""
    return (
        f"vaste trainer {d['trainer']} {held}heeft geen lesbevoegdheid, die een "
        f"{_kind(d)} vraagt"
    )


def _no_certified_trainer(d: Mapping[str, object]) -> str:
    have = cast(list[str], d.get("qualified") or [])
    lacking = cast(list[str], d.get("without_certificate") or [])
    skill = _skill(d)
    without = f"{nl_list(lacking)} {'is' if len(lacking) == 1 else 'zijn'} {skill or 'beschikbaar'}"
    without += " zonder lesbevoegdheid"
    if have:
        return (
            f"{d['needed']} trainers {skill + ' ' if skill else ''}met de lesbevoegdheid die een "
            f"{_kind(d)} vraagt zijn nodig, alleen {nl_list(have)}; {without}"
        )
    return (
        f"geen trainer {skill + ' ' if skill else ''}heeft de lesbevoegdheid die een {_kind(d)} "
        f"vraagt ({without})"
    )


def _fixed_trainer_unavailable(d: Mapping[str, object]) -> str:
    absences = cast(list[object], d.get("absences") or [])
    when = f" {_dates(d)}" if "earliest" in d else ""
    return f"vaste trainer {d['trainer']} is {_away(absences)}{when}"


def _trainers_unavailable(d: Mapping[str, object]) -> str:
    qualified = cast(list[str], d["qualified"])
    absences = cast(Mapping[str, list[object]], d.get("absences") or {})
    when = f" {_dates(d)}" if "earliest" in d else ""
    if len(qualified) == 1:
        only = qualified[0]
        return f"alleen trainer {only} is bevoegd en is {_away(absences.get(only, []))}{when}"
    excuses = "; ".join(f"{tid} is {_away(r)}" for tid, r in absences.items())
    available = cast(list[str], d.get("available") or [])
    return (
        f"{d['needed']} bevoegde trainer(s) nodig{when}, beschikbaar: {nl_list(available)}"
        + (f" ({excuses})" if excuses else "")
    )


def _group_unavailable(d: Mapping[str, object]) -> str:
    groups = cast(Mapping[str, list[Mapping[str, object]]], d["groups"])
    who = "de groep kan" if len(groups) == 1 else "al haar groepen kunnen"
    when = f" {_dates(d)}" if "earliest" in d else ""
    return f"{_groups_away(groups)}: geen werkdag{when} waarop {who} komen"


def _no_common_time(d: Mapping[str, object]) -> str:
    locations = cast(list[str], d.get("locations") or [])
    groups = cast(list[str], d.get("groups") or [])
    when = f" {_dates(d)}" if "earliest" in d else ""
    return (
        f"geen tijdvak van {d['duration_minutes']} minuten{when} waarop een passende locatie "
        f"({nl_list(locations)}), groep(en) {nl_list(groups)} en {d.get('needed', 1)} bevoegde "
        f"trainer(s) allemaal beschikbaar zijn" + _limits(d)
    )


def _sessions_do_not_fit_window(d: Mapping[str, object]) -> str:
    spacing = f"minstens {_plural(d['min_days_between'], 'dag', 'dagen')} na elkaar"
    if d.get("max_days_between") is not None:
        spacing += f" en hoogstens {d['max_days_between']}"
    where = " op één locatie" if d.get("same_location") else ""
    days = cast(list[object], d.get("candidate_days") or [])
    when = f" {_dates(d)}" if "earliest" in d else ""
    return (
        f"{d['sessions']} sessies {spacing}{where} passen niet{when}{_limits(d)}: er passen er "
        f"maar {d['fits']} op de mogelijke dagen ({', '.join(nl_date(x) for x in days)})"
    )


def _capacity_taken(d: Mapping[str, object]) -> str:
    by_request = {
        c["request"]: c for c in cast(list[Mapping[str, object]], d.get("competitors", []))
    }
    parts = []
    for b in cast(list[Mapping[str, object]], d.get("blocked", [])):
        reqs = cast(list[str], b["requests"])
        who = ", ".join(_competitor(by_request[r]) for r in reqs if r in by_request)
        kind, subject = str(b["kind"]), str(b["subject"])
        if kind == "travel":
            parts.append(f"{_resource(kind, subject)} van of naar {who}")
        else:
            parts.append(f"{_ROLES.get(kind, kind)} {subject} door {who}")
    when = f" {_dates(d)}" if "earliest" in d else ""
    taken = f": {'; '.join(parts)}" if parts else ""
    slots = (
        "het enige mogelijke tijdvak"
        if d["candidate_slots"] == 1
        else f"alle {d['candidate_slots']} mogelijke tijdvakken"
    )
    verb = "is" if d["candidate_slots"] == 1 else "zijn"
    return f"{slots}{when} {verb} bezet in deze planning{taken}{_priority(d)}"


def _no_combination(d: Mapping[str, object]) -> str:
    e = cast(Mapping[str, object], d["example"])
    return (
        f"aan elke eis afzonderlijk is te voldoen en er blijven {d['free_slots']} vrije "
        f"tijdvakken over (bijv. {e['location']} op {nl_date(e['day'])} {e['start']}), maar niet "
        "samen met de rest van deze planning: de solver woog het af tegen andere kosten of "
        "regels, of stopte voordat hij het vond"
    )


def _blocked_by_sessions(d: Mapping[str, object]) -> str:
    families = cast(list[Mapping[str, object]], d.get("families", []))
    scope = _scope(d)
    if len(families) == 1:
        head, tail = _family_parts(families[0], d)
        if families[0]["kind"] == "travel_between_sessions":
            return f"{head} {tail} vanaf elk mogelijk tijdvak{scope}{_priority(d)}"
        return f"{head} op alle mogelijke tijdvakken{scope} {tail}{_priority(d)}"
    texts = "; ".join(_families(d))
    return f"elk mogelijk tijdvak{scope} is geblokkeerd: {texts}{_priority(d)}"


def _trainer_hours_exhausted(d: Mapping[str, object]) -> str:
    texts = "; ".join(_families(d, skip=("request_dates",)))
    dated = "request_dates" in cast(list[str], d.get("core", []))
    where = f", en ze moet {_dates(d)} plaatsvinden" if dated and "earliest" in d else ""
    n, minutes = d.get("sessions", 1), d.get("session_minutes")
    length = f" van {_hours(minutes)} uur" if minutes is not None else ""
    return f"{texts}; {d.get('request', 'de aanvraag')} heeft {n} sessie(s){length} nodig{where}"


def _day_gaps_unreachable(d: Mapping[str, object]) -> str:
    others = _families(d, skip=("day_gaps", "same_location"))
    where = " op één locatie" if d.get("same_location") else ""
    days = ", ".join(nl_date(x) for x in cast(list[object], d.get("free_days") or [])) or "geen"
    rest = f": {'; '.join(others)}" if others else ""
    spacing = _spacing(d.get("min_days_between"), d.get("max_days_between"))
    return (
        f"de {d.get('sessions', '')} sessies zijn niet {spacing}{where} te plannen{_scope(d)}"
        f"{rest} (dagen met een vrij tijdvak: {days})"
    ).replace("de  sessies", "de sessies")


def _same_location_unreachable(d: Mapping[str, object]) -> str:
    others = _families(d, skip=("day_gaps", "same_location"))
    rest = f": {'; '.join(others)}" if others else ""
    return (
        f"de {d.get('sessions', '')} sessies kunnen niet op één locatie blijven{_scope(d)}{rest}"
    ).replace("de  sessies", "de sessies")


def _blocked_in_combination(d: Mapping[str, object]) -> str:
    texts = "; ".join(_families(d)) or "de data"
    return f"geen plaatsing{_scope(d)} voldoet aan alles: {texts}{_priority(d)}"


def _solver_tradeoff(d: Mapping[str, object]) -> str:
    placement = cast(list[Mapping[str, object]], d["placement"])
    where = "; ".join(
        (f"#{p['index']} " if len(placement) > 1 else "")
        + f"op {p['location']} op {nl_datetime(p['start'])}-"
        + f"{nl_datetime(p['end'])[-5:]} met {nl_list(cast(list[str], p['trainers']))}"
        for p in placement
    )
    free = f" ({d['free_slots']} vrije tijdvakken in totaal)" if "free_slots" in d else ""
    return (
        f"{d.get('request', 'de aanvraag')} past {where}, naast elke andere sessie van deze "
        "planning; de solver liet haar weg voor een betere doelwaarde (of had geen tijd meer)"
        + free
    )


def _course_rule(d: Mapping[str, object]) -> str:
    rule = d["rule"]
    blocking = cast(list[Mapping[str, object]], d.get("blocking") or [])
    if rule == "group_unavailable":
        groups: dict[str, list[Mapping[str, object]]] = {}
        for b in blocking:
            groups.setdefault(str(b["group"]), []).append(b)
        return _groups_away(groups)
    if rule == "fixed_trainer":
        trainer = next((b["trainer"] for b in blocking), d.get("trainer", ""))
        if not blocking:
            return "de vaste trainer is nooit lang genoeg beschikbaar"
        return f"de vaste trainer {trainer} is afwezig {_ranges(blocking)}"
    if rule == "same_location":
        if not blocking:
            return "de cursus moet op dezelfde locatie blijven, die niet lang genoeg open is"
        return (
            f"de cursus moet op {blocking[0]['location']} blijven, die gesloten is "
            f"{_ranges(blocking)}"
        )
    if rule == "locations_closed":
        if not blocking:
            return "geen passende locatie is op die dagen lang genoeg open"
        return "elke passende locatie is gesloten: " + "; ".join(
            f"{b['location']} {_ranges([b])}" for b in blocking
        )
    if rule == "dates":
        b = blocking[0] if blocking else {}
        by = f" vóór {nl_date(b['by'])}" if "by" in b else ""
        return f"er is{by} geen werkdag meer voor over (de planperiode of de data lopen af)"
    if rule == "running_courses_together":
        others = cast(list[str], blocking[0]["requests"]) if blocking else []
        return (
            f"ze kan niet samen met de andere lopende cursus(sen) {nl_list(others)} worden "
            "afgerond (elke cursus houdt alleen de sessies die al plaatsvonden)"
        )
    return "er blijft geen dag, locatie en trainer over die de regels samen toestaan"


def _course_cannot_be_completed(d: Mapping[str, object]) -> str:
    offered = []
    for o in cast(list[Mapping[str, object]], d.get("options") or []):
        if o["option"] == "another_location":
            offered.append(f"een andere locatie ({nl_list(cast(list[str], o['locations']))})")
        elif o["option"] == "another_trainer":
            offered.append(f"een andere trainer ({nl_list(cast(list[str], o['trainers']))})")
        else:
            offered.append(
                "een besluit van de planner (de rest van de cursus annuleren of de regels "
                "aanpassen)"
            )
    kept = ", ".join(f"#{k}" for k in cast(list[int], d.get("kept") or []))
    request = d.get("request", "")
    return (
        f"sessie {request}#{d['session']} van deze lopende cursus kan niet worden geplaatst: "
        f"sessie(s) {kept} blijven zoals ze plaatsvonden, en {_course_rule(d)}; "
        f"mogelijkheden: {'; '.join(offered)}"
    )


Render = Callable[[Mapping[str, object]], str]


def _engine_message(reason: Reason) -> str:
    """English: the engine's own message, the one English source."""
    return reason.message


@dataclass(frozen=True, slots=True)
class ReasonWords:
    """How one reason code reads in each language."""

    nl: Render
    en: Callable[[Reason], str] = _engine_message


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
    """``reason`` in words for ``lang``: Dutch by default, English on request.

    A code without Dutch words (none today, the test suite guards it) falls back to the
    English message rather than failing in front of a user.
    """
    words = CODE_WORDS.get(str(reason.code))
    if lang == "en" or words is None:
        return reason.message
    return words.nl(reason.details)


# --- dates, times and lists in either language (change notices) -------------------------

_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def day_text(value: object, lang: Language = DEFAULT_LANGUAGE) -> str:
    """'di 16 mrt 2027' or 'Tue 16 Mar 2027'."""
    if lang == "nl":
        return nl_date(value)
    d = _as_date(value)
    return f"{_EN_WEEKDAYS[d.weekday()]} {d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


def slot_text(start: datetime, end: datetime, lang: Language = DEFAULT_LANGUAGE) -> str:
    """A session's time as people write it: 'di 16 mrt 2027, 09:00-12:00' (wall time)."""
    return f"{day_text(start, lang)}, {start:%H:%M}-{end:%H:%M}"


def period_text(first: object, last: object, lang: Language = DEFAULT_LANGUAGE) -> str:
    """One day, or 'ma 15 mrt 2027 t/m vr 9 apr 2027' / 'Mon 15 Mar 2027 to Fri 9 Apr 2027'."""
    if lang == "nl":
        return nl_period(first, last)
    if _as_date(first) == _as_date(last):
        return day_text(first, lang)
    return f"{day_text(first, lang)} to {day_text(last, lang)}"


def list_text(items: Iterable[object], lang: Language = DEFAULT_LANGUAGE) -> str:
    """'a, b en c' or 'a, b and c'."""
    words = [str(x) for x in items]
    if lang == "nl" or len(words) < 2:
        return nl_list(words, empty="")
    return f"{', '.join(words[:-1])} and {words[-1]}"


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
# finds is told by its rule and what clashes. English is the validator's own message.

_RULES_NL = {
    "solution_shape": "vorm van het plan",
    "location_available": "locatie beschikbaar",
    "location_fits": "locatie past",
    "location_never_double_booked": "locatie nooit dubbel geboekt",
    "trainers": "trainers",
    "groups": "groepen",
    "multi_session": "reeks sessies",
    "request_window": "periode van de aanvraag",
    "frozen": "vastgezet of voorbij",
}

_CHECKS_NL = {
    "holiday": "het is dan een feestdag of vakantie",
    "closed": "de locatie is dan gesloten",
    "not_hosting": "deze locatie geeft geen trainingen",
    "outside_open_hours": "de locatie is dan niet open",
    "off_grid": "de begintijd valt niet op het rooster van het kwartier",
    "nonexistent_time": "die tijd bestaat niet (de klok gaat vooruit)",
    "repeated_time": "die tijd komt twee keer voor (de klok gaat terug)",
    "outside_horizon": "buiten de planperiode",
    "participants_out_of_range": "het aantal deelnemers past niet bij de activiteit",
    "over_capacity": "de locatie heeft te weinig plaatsen",
    "missing_equipment": "de benodigde uitrusting ontbreekt op de locatie",
    "overlap": "de locatie is dan al bezet{other}",
    "buffer": "te weinig tijd tussen twee sessies op de locatie{other}",
    "count": "te weinig trainers",
    "duplicate_trainer": "een trainer staat twee keer bij de sessie",
    "fixed_trainer_missing": "de vaste trainer van de aanvraag ontbreekt",
    "unqualified": "{subject} mist de kwalificatie voor deze activiteit",
    "uncertified": "{subject} heeft geen lesbevoegdheid, die een gastles vraagt",
    "unavailable": "{subject} is dan niet beschikbaar",
    "weekly_minutes": "{subject} komt die week boven het maximum aantal uren",
    "double_booked": "{subject} is dan al ingepland{other}",
    "travel_time": "{subject} kan niet op tijd reizen{other}",
    "away": "{subject} kan dan niet komen (examens, stage, excursie of afwezig)",
    "too_far": "de reistijd van {subject} is te lang",
    "all_or_none": "de reeks sessies is niet meer compleet",
    "incomplete": "de reeks sessies is niet meer compleet",
    "order": "de sessies staan niet meer in volgorde{other}",
    "min_days_between": "te weinig dagen tussen de sessies{other}",
    "max_days_between": "te veel dagen tussen de sessies{other}",
    "same_location": "alle sessies van deze reeks moeten op dezelfde locatie",
    "outside_dates": "buiten de periode van de aanvraag",
    "blocked": "in een geblokkeerde tijd van de aanvraag",
    "not_at_school": "een gastles is op de school van de groep",
    "groups_differ": "een gastles is op de school van de groep",
    "changed": "een vastgezette of al begonnen sessie kan niet worden verplaatst",
    "before_now": "het nieuwe tijdstip ligt in het verleden",
}

_SUBJECT = re.compile(r"\b(trainer|group) ([^\s',:]+)")


def move_violation(
    rule: str,
    check: str,
    message: str,
    clashes: Iterable[str] = (),
    lang: Language = DEFAULT_LANGUAGE,
) -> str:
    """Why a manual move is refused, in ``lang``: the rule, then what clashes.

    ``clashes`` are the other sessions of the conflict, already in words; English is the
    validator's message (its one English source), Dutch is built from rule and check.
    """
    if lang == "en":
        return message
    found = _SUBJECT.search(message)
    subject = (
        f"{'groep' if found.group(1) == 'group' else 'trainer'} {found.group(2)}"
        if found
        else "de sessie"
    )
    others = list(clashes)
    other = f" ({nl_list(others)})" if others else ""
    words = _CHECKS_NL.get(check, "deze regel is niet gevolgd")
    text = words.format(subject=subject, other=other)
    if "{other}" not in words and others:
        text += f" ({nl_list(others)})"
    return f"{_RULES_NL.get(rule, rule)}: {text}"


def session_words(
    request: str, index: int, start: datetime, location: str, lang: Language = DEFAULT_LANGUAGE
) -> str:
    """A session as a clash names it: 'r-ws-1#1 op di 30 mrt 2027 13:00 in Praktijkhal'."""
    if lang == "en":
        return f"{request}#{index} on {start:%a %Y-%m-%d %H:%M} at {location}"
    return f"{request}#{index} op {nl_datetime(start)} in {location}"
# --- the review of a run before publishing (models/review.py) ------------------------------

# What the audit calls an entity, as the planner reads it in "what changed since the run".
ENTITY_WORDS: Mapping[str, Mapping[Language, str]] = {
    "activity_type": {"nl": "activiteit", "en": "activity"},
    "equipment_type": {"nl": "uitrusting", "en": "equipment"},
    "group": {"nl": "groep", "en": "group"},
    "group-unavailable": {"nl": "afwezigheid van groep", "en": "group unavailability"},
    "group-window": {"nl": "weekvenster van groep", "en": "group weekly window"},
    "holiday": {"nl": "vakantie", "en": "holiday"},
    "location": {"nl": "locatie", "en": "location"},
    "location_closure": {"nl": "sluiting van locatie", "en": "location closure"},
    "location_one_off_window": {"nl": "extra openingstijd", "en": "one-off opening"},
    "location_weekly_window": {"nl": "weekvenster van locatie", "en": "location weekly window"},
    "partner": {"nl": "partner", "en": "partner"},
    "request": {"nl": "aanvraag", "en": "request"},
    "settings": {"nl": "instellingen", "en": "settings"},
    "trainer": {"nl": "trainer", "en": "trainer"},
}
AUDIT_ACTION_WORDS: Mapping[str, Mapping[Language, str]] = {
    "create": {"nl": "toegevoegd", "en": "added"},
    "update": {"nl": "gewijzigd", "en": "changed"},
    "delete": {"nl": "verwijderd", "en": "removed"},
    "erase": {"nl": "geanonimiseerd", "en": "anonymised"},
}
# A broken hard rule (scheduler.validate's rule, or "rule/check" where that says more).
RULE_WORDS: Mapping[str, Mapping[Language, str]] = {
    "solution_shape": {"nl": "het plan klopt niet met de gegevens", "en": "plan shape"},
    "location_available": {"nl": "locatie niet beschikbaar", "en": "location not available"},
    "location_available/closed": {"nl": "locatie gesloten", "en": "location closed"},
    "location_available/holiday": {"nl": "vakantie of feestdag", "en": "holiday"},
    "location_fits": {"nl": "locatie past niet", "en": "location does not fit"},
    "location_never_double_booked": {
        "nl": "locatie dubbel geboekt",
        "en": "location double-booked",
    },
    "trainers": {"nl": "trainer niet inzetbaar", "en": "trainer rule broken"},
    "trainers/unavailable": {
        "nl": "trainer afwezig of niet beschikbaar",
        "en": "trainer absent or not available",
    },
    "groups": {"nl": "groep niet beschikbaar", "en": "group rule broken"},
    "groups/away": {"nl": "groep afwezig", "en": "group away"},
    "multi_session": {"nl": "reeks van sessies klopt niet", "en": "course rule broken"},
    "request_window": {
        "nl": "buiten de periode van de aanvraag",
        "en": "outside the request's window",
    },
    "frozen": {"nl": "vastgezette sessie gewijzigd", "en": "frozen session changed"},
}


def entity_word(entity: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    """An audit entity in words (the entity's own name when there are none)."""
    return ENTITY_WORDS.get(entity, {}).get(lang, entity.replace("_", " "))


def audit_action_word(action: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    return AUDIT_ACTION_WORDS.get(action, {}).get(lang, action)


def rule_word(rule: str, check: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    """A broken hard rule in words: the check's own words, else its family's."""
    words = RULE_WORDS.get(f"{rule}/{check}") or RULE_WORDS.get(rule)
    return words[lang] if words else f"{rule} ({check})"


def when(start: datetime, end: datetime, lang: Language = DEFAULT_LANGUAGE) -> str:
    """A session's time: 'di 16 mrt 2027 13:00-16:00' / 'Tue 2027-03-16 13:00-16:00'."""
    if lang == "en":
        return f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M}"
    return f"{nl_datetime(start)}-{end:%H:%M}"


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
    "language",
    "list_text",
    "missing_codes",
    "move_violation",
    "nl_date",
    "nl_datetime",
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
