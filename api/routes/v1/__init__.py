"""The versioned HTTP API: /api/v1, one router module per resource (docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes.v1 import groups, location_slots, locations, me, replan_marks, trainers

router = APIRouter(prefix="/api/v1")
router.include_router(me.router)
router.include_router(locations.router)
router.include_router(location_slots.router)
router.include_router(replan_marks.router)
router.include_router(groups.router)
router.include_router(trainers.router)
