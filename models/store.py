"""Scenario files in and out of the database: idempotent upsert by key, and export.

Loading is all or nothing: every file is parsed and cross-checked before the first row is
written, and the caller's transaction rolls back if the database refuses anything. It
removes nothing unless asked to: what a file would remove from the entities it names
(models/removals.py) is found first, and without ``replace`` the load is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from models import entities as e
from models import scenario as s
from models.absences import category_of_reason
from models.removals import Removal, RemovalsRefused, compare

T = TypeVar("T")


@dataclass
class LoadSummary:
    """How many entities of each section were created or updated, and what was removed.

    After a dry run: what a load would create, update and remove (nothing was written).
    """

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: list[Removal] = field(default_factory=list)

    def count(self, section: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[section] = target.get(section, 0) + 1


def known_keys(session: Session) -> s.KnownKeys:
    return s.KnownKeys(
        equipment=set(session.scalars(select(e.EquipmentType.code))),
        partners={k: kind for k, kind in session.execute(select(e.Partner.key, e.Partner.kind))},
        locations=set(session.scalars(select(e.Location.key))),
        trainers=set(session.scalars(select(e.Trainer.key))),
        activities=set(session.scalars(select(e.ActivityType.code))),
        groups=set(session.scalars(select(e.Group.key))),
    )


def read_files(paths: Sequence[Path]) -> list[tuple[str, s.Scenario]]:
    """Parse every file, collecting the problems of all of them before failing."""
    parsed: list[tuple[str, s.Scenario]] = []
    problems: list[s.ScenarioIssue] = []
    for path in paths:
        try:
            parsed.append((str(path), s.read_scenario(path)))
        except s.ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise s.ScenarioError(problems)
    return parsed


def load_files(
    session: Session, paths: Sequence[Path], *, replace: bool = False, dry_run: bool = False
) -> LoadSummary:
    """Read and load scenario files; see ``load_scenarios`` for ``replace`` and ``dry_run``."""
    files = read_files(paths)
    return load_scenarios(session, files, replace=replace, dry_run=dry_run)


def load_scenarios(
    session: Session,
    files: Sequence[tuple[str, s.Scenario]],
    *,
    replace: bool = False,
    dry_run: bool = False,
) -> LoadSummary:
    """Upsert the scenarios in the caller's transaction.

    Raises ScenarioError for bad files, and RemovalsRefused (a ScenarioError) before writing
    anything when the files would remove stored data (``find_removals``) and ``replace`` is
    not set. With ``replace`` the load applies, and the summary lists what it removed.
    ``dry_run`` writes nothing and returns what the load would create, update and remove.
    """
    s.check_scenarios(files, known_keys(session))
    rows: list[Any] = []  # held while loading: the loader then finds them in the session
    removed, summary = find_removals(session, files, keep=rows)
    if dry_run:
        return summary
    if removed and not replace:
        raise RemovalsRefused(removed)
    loader = _Loader(session)
    try:
        with session.no_autoflush:  # rows are flushed once complete, never half-filled
            loader.load(_merged([sc for _file, sc in files]))
        session.flush()
    except SQLAlchemyError as exc:
        names = ", ".join(file for file, _ in files)
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]  # one line
        raise s.ScenarioError(
            [s.ScenarioIssue(names, "", f"the database refused the data: {reason}")]
        ) from None
    loader.summary.removed = removed
    return loader.summary


def _merged(scenarios: Sequence[s.Scenario]) -> s.Scenario:
    """All files as one, so a file may refer to any other whatever their order."""
    sections = {
        name: [item for sc in scenarios for item in getattr(sc, name)]
        for name in (
            "equipment", "holidays", "partners", "locations", "trainers", "activities",
            "groups", "requests", "travel",
        )
    }  # fmt: skip
    return s.Scenario.model_construct(**sections)


class _Loader:
    """Upserts a merged scenario with a handful of queries, whatever its size.

    Every section's existing rows are read once (children included, by selectinload) into a
    dict by key; the loop then only touches Python objects, and each section is flushed once,
    so SQLAlchemy writes its rows in batches. One query and one flush per entity made a 4 MB
    file take minutes.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.summary = LoadSummary()

    def _rows(self, model: type[T], column: str, *children: Any) -> dict[Any, T]:
        """Every row of ``model`` by its key column, with the given child lists loaded."""
        query = select(model).options(*(selectinload(child) for child in children))
        return {getattr(row, column): row for row in self.session.scalars(query)}

    def _upsert(self, rows: dict[Any, T], model: type[T], section: str, **key: Any) -> T:
        """The row under ``key`` (one value, or a tuple of several), created if missing."""
        wanted = next(iter(key.values())) if len(key) == 1 else tuple(key.values())
        found = rows.get(wanted)
        if found is None:
            found = model(**key)
            self.session.add(found)
            rows[wanted] = found
            self.summary.count(section, created=True)
        else:
            self.summary.count(section, created=False)
        return found

    def load(self, sc: s.Scenario) -> None:
        self.equipment = self._rows(e.EquipmentType, "code")
        for eq in sc.equipment:
            row = self._upsert(self.equipment, e.EquipmentType, "equipment", code=eq.code)
            row.name, row.team = eq.name, eq.team
        if sc.holidays:
            holidays = {(h.name, h.first): h for h in self.session.scalars(select(e.Holiday))}
            for h in sc.holidays:
                hol = self._upsert(holidays, e.Holiday, "holidays", name=h.name, first=h.first)
                hol.kind, hol.last = h.kind, h.last
        self.partners = self._rows(e.Partner, "key")
        for p in sc.partners:
            partner = self._upsert(self.partners, e.Partner, "partners", key=p.key)
            partner.name, partner.kind, partner.address = p.name, p.kind, p.address
            partner.contact_name = p.contact.name
            partner.contact_email = p.contact.email
            partner.contact_phone = p.contact.phone
            partner.language = p.language
        self.session.flush()
        location = e.Location
        children = (location.equipment, location.windows, location.one_off_windows,
                    location.closures) if sc.locations else ()  # fmt: skip
        self.locations = self._rows(location, "key", *children)
        for loc in sc.locations:
            self._location(loc)
        self.session.flush()
        children = (e.Trainer.qualifications, e.Trainer.windows, e.Trainer.absences)
        self.trainers = self._rows(e.Trainer, "key", *(children if sc.trainers else ()))
        for t in sc.trainers:
            self._trainer(t)
        children = (e.ActivityType.equipment,) if sc.activities else ()
        self.activities = self._rows(e.ActivityType, "code", *children)
        for a in sc.activities:
            self._activity(a)
        self.session.flush()
        children = (e.Group.windows, e.Group.unavailable) if sc.groups else ()
        self.groups = self._rows(e.Group, "key", *children)
        for g in sc.groups:
            self._group(g)
        self.session.flush()
        if sc.requests:
            requests = self._rows(
                e.Request, "key", e.Request.groups, e.Request.preferred_partners,
                e.Request.preferred_locations,
            )  # fmt: skip
            for r in sc.requests:
                self._request(requests, r)
        if sc.travel:
            overrides = {
                (o.from_location_id, o.to_location_id): o
                for o in self.session.scalars(select(e.TravelOverride))
            }
            for tr in sc.travel:
                # stored once per unordered pair, smaller key first: travel is the same both ways
                first, second = sorted((tr.from_, tr.to))
                override = self._upsert(
                    overrides, e.TravelOverride, "travel",
                    from_location_id=self.locations[first].id,
                    to_location_id=self.locations[second].id,
                )  # fmt: skip
                override.minutes = tr.minutes
        self.session.flush()

    def _location(self, loc: s.Location) -> None:
        row = self._upsert(self.locations, e.Location, "locations", key=loc.key)
        row.partner = self.partners[loc.partner]
        row.name, row.address = loc.name, loc.address
        row.latitude, row.longitude = loc.lat, loc.lon
        row.capacity, row.buffer_minutes = loc.capacity, loc.buffer_minutes
        row.hosts_training = loc.hosts_training
        row.equipment = [
            e.LocationEquipment(equipment_type=self.equipment[code], quantity=qty)
            for code, qty in loc.equipment.items()
        ]
        av = loc.availability
        _sync(row.windows, e.LocationWindow, [_weekly_fields(w) for w in av.weekly])
        _sync(
            row.one_off_windows,
            e.LocationOneOffWindow,
            [{"day": w.date, "start": w.start, "end": w.end} for w in av.one_off],
        )
        _sync(
            row.closures,
            e.LocationClosure,
            [{"first": c.first, "last": c.last, "reason": c.reason} for c in av.closures],
        )

    def _trainer(self, t: s.Trainer) -> None:
        row = self._upsert(self.trainers, e.Trainer, "trainers", key=t.key)
        row.partner = self.partners[t.partner]
        row.name, row.email, row.certified = t.name, t.email, t.certified
        row.max_minutes_per_week = (
            None if t.max_hours_per_week is None else round(t.max_hours_per_week * 60)
        )
        row.home_location = None if t.home is None else self.locations[t.home]
        row.qualifications = [
            e.TrainerQualification(qualification=q) for q in sorted(set(t.qualifications))
        ]
        _sync(row.windows, e.TrainerWindow, [_weekly_fields(w) for w in t.availability.weekly])
        _sync(
            row.absences,
            e.TrainerAbsence,
            [
                # only the category is kept of a file's reason text (models/absences.py)
                {
                    "first": a.first,
                    "last": a.last,
                    "reason": "",
                    "category": category_of_reason(a.reason),
                }
                for a in t.availability.absences
            ],
        )

    def _activity(self, a: s.Activity) -> None:
        row = self._upsert(self.activities, e.ActivityType, "activities", code=a.code)
        for name in ("title", "kind", "audience", "team", *e.ACTIVITY_RULES):
            setattr(row, name, getattr(a, name))
        row.equipment = [
            e.ActivityEquipment(
                equipment_type=self.equipment[need.code], quantity=need.quantity, per=need.per
            )
            for need in a.equipment
        ]

    def _group(self, g: s.Group) -> None:
        row = self._upsert(self.groups, e.Group, "groups", key=g.key)
        row.school = self.partners[g.school]
        row.name, row.level, row.headcount = g.name, g.level, g.headcount
        row.home_location = None if g.home is None else self.locations[g.home]
        row.max_travel_minutes = g.max_travel_minutes
        _sync(row.windows, e.GroupWindow, [_weekly_fields(w) for w in g.availability.weekly])
        _sync(
            row.unavailable,
            e.GroupUnavailability,
            [
                {"first": u.first, "last": u.last, "reason": u.reason, "note": u.note}
                for u in g.unavailable
            ],
        )

    def _request(self, requests: dict[str, e.Request], r: s.Request) -> None:
        row = self._upsert(requests, e.Request, "requests", key=r.key)
        row.activity_type = self.activities[r.activity]
        row.earliest, row.latest, row.priority = r.earliest, r.latest, r.priority
        row.trainer = None if r.trainer is None else self.trainers[r.trainer]
        row.preferred_weekdays = ",".join(str(d) for d in sorted(set(r.preferences.weekdays)))
        row.preferred_time_of_day = r.preferences.time_of_day
        row.status, row.note = r.status, r.note
        row.groups = [
            e.RequestGroup(group=self.groups[gk], position=i) for i, gk in enumerate(r.groups)
        ]
        row.preferred_partners = [
            e.RequestPreferredPartner(partner=self.partners[pk])
            for pk in sorted(set(r.preferences.partners))
        ]
        row.preferred_locations = [
            e.RequestPreferredLocation(location=self.locations[lk])
            for lk in sorted(set(r.preferences.locations))
        ]


def _sync(rows: list[Any], model: type, wanted: Sequence[dict[str, Any]]) -> None:
    """Make a list of child rows hold ``wanted`` in order, reusing the rows already there.

    Reloading an unchanged file then changes nothing, and the rows keep their ids (replacing
    the list would delete and re-insert them under new ids).
    """
    kept = min(len(rows), len(wanted))
    for row, fields in zip(rows[:kept], wanted[:kept], strict=True):
        for name, value in fields.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    del rows[kept:]
    rows.extend(model(**fields) for fields in wanted[kept:])


def _weekly_fields(w: s.WeeklyWindow) -> dict[str, Any]:
    return {
        "weekday": w.weekday,
        "start": w.start,
        "end": w.end,
        "valid_from": w.valid_from,
        "valid_to": w.valid_to,
    }


# ----------------------------------------------------------------------------- export


def _weekly(rows: Sequence[Any]) -> list[s.WeeklyWindow]:
    return [
        s.WeeklyWindow(
            weekday=w.weekday,
            start=w.start,
            end=w.end,
            valid_from=w.valid_from,
            valid_to=w.valid_to,
        )
        for w in rows
    ]


def export_equipment(q: e.EquipmentType) -> s.Equipment:
    return s.Equipment(code=q.code, name=q.name, team=q.team)  # type: ignore[arg-type]


def export_holiday(h: e.Holiday) -> s.Holiday:
    return s.Holiday(name=h.name, kind=h.kind, first=h.first, last=h.last)  # type: ignore[arg-type]


def export_partner(p: e.Partner) -> s.Partner:
    return s.Partner(
        key=p.key,
        name=p.name,
        kind=p.kind,  # type: ignore[arg-type]
        address=p.address,
        contact=s.Contact(name=p.contact_name, email=p.contact_email, phone=p.contact_phone),
        language=p.language,  # type: ignore[arg-type]
    )


def export_location(loc: e.Location) -> s.Location:
    return s.Location(
        key=loc.key,
        partner=loc.partner.key,
        name=loc.name,
        address=loc.address,
        lat=loc.latitude,
        lon=loc.longitude,
        capacity=loc.capacity,
        buffer_minutes=loc.buffer_minutes,
        hosts_training=loc.hosts_training,
        equipment=dict(sorted((q.equipment_type.code, q.quantity) for q in loc.equipment)),
        availability=s.LocationAvailability(
            weekly=_weekly(loc.windows),
            one_off=[
                s.DatedWindow(date=w.day, start=w.start, end=w.end) for w in loc.one_off_windows
            ],
            closures=[
                s.DateRange(first=c.first, last=c.last, reason=c.reason) for c in loc.closures
            ],
        ),
    )


def export_trainer(t: e.Trainer) -> s.Trainer:
    return s.Trainer(
        key=t.key,
        partner=t.partner.key,
        name=t.name,
        email=t.email,
        qualifications=[q.qualification for q in t.qualifications],
        certified=t.certified,
        max_hours_per_week=(
            None if t.max_minutes_per_week is None else t.max_minutes_per_week / 60
        ),
        home=t.home_location.key if t.home_location else None,
        availability=s.TrainerAvailability(
            weekly=_weekly(t.windows),
            absences=[
                s.DateRange(first=a.first, last=a.last, reason=a.category) for a in t.absences
            ],
        ),
    )


def export_activity(a: e.ActivityType) -> s.Activity:
    return s.Activity(
        code=a.code,
        title=a.title,
        kind=a.kind,  # type: ignore[arg-type]
        audience=a.audience,  # type: ignore[arg-type]
        team=a.team,  # type: ignore[arg-type]
        equipment=[
            s.EquipmentNeed(
                code=q.equipment_type.code,
                quantity=q.quantity,
                per=q.per,  # type: ignore[arg-type]
            )
            for q in sorted(a.equipment, key=lambda q: q.equipment_type.code)
        ],
        **{name: getattr(a, name) for name in e.ACTIVITY_RULES},
    )


def export_group(g: e.Group) -> s.Group:
    return s.Group(
        key=g.key,
        school=g.school.key,
        name=g.name,
        level=g.level,
        headcount=g.headcount,
        home=g.home_location.key if g.home_location else None,
        max_travel_minutes=g.max_travel_minutes,
        availability=s.GroupAvailability(weekly=_weekly(g.windows)),
        unavailable=[
            s.Unavailable(
                first=u.first,
                last=u.last,
                reason=u.reason,  # type: ignore[arg-type]
                note=u.note,
            )
            for u in g.unavailable
        ],
    )


def export_request(r: e.Request) -> s.Request:
    return s.Request(
        key=r.key,
        activity=r.activity_type.code,
        groups=[rg.group.key for rg in r.groups],
        earliest=r.earliest,
        latest=r.latest,
        priority=r.priority,
        trainer=r.trainer.key if r.trainer else None,
        preferences=s.Preferences(
            weekdays=[int(d) for d in r.preferred_weekdays.split(",") if d],
            time_of_day=r.preferred_time_of_day,  # type: ignore[arg-type]
            partners=[pp.partner.key for pp in r.preferred_partners],
            locations=[pl.location.key for pl in r.preferred_locations],
        ),
        status=r.status,  # type: ignore[arg-type]
        note=r.note,
    )


def export_travel(o: e.TravelOverride) -> s.TravelOverride:
    return s.TravelOverride.model_validate(
        {"from": o.from_location.key, "to": o.to_location.key, "minutes": o.minutes}
    )


def export_scenario(session: Session, name: str = "") -> s.Scenario:
    """The whole database as one scenario, every list sorted by key for stable output."""
    return s.Scenario(
        name=name,
        equipment=[
            export_equipment(q)
            for q in session.scalars(select(e.EquipmentType).order_by(e.EquipmentType.code))
        ],
        holidays=[
            export_holiday(h)
            for h in session.scalars(select(e.Holiday).order_by(e.Holiday.first, e.Holiday.name))
        ],
        partners=[
            export_partner(p) for p in session.scalars(select(e.Partner).order_by(e.Partner.key))
        ],
        locations=[
            export_location(loc)
            for loc in session.scalars(select(e.Location).order_by(e.Location.key))
        ],
        trainers=[
            export_trainer(t) for t in session.scalars(select(e.Trainer).order_by(e.Trainer.key))
        ],
        activities=[
            export_activity(a)
            for a in session.scalars(select(e.ActivityType).order_by(e.ActivityType.code))
        ],
        groups=[export_group(g) for g in session.scalars(select(e.Group).order_by(e.Group.key))],
        requests=[
            export_request(r) for r in session.scalars(select(e.Request).order_by(e.Request.key))
        ],
        travel=[
            export_travel(o)
            for o in session.scalars(
                select(e.TravelOverride).order_by(
                    e.TravelOverride.from_location_id, e.TravelOverride.to_location_id
                )
            )
        ],
    )


# ------------------------------------------------------------------ what a load removes


@dataclass(frozen=True)
class _Section:
    """How the stored entities of one scenario section are found and exported again."""

    name: str
    model: type
    key_column: str | None  # the unique key column; None: composite, all rows are read
    file_key: Callable[[Any], Hashable]  # an entity of the file -> its key
    stored_key: Callable[[Any], Hashable]  # a row -> the same key
    export: Callable[[Any], s.BaseModel]
    options: tuple[Any, ...] = ()  # eager loading, so exporting runs no query per row
    label: Callable[[Hashable], str] = str  # the key as written in a path: locations[KEY]


def _travel_key(tr: s.TravelOverride) -> Hashable:
    return tuple(sorted((tr.from_, tr.to)))


_SECTIONS = (
    _Section("equipment", e.EquipmentType, "code", lambda q: q.code, lambda q: q.code,
             export_equipment),
    _Section("holidays", e.Holiday, None, lambda h: (h.name, h.first),
             lambda h: (h.name, h.first), export_holiday,
             label=lambda k: f"{k[0]} {k[1]}"),  # type: ignore[index]
    _Section("partners", e.Partner, "key", lambda p: p.key, lambda p: p.key, export_partner),
    _Section("locations", e.Location, "key", lambda loc: loc.key, lambda loc: loc.key,
             export_location,
             (selectinload(e.Location.partner),
              selectinload(e.Location.equipment).selectinload(e.LocationEquipment.equipment_type),
              selectinload(e.Location.windows), selectinload(e.Location.one_off_windows),
              selectinload(e.Location.closures))),
    _Section("trainers", e.Trainer, "key", lambda t: t.key, lambda t: t.key, export_trainer,
             (selectinload(e.Trainer.partner), selectinload(e.Trainer.home_location),
              selectinload(e.Trainer.qualifications), selectinload(e.Trainer.windows),
              selectinload(e.Trainer.absences))),
    _Section("activities", e.ActivityType, "code", lambda a: a.code, lambda a: a.code,
             export_activity,
             (selectinload(e.ActivityType.equipment)
              .selectinload(e.ActivityEquipment.equipment_type),)),
    _Section("groups", e.Group, "key", lambda g: g.key, lambda g: g.key, export_group,
             (selectinload(e.Group.school), selectinload(e.Group.home_location),
              selectinload(e.Group.windows), selectinload(e.Group.unavailable))),
    _Section("requests", e.Request, "key", lambda r: r.key, lambda r: r.key, export_request,
             (selectinload(e.Request.activity_type), selectinload(e.Request.trainer),
              selectinload(e.Request.groups).selectinload(e.RequestGroup.group),
              selectinload(e.Request.preferred_partners)
              .selectinload(e.RequestPreferredPartner.partner),
              selectinload(e.Request.preferred_locations)
              .selectinload(e.RequestPreferredLocation.location))),
    _Section("travel", e.TravelOverride, None, _travel_key,
             lambda o: tuple(sorted((o.from_location.key, o.to_location.key))), export_travel,
             (selectinload(e.TravelOverride.from_location),
              selectinload(e.TravelOverride.to_location)),
             label=lambda k: " <-> ".join(k)),  # type: ignore[arg-type]
)  # fmt: skip

_CHUNK = 500  # keys per IN (...) query, far below every database's parameter limit


def _stored(session: Session, section: _Section, keys: set[Hashable]) -> Iterator[Any]:
    """The rows of ``section`` whose key is in ``keys``, with what their export reads."""
    query = select(section.model).options(*section.options)
    if section.key_column is None:
        yield from (row for row in session.scalars(query) if section.stored_key(row) in keys)
        return
    column = getattr(section.model, section.key_column)
    ordered = sorted(keys)  # type: ignore[type-var]
    for i in range(0, len(ordered), _CHUNK):
        yield from session.scalars(query.where(column.in_(ordered[i : i + _CHUNK])))


def _as_stored(item: Any) -> Any:
    """The file's item as the database keeps it: an absence's reason becomes its category
    (only the category is stored), so "Cursus" in the file is the stored "training"."""
    if not isinstance(item, s.Trainer) or not item.availability.absences:
        return item
    absences = [
        a.model_copy(update={"reason": category_of_reason(a.reason)})
        for a in item.availability.absences
    ]
    availability = item.availability.model_copy(update={"absences": absences})
    return item.model_copy(update={"availability": availability})


def find_removals(
    session: Session, files: Sequence[tuple[str, s.Scenario]], keep: list[Any] | None = None
) -> tuple[list[Removal], LoadSummary]:
    """What loading ``files`` would remove from the entities they name, without writing.

    Each stored entity that a file names is exported into the file's model and compared
    with it (models/removals.py). Entities no file names are never touched by a load, so
    they are not compared. Also returns what the load would create and update. The rows
    read are appended to ``keep``: the session holds its rows only while they are used.
    """
    removed: list[Removal] = []
    summary = LoadSummary()
    for section in _SECTIONS:
        named: dict[Hashable, tuple[str, Any]] = {
            section.file_key(item): (file, item)
            for file, sc in files
            for item in getattr(sc, section.name)
        }
        if not named:
            continue
        stored = {section.stored_key(row): row for row in _stored(session, section, set(named))}
        if keep is not None:
            keep.extend(stored.values())
        for key, (file, item) in named.items():
            row = stored.get(key)
            summary.count(section.name, created=row is None)
            if row is not None:
                path = f"{section.name}[{section.label(key)}]"
                removed += compare(file, path, _as_stored(item), section.export(row))
    summary.removed = removed
    return removed, summary


_CLOCK = re.compile(r"^\d\d:\d\d$")


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else "'" if _CLOCK.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_scenario(scenario: s.Scenario) -> str:
    """YAML without default values, so exports read like hand-written files."""
    data = scenario.model_dump(mode="python", by_alias=True, exclude_defaults=True)
    data = {"format": scenario.format, "version": scenario.version, **data}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
