"""The seed's Uganda bimodal heuristic, used when no model exists for a (market, crop) pair:
the latest observed price, x0.92 in the harvest months (Jun-Jul, Nov-Dec), x1.10 in the lean
months (Jan-Feb), unchanged otherwise; bounds widen with the horizon."""

from __future__ import annotations

from datetime import date, timedelta

from soko.ml.models import WeeklyPrice

SEASONAL_FACTORS = {6: 0.92, 7: 0.92, 11: 0.92, 12: 0.92, 1: 1.10, 2: 1.10}
BASE_BAND = 0.08
BAND_PER_WEEK = 0.01


def week_starts(today: date, weeks: int) -> list[date]:
    """The Mondays of the next ``weeks`` weeks (the first is the coming Monday)."""
    first = today + timedelta(days=7 - today.weekday())
    return [first + timedelta(weeks=k) for k in range(weeks)]


def seasonal(latest_price: float, today: date, weeks: int) -> list[WeeklyPrice]:
    out = []
    for k, start in enumerate(week_starts(today, weeks), 1):
        price = latest_price * SEASONAL_FACTORS.get(start.month, 1.0)
        band = BASE_BAND + BAND_PER_WEEK * k
        out.append(
            WeeklyPrice(
                week_start=start,
                price=round(price),
                lower=round(price * (1 - band)),
                upper=round(price * (1 + band)),
            )
        )
    return out
