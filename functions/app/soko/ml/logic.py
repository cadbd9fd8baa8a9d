"""Price forecasts served in milliseconds: precomputed forecasts from DynamoDB, the seasonal
heuristic when a pair has no model, and a 24-hour answer cache dropped when a model lands.
Nothing here imports pandas or prophet (the request path stays small and fast)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from soko.ml import crops, fallback, markets
from soko.ml.dal import MlDal
from soko.ml.models import (
    CropList,
    CropOut,
    Forecast,
    MarketList,
    MarketOut,
    MlConfig,
    PredictRequest,
    WeeklyPrice,
)
from soko.shared import clock
from soko.shared import crops as catalogue
from soko.shared.errors import NotFound, Unprocessable

CACHE_SECONDS = 24 * 3600


@dataclass
class Prices:
    config: MlConfig
    dal: MlDal


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


def _from_model(market: str, crop: str, weeks: int, stored: dict[str, Any], today: date) -> Forecast | None:
    upcoming = [
        WeeklyPrice.model_validate(p)
        for p in stored.get("predictions", [])
        if date.fromisoformat(str(p["week_start"])) > today
    ]
    if len(upcoming) < weeks:
        return None  # the model's horizon has run out: it is stale
    return Forecast(
        market=market,
        crop=crop,
        predictions=upcoming[:weeks],
        source="model",
        model_version=str(stored["model_version"]),
        trained_at=str(stored["trained_at"]),
        data_through=date.fromisoformat(str(stored["data_through"])),
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
        predictions=fallback.seasonal(float(latest["price"]), today, weeks),
        source="seasonal_fallback",
        data_through=date.fromisoformat(str(latest["date"])),
    )


def predict(request: PredictRequest, deps: Prices) -> Forecast:
    market, crop = _resolve(request)
    now = clock.now()
    cached = deps.dal.cached(market, crop, request.weeks_ahead, int(now.timestamp()))
    if cached is not None:
        answer = Forecast.model_validate_json(str(cached["answer"]))
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
