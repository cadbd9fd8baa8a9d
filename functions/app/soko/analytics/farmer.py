"""GET /analytics/me: a farmer's sales by month and crop (from their completed orders) next to the
market's observed and forecast prices in the WFP market nearest their district, their buyers and
their ratings; one Query of the farmer's projection, one user read, and the price layer's reads
(soko.ml.public) per crop sold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from soko.analytics.models import (
    BuyerFigures,
    CropFigure,
    FarmerAnalytics,
    MonthCropSales,
    RatingMonth,
    period_key,
    period_start,
    previous_keys,
)
from soko.shared import clock
from soko.shared.identity import Caller


class FarmerStore(Protocol):
    def farmer(self, farmer_id: str) -> list[dict[str, Any]]: ...


class PriceSource(Protocol):
    def observed_since(
        self, market: str, crop: str, since: date, source: str = "wfp"
    ) -> list[tuple[date, float]]: ...
    def forecast_weeks(self, market: str, crop: str) -> list[tuple[date, float]]: ...


@dataclass
class FarmerDeps:
    store: FarmerStore
    district_of: Callable[[str], str | None]  # a user's district (soko.identity.public)
    market_for: Callable[[str], str]  # a district's nearest market id (soko.ml.public)
    price_crop: Callable[[str], str | None]  # a catalogue crop's forecast crop id, None when not priced
    prices: Callable[[], PriceSource]
    now: Callable[[], datetime] = clock.now


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _by_month(points: list[tuple[date, float]]) -> dict[str, int]:
    sums: dict[str, list[float]] = {}
    for day, price in points:
        sums.setdefault(_month(day), []).append(price)
    return {month: round(sum(values) / len(values)) for month, values in sums.items()}


def farmer_analytics(caller: Caller, months: int, deps: FarmerDeps) -> FarmerAnalytics:
    caller.require("farmer", "both")
    keys = previous_keys("month", period_key("month", deps.now()), months)
    window = set(keys)
    items = deps.store.farmer(caller.user_id)
    sales = [i for i in items if str(i["sk"]).startswith("SALES#") and str(i["sk"]).split("#")[1] in window]
    district = deps.district_of(caller.user_id)
    market = deps.market_for(district) if district else None
    observed: dict[str, dict[str, int]] = {}
    forecast: dict[str, dict[str, int]] = {}
    if market is not None:
        source = None
        for crop in sorted({str(i["sk"]).split("#")[2] for i in sales}):
            priced = deps.price_crop(crop)
            if priced is None:
                continue
            source = source or deps.prices()
            observed[crop] = _by_month(source.observed_since(market, priced, period_start("month", keys[0])))
            forecast[crop] = _by_month(source.forecast_weeks(market, priced))
    rows = []
    for item in sales:
        _, month, crop = str(item["sk"]).split("#", 2)
        kg, revenue = float(item.get("kg", 0)), int(item.get("revenue_ugx", 0))
        rows.append(
            MonthCropSales(
                month=month,
                crop=crop,
                orders=int(item.get("orders", 0)),
                kg=kg,
                revenue_ugx=revenue,
                average_price_ugx=round(revenue / kg) if kg else 0,
                market_price_ugx=observed.get(crop, {}).get(month),
                forecast_price_ugx=forecast.get(crop, {}).get(month),
            )
        )
    rows.sort(key=lambda r: (r.month, r.crop))
    buyers = [int(i.get("orders", 0)) for i in items if str(i["sk"]).startswith("BUYER#")]
    ratings = [
        RatingMonth(
            month=str(i["sk"]).split("#")[1],
            count=int(i.get("count", 0)),
            average=round(int(i.get("total", 0)) / int(i["count"]), 2),
        )
        for i in items
        if str(i["sk"]).startswith("RATING#")
        and str(i["sk"]).split("#")[1] in window
        and int(i.get("count", 0))
    ]
    totals = None
    if rows:
        totals = CropFigure(
            crop="all",
            orders=sum(r.orders for r in rows),
            kg=round(sum(r.kg for r in rows), 3),
            gmv_ugx=sum(r.revenue_ugx for r in rows),
        )
    return FarmerAnalytics(
        farmer_id=caller.user_id,
        market=market,
        totals=totals,
        months=rows,
        buyers=BuyerFigures(total=len(buyers), repeat=sum(1 for n in buyers if n >= 2)),
        ratings=sorted(ratings, key=lambda r: r.month),
    )
