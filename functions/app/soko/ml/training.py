"""Training (Step Functions tasks): list the trainable pairs, and train one pair.

Training one pair reads its monthly series (soko.ml.series), chooses a method by an inner rolling
backtest on data before the forecast origin (soko.ml.forecasting), forecasts the next 3 months on
log prices, turns them into 12 weekly prices with bounds, stores the model document in S3 under a
versioned key and the forecast in DynamoDB, drops the pair's cached answers, and publishes
ModelTrained. Only the training functions import this module (numpy; Prophet for its candidate).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from soko.ml import fallback, forecasting, series
from soko.ml.dal import MlDal
from soko.ml.events import ModelTrained
from soko.ml.models import MlConfig
from soko.shared import aws, clock, dynamo, ids
from soko.shared.bus import EventPublisher
from soko.shared.config import load
from soko.shared.observability import lambda_entry, logger

WEEKS = 12


class NotEnoughData(Exception):
    """The pair has too few months of prices to train on (caught per pair by the state machine)."""


@dataclass
class Trained:
    market: str
    crop: str
    model_version: str
    method: str
    data_through: str
    predictions: list[dict[str, Any]]
    inner_mape: float
    naive_mape: float
    months: int
    series_kind: str


def trainable_pairs(table_name: str) -> list[dict[str, str]]:
    """Pairs with at least MIN_HISTORY observations of any source (from the coverage counts)."""
    items = (
        dynamo.table(table_name)
        .query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": "COVERAGE"})
        .get("Items", [])
    )
    pairs = []
    for item in items:
        total = sum(int(item.get(k, 0)) for k in ("wfp_count", "order_count", "synthetic_count"))
        if total >= forecasting.MIN_HISTORY:
            pairs.append({"market": str(item["market"]), "crop": str(item["crop"])})
    return sorted(pairs, key=lambda p: (p["crop"], p["market"]))


def weekly(
    last_month: date, last_log: float, monthly_logs: np.ndarray, band: list[float], today: date
) -> list[dict[str, Any]]:
    """Weekly prices for the next WEEKS weeks: log-linear between the last observed month and the
    monthly forecasts (each placed on the 15th), flat after the last one; bounds widen with it."""
    anchors = [(last_month, last_log)] + [
        ((last_month.replace(day=1) + timedelta(days=32 * h)).replace(day=15), float(v))
        for h, v in zip(forecasting.HORIZONS, monthly_logs, strict=True)
    ]
    out = []
    for start in fallback.week_starts(today, WEEKS):
        middle = start + timedelta(days=3)
        value, width = anchors[-1][1], band[-1]
        for (d0, v0), (d1, v1), b in zip(anchors, anchors[1:], band, strict=False):
            if d0 <= middle <= d1:
                share = (middle - d0).days / max(1, (d1 - d0).days)
                value, width = v0 + share * (v1 - v0), b
                break
        price = math.exp(value)
        out.append(
            {
                "week_start": start.isoformat(),
                "price": round(price),
                "lower": round(price * (1 - width)),
                "upper": round(price * (1 + width)),
            }
        )
    return out


def train_pair(market: str, crop: str, config: MlConfig, *, include_prophet: bool = False) -> Trained:
    kind, points = series.monthly(series.observations(config.ml_table_name, market, crop))
    if len(points) < forecasting.MIN_HISTORY:
        raise NotEnoughData(
            f"{market}/{crop} has {len(points)} months of prices; {forecasting.MIN_HISTORY} needed"
        )
    prices = np.array([p for _, p in points], dtype=float)
    pool = forecasting.candidates(include_prophet=include_prophet)
    selection = forecasting.select(prices, pool)
    history = forecasting.clean(np.log(prices))
    monthly_logs = pool[selection.method](history)
    today = clock.now().date()
    version = ids.ulid()
    predictions = weekly(points[-1][0], float(history[-1]), monthly_logs, selection.band, today)
    return Trained(
        market=market,
        crop=crop,
        model_version=version,
        method=selection.method,
        data_through=points[-1][0].isoformat(),
        predictions=predictions,
        inner_mape=selection.inner[selection.method],
        naive_mape=selection.inner["naive"],
        months=len(points),
        series_kind=kind,
    )


def publish(trained: Trained, config: MlConfig) -> None:
    """Store the model document and the forecast, drop cached answers, announce it."""
    document = {
        "market": trained.market,
        "crop": trained.crop,
        "model_version": trained.model_version,
        "method": trained.method,
        "series": trained.series_kind,
        "data_through": trained.data_through,
        "trained_at": clock.now_iso(),
        "inner_backtest_mape": trained.inner_mape,
        "inner_backtest_naive_mape": trained.naive_mape,
        "predictions": trained.predictions,
    }
    if config.models_bucket_name:
        aws.client("s3").put_object(
            Bucket=config.models_bucket_name,
            Key=f"models/{trained.market}/{trained.crop}/{trained.model_version}.json",
            Body=json.dumps(document).encode(),
            ContentType="application/json",
        )
    dynamo.table(config.ml_table_name).put_item(
        Item=json.loads(
            json.dumps(
                {
                    "pk": f"FORECAST#{trained.market}#{trained.crop}",
                    "sk": "LATEST",
                    **document,
                }
            ),
            parse_float=lambda text: __import__("decimal").Decimal(text),
        )
    )
    MlDal(config.ml_table_name).drop_cache(trained.market, trained.crop)
    EventPublisher(config.event_bus_name).publish(
        [
            ModelTrained(
                market=trained.market,
                crop=trained.crop,
                model_version=trained.model_version,
                method=trained.method,
                data_through=trained.data_through,
                observations=trained.months,
                backtest_mape=round(trained.inner_mape, 4),
                naive_mape=round(trained.naive_mape, 4),
            )
        ]
    )


@lambda_entry(correlation_id_path=None)
def list_pairs_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"pairs": trainable_pairs(load(MlConfig).ml_table_name)}


@lambda_entry(correlation_id_path=None)
def train_pair_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = load(MlConfig)
    market, crop = str(event["market"]), str(event["crop"])
    trained = train_pair(market, crop, config)
    publish(trained, config)
    logger.info("model trained", extra={"market": market, "crop": crop, "method": trained.method})
    return {
        "market": market,
        "crop": crop,
        "model_version": trained.model_version,
        "method": trained.method,
        "inner_mape": round(trained.inner_mape, 4),
        "naive_mape": round(trained.naive_mape, 4),
    }
