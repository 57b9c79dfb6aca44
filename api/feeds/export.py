"""Static export: the same feeds as .ics files, for hosting on any web server."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from api.feeds.ical import render_feed
from api.feeds.settings import FeedSettings
from api.files import write_atomic
from models.feeds import FeedSubject, all_subjects, feed_data


def export_path(out: Path, subject: FeedSubject) -> Path:
    """``campus.ics`` for the planner, ``<view>/<key>.ics`` for everyone else."""
    if subject.view == "campus":
        return out / "campus.ics"
    return out / subject.view / f"{subject.key}.ics"


def export_feeds(
    session: Session, out: Path, *, settings: FeedSettings, now: datetime
) -> tuple[list[Path], list[Path]]:
    """Write every subscriber's feed; returns (written, unchanged).

    A file whose bytes did not change is left alone, so the web server's Last-Modified and
    ETag stay put; changed files are replaced atomically (never half-written).
    """
    written: list[Path] = []
    unchanged: list[Path] = []
    for subject in all_subjects(session):
        body = render_feed(
            feed_data(session, subject, now=now, window=settings.window),
            refresh=settings.refresh,
            base_url=settings.public_url,
        )
        path = export_path(out, subject)
        if path.exists() and path.read_bytes() == body:
            unchanged.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, body)
        written.append(path)
    return written, unchanged
