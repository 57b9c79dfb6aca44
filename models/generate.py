"""Synthetic campuses with the character of the Amsterdam example, for demos and benchmarks.

One source for both: ``examples/amsterdam/make_campus.py`` writes ``generate_campus(1,
AMSTERDAM_SEED)`` to YAML, and benchmarks call ``generate_campus(n, seed)`` for bigger
campuses. A region has the Amsterdam mix: 55 partners (36 installation companies, 13
schools, branch associations, the training fund, a knowledge centre, a hospital), 30
training locations plus a site per school, 60 part-time trainers, about 63 groups and
requests sized to the yearly targets. Requests are spread over four-week blocks of the
school year; the demo block (ISO weeks 11-14 after ``year_start``) gets a fixed share
plus a few requests that cannot be planned on purpose, so explanations show up.

Regions sit far apart (about 110 km per step) so no group can travel to another region.
Region 1 keeps plain keys, region k >= 2 prefixes every key with ``rk-``; the catalogue
(equipment, activities) and the holidays are shared. Same seed -> identical output:
all randomness comes from ``random.Random`` seeded with a string.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from models.scenario import (
    Activity,
    Contact,
    DatedWindow,
    DateRange,
    Equipment,
    EquipmentNeed,
    Group,
    GroupAvailability,
    Holiday,
    Location,
    LocationAvailability,
    Partner,
    Preferences,
    Request,
    Scenario,
    Trainer,
    TrainerAvailability,
    WeeklyWindow,
)
from models.travel import estimate_minutes

__all__ = [
    "ACTIVITIES",
    "AMSTERDAM_SEED",
    "EQUIPMENT",
    "SMALL_KINDS",
    "TARGETS",
    "demo_horizon",
    "easter",
    "generate_campus",
    "generate_small",
    "holidays",
    "school_year",
    "small_horizon",
]

AMSTERDAM_SEED = 2026
TARGETS = {"vmbo_workshop": 600, "mbo_skills_course": 800, "job_seekers": 50}
# Requests are generated until the targets are exceeded by this margin: some never fit.
_MARGIN = {"vmbo_workshop": 1.3, "mbo_skills_course": 1.12, "job_seekers": 1.1}
_DEMO_SHARE = 0.2  # share of each request kind placed in the demo weeks (the spring peak)

DAYS = ("mon", "tue", "wed", "thu", "fri")

# --------------------------------------------------------------------------- calendar


def easter(year: int) -> date:
    """Easter Sunday (Gregorian, anonymous algorithm): Dutch holidays hang off it."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    line = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * line) // 451
    month, day = divmod(h + line - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _iso_monday(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def holidays(year_start: date) -> list[Holiday]:
    """Region Noord school holidays and Dutch public holidays of the school year.

    The school holidays follow the weeks of the 2026-2027 calendar (herfst ISO week 43,
    kerst the two weeks from Christmas week, voorjaar week 7, mei week 17, zomer weeks
    29-34, each from the Saturday before); for other years that is an approximation.
    """
    y, n = year_start.year, year_start.year + 1
    pasen = easter(n)
    xmas = date(y, 12, 25)
    xmas_monday = xmas - timedelta(days=xmas.weekday())

    def week_block(year: int, first_week: int, weeks: int) -> tuple[date, date]:
        monday = _iso_monday(year, first_week)
        return monday - timedelta(days=2), monday + timedelta(days=7 * weeks - 1)

    school = [
        ("Herfstvakantie", *week_block(y, 43, 1)),
        ("Kerstvakantie", xmas_monday - timedelta(days=2), xmas_monday + timedelta(days=13)),
        ("Voorjaarsvakantie", *week_block(n, 7, 1)),
        ("Meivakantie", *week_block(n, 17, 1)),
        ("Zomervakantie", *week_block(n, 29, 6)),
    ]
    koningsdag = date(n, 4, 27)
    if koningsdag.weekday() == 6:
        koningsdag = date(n, 4, 26)
    public = [
        ("Eerste Kerstdag", xmas),
        ("Tweede Kerstdag", date(y, 12, 26)),
        ("Nieuwjaarsdag", date(n, 1, 1)),
        ("Goede Vrijdag", pasen - timedelta(days=2)),
        ("Paasmaandag", pasen + timedelta(days=1)),
        ("Koningsdag", koningsdag),
        ("Bevrijdingsdag", date(n, 5, 5)),
        ("Hemelvaartsdag", pasen + timedelta(days=39)),
        ("Pinkstermaandag", pasen + timedelta(days=50)),
    ]
    out = [Holiday(name=name, kind="school", first=a, last=b) for name, a, b in school]
    out += [Holiday(name=name, kind="public", first=d, last=d) for name, d in public]
    return sorted(out, key=lambda h: (h.first, h.name))


def school_year(year_start: date) -> tuple[date, date]:
    """First and last school day: from ``year_start`` to the Friday before the summer."""
    summer = _iso_monday(year_start.year + 1, 29) - timedelta(days=2)
    return year_start, summer - timedelta(days=1)


def demo_horizon(year_start: date) -> tuple[date, date]:
    """ISO weeks 11-14 of the following year: Easter and the clock change fall in it."""
    first = _iso_monday(year_start.year + 1, 11)
    return first, first + timedelta(days=27)


def _blocks(year_start: date) -> list[tuple[date, date]]:
    """Four-week blocks (Monday..Friday) of the school year, aligned on the demo block."""
    first, last = school_year(year_start)
    demo_first, _ = demo_horizon(year_start)
    start = demo_first
    while start > first:
        start -= timedelta(days=28)
    blocks = []
    while start <= last:
        blocks.append((max(start, first), min(start + timedelta(days=25), last)))
        start += timedelta(days=28)
    return blocks


# -------------------------------------------------------------------------- catalogue

EQUIPMENT: tuple[Equipment, ...] = tuple(
    Equipment(code=code, name=name, team=team)  # type: ignore[arg-type]
    for code, name, team in (
        ("heat-pump-rig", "Warmtepomp-opstelling (lucht/water, met buffervat)", "W"),
        ("boiler-rig", "HR-ketel-opstelling met afgiftesysteem", "W"),
        ("ventilation-unit", "WTW-ventilatie-unit met kanalenstelsel", "W"),
        ("sanitary-wall", "Sanitairwand (toilet, wastafel, afvoer)", "W"),
        ("cooling-rig", "Koeltechnisch oefenpaneel (split-airco, F-gassen)", "W"),
        ("pipe-bench", "Werkplek leidingwerk (solderen, persen, buigen)", "W"),
        ("h2-rig", "Waterstofketel-demonstratieopstelling", "W"),
        ("e-bench", "Elektrotechnische werkplek met oefenbord", "E"),
        ("switchboard", "Groepenkast-oefenopstelling (verdeelinrichting)", "E"),
        ("pv-setup", "PV-opstelling met omvormer op dakdeel", "E"),
        ("ev-charger", "Laadpaal-opstelling met energiemeter", "E"),
        ("home-automation-panel", "Domotica-paneel (KNX, slimme woning)", "E"),
        ("measurement-kit", "Installatietester NEN 1010 / NEN 3140", "E"),
        ("bim-workstation", "BIM-werkplek (Revit / Stabicad)", "BIM"),
        ("bms-trainer", "Gebouwbeheersysteem- en PLC-trainer", "BOL4"),
        ("projector", "Beamer of digibord", "other"),
        ("plant-room", "Technische ruimte voor rondleidingen", "other"),
    )
)


def _need(code: str, qty: int = 1, per: str = "group") -> EquipmentNeed:
    return EquipmentNeed(code=code, quantity=qty, per=per)  # type: ignore[arg-type]


def _course(sessions: int, minimum: int, maximum: int, *, same: bool = False) -> dict[str, Any]:
    return {
        "sessions": sessions,
        "min_days_between": minimum,
        "max_days_between": maximum,
        "same_location": same,
        "min_distinct_days": sessions,
    }


_P = "participant"
ACTIVITIES: tuple[Activity, ...] = tuple(
    Activity(code=code, title=title, kind=kind, audience=aud, team=team, duration_minutes=dur, **kw)
    for code, title, kind, aud, team, dur, kw in (
        # vmbo workshops: one afternoon at a company, the class splits over the trainers
        ("ws-warmtepomp", "Workshop warmtepomp: duurzaam verwarmen", "workshop", "vmbo", "W",
         180, {"equipment": [_need("heat-pump-rig")], "qualification": "warmtepomp",
               "participants_per_trainer": 14, "max_participants": 28}),
        ("ws-sanitair", "Workshop sanitair: een toilet en wastafel aansluiten", "workshop",
         "vmbo", "W", 180, {"equipment": [_need("sanitary-wall", 2)], "qualification": "sanitair",
                            "participants_per_trainer": 14, "max_participants": 28}),
        ("ws-ventilatie", "Workshop frisse lucht: ventilatie en WTW", "workshop", "vmbo", "W",
         150, {"equipment": [_need("ventilation-unit")], "qualification": "ventilatie",
               "participants_per_trainer": 14, "max_participants": 28}),
        ("ws-groepenkast", "Workshop elektra: bedraad je eigen groepenkast", "workshop", "vmbo",
         "E", 180, {"equipment": [_need("switchboard", 4)], "qualification": "elektra",
                    "participants_per_trainer": 14, "max_participants": 28}),
        ("ws-zonnepanelen", "Workshop zonnepanelen op het dak", "workshop", "vmbo", "E", 150,
         {"equipment": [_need("pv-setup")], "qualification": "pv",
          "participants_per_trainer": 14, "max_participants": 28}),
        ("ws-laadpaal", "Workshop laadpaal: hoe laad je een elektrische auto?", "workshop",
         "vmbo", "E", 120, {"equipment": [_need("ev-charger")], "qualification": "laadpaal",
                            "participants_per_trainer": 15, "max_participants": 28}),
        ("ws-bim", "Workshop BIM: ontwerp een badkamer in 3D", "workshop", "vmbo", "BIM", 180,
         {"equipment": [_need("bim-workstation", 1, _P)], "qualification": "bim",
          "participants_per_trainer": 15, "max_participants": 30}),
        ("mc-bim-coordinatie", "Masterclass BIM-coördinatie installaties (hbo)", "workshop",
         "hbo", "BIM", 240, {"equipment": [_need("bim-workstation", 1, _P)],
                             "qualification": "bim", "max_participants": 32}),
        # mbo skills courses: several sessions over a few weeks
        ("sc-warmtepomp", "Warmtepompen installeren en in bedrijf stellen", "skills_course",
         "mbo", "W", 240, {**_course(4, 5, 14, same=True), "equipment": [_need("heat-pump-rig", 2)],
                           "qualification": "warmtepomp", "participants_per_trainer": 16,
                           "max_participants": 16}),
        ("sc-koudetechniek", "Koudemiddelen en F-gassen (voorbereiding STEK)", "skills_course",
         "mbo", "W", 240, {**_course(5, 2, 10, same=True), "equipment": [_need("cooling-rig", 2)],
                           "qualification": "koeltechniek", "participants_per_trainer": 12,
                           "max_participants": 12}),
        ("sc-ventilatie", "Ventilatiesystemen inregelen en meten", "skills_course", "mbo", "W",
         180, {**_course(3, 5, 14), "equipment": [_need("ventilation-unit", 2)],
               "qualification": "ventilatie", "participants_per_trainer": 16,
               "max_participants": 16}),
        ("sc-leidingwerk", "Leidingwerk: solderen, persen en buigen", "skills_course", "mbo", "W",
         240, {**_course(4, 2, 10), "equipment": [_need("pipe-bench", 1, _P)],
               "qualification": "leidingwerk", "participants_per_trainer": 16,
               "max_participants": 16}),
        ("sc-waterstof", "Waterstof in de gebouwde omgeving", "skills_course", "mbo", "W", 240,
         {**_course(3, 5, 14, same=True), "equipment": [_need("h2-rig")],
          "qualification": "waterstof", "participants_per_trainer": 14, "max_participants": 14}),
        ("sc-nen3140", "Meten en inspecteren volgens NEN 1010 en NEN 3140", "skills_course",
         "mbo", "E", 240, {**_course(4, 5, 14), "equipment": [_need("measurement-kit", 1, _P)],
                           "qualification": "meten", "participants_per_trainer": 16,
                           "max_participants": 16}),
        ("sc-pv", "PV-installaties en omvormers", "skills_course", "mbo", "E", 240,
         {**_course(3, 5, 14, same=True), "equipment": [_need("pv-setup", 2)],
          "qualification": "pv", "participants_per_trainer": 16, "max_participants": 16}),
        ("sc-laadinfra", "Laadinfrastructuur en slim laden", "skills_course", "mbo", "E", 180,
         {**_course(3, 5, 14), "equipment": [_need("ev-charger", 2)], "qualification": "laadpaal",
          "participants_per_trainer": 16, "max_participants": 16}),
        ("sc-domotica", "Domotica en slimme installaties (BBL-avond)", "skills_course", "mbo",
         "E", 180, {**_course(4, 5, 10), "equipment": [_need("home-automation-panel", 3)],
                    "qualification": "domotica", "participants_per_trainer": 16,
                    "max_participants": 16}),
        ("sc-bim", "BIM-modelleren voor installateurs", "skills_course", "mbo", "BIM", 180,
         {**_course(5, 4, 9, same=True), "equipment": [_need("bim-workstation", 1, _P)],
          "qualification": "bim", "participants_per_trainer": 16, "max_participants": 20}),
        ("sc-gbs", "Gebouwbeheersystemen en regeltechniek", "skills_course", "mbo", "BOL4", 240,
         {**_course(4, 5, 14), "equipment": [_need("bms-trainer", 4)], "qualification": "gbs",
          "participants_per_trainer": 16, "max_participants": 16}),
        ("sc-didactiek", "Didactiek voor gastdocenten (hogeschoolcursus)", "skills_course",
         "staff", "other", 180, {**_course(4, 5, 14, same=True),
                                 "equipment": [_need("projector")], "qualification": "didactiek",
                                 "max_participants": 20}),
        # praktijkscholing: full days over a few weeks, small cohorts of job-seekers
        ("ps-monteur-w", "Praktijkscholing monteur W-installaties (werkzoekenden)",
         "practical_training", "job_seekers", "W", 420,
         {**_course(6, 2, 7, same=True), "equipment": [_need("pipe-bench", 1, _P)],
          "qualification": "leidingwerk", "participants_per_trainer": 12,
          "max_participants": 12}),
        ("ps-monteur-e", "Praktijkscholing monteur E-installaties (werkzoekenden)",
         "practical_training", "job_seekers", "E", 420,
         {**_course(6, 2, 7, same=True), "equipment": [_need("e-bench", 1, _P)],
          "qualification": "elektra", "participants_per_trainer": 12, "max_participants": 12}),
        ("ps-pv-monteur", "Praktijkscholing PV-monteur (werkzoekenden)", "practical_training",
         "job_seekers", "E", 420, {**_course(4, 2, 7, same=True),
                                   "equipment": [_need("pv-setup", 2)], "qualification": "pv",
                                   "participants_per_trainer": 12, "max_participants": 12}),
        # guest lessons: a certified company employee visits the school
        ("gl-energietransitie", "Gastles: de energietransitie in jouw huis", "guest_lesson",
         "vmbo", "W", 90, {"at_school": True, "max_participants": 50}),
        ("gl-beroepen", "Gastles: werken in de installatietechniek", "guest_lesson", "vmbo",
         "other", 90, {"at_school": True, "max_participants": 50}),
        ("gl-bim-praktijk", "Gastles mbo: BIM in de praktijk", "guest_lesson", "mbo", "BIM",
         120, {"at_school": True, "qualification": "bim", "max_participants": 40}),
        # excursions and open days: large groups, capacity is a soft limit
        ("ex-bouwplaats", "Excursie: installaties op de bouwplaats", "excursion", "vmbo",
         "other", 180, {"qualification": "rondleiding", "participants_per_trainer": 15,
                        "max_participants": 50, "capacity_soft": True}),
        ("ex-ziekenhuis", "Excursie: de techniek achter een ziekenhuis", "excursion", "mbo",
         "other", 150, {"equipment": [_need("plant-room")], "qualification": "rondleiding",
                        "participants_per_trainer": 15, "max_participants": 30,
                        "capacity_soft": True}),
        ("od-techniekdag", "Open dag: techniek in je buurt (brugklassen)", "open_day", "vmbo",
         "other", 180, {"qualification": "rondleiding", "participants_per_trainer": 20,
                        "max_participants": 75, "capacity_soft": True}),
    )
)  # fmt: skip
_ACT = {a.code: a for a in ACTIVITIES}
_VMBO_WORKSHOPS = {  # weight: how often schools ask for it
    "ws-warmtepomp": 5, "ws-sanitair": 4, "ws-ventilatie": 2, "ws-groepenkast": 5,
    "ws-zonnepanelen": 3, "ws-laadpaal": 2, "ws-bim": 2,
}  # fmt: skip
W_QUALS = ("warmtepomp", "sanitair", "ventilatie", "leidingwerk", "koeltechniek")
E_QUALS = ("elektra", "pv", "laadpaal", "meten", "domotica")

# ------------------------------------------------------------------------- geography


@dataclass(frozen=True)
class District:
    name: str
    lat: float
    lon: float
    industrial: bool  # where companies have their workshops


AMSTERDAM_DISTRICTS: tuple[District, ...] = tuple(
    District(n, lat, lon, ind)
    for n, lat, lon, ind in (
        ("Amsterdam Westpoort", 52.3950, 4.8270, True),
        ("Amsterdam Sloterdijk", 52.3885, 4.8390, True),
        ("Amsterdam Bos en Lommer", 52.3790, 4.8480, False),
        ("Amsterdam Nieuw-West, Osdorp", 52.3590, 4.7990, False),
        ("Amsterdam Nieuw-West, Slotervaart", 52.3570, 4.8300, False),
        ("Amsterdam Noord, Buiksloterham", 52.3920, 4.9080, True),
        ("Amsterdam Noord, Nieuwendam", 52.3990, 4.9420, False),
        ("Amsterdam Oost, Watergraafsmeer", 52.3530, 4.9350, False),
        ("Amsterdam Zuidoost, Amstel III", 52.3010, 4.9470, True),
        ("Amsterdam Zuidoost, Bijlmer", 52.3160, 4.9750, False),
        ("Diemen", 52.3400, 4.9620, True),
        ("Duivendrecht", 52.3290, 4.9360, True),
        ("Amstelveen", 52.3040, 4.8610, False),
        ("Zaandam", 52.4390, 4.8260, False),
        ("Zaandam, Hoogtij", 52.4370, 4.7900, True),
        ("Purmerend", 52.5050, 4.9590, True),
        ("Haarlem", 52.3810, 4.6370, False),
        ("Haarlem, Waarderpolder", 52.3900, 4.6620, True),
        ("Hoofddorp", 52.3030, 4.6890, True),
        ("Almere Stad", 52.3720, 5.2200, False),
        ("Almere Poort", 52.3450, 5.1580, True),
        ("Almere Buiten", 52.3930, 5.2750, True),
        ("Weesp", 52.3070, 5.0410, True),
        ("Uithoorn", 52.2370, 4.8270, True),
    )
)
# Schools by district index: 7 vmbo, 4 mbo, the hogeschool, the leerwerkcentrum.
_VMBO_AT = (6, 3, 9, 13, 19, 16, 12)
_MBO_AT = (1, 8, 13, 20)
_HBO_AT = 7
_LEERWERK_AT = 5
_HOSPITAL_AT = 2
_ASSOCIATION_AT = 11
_REGION_STEP = (1.2, 1.6)  # degrees lat/lon between regions: ~110 km, hours of travel


@dataclass(frozen=True)
class _Place:
    name: str
    lat: float
    lon: float


SURNAMES = (
    "De Vries", "Bakker", "Visser", "Smit", "Mulder", "De Boer", "Dekker", "Brouwer",
    "Van Dijk", "Kramer", "Hoekstra", "Van Leeuwen", "Koster", "Prins", "Vos", "Hendriks",
    "Jonker", "Peters", "Schouten", "Van der Meer", "Kok", "Post", "Willemsen", "Bosman",
    "Veenstra", "Blom", "Van Wijk", "Kuiper", "Hermans", "Huisman", "Groen", "Verhoeven",
    "Timmer", "Zwart", "Molenaar", "Wouters", "Van Beek", "Scholten", "Koning", "Hofman",
    "Meijer", "Bos", "El Amrani", "Yilmaz", "Kaya", "Baldew", "Ramdin", "Mahabier",
    "Van Os", "De Graaf", "Terpstra", "Nijhuis", "Van Rijn", "Oosterhuis", "Lammers",
)  # fmt: skip
FIRST_NAMES = (
    "Anouk", "Bram", "Daan", "Eva", "Fleur", "Gijs", "Hanna", "Ilse", "Jesse", "Kees",
    "Lotte", "Mohamed", "Noor", "Olaf", "Pieter", "Rik", "Sanne", "Thijs", "Vera", "Wouter",
    "Youssef", "Zeynep", "Arjen", "Bas", "Chantal", "Dewi", "Emre", "Femke", "Hamza", "Inge",
    "Joost", "Karim", "Linda", "Marco", "Nadia", "Priya", "Ruud", "Samira", "Tom", "Ufuk",
    "Yvonne", "Wim", "Sven", "Mila", "Jeroen", "Esther", "Dennis", "Kevin", "Rachid",
    "Sharon", "Marloes", "Erik", "Sandra", "Niels", "Robin",
)  # fmt: skip
_COMPANY_NAMES = {
    "W": ("{s} Installatietechniek", "{s} Klimaattechniek", "Warmte & Water {s}",
          "{s} Loodgieters en Installateurs", "{s} Koeltechniek", "Comfortklimaat {s}"),
    "E": ("Elektrotechniek {s}", "{s} Elektro", "{s} & Zn. Elektrotechniek",
          "{s} Energietechniek", "Zonnestroom {s}", "{s} Laad- en Lichttechniek"),
    "WE": ("{s} Installatiegroep", "Installatiebedrijf {s}", "{s} Technisch Beheer",
           "{s} Gebouwtechniek", "{s} Duurzame Installaties", "{s} Utiliteitsinstallaties"),
}  # fmt: skip
_INDUSTRIAL_STREETS = (
    "Ambachtsweg", "Industrieweg", "Koperslagerstraat", "Dynamoweg", "Turbinestraat",
    "Ketelmakersweg", "Smederijstraat", "Werkplaatsweg", "Energieweg", "Pompstationweg",
)  # fmt: skip
_SCHOOL_STREETS = ("Schoolstraat", "Leerpad", "Onderwijsplein", "Campuslaan", "Kennisweg")


def _slug(text: str, limit: int = 40) -> str:
    """A key from a name: ASCII, lowercase, dashes (keys must match the scenario pattern)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:  # cut at a word boundary so keys stay readable
        slug = slug[: limit + 1].rsplit("-", 1)[0]
    return slug


def _particles_lower(surname: str) -> str:
    """'Van der Meer' after a first name is written 'van der Meer' (Dutch convention)."""
    words = surname.split()
    particles = {"Van", "De", "Der", "Den"}
    return " ".join(w.lower() if w in particles and i < len(words) - 1 else w
                    for i, w in enumerate(words))  # fmt: skip


def _short(district: str) -> str:
    """'Amsterdam Noord, Nieuwendam' -> 'Noord'; 'Zaandam, Hoogtij' -> 'Zaandam'."""
    head = district.split(",")[0]
    return head.removeprefix("Amsterdam ").strip() or head


def _weekly(days: Sequence[str], start: str, end: str, **kw: Any) -> list[WeeklyWindow]:
    return [WeeklyWindow(weekday=d, start=start, end=end, **kw) for d in days]  # type: ignore[arg-type]


# Weekly opening patterns of training locations (name -> windows).
_LOCATION_PATTERNS: dict[str, list[WeeklyWindow]] = {
    "weekdays": _weekly(DAYS, "08:00", "17:00"),
    "tue-thu-afternoons": _weekly(("tue", "thu"), "13:00", "17:00"),
    "mon-wed-fri": _weekly(("mon", "wed", "fri"), "08:30", "16:30"),
    "mornings": _weekly(DAYS, "08:00", "12:30"),
    "days-and-evenings": _weekly(("mon", "tue", "wed", "thu"), "08:30", "16:30")
    + _weekly(("tue", "thu"), "18:00", "21:30"),
    "afternoons-and-evenings": _weekly(DAYS, "12:30", "17:00")
    + _weekly(("mon", "tue", "wed", "thu"), "18:00", "22:00"),
    "wed-fri": _weekly(("wed",), "08:30", "17:00") + _weekly(("fri",), "08:30", "12:30"),
}
_COMPANY_PATTERN_WEIGHTS = {
    "weekdays": 3, "tue-thu-afternoons": 4, "mon-wed-fri": 3, "mornings": 2,
    "days-and-evenings": 3, "afternoons-and-evenings": 2, "wed-fri": 2,
}  # fmt: skip


# --------------------------------------------------------------------------- regions


@dataclass
class _Host:
    """A training location being built, with what its trainers can teach."""

    location: Location
    profile: str  # W, E, WE, ROC, LEERWERK, HBO, HOSPITAL, ASSOCIATION


@dataclass
class _Region:
    """Builds one region's partners, locations, trainers, groups and requests."""

    index: int
    rng: random.Random
    year_start: date
    places: list[_Place]
    prefix: str
    label: str  # the region's name in partner names
    nickname: str  # an invented name for the hogeschool and the hospital
    partners: list[Partner] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    hosts: list[_Host] = field(default_factory=list)
    trainers: list[Trainer] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    school_site: dict[str, str] = field(default_factory=dict)  # school key -> site key
    school_level: dict[str, str] = field(default_factory=dict)  # vmbo, mbo, hbo, leerwerk
    programme: dict[str, str] = field(default_factory=dict)  # group key -> programme/trade
    _keys: set[str] = field(default_factory=set)
    _names: set[str] = field(default_factory=set)

    # ---- helpers
    def key(self, text: str, limit: int = 40) -> str:
        base = self.prefix + _slug(text, limit)
        key, n = base, 2
        while key in self._keys:
            key, n = f"{base}-{n}", n + 1
        self._keys.add(key)
        return key

    def jitter(self, place: _Place) -> tuple[float, float]:
        r = self.rng
        return round(place.lat + r.uniform(-0.004, 0.004), 5), round(
            place.lon + r.uniform(-0.006, 0.006), 5
        )

    def address(self, place: _Place, streets: Sequence[str]) -> str:
        return f"{self.rng.choice(streets)} {self.rng.randint(1, 180)}, {place.name}"

    def person(self) -> tuple[str, str]:
        for _ in range(1000):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
            if (first, last) not in self._names:
                self._names.add((first, last))  # type: ignore[arg-type]
                return first, last
        raise RuntimeError("ran out of invented names")

    def contact(self, partner_key: str) -> Contact:
        first, last = self.person()
        domain = _slug(partner_key.removeprefix(self.prefix), 24)
        email = f"{first[0].lower()}.{_slug(last).replace('-', '')}@{domain}.example"
        return Contact(name=f"{first} {_particles_lower(last)}", email=email)

    def travel(self, a: Location, b: Location) -> int:
        return estimate_minutes((a.lat, a.lon), (b.lat, b.lon))

    # ---- partners and locations
    def partner(self, name: str, kind: str, place: _Place, streets: Sequence[str]) -> Partner:
        key = self.key(name)
        p = Partner(
            key=key, name=name, kind=kind, address=self.address(place, streets),  # type: ignore[arg-type]
            contact=self.contact(key),
        )
        self.partners.append(p)
        return p

    def location(
        self, partner: Partner, suffix: str, name: str, place: _Place, **kw: Any
    ) -> Location:
        lat, lon = self.jitter(place)
        loc = Location(
            key=self.key(f"{partner.key.removeprefix(self.prefix)}-{suffix}", 64),
            partner=partner.key,
            name=name, address=partner.address, lat=lat, lon=lon, **kw,
        )
        self.locations.append(loc)
        return loc

    def build_partners(self) -> None:
        r, places = self.rng, self.places
        industrial = [p for p, d in zip(places, AMSTERDAM_DISTRICTS, strict=True) if d.industrial]
        # schools
        vmbo_names = ("Vakcollege {d}", "Techniekcollege {d}", "Praktijkcollege {d}",
                      "Het Vakmanschap {d}", "De Techniekwerf {d}", "Werkplaats College {d}",
                      "Maakcollege {d}")
        mbo_names = ("ROC {d} Techniek", "Vakinstituut {d}", "Vakopleidingen {d}",
                     "Techniekcampus {d} (mbo)")  # fmt: skip
        schools: list[tuple[Partner, _Place, str]] = []
        for template, i in zip(r.sample(vmbo_names, len(_VMBO_AT)), _VMBO_AT, strict=True):
            p = self.partner(template.format(d=_short(places[i].name)), "school", places[i],
                             _SCHOOL_STREETS)  # fmt: skip
            schools.append((p, places[i], "vmbo"))
        for template, i in zip(mbo_names, _MBO_AT, strict=True):
            p = self.partner(template.format(d=_short(places[i].name)), "school", places[i],
                             _SCHOOL_STREETS)  # fmt: skip
            schools.append((p, places[i], "mbo"))
        hbo = self.partner(f"Hogeschool {self.nickname} voor Techniek en Educatie", "school",
                           places[_HBO_AT], _SCHOOL_STREETS)  # fmt: skip
        schools.append((hbo, places[_HBO_AT], "hbo"))
        leerwerk = self.partner(f"Leerwerkcentrum Techniek {self.label}", "school",
                                places[_LEERWERK_AT], _SCHOOL_STREETS)  # fmt: skip
        schools.append((leerwerk, places[_LEERWERK_AT], "leerwerk"))
        for p, place, level in schools:
            site = self.location(
                p, "school", f"{p.name} (schoollocatie)", place, capacity=120,
                hosts_training=False,
                availability=LocationAvailability(weekly=_weekly(DAYS, "08:15", "17:00")),
            )
            self.school_site[p.key] = site.key
            self.school_level[p.key] = level
            if level == "mbo":
                self.host(p, "ROC", "praktijkhal", f"{p.name}, praktijkhal installatietechniek",
                          place)  # fmt: skip
        self.host(leerwerk, "LEERWERK", "werkplaats", f"{leerwerk.name}, praktijkwerkplaats",
                  places[_LEERWERK_AT])  # fmt: skip
        self.host(hbo, "HBO", "bim-lab", f"{hbo.name}, BIM-lab en leskamers", places[_HBO_AT])
        # associations, fund, knowledge centre, hospital
        assoc = self.partner(f"Installatiebranche {self.label} (regioafdeling)", "association",
                             places[_ASSOCIATION_AT], _INDUSTRIAL_STREETS)  # fmt: skip
        self.host(assoc, "ASSOCIATION", "opleidingscentrum",
                  f"Opleidingscentrum {assoc.name}", places[_ASSOCIATION_AT])  # fmt: skip
        self.partner(f"Vereniging Elektrotechnisch Ondernemers {self.label}", "association",
                     r.choice(industrial), _INDUSTRIAL_STREETS)  # fmt: skip
        self.partner(f"Werkgeversplatform Techniek {self.label}", "association",
                     r.choice(places), _SCHOOL_STREETS)  # fmt: skip
        self.partner(f"Opleidingsfonds Installatiebranche, regio {self.label}", "fund",
                     r.choice(places), _SCHOOL_STREETS)  # fmt: skip
        self.partner(f"Kenniscentrum Energietransitie {self.label}", "knowledge_institute",
                     r.choice(places), _SCHOOL_STREETS)  # fmt: skip
        hospital = self.partner(f"Ziekenhuis {self.nickname}", "other",
                                places[_HOSPITAL_AT], _SCHOOL_STREETS)  # fmt: skip
        self.host(hospital, "HOSPITAL", "technische-dienst",
                  f"{hospital.name}, technische dienst", places[_HOSPITAL_AT])  # fmt: skip
        # 36 installation companies, 22 of them host training
        surnames = r.sample(SURNAMES, 36)
        hosting = ["W"] * 8 + ["E"] * 7 + ["WE"] * 7
        r.shuffle(hosting)
        disciplines = hosting + ["W"] * 5 + ["E"] * 5 + ["WE"] * 4
        for i, (surname, disc) in enumerate(zip(surnames, disciplines, strict=True)):
            place = industrial[i % len(industrial)] if i < len(hosting) else r.choice(places)
            name = r.choice(_COMPANY_NAMES[disc]).format(s=surname)
            p = self.partner(name, "company", place, _INDUSTRIAL_STREETS)
            if i < len(hosting):
                self.host(p, disc, "praktijkruimte", f"{name}, praktijkruimte", place)

    def host(self, partner: Partner, profile: str, suffix: str, name: str, place: _Place) -> None:
        """A training location with equipment, opening hours and buffer fitting its profile."""
        r = self.rng
        eq: dict[str, int] = {"projector": 1}

        def some(code: str, low: int, high: int, chance: float = 1.0) -> None:
            if r.random() < chance:
                eq[code] = r.randint(low, high)

        if profile in ("W", "WE", "ROC", "LEERWERK", "ASSOCIATION"):
            some("pipe-bench", 8, 14)
            some("sanitary-wall", 2, 4)
            some("heat-pump-rig", 1, 3, 0.85 if profile != "WE" else 0.6)
            some("boiler-rig", 1, 2, 0.7)
            some("ventilation-unit", 1, 3, 0.7)
        if profile in ("E", "WE", "ROC", "LEERWERK", "ASSOCIATION"):
            some("e-bench", 8, 14)
            some("switchboard", 4, 8)
            some("measurement-kit", 8, 16, 0.8)
            some("pv-setup", 1, 3, 0.7)
            some("ev-charger", 1, 3, 0.6)
            some("home-automation-panel", 3, 4, 0.5)
        capacity = r.randint(16, 28)
        weekly = _LOCATION_PATTERNS[
            r.choices(list(_COMPANY_PATTERN_WEIGHTS), list(_COMPANY_PATTERN_WEIGHTS.values()))[0]
        ]
        if profile in ("ROC", "ASSOCIATION", "LEERWERK"):
            eq.update({"pipe-bench": 16, "e-bench": r.randint(16, 18),
                       "measurement-kit": 16, "pv-setup": 2, "heat-pump-rig": 2,
                       "switchboard": 8, "ventilation-unit": 2})  # fmt: skip
            capacity = r.randint(28, 32)
            weekly = {
                "ROC": _LOCATION_PATTERNS["afternoons-and-evenings"]
                + _weekly(("mon", "fri"), "08:30", "12:30"),
                "ASSOCIATION": _LOCATION_PATTERNS["weekdays"]
                + _weekly(("tue", "thu"), "18:00", "22:00"),
                "LEERWERK": _weekly(DAYS, "08:00", "17:00"),
            }[profile]
        if profile == "ROC":
            some("bim-workstation", 20, 28, 0.5)
            some("bms-trainer", 4, 6, 0.5)
            eq["home-automation-panel"] = 4
            eq["ev-charger"] = 2
        if profile == "ASSOCIATION":
            eq["cooling-rig"] = 3
        if profile == "HBO":
            eq.update({"bim-workstation": 32, "bms-trainer": 4})
            capacity = 36
            weekly = _weekly(DAYS, "09:00", "17:00") + _weekly(("wed",), "18:00", "21:00")
        if profile == "HOSPITAL":
            eq = {"plant-room": 1, "projector": 1}
            capacity = 30
            weekly = _weekly(("tue", "thu"), "09:00", "12:30")
        buffer = r.choice((0, 0, 0, 15, 15, 30)) if profile in ("W", "E", "WE") else 0
        loc = self.location(partner, suffix, name, place, capacity=capacity,
                            buffer_minutes=buffer, equipment=eq,
                            availability=LocationAvailability(weekly=weekly))  # fmt: skip
        self.hosts.append(_Host(loc, profile))

    def finish_hosts(self) -> None:
        """Scarce equipment, pattern changes, closures and one-off windows, for variety."""
        r = self.rng
        first, last = school_year(self.year_start)
        demo_first, _ = demo_horizon(self.year_start)
        companies = [h for h in self.hosts if h.profile in ("W", "E", "WE")]
        w_hosts = [h for h in companies if h.profile in ("W", "WE")]
        for h in r.sample(w_hosts, 3):
            self._add_equipment(h, "cooling-rig", 2)
        for h in r.sample([h for h in companies if h.profile == "WE"], 2):
            self._add_equipment(h, "bms-trainer", r.randint(4, 6))
            self._add_equipment(h, "bim-workstation", r.randint(12, 16))
        # waterstof: one rig in the whole region, at the westernmost W company
        self._add_equipment(min(w_hosts, key=lambda h: h.location.lon), "h2-rig", 1)
        for i, h in enumerate(r.sample(companies, 8)):
            av = h.location.availability
            closures = list(av.closures)
            one_off = list(av.one_off)
            weekly = list(av.weekly)
            if i == 0:  # the demo weeks: maintenance of the rigs
                closures.append(DateRange(first=demo_first + timedelta(days=7),
                                          last=demo_first + timedelta(days=9),
                                          reason="onderhoud opstellingen"))  # fmt: skip
            elif i == 1:  # a new workshop opens after Christmas: more hours from January
                switch = _iso_monday(self.year_start.year + 1, 2)
                weekly = [w.model_copy(update={"valid_to": switch - timedelta(days=1)})
                          for w in _LOCATION_PATTERNS["tue-thu-afternoons"]]  # fmt: skip
                weekly += [w.model_copy(update={"valid_from": switch})
                           for w in _LOCATION_PATTERNS["weekdays"]]  # fmt: skip
            elif i == 2:
                start = first + timedelta(days=r.randint(60, 120))
                closures.append(DateRange(first=start, last=start + timedelta(days=20),
                                          reason="verbouwing praktijkruimte"))  # fmt: skip
            elif i in (3, 4):
                day = first + timedelta(days=r.randint(20, (last - first).days - 20))
                closures.append(DateRange(first=day, last=day, reason="inventarisatie magazijn"))
            else:  # an extra evening for BBL students
                day = demo_first + timedelta(days=r.randint(0, 3) * 7 + r.choice((0, 1, 2)))
                if not any(w.weekday == day.isoweekday() and w.end.hour >= 18 for w in weekly):
                    one_off.append(DatedWindow(date=day, start="18:00", end="21:30"))  # type: ignore[arg-type]
            self._set_availability(h, LocationAvailability(weekly=weekly, one_off=one_off,
                                                           closures=closures))  # fmt: skip
        # schools close their site on a study day now and then
        for site_key in self.school_site.values():
            if r.random() < 0.5:
                day = first + timedelta(days=r.randint(14, (last - first).days - 14))
                while day.weekday() > 4:
                    day += timedelta(days=1)
                site = self._loc(site_key)
                closures = [DateRange(first=day, last=day, reason="studiedag")]
                self._replace(site, site.model_copy(update={"availability": site.availability
                              .model_copy(update={"closures": closures})}))  # fmt: skip

    def _loc(self, key: str) -> Location:
        return next(loc for loc in self.locations if loc.key == key)

    def _replace(self, old: Location, new: Location) -> None:
        self.locations[self.locations.index(old)] = new
        for h in self.hosts:
            if h.location is old:
                h.location = new

    def _add_equipment(self, h: _Host, code: str, qty: int) -> None:
        eq = {**h.location.equipment, code: qty}
        self._replace(h.location, h.location.model_copy(update={"equipment": eq}))

    def _set_availability(self, h: _Host, av: LocationAvailability) -> None:
        self._replace(h.location, h.location.model_copy(update={"availability": av}))

    # ---- trainers
    def build_trainers(self, total: int = 60) -> None:
        r = self.rng
        per_host = {"ROC": 3, "LEERWERK": 3, "HBO": 3, "HOSPITAL": 2, "ASSOCIATION": 3}
        counts = [per_host.get(h.profile, 1) for h in self.hosts]
        companies = [i for i, h in enumerate(self.hosts) if h.profile in ("W", "E", "WE")]
        while sum(counts) < total:
            counts[r.choice(companies)] += 1
        first, last = school_year(self.year_start)
        for h, n in zip(self.hosts, counts, strict=True):
            for _ in range(n):
                self.trainers.append(self._trainer(h, first, last))
        self._cover_qualifications()

    def _trainer(self, h: _Host, first: date, last: date) -> Trainer:
        r = self.rng
        quals: set[str] = set()
        instructor = h.profile in ("ROC", "LEERWERK", "HBO", "ASSOCIATION")
        eq = h.location.equipment
        if h.profile == "W":
            quals |= set(r.sample(W_QUALS[:4], r.randint(2, 3)))
        elif h.profile == "E":
            quals |= set(r.sample(E_QUALS, r.randint(2, 3)))
        elif h.profile == "WE":
            quals |= {r.choice(W_QUALS[:4]), r.choice(E_QUALS)}
        elif h.profile in ("ROC", "ASSOCIATION", "LEERWERK"):
            quals |= set(r.sample(W_QUALS[:4], 2)) | set(r.sample(E_QUALS, 2))
        elif h.profile == "HBO":
            quals |= {"bim", "didactiek"} | ({"gbs"} if r.random() < 0.5 else set())
        elif h.profile == "HOSPITAL":
            quals |= {"rondleiding", r.choice(("ventilatie", "elektra"))}
        if "cooling-rig" in eq and r.random() < 0.7:
            quals.add("koeltechniek")
        if "h2-rig" in eq:
            quals.add("waterstof")
        if "bim-workstation" in eq and r.random() < 0.5:
            quals.add("bim")
        if "bms-trainer" in eq and r.random() < 0.6:
            quals.add("gbs")
        if r.random() < 0.3:
            quals.add("rondleiding")
        first_name, last_name = self.person()
        name = f"{first_name} {_particles_lower(last_name)}"
        weekly: list[WeeklyWindow]
        style = "instructor" if instructor else r.choice(("day", "day", "half", "evening", "mixed"))
        if h.profile == "HOSPITAL":
            style = "hospital"
        days = list(DAYS)
        if style == "hospital":  # the technical staff guide tours on the plant-room mornings
            weekly = _weekly(("tue", "thu"), "08:00", "13:00")
            hours = 6.0
        elif style == "instructor":
            weekly = _weekly(r.sample(days, r.randint(3, 5)), "08:00", "17:00")
            if r.random() < 0.4:
                weekly += _weekly(r.sample(days[:4], 2), "18:00", "22:00")
            hours = float(r.choice((16, 20, 24, 28)))
        elif style == "day":
            weekly = _weekly(r.sample(days, r.randint(2, 3)), "08:00", "17:00")
            hours = float(r.choice((6, 8, 8, 12)))
        elif style == "half":
            start, end = r.choice((("08:00", "12:30"), ("12:30", "17:00")))
            weekly = _weekly(r.sample(days, r.randint(2, 4)), start, end)
            hours = float(r.choice((4, 6, 8)))
        elif style == "evening":
            weekly = _weekly(r.sample(days[:4], r.randint(2, 3)), "17:30", "22:00")
            hours = float(r.choice((4, 6, 8)))
        else:
            picked = r.sample(days[:4], 2)
            weekly = _weekly(picked[:1], "08:00", "17:00") + _weekly(picked[1:], "17:30", "22:00")
            hours = float(r.choice((6, 8, 10)))
        weekly.sort(key=lambda w: (w.weekday, w.start))
        absences = []
        if r.random() < 0.5:
            start = first + timedelta(days=r.randint(0, (last - first).days - 14))
            reason = r.choice(("vakantie", "cursus", "projectpiek", "ziekte"))
            end = start + timedelta(days=r.randint(4, 13))
            absences.append(DateRange(first=start, last=end, reason=reason))
        domain = _slug(h.location.partner.removeprefix(self.prefix), 24)
        email = f"{_slug(first_name)}.{_slug(last_name).replace('-', '')}@{domain}.example"
        return Trainer(
            key=self.key(f"t-{first_name}-{last_name}"), partner=h.location.partner, name=name,
            email=email, qualifications=sorted(quals),
            certified=instructor or r.random() < 0.35, max_hours_per_week=hours,
            home=h.location.key,
            availability=TrainerAvailability(weekly=weekly, absences=absences),
        )

    def _cover_qualifications(self) -> None:
        """Every qualification the catalogue needs is held by enough trainers to choose from."""
        needed = {a.qualification for a in ACTIVITIES if a.qualification} - {"waterstof"}
        for q in sorted(needed):
            holders = [t for t in self.trainers if q in t.qualifications]
            others = [t for t in self.trainers if q not in t.qualifications]
            want = 4 if q in ("didactiek", "gbs", "koeltechniek") else 7
            for t in self.rng.sample(others, max(0, want - len(holders))):
                i = self.trainers.index(t)
                self.trainers[i] = t.model_copy(
                    update={"qualifications": sorted({*t.qualifications, q})}
                )

    # ---- groups
    def build_groups(self) -> None:
        r = self.rng
        for school in [p for p in self.partners if p.kind == "school"]:
            level = self.school_level[school.key]
            home = self.school_site[school.key]
            if level == "vmbo":
                for code in ("3B-a", "3B-b", "3K-a", "3K-b", "4K")[: r.randint(4, 5)]:
                    niveau = {"B": "vmbo-basis", "K": "vmbo-kader"}[code[1]]
                    self._group(school, code, f"klas {code} PIE", f"{niveau} {code[0]}",
                                r.randint(15, 25), home, r.choice((45, 50, 60)),
                                _weekly(sorted(r.sample(DAYS, r.randint(2, 3)), key=DAYS.index),
                                        "08:30", "16:00"))  # fmt: skip
                self._group(school, "2-brugklas", "tweede klassen (oriëntatie techniek)",
                            "vmbo 2", r.randint(24, 30), home, 45,
                            _weekly(("wed", "fri"), "08:30", "14:00"))  # fmt: skip
            elif level == "mbo":
                for code, programme in _MBO_PROGRAMMES.items():
                    days = sorted(r.sample(DAYS, 2), key=DAYS.index)
                    weekly = _weekly(days, "08:30", "16:30")
                    if programme[1] == "bbl":  # one school day midweek, two evenings
                        day = r.choice(("tue", "wed", "thu"))
                        evenings = r.sample([d for d in DAYS[:4] if d != day], 2)
                        weekly = _weekly([day], "08:30", "16:30") + _weekly(
                            sorted(evenings, key=DAYS.index), "18:00", "21:30"
                        )
                    size = r.randint(10, 12) if code == "bol-w3" else r.randint(12, 16)
                    key = self._group(school, code, programme[0], programme[2], size, home,
                                      r.choice((50, 60, 70)), weekly)  # fmt: skip
                    self.programme[key] = code
            elif level == "hbo":
                for code in ("wtb-2a", "wtb-2b"):
                    self._group(school, code, "Werktuigbouwkunde/installatietechniek jaar 2",
                                "hbo 2", r.randint(22, 30), home, 75,
                                _weekly(sorted(r.sample(DAYS, 2), key=DAYS.index), "09:00",
                                        "17:00"))  # fmt: skip
                for code in ("gastdocenten-najaar", "gastdocenten-voorjaar"):
                    self._group(school, code, "Gastdocenten uit de bedrijven", "cursisten",
                                r.randint(12, 18), home, 75,
                                _weekly(("wed",), "13:00", "17:00")
                                + _weekly(("wed",), "18:00", "21:00"))  # fmt: skip
            else:  # leerwerkcentrum: cohorts of job-seekers
                for code in ("w-sep", "e-okt", "w-jan", "pv-feb", "e-mrt", "w-apr"):
                    key = self._group(school, f"cohort-{code}", f"Instroomcohort {code}",
                                      "werkzoekenden", r.randint(9, 12), home, 60,
                                      _weekly(DAYS, "08:30", "16:30"))  # fmt: skip
                    self.programme[key] = code.split("-")[0]

    def _group(self, school: Partner, code: str, name: str, level: str, headcount: int,
               home: str, travel: int, weekly: list[WeeklyWindow]) -> str:  # fmt: skip
        short = school.key.removeprefix(self.prefix)
        self.groups.append(Group(
            key=self.key(f"{short}-{code}"), school=school.key, name=f"{school.name}, {name}",
            level=level, headcount=headcount, home=home, max_travel_minutes=travel,
            availability=GroupAvailability(weekly=weekly),
        ))  # fmt: skip
        return self.groups[-1].key

    # ---- requests
    def build_requests(self) -> None:
        r = self.rng
        blocks = _blocks(self.year_start)
        demo_first, _ = demo_horizon(self.year_start)
        demo = next(i for i, b in enumerate(blocks) if b[0] == demo_first)
        by_level: dict[str, list[Group]] = {}
        for g in self.groups:
            by_level.setdefault(g.level.split()[0], []).append(g)
        vmbo = [g for g in self.groups if g.level.startswith("vmbo-")]
        second = [g for g in self.groups if g.level == "vmbo 2"]
        mbo = [g for g in self.groups if g.level.startswith(("BOL", "BBL"))]
        hbo = [g for g in self.groups if g.level == "hbo 2"]
        staff = [g for g in self.groups if g.level == "cursisten"]
        cohorts = [g for g in self.groups if g.level == "werkzoekenden"]
        plan: dict[str, list[tuple[str, list[Group]]]] = {k: [] for k in
                                                           ("ws", "sc", "ps", "other")}  # fmt: skip
        # vmbo workshops up to the target, each class in turn
        pupils, i = 0, 0
        codes, weights = list(_VMBO_WORKSHOPS), list(_VMBO_WORKSHOPS.values())
        while pupils < TARGETS["vmbo_workshop"] * _MARGIN["vmbo_workshop"]:
            g = vmbo[i % len(vmbo)]
            plan["ws"].append((r.choices(codes, weights)[0], [g]))
            pupils, i = pupils + g.headcount, i + 1
        # mbo skills courses, from each group's programme, up to the target
        students, i = 0, 0
        while students < TARGETS["mbo_skills_course"] * _MARGIN["mbo_skills_course"]:
            g = mbo[i % len(mbo)]
            options = [c for c in _MBO_PROGRAMMES[self.programme[g.key]][3]
                       if (_ACT[c].max_participants or 99) >= g.headcount]  # fmt: skip
            if options:
                plan["sc"].append((r.choice(options), [g]))
                students += g.headcount
            i += 1
        # praktijkscholing: one per cohort (the cohort's code names the trade)
        for g in cohorts:
            trade = self.programme[g.key]
            plan["ps"].append(({"w": "ps-monteur-w", "e": "ps-monteur-e", "pv": "ps-pv-monteur"}
                               [trade], [g]))  # fmt: skip
        # guest lessons, excursions, open days, hbo and staff
        for _ in range(12):
            g = r.choice(vmbo)
            groups = [g, *self._classmate(g)] if r.random() < 0.35 else [g]
            plan["other"].append((r.choice(("gl-energietransitie", "gl-beroepen")), groups))
        for g in r.sample([g for g in mbo if g.level.startswith("BOL 4")], 4):
            plan["other"].append(("gl-bim-praktijk", [g]))
        for _ in range(6):
            g = r.choice(vmbo)
            plan["other"].append(("ex-bouwplaats", [g, *self._classmate(g)]))
        hospital = next(h.location for h in self.hosts if h.profile == "HOSPITAL")
        tue_thu = [g for g in mbo if any(w.weekday in (2, 4) and w.start.hour < 12
                                         for w in g.availability.weekly)
                   and self.travel(self._loc(g.home or ""), hospital) <= (g.max_travel_minutes
                                                                          or 999)]  # fmt: skip
        for g in r.sample(tue_thu, min(4, len(tue_thu))):
            plan["other"].append(("ex-ziekenhuis", [g]))
        for g in r.sample(second, 3):
            plan["other"].append(("od-techniekdag", [g]))
        plan["other"] += [("mc-bim-coordinatie", [g]) for g in hbo]
        plan["other"] += [("sc-didactiek", [g]) for g in staff]
        # blocks: a fixed share in the demo weeks, the rest by open school days
        open_days = [self._open_days(b) for b in blocks]
        spread = [w if j != demo else 0 for j, w in enumerate(open_days)]
        # courses need their weeks: never in a block of less than four school weeks
        long_spread = [w if w >= 15 else 0 for w in spread]
        for kind, items in plan.items():
            r.shuffle(items)
            n_demo = round(_DEMO_SHARE * len(items)) if kind != "ps" else 1
            for j, (code, groups) in enumerate(items):
                if kind == "ps":
                    block = demo if j == 0 else r.choices(range(len(blocks)), long_spread)[0]
                elif groups[0].key.endswith("gastdocenten-najaar"):
                    block = r.choice(range(1, 4))
                elif groups[0].key.endswith("gastdocenten-voorjaar"):
                    block = demo
                else:
                    weights = long_spread if _ACT[code].sessions > 1 else spread
                    block = demo if j < n_demo else r.choices(range(len(blocks)), weights)[0]
                self._request(code, groups, blocks[block])
        self._plant_unschedulable(blocks[demo])
        self._waterstof_feasible(blocks, demo)
        # number them in date order, as a planner's list would read
        ordered = sorted(self.requests, key=lambda q: (q.earliest, q.latest, q.activity, q.key))
        self.requests = [
            q.model_copy(update={"key": f"{self.prefix}req-{i:03d}"})
            for i, q in enumerate(ordered, start=1)
        ]
        withdraw = r.sample(range(len(self.requests)), 2)
        for j in withdraw:
            self.requests[j] = self.requests[j].model_copy(
                update={"status": "withdrawn", "note": "Klas gaat deze periode op werkweek."}
            )

    def _classmate(self, g: Group) -> list[Group]:
        """Another class of the same school free on a common day, to combine with (or none)."""
        days = {w.weekday for w in g.availability.weekly}
        mates = [x for x in self.groups if x.school == g.school and x is not g
                 and x.level.startswith("vmbo-")
                 and days & {w.weekday for w in x.availability.weekly}]  # fmt: skip
        return [self.rng.choice(mates)] if mates else []

    def _open_days(self, block: tuple[date, date]) -> int:
        hol = holidays(self.year_start)
        n, day = 0, block[0]
        while day <= block[1]:
            if day.weekday() < 5 and not any(h.first <= day <= h.last for h in hol):
                n += 1
            day += timedelta(days=1)
        return n

    def _request(self, code: str, groups: list[Group], block: tuple[date, date], *,
                 earliest: date | None = None, latest: date | None = None,
                 trainer: str | None = None, note: str = "", priority: int | None = None,
                 prefs: bool = True) -> Request:  # fmt: skip
        r = self.rng
        act = _ACT[code]
        if earliest is None or latest is None:
            if act.sessions > 1:
                earliest, latest = block
            else:
                weeks = (block[1] - block[0]).days // 7
                earliest = block[0] + timedelta(days=7 * r.randint(0, max(0, weeks - 2)))
                earliest = max(earliest, block[0])
                latest = min(earliest + timedelta(days=r.choice((11, 18))), block[1])
        if priority is None:
            priority = {"practical_training": 5, "skills_course": r.choice((3, 4)),
                        "workshop": r.choice((2, 3, 3, 4)), "guest_lesson": r.choice((2, 3)),
                        "excursion": r.choice((1, 2)), "open_day": 2}[act.kind]  # fmt: skip
        preferences = Preferences()
        g = groups[0]
        if prefs:
            days = sorted({w.weekday for w in g.availability.weekly})
            wish: dict[str, Any] = {}
            if r.random() < 0.35:
                wish["weekdays"] = [r.choice(days)]
            if r.random() < 0.25 and act.kind != "practical_training":
                wish["time_of_day"] = "afternoon" if r.random() < 0.6 else "morning"
            if r.random() < 0.2 and not act.at_school:
                near = self._near_hosts(g, 40)
                if near:
                    choice = r.choice(near)
                    if r.random() < 0.6:
                        wish["partners"] = [choice.partner]
                    else:
                        wish["locations"] = [choice.key]
            preferences = Preferences(**wish)
        if trainer is None and r.random() < 0.08:
            home = self._loc(g.home or "")
            group_days = {w.weekday for w in g.availability.weekly}
            fit = [t for t in self.trainers if self._can_teach(t, act)
                   and (act.kind != "guest_lesson" or t.certified)
                   and group_days & {w.weekday for w in t.availability.weekly}
                   and self.travel(self._loc(t.home or ""), home) <= 40]  # fmt: skip
            if fit:
                trainer = r.choice(fit).key
                note = note or (
                    "School vraagt dezelfde gastdocent als vorig jaar."
                    if act.at_school
                    else "School vraagt dezelfde trainer als vorig jaar."
                )
        if not note and r.random() < 0.1:
            note = r.choice(("Klas komt met het openbaar vervoer.",
                             "Docent reist mee; graag een lokaal voor de nabespreking.",
                             "Twee leerlingen met een rolstoel: graag toegankelijke ruimte.",
                             "Liefst niet in de toetsweek."))  # fmt: skip
        # Every request is accepted (15% used to be "open", planned alike); the draw that
        # chose between them stays, so the campuses of a seed stay the same.
        r.random()
        req = Request(
            key=self.key(f"req-{len(self.requests) + 1:03d}"), activity=code,
            groups=[x.key for x in groups], earliest=earliest, latest=latest, priority=priority,
            trainer=trainer, preferences=preferences,
            status="accepted", note=note,
        )  # fmt: skip
        self.requests.append(req)
        return req

    def _can_teach(self, t: Trainer, act: Activity) -> bool:
        return act.qualification is None or act.qualification in t.qualifications

    def _near_hosts(self, g: Group, minutes: int) -> list[Location]:
        home = self._loc(g.home or "")
        return [h.location for h in self.hosts if self.travel(home, h.location) <= minutes]

    def _plant_unschedulable(self, block: tuple[date, date]) -> None:
        """Requests in the demo weeks that cannot be planned, each for a different reason."""
        r = self.rng
        rig = next(h.location for h in self.hosts if "h2-rig" in h.location.equipment)
        mbo = [g for g in self.groups if g.level.startswith("BOL") and g.headcount <= 14]
        far = max(mbo, key=lambda g: self.travel(self._loc(g.home or ""), rig))
        owner = rig.name.split(",")[0]
        self._request("sc-waterstof", [far], block, priority=3, prefs=False,
                      note=f"Enige waterstofopstelling staat bij {owner}: te ver voor deze groep.")
        vmbo = [g for g in self.groups if g.level.startswith("vmbo-")]
        # a fixed guest teacher who is away for the whole period
        teacher_i = r.choice([i for i, t in enumerate(self.trainers) if t.certified])
        teacher = self.trainers[teacher_i]
        absence = DateRange(first=block[0] - timedelta(days=7), last=block[1] + timedelta(days=9),
                            reason="knieoperatie en herstel")  # fmt: skip
        av = teacher.availability
        self.trainers[teacher_i] = teacher.model_copy(update={"availability": av.model_copy(
            update={"absences": [*av.absences, absence]})})  # fmt: skip
        self._request("gl-energietransitie", [r.choice(vmbo)], block, trainer=teacher.key,
                      priority=3, prefs=False,
                      note=f"Alleen met {teacher.name}, die de klas al kent.")  # fmt: skip
        # a window that holds only Easter: Good Friday to Easter Monday
        pasen = easter(self.year_start.year + 1)
        self._request("ws-warmtepomp", [r.choice(vmbo)], block, priority=2, prefs=False,
                      earliest=pasen - timedelta(days=2), latest=pasen + timedelta(days=1),
                      note="School gaf alleen het paasweekend op.")  # fmt: skip
        # two large classes combined: more pupils than any BIM room has workstations
        by_school: dict[str, list[Group]] = {}
        for g in vmbo:
            by_school.setdefault(g.school, []).append(g)
        pair = max((sorted(gs, key=lambda g: -g.headcount)[:2] for gs in by_school.values()),
                   key=lambda p: sum(g.headcount for g in p))  # fmt: skip
        if sum(g.headcount for g in pair) <= 32:  # make them big enough to overflow
            for j, g in enumerate(pair):
                pair[j] = g.model_copy(update={"headcount": 25})
                self.groups[self.groups.index(g)] = pair[j]
        self._request("ws-bim", pair, block, priority=3, prefs=False,
                      note="Twee klassen samen, zoals de school vroeg.")  # fmt: skip

    def _waterstof_feasible(self, blocks: list[tuple[date, date]], demo: int) -> None:
        """The one waterstof rig also gets a request it can serve, outside the demo weeks."""
        rig = next(h.location for h in self.hosts if "h2-rig" in h.location.equipment)
        mbo = [g for g in self.groups if g.level.startswith("BOL") and g.headcount <= 14]
        near = min(mbo, key=lambda g: self.travel(self._loc(g.home or ""), rig))
        self._request("sc-waterstof", [near], blocks[(demo + 2) % len(blocks)], priority=3)


# programme code -> (name, day/bbl, level, courses it takes)
_MBO_PROGRAMMES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "bol-w2": ("Monteur installaties niveau 2", "day", "BOL 2",
               ("sc-leidingwerk", "sc-ventilatie", "sc-pv")),
    "bol-w3": ("Monteur W-installaties niveau 3", "day", "BOL 3",
               ("sc-warmtepomp", "sc-koudetechniek", "sc-ventilatie", "sc-leidingwerk")),
    "bol-e3": ("Monteur E-installaties niveau 3", "day", "BOL 3",
               ("sc-nen3140", "sc-pv", "sc-laadinfra", "sc-domotica")),
    "bol-4": ("Technicus installaties niveau 4", "day", "BOL 4",
              ("sc-gbs", "sc-bim", "sc-warmtepomp", "sc-nen3140")),
    "bbl-w": ("Eerste monteur W (BBL)", "bbl", "BBL 3", ("sc-leidingwerk", "sc-ventilatie")),
    "bbl-e": ("Eerste monteur E (BBL)", "bbl", "BBL 3",
              ("sc-domotica", "sc-nen3140", "sc-laadinfra")),
}  # fmt: skip


def _places(region: int) -> tuple[list[_Place], str]:
    """Region 1 is Amsterdam; region k is the same layout moved far away, renamed."""
    if region == 1:
        return [_Place(d.name, d.lat, d.lon) for d in AMSTERDAM_DISTRICTS], "Amsterdam"
    row, col = divmod(region - 2, 8)
    dlat, dlon = -_REGION_STEP[0] * row, _REGION_STEP[1] * (col + 1)
    label = f"Regio {region}"
    return [
        _Place(f"{label} {d.name.replace('Amsterdam ', '')}", d.lat + dlat, d.lon + dlon)
        for d in AMSTERDAM_DISTRICTS
    ], label


def _region(index: int, seed: int, year_start: date) -> _Region:
    places, label = _places(index)
    region = _Region(
        index=index, rng=random.Random(f"tic-campus/{seed}/{index}"), year_start=year_start,
        places=places, prefix="" if index == 1 else f"r{index}-", label=label,
        nickname="Amstel-IJ" if index == 1 else label,
    )  # fmt: skip
    region.build_partners()
    region.finish_hosts()
    region.build_trainers()
    region.build_groups()
    region.build_requests()
    return region


def generate_campus(
    regions: int = 1, seed: int = 0, *, year_start: date = date(2026, 9, 1)
) -> Scenario:
    """A whole campus of ``regions`` regions, identical for the same arguments."""
    if regions < 1:
        raise ValueError(f"regions must be >= 1 (got {regions})")
    built = [_region(i, seed, year_start) for i in range(1, regions + 1)]
    name = "Technische Installatie Campus Amsterdam"
    if regions > 1:
        name += f" en {regions - 1} andere regio's"
    return Scenario(
        name=name,
        equipment=list(EQUIPMENT),
        holidays=holidays(year_start),
        partners=[p for b in built for p in b.partners],
        locations=[loc for b in built for loc in b.locations],
        trainers=[t for b in built for t in b.trainers],
        activities=list(ACTIVITIES),
        groups=[g for b in built for g in b.groups],
        requests=[q for b in built for q in b.requests],
    )



# ------------------------------------------------------------- small hard instances

SMALL_KINDS = ("trainer-scarce", "equipment-scarce", "combined-classes", "holiday-courses")


def small_horizon(kind: str, year_start: date = date(2026, 9, 1)) -> tuple[date, date]:
    """The Monday and Friday the requests of a small instance ``kind`` fall between.

    Two plain school weeks (ISO weeks 5-6 after ``year_start``), except for
    ``holiday-courses``: weeks 5-9, across the voorjaarsvakantie of week 7.
    """
    if kind not in SMALL_KINDS:
        raise ValueError(f"unknown small instance kind {kind!r} (one of {', '.join(SMALL_KINDS)})")
    first = _iso_monday(year_start.year + 1, 5)
    weeks = 5 if kind == "holiday-courses" else 2
    return first, first + timedelta(days=7 * (weeks - 1) + 4)


def generate_small(kind: str, seed: int = 0, *, year_start: date = date(2026, 9, 1)) -> Scenario:
    """A small hard campus problem (<= 30 requests) of one region, identical per seed.

    The region (partners, locations, trainers, groups) is built as ``generate_campus``
    builds one, then only requests of one kind of difficulty are made, between the dates
    of ``small_horizon``; the benchmark suite (``benchmarks/campus/``) judges the
    engine's defaults on them:

    * ``trainer-scarce``: 15 heat-pump workshops, and only four qualified trainers, each
      with a weekly cap of 6 to 9 hours (every other trainer is left out);
    * ``equipment-scarce``: 20 workshops that need the workshop equipment the fewest
      locations hold;
    * ``combined-classes``: 14 excursions and guest lessons, each for two classes of one
      school that share a school day;
    * ``holiday-courses``: 12 mbo courses of 3-5 sessions with days between them, in a
      window that holds the voorjaarsvakantie.
    """
    first, last = small_horizon(kind, year_start)
    region = _Region(
        index=1, rng=random.Random(f"tic-small/{kind}/{seed}"), year_start=year_start,
        places=_places(1)[0], prefix="", label="Amsterdam", nickname="Amstel-IJ",
    )  # fmt: skip
    region.build_partners()
    region.finish_hosts()
    region.build_trainers()
    region.build_groups()
    r = region.rng
    block = (first, last)
    vmbo = [g for g in region.groups if g.level.startswith("vmbo-")]
    if kind == "trainer-scarce":
        act = _ACT["ws-warmtepomp"]
        qualified = [t for t in region.trainers if region._can_teach(t, act)]
        kept = r.sample(qualified, 4)
        region.trainers = [t.model_copy(update={"max_hours_per_week": float(r.randint(6, 9))})
                           for t in kept]  # fmt: skip
        for _ in range(15):
            region._request(act.code, [r.choice(vmbo)], block)
    elif kind == "equipment-scarce":

        def holders(code: str) -> int:
            need = _ACT[code].equipment[0]
            return sum(1 for loc in region.locations if loc.equipment.get(need.code, 0)
                       >= need.quantity)  # fmt: skip

        codes = [c for c in _VMBO_WORKSHOPS if holders(c) > 0]
        code = min(codes, key=lambda c: (holders(c), c))
        for _ in range(20):
            region._request(code, [r.choice(vmbo)], block)
    elif kind == "combined-classes":
        made = 0
        while made < 14:
            g = r.choice(vmbo)
            mates = region._classmate(g)
            if not mates:
                continue
            code = r.choice(("ex-bouwplaats", "gl-energietransitie", "gl-beroepen"))
            region._request(code, [g, *mates], block)
            made += 1
    else:  # holiday-courses
        mbo = [g for g in region.groups if g.level.startswith(("BOL", "BBL"))]
        made = 0
        while made < 12:
            g = r.choice(mbo)
            options = [c for c in _MBO_PROGRAMMES[region.programme[g.key]][3]
                       if (_ACT[c].max_participants or 99) >= g.headcount]  # fmt: skip
            if not options:
                continue
            region._request(r.choice(options), [g], block, earliest=first, latest=last)
            made += 1
    return Scenario(
        name=f"Technische Installatie Campus, klein en lastig: {kind} (seed {seed})",
        equipment=list(EQUIPMENT),
        holidays=holidays(year_start),
        partners=region.partners,
        locations=region.locations,
        trainers=region.trainers,
        activities=list(ACTIVITIES),
        groups=region.groups,
        requests=region.requests,
    )
