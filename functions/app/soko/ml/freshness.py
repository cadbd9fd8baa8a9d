"""How old a price is, and whether it is too old to be shown as current (pure).

Every price and forecast Soko shows says how old its newest observation is. Past
``stale_after_days`` (the template's ``PriceStaleAfterDays``, through the functions' environment)
a forecast is stale: the API marks it, the USSD menu and SMS say so and do not show it as the
coming weeks' price.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

DEFAULT_STALE_AFTER_DAYS = 60


class Freshness(BaseModel):
    data_through: date | None = Field(description="the newest observation behind the figure")
    age_days: int | None = Field(description="days from data_through to today (East Africa Time)")
    stale: bool = Field(description="older than the stale threshold (or no data): not current")


def freshness(
    data_through: date | None, today: date, stale_after_days: int = DEFAULT_STALE_AFTER_DAYS
) -> Freshness:
    if data_through is None:
        return Freshness(data_through=None, age_days=None, stale=True)
    age = max(0, (today - data_through).days)
    return Freshness(data_through=data_through, age_days=age, stale=age > stale_after_days)
