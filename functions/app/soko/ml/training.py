"""Training (Step Functions tasks): list the trainable pairs, and train one pair.

Listing also takes a snapshot of every monthly price series (S3), so that every pair of one run is
trained on the same data. Training one pair builds the panel of all series (the pooled model learns
from every market; soko.ml.forecasting), chooses what to serve by an inner backtest on data before
the forecast origin, forecasts on log prices, turns the months ahead into 12 weekly prices with
bounds, stores the model document in S3 under a versioned key and the forecast in DynamoDB, drops the
pair's cached answers, and publishes ModelTrained. Only the training functions import this module
(numpy; pandas and Prophet for the Prophet candidate).
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
from soko.ml.markets import MARKETS
from soko.ml.models import MlConfig
from soko.shared import aws, clock, dynamo, ids
from soko.shared.bus import EventPublisher
from soko.shared.config import load
from soko.shared.observability import lambda_entry, logger

WEEKS = 12
POOL_MARKETS = tuple(m.id for m in MARKETS if m.seed)
SNAPSHOT_PREFIX = "snapshots/"

type Panel = dict[forecasting.SeriesKey, dict[int, float]]


class NotEnoughData(Exception):
    """The pair has too few months of prices to train on (caught per pair by the state machine)."""


@dataclass
class Trained:
    market: str
    crop: str
    model_version: str
    method: str
    data_through: str
    data_from: str
    predictions: list[dict[str, Any]]
    inner_mape: float
    naive_mape: float
    candidates: dict[str, float]
    months: int
    series_kind: str


def _coverage(table_name: str) -> list[dict[str, Any]]:
    table, query = (
        dynamo.table(table_name),
        {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": "COVERAGE"},
        },
    )
    items: list[dict[str, Any]] = []
    while True:
        page = table.query(**query)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def trainable_pairs(table_name: str) -> list[dict[str, str]]:
    """Pairs with at least MIN_HISTORY observations of any source (from the coverage counts)."""
    pairs = []
    for item in _coverage(table_name):
        total = sum(int(item.get(k, 0)) for k in ("wfp_count", "order_count", "synthetic_count"))
        if total >= forecasting.MIN_HISTORY:
            pairs.append({"market": str(item["market"]), "crop": str(item["crop"])})
    return sorted(pairs, key=lambda p: (p["crop"], p["market"]))


def collect(table_name: str, also: tuple[str, str] | None = None) -> Panel:
    """Every covered pair's monthly series of every price type (and the pair ``also``, counted or
    not), keyed for the forecasting panel."""
    panel: Panel = {}
    pairs = {(str(item["market"]), str(item["crop"])) for item in _coverage(table_name)}
    for market, crop in sorted(pairs | ({also} if also else set())):
        for kind, points in series.monthly_by_kind(series.observations(table_name, market, crop)).items():
            key = forecasting.SeriesKey(market, crop, kind)
            panel[key] = {forecasting.month_index(day): price for day, price in points}
    return panel


def dump(panel: Panel) -> bytes:
    return json.dumps(
        {
            "series": [
                {
                    "market": k.market,
                    "crop": k.crop,
                    "kind": k.kind,
                    "prices": {str(m): p for m, p in v.items()},
                }
                for k, v in sorted(panel.items())
            ]
        }
    ).encode()


def parse(body: bytes) -> Panel:
    document = json.loads(body)
    return {
        forecasting.SeriesKey(s["market"], s["crop"], s["kind"]): {
            int(m): float(p) for m, p in s["prices"].items()
        }
        for s in document["series"]
    }


def snapshot(config: MlConfig) -> str | None:
    """Store the panel of this run in S3 (without a bucket each pair reads DynamoDB itself)."""
    if not config.models_bucket_name:
        return None
    key = f"{SNAPSHOT_PREFIX}{ids.ulid()}.json"
    aws.client("s3").put_object(
        Bucket=config.models_bucket_name,
        Key=key,
        Body=dump(collect(config.ml_table_name)),
        ContentType="application/json",
    )
    return key


def load_panel(config: MlConfig, key: str | None, pair: tuple[str, str]) -> Panel:
    """The run's snapshot; without one (a pair trained on its own), the table as it is now."""
    if key and config.models_bucket_name:
        body = aws.client("s3").get_object(Bucket=config.models_bucket_name, Key=key)["Body"].read()
        return parse(body)
    return collect(config.ml_table_name, also=pair)


def weekly(
    last_month: date, last_log: float, monthly_logs: np.ndarray, band: list[float], today: date
) -> list[dict[str, Any]]:
    """Weekly prices for the next WEEKS weeks: log-linear between the last observed month and the
    monthly forecasts (each placed on the 15th), flat after the last one; bounds widen with it."""
    base = forecasting.month_index(last_month)
    anchors = [(last_month, last_log)] + [
        (forecasting.month_date(base + h), float(v)) for h, v in enumerate(monthly_logs, start=1)
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
                "lower": round(price * (1 - min(width, 0.9))),
                "upper": round(price * (1 + width)),
            }
        )
    return out


def horizon_for(data_through: date, today: date) -> int:
    """Months to forecast: up to the month of the last week served, at least the scored 3, at most 12
    (older data serves the last month's forecast flat)."""
    last_week = fallback.week_starts(today, WEEKS)[-1]
    needed = forecasting.month_index(last_week) - forecasting.month_index(data_through) + 1
    return max(*forecasting.HORIZONS, min(12, needed))


def train_pair(
    market: str, crop: str, config: MlConfig, *, panel: Panel | None = None, prophet: bool | None = None
) -> Trained:
    data = panel if panel is not None else collect(config.ml_table_name, also=(market, crop))
    kinds = {k.kind: v for k, v in data.items() if k.market == market and k.crop == crop}
    kind = series.preferred(kinds)
    observed = len(kinds[kind]) if kind else 0
    if kind is None or observed < forecasting.MIN_HISTORY:
        raise NotEnoughData(
            f"{market}/{crop} has {observed} months of prices; {forecasting.MIN_HISTORY} needed"
        )
    key = forecasting.SeriesKey(market, crop, kind)
    today = clock.now().date()
    last = max(data[key])
    use_prophet = config.prophet_candidate if prophet is None else prophet
    model = forecasting.Panel(
        data,
        POOL_MARKETS,
        horizon=horizon_for(forecasting.month_date(last), today),
        prophet=forecasting.prophet_fit if use_prophet else None,
    )
    i, t = model.index(key), model.col(last)
    chosen = model.forecast(i, t)
    predictions = weekly(
        forecasting.month_date(last), float(model.cleaned[i, t]), chosen.logs, chosen.band, today
    )
    naive = model.inner_mape("naive", i, t)
    return Trained(
        market=market,
        crop=crop,
        model_version=ids.ulid(),
        method=chosen.method,
        data_through=forecasting.month_date(last).isoformat(),
        data_from=forecasting.month_date(min(data[key])).isoformat(),
        predictions=predictions,
        inner_mape=chosen.inner.get(chosen.method, naive),
        naive_mape=naive,
        candidates=chosen.inner,
        months=observed,
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
        "inner_backtest_mape": _finite(trained.inner_mape),
        "inner_backtest_naive_mape": _finite(trained.naive_mape),
        "inner_backtest_candidates": trained.candidates,
        "data_from": trained.data_from,
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
                backtest_mape=_finite(trained.inner_mape),
                naive_mape=_finite(trained.naive_mape),
            )
        ]
    )


@lambda_entry(correlation_id_path=None)
def list_pairs_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = load(MlConfig)
    key = snapshot(config)
    pairs = trainable_pairs(config.ml_table_name)
    return {"snapshot": key, "pairs": [pair | ({"snapshot": key} if key else {}) for pair in pairs]}


@lambda_entry(correlation_id_path=None)
def train_pair_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = load(MlConfig)
    market, crop = str(event["market"]), str(event["crop"])
    trained = train_pair(
        market, crop, config, panel=load_panel(config, event.get("snapshot"), (market, crop))
    )
    publish(trained, config)
    logger.info("model trained", extra={"market": market, "crop": crop, "method": trained.method})
    return {
        "market": market,
        "crop": crop,
        "model_version": trained.model_version,
        "method": trained.method,
        "inner_mape": _finite(trained.inner_mape),
        "naive_mape": _finite(trained.naive_mape),
    }


def _finite(value: float) -> float | None:
    return round(value, 4) if math.isfinite(value) else None
