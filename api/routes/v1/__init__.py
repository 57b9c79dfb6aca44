"""The versioned HTTP API: /api/v1, one router module per resource (docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes.v1 import locations, me, requests, school_groups

router = APIRouter(prefix="/api/v1")
router.include_router(me.router)
router.include_router(locations.router)
router.include_router(school_groups.router)
router.include_router(requests.router)
