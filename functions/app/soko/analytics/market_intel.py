"""GET /analytics/market: a crop's traded volume and median price by ISO week (EAT), in a district
or everywhere, from completed orders, next to WFP's observed price in the district's market. Public:
the projection holds counts, kilograms and kilograms per price, never a user id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from soko.analytics.models import MarketIntelligence, MarketWeek, period_key, period_start, previous_keys
from soko.shared import clock

WFP_NEAR_DAYS = 31  # a WFP observation further than this from a week's middle is not shown for it


class MarketStore(Protocol):
    def market_weeks(
        self, crop: str, district: str | None, first: str, last: str
    ) -> list[dict[str, Any]]: ...


class ObservedPrices(Protocol):
    def observed_since(
        self, market: str, crop: str, since: date, source: str = "wfp"
    ) -> list[tuple[date, float]]: ...


@dataclass
class MarketDeps:
    store: MarketStore
    market_for: Callable[[str], str]
    price_crop: Callable[[str], str | None]
    prices: Callable[[], ObservedPrices]
    now: Callable[[], datetime] = clock.now


def weighted_median(kg_by_price: dict[int, float]) -> int | None:
    """The price at which half of the kilograms traded were at or below it."""
    total = sum(kg_by_price.values())
    if total <= 0:
        return None
    running = 0.0
    for price in sorted(kg_by_price):
        running += kg_by_price[price]
        if running >= total / 2:
            return price
    return max(kg_by_price)  # pragma: no cover - float rounding


def _kg_by_price(item: dict[str, Any]) -> dict[int, float]:
    return {
        int(name[2:]): float(value)
        for name, value in item.items()
        if name.startswith("p#") and float(value) > 0
    }


def _nearest(points: list[tuple[date, float]], middle: date) -> int | None:
    near = [
        (abs((day - middle).days), price)
        for day, price in points
        if abs((day - middle).days) <= WFP_NEAR_DAYS
    ]
    return round(min(near)[1]) if near else None


def market_intelligence(crop: str, district: str | None, weeks: int, deps: MarketDeps) -> MarketIntelligence:
    keys = previous_keys("week", period_key("week", deps.now()), weeks)
    rows = {
        str(i["sk"]).removeprefix("WEEK#"): i
        for i in deps.store.market_weeks(crop, district, keys[0], keys[-1])
    }
    market = deps.market_for(district) if district else None
    priced = deps.price_crop(crop)
    points: list[tuple[date, float]] = []
    if market is not None and priced is not None:
        since = period_start("week", keys[0]) - timedelta(days=WFP_NEAR_DAYS)
        points = deps.prices().observed_since(market, priced, since)
    out = []
    for key in keys:
        item = rows.get(key, {})
        out.append(
            MarketWeek(
                week=key,
                orders=int(item.get("orders", 0)),
                kg=round(float(item.get("kg", 0)), 3),
                median_price_ugx=weighted_median(_kg_by_price(item)),
                wfp_price_ugx=_nearest(points, period_start("week", key) + timedelta(days=3))
                if points
                else None,
            )
        )
    return MarketIntelligence(crop=crop, district=district, market=market, weeks=out)
