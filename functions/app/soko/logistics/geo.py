"""Geometry of logistics (pure): straight-line and road distances, and the drop-off's geofence.

Road distance is the great-circle distance (:func:`soko.shared.places.haversine_km`) times
:data:`ROAD_FACTOR`. Roads in Uganda are rarely straight: murram feeder roads wind between
gardens and swamps, and trunk roads bend around Lake Kyoga and the hills of the south-west. A
detour index of 1.3 is the usual figure for rural road networks (measured detour indices sit
between 1.2 and 1.4; Kampala -> Gulu is 335 km by road against 262 km straight, 1.28). The same
factor prices a quote (the core helper's quotes) and estimates the remaining distance of a trip
(tracking), so a booking's ``distance_km`` and its ``remaining_km`` at the pickup agree.
"""

from __future__ import annotations

from soko.shared.places import haversine_km

ROAD_FACTOR = 1.3  # road km per straight-line km (see the module's docstring)
GEOFENCE_M = 400  # a fix this close to the drop-off (straight line, metres) is an arrival

type Point = tuple[float, float]  # (lat, lon)


def straight_km(a: Point, b: Point) -> float:
    """The great-circle distance between two points, in km."""
    return haversine_km(a, b)


def road_km(a: Point, b: Point) -> float:
    """The estimated road distance between two points, in km (straight line x ROAD_FACTOR)."""
    return haversine_km(a, b) * ROAD_FACTOR


def within_geofence(point: Point, centre: Point, radius_m: float = GEOFENCE_M) -> bool:
    """True when ``point`` is within ``radius_m`` metres of ``centre`` (straight line: a geofence is
    a circle; the road factor is for distances still to drive)."""
    return haversine_km(point, centre) * 1000 <= radius_m
