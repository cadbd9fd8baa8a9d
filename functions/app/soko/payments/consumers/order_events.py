"""Order events (soko.orders) -> escrow: OrderCompleted schedules the farmer's payout (never of a
frozen escrow), OrderCancelled, OrderRejected and OrderExpired refund a paid order, OrderDisputed
freezes its escrow. Idempotent on the event id, and each change is conditioned on the payment's
escrow state."""

from __future__ import annotations

from soko.payments import escrow
from soko.payments.deps import payments
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    escrow.on_order_event(event, payments())


consumer = EventConsumer("payments.order_events", handle)
lambda_handler = consumer.lambda_handler
