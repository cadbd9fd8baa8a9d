"""Monthly price series from observations (no numpy or pandas: the serving side may import this)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from soko.ml.models import Observation

# The series a pair is forecast on: retail where it exists (it runs to 2025-26), else wholesale,
# then trade prices from orders and synthetic series for pairs with no real data.
PRICETYPE_ORDER = ("retail", "wholesale", "trade", "synthetic")


@dataclass(frozen=True, order=True)
class SeriesKey:
    market: str
    crop: str
    kind: str  # retail | wholesale | trade | synthetic

    @property
    def name(self) -> str:
        return f"{self.market}.{self.crop}.{self.kind}"


# Every series of a training run: {month index (soko.ml.forecasting.month_index): monthly price}.
type Panel = dict[SeriesKey, dict[int, float]]


def month(day: date) -> date:
    return day.replace(day=15)


def kind_of(observation: Observation) -> str:
    return "synthetic" if observation.source == "synthetic" else observation.pricetype


def monthly_by_kind(observations: Iterable[Observation]) -> dict[str, list[tuple[date, float]]]:
    """The pair's monthly series (median per month) of every price type it has (accepted only)."""
    by_type: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for o in observations:
        if o.status == "accepted":
            by_type[kind_of(o)][month(o.day)].append(float(o.price))
    return {
        kind: sorted((m, statistics.median(v)) for m, v in months.items()) for kind, months in by_type.items()
    }


def preferred(kinds: dict[str, Any]) -> str | None:
    """The price type a pair is forecast on."""
    return next((kind for kind in PRICETYPE_ORDER if kinds.get(kind)), None)
