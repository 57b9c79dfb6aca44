"""Campus settings: stored in the database (one row), edited by planners through API and CLI.

The shape and defaults live here, in one frozen model; a campus that never saved settings
gets the defaults. Stored documents are read leniently (a field added in a later release
takes its default), written strictly.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from models import entities as e


class CampusSettings(BaseModel):
    """What the campus decides for itself (docs/api.md, "Campus settings")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    withdrawal_cutoff_working_days: int = Field(
        default=10,
        ge=0,
        le=100,
        description=(
            "A school may withdraw a request until this many working days (Monday-Friday) "
            "before its first planned session, or before its earliest date when nothing is "
            "planned."
        ),
    )
    retention_days: int = Field(
        default=730,
        ge=30,
        le=3650,
        description="Audit entries and trainer absences older than this are pruned (AVG).",
    )


def load_settings(session: Session) -> CampusSettings:
    row = session.get(e.CampusSettingsRow, 1)
    if row is None:
        return CampusSettings()
    known = {k: v for k, v in row.data.items() if k in CampusSettings.model_fields}
    return CampusSettings.model_validate(known)
