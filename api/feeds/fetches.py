"""When each feed token was last fetched, written at most once an hour and never on the hot path.

The feed route knows the stored ``last_fetched_at`` from the query it makes anyway (the token
check). Only when that is an hour old or more does it schedule a write, which runs after the
response has been sent (a background task in a worker thread). In-memory bookkeeping keeps a
burst of polls from scheduling one write each before the first is committed; the conditional
UPDATE (models/feeds.py) keeps several server processes to one write per hour between them.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTask
from starlette.responses import Response

from models.feeds import FETCH_RESOLUTION, as_utc, fetch_due, record_fetch

log = logging.getLogger(__name__)


class FetchRecorder:
    """Schedules and writes the coarse ``last_fetched_at`` of feed tokens for one process."""

    def __init__(self, engine: Engine, *, max_entries: int = 65_536) -> None:
        self.engine = engine
        self.max_entries = max_entries
        self._scheduled: dict[int, datetime] = {}  # token id -> when its write was scheduled
        self._guard = threading.Lock()
        self.writes = 0  # UPDATEs that changed the row: tests read it

    def _due(self, token_id: int, stored: datetime | None, now: datetime) -> bool:
        if not fetch_due(stored, now):
            return False
        with self._guard:
            scheduled = self._scheduled.get(token_id)
            if scheduled is not None and scheduled <= now < scheduled + FETCH_RESOLUTION:
                return False
            if len(self._scheduled) >= self.max_entries:
                self._scheduled = {
                    k: t for k, t in self._scheduled.items() if now - t < FETCH_RESOLUTION
                }
            self._scheduled[token_id] = now
            return True

    def note(
        self, response: Response, token_id: int, stored: datetime | None, now: datetime
    ) -> Response:
        """Attach the write to ``response`` when it is due; the response is returned as is."""
        now = as_utc(now)
        if self._due(token_id, stored, now):
            response.background = BackgroundTask(self.write, token_id, now)
        return response

    def write(self, token_id: int, now: datetime) -> None:
        """The conditional UPDATE in its own transaction; a failure only costs the record."""
        try:
            with self.engine.begin() as connection:
                wrote = record_fetch(connection, token_id, now)
        except SQLAlchemyError:
            log.warning("could not record the fetch of feed token %d", token_id, exc_info=True)
            with self._guard:
                self._scheduled.pop(token_id, None)  # try again with the next poll
            return
        if wrote:
            with self._guard:
                self.writes += 1
