"""Campus settings: stored in the database (one row), edited by planners through API and CLI.

The shape and defaults live here, in one frozen model; a campus that never saved settings
gets the defaults. Stored documents are read leniently (a field added in a later release
takes its default), written strictly. Changes are partial (``update_settings``): nested
sections merge field by field, the result is validated as a whole and audited.

No secret is ever stored: the mail password stays in the server's environment, and the
settings only name the variable that holds it (``mail.password_env``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from sqlalchemy.orm import Session

from models import entities as e
from models.audit import Actor, diff, json_value, record
from models.scenario import validation_reason
from models.text import SINGLE_LINE, excerpt

MAX_TARGET = 1_000_000
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


_PASSWORD_FIELDS = ("password", "smtp_password", "pass", "secret")
NO_PASSWORD = (
    "a password is never stored in the settings: put it in an environment variable of the "
    "server and name that variable in mail.password_env"
)


def refuse_password(value: Any) -> Any:
    """Refuse a password under any spelling of the field, with what to do instead."""
    if isinstance(value, Mapping) and any(str(k).lower() in _PASSWORD_FIELDS for k in value):
        raise ValueError(NO_PASSWORD)
    return value


def _password_paths(changes: Mapping[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for name, value in changes.items():
        if str(name).lower() in _PASSWORD_FIELDS:
            paths.append(f"{prefix}{name}")
        elif isinstance(value, Mapping):
            paths += _password_paths(value, f"{prefix}{name}.")
    return paths


def _text_date(value: Any) -> Any:
    """JSON and the CLI give dates as text; a number would be read as seconds since 1970."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"must be a date written as 'YYYY-MM-DD' (got {excerpt(value)})")
    return value


Day = Annotated[date, BeforeValidator(_text_date)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class SchoolYear(_Section):
    """The school year the campus plans in (the first and the last day)."""

    first: Day
    last: Day

    @model_validator(mode="after")
    def _ordered(self) -> SchoolYear:
        if self.last <= self.first:
            raise ValueError(f"last {self.last} is not after first {self.first}")
        if (self.last - self.first).days > 400:
            raise ValueError(f"{self.first}..{self.last} is longer than a year")
        return self


class YearlyTargets(_Section):
    """How many participants the campus aims to reach in a school year, per audience."""

    vmbo_pupils: int = Field(strict=True, default=600, ge=0, le=MAX_TARGET)
    mbo_students: int = Field(strict=True, default=800, ge=0, le=MAX_TARGET)
    job_seekers: int = Field(strict=True, default=50, ge=0, le=MAX_TARGET)


class MailSettings(_Section):
    """How the campus sends mail (used by the notifications of the next issue).

    The password is not here: ``password_env`` names the server's environment variable that
    holds it (empty: the server sends without logging in).
    """

    enabled: bool = Field(default=False, strict=True)
    smtp_host: Annotated[str, Field(max_length=253), SINGLE_LINE] = ""
    smtp_port: int = Field(strict=True, default=587, ge=1, le=65535)
    starttls: bool = Field(default=True, strict=True)
    sender: Annotated[str, Field(max_length=200), SINGLE_LINE] = ""
    username: Annotated[str, Field(max_length=200), SINGLE_LINE] = ""
    password_env: Annotated[str, Field(max_length=128)] = ""

    @model_validator(mode="before")
    @classmethod
    def _refuse_password(cls, data: Any) -> Any:
        return refuse_password(data)

    @model_validator(mode="after")
    def _usable(self) -> MailSettings:
        if self.smtp_host and not _HOST.match(self.smtp_host):
            raise ValueError(f"smtp_host {excerpt(self.smtp_host)} is not a host name")
        if self.sender and not _ADDRESS.match(self.sender):
            raise ValueError(f"sender {excerpt(self.sender)} is not an e-mail address")
        if self.password_env and not _ENV_NAME.match(self.password_env):
            raise ValueError(
                f"password_env {excerpt(self.password_env)} is not the name of an environment "
                "variable (capitals, digits and '_', e.g. CAMPUS_SMTP_PASSWORD)"
            )
        if self.enabled and not (self.smtp_host and self.sender):
            raise ValueError("mail can only be enabled with an smtp_host and a sender")
        return self


class CampusSettings(BaseModel):
    """What the campus decides for itself (docs/api.md, "Campus settings")."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    withdrawal_cutoff_working_days: int = Field(
        strict=True,
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
        strict=True,
        default=730,
        ge=30,
        le=3650,
        description="Audit entries and trainer absences older than this are pruned (AVG).",
    )
    school_year: SchoolYear | None = Field(
        default=None, description="The school year's first and last day; null: not set yet."
    )
    horizon_weeks: int = Field(
        strict=True,
        default=6, ge=1, le=52, description="How many weeks ahead a rolling solve plans."
    )
    targets: YearlyTargets = Field(
        default=YearlyTargets(), description="Participants to reach in a school year."
    )
    mail: MailSettings = Field(
        default=MailSettings(), description="Outgoing mail; never holds a password."
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_password(cls, data: Any) -> Any:
        return refuse_password(data)


# Sections only planners read through the API (the others are campus facts everyone may know).
PLANNER_ONLY = ("mail",)


def load_settings(session: Session) -> CampusSettings:
    row = session.get(e.CampusSettingsRow, 1)
    if row is None:
        return CampusSettings()
    known = {k: v for k, v in row.data.items() if k in CampusSettings.model_fields}
    try:
        return CampusSettings.model_validate(known)
    except ValidationError:  # a section written by an older release: keep what still fits
        fitting = {}
        for name, value in known.items():
            try:
                CampusSettings.model_validate({name: value})
            except ValidationError:
                continue
            fitting[name] = value
        return CampusSettings.model_validate(fitting)


@dataclass(frozen=True)
class SettingsIssue:
    """One field of a change that cannot be saved: its dotted path and why."""

    path: str  # "targets.vmbo_pupils", "mail" (a rule across the section's fields)
    reason: str


class SettingsError(ValueError):
    def __init__(self, issues: list[SettingsIssue]) -> None:
        super().__init__("; ".join(f"{i.path}: {i.reason}" for i in issues))
        self.issues = issues


def _merged(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` applied; a mapping merges into a mapping field by field."""
    out = dict(current)
    for name, value in changes.items():
        old = out.get(name)
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            out[name] = _merged(old, value)
        else:
            out[name] = value
    return out


def _dotted(path: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in path if not str(part).startswith("function-")) or "$"


def flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"targets.vmbo_pupils": 600, ...}: one entry per leaf, as the audit records changes."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, Mapping):
            out.update(flat(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def validate_change(current: CampusSettings, changes: Mapping[str, Any]) -> CampusSettings:
    """The settings after a partial change, or SettingsError naming every bad field."""
    if not isinstance(changes, Mapping):
        raise SettingsError([SettingsIssue("$", "must be a mapping of fields")])
    if secrets := _password_paths(changes):  # named at its own path; its value is never shown
        raise SettingsError([SettingsIssue(path, NO_PASSWORD) for path in secrets])
    data = _merged(current.model_dump(mode="json"), changes)
    try:
        return CampusSettings.model_validate(data)
    except ValidationError as exc:
        issues = []
        for error in exc.errors():
            reason = validation_reason(error)
            if error["type"] == "extra_forbidden":
                reason = "unknown field: check the spelling (docs/api.md lists the settings)"
            issues.append(SettingsIssue(_dotted(tuple(error["loc"])), reason))
        raise SettingsError(issues) from None


def update_settings(
    session: Session, changes: Mapping[str, Any], *, actor: Actor, now: datetime
) -> tuple[CampusSettings, dict[str, list[Any]]]:
    """Apply a partial change, store it and audit it; returns the new settings and the changes.

    The caller flushes: the row's version makes a concurrent writer's change fail (412).
    """
    current = load_settings(session)
    new = validate_change(current, changes)
    before = flat(current.model_dump(mode="json"))
    after = flat(new.model_dump(mode="json"))
    changed = diff(before, after)
    if not changed:
        return new, {}
    row = session.get(e.CampusSettingsRow, 1)
    if row is None:
        row = e.CampusSettingsRow(id=1, data={})
        session.add(row)
    row.data = json_value(new.model_dump(mode="json"))
    record(session, actor, entity="settings", key="campus", action="update",
           changes=changed, now=now)  # fmt: skip
    return new, changed


def settings_version(session: Session) -> int:
    """The stored row's version; 0 while the campus has never saved its settings."""
    row = session.get(e.CampusSettingsRow, 1)
    return 0 if row is None else row.version
