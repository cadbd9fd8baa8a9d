"""The price layer's public interface: what other domains (matching, ussd, ...) may use of it.

Other domains never spell the ML table's keys and never import ``soko.ml.dal``; they use this
module. It holds no numpy or pandas (request-serving functions import it).

- the markets and the forecast crops: :data:`MARKETS`, :func:`find_market`, :func:`nearest_market`,
  :func:`market_for_district`, :data:`FORECAST_CROPS`, :func:`find_crop`;
- :class:`PriceReader` over the ML table: per-pair coverage counts, a pair's served forecast price,
  its latest accepted price, the full forecast as ``POST /ml/price/predict`` answers it, and the
  coverage-gap counters (the one write other domains make here: matching counts the crops farmers
  ask for where no prices exist).
"""

from __future__ import annotations

from datetime import date

from soko.ml import crops, logic, markets
from soko.ml.dal import MlDal
from soko.ml.logic import NoPriceData
from soko.ml.markets import Market
from soko.ml.models import Forecast, GapCounter, PairCoverage, PredictRequest

__all__ = [
    "FORECAST_CROPS",
    "MARKETS",
    "Forecast",
    "GapCounter",
    "Market",
    "NoPriceData",
    "PairCoverage",
    "PriceReader",
    "find_crop",
    "find_market",
    "market_for_district",
    "nearest_market",
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


class PriceReader:
    """Reads the ML table for another domain; ``table_name`` is the ML table (ML_TABLE_NAME)."""

    def __init__(self, table_name: str):
        self._dal = MlDal(table_name)

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

    def forecast(self, market: str, crop: str, weeks_ahead: int = 4) -> Forecast | None:
        """The weekly forecast exactly as ``POST /ml/price/predict`` answers it (model or seasonal
        fallback, cached); None when the pair has no prices at all. An unknown market or crop raises
        ``Unprocessable`` as the endpoint does."""
        deps = logic.Prices(dal=self._dal)
        try:
            return logic.predict(PredictRequest(market=market, crop=crop, weeks_ahead=weeks_ahead), deps)
        except NoPriceData:
            return None

    def gaps(self, crops: list[str]) -> list[GapCounter]:
        """The coverage-gap counters of ``crops`` (those never counted are absent)."""
        return self._dal.gaps(crops)

    def count_gap(self, crop: str, district: str | None, at: str) -> None:
        """Count one request for ``crop`` where no prices exist (``crop``: a catalogue id or
        ``other``; callers keep the set bounded)."""
        self._dal.count_gap(crop, district, at)
