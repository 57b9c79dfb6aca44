"""TIC Planner's scheduling engine: a validated Problem in, a Solution out.

Pure: nothing here imports SQLAlchemy, FastAPI or icalendar; only ``scheduler.cpsat``
imports ortools.
"""

from scheduler.cpsat import solve
from scheduler.explain import explain
from scheduler.options import Progress, SolveOptions
from scheduler.problem import (
    ALWAYS,
    Activity,
    ActivityCode,
    ActivityKind,
    Availability,
    DatedWindow,
    DateRange,
    EquipmentCode,
    EquipmentNeed,
    Group,
    GroupId,
    History,
    HostHistory,
    Location,
    LocationId,
    PartnerId,
    PlannedSession,
    Preferences,
    Problem,
    ProblemError,
    Request,
    RequestId,
    SchoolHistory,
    TimeOfDay,
    Trainer,
    TrainerId,
    Travel,
    WeeklyWindow,
    Weights,
)
from scheduler.reasons import Reason
from scheduler.solution import Change, Solution, Status
from scheduler.validate import Report, Violation, validate

__all__ = [
    "ALWAYS",
    "Activity",
    "ActivityCode",
    "ActivityKind",
    "Availability",
    "Change",
    "DateRange",
    "DatedWindow",
    "EquipmentCode",
    "EquipmentNeed",
    "Group",
    "GroupId",
    "History",
    "HostHistory",
    "Location",
    "LocationId",
    "PartnerId",
    "PlannedSession",
    "Preferences",
    "Problem",
    "ProblemError",
    "Progress",
    "Reason",
    "Report",
    "Request",
    "RequestId",
    "SchoolHistory",
    "Solution",
    "SolveOptions",
    "Status",
    "TimeOfDay",
    "Trainer",
    "TrainerId",
    "Travel",
    "Violation",
    "WeeklyWindow",
    "Weights",
    "explain",
    "solve",
    "validate",
]
