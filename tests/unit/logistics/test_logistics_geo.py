"""Logistics geometry: the road factor, and the drop-off's geofence at its edge."""

from __future__ import annotations

import math

import pytest

from soko.logistics import geo
from soko.shared.places import EARTH_RADIUS_KM

DROPOFF = (0.3476, 32.5825)  # Kampala


def north_of(point: geo.Point, metres: float) -> geo.Point:
    """A point ``metres`` due north (great circle: exact for haversine)."""
    return (point[0] + math.degrees(metres / 1000 / EARTH_RADIUS_KM), point[1])


def test_road_distance_is_the_straight_line_times_the_road_factor() -> None:
    gulu = (2.7724, 32.2881)
    assert geo.ROAD_FACTOR == 1.3
    assert geo.road_km(gulu, DROPOFF) == pytest.approx(geo.straight_km(gulu, DROPOFF) * 1.3)
    assert 330 < geo.road_km(gulu, DROPOFF) < 360  # the road is about 335 km


@pytest.mark.parametrize(
    ("metres", "inside"), [(0, True), (399, True), (400, True), (401, False), (5000, False)]
)
def test_the_geofence_is_400_metres(metres: float, inside: bool) -> None:
    assert geo.GEOFENCE_M == 400
    assert geo.within_geofence(north_of(DROPOFF, metres), DROPOFF) is inside
