"""The versioned HTTP API: /api/v1, one router module per resource (docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes.v1 import (
    attendance,
    audit,
    catalogue,
    change_requests,
    changes,
    groups,
    keys,
    location_slots,
    locations,
    me,
    partners,
    publishing,
    replan_marks,
    report,
    requests,
    school_groups,
    sessions,
    solve_jobs,
    solves,
    trainers,
)
from api.routes.v1 import settings as campus_settings

router = APIRouter(prefix="/api/v1")
router.include_router(me.router)
router.include_router(locations.router)
router.include_router(location_slots.router)
router.include_router(replan_marks.router)
router.include_router(groups.router)
router.include_router(trainers.router)
router.include_router(campus_settings.router)
router.include_router(keys.router)
router.include_router(partners.router)
router.include_router(catalogue.holidays)
router.include_router(catalogue.equipment_types)
router.include_router(catalogue.activity_types)
router.include_router(audit.router)
router.include_router(school_groups.router)
router.include_router(requests.router)
router.include_router(solves.router)
router.include_router(solve_jobs.router)
router.include_router(changes.router)
router.include_router(sessions.router)
router.include_router(change_requests.router)
router.include_router(publishing.router)
router.include_router(publishing.publications)
router.include_router(attendance.router)
router.include_router(report.router)
