"""How far and how much: the road distance between two places and a vehicle's fare (pure rules).

**Road distance** is the straight line (Haversine, :func:`soko.shared.places.haversine_km`) times
:data:`ROAD_FACTOR`. We ship no routing table: Uganda's roads between district towns are few and
winding (around Lake Kyoga, the swamps and the national parks), and the ratio of road to straight
distance on the trunk routes produce travels is about 1.1 to 1.6: Mbarara-Kampala about 266 road km
for 238 straight (1.12), Gulu-Kampala about 333 for 274 (1.22), Lira-Kampala about 340 for 216
(1.57, via Karuma). 1.3 is the middle of that range and the detour index commonly used for rural
road networks; it errs towards a fare the transporter accepts.

**Fare**, in whole UGX: the vehicle's own ``price_per_km_ugx`` times the road km covers a load up to
:data:`BASE_LOAD_KG` (a tonne: any boda-boda's or bicycle's load, a full pick-up's); each kilogram
beyond it adds :data:`TONNE_KM_SURCHARGE_UGX` per tonne-km (fuel and wear grow with the load: a lorry
carrying ten tonnes costs more to run than the same lorry carrying one). The trip never costs less
than the vehicle's ``minimum_fare_ugx`` (loading, and the ride to the farm, are paid even for a
short trip). Rounded half up to the shilling at the end only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from soko.logistics import geo
from soko.shared import places

ROAD_FACTOR = Decimal(str(geo.ROAD_FACTOR))  # the one factor of quotes and tracking (soko.logistics.geo)
BASE_LOAD_KG = 1000
TONNE_KM_SURCHARGE_UGX = 150
_KM = Decimal("0.1")


def road_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Road kilometres between two points, to 0.1 km."""
    straight = Decimal(str(places.haversine_km(a, b)))
    return float((straight * ROAD_FACTOR).quantize(_KM, ROUND_HALF_UP))


def fare_ugx(*, price_per_km_ugx: int, minimum_fare_ugx: int, distance_km: float, weight_kg: float) -> int:
    """The fare of carrying ``weight_kg`` over ``distance_km`` road km (see the module's rules)."""
    km = Decimal(str(distance_km))
    extra_tonnes = max(Decimal(0), Decimal(str(weight_kg)) - BASE_LOAD_KG) / 1000
    fare = Decimal(price_per_km_ugx) * km + extra_tonnes * km * TONNE_KM_SURCHARGE_UGX
    return max(minimum_fare_ugx, int(fare.quantize(Decimal(1), ROUND_HALF_UP)))


def nearest_district(point: tuple[float, float]) -> str:
    """The district whose main town is nearest ``point`` (where a drop-off point lies)."""
    return min(places.DISTRICTS, key=lambda name: places.haversine_km(point, places.DISTRICTS[name]))
