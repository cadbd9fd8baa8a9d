"""The buyer-behaviour projection: ``soko.orders`` ``OrderPlaced`` and ``OrderCompleted`` -> each
buyer's crops with grams, districts, order count and order days (``dal_clusters``), which the
weekly clusters training reads. EventBridge -> SQS -> this function; partial batch failures;
idempotent on the event id (EventConsumer) and on the order id (an order is counted once, and
completed once, whatever the events' order or redelivery)."""

from __future__ import annotations

from soko.groups.clusters_features import OrderSeen
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
    placed = (OrderPlaced.SOURCE, OrderPlaced.DETAIL_TYPE)
    completed = (OrderCompleted.SOURCE, OrderCompleted.DETAIL_TYPE)
    if (event.source, event.detail_type) not in (placed, completed):
        return
    order = event.parse(OrderPlaced if (event.source, event.detail_type) == placed else OrderCompleted)
    seen = OrderSeen(
        buyer_id=order.buyer_id,
        order_id=order.order_id,
        crop=order.crop,
        district=order.district,
        grams=to_grams(order.quantity_kg),
        day=_day(event),
    )
    dal = clusters.projection()
    counted = dal.order_placed(seen) if isinstance(order, OrderPlaced) else dal.order_completed(seen)
    logger.info("buyer behaviour", extra={"detail_type": event.detail_type, "changed": counted})


consumer = EventConsumer("groups.buyer_behaviour", handle)
lambda_handler = consumer.lambda_handler
