"""The price layer's public interface: what other domains (matching, ussd, ...) may use of it.

Other domains never spell the ML table's keys and never import ``soko.ml.dal``; they use this
module. It holds no numpy or pandas (request-serving functions import it).

- the markets and the forecast crops: :data:`MARKETS`, :func:`find_market`, :func:`nearest_market`,
  :func:`market_for_district`, :data:`FORECAST_CROPS`, :func:`find_crop`;
- :class:`PriceReader` over the ML table: per-pair coverage counts, a pair's served forecast price,
  its latest accepted price, the full forecast as ``POST /ml/price/predict`` answers it, and the
  coverage-gap counters (the one write other domains make here: matching counts the crops farmers
  ask for where no prices exist);
- how old a price is: :class:`Freshness` (:func:`freshness`, :func:`today` in East Africa Time), the
  threshold's :class:`FreshnessConfig` (PRICE_STALE_AFTER_DAYS) and :func:`age_text`, the age in a few
  words in English or Luganda for a USSD screen or an SMS (``20 months old``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from soko.ml import crops, logic, markets
from soko.ml.dal import MlDal
from soko.ml.freshness import (
    DEFAULT_STALE_AFTER_DAYS,
    Freshness,
    FreshnessConfig,
    age_text,
    day_text,
    freshness,
    today,
)
from soko.ml.logic import NoPriceData
from soko.ml.markets import Market
from soko.ml.models import Forecast, GapCounter, PairCoverage, PredictRequest

__all__ = [
    "DEFAULT_STALE_AFTER_DAYS",
    "FORECAST_CROPS",
    "MARKETS",
    "Forecast",
    "Freshness",
    "FreshnessConfig",
    "GapCounter",
    "Market",
    "NoPriceData",
    "PairCoverage",
    "PricePoint",
    "PriceReader",
    "age_text",
    "day_text",
    "find_crop",
    "find_market",
    "freshness",
    "market_for_district",
    "nearest_market",
    "today",
]

MARKETS: tuple[Market, ...] = markets.MARKETS
FORECAST_CROPS: tuple[str, ...] = crops.ML_CROPS


def find_market(text: str) -> Market | None:
    """A market by id, name or alias, any case (``Kampala``, ``Owino`` -> ``Kisenyi_Kampala``)."""
    return markets.find(text)


def nearest_market(lat: float, lon: float) -> Market:
    return markets.nearest(lat, lon)


def market_for_district(district: str) -> Market:
    """The market nearest to a district's main town."""
    return markets.for_district(district)


def find_crop(text: str) -> str | None:
    """The forecast crop's id for a crop name or synonym; None when it is not forecast."""
    return crops.find(text)


class PricePoint(BaseModel):
    """One price for a pair, where it comes from, and the newest observation behind it."""

    price: float = Field(description="UGX per kg")
    source: Literal["model", "latest_observation"]
    data_through: date | None


class PriceReader:
    """Reads the ML table for another domain; ``table_name`` is the ML table (ML_TABLE_NAME),
    ``stale_after_days`` the deployment's threshold (``FreshnessConfig``, PRICE_STALE_AFTER_DAYS)."""

    def __init__(self, table_name: str, stale_after_days: int = DEFAULT_STALE_AFTER_DAYS):
        self._dal = MlDal(table_name)
        self.stale_after_days = stale_after_days

    def coverage(self) -> list[PairCoverage]:
        """Every (market, crop) with observations, with its counts by source."""
        return self._dal.coverage()

    def forecast_price(self, market: str, crop: str, on: date) -> float | None:
        """The served forecast's price for the week starting on or after ``on`` (None without a
        model, or when the model's horizon has run out)."""
        stored = self._dal.forecast(market, crop)
        prices = (p for p in (stored.predictions if stored else []) if p.week_start >= on)
        first = next(prices, None)
        return float(first.price) if first else None

    def latest_price(self, market: str, crop: str) -> float | None:
        """The most recent accepted observation's price (UGX per kg)."""
        latest = self._dal.latest_observation(market, crop)
        return float(latest.price) if latest else None

    def price_on(self, market: str, crop: str, on: date) -> PricePoint | None:
        """The served forecast's price for the week starting on or after ``on``, or else the most
        recent accepted observation's, with the date of the newest observation behind it."""
        stored = self._dal.forecast(market, crop)
        prices = (p for p in (stored.predictions if stored else []) if p.week_start >= on)
        first = next(prices, None)
        if stored is not None and first is not None:
            return PricePoint(price=float(first.price), source="model", data_through=stored.data_through)
        return self.latest(market, crop)

    def latest(self, market: str, crop: str) -> PricePoint | None:
        """The most recent accepted observation's price and day."""
        latest = self._dal.latest_observation(market, crop)
        if latest is None:
            return None
        return PricePoint(price=float(latest.price), source="latest_observation", data_through=latest.day)

    def freshness(self, data_through: date | None) -> Freshness:
        """How old a price observed on ``data_through`` is today (East Africa Time), and whether it
        is past this deployment's threshold."""
        return freshness(data_through, today(), self.stale_after_days)

    def forecast(self, market: str, crop: str, weeks_ahead: int = 4) -> Forecast | None:
        """The weekly forecast exactly as ``POST /ml/price/predict`` answers it (model or seasonal
        fallback, cached); None when the pair has no prices at all. An unknown market or crop raises
        ``Unprocessable`` as the endpoint does."""
        deps = logic.Prices(dal=self._dal, stale_after_days=self.stale_after_days)
        try:
            return logic.predict(PredictRequest(market=market, crop=crop, weeks_ahead=weeks_ahead), deps)
        except NoPriceData:
            return None

    def observed_since(
        self, market: str, crop: str, since: date, source: str = "wfp"
    ) -> list[tuple[date, float]]:
        """The accepted observations of a pair from ``source`` on or after ``since``, oldest first
        (analytics compares a farmer's prices with the market's)."""
        return [
            (o.day, float(o.price))
            for o in self._dal.observations(market, crop)
            if o.status == "accepted" and o.source == source and o.day >= since
        ]

    def forecast_weeks(self, market: str, crop: str) -> list[tuple[date, float]]:
        """The served forecast's weeks (week start, UGX per kg); [] without a model."""
        stored = self._dal.forecast(market, crop)
        return [(p.week_start, float(p.price)) for p in stored.predictions] if stored else []

    def gaps(self, crops: list[str]) -> list[GapCounter]:
        """The coverage-gap counters of ``crops`` (those never counted are absent)."""
        return self._dal.gaps(crops)

    def count_gap(self, crop: str, district: str | None, at: str) -> None:
        """Count one request for ``crop`` where no prices exist (``crop``: a catalogue id or
        ``other``; callers keep the set bounded)."""
        self._dal.count_gap(crop, district, at)
