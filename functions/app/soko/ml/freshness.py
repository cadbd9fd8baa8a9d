"""How old a price is, and whether it is too old to be shown as current (pure).

Every price and forecast Soko shows says how old its newest observation is. Past
``stale_after_days`` (the template's ``PriceStaleAfterDays``, through the functions' environment
as ``PRICE_STALE_AFTER_DAYS``) a forecast is stale: the API marks it, the USSD menu and SMS say so
and do not show it as the coming weeks' price. Ages are counted from today in East Africa Time.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from soko.shared import clock
from soko.shared.config import BaseConfig

DEFAULT_STALE_AFTER_DAYS = 60
MAX_STALE_AFTER_DAYS = 9999  # the template's AllowedPattern: 1 to 4 digits

type Language = Literal["en", "lg"]


class FreshnessConfig(BaseConfig):
    """A function that serves prices: the age past which a forecast is stale
    (PRICE_STALE_AFTER_DAYS, from the template's PriceStaleAfterDays)."""

    price_stale_after_days: int = Field(ge=1, le=MAX_STALE_AFTER_DAYS)


class Freshness(BaseModel):
    data_through: date | None = Field(description="the newest observation behind the figure")
    age_days: int | None = Field(description="days from data_through to today (East Africa Time)")
    stale: bool = Field(description="older than the stale threshold (or no data): not current")


def today() -> date:
    """Today's date in Uganda (East Africa Time), the day ages are counted to."""
    return clock.now().astimezone(clock.EAT).date()


def freshness(
    data_through: date | None, today: date, stale_after_days: int = DEFAULT_STALE_AFTER_DAYS
) -> Freshness:
    if data_through is None:
        return Freshness(data_through=None, age_days=None, stale=True)
    age = max(0, (today - data_through).days)
    return Freshness(data_through=data_through, age_days=age, stale=age > stale_after_days)


# ---------------------------------------------------------------------------- the age in words
_UNITS: dict[Language, dict[str, tuple[str, str]]] = {
    # unit: (one, many) with {n}; Luganda counts "ago" (emabega), as the app's other texts do
    "en": {
        "day": ("1 day old", "{n} days old"),
        "week": ("1 week old", "{n} weeks old"),
        "month": ("1 month old", "{n} months old"),
        "year": ("1 year old", "{n} years old"),
    },
    "lg": {
        "day": ("olunaku 1 emabega", "ennaku {n} emabega"),
        "week": ("wiiki 1 emabega", "wiiki {n} emabega"),
        "month": ("omwezi 1 emabega", "emyezi {n} emabega"),
        "year": ("omwaka 1 emabega", "emyaka {n} emabega"),
    },
}
_TODAY: dict[Language, str] = {"en": "from today", "lg": "ya leero"}
_NO_DATA: dict[Language, str] = {"en": "no prices yet", "lg": "tewali bbeeyi"}
DAYS_PER_MONTH = 30.44


def _unit(age_days: int) -> tuple[str, int]:
    if age_days < 14:
        return "day", age_days
    if age_days < 60:
        return "week", age_days // 7
    months = round(age_days / DAYS_PER_MONTH)
    if months < 24:
        return "month", months
    return "year", months // 12


def age_text(fresh: Freshness, language: Language = "en") -> str:
    """The age of a price in a few words for a phone screen or an SMS: ``20 months old``
    (Luganda ``emyezi 20 emabega``), ``3 weeks old``, ``from today``; at most 20 characters."""
    lang: Language = "lg" if language == "lg" else "en"
    if fresh.age_days is None:
        return _NO_DATA[lang]
    if fresh.age_days == 0:
        return _TODAY[lang]
    unit, n = _unit(fresh.age_days)
    one, many = _UNITS[lang][unit]
    return one if n == 1 else many.format(n=n)


def day_text(day: date) -> str:
    """A date as a phone shows it, the same in both languages: ``15 Apr 2025``."""
    return f"{day.day} {day:%b %Y}"
