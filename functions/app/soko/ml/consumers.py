"""The price layer's consumers (EventBridge -> SQS -> Lambda, idempotent on the event id). Each event
is read through its producer's contract; one that does not fit fails its record (and ends in the
DLQ after the queue's retries), it is not guessed at. Events of other types are not for us."""

from __future__ import annotations

from soko.market.events import OrderCompleted
from soko.ml import deps, logic, observations
from soko.ml.events import PriceForecastRequested
from soko.shared.consumer import EventConsumer
from soko.shared.events import EventDetail, ReceivedEvent
from soko.shared.observability import logger


def _is(event: ReceivedEvent, contract: type[EventDetail]) -> bool:
    return (event.source, event.detail_type) == (contract.SOURCE, contract.DETAIL_TYPE)


def _observe(event: ReceivedEvent) -> None:
    if _is(event, OrderCompleted):
        status = observations.record(
            event.parse(OrderCompleted), deps.observations(), deps.observed().publish
        )
        logger.info("order price observed", extra={"status": status})


def _answer(event: ReceivedEvent) -> None:
    if _is(event, PriceForecastRequested):
        ready = logic.answer(event.parse(PriceForecastRequested), deps.prices())
        deps.answers().publish([ready])


observations_consumer = EventConsumer("ml.observations", _observe)
requests_consumer = EventConsumer("ml.forecast_requests", _answer)
observations_handler = observations_consumer.lambda_handler
requests_handler = requests_consumer.lambda_handler
