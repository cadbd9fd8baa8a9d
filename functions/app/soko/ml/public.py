"""What other domains may read of the price layer (with :mod:`soko.ml.events`, the only ML modules
they import). The price layer owns the ML table: nobody else spells its keys.

The forecast crops and the markets (reference data), a pair's coverage, served forecast and latest
accepted price, the synchronous weekly forecast, and the coverage-gap counters (``GAP`` /
``<crop>``: one per catalogue crop plus ``other``, so the partition never holds more than the
catalogue; routing counts a gap here rather than writing the ML table itself).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from soko.ml import crops, markets
from soko.ml.crops import ML_CROPS
from soko.ml.dal import MlDal
from soko.ml.markets import MARKETS, Market
from soko.shared import aws, dynamo

__all__ = [
    "MARKETS",
    "ML_CROPS",
    "Gap",
    "Market",
    "PairCoverage",
    "PriceReads",
    "find_crop",
    "nearest_market",
    "weekly_forecast",
]


class PairCoverage(BaseModel):
    model_config = ConfigDict(frozen=True)

    crop: str
    market: str
    observations: int


class Gap(BaseModel):
    model_config = ConfigDict(frozen=True)

    crop: str
    requests: int = 0
    last_requested_at: str | None = None
    districts: list[str] = Field(default_factory=list)


def find_crop(text: str) -> str | None:
    """The forecast crop ``text`` names (any catalogue name or synonym), or None."""
    return crops.find(text)


def nearest_market(lat: float, lon: float) -> Market:
    return markets.nearest(lat, lon)


def weekly_forecast(crop_id: str, market_id: str, weeks: int) -> list[tuple[date, int]] | None:
    """The pair's weekly price forecast (model or seasonal fallback, as ``POST /ml/price/predict``
    answers it), or None when the pair has no prices at all."""
    from soko.ml.deps import prices  # noqa: PLC0415
    from soko.ml.logic import NoPriceData, predict  # noqa: PLC0415
    from soko.ml.models import PredictRequest  # noqa: PLC0415

    try:
        forecast = predict(PredictRequest(market=market_id, crop=crop_id, weeks_ahead=weeks), prices())
    except NoPriceData:
        return None
    return [(week.week_start, week.price) for week in forecast.predictions]


class PriceReads(MlDal):
    """Read access to the ML table for other domains, and the one write they may make: counting a
    coverage gap. (The coverage and gap methods belong in :class:`soko.ml.dal.MlDal`; they are here
    until the ML data access offers them.)"""

    def coverage(self) -> list[PairCoverage]:
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": "COVERAGE"},
        }
        found: list[PairCoverage] = []
        while True:
            page = self._table.query(**query)
            for item in page.get("Items", []):
                total = sum(int(item.get(k, 0)) for k in ("wfp_count", "order_count", "synthetic_count"))
                found.append(
                    PairCoverage(crop=str(item["crop"]), market=str(item["market"]), observations=total)
                )
            if "LastEvaluatedKey" not in page:
                return found
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def forecast_price(self, market: str, crop: str, on: date) -> float | None:
        """The served forecast's price for the first week starting on or after ``on``."""
        stored = self.forecast(market, crop)
        for p in (stored or {}).get("predictions", []):
            if date.fromisoformat(str(p["week_start"])) >= on:
                return float(p["price"])
        return None

    def latest_price(self, market: str, crop: str) -> float | None:
        latest = self.latest_observation(market, crop)
        return float(latest["price"]) if latest else None

    def gaps(self, crop_ids: list[str]) -> list[Gap]:
        """The gap counters of ``crop_ids`` (a bounded list of keys: one BatchGetItem per 100)."""
        found: list[Gap] = []
        keys = [{"pk": "GAP", "sk": c} for c in dict.fromkeys(crop_ids)]
        for start in range(0, len(keys), 100):
            request = {self.table_name: {"Keys": keys[start : start + 100]}}
            while request:
                response = aws.resource("dynamodb").batch_get_item(RequestItems=request)
                for i in response["Responses"].get(self.table_name, []):
                    item = dynamo.plain(i)
                    found.append(
                        Gap(
                            crop=str(item["sk"]),
                            requests=int(item.get("requests", 0)),
                            last_requested_at=item.get("last_requested_at"),
                            districts=sorted(item.get("districts") or []),
                        )
                    )
                request = response.get("UnprocessedKeys") or {}
        return found

    def count_gap(self, crop: str, district: str | None, at: str) -> None:
        names = {"#n": "requests", "#at": "last_requested_at"}
        update = "ADD #n :one SET #at = :at, crop = :crop"
        values: dict[str, Any] = {":one": 1, ":at": at, ":crop": crop}
        if district:
            update = "ADD #n :one, districts :d SET #at = :at, crop = :crop"
            values[":d"] = {district}
        self._table.update_item(
            Key={"pk": "GAP", "sk": crop},
            UpdateExpression=update,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
