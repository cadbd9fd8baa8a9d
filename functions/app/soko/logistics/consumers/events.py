"""Events that move bookings without a caller (soko.logistics.step_events):

- ``TransportBooked`` (soko.logistics, the booking's own outbox) -> the transporter's answer timer;
- ``OrderCancelled``, ``OrderRejected``, ``OrderExpired`` (soko.orders) -> the order's active booking is
  cancelled by ``system``; ``OrderCompleted`` -> a picked-up booking is delivered (``by:
  order_completed``), one not picked up is cancelled.

Idempotent on the event id; each action is idempotent by itself as well (the timer by its name, the
moves conditional on the booking's status and version)."""

from __future__ import annotations

from soko.logistics import step_events
from soko.logistics.deps import answer_minutes, steps, timers
from soko.logistics.events import TransportBooked
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    booked = event.parse_any(TransportBooked)
    if booked is not None:
        name = step_events.on_booked(booked, steps(), timers(), answer_minutes())
        logger.info("answer timer", extra={"booking_id": booked.booking_id, "timer": name})
        return
    order_event = event.parse_any(*step_events.ORDER_EVENTS)
    if order_event is not None:
        moved = step_events.on_order_event(order_event, steps())
        logger.info(
            "order's end",
            extra={"order_id": order_event.order_id, "moved_to": moved.status if moved else None},
        )


consumer = EventConsumer("logistics.events", handle)
lambda_handler = consumer.lambda_handler
