"""Price alerts fire from the price layer's events (EventBridge -> SQS -> Lambda, idempotent on the
event id, partial batch failures): ``PricesObserved`` (threshold rules) and ``ModelTrained``
(forecast-move rules). Each is parsed with its producer's contract; one that does not fit fails its
record. Other event types are not for us."""

from __future__ import annotations

from soko.alerts import deps, logic
from soko.ml.events import ModelTrained, PricesObserved
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def _handle(event: ReceivedEvent) -> None:
    detail = event.parse_any(PricesObserved, ModelTrained)
    if isinstance(detail, PricesObserved):
        fired = logic.on_prices_observed(detail, deps.firing())
    elif isinstance(detail, ModelTrained):
        fired = logic.on_model_trained(detail, deps.firing())
    else:
        return
    logger.info("price alerts", extra={"detail_type": event.detail_type, "fired": fired})


consumer = EventConsumer("alerts.firing", _handle)
lambda_handler = consumer.lambda_handler
