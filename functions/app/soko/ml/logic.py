"""Price forecasts served in milliseconds: precomputed forecasts from DynamoDB, the seasonal
heuristic when a pair has no model, and a 24-hour answer cache dropped when a model lands.
Nothing here imports pandas or prophet (the request path stays small and fast)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from soko.ml import crops, fallback, markets
from soko.ml.events import PriceForecastReady, PriceForecastRequested
from soko.ml.freshness import DEFAULT_STALE_AFTER_DAYS, day_text, freshness
from soko.ml.freshness import today as eat_today
from soko.ml.models import (
    CropList,
    CropOut,
    Forecast,
    MarketList,
    MarketOut,
    MlConfig,
    Observation,
    PredictRequest,
    StoredForecast,
)
from soko.shared import clock
from soko.shared import crops as catalogue
from soko.shared.errors import NotFound, SokoError, Unprocessable

CACHE_SECONDS = 24 * 3600


class ForecastStore(Protocol):
    """What serving a forecast reads and caches (soko.ml.dal.MlDal; an in-memory fake in tests)."""

    def forecast(self, market: str, crop: str) -> StoredForecast | None: ...
    def latest_observation(self, market: str, crop: str) -> Observation | None: ...
    def cached(self, market: str, crop: str, weeks: int, now: int) -> str | None: ...
    def cache(self, market: str, crop: str, weeks: int, answer: str, valid_until: int) -> None: ...


@dataclass
class Prices:
    dal: ForecastStore
    config: MlConfig | None = None  # not read by the logic; kept while other domains still pass it
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS  # PriceStaleAfterDays: older forecasts are stale


class NoPriceData(NotFound):
    code = "NO_PRICE_DATA"


def list_markets() -> MarketList:
    return MarketList(
        items=[
            MarketOut(
                id=m.id,
                name=m.name,
                district=m.district,
                lat=m.lat,
                lon=m.lon,
                aliases=list(m.aliases),
                has_real_data=m.wfp_market is not None,
            )
            for m in markets.MARKETS
        ]
    )


def list_crops() -> CropList:
    items = []
    for crop_id in crops.ML_CROPS:
        crop = catalogue.by_id(crop_id)
        assert crop is not None
        items.append(
            CropOut(
                id=crop.id,
                name=crop.name,
                luganda=crop.luganda,
                synonyms=list(crop.synonyms),
                wfp_commodities=list(crop.wfp_commodities),
            )
        )
    return CropList(items=items)


def _resolve(request: PredictRequest) -> tuple[str, str]:
    market = markets.find(request.market)
    if market is None:
        raise Unprocessable(
            f"'{request.market}' is not a market we forecast.",
            code="UNKNOWN_MARKET",
            details={"field": "market", "valid": [m.id for m in markets.MARKETS]},
        )
    crop = crops.find(request.crop)
    if crop is None:
        raise Unprocessable(
            f"'{request.crop}' is not a crop we forecast.",
            code="UNKNOWN_CROP",
            details={"field": "crop", "valid": list(crops.ML_CROPS)},
        )
    return market.id, crop


def _from_model(
    market: str, crop: str, weeks: int, stored: StoredForecast, today: date, *, latest: Observation | None
) -> Forecast | None:
    upcoming = [p for p in stored.predictions if p.week_start > today]
    if len(upcoming) < weeks:
        return None  # the model's horizon has run out: it is stale
    return Forecast(
        market=market,
        crop=crop,
        predictions=upcoming[:weeks],
        source="model",
        model_version=stored.model_version,
        trained_at=stored.trained_at,
        data_through=stored.data_through,
        last_price=round(latest.price) if latest else None,
        last_price_day=latest.day if latest else None,
    )


def _fallback(market: str, crop: str, weeks: int, latest: Observation | None, today: date) -> Forecast:
    if latest is None:
        raise NoPriceData(
            f"There are no prices yet for {crop} in {market}.", details={"market": market, "crop": crop}
        )
    return Forecast(
        market=market,
        crop=crop,
        predictions=fallback.seasonal(float(latest.price), today, weeks),
        source="seasonal_fallback",
        data_through=latest.day,
        last_price=round(latest.price),
        last_price_day=latest.day,
    )


def dated(forecast: Forecast, stale_after_days: int, on: date | None = None) -> Forecast:
    """The forecast with its age counted to today (East Africa Time): ``data_age_days``, ``stale``
    and, when stale, ``stale_reason``. Counted on every answer, never cached: an age grows daily."""
    fresh = freshness(forecast.data_through, on or eat_today(), stale_after_days)
    reason = None
    if fresh.stale:
        reason = (
            f"The newest price is from {day_text(fresh.data_through)}, {fresh.age_days} days ago; after "
            f"{stale_after_days} days a forecast is not current."
            if fresh.data_through is not None and fresh.age_days is not None
            else "The date of the newest price is unknown, so this forecast is not current."
        )
    return forecast.model_copy(
        update={
            "data_age_days": fresh.age_days,
            "stale": fresh.stale,
            "stale_after_days": stale_after_days,
            "stale_reason": reason,
        }
    )


def predict(request: PredictRequest, deps: Prices) -> Forecast:
    market, crop = _resolve(request)
    now = clock.now()
    cached = deps.dal.cached(market, crop, request.weeks_ahead, int(now.timestamp()))
    if cached is not None:
        answer = Forecast.model_validate_json(cached)
        if answer.predictions[0].week_start > now.date():
            return dated(answer, deps.stale_after_days)
    stored = deps.dal.forecast(market, crop)
    latest = deps.dal.latest_observation(market, crop)
    forecast = None
    if stored is not None:
        forecast = _from_model(market, crop, request.weeks_ahead, stored, now.date(), latest=latest)
    if forecast is None:
        forecast = _fallback(market, crop, request.weeks_ahead, latest, now.date())
    deps.dal.cache(
        market, crop, request.weeks_ahead, forecast.model_dump_json(), int(now.timestamp()) + CACHE_SECONDS
    )
    return dated(forecast, deps.stale_after_days)


def answer(request: PriceForecastRequested, deps: Prices) -> PriceForecastReady:
    """The async path's answer: the forecast POST /ml/price/predict would give, or its error."""
    try:
        forecast = predict(
            PredictRequest(market=request.market, crop=request.crop, weeks_ahead=request.weeks_ahead), deps
        )
    except SokoError as err:  # a bad request gets an answer too, saying what was wrong
        return PriceForecastReady(
            request_id=request.request_id,
            ok=False,
            error={"code": err.code, "message": err.message, "details": err.details},
        )
    return PriceForecastReady(
        request_id=request.request_id, ok=True, forecast=json.loads(forecast.model_dump_json())
    )
