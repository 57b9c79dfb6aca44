"""Travel minutes estimated from coordinates, replaced by measured ones where given."""

from __future__ import annotations

from models.travel import distance_km, estimate_minutes, travel_matrix

DAM = (52.3731, 4.8926)
ZAANDAM = (52.4389, 4.8258)


def test_distance_dam_to_zaandam_is_about_eight_and_a_half_km() -> None:
    assert 8.0 < distance_km(DAM, ZAANDAM) < 9.0


def test_estimate_adds_fixed_time_and_detour() -> None:
    # 8.6 km * 1.3 detour / 25 km/h = 26.8 min, plus 10 fixed -> 37 (rounded up)
    assert estimate_minutes(DAM, ZAANDAM) == 37
    assert estimate_minutes(DAM, DAM) == 0


def test_matrix_uses_overrides_in_either_direction() -> None:
    places = {"dam": DAM, "zaandam": ZAANDAM, "west": (52.38, 4.84)}
    matrix = travel_matrix(places, [("zaandam", "dam", 25)])
    assert matrix[("dam", "zaandam")] == 25
    assert set(matrix) == {("dam", "west"), ("dam", "zaandam"), ("west", "zaandam")}
