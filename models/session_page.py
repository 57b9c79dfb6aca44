"""The page behind a calendar event's URL: one published session as one feed subject sees it.

The link carries the view, the subject and a signature (models/links.py); ``page_data``
answers None for a wrong signature before it reads any session, and for a session the
subject does not (or no longer) see, so the route can give the same 404 for all of them and
never confirm that a session exists. What the page shows is what that subject's feed shows
(models/feeds.py decides privacy, here too), plus the travel time of each group from its
school site and the session's status and last change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import entities as e
from models.feeds import (
    VIEWS,
    FeedError,
    FeedSubject,
    _contact,
    _visible_groups,
    as_utc,
    find_subject,
)
from models.links import link_secret, signature_ok
from models.travel import estimate_minutes
from models.words import DEFAULT_LANGUAGE, Language, language


@dataclass(frozen=True)
class GroupTravel:
    """A group on the page and its travel minutes from its school site (None: unknown)."""

    name: str
    minutes: int | None


@dataclass(frozen=True)
class SessionPage:
    """Everything the page shows, already filtered for the subject."""

    uid: str
    subject: FeedSubject
    language: Language  # the subject's preferred language (the route may override it)
    activity: str
    start: datetime  # naive Amsterdam wall time
    end: datetime
    status: str  # confirmed | cancelled
    sequence: int
    last_modified: datetime  # aware UTC
    groups: tuple[GroupTravel, ...]
    host: str
    host_kind: str  # "school", "company", ...: the label says which (models/words.py host_word)
    location: str
    address: str
    latitude: float
    longitude: float
    at_school: bool
    contact: str
    trainers: tuple[str, ...]
    equipment: tuple[str, ...]
    note: str  # the request's note: the campus view only, as in the feeds


def subject_language(session: Session, subject: FeedSubject) -> Language:
    """The language the subject's partner prefers (a group: its school's); else Dutch."""
    partner: e.Partner | None = None
    if subject.view in ("school", "company"):
        partner = session.scalars(select(e.Partner).where(e.Partner.key == subject.key)).first()
    elif subject.view == "group":
        group = session.scalars(select(e.Group).where(e.Group.key == subject.key)).first()
        partner = group.school if group else None
    elif subject.view == "trainer":
        trainer = session.scalars(select(e.Trainer).where(e.Trainer.key == subject.key)).first()
        partner = trainer.partner if trainer else None
    elif subject.view == "location":
        place = session.scalars(select(e.Location).where(e.Location.key == subject.key)).first()
        partner = place.partner if place else None
    if partner is None or partner.language not in ("nl", "en"):
        return DEFAULT_LANGUAGE
    return language(partner.language)


def travel_minutes(session: Session, start: e.Location | None, end: e.Location) -> int | None:
    """Minutes from ``start`` to ``end`` as the engine counts them (a measured time first)."""
    if start is None:
        return None
    if start.id == end.id:
        return 0
    measured = session.scalars(
        select(e.TravelOverride.minutes).where(
            or_(
                (e.TravelOverride.from_location_id == start.id)
                & (e.TravelOverride.to_location_id == end.id),
                (e.TravelOverride.from_location_id == end.id)
                & (e.TravelOverride.to_location_id == start.id),
            )
        )
    ).first()
    if measured is not None:
        return measured
    return estimate_minutes((start.latitude, start.longitude), (end.latitude, end.longitude))


def page_data(session: Session, uid: str, view: str, key: str, sig: str) -> SessionPage | None:
    """The page of ``uid`` for the subject the link names, or None (404) for anything else."""
    if view not in VIEWS or not sig:
        return None
    if not signature_ok(link_secret(session), view, key, uid, sig):
        return None
    try:
        subject = find_subject(session, view, key)
    except FeedError:  # the subject was deleted since the feed was rendered
        return None
    if subject.key != key:  # the link names the canonical key it was signed for
        return None
    ps = session.scalars(select(e.PublishedSession).where(e.PublishedSession.uid == uid)).first()
    if ps is None:
        return None
    groups = _visible_groups(subject, ps)
    if groups is None:  # e.g. the trainer no longer teaches it: the link stops working
        return None
    activity = ps.request.activity_type
    location = ps.location
    with_school = subject.view not in ("school", "group")
    return SessionPage(
        uid=ps.uid,
        subject=subject,
        language=subject_language(session, subject),
        activity=activity.title,
        start=ps.start,
        end=ps.end,
        status=ps.status,
        sequence=ps.sequence,
        last_modified=as_utc(ps.last_modified),
        groups=tuple(
            GroupTravel(
                f"{g.name} ({g.school.name})" if with_school else g.name,
                travel_minutes(session, g.home_location, location),
            )
            for g in groups
        ),
        host=location.partner.name,
        host_kind=location.partner.kind,
        location=location.name,
        address=location.address or location.partner.address,
        latitude=location.latitude,
        longitude=location.longitude,
        at_school=activity.at_school,
        contact=_contact(location.partner),
        trainers=tuple(t.trainer.name for t in ps.trainers),
        equipment=tuple(q.equipment_type.name for q in activity.equipment),
        note=ps.request.note if subject.view == "campus" else "",
    )
