"""Trader clusters' features, in pure Python: the training function (numpy) and the request-serving
recommender (no numpy) compute a buyer's raw vector the same way, so a buyer is placed in the
cluster the training would have put them in.

A buyer's raw vector (docs/aggregation.md "Trader clusters"):

- **what**: the share of the buyer's kilograms per catalogue crop (``CROPS`` order; sums to 1);
- **where**: the latitude and longitude of the district they order from most
  (``soko.shared.places``);
- **how much**: ``log(1 + kg per order)``;
- **how often**: orders per active week, and regularity (active weeks / weeks from the first order
  to the last, 1 for a buyer who orders every week).

Scaling: ``(x - mean) / scale``. The crop shares are kept as they are, times 2 (mean 0, scale 0.5):
z-scoring a sparse share would blow up rare crops; the other five are z-scored on the training
population.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from soko.shared import places
from soko.shared.crops import CATALOGUE

CROPS: tuple[str, ...] = tuple(c.id for c in CATALOGUE)
NUMERIC: tuple[str, ...] = ("lat", "lon", "log_kg_per_order", "orders_per_active_week", "regularity")
FEATURES: tuple[str, ...] = tuple(f"crop:{c}" for c in CROPS) + NUMERIC
CROP_SCALE = 0.5


class Behaviour(BaseModel):
    """A buyer's buying behaviour, as the projection of their orders holds it."""

    model_config = ConfigDict(frozen=True)

    buyer_id: str
    orders: int = 0
    completed: int = 0
    grams: int = 0
    crop_grams: dict[str, int] = Field(default_factory=dict)
    district_orders: dict[str, int] = Field(default_factory=dict)
    days: list[str] = Field(default_factory=list, description="ISO dates with an order, sorted")
    generated: bool = False

    @property
    def first_order(self) -> str | None:
        return self.days[0] if self.days else None

    @property
    def last_order(self) -> str | None:
        return self.days[-1] if self.days else None

    @property
    def active_weeks(self) -> int:
        return len({date.fromisoformat(d).isocalendar()[:2] for d in self.days})

    @property
    def span_weeks(self) -> int:
        if not self.days:
            return 0
        first, last = date.fromisoformat(self.days[0]), date.fromisoformat(self.days[-1])
        return (last - first).days // 7 + 1

    @property
    def interval_weeks(self) -> float | None:
        """The mean weeks between order days (None below two days)."""
        if len(self.days) < 2:
            return None
        first, last = date.fromisoformat(self.days[0]), date.fromisoformat(self.days[-1])
        return (last - first).days / 7 / (len(self.days) - 1)

    @property
    def main_district(self) -> str | None:
        known = {d: n for d, n in self.district_orders.items() if d in places.DISTRICTS}
        return min(known, key=lambda d: (-known[d], d)) if known else None


class OrderSeen(BaseModel):
    """An order as the buyer-behaviour projection counts it."""

    model_config = ConfigDict(frozen=True)

    buyer_id: str
    order_id: str
    crop: str
    district: str
    grams: int
    day: str  # ISO date


def raw_vector(b: Behaviour) -> list[float]:
    """The buyer's unscaled feature vector (``FEATURES`` order)."""
    total = sum(g for c, g in b.crop_grams.items() if c in CROPS) or 1
    shares = [b.crop_grams.get(c, 0) / total for c in CROPS]
    lat, lon = places.DISTRICTS.get(b.main_district or "", places.DISTRICTS["Kampala"])
    orders = max(b.orders, 1)
    weeks = max(b.active_weeks, 1)
    regularity = weeks / max(b.span_weeks, 1)
    return [*shares, lat, lon, math.log1p(b.grams / 1000 / orders), orders / weeks, regularity]


def scale(vector: Sequence[float], mean: Sequence[float], scale_: Sequence[float]) -> list[float]:
    return [(x - m) / s for x, m, s in zip(vector, mean, scale_, strict=True)]


def nearest(point: Sequence[float], centroids: Sequence[Sequence[float]]) -> int:
    """The index of the nearest centroid (squared Euclidean; ties to the lower index)."""
    best, best_d = 0, math.inf
    for i, c in enumerate(centroids):
        d = sum((p - q) ** 2 for p, q in zip(point, c, strict=True))
        if d < best_d:
            best, best_d = i, d
    return best


def cadence(interval_weeks: float | None) -> str:
    """A plain cadence for a median interval between orders: weekly (up to 1.5 weeks), fortnightly
    (up to 3), else monthly."""
    if interval_weeks is not None and interval_weeks <= 1.5:
        return "weekly"
    if interval_weeks is not None and interval_weeks <= 3:
        return "fortnightly"
    return "monthly"
