"""The market's order events on pooled listings (soko.orders; EventBridge -> SQS -> Lambda,
idempotent on the event id, partial batch failures):

- ``OrderConfirmed`` -> the order is allocated to the pool's commitments (a listing that is no pool
  of ours is not for us, whatever its ``coop_id``: the pool is known by its listing id);
- ``OrderCancelled``, ``OrderRejected``, ``OrderExpired`` -> its allocation is released (once);
- ``OrderCompleted`` -> its allocations are ``confirmed`` (the buyer has the produce).

Each outcome is idempotent by itself too: the allocation is written once per order, a release and
a completion only from ``allocated``."""

from __future__ import annotations

from soko.coops import logic
from soko.coops.deps import publishing
from soko.market.events import OrderCancelled, OrderCompleted, OrderConfirmed, OrderExpired, OrderRejected
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    detail = event.parse_any(OrderConfirmed, OrderCancelled, OrderRejected, OrderExpired, OrderCompleted)
    if detail is None:
        return
    deps = publishing()
    if isinstance(detail, OrderConfirmed):
        shares = logic.allocate(detail.order_id, detail.listing_id, detail.quantity_kg, deps)
        logger.info("pooled order", extra={"order_id": detail.order_id, "members": len(shares or [])})
    elif isinstance(detail, OrderCompleted):
        done = logic.complete(detail.order_id, deps)
        logger.info("pooled order completed", extra={"order_id": detail.order_id, "changed": done})
    else:
        released = logic.release(detail.order_id, deps)
        logger.info("pooled order ended", extra={"order_id": detail.order_id, "released": released})


consumer = EventConsumer("coops.orders", handle)
lambda_handler = consumer.lambda_handler
