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


def _from_model(market: str, crop: str, weeks: int, stored: StoredForecast, today: date) -> Forecast | None:
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
    )


def _fallback(market: str, crop: str, weeks: int, deps: Prices, today: date) -> Forecast:
    latest = deps.dal.latest_observation(market, crop)
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
    )


def predict(request: PredictRequest, deps: Prices) -> Forecast:
    market, crop = _resolve(request)
    now = clock.now()
    cached = deps.dal.cached(market, crop, request.weeks_ahead, int(now.timestamp()))
    if cached is not None:
        answer = Forecast.model_validate_json(cached)
        if answer.predictions[0].week_start > now.date():
            return answer
    stored = deps.dal.forecast(market, crop)
    forecast = _from_model(market, crop, request.weeks_ahead, stored, now.date()) if stored else None
    if forecast is None:
        forecast = _fallback(market, crop, request.weeks_ahead, deps, now.date())
    deps.dal.cache(
        market, crop, request.weeks_ahead, forecast.model_dump_json(), int(now.timestamp()) + CACHE_SECONDS
    )
    return forecast


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
