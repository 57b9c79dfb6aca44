"""The reasons an explanation gives: stable codes and the ``Reason`` value that carries one.

Their own module because both analyses produce them: the domain analysis in
``scheduler.explain`` and the CP-SAT assumption cores in ``scheduler.cpsat.why``, which
``scheduler.explain`` calls; neither has to import the other for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Code(StrEnum):
    """Stable reason codes (a ``StrEnum``, so they compare equal to plain strings)."""

    PARTICIPANTS_OUT_OF_RANGE = "participants_out_of_range"
    AT_SCHOOL_GROUPS_DIFFER = "at_school_groups_differ"
    NO_DAYS_IN_WINDOW = "no_days_in_window"
    NO_LOCATION_FITS = "no_location_fits"
    NO_QUALIFIED_TRAINER = "no_qualified_trainer"
    FIXED_TRAINER_UNQUALIFIED = "fixed_trainer_unqualified"
    FIXED_TRAINER_UNCERTIFIED = "fixed_trainer_uncertified"
    NO_CERTIFIED_TRAINER = "no_certified_trainer"
    FIXED_TRAINER_UNAVAILABLE = "fixed_trainer_unavailable"
    TRAINERS_UNAVAILABLE = "trainers_unavailable"
    GROUP_UNAVAILABLE = "group_unavailable"  # exams, internship, trip on every open day
    NO_COMMON_TIME = "no_common_time"
    SESSIONS_DO_NOT_FIT_WINDOW = "sessions_do_not_fit_window"
    CAPACITY_TAKEN = "capacity_taken"
    NO_COMBINATION = "no_combination"
    # found by CP-SAT assumptions (scheduler.cpsat.why), source "cp-sat"
    BLOCKED_BY_SESSIONS = "blocked_by_sessions"
    TRAINER_HOURS_EXHAUSTED = "trainer_hours_exhausted"
    DAY_GAPS_UNREACHABLE = "day_gaps_unreachable"
    SAME_LOCATION_UNREACHABLE = "same_location_unreachable"
    BLOCKED_IN_COMBINATION = "blocked_in_combination"
    SOLVER_TRADEOFF = "solver_tradeoff"
    # a running course whose frozen sessions are kept but whose next session cannot follow
    COURSE_CANNOT_BE_COMPLETED = "course_cannot_be_completed"


@dataclass(frozen=True, slots=True)
class Reason:
    """One actionable cause; ``source`` says who found it: 'domain' here, 'cp-sat' for cores."""

    code: str
    message: str
    details: Mapping[str, object] = field(default_factory=dict)
    source: str = "domain"


__all__ = ["Code", "Reason"]
