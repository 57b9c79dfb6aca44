"""Travel minutes between places, computed from coordinates unless a measured time is given.

The campus spans the Amsterdam metropolitan area; pupils and trainers travel by public
transport, bike or van. We estimate door-to-door minutes from the straight-line distance:

    minutes = ceil(FIXED_MINUTES + DETOUR * km / SPEED_KMH * 60)   (0 for the same place)

with FIXED_MINUTES = 10 (walking to the stop, waiting, finding the room), DETOUR = 1.3
(roads are not straight lines) and SPEED_KMH = 25 (average of tram, metro, bus and train in
the region). A measured matrix (scenario ``travel:`` entries) overrides single pairs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

FIXED_MINUTES = 10
DETOUR = 1.3
SPEED_KMH = 25.0
EARTH_RADIUS_KM = 6371.0


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def estimate_minutes(a: tuple[float, float], b: tuple[float, float]) -> int:
    if a == b:
        return 0
    return math.ceil(FIXED_MINUTES + DETOUR * distance_km(a, b) / SPEED_KMH * 60)


def travel_matrix(
    places: Mapping[str, tuple[float, float]],
    overrides: Iterable[tuple[str, str, int]] = (),
) -> dict[tuple[str, str], int]:
    """Minutes for every unordered pair of distinct places (key sorted), overrides applied."""
    keys = sorted(places)
    matrix: dict[tuple[str, str], int] = {}
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            matrix[(a, b)] = estimate_minutes(places[a], places[b])
    for a, b, minutes in overrides:
        matrix[(a, b) if a < b else (b, a)] = minutes
    return matrix
