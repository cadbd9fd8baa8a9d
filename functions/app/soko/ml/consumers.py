"""The price layer's consumers (EventBridge -> SQS -> Lambda, idempotent on the event id)."""

from __future__ import annotations

import json

from soko.ml import logic, observations
from soko.ml.deps import prices
from soko.ml.events import PriceForecastReady, PriceForecastRequested
from soko.ml.models import MlConfig, PredictRequest
from soko.shared.bus import EventPublisher
from soko.shared.config import load
from soko.shared.consumer import EventConsumer
from soko.shared.errors import SokoError
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def _observe(event: ReceivedEvent) -> None:
    if event.detail_type == "OrderCompleted":
        status = observations.record(event.detail, load(MlConfig).ml_table_name)
        logger.info("order price observed", extra={"status": status})


def _answer(event: ReceivedEvent) -> None:
    if event.detail_type != "PriceForecastRequested":
        return
    request = event.parse(PriceForecastRequested)
    try:
        forecast = logic.predict(
            PredictRequest(market=request.market, crop=request.crop, weeks_ahead=request.weeks_ahead),
            prices(),
        )
        ready = PriceForecastReady(
            request_id=request.request_id, ok=True, forecast=json.loads(forecast.model_dump_json())
        )
    except SokoError as err:  # a bad request gets an answer too, saying what was wrong
        ready = PriceForecastReady(
            request_id=request.request_id,
            ok=False,
            error={"code": err.code, "message": err.message, "details": err.details},
        )
    EventPublisher(load(MlConfig).event_bus_name).publish([ready])


observations_consumer = EventConsumer("ml.observations", _observe)
requests_consumer = EventConsumer("ml.forecast_requests", _answer)
observations_handler = observations_consumer.lambda_handler
requests_handler = requests_consumer.lambda_handler
