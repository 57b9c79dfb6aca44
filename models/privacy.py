"""Personal data under the AVG (GDPR): retention pruning and erasing one person (docs/privacy.md).

Pruning deletes audit entries and trainer absences older than the campus's retention period.
Erasing a trainer or a partner's contact person removes their name, e-mail and phone from
every table, the audit included, while the plan keeps its shape: published sessions stay
linked to the (now anonymous) trainer, and audit entries keep their fields with the erased
values replaced.

The erase first changes the person's own record, then sweeps every text and JSON column of
every table (so data a later release adds is covered without a change here): whole values
equal to the name or e-mail become the placeholder or blank, and mentions inside longer texts
are replaced. Other people's records (another trainer's name, a partner's contact) are never
changed by the sweep; a match there is reported, as it may be a namesake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, String, delete, func, or_, select, update
from sqlalchemy.orm import Session

from models import entities as e
from models.audit import Actor, record
from models.settings import CampusSettings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ERASED = "(gewist)"  # what replaces a mention in a longer text; Dutch, as planners read it
# Columns that hold another person's own data: the sweep reports matches there, never edits.
OTHER_PEOPLE = frozenset(
    {
        ("trainers", "name"),
        ("trainers", "email"),
        ("partners", "contact_name"),
        ("partners", "contact_email"),
        ("partners", "contact_phone"),
    }
)
KEY_CHARS = r"A-Za-z0-9._-"
# A value shorter than this is replaced only where it is a whole value, never inside a longer
# text: a phone "112" or a name "Bo" would otherwise garble unrelated words.
MIN_MENTION = 4


class ErasureError(ValueError):
    """An erase that cannot be done: the person is not there."""


# ------------------------------------------------------------------------------ retention


@dataclass(frozen=True)
class PruneReport:
    """What a prune removed (or, in a dry run, would remove)."""

    audit_before: datetime  # entries before this moment (UTC)
    absences_before: date  # absences whose last day is before this day
    audit_entries: int
    absences: list[tuple[str, date, date]]  # trainer key, first, last
    notices: int = 0  # change notices (models/notices.py) made before audit_before


def prune(
    session: Session, settings: CampusSettings, *, now: datetime, dry_run: bool = False
) -> PruneReport:
    """Delete audit entries, change notices and ended absences older than
    ``settings.retention_days``.

    An entry is kept exactly ``retention_days`` days; an absence until ``retention_days``
    days after its last day (Amsterdam dates). Pruning is not itself audited: an entry that
    says what was pruned would keep what the retention period removes.
    """
    keep = timedelta(days=settings.retention_days)
    audit_before = now.astimezone(UTC) - keep
    absences_before = now.astimezone(AMSTERDAM).date() - keep
    old_entries = e.AuditEvent.at < audit_before
    count = session.scalar(select(func.count()).select_from(e.AuditEvent).where(old_entries))
    old_notices = e.Notice.created_at < audit_before  # they name people as the audit does
    notices = session.scalar(select(func.count()).select_from(e.Notice).where(old_notices))
    ended = session.execute(
        select(e.TrainerAbsence.id, e.Trainer.key, e.TrainerAbsence.first, e.TrainerAbsence.last)
        .join(e.Trainer, e.Trainer.id == e.TrainerAbsence.trainer_id)
        .where(e.TrainerAbsence.last < absences_before)
        .order_by(e.Trainer.key, e.TrainerAbsence.first)
    ).all()
    if not dry_run:
        session.execute(delete(e.AuditEvent).where(old_entries))
        session.execute(delete(e.Notice).where(old_notices))
        if ended:
            ids = [row.id for row in ended]
            session.execute(delete(e.TrainerAbsence).where(e.TrainerAbsence.id.in_(ids)))
        session.expire_all()  # trainers' loaded absence lists are stale now
    return PruneReport(
        audit_before=audit_before,
        absences_before=absences_before,
        audit_entries=count or 0,
        absences=[(row.key, row.first, row.last) for row in ended],
        notices=notices or 0,
    )


# ------------------------------------------------------------------------------ erasure


@dataclass
class EraseReport:
    """What an erase changed: lines a planner reads, and matches it left alone."""

    subject: str
    changed: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)


class _Scrubber:
    """Replaces a person's values in text: whole values and mentions inside longer text."""

    def __init__(
        self,
        whole: Mapping[str, str],
        mentions: list[tuple[re.Pattern[str], str]],
    ) -> None:
        self.whole = {k.casefold(): v for k, v in whole.items() if k}
        self.mentions = mentions

    def text(self, value: str) -> str:
        replaced = self.whole.get(value.strip().casefold())
        if replaced is not None:
            return replaced
        for pattern, replacement in self.mentions:
            value = pattern.sub(replacement, value)
        return value

    def value(self, value: Any) -> Any:
        """A JSON value with every string (and object key) scrubbed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        return value


def _word(text: str) -> re.Pattern[str]:
    """``text`` as a whole word (or words), any case, any run of spaces between its words."""
    words = [re.escape(part) for part in text.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _key(text: str) -> re.Pattern[str]:
    """A key, where it is not part of a longer key."""
    return re.compile(rf"(?<![{KEY_CHARS}]){re.escape(text)}(?![{KEY_CHARS}])")


def _sweep(session: Session, scrub: _Scrubber, report: EraseReport) -> None:
    """Scrub every text and JSON column of every table (Core updates; versions bumped)."""
    session.flush()
    for table in e.Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | JSON)]
        if not columns:
            continue
        keys = list(table.primary_key.columns)
        changed_rows = 0
        changed_columns: set[str] = set()
        for row in session.execute(select(*keys, *columns)).mappings():
            values: dict[str, Any] = {}
            for column in columns:
                old = row[column.name]
                if old is None:
                    continue
                new = scrub.value(old)
                if new == old:
                    continue
                if (table.name, column.name) in OTHER_PEOPLE:
                    pk = ", ".join(str(row[k.name]) for k in keys)
                    report.left_alone.append(
                        f"{table.name}.{column.name} (row {pk}) also holds it: not changed, "
                        "as it is another person's record (erase that one separately if it "
                        "is the same person)"
                    )
                    continue
                values[column.name] = new
            if not values:
                continue
            if "version" in table.columns:  # the row's ETag must change with it
                values["version"] = table.c.version + 1
            where = [k == row[k.name] for k in keys]
            session.execute(update(table).where(*where).values(**values))
            changed_rows += 1
            changed_columns.update(name for name in values if name != "version")
        if changed_rows:
            report.changed.append(
                f"{table.name}: {changed_rows} row(s) scrubbed "
                f"({', '.join(sorted(changed_columns))})"
            )
    session.expire_all()


def _mentions(
    report: EraseReport, values: list[tuple[str, str, str]]
) -> list[tuple[re.Pattern[str], str]]:
    """Patterns for the values (what, value, replacement) long enough to look for in texts."""
    found = []
    for what, value, replacement in values:
        if len(value.strip()) >= MIN_MENTION:
            found.append((_word(value), replacement))
        elif value.strip():
            report.left_alone.append(
                f"the {what} is shorter than {MIN_MENTION} characters: replaced where it is a "
                "whole value, not looked for inside longer texts"
            )
    return found


def placeholder_name(trainer_id: int) -> str:
    """What an erased trainer is called in feeds and the plan (Dutch: subscribers read it)."""
    return f"Trainer {trainer_id} (gewist)"


def erase_trainer(session: Session, key: str, *, actor: Actor, now: datetime) -> EraseReport:
    """Anonymise trainer ``key``: name, e-mail and key, absences, API keys, feed tokens, audit.

    The trainer row stays (published and planned sessions keep pointing at it) under a
    placeholder name and a new key; qualifications, weekly availability and maximum hours stay,
    as they are no personal data once the person is anonymous. A trainer already deleted is
    still erased from the audit, API keys and feed tokens, with the names and e-mails the
    audit recorded for it.
    """
    trainer = session.scalars(select(e.Trainer).where(e.Trainer.key == key)).one_or_none()
    if trainer is None:
        return _erase_deleted_trainer(session, key, actor=actor, now=now)
    name, email = trainer.name, trainer.email
    placeholder = placeholder_name(trainer.id)
    new_key = f"trainer-{trainer.id}-gewist"
    report = EraseReport(subject=f"trainer {key} -> {new_key} ({placeholder})")
    absences = len(trainer.absences)
    trainer.name, trainer.email, trainer.key = placeholder, "", new_key
    trainer.absences.clear()
    report.changed.append(
        f"trainers: name -> {placeholder!r}, e-mail blanked, key -> {new_key!r}, "
        f"{absences} absence(s) removed"
    )
    _erase_trainer_traces(
        session, report, key, new_key, placeholder, names={name}, emails={email}, now=now
    )
    record(
        session, actor, entity="trainer", key=new_key, action="erase", now=now,
        changes={"name": [None, placeholder], "email": [None, ""], "key": [None, new_key],
                 "absences": [None, []]},
    )  # fmt: skip
    session.flush()
    return report


def _audit_of(session: Session, entity: str, key: str) -> list[e.AuditEvent]:
    """The audit entries of one entity and its parts (``key/absence/3``), oldest first."""
    return list(
        session.scalars(
            select(e.AuditEvent)
            .where(
                e.AuditEvent.entity == entity,
                or_(
                    e.AuditEvent.entity_key == key,
                    e.AuditEvent.entity_key.startswith(key + "/", autoescape=True),
                ),
            )
            .order_by(e.AuditEvent.id)
        )
    )


def _erase_deleted_trainer(
    session: Session, key: str, *, actor: Actor, now: datetime
) -> EraseReport:
    """A trainer no longer in the database: what the audit, keys and tokens still hold."""
    entries = _audit_of(session, "trainer", key)
    names: set[str] = set()
    emails: set[str] = set()
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name, found in (("name", names), ("email", emails)):
            values = changes.get(name)
            if isinstance(values, list):
                found.update(v for v in values if isinstance(v, str) and v.strip())
    keys = session.scalars(select(e.ApiKey.id).where(e.ApiKey.trainer_key == key)).all()
    tokens = session.scalars(
        select(e.FeedToken.id).where(e.FeedToken.view == "trainer", e.FeedToken.subject_key == key)
    ).all()
    if not (entries or keys or tokens):
        raise ErasureError(
            f"no trainer with key {key!r}, and no audit entry, API key or feed token names it"
        )
    placeholder = "Trainer (gewist)"
    new_key = f"trainer-gewist-{now:%Y%m%d%H%M%S}"
    report = EraseReport(subject=f"deleted trainer {key} -> {new_key} ({placeholder})")
    report.changed.append(
        f"trainers: none (deleted); {len(names)} name(s) and {len(emails)} e-mail(s) found in "
        "the audit"
    )
    _erase_trainer_traces(
        session, report, key, new_key, placeholder, names=names, emails=emails, now=now
    )
    record(
        session, actor, entity="trainer", key=new_key, action="erase", now=now,
        changes={"name": [None, placeholder], "email": [None, ""], "key": [None, new_key]},
    )  # fmt: skip
    session.flush()
    return report


def _erase_trainer_traces(
    session: Session,
    report: EraseReport,
    key: str,
    new_key: str,
    placeholder: str,
    *,
    names: set[str],
    emails: set[str],
    now: datetime,
) -> None:
    """Revoke and relabel the trainer's API keys and feed tokens, then sweep every table."""
    api_keys = session.scalars(select(e.ApiKey).where(e.ApiKey.trainer_key == key)).all()
    for row in api_keys:
        row.trainer_key = new_key
        row.label = placeholder
        if row.revoked_at is None:
            row.revoked_at = now
    if api_keys:
        report.changed.append(
            f"api_keys: {len(api_keys)} key(s) of the trainer revoked and relabelled"
        )
    tokens = session.scalars(
        select(e.FeedToken).where(e.FeedToken.view == "trainer", e.FeedToken.subject_key == key)
    ).all()
    for token in tokens:
        token.subject_key = new_key
        token.label = ""
        if token.revoked_at is None:
            token.revoked_at, token.active = now, None
    if tokens:
        report.changed.append(f"feed_tokens: {len(tokens)} trainer feed token(s) revoked")
    session.execute(
        delete(e.FeedState).where(e.FeedState.view == "trainer", e.FeedState.subject_key == key)
    )
    whole = {key: new_key, **dict.fromkeys(emails, ""), **dict.fromkeys(names, placeholder)}
    mentions = [(_key(key), new_key)]
    mentions += _mentions(
        report,
        [("name", name, placeholder) for name in sorted(names, key=len, reverse=True)]
        + [("e-mail", email, ERASED) for email in sorted(emails)],
    )
    _sweep(session, _Scrubber(whole, mentions), report)


def erase_contact(
    session: Session, partner_key: str, *, actor: Actor, now: datetime
) -> EraseReport:
    """Blank partner ``partner_key``'s contact person (name, e-mail, phone) everywhere."""
    partner = session.scalars(select(e.Partner).where(e.Partner.key == partner_key)).one_or_none()
    if partner is None:
        raise ErasureError(f"no partner with key {partner_key!r} (campus export lists them)")
    values = [partner.contact_name, partner.contact_email, partner.contact_phone]
    report = EraseReport(subject=f"the contact person of partner {partner_key}")
    if not any(v.strip() for v in values):
        report.changed.append("partners: the contact person was already blank")
    partner.contact_name = partner.contact_email = partner.contact_phone = ""
    report.changed.append("partners: contact name, e-mail and phone blanked")
    whole = dict.fromkeys(values, "")
    named = zip(("name", "e-mail", "phone"), values, strict=True)
    mentions = _mentions(report, [(what, v, ERASED) for what, v in named])
    _sweep(session, _Scrubber(whole, mentions), report)
    record(
        session, actor, entity="partner", key=partner_key, action="erase", now=now,
        changes={"contact_name": [None, ""], "contact_email": [None, ""],
                 "contact_phone": [None, ""]},
    )  # fmt: skip
    session.flush()
    return report
