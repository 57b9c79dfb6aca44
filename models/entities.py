"""The campus as stored: SQLAlchemy 2.0 typed mappings with integrity kept by the database.

Every entity a user names has a unique ``key`` (partners, locations, trainers, groups,
requests) or ``code`` (equipment, activity types): scenario files refer to those, and
loading upserts by them. Integer primary keys stay internal.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from models.absences import ABSENCE_CATEGORIES
from scheduler.problem import GROUP_AWAY_REASONS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARTNER_KINDS = ("company", "school", "association", "fund", "knowledge_institute", "other")
TEAMS = ("W", "E", "BIM", "BOL4", "other")
ACTIVITY_KINDS = (
    "workshop",
    "skills_course",
    "practical_training",
    "guest_lesson",
    "excursion",
    "open_day",
)
AUDIENCES = ("primary", "vmbo", "mbo", "job_seekers", "hbo", "staff")
HOLIDAY_KINDS = ("public", "school")
LANGUAGES = ("nl", "en")  # a partner's preferred language: Dutch unless it asks for English
# The life cycle of a request (docs/api.md, "Requests"): a school submits, the planner
# accepts or declines, the school may withdraw until the campus's cut-off. Only accepted
# requests are planned (models/bridge.py).
REQUEST_STATUSES = ("submitted", "accepted", "declined", "withdrawn")
TIMES_OF_DAY = ("morning", "afternoon", "evening")
RUN_STATUSES = (
    "queued", "running", "optimal", "feasible", "infeasible", "unknown", "failed", "cancelled"
)  # fmt: skip
# A run in one of these still holds its horizon (models/planning.py: one per horizon).
ACTIVE_RUN_STATUSES = ("queued", "running")


# Activity columns whose name and meaning are the same in scenario files, in the database
# and in the engine's Activity: copied field by field by the loader, the export and the bridge.
ACTIVITY_RULES = (
    "sessions", "duration_minutes", "min_days_between", "max_days_between", "same_location",
    "min_participants", "max_participants", "qualification", "participants_per_trainer",
    "at_school", "capacity_soft", "min_distinct_days",
)  # fmt: skip


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Tables whose rows the HTTP API changes one at a time (listed in migration 0005).
VERSIONED_TABLES = (
    "partners", "equipment_types", "locations", "location_windows",
    "location_one_off_windows", "location_closures", "holidays", "trainers",
    "trainer_windows", "trainer_absences", "activity_types", "groups", "group_windows",
    "requests",
)  # fmt: skip


class Versioned:
    """A row counter the ORM bumps on every UPDATE and checks in its WHERE clause.

    It is the entity's ETag: an update that read version 3 writes ``WHERE version = 3``, so
    of two concurrent writers one updates and the other matches no row (StaleDataError,
    answered 412), on SQLite and PostgreSQL alike.
    """

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Partner(Versioned, Base):
    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint(_in("kind", PARTNER_KINDS), name="kind"),
        CheckConstraint(_in("language", LANGUAGES), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    language: Mapped[str] = mapped_column(String(2), default="nl", server_default="nl")

    locations: Mapped[list[Location]] = relationship(back_populates="partner")


class EquipmentType(Versioned, Base):
    __tablename__ = "equipment_types"
    __table_args__ = (CheckConstraint(_in("team", TEAMS), name="team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(10))


class Location(Versioned, Base):
    __tablename__ = "locations"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_not_negative"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    capacity: Mapped[int] = mapped_column(Integer)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    hosts_training: Mapped[bool] = mapped_column(Boolean, default=True)

    partner: Mapped[Partner] = relationship(back_populates="locations")
    equipment: Mapped[list[LocationEquipment]] = relationship(
        cascade="all, delete-orphan", order_by="LocationEquipment.equipment_type_id"
    )
    windows: Mapped[list[LocationWindow]] = relationship(
        cascade="all, delete-orphan", order_by="LocationWindow.id"
    )
    one_off_windows: Mapped[list[LocationOneOffWindow]] = relationship(
        cascade="all, delete-orphan", order_by="LocationOneOffWindow.id"
    )
    closures: Mapped[list[LocationClosure]] = relationship(
        cascade="all, delete-orphan", order_by="LocationClosure.id"
    )


class LocationEquipment(Base):
    __tablename__ = "location_equipment"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    equipment_type_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_types.id", ondelete="RESTRICT"), primary_key=True
    )
    quantity: Mapped[int] = mapped_column(Integer)

    equipment_type: Mapped[EquipmentType] = relationship()


class _WeeklyWindowColumns:
    """Columns shared by every weekly recurring window table."""

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer)  # ISO: 1 = Monday
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)


def _weekly_checks() -> tuple[CheckConstraint, ...]:
    return (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_range"),
        CheckConstraint('"end" > start', name="end_after_start"),
        CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_to >= valid_from",
            name="valid_range",
        ),
    )


class LocationWindow(_WeeklyWindowColumns, Versioned, Base):
    __tablename__ = "location_windows"
    __table_args__ = _weekly_checks()

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))


class LocationOneOffWindow(Versioned, Base):
    __tablename__ = "location_one_off_windows"
    __table_args__ = (CheckConstraint('"end" > start', name="end_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)


class _DateRangeColumns:
    id: Mapped[int] = mapped_column(primary_key=True)
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")


class LocationClosure(_DateRangeColumns, Versioned, Base):
    __tablename__ = "location_closures"
    __table_args__ = (CheckConstraint("last >= first", name="last_not_before_first"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))


class Holiday(Versioned, Base):
    """A campus-wide day range without sessions (public holidays, school holidays Noord)."""

    __tablename__ = "holidays"
    __table_args__ = (
        CheckConstraint("last >= first", name="last_not_before_first"),
        CheckConstraint(_in("kind", HOLIDAY_KINDS), name="kind"),
        UniqueConstraint("name", "first"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)


class Trainer(Versioned, Base):
    __tablename__ = "trainers"
    __table_args__ = (
        CheckConstraint(
            "max_minutes_per_week IS NULL OR max_minutes_per_week >= 0", name="max_minutes"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    certified: Mapped[bool] = mapped_column(Boolean, default=False)
    max_minutes_per_week: Mapped[int | None] = mapped_column(Integer, default=None)
    home_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL"), default=None
    )

    partner: Mapped[Partner] = relationship()
    home_location: Mapped[Location | None] = relationship()
    qualifications: Mapped[list[TrainerQualification]] = relationship(
        cascade="all, delete-orphan", order_by="TrainerQualification.qualification"
    )
    windows: Mapped[list[TrainerWindow]] = relationship(
        cascade="all, delete-orphan", order_by="TrainerWindow.id"
    )
    absences: Mapped[list[TrainerAbsence]] = relationship(
        cascade="all, delete-orphan", order_by="TrainerAbsence.id"
    )


class TrainerQualification(Base):
    __tablename__ = "trainer_qualifications"

    trainer_id: Mapped[int] = mapped_column(
        ForeignKey("trainers.id", ondelete="CASCADE"), primary_key=True
    )
    qualification: Mapped[str] = mapped_column(String(80), primary_key=True)


class TrainerWindow(_WeeklyWindowColumns, Versioned, Base):
    __tablename__ = "trainer_windows"
    __table_args__ = _weekly_checks()

    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))


class TrainerAbsence(_DateRangeColumns, Versioned, Base):
    """A trainer away for whole days; ``category`` says why (models/absences.py), and
    ``reason`` stays empty: no free text about a person's health is kept."""

    __tablename__ = "trainer_absences"
    __table_args__ = (
        CheckConstraint("last >= first", name="last_not_before_first"),
        CheckConstraint(_in("category", ABSENCE_CATEGORIES), name="category"),
    )

    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(20), default="other", server_default="other")


class ActivityType(Versioned, Base):
    __tablename__ = "activity_types"
    __table_args__ = (
        CheckConstraint(_in("kind", ACTIVITY_KINDS), name="kind"),
        CheckConstraint(_in("audience", AUDIENCES), name="audience"),
        CheckConstraint(_in("team", TEAMS), name="team"),
        CheckConstraint("sessions >= 1", name="sessions_positive"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("min_days_between >= 0", name="min_days_not_negative"),
        CheckConstraint(
            "max_days_between IS NULL OR max_days_between >= min_days_between",
            name="max_days_not_below_min",
        ),
        CheckConstraint("min_participants >= 1", name="min_participants_positive"),
        CheckConstraint(
            "max_participants IS NULL OR max_participants >= min_participants",
            name="max_participants_not_below_min",
        ),
        CheckConstraint(
            "participants_per_trainer IS NULL OR participants_per_trainer > 0",
            name="participants_per_trainer_positive",
        ),
        CheckConstraint("min_distinct_days >= 0", name="min_distinct_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    audience: Mapped[str] = mapped_column(String(20))
    team: Mapped[str] = mapped_column(String(10))
    sessions: Mapped[int] = mapped_column(Integer, default=1)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    min_days_between: Mapped[int] = mapped_column(Integer, default=0)
    max_days_between: Mapped[int | None] = mapped_column(Integer, default=None)
    same_location: Mapped[bool] = mapped_column(Boolean, default=False)
    min_participants: Mapped[int] = mapped_column(Integer, default=1)
    max_participants: Mapped[int | None] = mapped_column(Integer, default=None)
    qualification: Mapped[str | None] = mapped_column(String(80), default=None)
    participants_per_trainer: Mapped[int | None] = mapped_column(Integer, default=None)
    at_school: Mapped[bool] = mapped_column(Boolean, default=False)
    capacity_soft: Mapped[bool] = mapped_column(Boolean, default=False)
    min_distinct_days: Mapped[int] = mapped_column(Integer, default=0)

    equipment: Mapped[list[ActivityEquipment]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityEquipment.equipment_type_id"
    )


class ActivityEquipment(Base):
    __tablename__ = "activity_equipment"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("per IN ('group', 'participant')", name="per"),
    )

    activity_type_id: Mapped[int] = mapped_column(
        ForeignKey("activity_types.id", ondelete="CASCADE"), primary_key=True
    )
    equipment_type_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_types.id", ondelete="RESTRICT"), primary_key=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    per: Mapped[str] = mapped_column(String(20), default="group")

    equipment_type: Mapped[EquipmentType] = relationship()


class Group(Versioned, Base):
    __tablename__ = "groups"
    __table_args__ = (
        CheckConstraint("headcount > 0", name="headcount_positive"),
        CheckConstraint(
            "max_travel_minutes IS NULL OR max_travel_minutes >= 0", name="max_travel"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(50), default="")
    headcount: Mapped[int] = mapped_column(Integer)
    home_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL"), default=None
    )
    max_travel_minutes: Mapped[int | None] = mapped_column(Integer, default=None)

    school: Mapped[Partner] = relationship()
    home_location: Mapped[Location | None] = relationship()
    windows: Mapped[list[GroupWindow]] = relationship(
        cascade="all, delete-orphan", order_by="GroupWindow.id"
    )
    unavailable: Mapped[list[GroupUnavailability]] = relationship(
        cascade="all, delete-orphan", order_by="GroupUnavailability.id"
    )


class GroupWindow(_WeeklyWindowColumns, Versioned, Base):
    __tablename__ = "group_windows"
    __table_args__ = _weekly_checks()

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))


class GroupUnavailability(Base):
    """Whole days a group cannot come at all (exam weeks, internship/BPV, a trip): its school
    declares them, and the engine plans none of the group's sessions on them."""

    __tablename__ = "group_unavailability"
    __table_args__ = (
        CheckConstraint("last >= first", name="last_not_before_first"),
        CheckConstraint(_in("reason", GROUP_AWAY_REASONS), name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")


class Request(Versioned, Base):
    __tablename__ = "requests"
    __table_args__ = (
        CheckConstraint("latest >= earliest", name="latest_not_before_earliest"),
        CheckConstraint("priority >= 1", name="priority_positive"),
        CheckConstraint(_in("status", REQUEST_STATUSES), name="status"),
        CheckConstraint(
            "preferred_time_of_day IS NULL OR " + _in("preferred_time_of_day", TIMES_OF_DAY),
            name="preferred_time_of_day",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    activity_type_id: Mapped[int] = mapped_column(
        ForeignKey("activity_types.id", ondelete="RESTRICT")
    )
    earliest: Mapped[date] = mapped_column(Date)
    latest: Mapped[date] = mapped_column(Date)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("trainers.id", ondelete="SET NULL"), default=None
    )
    preferred_weekdays: Mapped[str] = mapped_column(String(20), default="")  # "2,4"
    preferred_time_of_day: Mapped[str | None] = mapped_column(String(20), default=None)
    status: Mapped[str] = mapped_column(String(20), default="accepted")  # as in files
    note: Mapped[str] = mapped_column(Text, default="")
    # The planner's decision (accept or decline) and the school's withdrawal.
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    activity_type: Mapped[ActivityType] = relationship()
    trainer: Mapped[Trainer | None] = relationship()
    groups: Mapped[list[RequestGroup]] = relationship(
        cascade="all, delete-orphan", order_by="RequestGroup.position"
    )
    preferred_partners: Mapped[list[RequestPreferredPartner]] = relationship(
        cascade="all, delete-orphan", order_by="RequestPreferredPartner.partner_id"
    )
    preferred_locations: Mapped[list[RequestPreferredLocation]] = relationship(
        cascade="all, delete-orphan", order_by="RequestPreferredLocation.location_id"
    )


class RequestGroup(Base):
    """A group attending a request; several groups make a combined class."""

    __tablename__ = "request_groups"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="RESTRICT"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[Group] = relationship()


class RequestPreferredPartner(Base):
    __tablename__ = "request_preferred_partners"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )

    partner: Mapped[Partner] = relationship()


class RequestPreferredLocation(Base):
    __tablename__ = "request_preferred_locations"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )

    location: Mapped[Location] = relationship()


class TravelOverride(Base):
    """A measured travel time that replaces the one computed from coordinates."""

    __tablename__ = "travel_overrides"
    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        CheckConstraint("from_location_id <> to_location_id", name="distinct_places"),
    )

    from_location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    to_location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    minutes: Mapped[int] = mapped_column(Integer)

    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])


class SolveRun(Base):
    """One solve: its horizon, parameters, figures and log; its assignments hang off it."""

    __tablename__ = "solve_runs"
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. 2027-W05
    last_week: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="running")
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    objective: Mapped[int | None] = mapped_column(Integer, default=None)
    bound: Mapped[float | None] = mapped_column(Float, default=None)
    gap: Mapped[float | None] = mapped_column(Float, default=None)
    wall_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    first_solution_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    log: Mapped[str] = mapped_column(Text, default="")
    # The lease of a running solve (models/runs.py): the solving process renews
    # heartbeat_at; a run still "running" lease_seconds after its last heartbeat is failed.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    lease_seconds: Mapped[float] = mapped_column(Float, default=60.0, server_default="60")
    # Background solves (models/runner.py): when the data snapshot was taken, the live
    # progress the solving process writes (throttled), the counts of the result, a cancel
    # request the solving process watches, and which runner runs it.
    snapshot_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    progress_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    progress_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    progress_objective: Mapped[float | None] = mapped_column(Float, default=None)
    progress_bound: Mapped[float | None] = mapped_column(Float, default=None)
    progress_gap: Mapped[float | None] = mapped_column(Float, default=None)
    progress_placed: Mapped[int | None] = mapped_column(Integer, default=None)
    # travel minutes of the plan last reported (groups, trainers; None: not reported)
    progress_group_travel: Mapped[int | None] = mapped_column(Integer, default=None)
    progress_trainer_travel: Mapped[int | None] = mapped_column(Integer, default=None)
    requests_total: Mapped[int | None] = mapped_column(Integer, default=None)
    requests_scheduled: Mapped[int | None] = mapped_column(Integer, default=None)
    cancel_requested_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
    runner: Mapped[str] = mapped_column(String(200), default="", server_default="")

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="Assignment.id"
    )


class Assignment(Base):
    """One session placed by a run: where, when, with whom; UID/SEQUENCE feed the calendars."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint('"end" > start', name="end_after_start"),
        CheckConstraint("session_index >= 1", name="session_index_positive"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        UniqueConstraint("run_id", "request_id", "session_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("solve_runs.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    session_index: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    start: Mapped[datetime] = mapped_column(DateTime)  # naive Europe/Amsterdam wall time
    end: Mapped[datetime] = mapped_column(DateTime)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    published_version: Mapped[int | None] = mapped_column(Integer, default=None)
    uid: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    run: Mapped[SolveRun] = relationship(back_populates="assignments")
    request: Mapped[Request] = relationship()
    location: Mapped[Location] = relationship()
    trainers: Mapped[list[AssignmentTrainer]] = relationship(
        cascade="all, delete-orphan", order_by="AssignmentTrainer.trainer_id"
    )


class AssignmentTrainer(Base):
    __tablename__ = "assignment_trainers"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    trainer_id: Mapped[int] = mapped_column(
        ForeignKey("trainers.id", ondelete="RESTRICT"), primary_key=True
    )

    trainer: Mapped[Trainer] = relationship()


def session_uid(request_key: str, session_index: int) -> str:
    """Calendar UID of a session: stable for (request, session) across solves and publishes."""
    return f"{request_key}-s{session_index}@tic-planner.campus"


# --- Publishing and calendar feeds -------------------------------------------------------

SESSION_STATUSES = ("confirmed", "cancelled")
FEED_VIEWS = ("school", "group", "trainer", "location", "company", "campus")


class Publication(Base):
    """One `campus publish`: which run became the published plan, and when.

    Versions only grow; the newest one is the plan in force, older ones stay as history.
    """

    __tablename__ = "publications"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("solve_runs.id", ondelete="RESTRICT"))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    run: Mapped[SolveRun] = relationship()


class PublishedSession(Base):
    """A session as subscribers last saw it: one row per calendar UID, kept across publishes.

    It is a snapshot (time, place, trainers, status) so that a cancelled session can still be
    shown after its run is gone from the plan, and so that publish can tell what changed.
    """

    __tablename__ = "published_sessions"
    __table_args__ = (
        CheckConstraint('"end" > start', name="end_after_start"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(_in("status", SESSION_STATUSES), name="status"),
        UniqueConstraint("request_id", "session_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(200), unique=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    session_index: Mapped[int] = mapped_column(Integer)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), default=None
    )
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    start: Mapped[datetime] = mapped_column(DateTime)  # naive Europe/Amsterdam wall time
    end: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="RESTRICT")
    )

    request: Mapped[Request] = relationship()
    location: Mapped[Location] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    trainers: Mapped[list[PublishedSessionTrainer]] = relationship(
        cascade="all, delete-orphan", order_by="PublishedSessionTrainer.trainer_id"
    )


class PublishedSessionTrainer(Base):
    __tablename__ = "published_session_trainers"

    published_session_id: Mapped[int] = mapped_column(
        ForeignKey("published_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    trainer_id: Mapped[int] = mapped_column(
        ForeignKey("trainers.id", ondelete="RESTRICT"), primary_key=True
    )

    trainer: Mapped[Trainer] = relationship()


class ReplanMark(Base):
    """A published session that a confirmed change (closure, absence, shrunk window) broke.

    The planner sees the open marks; the next solve re-plans those sessions. ``resolved_at``
    is set when a publication has moved or cancelled the session.
    """

    __tablename__ = "replan_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    published_session_id: Mapped[int] = mapped_column(
        ForeignKey("published_sessions.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    published_session: Mapped[PublishedSession] = relationship()


class Pin(Base):
    """A session of the published plan that every later solve keeps where it is.

    Keyed by request and session number (as the calendar UID is), so it survives later
    publications; its placement is the published session's (models/pins.py).
    """

    __tablename__ = "pins"
    __table_args__ = (
        CheckConstraint("session_index >= 1", name="session_index_positive"),
        UniqueConstraint("request_id", "session_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    session_index: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200), default="")

    request: Mapped[Request] = relationship()


CHANGE_KINDS = ("cancel", "move")
CHANGE_STATUSES = ("open", "moved", "cancelled", "refused")


class ChangeRequest(Versioned, Base):
    """A school, company or trainer asks to cancel or move one published session.

    The planner decides (models/change_requests.py): ``moved`` and ``cancelled`` name the
    run the decision made (to review and publish like any other), ``refused`` has a reason.
    Who asked is stored by key, like an API key's scope.
    """

    __tablename__ = "change_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", CHANGE_KINDS), name="kind"),
        CheckConstraint(_in("status", CHANGE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    published_session_id: Mapped[int] = mapped_column(
        ForeignKey("published_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    wish: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    asked_role: Mapped[str] = mapped_column(String(20))
    asked_partner: Mapped[str | None] = mapped_column(String(80), default=None)
    asked_trainer: Mapped[str | None] = mapped_column(String(80), default=None)
    asked_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("solve_runs.id", ondelete="SET NULL"), default=None
    )

    published_session: Mapped[PublishedSession] = relationship()


class FeedToken(Base):
    """A secret feed URL for one subscriber and view; only the token's SHA-256 is stored.

    A subject may have several working tokens (one per teacher), told apart by their labels.
    ``active`` is TRUE while the token works and NULL once revoked: the unique constraint then
    allows one working token per (view, subject, label) and any number of revoked ones.
    ``last_fetched_at`` is coarse (written at most once an hour, models/feeds.py).
    """

    __tablename__ = "feed_tokens"
    __table_args__ = (
        CheckConstraint(_in("view", FEED_VIEWS), name="view"),
        CheckConstraint(
            "(active IS NULL) = (revoked_at IS NOT NULL)", name="active_iff_not_revoked"
        ),
        UniqueConstraint("view", "subject_key", "label", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    view: Mapped[str] = mapped_column(String(20))
    subject_key: Mapped[str] = mapped_column(String(80))  # "" for the campus view
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    active: Mapped[bool | None] = mapped_column(Boolean, default=True)
    last_fetched_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )


class FeedState(Base):
    """The last bytes served for a view, so Last-Modified is monotonic and moves on deletions.

    Data timestamps cannot say when a session left a feed (window, grace period, a trainer
    swap); the feed's own ETag history can.
    """

    __tablename__ = "feed_states"
    __table_args__ = (CheckConstraint(_in("view", FEED_VIEWS), name="view"),)

    view: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    etag: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


API_ROLES = ("planner", "company", "school", "trainer")


class ApiKey(Base):
    """A bearer key of the HTTP API; only its SHA-256 is stored, like a feed token's.

    Partner and trainer are stored by key (as feed tokens store their subject), so loading a
    scenario file never fails on a key; a key whose partner or trainer is gone sees nothing.
    """

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(_in("role", API_ROLES), name="role"),
        CheckConstraint(
            "(partner_key IS NOT NULL) = (role IN ('company', 'school'))", name="partner_iff_role"
        ),
        CheckConstraint("(trainer_key IS NOT NULL) = (role = 'trainer')", name="trainer_iff_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    partner_key: Mapped[str | None] = mapped_column(String(80), default=None)
    trainer_key: Mapped[str | None] = mapped_column(String(80), default=None)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


AUDIT_ACTIONS = ("create", "update", "delete", "erase")


class AuditEvent(Base):
    """One write, as it happened: who, when, which entity, each changed field's old and new.

    Rows are only ever added (models/audit.py); the exceptions are pruning after the campus's
    retention period and ``campus erase``, which anonymises a person (docs/privacy.md).
    """

    __tablename__ = "audit_events"
    __table_args__ = (CheckConstraint(_in("action", AUDIT_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_role: Mapped[str] = mapped_column(String(20))  # a key's role, or "cli"
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    actor_key_id: Mapped[int | None] = mapped_column(Integer, default=None)
    entity: Mapped[str] = mapped_column(String(40))  # "location", "request", ...
    entity_key: Mapped[str] = mapped_column(String(200))  # "ww-hal", "ww-hal/one-off/12"
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> [old, new]


class CampusSettingsRow(Versioned, Base):
    """The campus's settings as one JSON document (models/settings.py gives it its shape)."""

    __tablename__ = "campus_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- Telling people: change notices (models/notices.py) ----------------------------------

NOTICE_KINDS = ("plan_changes", "request_decision", "session_request_decision", "planner_alert")
NOTICE_PARTIES = ("school", "company", "trainer", "planner")
# pending/failed: to be sent (failed ones are retried by `campus notices send`); sending: a
# sender has claimed it (at email_tried_at); sent; and the two that stay in the API only: no
# address for the party, or mail off when it was made.
EMAIL_STATUSES = ("pending", "sending", "sent", "failed", "no_address", "mail_off")


class Notice(Base):
    """One message to one party (a school, a company, a trainer or the planners).

    Written in the transaction of what it tells (a publication, a decision, a change that
    broke published sessions); e-mailed only after that transaction committed, so a mail
    failure never undoes it: it is recorded here (``email_status``, ``email_error``) and
    retried. ``changes`` holds the same facts as the text, structured, for API clients.
    """

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(_in("kind", NOTICE_KINDS), name="kind"),
        CheckConstraint(_in("party_role", NOTICE_PARTIES), name="party_role"),
        CheckConstraint(_in("language", LANGUAGES), name="language"),
        CheckConstraint(_in("email_status", EMAIL_STATUSES), name="email_status"),
        CheckConstraint("email_attempts >= 0", name="email_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    party_role: Mapped[str] = mapped_column(String(20))
    party_key: Mapped[str] = mapped_column(String(80), default="")  # "" for the planners
    party_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(2), default="nl")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    publication_id: Mapped[int | None] = mapped_column(
        ForeignKey("publications.id", ondelete="SET NULL"), default=None, index=True
    )
    email_to: Mapped[str] = mapped_column(String(200), default="")
    email_status: Mapped[str] = mapped_column(String(20), default="no_address")
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_error: Mapped[str] = mapped_column(String(500), default="")
    email_tried_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    publication: Mapped[Publication | None] = relationship()
# --- What actually happened: attendance, and the secret that signs session-page links ---------


class SessionAttendance(Versioned, Base):
    """Whether a published session was held and how many attended, as a trainer or planner
    marked it (models/attendance.py). One row per session; re-marking updates it (If-Match).

    ``attended`` is NULL for a session that was not held.
    """

    __tablename__ = "session_attendance"
    __table_args__ = (
        CheckConstraint("attended IS NULL OR attended >= 0", name="attended_not_negative"),
        CheckConstraint("held OR attended IS NULL", name="attended_only_if_held"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    published_session_id: Mapped[int] = mapped_column(
        ForeignKey("published_sessions.id", ondelete="CASCADE"), unique=True
    )
    held: Mapped[bool] = mapped_column(Boolean)
    attended: Mapped[int | None] = mapped_column(Integer, default=None)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    marked_by: Mapped[str] = mapped_column(String(200), default="")  # the actor's label

    published_session: Mapped[PublishedSession] = relationship()


class CampusSecret(Base):
    """A secret the campus generates once and keeps in its database (never in the repository):
    ``session-links`` signs the session-page links of the calendar feeds (docs/feeds.md)."""

    __tablename__ = "campus_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in browser of the web pages (api/web): the cookie holds a random id, the
    database only its SHA-256, so a stolen backup signs nobody in.

    The session speaks for one API key (its role and scope); a revoked or expired key ends it,
    and deleting the key deletes it. ``csrf_token`` is what every form of the session sends
    back: it is no credential by itself (without the cookie it opens nothing).
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    api_key: Mapped[ApiKey] = relationship()
