"""Payment events (soko.payments) -> the order's ``payment_status`` ("paid (escrow)", ...).

The market owns orders, so it is the market that writes what a payment means for an order;
idempotent on the event id, and a status never goes back to an older one."""

from __future__ import annotations

from soko.market import logic
from soko.market.deps import market
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    order_id = str(event.detail.get("order_id", ""))
    if not order_id:
        raise ValueError("a payment event without order_id")
    logic.record_payment(event.detail_type, order_id, market())


consumer = EventConsumer("market.payments", handle)
lambda_handler = consumer.lambda_handler
