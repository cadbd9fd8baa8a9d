"""Payment events (soko.payments) -> the order's ``payment_status`` ("paid (escrow)", ...).

The market owns orders, so it is the market that writes what a payment means for an order;
idempotent on the event id, and a status never goes back to an older one. Each event is read with
its producer's contract: one that does not fit fails (and after its retries is in the DLQ)."""

from __future__ import annotations

from soko.market import payments_bridge
from soko.market.deps import market
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    payment = event.parse_any(*payments_bridge.PAYMENT_EVENTS)
    if payment is not None:  # another event of soko.payments says nothing about the order
        payments_bridge.record_payment(payment, market())


consumer = EventConsumer("market.payments", handle)
lambda_handler = consumer.lambda_handler
