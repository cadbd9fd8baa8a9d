"""Order events (soko.orders) and dispute resolutions (soko.disputes) -> SMS alerts to farmers
without the app and to buyers when the farmer or an admin responds. Idempotent on the event id, and
each alert is claimed before it is sent."""

from __future__ import annotations

from soko.messaging import logic
from soko.messaging.deps import messaging
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    logic.on_order_event(event, messaging())


consumer = EventConsumer("messaging.order_alerts", handle)
lambda_handler = consumer.lambda_handler
