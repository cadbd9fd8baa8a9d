"""The counters consumer: order, payment, user, coverage-gap and empty-search events -> the period
counters and the farmer and market projections, each event counted exactly once
(soko.analytics.counters)."""

from __future__ import annotations

from soko.analytics import counters
from soko.analytics.deps.metrics import counter_store
from soko.shared import clock
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    counted = counters.count(event, counter_store(), clock.now)
    logger.info("event counted" if counted else "event not counted (counted before, or not counted)")


consumer = EventConsumer("analytics.counters", handle)
lambda_handler = consumer.lambda_handler
