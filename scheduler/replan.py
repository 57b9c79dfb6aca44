"""What changed against the reference plan: the planner reviews this before publishing."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.problem import PlannedSession
from scheduler.solution import Change


def _same(a: PlannedSession, b: PlannedSession) -> bool:
    return (a.location, a.start, a.end, set(a.trainers)) == (
        b.location,
        b.start,
        b.end,
        set(b.trainers),
    )


def compute_changes(
    reference: Iterable[PlannedSession], sessions: Iterable[PlannedSession]
) -> tuple[Change, ...]:
    """Moved, cancelled and new sessions, ordered by request then index.

    Trainers compare as a set (their order carries no meaning); ``pinned`` is not compared.
    """
    before = {(s.request, s.index): s for s in reference}
    after = {(s.request, s.index): s for s in sessions}
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is not None and new is None:
            changes.append(Change(key[0], key[1], "cancelled", old, None))
        elif old is None and new is not None:
            changes.append(Change(key[0], key[1], "new", None, new))
        elif old is not None and new is not None and not _same(old, new):
            changes.append(Change(key[0], key[1], "moved", old, new))
    return tuple(changes)
