"""Liveness and database reachability, for monitors and for tests that wait on startup."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import SessionDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


@router.get(
    "/health",
    operation_id="getHealth",
    responses={
        500: {
            "description": "the database is unreachable",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
def health(session: SessionDep) -> Health:
    """200 while the service and its database answer."""
    session.execute(text("SELECT 1"))
    return Health(status="ok", database="ok")
