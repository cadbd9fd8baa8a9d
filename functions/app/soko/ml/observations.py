"""Completed orders become price observations (the price layer learns from real trades).

The crop is normalised, the order's district mapped to the nearest market, and a price more than
3 standard deviations from the mean of the pair's last 30 accepted observations is kept with
status ``rejected`` (never silently dropped, never used). Writing is idempotent on the order.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from soko.market.events import OrderCompleted
from soko.ml import crops, markets
from soko.ml.events import PricesObserved
from soko.ml.models import Observation, ObservationStatus
from soko.shared.events import EventDetail

WINDOW = 30
MIN_HISTORY = 5
SIGMAS = 3.0


class ObservationStore(Protocol):
    """Where observations are kept (soko.ml.dal.MlDal; an in-memory fake in tests)."""

    def recent_accepted(self, market: str, crop: str, limit: int) -> list[Observation]: ...
    def add_observation(self, observation: Observation) -> bool: ...
    def count_observation(self, market: str, crop: str, counter: str) -> None: ...


def judge(price: float, history: list[float]) -> tuple[ObservationStatus, str | None]:
    """accepted, or rejected with the reason, against the rolling window's mean and deviation."""
    if len(history) < MIN_HISTORY:
        return "accepted", None
    mean, deviation = statistics.fmean(history), statistics.pstdev(history)
    if deviation > 0 and abs(price - mean) > SIGMAS * deviation:
        return (
            "rejected",
            f"{price:.0f} is more than {SIGMAS:g} sd from the mean {mean:.0f} of the last {len(history)}",
        )
    return "accepted", None


def record(
    order: OrderCompleted,
    store: ObservationStore,
    publish: Callable[[Sequence[EventDetail]], object],
) -> ObservationStatus | None:
    """Store the order's observation; returns its status, or None when the crop is not a forecast
    crop. A redelivered order stores nothing and counts nothing a second time. An accepted one is
    announced (PricesObserved, source ``order``): again when the order is redelivered, so a publish
    that failed after the write is not lost (the consumer drops an event it already handled)."""
    crop = crops.find(order.crop)
    if crop is None:
        return None
    market = markets.for_district(order.district).id
    recent = store.recent_accepted(market, crop, WINDOW)
    status, reason = judge(float(order.price_per_kg_ugx), [float(o.price) for o in recent])
    observation = Observation(
        market=market,
        crop=crop,
        day=date.fromisoformat(order.completed_at[:10]),
        price=Decimal(order.price_per_kg_ugx),
        source="order",
        pricetype="trade",
        status=status,
        order_id=order.order_id,
        reason=reason,
    )
    if store.add_observation(observation) and status == "accepted":
        store.count_observation(market, crop, "order_count")
    if status == "accepted":
        publish(
            [
                PricesObserved(
                    market=market,
                    crop=crop,
                    source="order",
                    day=observation.day,
                    price_ugx=order.price_per_kg_ugx,
                )
            ]
        )
    return status
