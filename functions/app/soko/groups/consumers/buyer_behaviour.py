"""The buyer-behaviour projection: ``soko.orders`` ``OrderPlaced`` and ``OrderCompleted`` -> each
buyer's crops with grams, districts, order count and order days (``dal_clusters``), which the
weekly clusters training reads. EventBridge -> SQS -> this function; partial batch failures;
idempotent on the event id (EventConsumer) and on the order id (an order is counted once, and
completed once, whatever the events' order or redelivery)."""

from __future__ import annotations

from soko.groups.deps import clusters
from soko.market.events import OrderCompleted, OrderPlaced
from soko.market.public import to_grams
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def _day(event: ReceivedEvent) -> str:
    occurred = event.detail.get("occurred_at")
    return str(occurred)[:10] if occurred else event.time.date().isoformat()


def handle(event: ReceivedEvent) -> None:
    if (event.source, event.detail_type) == (OrderPlaced.SOURCE, OrderPlaced.DETAIL_TYPE):
        placed = event.parse(OrderPlaced)
        counted = clusters.projection().order_placed(
            placed.buyer_id,
            placed.order_id,
            placed.crop,
            placed.district,
            to_grams(placed.quantity_kg),
            _day(event),
        )
    elif (event.source, event.detail_type) == (OrderCompleted.SOURCE, OrderCompleted.DETAIL_TYPE):
        done = event.parse(OrderCompleted)
        counted = clusters.projection().order_completed(
            done.buyer_id, done.order_id, done.crop, done.district, to_grams(done.quantity_kg), _day(event)
        )
    else:
        return
    logger.info("buyer behaviour", extra={"detail_type": event.detail_type, "changed": counted})


consumer = EventConsumer("groups.buyer_behaviour", handle)
lambda_handler = consumer.lambda_handler
