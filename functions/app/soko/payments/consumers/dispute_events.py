"""Dispute resolutions (``soko.disputes`` ``DisputeResolved``) -> the frozen escrow is released,
refunded or split as the admin decided (see :mod:`soko.payments.escrow`). Idempotent on the event
id, and each change is conditioned on the payment's escrow state and remembers the dispute."""

from __future__ import annotations

from soko.payments import escrow
from soko.payments.deps import payments
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    escrow.on_order_event(event, payments())


consumer = EventConsumer("payments.dispute_events", handle)
lambda_handler = consumer.lambda_handler
